package garbagecollector

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/kubesim/kubesim/controllers/reconciler"
	"github.com/kubesim/kubesim/sim"
	"github.com/kubesim/kubesim/sim/api"
	"github.com/kubesim/kubesim/sim/store"
)

type fixture struct {
	eng *sim.Engine
	st  *store.Store
	gc  *Collector
	log []string
}

func newFixture(t *testing.T) *fixture {
	eng := sim.NewEngine(1, 0)
	st := store.New(eng, store.Options{})
	f := &fixture{eng: eng, st: st}
	st.OnWrite(func(w *store.Write) {
		if w.Component == Component {
			f.log = append(f.log, fmt.Sprintf("%v %s %s %s %s", w.Time, w.Verb, w.Kind, w.Key, w.Reason))
		}
	})
	f.gc = New(st, reconciler.Config{})
	return f
}

func spec() *api.PodSpec {
	s := &api.PodSpec{TerminationGracePeriodSeconds: 30, Containers: []api.Container{{Name: "app"}}}
	s.Compile()
	return s
}

func ref(o api.Object) api.OwnerReference {
	m := o.GetMeta()
	return api.OwnerReference{Kind: o.GetKind(), Name: m.Name, UID: m.UID, Controller: true, BlockOwnerDeletion: true}
}

func (f *fixture) rs(t *testing.T, name string) *api.ReplicaSet {
	rs, err := f.st.ReplicaSets.Create("test", &api.ReplicaSet{ObjectMeta: api.ObjectMeta{Name: name, Namespace: "default"},
		Selector: api.SelectorFromMap(map[string]string{"app": name})}, "test")
	if err != nil {
		t.Fatal(err)
	}
	return rs
}

func (f *fixture) pod(t *testing.T, name, node string, owners ...api.OwnerReference) *api.Pod {
	p, err := f.st.Pods.Create("test", &api.Pod{ObjectMeta: api.ObjectMeta{Name: name, Namespace: "default",
		OwnerReferences: owners}, Spec: spec(), NodeName: node}, "test")
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func (f *fixture) run(d time.Duration) { f.eng.Run(f.eng.Now().Add(d)) }

func TestDeletingReplicaSetDeletesItsPods(t *testing.T) {
	f := newFixture(t)
	rs := f.rs(t, "web")
	f.pod(t, "web-bound", "n1", ref(rs))
	f.pod(t, "web-pending", "", ref(rs))
	f.pod(t, "other", "n1")
	f.run(time.Second)
	if len(f.log) != 0 {
		t.Fatalf("collector wrote with all owners present: %v", f.log)
	}
	if err := f.st.ReplicaSets.Delete("test", "default", "web", store.DeleteOptions{}, "test"); err != nil {
		t.Fatal(err)
	}
	f.run(time.Second)
	want := []string{
		"1.01s delete Pod default/web-bound GarbageCollected",
		"1.01s delete Pod default/web-pending GarbageCollected",
	}
	if !slices.Equal(f.log, want) {
		t.Fatalf("writes %v, want %v", f.log, want)
	}
	// The bound pod terminates gracefully (the kubelet would remove it); the
	// pending one is gone at once; the unowned one is untouched.
	bound, ok := f.st.Pods.Get("default", "web-bound")
	if !ok || bound.DeletionTimestamp == nil || *bound.DeletionTimestamp != sim.Time(31010*time.Millisecond) {
		t.Fatalf("bound pod: %+v", bound)
	}
	if _, ok := f.st.Pods.Get("default", "web-pending"); ok {
		t.Fatal("pending pod still stored")
	}
	if o, _ := f.st.Pods.Get("default", "other"); o.DeletionTimestamp != nil {
		t.Fatal("unowned pod deleted")
	}
	// A second pass changes nothing: terminating dependents are left alone.
	f.log = nil
	f.gc.Runtime().Enqueue(Key(bound))
	f.run(time.Second)
	if len(f.log) != 0 {
		t.Fatalf("second pass wrote %v", f.log)
	}
}

func TestPodWithTwoOwnersSurvivesOne(t *testing.T) {
	f := newFixture(t)
	a, b := f.rs(t, "a"), f.rs(t, "b")
	second := ref(b)
	second.Controller = false
	p := f.pod(t, "shared", "n1", ref(a), second)
	f.run(time.Second)
	if err := f.st.ReplicaSets.Delete("test", "default", "a", store.DeleteOptions{}, "test"); err != nil {
		t.Fatal(err)
	}
	f.run(time.Second)
	got, ok := f.st.Pods.Get("default", "shared")
	if !ok || got.DeletionTimestamp != nil || got.UID != p.UID {
		t.Fatalf("pod with a live owner was deleted: %+v", got)
	}
	if !slices.Equal(got.OwnerReferences, []api.OwnerReference{second}) {
		t.Fatalf("owners %+v, want only b's", got.OwnerReferences)
	}
	if want := []string{"1.01s update Pod default/shared RemovedDanglingOwners"}; !slices.Equal(f.log, want) {
		t.Fatalf("writes %v, want %v", f.log, want)
	}
	// Now the last owner goes: the pod is collected.
	if err := f.st.ReplicaSets.Delete("test", "default", "b", store.DeleteOptions{}, "test"); err != nil {
		t.Fatal(err)
	}
	f.run(time.Second)
	if got, _ := f.st.Pods.Get("default", "shared"); got.DeletionTimestamp == nil {
		t.Fatal("pod not collected after its last owner was deleted")
	}
}

func TestCreatedWithMissingOwnerIsCollected(t *testing.T) {
	f := newFixture(t)
	ghost := api.OwnerReference{Kind: api.KindReplicaSet, Name: "ghost", UID: "no-such-uid", Controller: true}
	f.pod(t, "orphaned-at-birth", "", ghost)
	// An owner of a kind the store does not hold cannot be checked: kept.
	f.pod(t, "rc-pod", "", api.OwnerReference{Kind: "ReplicationController", Name: "rc", UID: "rc-uid", Controller: true})
	// Same name as an existing ReplicaSet but another UID: dangling.
	f.rs(t, "web")
	f.pod(t, "stale-uid", "", api.OwnerReference{Kind: api.KindReplicaSet, Name: "web", UID: "old-uid"})
	f.run(time.Second)
	for name, want := range map[string]bool{"orphaned-at-birth": false, "rc-pod": true, "stale-uid": false} {
		if _, ok := f.st.Pods.Get("default", name); ok != want {
			t.Errorf("pod %s stored = %v, want %v", name, ok, want)
		}
	}
}

func TestCascadeThroughReplicaSets(t *testing.T) {
	f := newFixture(t)
	d, err := f.st.Deployments.Create("test", &api.Deployment{ObjectMeta: api.ObjectMeta{Name: "web", Namespace: "default"}}, "test")
	if err != nil {
		t.Fatal(err)
	}
	rs, err := f.st.ReplicaSets.Create("test", &api.ReplicaSet{ObjectMeta: api.ObjectMeta{Name: "web-1", Namespace: "default",
		OwnerReferences: []api.OwnerReference{ref(d)}}}, "test")
	if err != nil {
		t.Fatal(err)
	}
	f.pod(t, "web-1-a", "", ref(rs))
	f.run(time.Second)
	if err := f.st.Deployments.Delete("test", "default", "web", store.DeleteOptions{}, "test"); err != nil {
		t.Fatal(err)
	}
	f.run(time.Second)
	want := []string{"1.01s delete ReplicaSet default/web-1 GarbageCollected", "1.02s delete Pod default/web-1-a GarbageCollected"}
	if !slices.Equal(f.log, want) {
		t.Fatalf("writes %v, want %v", f.log, want)
	}
}

func TestExistingDanglingCollectedAtStart(t *testing.T) {
	eng := sim.NewEngine(1, 0)
	st := store.New(eng, store.Options{})
	if _, err := st.Pods.Create("test", &api.Pod{ObjectMeta: api.ObjectMeta{Name: "p", Namespace: "default",
		OwnerReferences: []api.OwnerReference{{Kind: api.KindJob, Name: "j", UID: "gone"}}}, Spec: spec()}, "test"); err != nil {
		t.Fatal(err)
	}
	New(st, reconciler.Config{})
	eng.Run(sim.Time(time.Second))
	if st.Pods.Len() != 0 {
		t.Fatal("pre-existing pod with a missing owner not collected")
	}
}

// TestSecondReconcileWritesNothing: once an owner's dependents have been
// collected (and a surviving pod has lost its dead reference), reconciling
// every object again changes nothing.
func TestSecondReconcileWritesNothing(t *testing.T) {
	f := newFixture(t)
	a, b := f.rs(t, "a"), f.rs(t, "b")
	f.pod(t, "only-a", "", ref(a))
	second := ref(b)
	second.Controller = false
	f.pod(t, "both", "", ref(a), second)
	f.pod(t, "orphan", "")
	if err := f.st.ReplicaSets.Delete("test", "default", "a", store.DeleteOptions{}, "test"); err != nil {
		t.Fatal(err)
	}
	f.run(time.Second)
	if len(f.log) == 0 {
		t.Fatal("the first reconcile wrote nothing: the test would prove nothing")
	}
	before := len(f.log)
	var keys []string
	for _, p := range f.st.Pods.List("", nil) {
		keys = append(keys, Key(p))
	}
	for _, r := range f.st.ReplicaSets.List("", nil) {
		keys = append(keys, Key(r))
	}
	for _, k := range keys {
		if _, err := f.gc.Reconcile(k); err != nil {
			t.Fatalf("Reconcile(%s): %v", k, err)
		}
	}
	f.run(time.Second)
	if extra := f.log[before:]; len(extra) != 0 {
		t.Fatalf("a second reconcile wrote %v", extra)
	}
}
