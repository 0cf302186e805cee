package traffic

import (
	"fmt"
	"math"
	"sort"
	"time"
)

// Offered is an offered-load curve: requests per second as a function of
// virtual time in seconds. Implementations are immutable values and safe to
// share between runs.
type Offered interface {
	// Rate returns the offered load at t, in rps (>= 0).
	Rate(t float64) float64
	// Served returns ∫_a^b min(Rate(t), capacity) dt in requests: what a
	// service able to serve capacity rps serves in [a, b]. With capacity
	// +Inf it is every offered request. It is 0 when b <= a; capacity < 0
	// counts as 0.
	Served(a, b, capacity float64) float64
	// Max returns the largest rate over [a, b) (Rate(a) when b <= a).
	Max(a, b float64) float64
}

// Check that every curve implements Offered.
var (
	_ Offered = Constant{}
	_ Offered = Diurnal{}
	_ Offered = (*Series)(nil)
)

// Constant is the same load at every moment.
type Constant struct {
	// RPS is the offered load in requests per second (>= 0).
	RPS float64
}

// Validate reports a negative or non-finite RPS.
func (c Constant) Validate() error {
	if !finiteNonNegative(c.RPS) {
		return fmt.Errorf("rps must be a finite number >= 0, got %v", c.RPS)
	}
	return nil
}

// Rate returns c.RPS.
func (c Constant) Rate(float64) float64 { return c.RPS }

// Served returns min(RPS, capacity) · (b − a).
func (c Constant) Served(a, b, capacity float64) float64 {
	if b <= a {
		return 0
	}
	return min(c.RPS, max(capacity, 0)) * (b - a)
}

// Max returns c.RPS.
func (c Constant) Max(float64, float64) float64 { return c.RPS }

// Diurnal is a daily (or any-period) cycle: a cosine between Trough and Peak,
//
//	r(t) = m − A·cos(2π (t − Phase) / Period),  m = (Peak + Trough)/2,  A = (Peak − Trough)/2,
//
// so the load is at its Trough at t = Phase (and every Period after) and at
// its Peak half a period later. With Phase 0 a run starts at the trough
// ("midnight").
type Diurnal struct {
	// Peak and Trough are the highest and lowest load, rps (Peak >= Trough >= 0).
	Peak, Trough float64
	// Period is the length of one cycle (> 0), e.g. 24h.
	Period time.Duration
	// Phase is a time at which the load is at its trough.
	Phase time.Duration
}

// Validate reports parameters that do not make a curve: a negative or
// non-finite trough, a peak below the trough, a non-positive period.
func (d Diurnal) Validate() error {
	switch {
	case !finiteNonNegative(d.Trough):
		return fmt.Errorf("trough must be a finite number >= 0, got %v", d.Trough)
	case !finiteNonNegative(d.Peak) || d.Peak < d.Trough:
		return fmt.Errorf("peak must be a finite number >= trough (%v), got %v", d.Trough, d.Peak)
	case d.Period <= 0:
		return fmt.Errorf("period must be positive, got %s", d.Period)
	}
	return nil
}

// params returns the mean m, the amplitude A and the angular frequency ω (rad/s).
func (d Diurnal) params() (m, amp, omega float64) {
	return (d.Peak + d.Trough) / 2, (d.Peak - d.Trough) / 2, 2 * math.Pi / d.Period.Seconds()
}

// theta is the curve's angle at t: 0 at a trough, π at a peak.
func (d Diurnal) theta(t float64) float64 {
	_, _, omega := d.params()
	return omega * (t - d.Phase.Seconds())
}

// Rate returns m − A·cos(θ(t)), clamped at 0 against rounding.
func (d Diurnal) Rate(t float64) float64 {
	m, amp, _ := d.params()
	return max(m-amp*math.Cos(d.theta(t)), 0)
}

// Served integrates min(r(t), c) over [a, b] in closed form:
//
//	∫ min(r, c) = ∫ r − ∫ (r − c)⁺
//	∫_a^b r dt  = m·(b − a) − (A/ω)·(sin θ(b) − sin θ(a))
//
// For Trough < c < Peak, r(t) > c exactly where cos θ < k = (m − c)/A, that is
// for θ mod 2π in (θ*, 2π − θ*) with θ* = arccos(k). In θ, one period's excess
// is E = (m − c)(2π − 2θ*) + 2A·sin θ*, and the excess from the start of a
// period to φ is 0 for φ <= θ*, (m − c)(φ − θ*) − A(sin φ − sin θ*) inside the
// region, and E after it. The excess over [a, b] is the difference of the
// cumulative excess (whole periods times E plus the partial one) at θ(b) and
// θ(a), divided by ω. c >= Peak serves everything, c <= Trough serves c·(b − a).
func (d Diurnal) Served(a, b, capacity float64) float64 {
	if b <= a {
		return 0
	}
	c := max(capacity, 0)
	m, amp, omega := d.params()
	if c <= d.Trough {
		return c * (b - a)
	}
	ta, tb := d.theta(a), d.theta(b)
	offered := m*(b-a) - amp/omega*(math.Sin(tb)-math.Sin(ta))
	if c >= d.Peak || amp == 0 {
		return max(offered, 0)
	}
	k := (m - c) / amp
	ts := math.Acos(k)
	perPeriod := (m-c)*(2*math.Pi-2*ts) + 2*amp*math.Sin(ts)
	cumulative := func(theta float64) float64 {
		n := math.Floor(theta / (2 * math.Pi))
		phi := theta - n*2*math.Pi
		var part float64
		switch {
		case phi <= ts:
		case phi < 2*math.Pi-ts:
			part = (m-c)*(phi-ts) - amp*(math.Sin(phi)-math.Sin(ts))
		default:
			part = perPeriod
		}
		return n*perPeriod + part
	}
	excess := (cumulative(tb) - cumulative(ta)) / omega
	return min(max(offered-excess, 0), c*(b-a))
}

// Max returns Peak when [a, b) contains a peak (θ ≡ π mod 2π), else the larger
// endpoint rate: between a trough and a peak the curve is monotone.
func (d Diurnal) Max(a, b float64) float64 {
	if b <= a {
		return d.Rate(a)
	}
	ta, tb := d.theta(a), d.theta(b)
	// The first peak at or after a is at θ = π + 2πj.
	j := math.Ceil((ta - math.Pi) / (2 * math.Pi))
	if math.Pi+2*math.Pi*j < tb {
		return d.Peak
	}
	return max(d.Rate(a), d.Rate(b))
}

// Series is a piecewise-constant load: RPS[i] from Times[i] until Times[i+1]
// (the last value until the end of the run), and 0 before Times[0]. Build one
// with NewSeries or ReadSeries.
type Series struct {
	times []float64
	rps   []float64
}

// NewSeries returns the series of the given points: times in seconds,
// non-negative and strictly increasing, and the load from each on, finite and
// >= 0. It copies its arguments.
func NewSeries(times, rps []float64) (*Series, error) {
	if len(times) != len(rps) {
		return nil, fmt.Errorf("traffic: %d times but %d rates", len(times), len(rps))
	}
	if len(times) == 0 {
		return nil, fmt.Errorf("traffic: a series needs at least one point")
	}
	for i := range times {
		switch {
		case !finiteNonNegative(times[i]):
			return nil, fmt.Errorf("traffic: point %d: time_seconds must be a finite number >= 0, got %v", i+1, times[i])
		case i > 0 && times[i] <= times[i-1]:
			return nil, fmt.Errorf("traffic: point %d: time_seconds %v is not after the previous point's %v", i+1, times[i], times[i-1])
		case !finiteNonNegative(rps[i]):
			return nil, fmt.Errorf("traffic: point %d: rps must be a finite number >= 0, got %v", i+1, rps[i])
		}
	}
	return &Series{times: append([]float64(nil), times...), rps: append([]float64(nil), rps...)}, nil
}

// Len returns the number of points.
func (s *Series) Len() int { return len(s.times) }

// Point returns the i-th point: its time in seconds and the load from then on.
func (s *Series) Point(i int) (t, rps float64) { return s.times[i], s.rps[i] }

// segment returns the index of the point in force at t, or -1 before the first.
func (s *Series) segment(t float64) int {
	return sort.Search(len(s.times), func(i int) bool { return s.times[i] > t }) - 1
}

// Rate returns the value of the last point at or before t (0 before the first).
func (s *Series) Rate(t float64) float64 {
	if i := s.segment(t); i >= 0 {
		return s.rps[i]
	}
	return 0
}

// Served sums min(RPS[i], capacity) times the overlap of each constant piece
// with [a, b]: exact.
func (s *Series) Served(a, b, capacity float64) float64 {
	if b <= a {
		return 0
	}
	c := max(capacity, 0)
	var sum float64
	s.each(a, b, func(lo, hi, r float64) { sum += min(r, c) * (hi - lo) })
	return sum
}

// Max returns the largest value of the pieces that overlap [a, b).
func (s *Series) Max(a, b float64) float64 {
	if b <= a {
		return s.Rate(a)
	}
	var m float64
	s.each(a, b, func(_, _, r float64) { m = max(m, r) })
	return m
}

// each calls f for every constant piece [lo, hi) of the curve within [a, b),
// in time order, the zero piece before the first point included.
func (s *Series) each(a, b float64, f func(lo, hi, r float64)) {
	i := s.segment(a)
	lo := a
	for lo < b {
		hi, r := b, 0.0
		if i >= 0 {
			r = s.rps[i]
		}
		if i+1 < len(s.times) {
			hi = min(b, s.times[i+1])
		}
		f(lo, hi, r)
		lo = hi
		i++
	}
}

func finiteNonNegative(v float64) bool { return v >= 0 && !math.IsInf(v, 0) && !math.IsNaN(v) }
