package daemonset

import (
	"fmt"
	"hash/fnv"
	"slices"
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

// TestScripts runs every testdata/*.txt script: blocks of a command line,
// "----", and the expected output up to a blank line. Lines starting with "#"
// between blocks are comments. With -rewrite the outputs are regenerated.
func TestScripts(t *testing.T) {
	script.Run(t, func(t *testing.T) script.Runner {
		h := newHarness()
		return func(cmd string) []string { return h.run(t, cmd) }
	})
}

// harness is a cluster with only the DaemonSet controller; the test plays
// scheduler and kubelet by writing pod state directly.
type harness struct {
	eng *sim.Engine
	st  *store.Store
	dc  *Controller
	log []string
}

func newHarness() *harness {
	eng := sim.NewEngine(1, 0)
	st := store.New(eng, store.Options{})
	h := &harness{eng: eng, st: st}
	st.OnWrite(func(w *store.Write) {
		if w.Component == "test" {
			return
		}
		h.log = append(h.log, describeWrite(w))
	})
	h.dc = New(st, reconciler.Config{})
	return h
}

func describeWrite(w *store.Write) string {
	s := fmt.Sprintf("%s %s %s %s %s %s", script.Clock(w.Time), w.Component, w.Verb, w.Kind, w.Key, w.Reason)
	switch {
	case w.Verb == store.VerbEvent:
		s += ": " + w.Message
	case w.Kind == api.KindDaemonSet && w.New != nil && w.Verb == store.VerbUpdate:
		s += " " + describeStatus(w.New.(*api.DaemonSet).Status)
	case w.Kind == api.KindPod && w.Verb == store.VerbCreate:
		p := w.New.(*api.Pod)
		s += " for=" + TargetNode(p) + " hash=" + p.Labels[HashLabel]
	case w.Kind == api.KindControllerRevision && w.New != nil:
		s += fmt.Sprintf(" revision=%d", w.New.(*api.ControllerRevision).Revision)
	}
	return s
}

func describeStatus(s api.DaemonSetStatus) string {
	return fmt.Sprintf("desired=%d current=%d misscheduled=%d ready=%d available=%d updated=%d gen=%d",
		s.DesiredNumberScheduled, s.CurrentNumberScheduled, s.NumberMisscheduled, s.NumberReady,
		s.NumberAvailable, s.UpdatedNumberScheduled, s.ObservedGeneration)
}

// template returns a daemon template running image (its hash is the
// image's FNV-32a).
func template(image string, tolerations []api.Toleration, nodeSelector map[string]string) *api.PodTemplate {
	spec := &api.PodSpec{RestartPolicy: api.RestartAlways, TerminationGracePeriodSeconds: 30,
		Tolerations: tolerations, NodeSelector: nodeSelector, Containers: []api.Container{{Name: "agent", Image: image}}}
	spec.Compile()
	f := fnv.New32a()
	_, _ = f.Write([]byte(image))
	return &api.PodTemplate{Labels: map[string]string{"app": "agent"}, Spec: spec, Hash: f.Sum32()}
}

// parseTaint reads key[=value]:Effect.
func parseTaint(s string) api.Taint {
	kv, eff, _ := strings.Cut(s, ":")
	k, v, _ := strings.Cut(kv, "=")
	return api.Taint{Key: k, Value: v, Effect: api.TaintEffect(eff)}
}

func (h *harness) run(t *testing.T, line string) []string {
	t.Helper()
	c := script.ParseKeys(t, line, func(k string) bool { return !strings.Contains(k, ":") })
	f := c.Fields
	kv := c.KV
	fail := c.Fail
	arg := c.Arg
	h.log = nil
	now := h.eng.Now()
	switch f[0] {
	case "add-node":
		n := &api.Node{ObjectMeta: api.ObjectMeta{Name: arg(0), Labels: map[string]string{api.LabelHostname: arg(0)}}}
		for k, v := range kv {
			if k == "taint" {
				n.Taints = append(n.Taints, parseTaint(v))
			} else {
				n.Labels[k] = v
			}
		}
		script.Must(h.st.Nodes.Create("test", n, "test"))
	case "taint", "untaint":
		if len(f) != 3 {
			fail("want: %s NODE KEY[=VALUE]:EFFECT", f[0])
		}
		n, ok := h.st.Nodes.Get("", f[1])
		if !ok {
			fail("no node")
		}
		c := n.Clone()
		c.Taints = nil
		tt := parseTaint(f[2])
		for _, x := range n.Taints {
			if x.Key != tt.Key {
				c.Taints = append(c.Taints, x)
			}
		}
		if f[0] == "taint" {
			c.Taints = append(c.Taints, tt)
		}
		script.Must(h.st.Nodes.Update("test", c, "test"))
	case "delete-node":
		script.Must(0, h.st.Nodes.Delete("test", "", arg(0), store.DeleteOptions{}, "test"))
	case "create-ds":
		ds := &api.DaemonSet{ObjectMeta: api.ObjectMeta{Name: arg(0), Namespace: "default"},
			Selector: api.SelectorFromMap(map[string]string{"app": "agent"}), RevisionHistoryLimit: 10,
			UpdateStrategy: api.DaemonSetUpdateStrategy{Type: RollingUpdate, MaxUnavailable: api.IntOrPercent{Value: 1}}}
		var tol []api.Toleration
		if v, ok := kv["tolerate"]; ok {
			tol = []api.Toleration{{Key: v, Operator: api.TolerationOpExists}}
		}
		var sel map[string]string
		if v, ok := kv["node-selector"]; ok {
			k, val, _ := strings.Cut(v, ":")
			sel = map[string]string{k: val}
		}
		ds.Template = template("agent:v1", tol, sel)
		if v, ok := kv["strategy"]; ok {
			ds.UpdateStrategy = api.DaemonSetUpdateStrategy{Type: v}
		}
		if v, ok := kv["max-unavailable"]; ok {
			ds.UpdateStrategy.MaxUnavailable = intOrPercent(v)
		}
		if v, ok := kv["max-surge"]; ok {
			ds.UpdateStrategy.MaxSurge = intOrPercent(v)
		}
		if v, ok := kv["history"]; ok {
			n, _ := strconv.Atoi(v)
			ds.RevisionHistoryLimit = int32(n)
		}
		script.Must(h.st.DaemonSets.Create("test", ds, "test"))
	case "set-image":
		ds, _ := h.st.DaemonSets.Get("default", arg(0))
		c := ds.Clone()
		c.Template = template(arg(1), ds.Template.Spec.Tolerations, ds.Template.Spec.NodeSelector)
		c.Generation++
		script.Must(h.st.DaemonSets.Update("test", c, "test"))
	case "run":
		// Bind every pending pod to its node and make it Running and Ready.
		for _, p := range h.podList() {
			if p.NodeName != "" || p.DeletionTimestamp != nil {
				continue
			}
			h.updatePod(p, func(p *api.Pod) {
				p.NodeName = TargetNode(p)
				p.Status.Phase = api.PodRunning
				p.Status.Conditions = []api.Condition{{Type: api.PodReady, Status: api.ConditionTrue, LastTransitionTime: now}}
			})
		}
	case "fail":
		p := h.podOn(t, arg(0), arg(1))
		h.updatePod(p, func(p *api.Pod) { p.Status.Phase = api.PodFailed; p.Status.Conditions = nil })
	case "delete-pod":
		p := h.podOn(t, arg(0), arg(1))
		script.Must(0, h.st.Pods.Delete("test", p.Namespace, p.Name, store.DeleteOptions{}, "test"))
	case "remove-terminating":
		zero := int64(0)
		for _, p := range h.podList() {
			if p.DeletionTimestamp != nil {
				script.Must(0, h.st.Pods.Delete("test", p.Namespace, p.Name, store.DeleteOptions{GracePeriodSeconds: &zero}, "test"))
			}
		}
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
			var out []string
			for _, p := range h.podList() {
				s := fmt.Sprintf("%s for=%s node=%s phase=%s ready=%t hash=%s", p.Name, TargetNode(p), orDash(p.NodeName),
					p.Status.Phase, p.IsReady(), p.Labels[HashLabel])
				if p.DeletionTimestamp != nil {
					s += " deleting"
				}
				out = append(out, s)
			}
			if len(out) == 0 {
				return []string{"no pods"}
			}
			return out
		case "ds":
			var out []string
			for _, ds := range h.st.DaemonSets.List("", nil) {
				out = append(out, ds.Name+" "+describeStatus(ds.Status))
			}
			return out
		case "revisions":
			var out []string
			for _, r := range h.st.Revisions.List("", nil) {
				out = append(out, fmt.Sprintf("%s revision=%d hash=%s", r.Name, r.Revision, r.Labels[HashLabel]))
			}
			slices.Sort(out)
			return out
		}
		fail("print what?")
	default:
		fail("unknown command")
	}
	return h.log
}

func intOrPercent(v string) api.IntOrPercent {
	if p, ok := strings.CutSuffix(v, "%"); ok {
		n, _ := strconv.Atoi(p)
		return api.IntOrPercent{Value: int32(n), IsPercent: true}
	}
	n, _ := strconv.Atoi(v)
	return api.IntOrPercent{Value: int32(n)}
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// podList returns every pod by target node, then name.
func (h *harness) podList() []*api.Pod {
	pods := h.st.Pods.List("", nil)
	slices.SortFunc(pods, func(a, b *api.Pod) int {
		if c := strings.Compare(TargetNode(a), TargetNode(b)); c != 0 {
			return c
		}
		return strings.Compare(a.Name, b.Name)
	})
	return pods
}

// podOn returns the pod of DaemonSet ds (not being deleted) meant for node.
func (h *harness) podOn(t *testing.T, ds, node string) *api.Pod {
	for _, p := range h.podList() {
		if TargetNode(p) == node && p.DeletionTimestamp == nil && p.ControllerRef().Name == ds {
			return p
		}
	}
	t.Fatalf("no pod on %s", node)
	return nil
}

func (h *harness) updatePod(p *api.Pod, f func(*api.Pod)) {
	c := p.Clone()
	f(c)
	script.Must(h.st.Pods.Update("test", c, "test"))
}
