package disruption

import (
	"fmt"
	"maps"
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

// harness is a cluster with only the disruption controller running; the
// test plays the workload controllers, scheduler and kubelet by writing
// objects directly (component "test", not logged).
type harness struct {
	eng *sim.Engine
	st  *store.Store
	log []string
}

func newHarness() *harness {
	eng := sim.NewEngine(1, 0)
	st := store.New(eng, store.Options{})
	h := &harness{eng: eng, st: st}
	st.OnWrite(func(w *store.Write) {
		if w.Component != "test" {
			h.log = append(h.log, describeWrite(w))
		}
	})
	New(st, reconciler.Config{})
	return h
}

func describeWrite(w *store.Write) string {
	s := fmt.Sprintf("%s %s %s %s %s %s", script.Clock(w.Time), w.Component, w.Verb, w.Kind, w.Key, w.Reason)
	switch {
	case w.Verb == store.VerbEvent:
		s += ": " + w.Message
	case w.Kind == api.KindPodDisruptionBudget && w.New != nil:
		s += " " + describePDB(w.New.(*api.PodDisruptionBudget))
	}
	return s
}

// describePDB renders a budget's status with its disruptedPods by name.
func describePDB(p *api.PodDisruptionBudget) string {
	s := describe(p.Status)
	if len(p.Status.DisruptedPods) > 0 {
		var parts []string
		for _, k := range slices.Sorted(maps.Keys(p.Status.DisruptedPods)) {
			parts = append(parts, k+"@"+script.Clock(p.Status.DisruptedPods[k]))
		}
		s += " disrupted=" + strings.Join(parts, ",")
	}
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
	num := c.Int32
	h.log = nil
	switch f[0] {
	case "create-deploy":
		// create-deploy NAME replicas=N: an inert Deployment.
		script.Must(h.st.Deployments.Create("test", &api.Deployment{ObjectMeta: meta(arg(0)), Replicas: num(kv["replicas"])}, "test"))
	case "create-rs":
		// create-rs NAME replicas=N [owner=DEPLOY]: an inert ReplicaSet.
		rs := &api.ReplicaSet{ObjectMeta: meta(arg(0)), Replicas: num(kv["replicas"])}
		if o, ok := kv["owner"]; ok {
			d, found := h.st.Deployments.Get("default", o)
			if !found {
				fail("no deployment %s", o)
			}
			rs.OwnerReferences = []api.OwnerReference{ref(api.KindDeployment, d.Name, d.UID)}
		}
		script.Must(h.st.ReplicaSets.Create("test", rs, "test"))
	case "scale":
		// scale deploy|rs NAME N
		switch arg(0) {
		case "deploy":
			d, _ := h.st.Deployments.Get("default", arg(1))
			d = d.Clone()
			d.Replicas, d.Generation = num(arg(2)), d.Generation+1
			script.Must(h.st.Deployments.Update("test", d, "test"))
		case "rs":
			rs, _ := h.st.ReplicaSets.Get("default", arg(1))
			rs = rs.Clone()
			rs.Replicas, rs.Generation = num(arg(2)), rs.Generation+1
			script.Must(h.st.ReplicaSets.Update("test", rs, "test"))
		default:
			fail("scale what?")
		}
	case "create-pod":
		// create-pod NAME [owner=RS] [ready]: Running on n1, labels app=web.
		spec := &api.PodSpec{TerminationGracePeriodSeconds: 30, Containers: []api.Container{{Name: "app"}}}
		spec.Compile()
		p := &api.Pod{ObjectMeta: api.ObjectMeta{Name: arg(0), Namespace: "default", Labels: map[string]string{"app": "web"}},
			Spec: spec, NodeName: "n1"}
		p.Status.Phase = api.PodRunning
		if o, ok := kv["owner"]; ok {
			rs, found := h.st.ReplicaSets.Get("default", o)
			if !found {
				fail("no replicaset %s", o)
			}
			p.OwnerReferences = []api.OwnerReference{ref(api.KindReplicaSet, rs.Name, rs.UID)}
		}
		if slices.Contains(pos, "ready") {
			p.Status.Conditions = []api.Condition{{Type: api.PodReady, Status: api.ConditionTrue, LastTransitionTime: h.eng.Now()}}
		}
		script.Must(h.st.Pods.Create("test", p, "test"))
	case "ready", "unready":
		p, ok := h.st.Pods.Get("default", arg(0))
		if !ok {
			fail("no pod")
		}
		p = p.Clone()
		st := api.ConditionTrue
		if f[0] == "unready" {
			st = api.ConditionFalse
		}
		p.Status.Conditions = api.SetCondition(p.Status.Conditions, api.Condition{Type: api.PodReady, Status: st, LastTransitionTime: h.eng.Now()})
		script.Must(h.st.Pods.Update("test", p, "test"))
	case "remove-pod":
		// remove-pod NAME: the kubelet confirms the deletion (grace 0).
		zero := int64(0)
		if err := h.st.Pods.Delete("test", "default", arg(0), store.DeleteOptions{GracePeriodSeconds: &zero}, "test"); err != nil {
			fail("%v", err)
		}
	case "create-pdb":
		// create-pdb NAME min=X|max=X [policy=P]
		pdb := &api.PodDisruptionBudget{ObjectMeta: meta(arg(0)), Selector: api.SelectorFromMap(map[string]string{"app": "web"}),
			MinAvailable: intOrPercent(kv["min"]), MaxUnavailable: intOrPercent(kv["max"]), UnhealthyPodEvictionPolicy: store.IfHealthyBudget}
		if p, ok := kv["policy"]; ok {
			pdb.UnhealthyPodEvictionPolicy = p
		}
		script.Must(h.st.PDBs.Create("test", pdb, "test"))
	case "update-pdb":
		// update-pdb NAME min=X|max=X [policy=P]: a spec change (generation + 1).
		pdb, _ := h.st.PDBs.Get("default", arg(0))
		pdb = pdb.Clone()
		pdb.MinAvailable, pdb.MaxUnavailable = intOrPercent(kv["min"]), intOrPercent(kv["max"])
		if p, ok := kv["policy"]; ok {
			pdb.UnhealthyPodEvictionPolicy = p
		}
		pdb.Generation++
		script.Must(h.st.PDBs.Update("test", pdb, "test"))
	case "evict":
		// evict POD: the eviction subresource, as component "drain".
		if err := h.st.Evict("drain", "default", arg(0), nil, "Drain"); err != nil {
			return append(h.log, "error: "+err.Error())
		}
	case "lose-delete":
		// lose-delete POD: grant an eviction in the budget's status without
		// deleting the pod (a client that crashed between the two).
		pdb, _ := h.st.PDBs.Get("default", arg(0))
		pdb = pdb.Clone()
		dp := maps.Clone(pdb.Status.DisruptedPods)
		if dp == nil {
			dp = map[string]sim.Time{}
		}
		dp[arg(1)] = h.eng.Now()
		pdb.Status.DisruptedPods = dp
		pdb.Status.DisruptionsAllowed--
		script.Must(h.st.PDBs.Update("test", pdb, "test"))
	case "advance":
		d, err := time.ParseDuration(arg(0))
		if err != nil {
			fail("%v", err)
		}
		h.eng.Run(h.eng.Now().Add(d))
		return append(h.log, "now "+script.Clock(h.eng.Now()))
	case "print":
		var out []string
		for _, p := range h.st.PDBs.List("", nil) {
			out = append(out, p.Name+" "+describePDB(p))
		}
		pods := h.st.Pods.List("", nil)
		slices.SortFunc(pods, func(a, b *api.Pod) int { return strings.Compare(a.Name, b.Name) })
		for _, p := range pods {
			s := fmt.Sprintf("pod %s ready=%t", p.Name, p.IsReady())
			if p.DeletionTimestamp != nil {
				s += " deleting"
			}
			if c := api.FindCondition(p.Status.Conditions, api.PodDisruptionTarget); c != nil {
				s += " " + c.Type + "=" + string(c.Status) + "/" + c.Reason
			}
			out = append(out, s)
		}
		return out
	default:
		fail("unknown command")
	}
	return h.log
}
