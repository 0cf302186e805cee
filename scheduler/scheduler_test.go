package scheduler

import (
	"strings"
	"testing"
	"time"

	"github.com/kubesim/kubesim/sim"
	"github.com/kubesim/kubesim/sim/api"
)

func TestEndToEndBindAndRetryAfterNodeAdd(t *testing.T) {
	w, err := newWorld(Config{})
	if err != nil {
		t.Fatal(err)
	}
	w.addNode(makeNode("n1", "a", 2000, 4*gi))
	w.addNode(makeNode("n2", "b", 2000, 4*gi))
	w.s.Start()
	for i := range 3 {
		w.addPod(makePod("p"+string(rune('0'+i)), 1000, gi))
	}
	big := makePod("big", 3000, gi)
	w.addPod(big)
	w.run(time.Second)

	for i := range 3 {
		if p := w.pod("p" + string(rune('0'+i))); p.NodeName == "" {
			t.Fatalf("pod %s not bound", p.Name)
		}
	}
	bp := w.pod("big")
	if bp.NodeName != "" {
		t.Fatalf("big bound to %s", bp.NodeName)
	}
	c := api.FindCondition(bp.Status.Conditions, api.PodScheduled)
	if c == nil || c.Status != api.ConditionFalse || c.Reason != "Unschedulable" {
		t.Fatalf("big condition = %+v", c)
	}
	wantMsg := "0/2 nodes are available: 2 Insufficient cpu."
	if c.Message != wantMsg {
		t.Fatalf("message = %q, want %q", c.Message, wantMsg)
	}
	var failed, scheduled int
	for _, e := range w.events {
		switch e.Reason {
		case "FailedScheduling":
			failed++
			if e.Component != "default-scheduler" || e.Message != wantMsg {
				t.Fatalf("event %+v", e)
			}
		case "Scheduled":
			scheduled++
			if !strings.HasPrefix(e.Message, "Successfully assigned default/p") {
				t.Fatalf("event message %q", e.Message)
			}
		}
	}
	if failed != 1 || scheduled != 3 {
		t.Fatalf("failed=%d scheduled=%d", failed, scheduled)
	}
	if _, _, u := w.s.Queue().QueueLengths(); u != 1 {
		t.Fatalf("unschedulable pool = %d, want 1", u)
	}

	// Retries with an unchanged message do not rewrite the condition.
	w.s.Queue().MoveAllToActiveOrBackoff(EventNodeUpdate)
	w.run(time.Minute)
	if w.condWrites != 1 {
		t.Fatalf("condition written %d times, want 1", w.condWrites)
	}
	// A big node arrives: the pod is retried at once and bound there.
	w.addNode(makeNode("n3", "a", 4000, 8*gi))
	w.run(time.Second)
	bp = w.pod("big")
	if bp.NodeName != "n3" {
		t.Fatalf("big bound to %q, want n3", bp.NodeName)
	}
	if st := w.s.Stats(); st.Scheduled != 4 || st.Unschedulable != 2 {
		t.Fatalf("stats %+v", st)
	}
}

func TestCycleAndBindLatency(t *testing.T) {
	w, err := newWorld(Config{CycleLatency: 10 * time.Millisecond, BindLatency: 100 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	w.addNode(makeNode("n1", "", 8000, 16*gi))
	w.s.Start()
	w.addPod(makePod("a", 100, gi))
	w.addPod(makePod("b", 100, gi))
	var bound []sim.Time
	w.st.Pods.Watch(func(ev storeEventPod) {
		if ev.New != nil && ev.Old != nil && ev.Old.NodeName == "" && ev.New.NodeName != "" {
			bound = append(bound, w.eng.Now())
		}
	})
	w.run(time.Second)
	// Cycle of a at 0, of b at 10ms; binds at end of cycle + 100ms.
	want := []sim.Time{sim.Time(110 * time.Millisecond), sim.Time(120 * time.Millisecond)}
	if len(bound) != 2 || bound[0] != want[0] || bound[1] != want[1] {
		t.Fatalf("bind times %v, want %v", bound, want)
	}
}

func TestPodsOfUnknownSchedulerIgnored(t *testing.T) {
	w, err := newWorld(Config{})
	if err != nil {
		t.Fatal(err)
	}
	w.addNode(makeNode("n1", "", 8000, 16*gi))
	w.s.Start()
	p := makePod("other", 100, gi)
	spec := *p.Spec
	spec.SchedulerName = "my-scheduler"
	p.Spec = &spec
	w.addPod(p)
	w.run(time.Minute)
	if w.pod("other").NodeName != "" || w.s.Queue().Has(w.pod("other").UID) {
		t.Fatal("pod of another scheduler was handled")
	}
}

func TestNoNodesIsSchedulerError(t *testing.T) {
	w, err := newWorld(Config{})
	if err != nil {
		t.Fatal(err)
	}
	w.s.Start()
	w.addPod(makePod("p", 100, gi))
	w.run(time.Millisecond)
	c := api.FindCondition(w.pod("p").Status.Conditions, api.PodScheduled)
	if c == nil || c.Reason != "SchedulerError" || c.Message != "no nodes available to schedule pods" {
		t.Fatalf("condition %+v", c)
	}
	if _, b, _ := w.s.Queue().QueueLengths(); b != 1 {
		t.Fatalf("error pod not in backoff")
	}
	w.addNode(makeNode("n1", "", 8000, 16*gi))
	w.run(3 * time.Second)
	if w.pod("p").NodeName != "n1" {
		t.Fatal("pod not bound after backoff")
	}
}

func TestDeterministicTieBreak(t *testing.T) {
	run := func() []string {
		w, err := newWorld(Config{})
		if err != nil {
			t.Fatal(err)
		}
		for i := range 20 {
			w.addNode(makeNode(string(rune('a'+i)), "", 100000, 1000*gi))
		}
		w.s.Start()
		for i := range 10 {
			w.addPod(makePod("p"+string(rune('a'+i)), 0, 0))
		}
		w.run(time.Second)
		var out []string
		for i := range 10 {
			out = append(out, w.pod("p"+string(rune('a'+i))).NodeName)
		}
		return out
	}
	a, b := run(), run()
	if strings.Join(a, ",") != strings.Join(b, ",") {
		t.Fatalf("runs differ: %v vs %v", a, b)
	}
	distinct := map[string]bool{}
	for _, n := range a {
		distinct[n] = true
	}
	if len(distinct) < 3 {
		t.Fatalf("tie-break not spreading: %v", a)
	}
}

// TestInTreeDefaultProfile runs the real default profile end to end.
func TestInTreeDefaultProfile(t *testing.T) {
	w, err := newWorld(Config{Registry: defaultRegistry()})
	if err != nil {
		t.Fatal(err)
	}
	prof := w.s.Profile(api.DefaultSchedulerName)
	if got := strings.Join(prof.PluginNames(PointFilter), ","); got != "NodeUnschedulable,NodeName,TaintToleration,NodeAffinity,NodePorts,NodeResourcesFit,PodTopologySpread,InterPodAffinity" {
		t.Fatalf("filter plugins %s", got)
	}
	w.addNode(makeNode("n1", "a", 2000, 4*gi))
	w.addNode(makeNode("n2", "b", 2000, 4*gi))
	w.s.Start()
	for i := range 4 {
		w.addPod(makePod("p"+string(rune('0'+i)), 1000, gi))
	}
	w.addPod(makePod("big", 3000, gi))
	w.run(time.Second)
	for i := range 4 {
		if p := w.pod("p" + string(rune('0'+i))); p.NodeName == "" {
			t.Fatalf("pod %s not bound", p.Name)
		}
	}
	if got := lastEvent(w, "FailedScheduling"); got != "0/2 nodes are available: 2 Insufficient cpu. "+
		"preemption: 0/2 nodes are available: 2 Preemption is not helpful for scheduling." {
		t.Fatalf("message %q", got)
	}
	w.addNode(makeNode("n3", "a", 4000, 8*gi))
	w.run(time.Second)
	if w.pod("big").NodeName != "n3" {
		t.Fatalf("big on %q", w.pod("big").NodeName)
	}
}
