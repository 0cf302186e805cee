package scheduler

import (
	"testing"
	"time"

	"github.com/kubesim/kubesim/scheduler/framework"
	"github.com/kubesim/kubesim/sim"
	"github.com/kubesim/kubesim/sim/api"
)

func newTestQueue(t *testing.T) (*sim.Engine, *Queue, *Profile) {
	t.Helper()
	eng := sim.NewEngine(1, 0)
	p, err := NewProfile(ProfileConfig{SchedulerName: "default-scheduler"}, fakeRegistry(), nil)
	if err != nil {
		t.Fatal(err)
	}
	q := NewQueue(eng, p.queueSort.Less, DefaultPodInitialBackoff, DefaultPodMaxBackoff, DefaultPodMaxInUnschedulablePodsDuration)
	return eng, q, p
}

func at(s float64) sim.Time { return sim.Time(s * float64(time.Second)) }

func TestBackoffSequence(t *testing.T) {
	_, q, _ := newTestQueue(t)
	want := []time.Duration{0, 1, 2, 4, 8, 10, 10, 10}
	for count, w := range want {
		got := q.BackoffDuration(&framework.QueuedPodInfo{UnschedulableCount: count})
		if got != w*time.Second {
			t.Errorf("count %d: backoff %v, want %v", count, got, w*time.Second)
		}
	}
	// Consecutive errors take precedence over the unschedulable count.
	if got := q.BackoffDuration(&framework.QueuedPodInfo{UnschedulableCount: 5, ConsecutiveErrorsCount: 2}); got != 2*time.Second {
		t.Errorf("errors: %v", got)
	}
}

// TestBackoffExpiryTruncatedAndFlushAligned: a pod rejected at 0.3 s gets
// expiry trunc(1.3 s) = 1 s and is flushed at the 2 s tick; rejected again at
// 2.4 s (count 2) it expires at trunc(4.4 s) = 4 s and moves at 5 s.
func TestBackoffExpiryTruncatedAndFlushAligned(t *testing.T) {
	eng, q, p := newTestQueue(t)
	pod := makePod("a", 100, 0)
	q.Add(pod, p)
	plugins := []string{"NodeResourcesFit"}
	eng.AtFunc(at(0.3), func(sim.Time) {
		info, _ := q.Pop()
		q.Requeue(info, plugins)
		// In the unschedulable pool; a node event moves it to backoff.
		if q.where(pod.UID) != inUnschedulable {
			t.Errorf("after failure: where=%d", q.where(pod.UID))
		}
		q.MoveAllToActiveOrBackoff(EventNodeAdd)
		if q.where(pod.UID) != inBackoff {
			t.Errorf("after node add: where=%d", q.where(pod.UID))
		}
	})
	eng.Run(at(1.999))
	if q.where(pod.UID) != inBackoff {
		t.Fatalf("at 1.999s: where=%d, want backoff", q.where(pod.UID))
	}
	eng.Run(at(2))
	if q.where(pod.UID) != inActive {
		t.Fatalf("at 2s: where=%d, want active", q.where(pod.UID))
	}
	eng.AtFunc(at(2.4), func(sim.Time) {
		info, _ := q.Pop()
		q.Requeue(info, plugins)
		q.MoveAllToActiveOrBackoff(EventNodeUpdate)
	})
	eng.Run(at(4.999))
	if q.where(pod.UID) != inBackoff {
		t.Fatalf("at 4.999s: where=%d, want backoff", q.where(pod.UID))
	}
	eng.Run(at(5))
	if q.where(pod.UID) != inActive {
		t.Fatalf("at 5s: where=%d, want active", q.where(pod.UID))
	}
	if eng.Pending() != 0 {
		t.Fatalf("%d timers left with empty backoff and pool", eng.Pending())
	}
}

func TestActiveQOrder(t *testing.T) {
	eng, q, p := newTestQueue(t)
	mk := func(name string, prio int32) *api.Pod {
		pod := makePod(name, 0, 0)
		pod.Priority = prio
		return pod
	}
	q.Add(mk("low-early", 0), p)
	eng.AtFunc(at(1), func(sim.Time) {
		q.Add(mk("high", 10), p)
		q.Add(mk("low-late", 0), p)
		q.Add(mk("mid", 5), p)
	})
	eng.Run(at(1))
	var got []string
	for q.CanPop() {
		info, _ := q.Pop()
		got = append(got, info.Pod.Name)
	}
	want := []string{"high", "mid", "low-early", "low-late"}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("pop order %v, want %v", got, want)
		}
	}
}

// TestUnschedulableLeftoverFlush: a pod parked at 10 s moves at the first 30 s
// tick more than 5 min later: 330 s.
func TestUnschedulableLeftoverFlush(t *testing.T) {
	eng, q, p := newTestQueue(t)
	pod := makePod("a", 100, 0)
	eng.AtFunc(at(10), func(sim.Time) {
		q.Add(pod, p)
		info, _ := q.Pop()
		q.Requeue(info, []string{"TaintToleration"})
	})
	eng.Run(at(329.999))
	if q.where(pod.UID) != inUnschedulable {
		t.Fatalf("at 329.999s: where=%d", q.where(pod.UID))
	}
	eng.Run(at(330))
	if q.where(pod.UID) != inActive {
		t.Fatalf("at 330s: where=%d, want active", q.where(pod.UID))
	}
	if eng.Pending() != 0 {
		t.Fatalf("%d timers left", eng.Pending())
	}
}

func TestRequeueOnlyOnRelevantEvents(t *testing.T) {
	_, q, p := newTestQueue(t)
	taint := makePod("taint", 0, 0)
	fit := makePod("fit", 0, 0)
	gated := makePod("gated", 0, 0)
	gs := *gated.Spec
	gs.SchedulingGates = []string{"example.com/gate"}
	gated.Spec = &gs
	for _, x := range []struct {
		pod    *api.Pod
		plugin string
	}{{taint, "TaintToleration"}, {fit, "NodeResourcesFit"}} {
		q.Add(x.pod, p)
		info, _ := q.Pop()
		q.Requeue(info, []string{x.plugin})
	}
	q.Add(gated, p)
	if q.where(gated.UID) != inUnschedulable || q.CanPop() {
		t.Fatal("gated pod not parked")
	}
	q.MoveAllToActiveOrBackoff(EventAssignedPodDelete)
	if q.where(taint.UID) != inUnschedulable || q.where(fit.UID) != inBackoff {
		t.Fatalf("after pod delete: taint=%d fit=%d", q.where(taint.UID), q.where(fit.UID))
	}
	q.MoveAllToActiveOrBackoff(EventNodeAdd)
	if q.where(taint.UID) != inBackoff || q.where(gated.UID) != inUnschedulable {
		t.Fatalf("after node add: taint=%d gated=%d", q.where(taint.UID), q.where(gated.UID))
	}
	// Removing the gates moves the gated pod to activeQ.
	ungated := gated.Clone()
	ungated.Spec = makePod("x", 0, 0).Spec
	q.Update(ungated)
	if q.where(gated.UID) != inActive {
		t.Fatalf("ungated pod: where=%d", q.where(gated.UID))
	}
}

// TestPopFromBackoffQ: with activeQ empty, Pop takes a rejected pod from
// backoffQ before its backoff ends; error pods wait for the flush.
func TestPopFromBackoffQ(t *testing.T) {
	_, q, p := newTestQueue(t)
	rej, errPod := makePod("rejected", 0, 0), makePod("error", 0, 0)
	q.Add(errPod, p)
	info, _ := q.Pop()
	q.Requeue(info, nil)
	if q.where(errPod.UID) != inErrBackoff || q.CanPop() {
		t.Fatal("error pod poppable")
	}
	q.Add(rej, p)
	info, _ = q.Pop()
	q.Requeue(info, []string{"NodeResourcesFit"})
	q.MoveAllToActiveOrBackoff(EventNodeAdd)
	if q.where(rej.UID) != inBackoff || !q.CanPop() {
		t.Fatal("rejected pod not poppable from backoffQ")
	}
	info, _ = q.Pop()
	if info.Pod.Name != "rejected" || info.Attempts != 2 {
		t.Fatalf("popped %s attempts %d", info.Pod.Name, info.Attempts)
	}
}

// TestInFlightEventRequeues: a relevant event while the pod is in flight
// sends it to backoff rather than the pool.
func TestInFlightEventRequeues(t *testing.T) {
	_, q, p := newTestQueue(t)
	pod := makePod("a", 0, 0)
	q.Add(pod, p)
	info, _ := q.Pop()
	q.MoveAllToActiveOrBackoff(EventNodeAdd)
	q.Requeue(info, []string{"NodeResourcesFit"})
	if q.where(pod.UID) != inBackoff {
		t.Fatalf("where=%d, want backoff", q.where(pod.UID))
	}
}
