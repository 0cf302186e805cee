package drain

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kubesim/kubesim/sim"
	"github.com/kubesim/kubesim/sim/api"
	"github.com/kubesim/kubesim/sim/store"
)

const sec = sim.Time(time.Second)

// world is a store with nodes n1, n2 and a stand-in kubelet that removes a
// terminating pod at its deletion deadline.
type world struct {
	t      *testing.T
	eng    *sim.Engine
	st     *store.Store
	writes []string
}

func newWorld(t *testing.T) *world {
	eng := sim.NewEngine(1, 0)
	st := store.New(eng, store.Options{})
	w := &world{t: t, eng: eng, st: st}
	st.OnWrite(func(x *store.Write) {
		if x.Component == "ops" {
			w.writes = append(w.writes, fmt.Sprintf("%s %s %s %s %s", clock(x.Time), x.Verb, x.Kind, x.Key, x.Reason))
		}
	})
	for _, n := range []string{"n1", "n2"} {
		must(st.Nodes.Create("test", &api.Node{ObjectMeta: api.ObjectMeta{Name: n},
			Taints: []api.Taint{{Key: "dedicated", Value: "x", Effect: api.TaintPreferNoSchedule}}}, ""))
	}
	st.Pods.Watch(func(ev store.Event[*api.Pod]) {
		p := ev.New
		if ev.Type != store.Modified || p.DeletionTimestamp == nil || ev.Old.DeletionTimestamp != nil {
			return
		}
		key, uid := p.Key(), p.UID
		eng.AtFunc(*p.DeletionTimestamp, func(sim.Time) {
			if cur, ok := st.Pods.GetKey(key); ok && cur.UID == uid {
				zero := int64(0)
				_ = st.Pods.Delete("kubelet", cur.Namespace, cur.Name, store.DeleteOptions{GracePeriodSeconds: &zero}, "Killed")
			}
		})
	})
	return w
}

func clock(t sim.Time) string { return fmt.Sprintf("%gs", t.Seconds()) }

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// addPod creates a Running, Ready pod on node. owner is "rs", "ds", "ds-gone"
// or "" (none); mirror marks it a mirror pod; grace is its grace period.
func (w *world) addPod(name, node, owner string, grace int64, mirror bool) {
	spec := &api.PodSpec{TerminationGracePeriodSeconds: grace, Containers: []api.Container{{Name: "app"}}}
	spec.Compile()
	p := &api.Pod{ObjectMeta: api.ObjectMeta{Name: name, Namespace: "default", Labels: map[string]string{"app": "web"}},
		Spec: spec, NodeName: node}
	p.Status.Phase = api.PodRunning
	p.Status.Conditions = []api.Condition{{Type: api.PodReady, Status: api.ConditionTrue}}
	switch owner {
	case "rs":
		rs, ok := w.st.ReplicaSets.Get("default", "rs")
		if !ok {
			rs = must(w.st.ReplicaSets.Create("test", &api.ReplicaSet{ObjectMeta: api.ObjectMeta{Name: "rs", Namespace: "default"}, Replicas: 10}, ""))
		}
		p.OwnerReferences = []api.OwnerReference{{Kind: api.KindReplicaSet, Name: rs.Name, UID: rs.UID, Controller: true}}
	case "ds":
		ds, ok := w.st.DaemonSets.Get("default", "ds")
		if !ok {
			ds = must(w.st.DaemonSets.Create("test", &api.DaemonSet{ObjectMeta: api.ObjectMeta{Name: "ds", Namespace: "default"}}, ""))
		}
		p.OwnerReferences = []api.OwnerReference{{Kind: api.KindDaemonSet, Name: ds.Name, UID: ds.UID, Controller: true}}
	case "ds-gone":
		p.OwnerReferences = []api.OwnerReference{{Kind: api.KindDaemonSet, Name: "gone", UID: "gone-uid", Controller: true}}
	}
	if mirror {
		p.Annotations = map[string]string{AnnotationMirrorPod: "hash"}
	}
	must(w.st.Pods.Create("test", p, ""))
}

// addPDB adds a budget on app=web with the given status (observed).
func (w *world) addPDB(allowed int32) {
	must(w.st.PDBs.Create("test", &api.PodDisruptionBudget{ObjectMeta: api.ObjectMeta{Name: "b", Namespace: "default"},
		Selector: api.SelectorFromMap(map[string]string{"app": "web"}),
		Status:   api.PodDisruptionBudgetStatus{ObservedGeneration: 1, DisruptionsAllowed: allowed}}, ""))
}

// setAllowed plays the disruption controller: sets disruptionsAllowed.
func (w *world) setAllowed(allowed int32) {
	pdb, _ := w.st.PDBs.Get("default", "b")
	pdb = pdb.Clone()
	pdb.Status.DisruptionsAllowed = allowed
	must(w.st.PDBs.Update("test", pdb, ""))
}

func TestCordonUncordon(t *testing.T) {
	w := newWorld(t)
	if err := Cordon(w.st, "ops", "n1"); err != nil {
		t.Fatal(err)
	}
	n, _ := w.st.Nodes.Get("", "n1")
	if !n.Unschedulable || len(n.Taints) != 2 || n.Taints[0].Key != "dedicated" ||
		n.Taints[1].Key != api.TaintNodeUnschedulable || n.Taints[1].Effect != api.TaintNoSchedule || n.Taints[1].TimeAdded == nil {
		t.Fatalf("cordoned node: unschedulable=%t taints=%+v", n.Unschedulable, n.Taints)
	}
	if err := Cordon(w.st, "ops", "n1"); err != nil {
		t.Fatal(err)
	}
	if err := Uncordon(w.st, "ops", "n1"); err != nil {
		t.Fatal(err)
	}
	n, _ = w.st.Nodes.Get("", "n1")
	if n.Unschedulable || len(n.Taints) != 1 || n.Taints[0].Key != "dedicated" {
		t.Fatalf("uncordoned node: unschedulable=%t taints=%+v", n.Unschedulable, n.Taints)
	}
	if err := Uncordon(w.st, "ops", "n1"); err != nil {
		t.Fatal(err)
	}
	want := []string{"0s update Node n1 Cordon", "0s update Node n1 Uncordon"}
	if !slices.Equal(w.writes, want) {
		t.Fatalf("writes %v, want %v (a repeated cordon or uncordon writes nothing)", w.writes, want)
	}
	if err := Cordon(w.st, "ops", "n9"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("cordon of a missing node: %v", err)
	}
}

// TestDrainTiming: three pods on n1 with grace periods 30 s, 10 s, 0 s and a
// budget that allows one disruption at a time; a stand-in disruption
// controller raises it again when it sees a pod gone (through its watch,
// so after the drain's own step at that instant). Hand-derived timeline:
//
//	 0 s  cordon; evict a (granted, terminating until 30 s); b, c → 429
//	 5 … 25 s  b, c retried → 429 (12 refusals so far)
//	30 s  a removed; the drain's step sees it gone, retries b, c → 429 (14);
//	      then the budget is raised
//	35 s  b granted (terminating until 45 s); c → 429 (15)
//	40 s  c → 429 (16)
//	45 s  b removed; drain sees it gone, c → 429 (17); budget raised
//	50 s  c granted (grace 0: gone at once); the drain is done at 50 s.
func TestDrainTiming(t *testing.T) {
	w := newWorld(t)
	w.addPod("a", "n1", "rs", 30, false)
	w.addPod("b", "n1", "rs", 10, false)
	w.addPod("c", "n1", "rs", 0, false)
	w.addPod("other", "n2", "rs", 30, false)
	w.addPDB(1)
	w.st.Pods.Watch(func(ev store.Event[*api.Pod]) {
		if ev.Type == store.Deleted {
			w.setAllowed(1)
		}
	})
	var done []Result
	d := Start(w.st, "ops", "n1", Options{OnDone: func(r Result) { done = append(done, r) }})
	w.eng.Run(100 * sec)
	if len(done) != 1 || !d.Done() {
		t.Fatalf("OnDone called %d times, Done %t", len(done), d.Done())
	}
	r := done[0]
	if r.Err != nil || r.Finished != 50*sec || !slices.Equal(r.Evicted, []string{"default/a", "default/b", "default/c"}) {
		t.Fatalf("result %+v", r)
	}
	if r.Retries != 17 {
		t.Fatalf("retries = %d, want 17", r.Retries)
	}
	var evictions []string
	for _, x := range w.writes {
		if strings.Contains(x, "delete Pod") {
			evictions = append(evictions, x)
		}
	}
	want := []string{"0s delete Pod default/a EvictionByEvictionAPI", "35s delete Pod default/b EvictionByEvictionAPI",
		"50s delete Pod default/c EvictionByEvictionAPI"}
	if !slices.Equal(evictions, want) {
		t.Fatalf("evictions %v, want %v", evictions, want)
	}
	if _, ok := w.st.Pods.Get("default", "other"); !ok {
		t.Fatal("a pod on another node was evicted")
	}
}

// TestDrainFilters: mirror and DaemonSet pods stay; an unmanaged pod or a
// pod of a vanished DaemonSet fails the drain at once (the node stays
// cordoned) unless Force; terminal DaemonSet pods are evicted.
func TestDrainFilters(t *testing.T) {
	setup := func(t *testing.T) *world {
		w := newWorld(t)
		w.addPod("mirror", "n1", "", 30, true)
		w.addPod("agent", "n1", "ds", 30, false)
		w.addPod("web", "n1", "rs", 30, false)
		w.addPod("bare", "n1", "", 30, false)
		w.addPod("orphan-agent", "n1", "ds-gone", 30, false)
		w.addPod("done-agent", "n1", "ds", 30, false)
		p, _ := w.st.Pods.Get("default", "done-agent")
		p = p.Clone()
		p.Status.Phase = api.PodSucceeded
		must(w.st.Pods.Update("test", p, ""))
		return w
	}
	t.Run("without force", func(t *testing.T) {
		w := setup(t)
		d := Start(w.st, "ops", "n1", Options{})
		w.eng.Run(sec)
		r := d.Result()
		if !d.Done() || r.Err == nil || r.Finished != 0 || len(r.Evicted) != 0 {
			t.Fatalf("result %+v", r)
		}
		for _, s := range []string{"cannot delete Pods that declare no controller", "default/bare", `daemonsets.apps "gone" not found`} {
			if !strings.Contains(r.Err.Error(), s) {
				t.Fatalf("error %q does not mention %q", r.Err, s)
			}
		}
		if n, _ := w.st.Nodes.Get("", "n1"); !n.Unschedulable {
			t.Fatal("node not cordoned after a refused drain")
		}
		if w.st.Pods.Len() != 6 {
			t.Fatalf("%d pods left, want all 6", w.st.Pods.Len())
		}
	})
	t.Run("force", func(t *testing.T) {
		w := setup(t)
		d := Start(w.st, "ops", "n1", Options{Force: true})
		w.eng.Run(time100())
		r := d.Result()
		if r.Err != nil || r.Finished != 30*sec {
			t.Fatalf("result %+v", r)
		}
		// The terminal pod is removed at once; the others at 30 s, in key order.
		if want := []string{"default/done-agent", "default/bare", "default/orphan-agent", "default/web"}; !slices.Equal(r.Evicted, want) {
			t.Fatalf("evicted %v, want %v", r.Evicted, want)
		}
		if want := []string{"default/agent", "default/mirror"}; !slices.Equal(r.Skipped, want) {
			t.Fatalf("skipped %v, want %v", r.Skipped, want)
		}
	})
}

func time100() sim.Time { return 100 * sec }

// TestDrainTimeout: a budget that never allows anything keeps the pod; the
// drain gives up at its timeout, with the error, leaving the node cordoned.
func TestDrainTimeout(t *testing.T) {
	w := newWorld(t)
	w.addPod("a", "n1", "rs", 30, false)
	w.addPDB(0)
	var events []string
	w.st.OnWrite(func(x *store.Write) {
		if x.Verb == store.VerbEvent {
			events = append(events, x.Reason+" "+x.Key)
		}
	})
	d := Start(w.st, "ops", "n1", Options{Timeout: 12 * time.Second})
	w.eng.Run(time100())
	r := d.Result()
	if r.Err == nil || !strings.Contains(r.Err.Error(), "drain did not complete within 12s") || r.Finished != 12*sec || r.Retries != 3 {
		t.Fatalf("result %+v", r)
	}
	// One EvictionBlocked for the run of 429s, then DrainFailed.
	if want := []string{"EvictionBlocked default/a", "DrainFailed n1"}; !slices.Equal(events, want) {
		t.Fatalf("events %v, want %v", events, want)
	}
	if w.eng.Pending() != 0 {
		t.Fatalf("%d events left pending after the drain ended", w.eng.Pending())
	}
}

// TestMaintenance drains n1 then n2, each with a 60 s reboot, and
// uncordons each before moving on.
func TestMaintenance(t *testing.T) {
	w := newWorld(t)
	w.addPod("a", "n1", "rs", 30, false)
	w.addPod("b", "n2", "rs", 10, false)
	var nodeDone []string
	var res *MaintenanceResult
	m := StartMaintenance(w.st, "ops", PoolNodes(w.st, &api.Selector{}), MaintenanceOptions{RebootDelay: time.Minute,
		OnNodeDone: func(r Result) { nodeDone = append(nodeDone, fmt.Sprintf("%s@%s", r.Node, clock(r.Finished))) },
		OnDone:     func(r MaintenanceResult) { res = &r }})
	w.eng.Run(1000 * sec)
	if !m.Done() || res == nil || res.Err != nil || res.Finished != 160*sec || len(res.Nodes) != 2 {
		t.Fatalf("maintenance result %+v", res)
	}
	// n1: drained at 30 s, uncordoned at 90 s; n2: drained at 100 s,
	// uncordoned at 160 s.
	if want := []string{"n1@30s", "n2@100s"}; !slices.Equal(nodeDone, want) {
		t.Fatalf("node drains %v, want %v", nodeDone, want)
	}
	var nodeWrites []string
	for _, x := range w.writes {
		if strings.Contains(x, "update Node") {
			nodeWrites = append(nodeWrites, x)
		}
	}
	want := []string{"0s update Node n1 Cordon", "90s update Node n1 Uncordon", "90s update Node n2 Cordon", "160s update Node n2 Uncordon"}
	if !slices.Equal(nodeWrites, want) {
		t.Fatalf("node writes %v, want %v", nodeWrites, want)
	}
	if got := PoolNodes(w.st, nil); got != nil {
		t.Fatalf("PoolNodes(nil) = %v", got)
	}
}

// TestMaintenanceStopsOnFailure: a failed drain ends the maintenance; later
// nodes are not touched.
func TestMaintenanceStopsOnFailure(t *testing.T) {
	w := newWorld(t)
	w.addPod("bare", "n1", "", 30, false)
	m := StartMaintenance(w.st, "ops", []string{"n1", "n2"}, MaintenanceOptions{})
	w.eng.Run(100 * sec)
	r := m.Result()
	if !m.Done() || r.Err == nil || !strings.Contains(r.Err.Error(), "maintenance stopped at node n1") || len(r.Nodes) != 1 {
		t.Fatalf("result %+v", r)
	}
	if n, _ := w.st.Nodes.Get("", "n2"); n.Unschedulable {
		t.Fatal("n2 was cordoned after n1 failed")
	}
}
