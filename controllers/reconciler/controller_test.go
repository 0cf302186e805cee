package reconciler

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/kubesim/kubesim/sim"
)

// recorder is a reconciler that logs "key@time" for every sync and returns
// what its hook says.
type recorder struct {
	eng  *sim.Engine
	log  []string
	hook func(key string, n int) (Result, error)
	n    map[string]int
}

func (r *recorder) Reconcile(key string) (Result, error) {
	r.log = append(r.log, fmt.Sprintf("%s@%v", key, r.eng.Now()))
	if r.n == nil {
		r.n = map[string]int{}
	}
	r.n[key]++
	if r.hook != nil {
		return r.hook(key, r.n[key])
	}
	return Result{}, nil
}

func newTest(workers int, hook func(string, int) (Result, error)) (*sim.Engine, *recorder, *Controller) {
	eng := sim.NewEngine(1, 0)
	r := &recorder{eng: eng, hook: hook}
	c := New("test", eng, r, Config{SyncLatency: 10 * time.Millisecond, Workers: workers})
	return eng, r, c
}

func at(d time.Duration) sim.Time { return sim.Time(d) }

func wantLog(t *testing.T, r *recorder, want ...string) {
	t.Helper()
	if !reflect.DeepEqual(r.log, want) {
		t.Fatalf("syncs:\n got  %v\n want %v", r.log, want)
	}
}

func TestDuplicateAddsWhileQueuedSyncOnce(t *testing.T) {
	eng, r, c := newTest(1, nil)
	c.Enqueue("a")
	c.Enqueue("a")
	c.Enqueue("b")
	c.Enqueue("a")
	eng.Run(at(time.Second))
	wantLog(t, r, "a@10ms", "b@20ms")
}

func TestAddWhileProcessingSyncsOnceMoreAfterwards(t *testing.T) {
	eng, r, c := newTest(4, nil)
	c.Enqueue("a")
	// Two adds while "a" is being processed (between 0 and 10 ms): one more
	// sync, after the first, never concurrently even though workers are idle.
	eng.AtFunc(at(3*time.Millisecond), func(sim.Time) { c.Enqueue("a") })
	eng.AtFunc(at(7*time.Millisecond), func(sim.Time) { c.Enqueue("a") })
	eng.Run(at(time.Second))
	wantLog(t, r, "a@10ms", "a@20ms")
}

func TestRequeueAfter(t *testing.T) {
	eng, r, c := newTest(1, func(key string, n int) (Result, error) {
		if n == 1 {
			return Result{RequeueAfter: time.Second}, nil
		}
		return Result{}, nil
	})
	c.Enqueue("a")
	eng.Run(at(10 * time.Second))
	wantLog(t, r, "a@10ms", "a@1.02s")
}

func TestDelayedAddsKeepTheEarliest(t *testing.T) {
	eng, r, c := newTest(1, nil)
	c.EnqueueAfter("late-first", 5*time.Second)
	c.EnqueueAfter("late-first", 2*time.Second) // replaces the 5 s timer
	c.EnqueueAfter("early-first", 1*time.Second)
	c.EnqueueAfter("early-first", 3*time.Second) // dropped
	eng.Run(at(10 * time.Second))
	wantLog(t, r, "early-first@1.01s", "late-first@2.01s")
	if eng.Pending() != 0 {
		t.Fatalf("%d events left pending", eng.Pending())
	}
}

func TestErrorBackoffSequence(t *testing.T) {
	eng, r, c := newTest(1, func(key string, n int) (Result, error) {
		if n <= 4 {
			return Result{}, errors.New("boom")
		}
		return Result{}, nil
	})
	c.Enqueue("a")
	eng.Run(at(10 * time.Second))
	// Sync 10 ms, then waits of 5, 10, 20, 40 ms, each plus the 10 ms sync.
	wantLog(t, r, "a@10ms", "a@25ms", "a@45ms", "a@75ms", "a@125ms")
	if f := c.Failures("a"); f != 0 {
		t.Fatalf("failures after success = %d, want 0 (forgotten)", f)
	}
	if s := c.Stats(); s.Syncs != 5 || s.Errors != 4 {
		t.Fatalf("stats = %+v", s)
	}
}

func TestRateLimiterExponentialCapAndForget(t *testing.T) {
	rl := NewRateLimiter()
	var got []time.Duration
	// One failure per 10 s keeps the token bucket full, so only the per-key
	// delay shows.
	for i := range 20 {
		got = append(got, rl.When("k", sim.Time(i)*sim.Time(10*time.Second)))
	}
	want := []time.Duration{5 * time.Millisecond, 10 * time.Millisecond, 20 * time.Millisecond, 40 * time.Millisecond}
	if !reflect.DeepEqual(got[:4], want) {
		t.Fatalf("first delays %v, want %v", got[:4], want)
	}
	// 5 ms · 2^17 = 655.36 s; 5 ms · 2^18 = 1310.72 s > cap.
	if got[17] != 655360*time.Millisecond || got[18] != BackoffMax || got[19] != BackoffMax {
		t.Fatalf("delays 17..19 = %v, want 655.36s, 1000s, 1000s", got[17:])
	}
	rl.Forget("k")
	if d := rl.When("k", sim.Time(300*time.Second)); d != 5*time.Millisecond {
		t.Fatalf("delay after Forget = %v, want 5ms", d)
	}
}

func TestRateLimiterTokenBucket(t *testing.T) {
	rl := NewRateLimiter()
	for i := range BucketBurst {
		if d := rl.When(fmt.Sprint("k", i), 0); d != BackoffBase {
			t.Fatalf("key %d: delay %v, want %v", i, d, BackoffBase)
		}
	}
	// The 101st failure in the same instant waits for one token: 100 ms.
	if d := rl.When("k-extra", 0); d != 100*time.Millisecond {
		t.Fatalf("bucket delay = %v, want 100ms", d)
	}
}

func TestWorkersBoundConcurrency(t *testing.T) {
	eng, r, c := newTest(2, nil)
	for _, k := range []string{"a", "b", "c", "d", "e"} {
		c.Enqueue(k)
	}
	eng.Run(at(time.Second))
	wantLog(t, r, "a@10ms", "b@10ms", "c@20ms", "d@20ms", "e@30ms")
}

func TestBurstCoalescesBeforeDispatch(t *testing.T) {
	eng, r, c := newTest(1, nil)
	// Three events at the same instant enqueue the same key: one sync.
	for range 3 {
		eng.AtFunc(at(time.Millisecond), func(sim.Time) { c.Enqueue("a") })
	}
	eng.Run(at(time.Second))
	wantLog(t, r, "a@11ms")
}

func TestConfigDefaultsAndValidate(t *testing.T) {
	got := Config{Workers: 5}.WithDefaults(DefaultConfig())
	if got != (Config{SyncLatency: 10 * time.Millisecond, Workers: 5}) {
		t.Fatalf("WithDefaults = %+v", got)
	}
	err := Config{SyncLatency: -1, Workers: -2}.Validate()
	if err == nil || !strings.Contains(err.Error(), "syncLatency") || !strings.Contains(err.Error(), "workers") {
		t.Fatalf("Validate error = %v", err)
	}
}
