package store

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/kubesim/kubesim/sim"
	"github.com/kubesim/kubesim/sim/api"
)

func newPod(ns, name string, labels map[string]string) *api.Pod {
	spec := &api.PodSpec{TerminationGracePeriodSeconds: 30, SchedulerName: api.DefaultSchedulerName}
	spec.Compile()
	return &api.Pod{ObjectMeta: api.ObjectMeta{Namespace: ns, Name: name, Labels: labels}, Spec: spec}
}

func TestCreateGetUpdateConflict(t *testing.T) {
	eng := sim.NewEngine(1, 0)
	st := New(eng, Options{})
	p, err := st.Pods.Create("test", newPod("default", "a", nil), "Test")
	if err != nil {
		t.Fatal(err)
	}
	if p.UID == "" || p.ResourceVersion == 0 || p.Generation != 1 || p.Status.Phase != api.PodPending {
		t.Fatalf("create did not set metadata: %+v", p.ObjectMeta)
	}
	if _, err := st.Pods.Create("test", newPod("default", "a", nil), "Test"); !errors.Is(err, ErrAlreadyExists) {
		t.Fatalf("duplicate create: err = %v", err)
	}
	stale := p.Clone()
	up := p.Clone()
	up.Status.Phase = api.PodRunning
	up2, err := st.Pods.Update("test", up, "Test")
	if err != nil {
		t.Fatal(err)
	}
	if up2.ResourceVersion <= p.ResourceVersion {
		t.Fatalf("resourceVersion did not increase: %d -> %d", p.ResourceVersion, up2.ResourceVersion)
	}
	stale.Status.Phase = api.PodFailed
	if _, err := st.Pods.Update("test", stale, "Test"); !errors.Is(err, ErrConflict) {
		t.Fatalf("stale update: err = %v, want conflict", err)
	}
	got, _ := st.Pods.Get("default", "a")
	if got.Status.Phase != api.PodRunning {
		t.Fatalf("stored phase = %s, want Running", got.Status.Phase)
	}
	if p.Status.Phase != api.PodPending {
		t.Fatal("update changed the earlier object in place")
	}
}

func TestScopeValidation(t *testing.T) {
	st := New(sim.NewEngine(1, 0), Options{})
	if _, err := st.Pods.Create("t", newPod("", "a", nil), ""); !errors.Is(err, ErrInvalid) {
		t.Fatalf("pod without namespace: err = %v", err)
	}
	if _, err := st.Nodes.Create("t", &api.Node{ObjectMeta: api.ObjectMeta{Name: "n", Namespace: "x"}}, ""); !errors.Is(err, ErrInvalid) {
		t.Fatalf("namespaced node: err = %v", err)
	}
}

func TestListBySelectorAndNamespace(t *testing.T) {
	st := New(sim.NewEngine(1, 0), Options{})
	for i, ns := range []string{"a", "b", "a", "a"} {
		app := "web"
		if i == 2 {
			app = "db"
		}
		if _, err := st.Pods.Create("t", newPod(ns, fmt.Sprintf("p%d", i), map[string]string{"app": app}), ""); err != nil {
			t.Fatal(err)
		}
	}
	names := func(ps []*api.Pod) []string {
		var out []string
		for _, p := range ps {
			out = append(out, p.Key())
		}
		return out
	}
	sel := api.SelectorFromMap(map[string]string{"app": "web"})
	if got, want := names(st.Pods.List("a", sel)), []string{"a/p0", "a/p3"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("List(a, app=web) = %v, want %v", got, want)
	}
	if got, want := names(st.Pods.List("", sel)), []string{"a/p0", "b/p1", "a/p3"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("List(all, app=web) = %v, want %v", got, want)
	}
	if got := st.Pods.List("", nil); len(got) != 4 {
		t.Fatalf("List(all) = %d pods, want 4", len(got))
	}
}

func TestNodeIndexFollowsBinding(t *testing.T) {
	st := New(sim.NewEngine(1, 0), Options{})
	p, _ := st.Pods.Create("t", newPod("default", "a", nil), "")
	if n := st.Pods.CountByIndex(IndexNode, "n1"); n != 0 {
		t.Fatalf("unbound pod indexed on n1: %d", n)
	}
	b := p.Clone()
	b.NodeName = "n1"
	if _, err := st.Pods.Update("scheduler", b, "Scheduled"); err != nil {
		t.Fatal(err)
	}
	if got := st.Pods.ByIndex(IndexNode, "n1"); len(got) != 1 || got[0].Name != "a" {
		t.Fatalf("ByIndex(node, n1) = %v", got)
	}
	// A status update that moves no index must still leave the newest version in it.
	cur, _ := st.Pods.Get("default", "a")
	r := cur.Clone()
	r.Status.Phase = api.PodRunning
	if _, err := st.Pods.Update("kubelet", r, "Started"); err != nil {
		t.Fatal(err)
	}
	if got := st.Pods.ByIndex(IndexNode, "n1"); len(got) != 1 || got[0].Status.Phase != api.PodRunning {
		t.Fatalf("index holds a stale version: %+v", got)
	}
	if got := st.Pods.List("default", nil); got[0].Status.Phase != api.PodRunning {
		t.Fatal("namespace index holds a stale version")
	}
	// Moving to another node moves the index entry.
	cur, _ = st.Pods.Get("default", "a")
	m := cur.Clone()
	m.NodeName = "n2"
	_, _ = st.Pods.Update("t", m, "")
	if st.Pods.CountByIndex(IndexNode, "n1") != 0 || st.Pods.CountByIndex(IndexNode, "n2") != 1 {
		t.Fatal("index did not follow a node change")
	}
}

func TestWatchDeliveredAfterCurrentEventInWriteOrder(t *testing.T) {
	eng := sim.NewEngine(1, 0)
	st := New(eng, Options{})
	var log []string
	st.Pods.Watch(func(ev Event[*api.Pod]) {
		log = append(log, fmt.Sprintf("%s %s@%v", ev.Type, ev.Object().Name, eng.Now()))
	})
	eng.AtFunc(sim.Time(time.Second), func(sim.Time) {
		p, _ := st.Pods.Create("t", newPod("default", "a", nil), "")
		log = append(log, "created a")
		u := p.Clone()
		u.Labels = map[string]string{"x": "y"}
		_, _ = st.Pods.Update("t", u, "")
		_ = st.Pods.Delete("t", "default", "a", DeleteOptions{}, "")
		log = append(log, "writes done")
	})
	eng.Run(sim.Time(time.Minute))
	want := []string{"created a", "writes done", "Added a@1s", "Modified a@1s", "Deleted a@1s"}
	if !reflect.DeepEqual(log, want) {
		t.Fatalf("log = %v, want %v", log, want)
	}
}

func TestWatchLatency(t *testing.T) {
	eng := sim.NewEngine(1, 0)
	st := New(eng, Options{WatchLatency: 50 * time.Millisecond})
	var at sim.Time
	st.Nodes.Watch(func(Event[*api.Node]) { at = eng.Now() })
	_, _ = st.Nodes.Create("t", &api.Node{ObjectMeta: api.ObjectMeta{Name: "n"}}, "")
	eng.Run(sim.Time(time.Second))
	if at != sim.Time(50*time.Millisecond) {
		t.Fatalf("delivered at %v, want 50ms", at)
	}
}

func TestGracefulPodDeletion(t *testing.T) {
	eng := sim.NewEngine(1, 0)
	st := New(eng, Options{})
	unbound, _ := st.Pods.Create("t", newPod("default", "unbound", nil), "")
	bound := newPod("default", "bound", nil)
	bound.NodeName = "n1"
	bound, _ = st.Pods.Create("t", bound, "")
	eng.Run(sim.Time(10 * time.Second))

	// An unbound pod is removed at once.
	if err := st.Pods.Delete("t", "default", "unbound", DeleteOptions{}, ""); err != nil {
		t.Fatal(err)
	}
	if _, ok := st.Pods.Get("default", "unbound"); ok {
		t.Fatal("unbound pod still stored after delete")
	}
	_ = unbound
	// A bound pod gets a deletion timestamp now + 30 s and stays.
	if err := st.Pods.Delete("t", "default", "bound", DeleteOptions{}, ""); err != nil {
		t.Fatal(err)
	}
	p, ok := st.Pods.Get("default", "bound")
	if !ok || p.DeletionTimestamp == nil || *p.DeletionTimestamp != sim.Time(40*time.Second) || p.DeletionGracePeriodSeconds != 30 {
		t.Fatalf("bound pod after delete: ok=%v meta=%+v", ok, p.ObjectMeta)
	}
	// A longer grace does not extend it; a shorter one shortens it.
	long := int64(100)
	_ = st.Pods.Delete("t", "default", "bound", DeleteOptions{GracePeriodSeconds: &long}, "")
	p, _ = st.Pods.Get("default", "bound")
	if *p.DeletionTimestamp != sim.Time(40*time.Second) {
		t.Fatalf("longer grace extended the deadline to %v", *p.DeletionTimestamp)
	}
	short := int64(5)
	_ = st.Pods.Delete("t", "default", "bound", DeleteOptions{GracePeriodSeconds: &short}, "")
	p, _ = st.Pods.Get("default", "bound")
	if *p.DeletionTimestamp != sim.Time(15*time.Second) {
		t.Fatalf("shorter grace: deadline %v, want 15s", *p.DeletionTimestamp)
	}
	// Grace 0 (what the kubelet sends) removes it. A UID precondition must match.
	zero := int64(0)
	if err := st.Pods.Delete("t", "default", "bound", DeleteOptions{GracePeriodSeconds: &zero, UID: "other"}, ""); !errors.Is(err, ErrConflict) {
		t.Fatalf("delete with wrong UID: err = %v", err)
	}
	if err := st.Pods.Delete("t", "default", "bound", DeleteOptions{GracePeriodSeconds: &zero, UID: bound.UID}, ""); err != nil {
		t.Fatal(err)
	}
	if _, ok := st.Pods.Get("default", "bound"); ok {
		t.Fatal("pod still stored after grace-0 delete")
	}
	if err := st.Pods.Delete("t", "default", "bound", DeleteOptions{}, ""); !errors.Is(err, ErrNotFound) {
		t.Fatalf("delete of a gone pod: err = %v", err)
	}
}

func TestPriorityAdmission(t *testing.T) {
	st := New(sim.NewEngine(1, 0), Options{})
	mk := func(name, class string) *api.Pod {
		p := newPod("default", name, nil)
		s := *p.Spec
		s.PriorityClassName = class
		p.Spec = &s
		return p
	}
	p, err := st.Pods.Create("t", mk("a", ""), "")
	if err != nil || p.Priority != 0 || p.PreemptionPolicy != api.PreemptLowerPriority {
		t.Fatalf("no class, no default: priority %d policy %q err %v", p.Priority, p.PreemptionPolicy, err)
	}
	if _, err := st.Pods.Create("t", mk("b", "missing"), ""); !errors.Is(err, ErrInvalid) {
		t.Fatalf("missing class: err = %v", err)
	}
	p, _ = st.Pods.Create("t", mk("c", SystemNodeCritical), "")
	if p.Priority != SystemNodeCriticalValue {
		t.Fatalf("system-node-critical: priority %d", p.Priority)
	}
	_, _ = st.PriorityClasses.Create("t", &api.PriorityClass{ObjectMeta: api.ObjectMeta{Name: "low"}, Value: 10, GlobalDefault: true, PreemptionPolicy: api.PreemptNever}, "")
	_, _ = st.PriorityClasses.Create("t", &api.PriorityClass{ObjectMeta: api.ObjectMeta{Name: "lower"}, Value: 5, GlobalDefault: true}, "")
	p, _ = st.Pods.Create("t", mk("d", ""), "")
	if p.Priority != 5 {
		t.Fatalf("two global defaults: priority %d, want the lowest (5)", p.Priority)
	}
	p, _ = st.Pods.Create("t", mk("e", "low"), "")
	if p.Priority != 10 || p.PreemptionPolicy != api.PreemptNever {
		t.Fatalf("class low: priority %d policy %q", p.Priority, p.PreemptionPolicy)
	}
}

func TestDependentsAcrossKinds(t *testing.T) {
	st := New(sim.NewEngine(1, 0), Options{})
	rs, _ := st.ReplicaSets.Create("t", &api.ReplicaSet{ObjectMeta: api.ObjectMeta{Namespace: "default", Name: "web"}}, "")
	ref := api.OwnerReference{Kind: api.KindReplicaSet, Name: "web", UID: rs.UID, Controller: true}
	for _, n := range []string{"web-1", "web-2"} {
		p := newPod("default", n, nil)
		p.OwnerReferences = []api.OwnerReference{ref}
		_, _ = st.Pods.Create("t", p, "")
	}
	_, _ = st.Pods.Create("t", newPod("default", "other", nil), "")
	deps := st.Dependents(rs.UID)
	if len(deps) != 2 || deps[0].GetMeta().Name != "web-1" || deps[1].GetMeta().Name != "web-2" {
		t.Fatalf("Dependents = %v", deps)
	}
	if !st.Exists(api.KindReplicaSet, "default/web", rs.UID) || st.Exists(api.KindReplicaSet, "default/web", "x") {
		t.Fatal("Exists gave the wrong answer")
	}
	if err := st.UpdateOwners("gc", ObjectRef{Kind: api.KindPod, Namespace: "default", Name: "web-2", UID: deps[1].GetMeta().UID}, nil, ""); err != nil {
		t.Fatal(err)
	}
	if deps := st.Dependents(rs.UID); len(deps) != 1 {
		t.Fatalf("after dropping an owner ref: %d dependents, want 1", len(deps))
	}
	if err := st.DeleteObject("gc", ObjectRef{Kind: api.KindPod, Namespace: "default", Name: "web-1", UID: deps[0].GetMeta().UID}, ""); err != nil {
		t.Fatal(err)
	}
	if st.Pods.Len() != 2 {
		t.Fatalf("pods left: %d, want 2", st.Pods.Len())
	}
}

func TestWriteHooksSeeEveryWriteAndEvent(t *testing.T) {
	eng := sim.NewEngine(1, 0)
	st := New(eng, Options{})
	var got []string
	st.OnWrite(func(w *Write) {
		got = append(got, fmt.Sprintf("%s %s %s %s %s", w.Component, w.Verb, w.Kind, w.Key, w.Reason))
	})
	p, _ := st.Pods.Create("rs", newPod("default", "a", nil), "SuccessfulCreate")
	st.Record("default-scheduler", p, "FailedScheduling", "0/0 nodes are available")
	_ = st.Pods.Delete("rs", "default", "a", DeleteOptions{}, "SuccessfulDelete")
	want := []string{
		"rs create Pod default/a SuccessfulCreate",
		"default-scheduler event Pod default/a FailedScheduling",
		"rs delete Pod default/a SuccessfulDelete",
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("hooks saw %v, want %v", got, want)
	}
}

func TestOrderedSetRemoveKeepsOthers(t *testing.T) {
	s := newOrderedSet[int]()
	for i, k := range []string{"a", "b", "c", "d"} {
		s.add(k, i)
	}
	s.remove("b")
	s.remove("zz")
	if !reflect.DeepEqual(s.items, []int{0, 3, 2}) || s.pos["d"] != 1 {
		t.Fatalf("items %v pos %v", s.items, s.pos)
	}
}

func TestUIDsAreV4AndDeterministic(t *testing.T) {
	uids := func() []api.UID {
		st := New(sim.NewEngine(7, 0), Options{})
		var out []api.UID
		for i := 0; i < 3; i++ {
			p, _ := st.Pods.Create("t", newPod("default", fmt.Sprint("p", i), nil), "")
			out = append(out, p.UID)
		}
		return out
	}
	a, b := uids(), uids()
	if !reflect.DeepEqual(a, b) {
		t.Fatalf("UIDs differ between identical runs: %v vs %v", a, b)
	}
	for _, u := range a {
		s := string(u)
		if len(s) != 36 || s[14] != '4' || !strings.ContainsRune("89ab", rune(s[19])) {
			t.Fatalf("UID %q is not a version-4 UUID", s)
		}
	}
	if a[0] == a[1] {
		t.Fatal("duplicate UIDs")
	}
}
