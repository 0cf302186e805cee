package replicaset

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kubesim/kubesim/controllers/internal/script"

	"github.com/kubesim/kubesim/controllers/reconciler"
	"github.com/kubesim/kubesim/sim"
	"github.com/kubesim/kubesim/sim/api"
	"github.com/kubesim/kubesim/sim/store"
)

// TestScripts runs every testdata/*.txt script: blocks of a command line,
// "----", and the expected output up to a blank line. Lines starting with "#"
// between blocks are comments. With -rewrite the outputs are regenerated.
func TestScripts(t *testing.T) {
	script.Run(t, func(t *testing.T) script.Runner {
		h := newHarness()
		return func(cmd string) []string { return h.run(t, cmd) }
	})
}

// harness is a cluster with only the ReplicaSet controller running; the test
// plays scheduler and kubelet by writing pod state directly.
type harness struct {
	eng *sim.Engine
	st  *store.Store
	rsc *Controller
	log []string
}

func newHarness() *harness { return newHarnessWith(reconciler.Config{}) }

// newHarnessWith is newHarness with a controller configuration.
func newHarnessWith(cfg reconciler.Config) *harness {
	eng := sim.NewEngine(1, 0)
	st := store.New(eng, store.Options{})
	h := &harness{eng: eng, st: st}
	st.OnWrite(func(w *store.Write) {
		if w.Component == "test" {
			return
		}
		h.log = append(h.log, describeWrite(w))
	})
	h.rsc = New(st, cfg)
	return h
}

func describeWrite(w *store.Write) string {
	s := fmt.Sprintf("%s %s %s %s %s %s", script.Clock(w.Time), w.Component, w.Verb, w.Kind, w.Key, w.Reason)
	switch {
	case w.Verb == store.VerbEvent:
		s += ": " + w.Message
	case w.Kind == api.KindReplicaSet && w.New != nil:
		s += " " + describeStatus(w.New.(*api.ReplicaSet).Status)
	}
	return s
}

func describeStatus(s api.ReplicaSetStatus) string {
	return fmt.Sprintf("replicas=%d labeled=%d ready=%d available=%d terminating=%d gen=%d",
		s.Replicas, s.FullyLabeledReplicas, s.ReadyReplicas, s.AvailableReplicas, s.TerminatingReplicas, s.ObservedGeneration)
}

func (h *harness) run(t *testing.T, line string) []string {
	t.Helper()
	c := script.Parse(t, line)
	f := c.Fields
	kv := c.KV
	fail := c.Fail
	arg := c.Arg
	num := c.Int
	h.log = nil
	switch f[0] {
	case "add-nodes":
		for i := range num(arg(0)) {
			name := fmt.Sprintf("n%d", h.st.Nodes.Len()+1)
			_ = i
			script.Must(h.st.Nodes.Create("test", &api.Node{ObjectMeta: api.ObjectMeta{Name: name,
				Labels: map[string]string{api.LabelHostname: name}}}, "test"))
		}
	case "create-rs":
		h.createRS(t, arg(0), kv, num)
	case "scale":
		rs := h.rs(t, arg(0)).Clone()
		rs.Replicas = int32(num(arg(1)))
		rs.Generation++
		script.Must(h.st.ReplicaSets.Update("test", rs, "test"))
	case "delete-rs":
		if err := h.st.ReplicaSets.Delete("test", "default", arg(0), store.DeleteOptions{}, "test"); err != nil {
			fail("%v", err)
		}
	case "create-pod":
		labels := map[string]string{}
		if l, ok := kv["labels"]; ok {
			for _, p := range strings.Split(l, ",") {
				k, v, _ := strings.Cut(p, ":")
				labels[k] = v
			}
		}
		script.Must(h.st.Pods.Create("test", &api.Pod{ObjectMeta: api.ObjectMeta{Name: arg(0), Namespace: "default",
			Labels: labels}, Spec: testSpec()}, "test"))
	case "bind":
		h.updatePod(t, arg(0), func(p *api.Pod) {
			p.NodeName = arg(1)
			p.Status.Phase = api.PodRunning
			now := h.eng.Now()
			p.Status.StartTime = &now
		})
	case "mark-ready":
		h.updatePod(t, arg(0), func(p *api.Pod) {
			p.Status.Conditions = api.SetCondition(p.Status.Conditions,
				api.Condition{Type: api.PodReady, Status: api.ConditionTrue, LastTransitionTime: h.eng.Now()})
		})
	case "set-cost":
		h.updatePod(t, arg(0), func(p *api.Pod) {
			ann := map[string]string{}
			for k, v := range p.Annotations {
				ann[k] = v
			}
			ann[api.AnnotationPodDeletionCost] = arg(1)
			p.Annotations = ann
		})
	case "restarts":
		h.updatePod(t, arg(0), func(p *api.Pod) {
			p.Status.ContainerStatuses = []api.ContainerStatus{{Name: "app", State: api.ContainerRunning,
				RestartCount: int32(num(arg(1)))}}
		})
	case "relabel":
		h.updatePod(t, arg(0), func(p *api.Pod) {
			labels := map[string]string{}
			for k, v := range p.Labels {
				labels[k] = v
			}
			k, v, _ := strings.Cut(arg(1), ":")
			labels[k] = v
			p.Labels = labels
		})
	case "advance":
		d, err := time.ParseDuration(arg(0))
		if err != nil {
			fail("%v", err)
		}
		h.eng.Run(h.eng.Now().Add(d))
		return append(h.log, "now "+script.Clock(h.eng.Now()))
	case "print":
		switch arg(0) {
		case "pods":
			return h.printPods()
		case "rs":
			var out []string
			for _, rs := range h.st.ReplicaSets.List("", nil) {
				out = append(out, fmt.Sprintf("%s spec=%d %s", rs.Name, rs.Replicas, describeStatus(rs.Status)))
			}
			return out
		}
		fail("print what?")
	default:
		fail("unknown command")
	}
	return h.log
}

func testSpec() *api.PodSpec {
	s := &api.PodSpec{RestartPolicy: api.RestartAlways, TerminationGracePeriodSeconds: 30,
		Containers: []api.Container{{Name: "app", Image: "nginx"}}}
	s.Compile()
	return s
}

// createRS creates a ReplicaSet selecting app=<name> (or app=<owner> plus
// pod-template-hash=<name> when owned by a Deployment named owner, which is
// created inert if absent).
func (h *harness) createRS(t *testing.T, name string, kv map[string]string, num func(string) int) {
	labels := map[string]string{"app": name}
	rs := &api.ReplicaSet{ObjectMeta: api.ObjectMeta{Name: name, Namespace: "default"}}
	if owner, ok := kv["owner"]; ok {
		d, found := h.st.Deployments.Get("default", owner)
		if !found {
			d, _ = h.st.Deployments.Create("test", &api.Deployment{ObjectMeta: api.ObjectMeta{Name: owner, Namespace: "default"}}, "test")
		}
		labels = map[string]string{"app": owner, "pod-template-hash": name}
		rs.OwnerReferences = []api.OwnerReference{{Kind: api.KindDeployment, Name: owner, UID: d.UID, Controller: true, BlockOwnerDeletion: true}}
	}
	rs.Labels = labels
	rs.Selector = api.SelectorFromMap(labels)
	rs.Template = &api.PodTemplate{Labels: labels, Spec: testSpec()}
	if v, ok := kv["replicas"]; ok {
		rs.Replicas = int32(num(v))
	}
	if v, ok := kv["min-ready"]; ok {
		rs.MinReadySeconds = int32(num(v))
	}
	script.Must(h.st.ReplicaSets.Create("test", rs, "test"))
}

func (h *harness) rs(t *testing.T, name string) *api.ReplicaSet {
	rs, ok := h.st.ReplicaSets.Get("default", name)
	if !ok {
		t.Fatalf("no replicaset %s", name)
	}
	return rs
}

func (h *harness) updatePod(t *testing.T, name string, f func(*api.Pod)) {
	p, ok := h.st.Pods.Get("default", name)
	if !ok {
		t.Fatalf("no pod %s", name)
	}
	c := p.Clone()
	f(c)
	script.Must(h.st.Pods.Update("test", c, "test"))
}

// printPods lists pods by name (stable whatever the UIDs are).
func (h *harness) printPods() []string {
	pods := h.st.Pods.List("", nil)
	slices.SortFunc(pods, func(a, b *api.Pod) int { return strings.Compare(a.Name, b.Name) })
	var out []string
	for _, p := range pods {
		owner := "-"
		if ref := p.ControllerRef(); ref != nil {
			owner = ref.Name
		}
		node := p.NodeName
		if node == "" {
			node = "-"
		}
		s := fmt.Sprintf("%s owner=%s node=%s phase=%s ready=%t created=%s", p.Name, owner, node, p.Status.Phase, p.IsReady(), script.Clock(p.CreationTimestamp))
		if c, ok := p.Annotations[api.AnnotationPodDeletionCost]; ok {
			s += " cost=" + c
		}
		if r := p.MaxRestarts(); r > 0 {
			s += fmt.Sprintf(" restarts=%d", r)
		}
		if p.DeletionTimestamp != nil {
			s += " deleting-by=" + script.Clock(*p.DeletionTimestamp)
		}
		out = append(out, s)
	}
	if len(out) == 0 {
		return []string{"no pods"}
	}
	return out
}
