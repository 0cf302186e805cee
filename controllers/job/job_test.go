package job

import (
	"slices"
	"testing"
	"time"

	"github.com/kubesim/kubesim/sim"
	"github.com/kubesim/kubesim/sim/api"
	"github.com/kubesim/kubesim/sim/store"
)

const sec = sim.Time(time.Second)

// TestBackoffDelay: 10 s · 2^(n−1), capped at 10 min: 10, 20, 40, 80, 160,
// 320, then 640 > 600 → 600.
func TestBackoffDelay(t *testing.T) {
	want := []time.Duration{0, 10, 20, 40, 80, 160, 320, 600, 600}
	for n, w := range want {
		if got := BackoffDelay(int32(n)); got != w*time.Second {
			t.Errorf("BackoffDelay(%d) = %v, want %v", n, got, w*time.Second)
		}
	}
}

// TestBackoffRecord derives the record after batches of ended pods by hand.
func TestBackoffRecord(t *testing.T) {
	tests := []struct {
		name       string
		start      backoffRecord
		succ, fail []sim.Time
		want       backoffRecord
		now        sim.Time
		remaining  time.Duration
	}{{
		name:  "nothing new keeps the record",
		start: backoffRecord{failuresAfterLastSuccess: 2, lastFailure: 5 * sec, hasFailure: true},
		want:  backoffRecord{failuresAfterLastSuccess: 2, lastFailure: 5 * sec, hasFailure: true},
		now:   10 * sec, remaining: 15 * time.Second, // 20 s from 5 s
	}, {
		name:  "failures only add up, last finish time wins",
		start: backoffRecord{failuresAfterLastSuccess: 1, lastFailure: 1 * sec, hasFailure: true},
		fail:  []sim.Time{9 * sec, 4 * sec},
		want:  backoffRecord{failuresAfterLastSuccess: 3, lastFailure: 9 * sec, hasFailure: true},
		now:   20 * sec, remaining: 29 * time.Second, // 40 s from 9 s
	}, {
		name:  "a success resets; only later failures count, the latest is the last",
		start: backoffRecord{failuresAfterLastSuccess: 4, lastFailure: 1 * sec, hasFailure: true},
		succ:  []sim.Time{6 * sec, 3 * sec},
		fail:  []sim.Time{2 * sec, 6 * sec, 7 * sec, 8 * sec},
		want:  backoffRecord{failuresAfterLastSuccess: 2, lastFailure: 8 * sec, hasFailure: true},
		now:   30 * sec, remaining: 0, // 20 s from 8 s is 28 s
	}, {
		name:  "success without later failures clears",
		start: backoffRecord{failuresAfterLastSuccess: 4, lastFailure: 1 * sec, hasFailure: true},
		succ:  []sim.Time{6 * sec},
		fail:  []sim.Time{6 * sec},
		want:  backoffRecord{},
		now:   6 * sec, remaining: 0,
	}}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := tc.start.next(tc.succ, tc.fail)
			if got != tc.want {
				t.Fatalf("next = %+v, want %+v", got, tc.want)
			}
			if r := got.remaining(tc.now); r != tc.remaining {
				t.Fatalf("remaining = %v, want %v", r, tc.remaining)
			}
		})
	}
}

func TestIndexes(t *testing.T) {
	for _, tc := range []struct {
		in   []int
		want string
	}{{nil, ""}, {[]int{0}, "0"}, {[]int{0, 1}, "0-1"}, {[]int{1, 3, 4, 5, 7}, "1,3-5,7"}, {[]int{0, 2, 4}, "0,2,4"}} {
		if got := FormatIndexes(tc.in); got != tc.want {
			t.Errorf("FormatIndexes(%v) = %q, want %q", tc.in, got, tc.want)
		}
		if back := ParseIndexes(tc.want, 100); !slices.Equal(back, tc.in) {
			t.Errorf("ParseIndexes(%q) = %v, want %v", tc.want, back, tc.in)
		}
	}
	// Out-of-range and malformed parts are dropped.
	if got := ParseIndexes("1-3,x,5-4,9", 3); !slices.Equal(got, []int{1, 2}) {
		t.Errorf("ParseIndexes = %v, want [1 2]", got)
	}
	nonPending := map[int]bool{0: true, 2: true, 3: true}
	if got := firstPendingIndexes(nonPending, 3, 6); !slices.Equal(got, []int{1, 4, 5}) {
		t.Errorf("firstPendingIndexes = %v, want [1 4 5]", got)
	}
}

// TestActivePodsForRemoval: upstream's ActivePods order decides which extra
// pods go; an Indexed Job first drops invalid and repeated indexes.
func TestActivePodsForRemoval(t *testing.T) {
	mk := func(name, node string, phase api.PodPhase, ready bool, created sim.Time, ix string) *api.Pod {
		p := &api.Pod{ObjectMeta: api.ObjectMeta{Name: name, CreationTimestamp: created}, NodeName: node}
		p.Status.Phase = phase
		if ready {
			p.Status.Conditions = []api.Condition{{Type: api.PodReady, Status: api.ConditionTrue, LastTransitionTime: created + sec}}
		}
		if ix != "" {
			p.Annotations = map[string]string{CompletionIndexKey: ix}
		}
		return p
	}
	running := mk("running", "n1", api.PodRunning, true, 1*sec, "")
	pending := mk("pending", "n1", api.PodPending, false, 2*sec, "")
	unbound := mk("unbound", "", api.PodPending, false, 3*sec, "")
	notReady := mk("not-ready", "n1", api.PodRunning, false, 4*sec, "")
	job := &api.Job{}
	got := activePodsForRemoval(job, []*api.Pod{running, pending, unbound, notReady}, 3)
	if names := podNames(got); !slices.Equal(names, []string{"unbound", "pending", "not-ready"}) {
		t.Fatalf("removal order %v", names)
	}
	three := int32(3)
	indexed := &api.Job{CompletionMode: CompletionModeIndexed, Completions: &three}
	a := mk("a-dup-old", "n1", api.PodRunning, true, 1*sec, "1")
	b := mk("b-dup-pending", "n1", api.PodPending, false, 2*sec, "1")
	c := mk("c-out-of-range", "n1", api.PodRunning, true, 1*sec, "7")
	d := mk("d-ok", "n1", api.PodRunning, true, 1*sec, "0")
	got = activePodsForRemoval(indexed, []*api.Pod{a, b, c, d}, 0)
	if names := podNames(got); !slices.Equal(names, []string{"c-out-of-range", "b-dup-pending"}) {
		t.Fatalf("indexed removal %v", names)
	}
}

func podNames(ps []*api.Pod) []string {
	var out []string
	for _, p := range ps {
		out = append(out, p.Name)
	}
	return out
}

// TestSecondReconcileWritesNothing: once a Job's state is written, syncing
// it again (running or finished) makes no write.
func TestSecondReconcileWritesNothing(t *testing.T) {
	h := newHarness()
	h.run(t, "create-job web completions=3 parallelism=2 indexed deadline=600")
	h.run(t, "advance 2s")
	h.run(t, "run all")
	h.run(t, "advance 2s")
	count := func() int {
		writes := 0
		h.st.OnWrite(func(*store.Write) { writes++ })
		for range 2 {
			if _, err := h.jc.Reconcile("default/web"); err != nil {
				t.Fatal(err)
			}
		}
		return writes
	}
	if n := count(); n != 0 {
		t.Fatalf("reconciles of a running Job made %d writes", n)
	}
	h.run(t, "succeed all")
	h.run(t, "advance 2s")
	h.run(t, "run all")
	h.run(t, "succeed all")
	h.run(t, "advance 2s")
	if j := h.job(t, "web"); !IsFinished(j) || j.Status.CompletedIndexes != "0-2" {
		t.Fatalf("job not complete: %+v", j.Status)
	}
	if n := count(); n != 0 {
		t.Fatalf("reconciles of a finished Job made %d writes", n)
	}
}

// TestOnFailureRestartsFailTheJob: under restartPolicy OnFailure, container
// restarts of active pods reaching backoffLimit fail the Job.
func TestOnFailureRestartsFailTheJob(t *testing.T) {
	h := newHarness()
	h.run(t, "create-job retry completions=1 backoff-limit=2 restart=OnFailure")
	h.run(t, "advance 1s")
	p := h.pods(t, "first", func(*api.Pod) bool { return true })[0]
	h.updatePod(p, func(p *api.Pod) {
		p.NodeName = "n1"
		p.Status.Phase = api.PodRunning
		p.Status.ContainerStatuses = []api.ContainerStatus{{Name: "work", RestartCount: 2}}
	})
	h.run(t, "advance 2s")
	j := h.job(t, "retry")
	if c := trueCondition(j.Status.Conditions, ConditionFailureTarget); c == nil || c.Reason != ReasonBackoffLimitExceeded {
		t.Fatalf("conditions %+v, want FailureTarget BackoffLimitExceeded", j.Status.Conditions)
	}
	if j.Status.Failed != 1 || j.Status.Terminating != 1 || IsFinished(j) {
		t.Fatalf("status %+v: the deleted pod counts as failed; Failed waits for it to go", j.Status)
	}
	h.run(t, "remove-pod all")
	h.run(t, "advance 2s")
	if j := h.job(t, "retry"); !IsFinished(j) || j.Status.CompletionTime != nil {
		t.Fatalf("status %+v, want Failed without completionTime", j.Status)
	}
}

// TestVanishedPodCountsAsFailed: a pod removed from the store before it was
// counted (an unbound pod deleted at once) counts as failed.
func TestVanishedPodCountsAsFailed(t *testing.T) {
	h := newHarness()
	h.run(t, "create-job gone completions=1")
	h.run(t, "advance 1s")
	h.run(t, "delete-pod all")
	h.run(t, "advance 2s")
	if j := h.job(t, "gone"); j.Status.Failed != 1 {
		t.Fatalf("status %+v, want failed=1", j.Status)
	}
}
