package podgc

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kubesim/kubesim/controllers/internal/script"

	"github.com/kubesim/kubesim/sim"
	"github.com/kubesim/kubesim/sim/api"
	"github.com/kubesim/kubesim/sim/store"
)

type harness struct {
	eng    *sim.Engine
	st     *store.Store
	c      *Controller
	log    []string
	writes int
	goneAt map[string]sim.Time
}

func newHarness(cfg Config) *harness {
	eng := sim.NewEngine(1, 0)
	st := store.New(eng, store.Options{})
	h := &harness{eng: eng, st: st, goneAt: map[string]sim.Time{}}
	st.OnWrite(func(w *store.Write) {
		if w.Component == "test" {
			return
		}
		h.writes++
		if w.New == nil {
			h.goneAt[w.Key] = w.Time
		}
		s := fmt.Sprintf("%.3fs %s %s %s %s %s", w.Time.Seconds(), w.Component, w.Verb, w.Kind, w.Key, w.Reason)
		if p, ok := w.New.(*api.Pod); ok {
			s += " phase=" + string(p.Status.Phase)
			if c := api.FindCondition(p.Status.Conditions, api.PodDisruptionTarget); c != nil {
				s += " DisruptionTarget=" + c.Reason
			}
		}
		h.log = append(h.log, s)
	})
	h.c = New(st, cfg)
	return h
}

func at(s float64) sim.Time { return sim.Time(s * float64(time.Second)) }

func (h *harness) addNode(name string) {
	script.Must(h.st.Nodes.Create("test", &api.Node{ObjectMeta: api.ObjectMeta{Name: name},
		Conditions: []api.Condition{{Type: api.NodeReady, Status: api.ConditionTrue}}}, "test"))
}

func (h *harness) addPod(name, node string, phase api.PodPhase, reason string) {
	spec := &api.PodSpec{TerminationGracePeriodSeconds: 30, Containers: []api.Container{{Name: "app"}}}
	script.Must(h.st.Pods.Create("test", &api.Pod{ObjectMeta: api.ObjectMeta{Namespace: "default", Name: name}, Spec: spec, NodeName: node,
		Status: api.PodStatus{Phase: phase, Reason: reason}}, "test"))
}

// TestTerminatedOverThreshold: with a threshold of 3, five terminated pods
// (created at 1..5 s, the newest evicted) lose two at the pass tick after
// the fifth: the evicted one, then the oldest.
func TestTerminatedOverThreshold(t *testing.T) {
	h := newHarness(Config{TerminatedPodThreshold: 3})
	h.addNode("n1")
	for i, name := range []string{"p1", "p2", "p3", "p4", "p5"} {
		h.eng.Run(at(float64(i + 1)))
		phase, reason := api.PodSucceeded, ""
		if name == "p5" {
			phase, reason = api.PodFailed, "Evicted"
		}
		h.addPod(name, "n1", phase, reason)
	}
	h.addPod("running", "n1", api.PodRunning, "")
	h.eng.Run(at(100))
	if fmt.Sprint(h.goneAt) != fmt.Sprint(map[string]sim.Time{"default/p1": at(20), "default/p5": at(20)}) {
		t.Fatalf("deleted %v, want p5 and p1 at 20s", h.goneAt)
	}
	if h.c.Passes() != 1 {
		t.Fatalf("%d passes, want 1", h.c.Passes())
	}
	before := h.writes
	h.c.gc(h.eng.Now())
	if h.writes != before {
		t.Fatal("a second pass wrote")
	}
}

// TestOrphansAfterQuarantine: a node deleted at 30 s is seen missing at the
// 40 s pass and its pods are deleted at the 80 s pass (quarantine 40 s).
func TestOrphansAfterQuarantine(t *testing.T) {
	h := newHarness(Config{})
	h.addNode("n1")
	h.addNode("n2")
	h.addPod("a", "n1", api.PodRunning, "")
	h.addPod("b", "n1", api.PodRunning, "")
	h.addPod("c", "n2", api.PodRunning, "")
	h.eng.Run(at(30))
	if err := h.st.Nodes.Delete("test", "", "n1", store.DeleteOptions{}, "test"); err != nil {
		t.Fatal(err)
	}
	h.eng.Run(at(200))
	if fmt.Sprint(h.goneAt) != fmt.Sprint(map[string]sim.Time{"default/a": at(80), "default/b": at(80)}) {
		t.Fatalf("deleted %v, want a and b at 80s", h.goneAt)
	}
	if h.c.Passes() != 2 {
		t.Fatalf("%d passes, want 2 (40 s and 80 s)", h.c.Passes())
	}
}

// TestNothingToCollectCostsNothing: a cluster without garbage runs no pass.
func TestNothingToCollectCostsNothing(t *testing.T) {
	h := newHarness(Config{})
	for i := range 100 {
		h.addNode(fmt.Sprint("n", i))
		h.addPod(fmt.Sprint("p", i), fmt.Sprint("n", i), api.PodRunning, "")
	}
	h.eng.Run(at(7 * 24 * 3600))
	if h.c.Passes() != 0 || h.writes != 0 {
		t.Fatalf("%d passes, %d writes", h.c.Passes(), h.writes)
	}
}

// TestScripts runs testdata/*.txt. Commands: add-node NAME; add-pod NAME NODE
// [PHASE]; delete-node NAME; delete-pod NAME (graceful); not-ready NODE;
// taint NODE KEY; advance DURATION.
func TestScripts(t *testing.T) {
	script.Run(t, func(t *testing.T) script.Runner {
		h := newHarness(Config{})
		return func(cmd string) []string { return h.run(t, cmd) }
	})
}

func (h *harness) run(t *testing.T, line string) []string {
	f := strings.Fields(line)
	h.log = nil
	switch f[0] {
	case "add-node":
		h.addNode(f[1])
	case "add-pod":
		phase := api.PodRunning
		if len(f) > 3 {
			phase = api.PodPhase(f[3])
		}
		h.addPod(f[1], f[2], phase, "")
	case "delete-node":
		if err := h.st.Nodes.Delete("test", "", f[1], store.DeleteOptions{}, "test"); err != nil {
			t.Fatal(err)
		}
	case "delete-pod":
		if err := h.st.Pods.Delete("test", "default", f[1], store.DeleteOptions{}, "test"); err != nil {
			t.Fatal(err)
		}
	case "not-ready":
		n, _ := h.st.Nodes.GetKey(f[1])
		c := n.Clone()
		c.Conditions = api.SetCondition(n.Conditions, api.Condition{Type: api.NodeReady, Status: api.ConditionUnknown})
		script.Must(h.st.Nodes.Update("test", c, "test"))
	case "taint":
		n, _ := h.st.Nodes.GetKey(f[1])
		c := n.Clone()
		c.Taints = append(slices.Clone(n.Taints), api.Taint{Key: f[2], Effect: api.TaintNoExecute})
		script.Must(h.st.Nodes.Update("test", c, "test"))
	case "advance":
		d, err := time.ParseDuration(f[1])
		if err != nil {
			t.Fatal(err)
		}
		h.eng.Run(h.eng.Now().Add(d))
		return append(h.log, fmt.Sprintf("now %.3fs", h.eng.Now().Seconds()))
	default:
		t.Fatalf("unknown command %q", line)
	}
	return h.log
}
