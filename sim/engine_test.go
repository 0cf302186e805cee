package sim

import (
	"fmt"
	"reflect"
	"testing"
	"time"
)

func TestEventsFireInTimeThenSchedulingOrder(t *testing.T) {
	e := NewEngine(1, 0)
	var got []string
	rec := func(s string) func(Time) { return func(now Time) { got = append(got, fmt.Sprintf("%s@%v", s, now)) } }
	e.AtFunc(Time(3*time.Second), rec("c"))
	e.AtFunc(Time(1*time.Second), rec("a1"))
	e.AtFunc(Time(1*time.Second), rec("a2"))
	e.AtFunc(Time(2*time.Second), rec("b"))
	e.AtFunc(Time(1*time.Second), rec("a3"))
	if n := e.Run(Time(10 * time.Second)); n != 5 {
		t.Fatalf("fired %d events, want 5", n)
	}
	want := []string{"a1@1s", "a2@1s", "a3@1s", "b@2s", "c@3s"}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("order = %v, want %v", got, want)
	}
	if e.Now() != Time(10*time.Second) {
		t.Fatalf("clock after Run = %v, want 10s", e.Now())
	}
}

func TestEventScheduledDuringFireAtSameTimeRunsAfterQueuedOnes(t *testing.T) {
	e := NewEngine(1, 0)
	var got []string
	e.AtFunc(5, func(now Time) {
		got = append(got, "first")
		e.AtFunc(now, func(Time) { got = append(got, "follow-up") })
	})
	e.AtFunc(5, func(Time) { got = append(got, "second") })
	e.Run(5)
	want := []string{"first", "second", "follow-up"}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("order = %v, want %v", got, want)
	}
}

func TestCancel(t *testing.T) {
	e := NewEngine(1, 0)
	fired := map[string]bool{}
	a := e.AtFunc(10, func(Time) { fired["a"] = true })
	e.AtFunc(20, func(Time) { fired["b"] = true })
	if !e.Cancel(a) {
		t.Fatal("Cancel of a pending event returned false")
	}
	if e.Cancel(a) {
		t.Fatal("second Cancel returned true")
	}
	if e.Cancel(Timer{}) {
		t.Fatal("Cancel of the zero Timer returned true")
	}
	// The freed slot is reused; the stale timer must not cancel the new event.
	c := e.AtFunc(30, func(Time) { fired["c"] = true })
	if e.Cancel(a) {
		t.Fatal("stale timer cancelled a reused slot")
	}
	if e.Pending() != 2 {
		t.Fatalf("Pending = %d, want 2", e.Pending())
	}
	e.Run(100)
	if fired["a"] || !fired["b"] || !fired["c"] {
		t.Fatalf("fired = %v, want b and c only", fired)
	}
	if e.Cancel(c) {
		t.Fatal("Cancel of a fired event returned true")
	}
}

func TestRunStopsAtUntilAndResumes(t *testing.T) {
	e := NewEngine(1, 0)
	var got []Time
	for _, at := range []Time{5, 15, 25} {
		e.AtFunc(at, func(now Time) { got = append(got, now) })
	}
	e.Run(10)
	if len(got) != 1 || e.Now() != 10 {
		t.Fatalf("after Run(10): got %v now %v", got, e.Now())
	}
	e.Run(20)
	if len(got) != 2 || e.Now() != 20 {
		t.Fatalf("after Run(20): got %v now %v", got, e.Now())
	}
	e.Run(25)
	if len(got) != 3 || got[2] != 25 {
		t.Fatalf("after Run(25): got %v", got)
	}
}

func TestStop(t *testing.T) {
	e := NewEngine(1, 0)
	e.AtFunc(5, func(Time) { e.Stop() })
	e.AtFunc(6, func(Time) { t.Fatal("event after Stop fired") })
	e.Run(100)
	if e.Now() != 5 {
		t.Fatalf("now after Stop = %v, want 5", e.Now())
	}
}

func TestSchedulingInThePastPanics(t *testing.T) {
	e := NewEngine(1, 0)
	e.Run(100)
	defer func() {
		if recover() == nil {
			t.Fatal("scheduling before now did not panic")
		}
	}()
	e.AtFunc(50, func(Time) {})
}

func TestManyEventsComeOutSorted(t *testing.T) {
	e := NewEngine(1, 0)
	r := e.Rand("test")
	var last Time
	n := 0
	var timers []Timer
	for i := 0; i < 5000; i++ {
		timers = append(timers, e.AtFunc(Time(r.IntN(1000)), func(now Time) {
			if now < last {
				t.Fatalf("time went backwards: %v after %v", now, last)
			}
			last = now
			n++
		}))
	}
	cancelled := 0
	for i := 0; i < len(timers); i += 7 {
		if e.Cancel(timers[i]) {
			cancelled++
		}
	}
	for i := 1; i < len(timers); i += 2 {
		if e.Cancel(timers[i]) {
			cancelled++
		}
	}
	e.Run(1000)
	if n != 5000-cancelled {
		t.Fatalf("fired %d, want %d", n, 5000-cancelled)
	}
}

func TestRandStreamsAreNamedAndIndependent(t *testing.T) {
	draw := func(e *Engine, name string, k int) []uint64 {
		r := e.Rand(name)
		out := make([]uint64, k)
		for i := range out {
			out[i] = r.Uint64()
		}
		return out
	}
	a := NewEngine(42, 0)
	b := NewEngine(42, 0)
	if !reflect.DeepEqual(draw(a, "failures", 5), draw(b, "failures", 5)) {
		t.Fatal("same seed, run and name gave different draws")
	}
	// Drawing from another stream first must not shift "failures".
	_ = draw(b, "scheduler/tiebreak", 100)
	if !reflect.DeepEqual(draw(a, "failures", 5), draw(b, "failures", 5)) {
		t.Fatal("another stream's draws shifted this stream")
	}
	if reflect.DeepEqual(draw(a, "failures", 5), draw(a, "arrivals", 5)) {
		t.Fatal("different names gave the same stream")
	}
	if reflect.DeepEqual(draw(a, "failures", 5), draw(NewEngine(42, 1), "failures", 5)) {
		t.Fatal("different runs gave the same stream")
	}
	if reflect.DeepEqual(draw(a, "failures", 5), draw(NewEngine(43, 0), "failures", 5)) {
		t.Fatal("different seeds gave the same stream")
	}
}

func TestClock(t *testing.T) {
	if got := Time(26*time.Hour + 3*time.Minute + 4*time.Second + 5).Clock(); got != "26:03:04" {
		t.Fatalf("Clock = %q", got)
	}
}

// ticker reschedules itself: the steady state of a busy simulation.
type ticker struct {
	e      *Engine
	period time.Duration
}

func (k *ticker) Fire(Time) { k.e.After(k.period, k) }

// BenchmarkEngineEvents measures events per second with 1 000 pending events
// (1 000 components each rescheduling itself at its own period), and checks that
// the steady state allocates nothing per event.
func BenchmarkEngineEvents(b *testing.B) {
	e := NewEngine(1, 0)
	for i := 0; i < 1000; i++ {
		k := &ticker{e: e, period: time.Duration(1000+i*7) * time.Microsecond}
		e.After(k.period, k)
	}
	// Warm up so the heap and slab have reached their steady size.
	for i := 0; i < 10000; i++ {
		e.Step(Never)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		e.Step(Never)
	}
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
}

// BenchmarkEngineCancel measures schedule+cancel pairs, the pattern of timers
// that are armed and disarmed (backoffs, probes, eviction timers).
func BenchmarkEngineCancel(b *testing.B) {
	e := NewEngine(1, 0)
	h := Func(func(Time) {})
	for i := 0; i < 1000; i++ {
		e.After(time.Duration(i)*time.Second, h)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		t := e.After(time.Hour, h)
		e.Cancel(t)
	}
}
