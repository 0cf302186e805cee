package traffic

import (
	"math"
	"time"

	"github.com/kubesim/kubesim/sim"
)

// Load is what one workload is offered: a curve and what each Ready replica
// can serve.
type Load struct {
	Offered Offered
	// PerReplicaRPS is the most requests per second one Ready replica serves
	// (> 0).
	PerReplicaRPS float64
}

// Totals are the figures of a run or of a window of it.
type Totals struct {
	// Offered and Served are requests (integrals of rps over seconds).
	Offered, Served float64
	// BelowDesired is how long the Ready count was below the desired
	// replica count.
	BelowDesired time.Duration
	// WorstShortfall is the largest offered − served rate (rps) at any
	// moment of positive length; 0 when the load was always served.
	WorstShortfall float64
}

// DemandServed returns Served / Offered as a fraction of 1, or 1 when nothing
// was offered.
func (t Totals) DemandServed() float64 {
	if t.Offered <= 0 {
		return 1
	}
	return min(t.Served/t.Offered, 1)
}

// add accumulates one interval.
func (t *Totals) add(offered, served float64, below time.Duration, shortfall float64) {
	t.Offered += offered
	t.Served += served
	t.BelowDesired += below
	t.WorstShortfall = max(t.WorstShortfall, shortfall)
}

// Tracker integrates one workload's offered and served load between changes
// of its Ready and desired replica counts. The zero value is not usable:
// create one with NewTracker. A Tracker is driven by one run's events, in
// time order; it starts no goroutines and reads no clock.
type Tracker struct {
	load    Load
	started bool
	last    sim.Time
	ready   int32
	desired int32
	total   Totals
	windows []*Window
}

// Window accumulates the figures of part of a run (a rollout): from
// Tracker.OpenWindow to Tracker.CloseWindow.
type Window struct {
	totals Totals
	open   bool
}

// Totals returns the window's figures so far (up to the tracker's last
// Observe or Advance).
func (w *Window) Totals() Totals { return w.totals }

// NewTracker returns a tracker for load. It panics (a programmer error) on a
// nil curve or a non-positive per-replica capacity; validate input first.
func NewTracker(load Load) *Tracker {
	if load.Offered == nil {
		panic("traffic: NewTracker: nil Offered")
	}
	if !(load.PerReplicaRPS > 0) || math.IsInf(load.PerReplicaRPS, 0) {
		panic("traffic: NewTracker: PerReplicaRPS must be a finite positive number")
	}
	return &Tracker{load: load}
}

// Load returns the tracker's load.
func (tr *Tracker) Load() Load { return tr.load }

// Started reports whether Observe was called.
func (tr *Tracker) Started() bool { return tr.started }

// Observe records that from now on ready replicas are Ready out of desired.
// The first call starts the integration at now; later calls first integrate
// [last, now) with the previous counts. now must not go backwards (a
// programmer error, which panics).
func (tr *Tracker) Observe(now sim.Time, ready, desired int32) {
	if tr.started {
		tr.Advance(now)
	} else {
		tr.started = true
		tr.last = now
	}
	tr.ready, tr.desired = max(ready, 0), max(desired, 0)
}

// Advance integrates up to now with the current counts. Before the first
// Observe it does nothing.
func (tr *Tracker) Advance(now sim.Time) {
	if !tr.started {
		return
	}
	if now < tr.last {
		panic("traffic: time went backwards")
	}
	if now == tr.last {
		return
	}
	a, b := tr.last.Seconds(), now.Seconds()
	capacity := float64(tr.ready) * tr.load.PerReplicaRPS
	offered := tr.load.Offered.Served(a, b, math.Inf(1))
	served := min(tr.load.Offered.Served(a, b, capacity), offered)
	var below time.Duration
	if tr.ready < tr.desired {
		below = now.Sub(tr.last)
	}
	shortfall := max(tr.load.Offered.Max(a, b)-capacity, 0)
	tr.total.add(offered, served, below, shortfall)
	for _, w := range tr.windows {
		w.totals.add(offered, served, below, shortfall)
	}
	tr.last = now
}

// Totals returns the figures of the whole run up to now (it advances the
// tracker to now). Before the first Observe they are zero.
func (tr *Tracker) Totals(now sim.Time) Totals {
	tr.Advance(now)
	return tr.total
}

// OpenWindow starts a window at now (advancing the tracker to now): the
// window accumulates every later interval until CloseWindow.
func (tr *Tracker) OpenWindow(now sim.Time) *Window {
	tr.Advance(now)
	w := &Window{open: true}
	tr.windows = append(tr.windows, w)
	return w
}

// CloseWindow ends w at now and returns its figures. Closing a closed window
// returns its figures unchanged.
func (tr *Tracker) CloseWindow(w *Window, now sim.Time) Totals {
	if !w.open {
		return w.totals
	}
	tr.Advance(now)
	w.open = false
	for i, x := range tr.windows {
		if x == w {
			tr.windows = append(tr.windows[:i], tr.windows[i+1:]...)
			break
		}
	}
	return w.totals
}
