package sim

import (
	"fmt"
	"time"
)

// Handler is something that runs when its event fires. Implementing Handler on a
// long-lived value (rather than scheduling a closure) lets hot paths schedule
// events without allocating.
type Handler interface {
	Fire(now Time)
}

// Func adapts an ordinary function to a Handler.
type Func func(now Time)

// Fire calls f(now).
func (f Func) Fire(now Time) { f(now) }

// Timer identifies a scheduled event so that it can be cancelled. The zero Timer
// refers to no event; cancelling it is a no-op.
type Timer struct {
	slot int32
	seq  uint64
}

// IsZero reports whether t refers to no event.
func (t Timer) IsZero() bool { return t.seq == 0 }

// entry is one queued event in the heap. Handlers live in the slab so that heap
// moves copy 24 bytes and cancellation is a slab write.
type entry struct {
	at   Time
	seq  uint64
	slot int32
}

func (a entry) before(b entry) bool {
	return a.at < b.at || (a.at == b.at && a.seq < b.seq)
}

type slabItem struct {
	h   Handler
	seq uint64 // seq of the live event in this slot; 0 when free or cancelled
}

// Engine is the discrete-event simulator: a clock and a queue of future events.
// Create one with NewEngine. The zero Engine is not usable.
type Engine struct {
	now     Time
	seq     uint64
	heap    []entry
	slab    []slabItem
	free    []int32
	fired   uint64
	live    int
	seed    uint64
	run     uint64
	stopped bool
}

// NewEngine returns an engine at time 0 whose random streams derive from seed and
// run (the replication number; use 0 for a single run).
func NewEngine(seed, run uint64) *Engine {
	return &Engine{seed: seed, run: run}
}

// Now returns the current virtual time.
func (e *Engine) Now() Time { return e.now }

// Fired returns how many events have run so far.
func (e *Engine) Fired() uint64 { return e.fired }

// Pending returns how many live (not cancelled) events are queued.
func (e *Engine) Pending() int { return e.live }

// Seed returns the seed the engine was created with.
func (e *Engine) Seed() uint64 { return e.seed }

// At schedules h to fire at time at. Scheduling in the past panics: virtual time
// never goes backwards. Events at the same time fire in scheduling order.
func (e *Engine) At(at Time, h Handler) Timer {
	if at < e.now {
		panic(fmt.Sprintf("sim: event scheduled at %v, before now (%v)", at, e.now))
	}
	e.seq++
	var slot int32
	if n := len(e.free); n > 0 {
		slot = e.free[n-1]
		e.free = e.free[:n-1]
	} else {
		slot = int32(len(e.slab))
		e.slab = append(e.slab, slabItem{})
	}
	e.slab[slot] = slabItem{h: h, seq: e.seq}
	e.push(entry{at: at, seq: e.seq, slot: slot})
	e.live++
	return Timer{slot: slot, seq: e.seq}
}

// After schedules h to fire d after now. A negative d panics.
func (e *Engine) After(d time.Duration, h Handler) Timer {
	return e.At(e.now.Add(d), h)
}

// AtFunc schedules f to run at time at.
func (e *Engine) AtFunc(at Time, f func(now Time)) Timer { return e.At(at, Func(f)) }

// AfterFunc schedules f to run d after now.
func (e *Engine) AfterFunc(d time.Duration, f func(now Time)) Timer {
	return e.At(e.now.Add(d), Func(f))
}

// Cancel cancels the event t refers to. It reports whether the event was still
// pending; cancelling a fired, cancelled or zero timer does nothing.
func (e *Engine) Cancel(t Timer) bool {
	if t.seq == 0 || int(t.slot) >= len(e.slab) || e.slab[t.slot].seq != t.seq {
		return false
	}
	e.slab[t.slot] = slabItem{}
	e.free = append(e.free, t.slot)
	e.live--
	if dead := len(e.heap) - e.live; dead > 1024 && dead > e.live {
		e.compact()
	}
	return true
}

// compact drops cancelled entries from the heap and re-heapifies, so that timers
// armed far ahead and cancelled (the common case) cannot grow the queue without
// bound. Order is unaffected: it is defined by (at, seq) alone.
func (e *Engine) compact() {
	h := e.heap[:0]
	for _, x := range e.heap {
		if e.slab[x.slot].seq == x.seq {
			h = append(h, x)
		}
	}
	e.heap = h
	for i := (len(h) - 2) / 4; i >= 0; i-- {
		e.siftDown(i, h[i])
	}
}

// Stop makes the current Run return after the event being fired.
func (e *Engine) Stop() { e.stopped = true }

// Step fires the next live event if it is at or before until. It reports whether
// an event fired.
func (e *Engine) Step(until Time) bool {
	for len(e.heap) > 0 {
		top := e.heap[0]
		if top.at > until {
			return false
		}
		e.pop()
		it := &e.slab[top.slot]
		if it.seq != top.seq {
			continue // cancelled; its slot is already free
		}
		h := it.h
		*it = slabItem{}
		e.free = append(e.free, top.slot)
		e.live--
		if top.at < e.now {
			panic(fmt.Sprintf("sim: time went backwards: event at %v, now %v", top.at, e.now))
		}
		e.now = top.at
		e.fired++
		h.Fire(e.now)
		return true
	}
	return false
}

// Run fires events in order until the next one is later than until, the queue is
// empty, or Stop is called. The clock then stands at until (or, after Stop, at
// the last event's time). Run returns the number of events fired.
func (e *Engine) Run(until Time) uint64 {
	if until < e.now {
		panic(fmt.Sprintf("sim: Run(%v) is before now (%v)", until, e.now))
	}
	start := e.fired
	e.stopped = false
	for !e.stopped && e.Step(until) {
	}
	if !e.stopped {
		e.now = until
	}
	return e.fired - start
}

// The queue is a 4-ary min-heap of entries: shallower than a binary heap, and a
// node's children share a cache line.

func (e *Engine) push(x entry) {
	h := append(e.heap, x)
	i := len(h) - 1
	for i > 0 {
		p := (i - 1) / 4
		if !x.before(h[p]) {
			break
		}
		h[i] = h[p]
		i = p
	}
	h[i] = x
	e.heap = h
}

func (e *Engine) pop() {
	n := len(e.heap) - 1
	x := e.heap[n]
	e.heap = e.heap[:n]
	if n > 0 {
		e.siftDown(0, x)
	}
}

// siftDown places x at position i or below, moving smaller children up.
func (e *Engine) siftDown(i int, x entry) {
	h := e.heap
	n := len(h)
	for {
		c := 4*i + 1
		if c >= n {
			break
		}
		m := c
		end := min(c+4, n)
		for j := c + 1; j < end; j++ {
			if h[j].before(h[m]) {
				m = j
			}
		}
		if !h[m].before(x) {
			break
		}
		h[i] = h[m]
		i = m
	}
	h[i] = x
}
