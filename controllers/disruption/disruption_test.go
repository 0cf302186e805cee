package disruption

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/kubesim/kubesim/controllers/internal/script"

	"github.com/kubesim/kubesim/controllers/reconciler"
	"github.com/kubesim/kubesim/sim"
	"github.com/kubesim/kubesim/sim/api"
	"github.com/kubesim/kubesim/sim/store"
)

const sec = sim.Time(time.Second)

// fixture is a store with workload controllers to own pods, and a
// disruption controller whose Reconcile the tests call directly (the engine
// is only run to move the clock).
type fixture struct {
	t      *testing.T
	eng    *sim.Engine
	st     *store.Store
	c      *Controller
	owners map[string]api.OwnerReference
	writes []string
	events []string
}

func newFixture(t *testing.T) *fixture {
	eng := sim.NewEngine(1, 0)
	st := store.New(eng, store.Options{})
	f := &fixture{t: t, eng: eng, st: st, owners: map[string]api.OwnerReference{}}
	st.OnWrite(func(w *store.Write) {
		switch {
		case w.Component != Component:
		case w.Verb == store.VerbEvent:
			f.events = append(f.events, w.Reason+" "+w.Key)
		default:
			f.writes = append(f.writes, fmt.Sprintf("%s %s %s", w.Verb, w.Kind, w.Key))
		}
	})
	// Deployment web (6) with ReplicaSets web-a (4) and web-b (2); a lone
	// ReplicaSet solo (3); a ReplicaSet orphan-rs (5) whose Deployment gone
	// no longer exists; StatefulSet db (3); DaemonSet agent; Job batch.
	d := script.Must(st.Deployments.Create("test", &api.Deployment{ObjectMeta: meta("web"), Replicas: 6}, ""))
	f.owners["deploy"] = ref(api.KindDeployment, d.Name, d.UID)
	for _, rs := range []struct {
		name     string
		replicas int32
		owner    *api.OwnerReference
	}{{"web-a", 4, ptr(f.owners["deploy"])}, {"web-b", 2, ptr(f.owners["deploy"])}, {"solo", 3, nil},
		{"orphan-rs", 5, &api.OwnerReference{Kind: api.KindDeployment, Name: "gone", UID: "no-such-uid", Controller: true}}} {
		o := &api.ReplicaSet{ObjectMeta: meta(rs.name), Replicas: rs.replicas}
		if rs.owner != nil {
			o.OwnerReferences = []api.OwnerReference{*rs.owner}
		}
		o = script.Must(st.ReplicaSets.Create("test", o, ""))
		f.owners[rs.name] = ref(api.KindReplicaSet, o.Name, o.UID)
	}
	ss := script.Must(st.StatefulSets.Create("test", &api.StatefulSet{ObjectMeta: meta("db"), Replicas: 3}, ""))
	f.owners["db"] = ref(api.KindStatefulSet, ss.Name, ss.UID)
	ds := script.Must(st.DaemonSets.Create("test", &api.DaemonSet{ObjectMeta: meta("agent")}, ""))
	f.owners["agent"] = ref(api.KindDaemonSet, ds.Name, ds.UID)
	j := script.Must(st.Jobs.Create("test", &api.Job{ObjectMeta: meta("batch")}, ""))
	f.owners["batch"] = ref(api.KindJob, j.Name, j.UID)
	f.owners["missing-rs"] = ref(api.KindReplicaSet, "missing", "no-such-uid")
	f.c = New(st, reconciler.Config{})
	return f
}

func meta(name string) api.ObjectMeta { return api.ObjectMeta{Name: name, Namespace: "default"} }

func ref(kind api.Kind, name string, uid api.UID) api.OwnerReference {
	return api.OwnerReference{Kind: kind, Name: name, UID: uid, Controller: true}
}

func ptr[T any](v T) *T { return &v }

// podSpec describes a test pod: "owner" (a key of fixture.owners or "-" for
// none), then any of "ready", "deleting", "succeeded".
func (f *fixture) addPod(name, desc string) *api.Pod {
	fields := strings.Fields(desc)
	spec := &api.PodSpec{TerminationGracePeriodSeconds: 30, Containers: []api.Container{{Name: "app"}}}
	spec.Compile()
	p := &api.Pod{ObjectMeta: api.ObjectMeta{Name: name, Namespace: "default", Labels: map[string]string{"app": "web"}},
		Spec: spec, NodeName: "n1"}
	p.Status.Phase = api.PodRunning
	if o := fields[0]; o != "-" {
		r, ok := f.owners[o]
		if !ok {
			f.t.Fatalf("no owner %q", o)
		}
		p.OwnerReferences = []api.OwnerReference{r}
	}
	deleting := false
	for _, w := range fields[1:] {
		switch w {
		case "ready":
			p.Status.Conditions = []api.Condition{{Type: api.PodReady, Status: api.ConditionTrue}}
		case "deleting":
			deleting = true
		case "succeeded":
			p.Status.Phase = api.PodSucceeded
		default:
			f.t.Fatalf("bad pod description %q", desc)
		}
	}
	p = script.Must(f.st.Pods.Create("test", p, ""))
	if deleting {
		if err := f.st.Pods.Delete("test", "default", name, store.DeleteOptions{}, ""); err != nil {
			f.t.Fatal(err)
		}
		p, _ = f.st.Pods.Get("default", name)
	}
	return p
}

func (f *fixture) addPDB(minAvailable, maxUnavailable string) *api.PodDisruptionBudget {
	pdb := &api.PodDisruptionBudget{ObjectMeta: meta("budget"), Selector: api.SelectorFromMap(map[string]string{"app": "web"}),
		UnhealthyPodEvictionPolicy: store.IfHealthyBudget}
	pdb.MinAvailable = intOrPercent(minAvailable)
	pdb.MaxUnavailable = intOrPercent(maxUnavailable)
	return script.Must(f.st.PDBs.Create("test", pdb, ""))
}

func intOrPercent(s string) *api.IntOrPercent {
	if s == "" {
		return nil
	}
	v := api.IntOrPercent{}
	if n, ok := strings.CutSuffix(s, "%"); ok {
		v.IsPercent = true
		s = n
	}
	if _, err := fmt.Sscan(s, &v.Value); err != nil {
		panic(err)
	}
	return &v
}

func (f *fixture) reconcile() reconciler.Result {
	f.t.Helper()
	res, err := f.c.Reconcile("default/budget")
	if err != nil {
		f.t.Fatalf("Reconcile: %v", err)
	}
	return res
}

func (f *fixture) pdb() *api.PodDisruptionBudget {
	p, _ := f.st.PDBs.Get("default", "budget")
	return p
}

func describe(s api.PodDisruptionBudgetStatus) string {
	out := fmt.Sprintf("expected=%d desired=%d healthy=%d allowed=%d gen=%d", s.ExpectedPods, s.DesiredHealthy,
		s.CurrentHealthy, s.DisruptionsAllowed, s.ObservedGeneration)
	if c := api.FindCondition(s.Conditions, store.PDBDisruptionAllowed); c != nil {
		out += fmt.Sprintf(" %s/%s", c.Status, c.Reason)
		if c.Message != "" {
			out += ": " + c.Message
		}
	}
	return out
}

// TestStatusMath checks expectedPods, desiredHealthy, currentHealthy and
// disruptionsAllowed against values computed by hand from SEMANTICS 6.6.
func TestStatusMath(t *testing.T) {
	web5 := []string{"web-a ready", "web-a ready", "web-a ready", "web-b ready", "web-b ready"}
	tests := []struct {
		name         string
		min, max     string
		pods         []string
		want         string
		wantEvents   []string
		wantRequeue  bool
		wantNoChange bool
	}{{
		// Deployment web has 6 replicas, counted once for both ReplicaSets.
		name: "maxUnavailable 1 over a Deployment's two ReplicaSets", max: "1", pods: web5,
		want: "expected=6 desired=5 healthy=5 allowed=0 gen=1 False/InsufficientPods",
	}, {
		// 25% of 6 = 1.5, rounded up to 2: desired 4, healthy 5 → 1.
		name: "maxUnavailable 25% rounds the unavailable count up", max: "25%", pods: web5,
		want: "expected=6 desired=4 healthy=5 allowed=1 gen=1 True/SufficientPods",
	}, {
		name: "maxUnavailable larger than expected: desired 0", max: "10", pods: web5,
		want: "expected=6 desired=0 healthy=5 allowed=5 gen=1 True/SufficientPods",
	}, {
		name: "maxUnavailable 100%", max: "100%", pods: web5,
		want: "expected=6 desired=0 healthy=5 allowed=5 gen=1 True/SufficientPods",
	}, {
		// Integer minAvailable: expected is the number of pods (the
		// terminating and succeeded ones too), whatever controls them.
		name: "minAvailable integer counts matching pods, not controllers", min: "2",
		pods: []string{"- ready", "- ready", "- ready", "solo deleting", "solo succeeded"},
		want: "expected=5 desired=2 healthy=3 allowed=1 gen=1 True/SufficientPods",
	}, {
		name: "minAvailable integer above healthy", min: "5", pods: []string{"solo ready", "solo ready", "solo"},
		want: "expected=3 desired=5 healthy=2 allowed=0 gen=1 False/InsufficientPods",
	}, {
		// 50% of solo's 3 replicas = 1.5 → 2.
		name: "minAvailable 50% rounds up", min: "50%", pods: []string{"solo ready", "solo ready", "solo ready"},
		want: "expected=3 desired=2 healthy=3 allowed=1 gen=1 True/SufficientPods",
	}, {
		// 33% of 6 = 1.98 → 2; 34% of 6 = 2.04 → 3.
		name: "minAvailable 33% of 6", min: "33%", pods: web5,
		want: "expected=6 desired=2 healthy=5 allowed=3 gen=1 True/SufficientPods",
	}, {
		name: "minAvailable 34% of 6", min: "34%", pods: web5,
		want: "expected=6 desired=3 healthy=5 allowed=2 gen=1 True/SufficientPods",
	}, {
		// Unmanaged pods are skipped in the scale sum (and still count as
		// healthy): expected = db's 3.
		name: "percentage with unmanaged pods", min: "100%", pods: []string{"db ready", "db ready", "db ready", "- ready"},
		want:       "expected=3 desired=3 healthy=4 allowed=1 gen=1 True/SufficientPods",
		wantEvents: []string{"UnmanagedPods default/budget"},
	}, {
		name: "ReplicaSet whose Deployment is gone counts its own scale", max: "1", pods: []string{"orphan-rs ready"},
		want: "expected=5 desired=4 healthy=1 allowed=0 gen=1 False/InsufficientPods",
	}, {
		name: "terminating and unready pods are not healthy", max: "2",
		pods: []string{"web-a ready", "web-a ready deleting", "web-a", "web-b ready", "web-b ready"},
		want: "expected=6 desired=4 healthy=3 allowed=0 gen=1 False/InsufficientPods",
	}, {
		name: "no pods: expected 0 allows nothing", min: "0",
		want:       "expected=0 desired=0 healthy=0 allowed=0 gen=1 False/InsufficientPods",
		wantEvents: []string{"NoPods default/budget"},
	}, {
		name: "neither minAvailable nor maxUnavailable", pods: []string{"- ready"},
		want: "expected=0 desired=0 healthy=1 allowed=0 gen=1 False/InsufficientPods",
	}, {
		name: "DaemonSet pods have no scale: fail-safe", max: "1", pods: []string{"agent ready", "agent ready"},
		want:       "expected=0 desired=0 healthy=0 allowed=0 gen=0 False/SyncFailed: daemonsets.apps does not implement the scale subresource",
		wantEvents: []string{"CalculateExpectedPodCountFailed default/budget"},
	}, {
		name: "Job pods have no scale: fail-safe", min: "50%", pods: []string{"batch ready"},
		want:       "expected=0 desired=0 healthy=0 allowed=0 gen=0 False/SyncFailed: jobs.batch does not implement the scale subresource",
		wantEvents: []string{"CalculateExpectedPodCountFailed default/budget"},
	}, {
		name: "missing controller: fail-safe", max: "1", pods: []string{"missing-rs ready"},
		want:       `expected=0 desired=0 healthy=0 allowed=0 gen=0 False/SyncFailed: found no controllers for pod "p0"`,
		wantEvents: []string{"CalculateExpectedPodCountFailed default/budget"},
	}}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t)
			for i, d := range tc.pods {
				f.addPod(fmt.Sprint("p", i), d)
			}
			f.addPDB(tc.min, tc.max)
			f.eng.Run(10 * sec)
			f.writes, f.events = nil, nil
			f.reconcile()
			if got := describe(f.pdb().Status); got != tc.want {
				t.Fatalf("status:\n got  %s\n want %s", got, tc.want)
			}
			if strings.Join(f.events, ";") != strings.Join(tc.wantEvents, ";") {
				t.Fatalf("events %v, want %v", f.events, tc.wantEvents)
			}
			// The second reconcile of unchanged state writes nothing.
			f.writes = nil
			f.reconcile()
			if len(f.writes) != 0 {
				t.Fatalf("second reconcile wrote %v", f.writes)
			}
		})
	}
}

func TestScaledValue(t *testing.T) {
	for _, tc := range []struct {
		v     api.IntOrPercent
		total int32
		want  int32
	}{
		{api.IntOrPercent{Value: 3}, 10, 3},
		{api.IntOrPercent{Value: 50, IsPercent: true}, 5, 3},
		{api.IntOrPercent{Value: 50, IsPercent: true}, 4, 2},
		{api.IntOrPercent{Value: 1, IsPercent: true}, 1, 1},
		{api.IntOrPercent{Value: 0, IsPercent: true}, 100, 0},
		{api.IntOrPercent{Value: 100, IsPercent: true}, 7, 7},
		{api.IntOrPercent{Value: 10, IsPercent: true}, 0, 0},
	} {
		if got := ScaledValue(tc.v, tc.total); got != tc.want {
			t.Errorf("ScaledValue(%+v, %d) = %d, want %d", tc.v, tc.total, got, tc.want)
		}
	}
}

// TestDisruptedPodsTimeout: an eviction at 10 s takes the one allowed
// disruption; the pod stays out of currentHealthy while its entry is in
// disruptedPods; if it is never deleted, the entry expires after 2 min, the
// controller records NotDeleted and the pod counts again.
func TestDisruptedPodsTimeout(t *testing.T) {
	f := newFixture(t)
	for i := range 3 {
		f.addPod(fmt.Sprint("p", i), "solo ready")
	}
	f.addPDB("2", "")
	f.eng.Run(10 * sec)
	f.reconcile()
	if got := describe(f.pdb().Status); got != "expected=3 desired=2 healthy=3 allowed=1 gen=1 True/SufficientPods" {
		t.Fatalf("before: %s", got)
	}
	// Grant the eviction by hand (as store.Evict does) without deleting p0.
	upd := f.pdb().Clone()
	upd.Status.DisruptionsAllowed = 0
	upd.Status.DisruptedPods = map[string]sim.Time{"p0": 10 * sec, "gone-pod": 10 * sec}
	script.Must(f.st.PDBs.Update("test", upd, ""))

	f.eng.Run(20 * sec)
	res := f.reconcile()
	st := f.pdb().Status
	if got := describe(st); got != "expected=3 desired=2 healthy=2 allowed=0 gen=1 False/InsufficientPods" {
		t.Fatalf("while disrupted: %s", got)
	}
	// The entry of a pod that no longer exists is dropped; p0's stays.
	if len(st.DisruptedPods) != 1 || st.DisruptedPods["p0"] != 10*sec {
		t.Fatalf("disruptedPods = %v", st.DisruptedPods)
	}
	// Requeue just after 10 s + 2 min.
	if want := 110*time.Second + 1; res.RequeueAfter != want {
		t.Fatalf("RequeueAfter = %v, want %v", res.RequeueAfter, want)
	}
	// Just before 130 s the entry still holds.
	f.eng.Run(130*sec - 1)
	f.writes = nil
	f.reconcile()
	if len(f.writes) != 0 {
		t.Fatalf("before the expiry: wrote %v", f.writes)
	}
	f.eng.Run(130*sec + 1)
	f.events = nil
	if res := f.reconcile(); res.RequeueAfter != 0 {
		t.Fatalf("RequeueAfter = %v after expiry", res.RequeueAfter)
	}
	st = f.pdb().Status
	if got := describe(st); got != "expected=3 desired=2 healthy=3 allowed=1 gen=1 True/SufficientPods" || st.DisruptedPods != nil {
		t.Fatalf("after expiry: %s, disrupted %v", got, st.DisruptedPods)
	}
	if strings.Join(f.events, ";") != "NotDeleted default/p0" {
		t.Fatalf("events %v", f.events)
	}
}

// TestDisruptedPodDeletedLeavesMap: once the evicted pod is terminating its
// entry goes, and it is not healthy either.
func TestDisruptedPodDeletedLeavesMap(t *testing.T) {
	f := newFixture(t)
	for i := range 3 {
		f.addPod(fmt.Sprint("p", i), "solo ready")
	}
	f.addPDB("2", "")
	f.eng.Run(10 * sec)
	f.reconcile()
	if err := f.st.Evict("test", "default", "p0", nil, ""); err != nil {
		t.Fatal(err)
	}
	f.reconcile()
	st := f.pdb().Status
	if got := describe(st); got != "expected=3 desired=2 healthy=2 allowed=0 gen=1 False/InsufficientPods" || st.DisruptedPods != nil {
		t.Fatalf("after eviction: %s, disrupted %v", got, st.DisruptedPods)
	}
}

// TestGenerationObserved: a spec change (generation 2) is observed by the
// next sync; until then evictions get 429.
func TestGenerationObserved(t *testing.T) {
	f := newFixture(t)
	for i := range 3 {
		f.addPod(fmt.Sprint("p", i), "solo ready")
	}
	f.addPDB("2", "")
	f.reconcile()
	upd := f.pdb().Clone()
	upd.MinAvailable = intOrPercent("1")
	upd.Generation++
	script.Must(f.st.PDBs.Update("test", upd, ""))
	if err := f.st.Evict("test", "default", "p0", nil, ""); !strings.Contains(fmt.Sprint(err), "still being processed") {
		t.Fatalf("evict before the sync: %v", err)
	}
	f.reconcile()
	if got := describe(f.pdb().Status); got != "expected=3 desired=1 healthy=3 allowed=2 gen=2 True/SufficientPods" {
		t.Fatalf("after: %s", got)
	}
}

// TestWatchesQueueBudgets runs the controller on the engine: creating the
// budget and changing a pod's readiness each lead to a sync 10 ms later.
func TestWatchesQueueBudgets(t *testing.T) {
	f := newFixture(t)
	for i := range 2 {
		f.addPod(fmt.Sprint("p", i), "solo ready")
	}
	f.addPDB("1", "")
	f.eng.Run(sec)
	if got := describe(f.pdb().Status); got != "expected=2 desired=1 healthy=2 allowed=1 gen=1 True/SufficientPods" {
		t.Fatalf("after create: %s", got)
	}
	p, _ := f.st.Pods.Get("default", "p1")
	upd := p.Clone()
	upd.Status.Conditions = []api.Condition{{Type: api.PodReady, Status: api.ConditionFalse}}
	script.Must(f.st.Pods.Update("test", upd, ""))
	f.eng.Run(2 * sec)
	if got := describe(f.pdb().Status); got != "expected=2 desired=1 healthy=1 allowed=0 gen=1 False/InsufficientPods" {
		t.Fatalf("after p1 unready: %s", got)
	}
	// Relabelling p0 out of the selector queues the budget through the old labels.
	p, _ = f.st.Pods.Get("default", "p0")
	upd = p.Clone()
	upd.Labels = map[string]string{"app": "other"}
	script.Must(f.st.Pods.Update("test", upd, ""))
	f.eng.Run(3 * sec)
	if got := describe(f.pdb().Status); got != "expected=1 desired=1 healthy=0 allowed=0 gen=1 False/InsufficientPods" {
		t.Fatalf("after relabel: %s", got)
	}
}
