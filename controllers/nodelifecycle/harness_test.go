package nodelifecycle

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/kubesim/kubesim/controllers/internal/script"

	"github.com/kubesim/kubesim/sim"
	"github.com/kubesim/kubesim/sim/api"
	"github.com/kubesim/kubesim/sim/store"
)

// harness is a store with the node lifecycle controller alone; the test
// plays the kubelets by writing nodes, leases and pods as component "test".
type harness struct {
	eng    *sim.Engine
	st     *store.Store
	c      *Controller
	log    []string
	writes int // writes by the controller
}

func newHarness(cfg Config) *harness { return newHarnessAt(sim.NewEngine(1, 0), cfg) }

// newHarnessAt starts the controller on eng at its current time.
func newHarnessAt(eng *sim.Engine, cfg Config) *harness {
	st := store.New(eng, store.Options{})
	h := &harness{eng: eng, st: st}
	st.OnWrite(func(w *store.Write) {
		if w.Component == "test" {
			return
		}
		if w.Verb != store.VerbEvent {
			h.writes++
		}
		h.log = append(h.log, describeWrite(w))
	})
	h.c = New(st, cfg)
	return h
}

func at(s float64) sim.Time { return sim.Time(s * float64(time.Second)) }

// addNode creates a Ready node with a lease renewed every 10 s from now.
func (h *harness) addNode(name, zone string, lease bool) {
	labels := map[string]string{api.LabelHostname: name}
	if zone != "" {
		labels[api.LabelZone] = zone
	}
	now := h.eng.Now()
	script.Must(h.st.Nodes.Create("test", &api.Node{ObjectMeta: api.ObjectMeta{Name: name, Labels: labels},
		Conditions: []api.Condition{{Type: api.NodeReady, Status: api.ConditionTrue, Reason: "KubeletReady", LastTransitionTime: now}}}, "test"))
	if lease {
		script.Must(h.st.Leases.Create("test", &api.Lease{ObjectMeta: api.ObjectMeta{Namespace: api.NodeLeaseNamespace, Name: name},
			HolderIdentity: name, LeaseDurationSeconds: 40, AcquireTime: now, RenewTime: now, Renewing: true,
			RenewInterval: 10 * time.Second}, "test"))
	}
}

// crash stops the node's lease at its last renewal, as a crashed kubelet.
func (h *harness) crash(name string) {
	l, ok := h.st.Leases.Get(api.NodeLeaseNamespace, name)
	if !ok {
		panic("no lease " + name)
	}
	c := l.Clone()
	c.RenewTime = l.RenewTimeAt(h.eng.Now())
	c.Renewing = false
	script.Must(h.st.Leases.Update("test", c, "test"))
}

// recover restarts the lease and posts Ready=True, as a kubelet coming back.
func (h *harness) recover(name string) {
	now := h.eng.Now()
	l, _ := h.st.Leases.Get(api.NodeLeaseNamespace, name)
	c := l.Clone()
	c.RenewTime, c.Renewing = now, true
	script.Must(h.st.Leases.Update("test", c, "test"))
	h.setReady(name, api.ConditionTrue, "KubeletReady")
}

func (h *harness) setReady(name string, status api.ConditionStatus, reason string) {
	n, _ := h.st.Nodes.GetKey(name)
	c := n.Clone()
	c.Conditions = api.SetCondition(n.Conditions, api.Condition{Type: api.NodeReady, Status: status, Reason: reason, LastTransitionTime: h.eng.Now()})
	script.Must(h.st.Nodes.Update("test", c, "test"))
}

// addPod creates a Running, Ready pod bound to node.
func (h *harness) addPod(name, node string) {
	spec := &api.PodSpec{TerminationGracePeriodSeconds: 30, Containers: []api.Container{{Name: "app"}}}
	spec.Compile()
	p := &api.Pod{ObjectMeta: api.ObjectMeta{Namespace: "default", Name: name}, Spec: spec, NodeName: node,
		Status: api.PodStatus{Phase: api.PodRunning, Conditions: []api.Condition{{Type: api.PodReady, Status: api.ConditionTrue}}}}
	script.Must(h.st.Pods.Create("test", p, "test"))
}

func describeTaints(ts []api.Taint) string {
	var parts []string
	for _, t := range ts {
		s := t.Key + ":" + string(t.Effect)
		if t.TimeAdded != nil {
			s += "@" + script.Clock(*t.TimeAdded)
		}
		parts = append(parts, s)
	}
	return "[" + strings.Join(parts, " ") + "]"
}

func describeNode(n *api.Node) string {
	ready := "none"
	if c := api.FindCondition(n.Conditions, api.NodeReady); c != nil {
		ready = string(c.Status)
		if c.Reason != "" {
			ready += "(" + c.Reason + ")"
		}
	}
	return fmt.Sprintf("ready=%s taints=%s", ready, describeTaints(n.Taints))
}

func describeWrite(w *store.Write) string {
	s := fmt.Sprintf("%s %s %s %s %s %s", script.Clock(w.Time), w.Component, w.Verb, w.Kind, w.Key, w.Reason)
	switch {
	case w.Verb == store.VerbEvent:
		s += ": " + w.Message
	case w.Kind == api.KindNode && w.New != nil:
		s += " " + describeNode(w.New.(*api.Node))
	case w.Kind == api.KindPod && w.New != nil:
		s += fmt.Sprintf(" ready=%t", w.New.(*api.Pod).IsReady())
	}
	return s
}

func (h *harness) printNodes() []string {
	nodes := h.st.Nodes.List("", nil)
	slices.SortFunc(nodes, func(a, b *api.Node) int { return strings.Compare(a.Name, b.Name) })
	var out []string
	for _, n := range nodes {
		out = append(out, n.Name+" "+describeNode(n))
	}
	return out
}

func (h *harness) printZones() []string {
	var out []string
	for _, z := range h.c.ZoneStates() {
		out = append(out, fmt.Sprintf("zone %q %s rate=%g queued=%d", strings.ReplaceAll(z.Key, "\x00", ""), z.State, z.Rate, z.Queued))
	}
	return out
}

// noExecuteAt returns when the node got its NoExecute taint of key, if it
// has one.
func (h *harness) noExecuteAt(node, key string) (sim.Time, bool) {
	n, _ := h.st.Nodes.GetKey(node)
	for _, t := range n.Taints {
		if t.Key == key && t.Effect == api.TaintNoExecute && t.TimeAdded != nil {
			return *t.TimeAdded, true
		}
	}
	return 0, false
}
