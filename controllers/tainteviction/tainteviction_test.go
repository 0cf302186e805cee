package tainteviction

import (
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kubesim/kubesim/controllers/internal/script"

	"github.com/kubesim/kubesim/controllers/reconciler"
	"github.com/kubesim/kubesim/sim"
	"github.com/kubesim/kubesim/sim/api"
	"github.com/kubesim/kubesim/sim/store"
)

func secs(n int64) *int64 { return &n }

func TestTolerationTime(t *testing.T) {
	unreach := api.Taint{Key: api.TaintNodeUnreachable, Effect: api.TaintNoExecute}
	notReady := api.Taint{Key: api.TaintNodeNotReady, Effect: api.TaintNoExecute}
	custom := api.Taint{Key: "maintenance", Value: "x", Effect: api.TaintNoExecute}
	tolU := func(s *int64) api.Toleration {
		return api.Toleration{Key: api.TaintNodeUnreachable, Operator: api.TolerationOpExists, Effect: api.TaintNoExecute, TolerationSeconds: s}
	}
	tolN := func(s *int64) api.Toleration {
		return api.Toleration{Key: api.TaintNodeNotReady, Operator: api.TolerationOpExists, Effect: api.TaintNoExecute, TolerationSeconds: s}
	}
	for _, tc := range []struct {
		name   string
		tols   []api.Toleration
		taints []api.Taint
		wait   time.Duration
		ok     bool
	}{
		{"no taints", nil, nil, 0, true},
		{"not tolerated", nil, []api.Taint{unreach}, 0, false},
		{"default 300", []api.Toleration{tolN(secs(300)), tolU(secs(300))}, []api.Taint{unreach}, 300 * time.Second, true},
		{"forever", []api.Toleration{tolU(nil)}, []api.Taint{unreach}, -1, true},
		{"min over taints", []api.Toleration{tolN(secs(60)), tolU(secs(300))}, []api.Taint{unreach, notReady}, 60 * time.Second, true},
		{"one taint untolerated", []api.Toleration{tolU(secs(300))}, []api.Taint{unreach, custom}, 0, false},
		{"zero means now", []api.Toleration{tolU(secs(0))}, []api.Taint{unreach}, 0, true},
		{"negative means now", []api.Toleration{tolU(secs(-5))}, []api.Taint{unreach}, 0, true},
		// The first matching toleration is the one used, as upstream.
		{"first match: wildcard forever", []api.Toleration{{Operator: api.TolerationOpExists}, tolU(secs(300))}, []api.Taint{unreach}, -1, true},
		{"first match: 300 before forever", []api.Toleration{tolU(secs(300)), {Operator: api.TolerationOpExists}}, []api.Taint{unreach}, 300 * time.Second, true},
		{"forever and timed", []api.Toleration{tolU(nil), {Key: "maintenance", Operator: api.TolerationOpExists, TolerationSeconds: secs(30)}},
			[]api.Taint{unreach, custom}, 30 * time.Second, true},
	} {
		wait, ok := TolerationTime(tc.tols, tc.taints)
		if wait != tc.wait || ok != tc.ok {
			t.Errorf("%s: %v %v, want %v %v", tc.name, wait, ok, tc.wait, tc.ok)
		}
	}
}

// harness is a store with the taint eviction controller alone.
type harness struct {
	eng    *sim.Engine
	st     *store.Store
	c      *Controller
	log    []string
	writes int
}

func newHarness() *harness {
	eng := sim.NewEngine(1, 0)
	st := store.New(eng, store.Options{})
	h := &harness{eng: eng, st: st}
	st.OnWrite(func(w *store.Write) {
		if w.Component == "test" {
			return
		}
		if w.Verb != store.VerbEvent {
			h.writes++
		}
		s := fmt.Sprintf("%.3fs %s %s %s %s %s", w.Time.Seconds(), w.Component, w.Verb, w.Kind, w.Key, w.Reason)
		if w.Verb == store.VerbEvent {
			s += ": " + w.Message
		} else if p, ok := w.New.(*api.Pod); ok {
			if c := api.FindCondition(p.Status.Conditions, api.PodDisruptionTarget); c != nil {
				s += " DisruptionTarget=" + string(c.Status) + "(" + c.Reason + ")"
			}
			if p.DeletionTimestamp != nil {
				s += fmt.Sprintf(" deleting-by=%.3fs", p.DeletionTimestamp.Seconds())
			}
		}
		h.log = append(h.log, s)
	})
	h.c = New(st, reconciler.Config{})
	return h
}

func (h *harness) addPod(name, node string, tols []api.Toleration) {
	spec := &api.PodSpec{TerminationGracePeriodSeconds: 30, Tolerations: tols, Containers: []api.Container{{Name: "app"}}}
	spec.Compile()
	script.Must(h.st.Pods.Create("test", &api.Pod{ObjectMeta: api.ObjectMeta{Namespace: "default", Name: name}, Spec: spec, NodeName: node,
		Status: api.PodStatus{Phase: api.PodRunning}}, "test"))
}

func (h *harness) setTaints(node string, ts ...api.Taint) {
	n, _ := h.st.Nodes.GetKey(node)
	c := n.Clone()
	c.Taints = ts
	script.Must(h.st.Nodes.Update("test", c, "test"))
}

func (h *harness) taint(key string) api.Taint {
	now := h.eng.Now()
	return api.Taint{Key: key, Effect: api.TaintNoExecute, TimeAdded: &now}
}

// TestEvictionTimes: hand-computed deletion times for a taint added at
// 100 s; the controller sees it one sync (10 ms) later.
func TestEvictionTimes(t *testing.T) {
	h := newHarness()
	script.Must(h.st.Nodes.Create("test", &api.Node{ObjectMeta: api.ObjectMeta{Name: "n1"}}, "test"))
	h.addPod("default-300", "n1", nil) // admission adds not-ready and unreachable for 300 s
	// Tolerates not-ready (empty effect) but not unreachable: admission adds
	// unreachable for 300 s.
	h.addPod("admitted", "n1", []api.Toleration{{Key: "other", Operator: api.TolerationOpExists, Effect: api.TaintNoExecute}, {Key: api.TaintNodeNotReady, Operator: api.TolerationOpExists}})
	h.addPod("zero", "n1", []api.Toleration{{Key: api.TaintNodeUnreachable, Operator: api.TolerationOpExists, TolerationSeconds: secs(0)},
		{Key: api.TaintNodeNotReady, Operator: api.TolerationOpExists}})
	h.addPod("forever", "n1", []api.Toleration{{Key: api.TaintNodeUnreachable, Operator: api.TolerationOpExists, Effect: api.TaintNoExecute},
		{Key: api.TaintNodeNotReady, Operator: api.TolerationOpExists}})
	h.addPod("sixty", "n1", []api.Toleration{{Key: api.TaintNodeUnreachable, Operator: api.TolerationOpExists, TolerationSeconds: secs(60)},
		{Key: api.TaintNodeNotReady, Operator: api.TolerationOpExists}})
	h.eng.Run(sim.Time(100 * time.Second))
	h.setTaints("n1", h.taint(api.TaintNodeUnreachable))
	h.eng.Run(sim.Time(1000 * time.Second))
	want := map[string]float64{"default-300": 400.010, "admitted": 400.010, "zero": 100.010, "sixty": 160.010}
	for _, p := range h.st.Pods.List("", nil) {
		w, ok := want[p.Name]
		switch {
		case !ok && p.DeletionTimestamp != nil:
			t.Errorf("%s deleted", p.Name)
		case ok && (p.DeletionTimestamp == nil || *p.DeletionTimestamp != sim.Time(w*1e9)+sim.Time(30*time.Second)):
			t.Errorf("%s: deletion deadline %v, want deleted at %gs (+30s grace)", p.Name, p.DeletionTimestamp, w)
		case ok:
			if c := api.FindCondition(p.Status.Conditions, api.PodDisruptionTarget); c == nil || c.Reason != ReasonDeletionByTaintManager {
				t.Errorf("%s: DisruptionTarget %+v", p.Name, c)
			}
		}
	}
	// A second sync of everything writes nothing and schedules nothing.
	before := h.writes
	h.c.Reconcile(nodeKey("n1"))
	for _, p := range h.st.Pods.List("", nil) {
		h.c.Reconcile(podKey(p.Key()))
	}
	h.eng.Run(sim.Time(2000 * time.Second))
	if h.writes != before {
		t.Fatalf("%d writes on unchanged state", h.writes-before)
	}
}

// TestScripts runs testdata/*.txt: command, "----", expected output. Commands:
// add-node NAME; add-pod NAME NODE [forever] [seconds=N]; taint NODE KEY...;
// untaint NODE; delete-pod NAME; advance DURATION; print pods.
func TestScripts(t *testing.T) {
	script.Run(t, func(t *testing.T) script.Runner {
		h := newHarness()
		return func(cmd string) []string { return h.run(t, cmd) }
	})
}

func (h *harness) run(t *testing.T, line string) []string {
	f := strings.Fields(line)
	h.log = nil
	switch f[0] {
	case "add-node":
		script.Must(h.st.Nodes.Create("test", &api.Node{ObjectMeta: api.ObjectMeta{Name: f[1]}}, "test"))
	case "add-pod":
		var tols []api.Toleration
		for _, a := range f[3:] {
			switch {
			case a == "forever":
				tols = append(tols, api.Toleration{Key: api.TaintNodeUnreachable, Operator: api.TolerationOpExists, Effect: api.TaintNoExecute},
					api.Toleration{Key: api.TaintNodeNotReady, Operator: api.TolerationOpExists, Effect: api.TaintNoExecute})
			case strings.HasPrefix(a, "seconds="):
				n, _ := strconv.ParseInt(strings.TrimPrefix(a, "seconds="), 10, 64)
				tols = append(tols, api.Toleration{Key: api.TaintNodeUnreachable, Operator: api.TolerationOpExists, Effect: api.TaintNoExecute, TolerationSeconds: secs(n)})
			}
		}
		h.addPod(f[1], f[2], tols)
	case "taint":
		var ts []api.Taint
		for _, k := range f[2:] {
			ts = append(ts, h.taint(k))
		}
		h.setTaints(f[1], ts...)
	case "untaint":
		h.setTaints(f[1])
	case "delete-pod":
		zero := int64(0)
		if err := h.st.Pods.Delete("test", "default", f[1], store.DeleteOptions{GracePeriodSeconds: &zero}, "test"); err != nil {
			t.Fatal(err)
		}
	case "advance":
		d, err := time.ParseDuration(f[1])
		if err != nil {
			t.Fatal(err)
		}
		h.eng.Run(h.eng.Now().Add(d))
		return append(h.log, fmt.Sprintf("now %.3fs", h.eng.Now().Seconds()))
	case "print":
		var out []string
		for _, p := range h.st.Pods.List("", nil) {
			s := p.Name + " node=" + p.NodeName
			if at, ok := h.c.Scheduled(p.Key()); ok {
				s += fmt.Sprintf(" eviction-at=%.3fs", at.Seconds())
			}
			if p.DeletionTimestamp != nil {
				s += " terminating"
			}
			out = append(out, s)
		}
		return out
	default:
		t.Fatalf("unknown command %q", line)
	}
	return h.log
}
