package replicaset

import (
	"errors"
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

const sec = sim.Time(time.Second)

// rankPod builds a pod for the ranking table.
type rankPod struct {
	name     string
	uid      string
	node     string
	phase    api.PodPhase
	readyAt  sim.Time // -1: not ready
	cost     string
	restarts int32
	sidecar  int32
	created  sim.Time
}

func (r rankPod) pod() *api.Pod {
	spec := &api.PodSpec{InitContainers: []api.Container{{Name: "proxy", RestartPolicy: api.RestartAlways}},
		Containers: []api.Container{{Name: "app"}}}
	p := &api.Pod{ObjectMeta: api.ObjectMeta{Name: r.name, Namespace: "default", UID: api.UID(r.uid),
		CreationTimestamp: r.created}, Spec: spec, NodeName: r.node}
	p.Status.Phase = r.phase
	if r.readyAt >= 0 {
		p.Status.Conditions = []api.Condition{{Type: api.PodReady, Status: api.ConditionTrue, LastTransitionTime: r.readyAt}}
	}
	if r.cost != "" {
		p.Annotations = map[string]string{api.AnnotationPodDeletionCost: r.cost}
	}
	p.Status.ContainerStatuses = []api.ContainerStatus{{Name: "app", RestartCount: r.restarts}, {Name: "proxy", RestartCount: r.sidecar}}
	return p
}

func names(pods []*api.Pod) []string {
	out := make([]string, len(pods))
	for i, p := range pods {
		out[i] = p.Name
	}
	return out
}

// TestPodsToDeleteRanking checks the scale-down order against orders derived
// by hand from the rules in SEMANTICS 6.1. now = 1000 s. Log2 buckets of
// ages in ns: 1000 s − 900 s = 100 s → 36 (2^36 ns ≈ 68.7 s, 2^37 ≈ 137.4 s);
// 1000 − 950 = 50 s → 35; 1000 − 880 = 120 s → 36; 1000 − 800 = 200 s → 37.
func TestPodsToDeleteRanking(t *testing.T) {
	now := 1000 * sec
	base := rankPod{node: "n1", phase: api.PodRunning, readyAt: 500 * sec, created: 100 * sec}
	with := func(name, uid string, f func(*rankPod)) rankPod {
		r := base
		r.name, r.uid = name, uid
		if f != nil {
			f(&r)
		}
		return r
	}
	tests := []struct {
		name string
		pods []rankPod
		// nodes of related pods beyond the pods themselves (co-location pool)
		extra []string
		want  []string
	}{{
		name: "1 unassigned before assigned, 2 pending < unknown < running",
		pods: []rankPod{
			with("running", "u1", nil),
			with("unknown", "u2", func(r *rankPod) { r.phase = api.PodUnknown }),
			with("pending", "u3", func(r *rankPod) { r.phase = api.PodPending }),
			with("unassigned-running", "u4", func(r *rankPod) { r.node = "" }),
		},
		want: []string{"unassigned-running", "pending", "unknown", "running"},
	}, {
		name: "3 not ready before ready, 4 lower deletion cost first, invalid cost is 0",
		pods: []rankPod{
			with("ready-cost-0", "u1", nil),
			with("ready-cost-10", "u2", func(r *rankPod) { r.cost = "10" }),
			with("ready-cost-minus", "u3", func(r *rankPod) { r.cost = "-10" }),
			with("ready-cost-bad", "u0", func(r *rankPod) { r.cost = "lots" }),
			with("not-ready-cost-99", "u5", func(r *rankPod) { r.readyAt = -1; r.cost = "99" }),
		},
		// cost-0 and cost-bad tie on every rule: input order.
		want: []string{"not-ready-cost-99", "ready-cost-minus", "ready-cost-0", "ready-cost-bad", "ready-cost-10"},
	}, {
		name: "5 more co-located related pods first (extra related pods on n2)",
		pods: []rankPod{
			with("alone-n1", "u1", nil),
			with("crowded-n2", "u2", func(r *rankPod) { r.node = "n2" }),
			with("n3", "u3", func(r *rankPod) { r.node = "n3" }),
		},
		extra: []string{"n2", "n2", "n3"},
		want:  []string{"crowded-n2", "n3", "alone-n1"},
	}, {
		name: "6 newer ready bucket first; same bucket by UID, not by time",
		pods: []rankPod{
			with("ready-200s-ago", "u1", func(r *rankPod) { r.readyAt = 800 * sec }),
			with("ready-100s-ago-uid-b", "ub", func(r *rankPod) { r.readyAt = 900 * sec }),
			with("ready-120s-ago-uid-a", "ua", func(r *rankPod) { r.readyAt = 880 * sec }),
			with("ready-50s-ago", "u9", func(r *rankPod) { r.readyAt = 950 * sec }),
		},
		want: []string{"ready-50s-ago", "ready-120s-ago-uid-a", "ready-100s-ago-uid-b", "ready-200s-ago"},
	}, {
		name: "6 decides before 7: an older-ready pod with restarts goes after a newer-bucket one",
		pods: []rankPod{
			with("old-ready-restarts-9", "u1", func(r *rankPod) { r.readyAt = 800 * sec; r.restarts = 9 }),
			with("new-ready", "u2", func(r *rankPod) { r.readyAt = 950 * sec }),
		},
		want: []string{"new-ready", "old-ready-restarts-9"},
	}, {
		name: "7 more restarts first (regular, then sidecar) when ready times are equal",
		pods: []rankPod{
			with("restarts-0", "u1", nil),
			with("sidecar-restarts-4", "u2", func(r *rankPod) { r.sidecar = 4 }),
			with("restarts-2", "u3", func(r *rankPod) { r.restarts = 2 }),
			with("restarts-2-sidecar-1", "u4", func(r *rankPod) { r.restarts = 2; r.sidecar = 1 }),
		},
		want: []string{"restarts-2-sidecar-1", "restarts-2", "sidecar-restarts-4", "restarts-0"},
	}, {
		name: "8 newer creation bucket first, same bucket by UID; not-ready pods skip rule 6",
		pods: []rankPod{
			with("created-800", "u1", func(r *rankPod) { r.readyAt = -1; r.created = 800 * sec }),
			with("created-900-uid-b", "ub", func(r *rankPod) { r.readyAt = -1; r.created = 900 * sec }),
			with("created-880-uid-a", "ua", func(r *rankPod) { r.readyAt = -1; r.created = 880 * sec }),
			with("created-950", "u9", func(r *rankPod) { r.readyAt = -1; r.created = 950 * sec }),
			with("created-now", "uz", func(r *rankPod) { r.readyAt = -1; r.created = now }),
		},
		want: []string{"created-now", "created-950", "created-880-uid-a", "created-900-uid-b", "created-800"},
	}, {
		name: "9 otherwise equal: input order kept",
		pods: []rankPod{with("first", "u2", nil), with("second", "u1", nil)},
		want: []string{"first", "second"},
	}}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var active, related []*api.Pod
			for _, r := range tc.pods {
				active = append(active, r.pod())
			}
			related = append(related, active...)
			for i, n := range tc.extra {
				related = append(related, rankPod{name: fmt.Sprint("x", i), node: n, phase: api.PodRunning, readyAt: -1}.pod())
			}
			got := names(PodsToDelete(active, related, len(active)-1, now))
			if want := tc.want[:len(tc.want)-1]; !slices.Equal(got, want) {
				t.Fatalf("deletion order %v, want %v", got, want)
			}
		})
	}
}

func TestPodsToDeleteAllIsUnsorted(t *testing.T) {
	a := rankPod{name: "ready", uid: "u1", node: "n1", phase: api.PodRunning, readyAt: 0}.pod()
	b := rankPod{name: "unassigned", uid: "u2", phase: api.PodPending, readyAt: -1}.pod()
	got := names(PodsToDelete([]*api.Pod{a, b}, nil, 2, 10*sec))
	if !slices.Equal(got, []string{"ready", "unassigned"}) {
		t.Fatalf("got %v", got)
	}
}

func TestLogBucket(t *testing.T) {
	for _, tc := range []struct {
		d    sim.Time
		want int64
	}{{-5, -1}, {0, -1}, {1, 0}, {2, 1}, {3, 1}, {1 << 36, 36}, {1<<37 - 1, 36}, {1 << 37, 37}} {
		if got := logBucket(tc.d); got != tc.want {
			t.Errorf("logBucket(%d) = %d, want %d", tc.d, got, tc.want)
		}
	}
}

func TestSlowStartBatchStopsAfterFailedBatch(t *testing.T) {
	calls := 0
	n, err := slowStartBatch(10, 1, func() error {
		calls++
		if calls == 4 {
			return errors.New("quota")
		}
		return nil
	})
	// Batches 1 and 2 succeed (3 calls); batch 3 (size 4) runs all four calls,
	// one fails, and the last batch (3) is skipped.
	if n != 6 || calls != 7 || err == nil {
		t.Fatalf("successes=%d calls=%d err=%v, want 6, 7, error", n, calls, err)
	}
	calls = 0
	if n, err := slowStartBatch(10, 1, func() error { calls++; return nil }); n != 10 || err != nil || calls != 10 {
		t.Fatalf("all succeed: n=%d err=%v calls=%d", n, err, calls)
	}
}

func TestExpectations(t *testing.T) {
	e := newExpectations()
	if !e.satisfied("rs", 0) {
		t.Fatal("no expectations must be satisfied")
	}
	e.expectCreations("rs", 2, 0)
	e.creationObserved("rs")
	if e.satisfied("rs", sec) {
		t.Fatal("1 of 2 creates observed: not satisfied")
	}
	if !e.satisfied("rs", sim.Time(ExpectationsTimeout)+1) {
		t.Fatal("expired expectations must be satisfied")
	}
	e.creationObserved("rs")
	if !e.satisfied("rs", sec) {
		t.Fatal("all creates observed: satisfied")
	}
	e.expectDeletions("rs", []string{"default/a", "default/b"}, 0)
	e.deletionObserved("rs", "default/a")
	e.deletionObserved("rs", "default/a") // graceful Modified, then Deleted: counts once
	e.deletionObserved("rs", "default/x") // not ours
	if e.satisfied("rs", sec) {
		t.Fatal("1 of 2 deletes observed: not satisfied")
	}
	e.deletionObserved("rs", "default/b")
	if !e.satisfied("rs", sec) {
		t.Fatal("both deletes observed: satisfied")
	}
}

func TestSecondReconcileWritesNothing(t *testing.T) {
	h := newHarness()
	h.run(t, "add-nodes 2")
	h.run(t, "create-rs web replicas=3 min-ready=5")
	h.run(t, "advance 1s")
	for i, p := range h.st.Pods.List("default", nil) {
		h.run(t, fmt.Sprintf("bind %s n%d", p.Name, i%2+1))
		h.run(t, "mark-ready "+p.Name)
	}
	h.run(t, "advance 1m")
	if rs := h.rs(t, "web"); rs.Status.AvailableReplicas != 3 {
		t.Fatalf("status %+v, want 3 available", rs.Status)
	}
	writes := 0
	h.st.OnWrite(func(*store.Write) { writes++ })
	for range 2 {
		res, err := h.rsc.Reconcile("default/web")
		if err != nil || res != (reconciler.Result{}) {
			t.Fatalf("Reconcile = %+v, %v", res, err)
		}
	}
	if writes != 0 {
		t.Fatalf("reconciles of unchanged state made %d writes", writes)
	}
}

func TestMinReadySecondsRequeue(t *testing.T) {
	h := newHarness()
	h.run(t, "add-nodes 1")
	h.run(t, "create-rs web replicas=1 min-ready=10")
	h.run(t, "advance 1s")
	p := h.st.Pods.List("default", nil)[0]
	h.run(t, "bind "+p.Name+" n1")
	h.run(t, "mark-ready "+p.Name) // ready at 1 s: available after 11 s
	log := h.run(t, "advance 20s")
	want := "11.010s replicaset-controller update ReplicaSet default/web UpdateStatus replicas=1 labeled=1 ready=1 available=1 terminating=0 gen=1"
	if !slices.Contains(log, want) {
		t.Fatalf("no availability update at 11.010s:\n%s", strings.Join(log, "\n"))
	}
}

func TestAdoptionAndRelease(t *testing.T) {
	h := newHarness()
	h.run(t, "create-pod orphan labels=app:web")
	h.run(t, "create-pod other labels=app:db")
	h.run(t, "create-rs web replicas=2")
	h.run(t, "advance 1s")
	orphan, _ := h.st.Pods.Get("default", "orphan")
	if ref := orphan.ControllerRef(); ref == nil || ref.Name != "web" || !ref.BlockOwnerDeletion {
		t.Fatalf("orphan not adopted: %+v", orphan.OwnerReferences)
	}
	if other, _ := h.st.Pods.Get("default", "other"); other.ControllerRef() != nil {
		t.Fatal("non-matching pod adopted")
	}
	if n := h.st.Pods.Len(); n != 3 {
		t.Fatalf("%d pods, want 3 (orphan adopted, one created, other untouched)", n)
	}
	// Relabelling the adopted pod out of the selector releases it and a
	// replacement is created.
	h.run(t, "relabel orphan app:gone")
	h.run(t, "advance 1s")
	orphan, _ = h.st.Pods.Get("default", "orphan")
	if len(orphan.OwnerReferences) != 0 {
		t.Fatalf("relabelled pod not released: %+v", orphan.OwnerReferences)
	}
	if rs := h.rs(t, "web"); rs.Status.Replicas != 2 || h.st.Pods.Len() != 4 {
		t.Fatalf("status %+v with %d pods, want 2 replicas and 4 pods", rs.Status, h.st.Pods.Len())
	}
}

func TestPodsShareTemplate(t *testing.T) {
	h := newHarness()
	h.run(t, "create-rs web replicas=2")
	h.run(t, "advance 1s")
	rs := h.rs(t, "web")
	// Admission may derive a spec from the template's (default tolerations),
	// but once per template: every pod of the ReplicaSet shares one spec.
	var shared *api.PodSpec
	for _, p := range h.st.Pods.List("default", nil) {
		if shared == nil {
			shared = p.Spec
		}
		if p.Spec != shared {
			t.Fatal("pods of one template hold different *PodSpec copies, want one shared spec")
		}
		if p.Spec.Containers[0].Image != rs.Template.Spec.Containers[0].Image {
			t.Fatal("pod spec does not come from the template")
		}
		ref := p.ControllerRef()
		if ref == nil || ref.UID != rs.UID || ref.Kind != api.KindReplicaSet || !ref.BlockOwnerDeletion {
			t.Fatalf("owner reference %+v", p.OwnerReferences)
		}
		if !strings.HasPrefix(p.Name, "web-") || len(p.Name) != len("web-")+5 {
			t.Fatalf("pod name %q", p.Name)
		}
	}
}

func TestNameCollisionRetries(t *testing.T) {
	// The first name the stream yields is taken; the controller retries.
	first := api.GenerateName(sim.NewStream(1, 0, NameStream), "web-")
	h := newHarness()
	h.run(t, "create-pod "+first+" labels=app:other")
	h.run(t, "create-rs web replicas=1")
	h.run(t, "advance 1s")
	if rs := h.rs(t, "web"); rs.Status.Replicas != 1 || h.st.Pods.Len() != 2 {
		t.Fatalf("status %+v, %d pods", rs.Status, h.st.Pods.Len())
	}
}

func TestFailedCreateBacksOff(t *testing.T) {
	h := newHarnessWith(reconciler.Config{SyncLatency: time.Millisecond})
	// Pods name a priority class that does not exist: admission rejects them.
	spec := testSpec()
	spec.PriorityClassName = "missing"
	labels := map[string]string{"app": "web"}
	script.Must(h.st.ReplicaSets.Create("test", &api.ReplicaSet{ObjectMeta: api.ObjectMeta{Name: "web", Namespace: "default"},
		Replicas: 4, Selector: api.SelectorFromMap(labels), Template: &api.PodTemplate{Labels: labels, Spec: spec}}, "test"))
	log := h.run(t, "advance 50ms")
	var failed []string
	for _, l := range log {
		if strings.Contains(l, ReasonFailedCreate) {
			failed = append(failed, l[:strings.Index(l, " ")])
		}
	}
	// One failed create per sync (the first batch has one pod). Sync at 1 ms
	// fails (retry in 5 ms) and writes the status, whose watch event syncs
	// again at 2 ms (fails; its 10 ms retry is later than the pending 5 ms one
	// and dropped); then 6+1 ms (retry in 20 ms), 27+1 ms (retry in 40 ms).
	if want := []string{"0.001s", "0.002s", "0.007s", "0.028s"}; !slices.Equal(failed, want) {
		t.Fatalf("failed creates at %v, want %v\n%s", failed, want, strings.Join(log, "\n"))
	}
	script.Must(h.st.PriorityClasses.Create("test", &api.PriorityClass{ObjectMeta: api.ObjectMeta{Name: "missing"}, Value: 5}, "test"))
	h.run(t, "advance 1s")
	if n := h.st.Pods.Len(); n != 4 {
		t.Fatalf("%d pods after the class exists, want 4", n)
	}
}
