package generators

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"time"

	"gonum.org/v1/gonum/stat/distuv"
)

// Arrivals is an arrival process: Next returns the time of the arrival that
// follows one at t (t is the previous arrival, or the generator's start).
// Times are virtual durations since the start of the run; rates are arrivals
// per second.
type Arrivals interface {
	Next(t time.Duration) time.Duration
	// Validate reports a bad parameter.
	Validate() error
}

// seconds converts a number of seconds to a Duration, rounding to the
// nanosecond and saturating at the largest Duration.
func seconds(x float64) time.Duration {
	switch {
	case math.IsNaN(x) || x <= 0:
		return 0
	case x >= float64(math.MaxInt64)/1e9:
		return math.MaxInt64
	}
	return time.Duration(math.Round(x * 1e9))
}

// add is a+b saturating at the largest Duration.
func add(a, b time.Duration) time.Duration {
	if b > math.MaxInt64-a {
		return math.MaxInt64
	}
	return a + b
}

func checkRate(rate float64) error {
	if !(rate > 0) || math.IsInf(rate, 0) {
		return fmt.Errorf("rate must be a positive number of arrivals per second, got %v", rate)
	}
	return nil
}

var errNoSource = errors.New("no random source: give a named stream (engine.Rand)")

// Poisson arrivals: exponential gaps with mean 1/Rate seconds.
type Poisson struct {
	// Rate is the mean number of arrivals per second.
	Rate float64
	// Src is the random stream (required), e.g. engine.Rand("workloads/<name>/arrivals").
	Src rand.Source
}

// Next implements Arrivals.
func (p *Poisson) Next(t time.Duration) time.Duration {
	return add(t, seconds(distuv.Exponential{Rate: p.Rate, Src: p.Src}.Rand()))
}

// Validate implements Arrivals.
func (p *Poisson) Validate() error {
	if p.Src == nil {
		return errNoSource
	}
	return checkRate(p.Rate)
}

// Constant arrivals: exactly 1/Rate seconds apart, the first 1/Rate after
// the start. It draws no random numbers.
type Constant struct {
	// Rate is the number of arrivals per second.
	Rate float64
}

// Next implements Arrivals.
func (c *Constant) Next(t time.Duration) time.Duration { return add(t, seconds(1/c.Rate)) }

// Validate implements Arrivals.
func (c *Constant) Validate() error { return checkRate(c.Rate) }

// OnOff arrivals come in bursts: Poisson at Rate during On, none during Off,
// repeating from time 0 (on first). A gap that runs past the end of an on
// period continues in the next one (the process is memoryless), so the mean
// is exactly Rate × On arrivals per cycle.
type OnOff struct {
	Rate    float64
	On, Off time.Duration
	Src     rand.Source
}

// Next implements Arrivals.
func (o *OnOff) Next(t time.Duration) time.Duration {
	cycle := o.On + o.Off
	gap := seconds(distuv.Exponential{Rate: o.Rate, Src: o.Src}.Rand())
	for {
		if t == math.MaxInt64 {
			return t
		}
		pos := t % cycle
		if pos >= o.On {
			t = add(t, cycle-pos)
			continue
		}
		left := o.On - pos
		if gap < left {
			return t + gap
		}
		gap -= left
		t = add(t, left+o.Off)
	}
}

// Validate implements Arrivals.
func (o *OnOff) Validate() error {
	if o.Src == nil {
		return errNoSource
	}
	if o.On <= 0 || o.Off < 0 {
		return fmt.Errorf("on must be positive and off non-negative, got on %v off %v", o.On, o.Off)
	}
	return checkRate(o.Rate)
}

// Diurnal arrivals are Poisson with a time-varying rate
//
//	rate(t) = Mean × (1 + Amplitude × cos(2π (t − Peak) / Period))
//
// drawn by thinning (Lewis–Shedler): candidates at the peak rate
// Mean × (1 + Amplitude), each kept with probability rate(t) / peak rate.
type Diurnal struct {
	// Mean is the average rate, arrivals per second.
	Mean float64
	// Amplitude in [0, 1]: 0 is a constant rate, 1 falls to zero at the trough.
	Amplitude float64
	// Period of the cycle (24h when zero).
	Period time.Duration
	// Peak is when in the cycle the rate is highest.
	Peak time.Duration
	Src  rand.Source
}

// Rate returns the arrival rate at t, per second.
func (d *Diurnal) Rate(t time.Duration) float64 {
	period := d.period()
	phase := float64((t-d.Peak)%period) / float64(period)
	return d.Mean * (1 + d.Amplitude*math.Cos(2*math.Pi*phase))
}

func (d *Diurnal) period() time.Duration {
	if d.Period == 0 {
		return 24 * time.Hour
	}
	return d.Period
}

// Next implements Arrivals.
func (d *Diurnal) Next(t time.Duration) time.Duration {
	peak := d.Mean * (1 + d.Amplitude)
	gaps := distuv.Exponential{Rate: peak, Src: d.Src}
	accept := distuv.Uniform{Min: 0, Max: 1, Src: d.Src}
	for {
		t = add(t, seconds(gaps.Rand()))
		if t == math.MaxInt64 || accept.Rand()*peak < d.Rate(t) {
			return t
		}
	}
}

// Validate implements Arrivals.
func (d *Diurnal) Validate() error {
	if d.Src == nil {
		return errNoSource
	}
	if !(d.Amplitude >= 0 && d.Amplitude <= 1) {
		return fmt.Errorf("amplitude must be in [0, 1], got %v", d.Amplitude)
	}
	if d.Period < 0 {
		return fmt.Errorf("period must be positive, got %v", d.Period)
	}
	return checkRate(d.Mean)
}
