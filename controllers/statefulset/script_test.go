package statefulset

import (
	"fmt"
	"hash/fnv"
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
		h := newHarness(reconciler.Config{})
		return func(cmd string) []string { return h.run(t, cmd) }
	})
}

// harness is a cluster with only the StatefulSet controller running; the
// test plays scheduler and kubelet by writing pod state directly.
type harness struct {
	eng *sim.Engine
	st  *store.Store
	c   *Controller
	log []string
	// templates by image, so that going back to an image is a rollback to an
	// equal template
	templates map[string]*api.PodTemplate
}

func newHarness(cfg reconciler.Config) *harness {
	eng := sim.NewEngine(1, 0)
	st := store.New(eng, store.Options{})
	h := &harness{eng: eng, st: st, templates: map[string]*api.PodTemplate{}}
	st.OnWrite(func(w *store.Write) {
		if w.Component == "test" {
			return
		}
		h.log = append(h.log, describeWrite(w))
	})
	h.c = New(st, cfg)
	return h
}

func describeWrite(w *store.Write) string {
	s := fmt.Sprintf("%s %s %s %s %s %s", script.Clock(w.Time), w.Component, w.Verb, w.Kind, w.Key, w.Reason)
	switch {
	case w.Verb == store.VerbEvent:
		s += ": " + w.Message
	case w.Kind == api.KindStatefulSet && w.New != nil:
		s += " " + describeStatus(w.New.(*api.StatefulSet).Status)
	case w.Kind == api.KindPod && w.Verb == store.VerbCreate:
		s += " rev=" + podRevision(w.New.(*api.Pod))
	case w.Kind == api.KindControllerRevision && w.New != nil:
		s += fmt.Sprintf(" revision=%d", w.New.(*api.ControllerRevision).Revision)
	}
	return s
}

func describeStatus(s api.StatefulSetStatus) string {
	return fmt.Sprintf("replicas=%d ready=%d available=%d current=%d updated=%d currentRev=%s updateRev=%s gen=%d",
		s.Replicas, s.ReadyReplicas, s.AvailableReplicas, s.CurrentReplicas, s.UpdatedReplicas, s.CurrentRevision, s.UpdateRevision, s.ObservedGeneration)
}

// template returns the pod template for an image (app=<set> labels).
func (h *harness) template(set, image string) *api.PodTemplate {
	key := set + "/" + image
	if t, ok := h.templates[key]; ok {
		return t
	}
	spec := &api.PodSpec{RestartPolicy: api.RestartAlways, TerminationGracePeriodSeconds: 30,
		Containers: []api.Container{{Name: "app", Image: image}}}
	spec.Compile()
	f := fnv.New32a()
	f.Write([]byte(key))
	t := &api.PodTemplate{Labels: map[string]string{"app": set}, Spec: spec, Hash: f.Sum32()}
	h.templates[key] = t
	return t
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
	case "create-sts":
		h.createSet(arg(0), kv, num)
	case "scale":
		if err := Scale(h.st, "test", "default", arg(0), int32(num(arg(1)))); err != nil {
			fail("%v", err)
		}
	case "set-image":
		s := h.set(t, arg(0)).Clone()
		s.Template = h.template(s.Name, arg(1))
		s.Generation++
		script.Must(h.st.StatefulSets.Update("test", s, "test"))
	case "set-partition":
		s := h.set(t, arg(0)).Clone()
		s.UpdateStrategy.Partition = int32(num(arg(1)))
		s.Generation++
		script.Must(h.st.StatefulSets.Update("test", s, "test"))
	case "bind":
		// bind POD NODE: scheduled and started (phase Running).
		h.updatePod(t, arg(0), func(p *api.Pod) {
			p.NodeName = arg(1)
			p.Status.Phase = api.PodRunning
			now := h.eng.Now()
			p.Status.StartTime = &now
		})
	case "ready", "unready":
		st := api.ConditionTrue
		if f[0] == "unready" {
			st = api.ConditionFalse
		}
		h.updatePod(t, arg(0), func(p *api.Pod) {
			p.Status.Conditions = api.SetCondition(p.Status.Conditions,
				api.Condition{Type: api.PodReady, Status: st, LastTransitionTime: h.eng.Now()})
		})
	case "up":
		// up POD NODE: bind and ready in one write.
		h.updatePod(t, arg(0), func(p *api.Pod) {
			p.NodeName = arg(1)
			p.Status.Phase = api.PodRunning
			now := h.eng.Now()
			p.Status.StartTime = &now
			p.Status.Conditions = api.SetCondition(p.Status.Conditions,
				api.Condition{Type: api.PodReady, Status: api.ConditionTrue, LastTransitionTime: now})
		})
	case "fail":
		h.updatePod(t, arg(0), func(p *api.Pod) {
			p.Status.Phase = api.PodFailed
			p.Status.Conditions = api.SetCondition(p.Status.Conditions,
				api.Condition{Type: api.PodReady, Status: api.ConditionFalse, LastTransitionTime: h.eng.Now()})
		})
	case "remove":
		// remove POD: the kubelet finishes a graceful deletion.
		zero := int64(0)
		if err := h.st.Pods.Delete("test", "default", arg(0), store.DeleteOptions{GracePeriodSeconds: &zero}, "test"); err != nil {
			fail("%v", err)
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
			return h.printPods()
		case "sts":
			var out []string
			for _, s := range h.st.StatefulSets.List("", nil) {
				out = append(out, fmt.Sprintf("%s spec=%d %s", s.Name, s.Replicas, describeStatus(s.Status)))
			}
			return out
		case "revisions":
			var out []string
			revs := h.st.Revisions.List("", nil)
			sortRevisions(revs)
			for _, r := range revs {
				out = append(out, fmt.Sprintf("%s revision=%d image=%s hash=%s", r.Name, r.Revision,
					r.Template.Spec.Containers[0].Image, r.Labels[LabelRevisionHash]))
			}
			if len(out) == 0 {
				return []string{"no revisions"}
			}
			return out
		}
		fail("print what?")
	default:
		fail("unknown command")
	}
	return h.log
}

// createSet creates a StatefulSet selecting app=<name>. Keys: replicas,
// policy (OrderedReady|Parallel), strategy (RollingUpdate|OnDelete),
// partition, max-unavailable (n or n%), min-ready, history, image, start.
func (h *harness) createSet(name string, kv map[string]string, num func(string) int) {
	s := &api.StatefulSet{ObjectMeta: api.ObjectMeta{Name: name, Namespace: "default"},
		Replicas: 1, Selector: api.SelectorFromMap(map[string]string{"app": name}), ServiceName: name,
		PodManagementPolicy: OrderedReady, UpdateStrategy: api.StatefulSetUpdateStrategy{Type: RollingUpdate},
		RevisionHistoryLimit: 10}
	image := "v1"
	for k, v := range kv {
		switch k {
		case "replicas":
			s.Replicas = int32(num(v))
		case "policy":
			s.PodManagementPolicy = v
		case "strategy":
			s.UpdateStrategy.Type = v
		case "partition":
			s.UpdateStrategy.Partition = int32(num(v))
		case "max-unavailable":
			mu := &api.IntOrPercent{}
			if p, ok := strings.CutSuffix(v, "%"); ok {
				mu.IsPercent, v = true, p
			}
			mu.Value = int32(num(v))
			s.UpdateStrategy.MaxUnavailable = mu
		case "min-ready":
			s.MinReadySeconds = int32(num(v))
		case "history":
			s.RevisionHistoryLimit = int32(num(v))
		case "image":
			image = v
		case "start":
			s.OrdinalsStart = int32(num(v))
		default:
			panic("create-sts: unknown key " + k)
		}
	}
	s.Template = h.template(name, image)
	script.Must(h.st.StatefulSets.Create("test", s, "test"))
}

func (h *harness) set(t *testing.T, name string) *api.StatefulSet {
	s, ok := h.st.StatefulSets.Get("default", name)
	if !ok {
		t.Fatalf("no statefulset %s", name)
	}
	return s
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

// printPods lists pods by name with their identity, revision and state.
func (h *harness) printPods() []string {
	pods := h.st.Pods.List("", nil)
	slices.SortFunc(pods, func(a, b *api.Pod) int { return strings.Compare(a.Name, b.Name) })
	var out []string
	for _, p := range pods {
		node := p.NodeName
		if node == "" {
			node = "-"
		}
		s := fmt.Sprintf("%s index=%s host=%s.%s rev=%s image=%s node=%s phase=%s ready=%t created=%s", p.Name,
			p.Labels[LabelPodIndex], p.Hostname, p.Subdomain, podRevision(p), p.Spec.Containers[0].Image, node,
			p.Status.Phase, p.IsReady(), script.Clock(p.CreationTimestamp))
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
