package job

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kubesim/kubesim/controllers/internal/script"

	"github.com/kubesim/kubesim/controllers/reconciler"
	"github.com/kubesim/kubesim/controllers/ttlafterfinished"
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

// harness is a cluster with the Job and TTL-after-finished controllers; the
// test plays scheduler and kubelet by writing pod state directly.
type harness struct {
	eng *sim.Engine
	st  *store.Store
	jc  *Controller
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
	h.jc = New(st, reconciler.Config{})
	ttlafterfinished.New(st, reconciler.Config{})
	return h
}

func describeWrite(w *store.Write) string {
	s := fmt.Sprintf("%s %s %s %s %s %s", script.Clock(w.Time), w.Component, w.Verb, w.Kind, w.Key, w.Reason)
	switch {
	case w.Verb == store.VerbEvent:
		s += ": " + w.Message
	case w.Kind == api.KindJob && w.New != nil && w.Verb == store.VerbUpdate:
		s += " " + describeStatus(w.New.(*api.Job).Status)
	}
	return s
}

func describeStatus(s api.JobStatus) string {
	t := func(p *sim.Time) string {
		if p == nil {
			return "-"
		}
		return script.Clock(*p)
	}
	var conds []string
	for _, c := range s.Conditions {
		x := c.Type
		if c.Status != api.ConditionTrue {
			x += "=" + string(c.Status)
		}
		if c.Reason != "" {
			x += "(" + c.Reason + ")"
		}
		conds = append(conds, x+"@"+script.Clock(c.LastTransitionTime))
	}
	out := fmt.Sprintf("active=%d ready=%d succeeded=%d failed=%d terminating=%d start=%s completion=%s",
		s.Active, s.Ready, s.Succeeded, s.Failed, s.Terminating, t(s.StartTime), t(s.CompletionTime))
	if s.CompletedIndexes != "" {
		out += " indexes=" + s.CompletedIndexes
	}
	if len(conds) > 0 {
		out += " conditions=" + strings.Join(conds, ",")
	}
	return out
}

func testSpec(policy api.RestartPolicy) *api.PodSpec {
	s := &api.PodSpec{RestartPolicy: policy, TerminationGracePeriodSeconds: 30,
		Containers: []api.Container{{Name: "work", Image: "busybox"}}}
	s.Compile()
	return s
}

func (h *harness) run(t *testing.T, line string) []string {
	t.Helper()
	c := script.Parse(t, line)
	f := c.Fields
	pos := c.Pos
	kv := c.KV
	fail := c.Fail
	arg := c.Arg
	num := c.Int
	h.log = nil
	now := h.eng.Now()
	switch f[0] {
	case "create-job":
		h.createJob(arg(0), kv, num, slices.Contains(pos, "indexed"), slices.Contains(pos, "suspend"))
	case "suspend", "resume":
		j := h.job(t, arg(0)).Clone()
		j.Suspend = f[0] == "suspend"
		j.Generation++
		script.Must(h.st.Jobs.Update("test", j, "test"))
	case "run":
		// Bind and start pods: Running and Ready.
		for _, p := range h.pods(t, arg(0), func(p *api.Pod) bool { return p.Status.Phase == api.PodPending && p.DeletionTimestamp == nil }) {
			h.updatePod(p, func(p *api.Pod) {
				p.NodeName = "n1"
				p.Status.Phase = api.PodRunning
				p.Status.StartTime = &now
				p.Status.Conditions = []api.Condition{{Type: api.PodReady, Status: api.ConditionTrue, LastTransitionTime: now}}
			})
		}
	case "succeed", "fail":
		phase := api.PodSucceeded
		if f[0] == "fail" {
			phase = api.PodFailed
		}
		for _, p := range h.pods(t, arg(0), func(p *api.Pod) bool { return !p.IsTerminal() }) {
			h.updatePod(p, func(p *api.Pod) {
				p.Status.Phase = phase
				p.Status.Conditions = []api.Condition{{Type: api.PodReady, Status: api.ConditionFalse, LastTransitionTime: now}}
			})
		}
	case "delete-pod":
		for _, p := range h.pods(t, arg(0), func(p *api.Pod) bool { return true }) {
			if err := h.st.Pods.Delete("test", p.Namespace, p.Name, store.DeleteOptions{}, "test"); err != nil {
				fail("%v", err)
			}
		}
	case "remove-pod":
		// The kubelet's final removal of a terminating pod.
		zero := int64(0)
		for _, p := range h.pods(t, arg(0), func(p *api.Pod) bool { return p.DeletionTimestamp != nil }) {
			script.Must(0, h.st.Pods.Delete("test", p.Namespace, p.Name, store.DeleteOptions{GracePeriodSeconds: &zero}, "test"))
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
		case "jobs":
			var out []string
			for _, j := range h.st.Jobs.List("", nil) {
				out = append(out, j.Name+" "+describeStatus(j.Status))
			}
			if len(out) == 0 {
				return []string{"no jobs"}
			}
			return out
		}
		fail("print what?")
	default:
		fail("unknown command")
	}
	return h.log
}

// createJob creates a Job selecting job-name=<name>. Options: completions=N
// (or "nil"), parallelism=N, backoff-limit=N, deadline=S, ttl=S,
// policy=Failed, restart=OnFailure; flags indexed and suspend.
func (h *harness) createJob(name string, kv map[string]string, num func(string) int, indexed, suspend bool) {
	labels := map[string]string{"batch.kubernetes.io/job-name": name}
	restart := api.RestartNever
	if kv["restart"] == "OnFailure" {
		restart = api.RestartOnFailure
	}
	j := &api.Job{ObjectMeta: api.ObjectMeta{Name: name, Namespace: "default"},
		Parallelism: 1, BackoffLimit: 6, CompletionMode: "NonIndexed", PodReplacementPolicy: "TerminatingOrFailed",
		Selector: api.SelectorFromMap(labels), Template: &api.PodTemplate{Labels: labels, Spec: testSpec(restart)},
		Suspend: suspend}
	one := int32(1)
	j.Completions = &one
	if v, ok := kv["completions"]; ok {
		if v == "nil" {
			j.Completions = nil
		} else {
			n := int32(num(v))
			j.Completions = &n
		}
	}
	if v, ok := kv["parallelism"]; ok {
		j.Parallelism = int32(num(v))
	}
	if v, ok := kv["backoff-limit"]; ok {
		j.BackoffLimit = int32(num(v))
	}
	if v, ok := kv["deadline"]; ok {
		d := int64(num(v))
		j.ActiveDeadlineSeconds = &d
	}
	if v, ok := kv["ttl"]; ok {
		d := int32(num(v))
		j.TTLSecondsAfterFinished = &d
	}
	if v, ok := kv["policy"]; ok {
		j.PodReplacementPolicy = v
	}
	if indexed {
		j.CompletionMode = CompletionModeIndexed
	}
	script.Must(h.st.Jobs.Create("test", j, "test"))
}

func (h *harness) job(t *testing.T, name string) *api.Job {
	j, ok := h.st.Jobs.Get("default", name)
	if !ok {
		t.Fatalf("no job %s", name)
	}
	return j
}

// pods returns the pod named sel; with sel "all" every pod passing keep, by
// name; with "first" the first of those not terminal, with "idx:N" the one
// not terminal with completion index N.
func (h *harness) pods(t *testing.T, sel string, keep func(*api.Pod) bool) []*api.Pod {
	if sel == "first" || strings.HasPrefix(sel, "idx:") {
		for _, p := range h.pods(t, "all", func(p *api.Pod) bool { return keep(p) && !p.IsTerminal() }) {
			if sel == "first" || p.Annotations[CompletionIndexKey] == strings.TrimPrefix(sel, "idx:") {
				return []*api.Pod{p}
			}
		}
		t.Fatalf("no pod %s", sel)
	}
	if sel != "all" {
		p, ok := h.st.Pods.Get("default", sel)
		if !ok {
			t.Fatalf("no pod %s", sel)
		}
		return []*api.Pod{p}
	}
	var out []*api.Pod
	for _, p := range h.st.Pods.List("default", nil) {
		if keep(p) {
			out = append(out, p)
		}
	}
	slices.SortFunc(out, func(a, b *api.Pod) int { return strings.Compare(a.Name, b.Name) })
	return out
}

func (h *harness) updatePod(p *api.Pod, f func(*api.Pod)) {
	c := p.Clone()
	f(c)
	script.Must(h.st.Pods.Update("test", c, "test"))
}

func (h *harness) printPods() []string {
	pods := h.st.Pods.List("", nil)
	slices.SortFunc(pods, func(a, b *api.Pod) int { return strings.Compare(a.Name, b.Name) })
	var out []string
	for _, p := range pods {
		s := fmt.Sprintf("%s phase=%s ready=%t created=%s", p.Name, p.Status.Phase, p.IsReady(), script.Clock(p.CreationTimestamp))
		if ix, ok := p.Annotations[CompletionIndexKey]; ok {
			s += fmt.Sprintf(" index=%s label=%s hostname=%s", ix, p.Labels[CompletionIndexKey], p.Hostname)
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
