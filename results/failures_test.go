package results

import (
	"testing"

	"github.com/kubesim/kubesim/sim/api"
	"github.com/kubesim/kubesim/sim/store"
)

// TestFailureFigures scripts a node crash under a 2-replica Deployment and
// checks the healing figures and the availability against the timeline:
//
//	0    nodes node-1, node-2; Deployment web (2), RS web-a; a1 on node-1,
//	     a2 on node-2      1  both Ready
//	10   node-1 crashes (FailureStarted, NodeDown): a1 is lost at once
//	60   node-1 Ready → Unknown; a1 marked not ready   (detect 50)
//	365  taint-eviction-controller deletes a1          (evict 355)
//	366  a3 created on node-2, running   368  a3 Ready (heal 358)
//	400  end
//
// Lost: one replica from 10 to 368, 358 pod-seconds. Availability of web
// over [0, 400]: full during [1, 10) and [368, 400): 41 s of 400;
// ready-replica-seconds 2·9 + 1·358 + 2·32 = 440 of 800.
func TestFailureFigures(t *testing.T) {
	w := newWorld(t, Config{})
	var a, d = api.Resources{MilliCPU: 4000, Memory: 8 * gi}, (*api.Deployment)(nil)
	var rs *api.ReplicaSet
	sp := spec(api.Resources{MilliCPU: 100, Memory: 100 * mi})
	placed := func(name, node string) {
		w.pod("replicaset-controller", name, rs, sp)
		w.bind(name, node)
		w.run(name)
	}
	w.at(0, func() {
		w.node("node-1", a)
		w.node("node-2", a)
		d = w.deployment("web", 2, tmpl(100, sp), 0)
		rs = w.ownedRS("web-a", d, tmpl(100, sp), 2)
		placed("a1", "node-1")
		placed("a2", "node-2")
	})
	w.at(1, func() { w.setReady("a1", true); w.setReady("a2", true) })
	w.at(10, func() {
		w.rec.FailureStarted("nodeCrash", "node node-1", []string{"node-1"})
		w.rec.NodeDown("node-1")
	})
	w.at(60, func() {
		w.updateNode("node-lifecycle-controller", "node-1", "UpdateNodeStatus", func(n *api.Node) {
			n.Conditions = api.SetCondition(n.Conditions, api.Condition{Type: api.NodeReady, Status: api.ConditionUnknown, LastTransitionTime: w.eng.Now()})
		})
		w.updatePod("node-lifecycle-controller", "a1", "MarkPodsNotReady", func(p *api.Pod) {
			p.Status.Conditions = api.SetCondition(p.Status.Conditions, api.Condition{Type: api.PodReady, Status: api.ConditionFalse})
		})
	})
	w.at(365, func() {
		w.must(w.st.Pods.Delete("taint-eviction-controller", "default", "a1", store.DeleteOptions{}, "TaintManagerEviction"))
	})
	w.at(366, func() { placed("a3", "node-2") })
	w.at(368, func() { w.setReady("a3", true) })
	w.must(w.rec.Start())
	w.eng.Run(sec(400))
	w.rec.Finish(sec(400))
	s := w.rec.Summary()
	if len(s.Failures) != 1 {
		t.Fatalf("failures %+v", s.Failures)
	}
	f := s.Failures[0]
	eq := func(name string, got *Fixed, want float64) {
		if got == nil || float64(*got) != want {
			t.Errorf("%s = %v, want %v", name, got, want)
		}
	}
	eq("time to detect", f.TimeToDetect, 50)
	eq("time to evict", f.TimeToEvict, 355)
	eq("time to heal", f.TimeToHeal, 358)
	if f.PodSecondsLost != 358 || f.Evictions != 1 || f.AffectedPods != 1 || f.Restarts != 0 ||
		len(f.AffectedWorkloads) != 1 || f.AffectedWorkloads[0] != "Deployment default/web" {
		t.Errorf("failure %+v", f)
	}
	var av *AvailabilitySummary
	for i := range s.Availability {
		if s.Availability[i].Name == "web" {
			av = &s.Availability[i]
		}
	}
	if av == nil || av.Seconds != 400 || av.FullFraction != 41.0/400 || av.ReadyReplicaSeconds != 440 ||
		av.DesiredReplicaSeconds != 800 || av.ReadyRatio != 0.55 {
		t.Errorf("availability %+v", av)
	}
}

// TestClock checks the narration's time format.
func TestClock(t *testing.T) {
	for _, c := range []struct {
		s    float64
		want string
	}{{0, "00:00:00"}, {650, "00:10:50"}, {955.01, "00:15:55.010"}, {3600 * 25.5, "25:30:00"}, {0.0004, "00:00:00"}} {
		if got := clock(sec(c.s)); got != c.want {
			t.Errorf("clock(%v) = %q, want %q", c.s, got, c.want)
		}
	}
	if got := namesList([]string{"a", "b", "c", "d", "e"}); got != "a, b, c, … 2 more" {
		t.Errorf("namesList = %q", got)
	}
}
