package traffic

import (
	"math"
	"strings"
	"testing"
	"time"

	"github.com/kubesim/kubesim/sim"
)

const eps = 1e-9

func near(got, want float64) bool {
	return math.Abs(got-want) <= eps*max(1, math.Abs(want))
}

func sec(s float64) sim.Time { return sim.Time(s * 1e9) }

func TestConstant(t *testing.T) {
	c := Constant{RPS: 100}
	for _, tc := range []struct {
		a, b, capacity, want float64
	}{
		{0, 10, math.Inf(1), 1000},
		{0, 10, 40, 400},
		{5, 7, 100, 200},
		{5, 7, -3, 0},
		{7, 5, 100, 0},
	} {
		if got := c.Served(tc.a, tc.b, tc.capacity); !near(got, tc.want) {
			t.Errorf("Served(%v, %v, %v) = %v, want %v", tc.a, tc.b, tc.capacity, got, tc.want)
		}
	}
	if c.Max(0, 10) != 100 || c.Rate(3) != 100 {
		t.Error("Constant's Max or Rate is not RPS")
	}
}

// The diurnal curve of these tests: trough 0 at t = 0, peak 200 at t = 50,
// period 100 s: r(t) = 100 − 100·cos(2πt/100), ω = π/50.
var day = Diurnal{Peak: 200, Trough: 0, Period: 100 * time.Second}

func TestDiurnalRate(t *testing.T) {
	for _, tc := range []struct{ t, want float64 }{
		{0, 0}, {25, 100}, {50, 200}, {75, 100}, {100, 0}, {-50, 200}, {150, 200},
	} {
		if got := day.Rate(tc.t); !near(got, tc.want) && math.Abs(got-tc.want) > 1e-9 {
			t.Errorf("Rate(%v) = %v, want %v", tc.t, got, tc.want)
		}
	}
	shifted := Diurnal{Peak: 10, Trough: 2, Period: time.Hour, Phase: 15 * time.Minute}
	if got := shifted.Rate(15 * 60); !near(got, 2) {
		t.Errorf("trough at Phase: Rate = %v, want 2", got)
	}
	if got := shifted.Rate(45 * 60); !near(got, 10) {
		t.Errorf("peak half a period after Phase: Rate = %v, want 10", got)
	}
}

// TestDiurnalServed checks the closed form against integrals done by hand.
func TestDiurnalServed(t *testing.T) {
	pi := math.Pi
	for _, tc := range []struct {
		name             string
		a, b, c, want    float64
		derivation       string
		curve            *Diurnal
		compareNumerical bool
	}{
		{name: "full period uncapped", a: 0, b: 100, c: math.Inf(1), want: 10000,
			derivation: "mean 100 × 100 s"},
		{name: "full period capped at the mean", a: 0, b: 100, c: 100, want: 10000 - 10000/pi,
			derivation: "r < 100 on θ ∈ (−π/2, π/2): ∫(100 − 100cosθ)dθ/ω = (100π − 200)/ω; capped half 100π/ω; ω = π/50"},
		{name: "quarter below the cap", a: 0, b: 25, c: 100, want: 2500 - 5000/pi,
			derivation: "∫_0^25 100 − 100cos(πt/50) dt = 2500 − (5000/π)·sin(π/2)"},
		{name: "quarter above the cap", a: 25, b: 50, c: 100, want: 2500,
			derivation: "r >= 100 on [25, 50]: capped throughout"},
		{name: "capacity above the peak", a: 10, b: 60, c: 500,
			want:       100*50 - 5000/pi*(math.Sin(pi*60/50)-math.Sin(pi*10/50)),
			derivation: "m(b−a) − (A/ω)(sin θb − sin θa)"},
		{name: "capacity at the trough", a: 0, b: 100, c: 0, want: 0},
		{name: "three periods, cap 150", a: 0, b: 300, c: 150,
			// Per period: r > 150 where cos θ < −1/2, θ ∈ (2π/3, 4π/3); excess
			// ∫(−50 − 100cosθ)dθ over it = −50·(2π/3) + 200·sin(π/3) = −100π/3 + 100√3,
			// in time ×50/π. Served per period = 10000 − 50/π·(100√3 − 100π/3).
			want: 3 * (10000 - 50/pi*(100*math.Sqrt(3)-100*pi/3))},
		{name: "window straddling a peak, cap 150", a: 40, b: 60, c: 150,
			// r > 150 for t ∈ (100/3, 200/3): the whole window; served = 150 × 20.
			want: 3000},
		{name: "negative times, before Phase", a: -100, b: 0, c: 100, want: 10000 - 10000/pi},
	} {
		curve := day
		if tc.curve != nil {
			curve = *tc.curve
		}
		if got := curve.Served(tc.a, tc.b, tc.c); !near(got, tc.want) {
			t.Errorf("%s: Served(%v, %v, %v) = %.12f, want %.12f (%s)", tc.name, tc.a, tc.b, tc.c, got, tc.want, tc.derivation)
		}
	}
}

// TestDiurnalServedAgainstQuadrature compares the closed form with a fine
// midpoint rule on windows that start and end anywhere in a period.
func TestDiurnalServedAgainstQuadrature(t *testing.T) {
	d := Diurnal{Peak: 900, Trough: 150, Period: 24 * time.Hour, Phase: 3 * time.Hour}
	for _, w := range []struct{ a, b, c float64 }{
		{0, 86400, 500}, {1000, 50000, 300}, {40000, 200000, 800}, {86000, 86800, 151}, {10, 20, 899},
	} {
		const n = 200000
		h := (w.b - w.a) / n
		var sum float64
		for i := 0; i < n; i++ {
			sum += min(d.Rate(w.a+(float64(i)+0.5)*h), w.c) * h
		}
		if got := d.Served(w.a, w.b, w.c); math.Abs(got-sum) > 1e-6*sum {
			t.Errorf("Served(%v, %v, %v) = %v, quadrature %v", w.a, w.b, w.c, got, sum)
		}
	}
}

func TestDiurnalMax(t *testing.T) {
	for _, tc := range []struct{ a, b, want float64 }{
		{0, 25, 100}, {0, 60, 200}, {60, 90, day.Rate(60)}, {50, 51, 200}, {49, 50, day.Rate(50 - 1e-9)},
		{90, 160, 200}, {10, 10, day.Rate(10)},
	} {
		if got := day.Max(tc.a, tc.b); !near(got, tc.want) && math.Abs(got-tc.want) > 1e-6 {
			t.Errorf("Max(%v, %v) = %v, want %v", tc.a, tc.b, got, tc.want)
		}
	}
}

func TestSeries(t *testing.T) {
	s, err := NewSeries([]float64{5, 10, 20}, []float64{10, 30, 5})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ a, b, c, want float64 }{
		{5, 25, 20, 10*5 + 20*10 + 5*5},         // 275
		{5, 25, math.Inf(1), 50 + 300 + 25},     // 375
		{0, 8, math.Inf(1), 0*5 + 10*3},         // zero before the first point
		{12, 14, 100, 60},                       // inside one piece
		{19, 1000, 4, 4 + 4*980},                // last value holds
		{10, 20, 30, 300},                       // exact piece
		{0, 5, 100, 0},                          // before the first point
		{7.5, 10, 1, 2.5},                       // up to a boundary
		{10, 10, 100, 0},                        // empty
		{20, 15, 100, 0},                        // reversed
		{4.999, 5.001, math.Inf(1), 0.001 * 10}, // straddles the first point
	} {
		if got := s.Served(tc.a, tc.b, tc.c); !near(got, tc.want) {
			t.Errorf("Served(%v, %v, %v) = %v, want %v", tc.a, tc.b, tc.c, got, tc.want)
		}
	}
	for _, tc := range []struct{ a, b, want float64 }{
		{5, 25, 30}, {0, 5, 0}, {0, 5.1, 10}, {20, 99, 5}, {10, 20, 30}, {20, 20, 5}, {9.9, 10, 10},
	} {
		if got := s.Max(tc.a, tc.b); got != tc.want {
			t.Errorf("Max(%v, %v) = %v, want %v", tc.a, tc.b, got, tc.want)
		}
	}
	if s.Rate(4) != 0 || s.Rate(5) != 10 || s.Rate(19.99) != 30 || s.Rate(1e9) != 5 {
		t.Error("Rate does not follow the points")
	}
}

func TestNewSeriesRejects(t *testing.T) {
	for _, tc := range []struct {
		times, rps []float64
		want       string
	}{
		{nil, nil, "at least one point"},
		{[]float64{0, 1}, []float64{1}, "2 times but 1 rates"},
		{[]float64{0, 0}, []float64{1, 2}, "point 2: time_seconds 0 is not after"},
		{[]float64{-1}, []float64{1}, "point 1: time_seconds must be"},
		{[]float64{0}, []float64{math.NaN()}, "point 1: rps must be"},
	} {
		_, err := NewSeries(tc.times, tc.rps)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("NewSeries(%v, %v) = %v, want an error containing %q", tc.times, tc.rps, err, tc.want)
		}
	}
}

func TestReadSeries(t *testing.T) {
	s, err := ReadSeries(strings.NewReader("time_seconds,rps\n0,100\n# a comment\n600, 250.5\n1200,0\n"))
	if err != nil {
		t.Fatal(err)
	}
	if s.Len() != 3 {
		t.Fatalf("Len = %d, want 3", s.Len())
	}
	if tt, r := s.Point(1); tt != 600 || r != 250.5 {
		t.Errorf("Point(1) = %v, %v", tt, r)
	}
	for _, tc := range []struct{ in, want string }{
		{"", "no data lines"},
		{"time_seconds,rps\n", "no data lines"},
		{"0,1\n10,x\n", "line 2: rps \"x\" is not a number"},
		{"0,1\n0,2\n", "line 2: time_seconds 0 is not after"},
		{"0,1,2\n", "line 1: expected 2 fields"},
		{"0,-1\n", "line 1: time_seconds and rps must be"},
		{"rps,time_seconds\n", "line 1: time_seconds \"rps\" is not a number"},
	} {
		_, err := ReadSeries(strings.NewReader(tc.in))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("ReadSeries(%q) = %v, want an error containing %q", tc.in, err, tc.want)
		}
	}
}

func TestValidate(t *testing.T) {
	for _, tc := range []struct {
		v    interface{ Validate() error }
		want string
	}{
		{Constant{RPS: -1}, "rps must be"},
		{Diurnal{Peak: 1, Trough: 2, Period: time.Hour}, "peak must be"},
		{Diurnal{Peak: 2, Trough: -1, Period: time.Hour}, "trough must be"},
		{Diurnal{Peak: 2, Trough: 1}, "period must be positive"},
	} {
		if err := tc.v.Validate(); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%+v.Validate() = %v, want %q", tc.v, err, tc.want)
		}
	}
	if err := (Diurnal{Peak: 2, Trough: 2, Period: time.Hour}).Validate(); err != nil {
		t.Errorf("a flat diurnal curve is valid: %v", err)
	}
}

// TestTracker: 100 rps constant, 10 rps per replica, 10 desired; Ready 10 on
// [0, 10), 5 on [10, 30), 10 on [30, 60). Offered 6000; served 1000 + 1000 +
// 3000 = 5000; below desired 20 s; worst shortfall 100 − 50 = 50 rps.
func TestTracker(t *testing.T) {
	tr := NewTracker(Load{Offered: Constant{RPS: 100}, PerReplicaRPS: 10})
	tr.Observe(sec(0), 10, 10)
	tr.Observe(sec(10), 5, 10)
	w := tr.OpenWindow(sec(20))
	tr.Observe(sec(30), 10, 10)
	win := tr.CloseWindow(w, sec(40))
	got := tr.Totals(sec(60))
	want := Totals{Offered: 6000, Served: 5000, BelowDesired: 20 * time.Second, WorstShortfall: 50}
	if !near(got.Offered, want.Offered) || !near(got.Served, want.Served) || got.BelowDesired != want.BelowDesired || got.WorstShortfall != want.WorstShortfall {
		t.Errorf("Totals = %+v, want %+v", got, want)
	}
	if d := got.DemandServed(); !near(d, 5.0/6) {
		t.Errorf("DemandServed = %v, want 5/6", d)
	}
	// The window [20, 40): 10 s at 5 ready (500 of 1000) then 10 s at 10 (1000).
	wantWin := Totals{Offered: 2000, Served: 1500, BelowDesired: 10 * time.Second, WorstShortfall: 50}
	if !near(win.Offered, wantWin.Offered) || !near(win.Served, wantWin.Served) || win.BelowDesired != wantWin.BelowDesired || win.WorstShortfall != wantWin.WorstShortfall {
		t.Errorf("window = %+v, want %+v", win, wantWin)
	}
	if again := tr.CloseWindow(w, sec(60)); again != win {
		t.Error("closing a closed window changed it")
	}
}

// TestTrackerDiurnal: the day curve with 10 replicas of 10 rps (cap 100) over
// one period serves 10000 − 10000/π; scaling to 20 replicas at t = 50 (the
// peak) serves everything after it: [0, 50) capped at 100 is 5000 − 5000/π,
// [50, 100) uncapped is 5000.
func TestTrackerDiurnal(t *testing.T) {
	tr := NewTracker(Load{Offered: day, PerReplicaRPS: 10})
	tr.Observe(sec(0), 10, 10)
	tr.Observe(sec(50), 20, 20)
	got := tr.Totals(sec(100))
	want := 5000 - 5000/math.Pi + 5000
	if !near(got.Served, want) || !near(got.Offered, 10000) {
		t.Errorf("served %v of %v, want %v of 10000", got.Served, got.Offered, want)
	}
	if !near(got.WorstShortfall, 100) {
		t.Errorf("worst shortfall %v, want 100 (the peak 200 against 100 just before t = 50)", got.WorstShortfall)
	}
	if got.BelowDesired != 0 {
		t.Errorf("below desired %v, want 0", got.BelowDesired)
	}
}

func TestTrackerEdges(t *testing.T) {
	tr := NewTracker(Load{Offered: Constant{RPS: 0}, PerReplicaRPS: 1})
	if tr.Totals(sec(5)) != (Totals{}) || tr.Started() {
		t.Error("a tracker not yet observed has figures")
	}
	tr.Observe(sec(5), 0, 3)
	got := tr.Totals(sec(15))
	if got.DemandServed() != 1 || got.BelowDesired != 10*time.Second || got.WorstShortfall != 0 {
		t.Errorf("nothing offered: %+v, DemandServed %v", got, got.DemandServed())
	}
	defer func() {
		if recover() == nil {
			t.Error("going back in time did not panic")
		}
	}()
	tr.Advance(sec(1))
}

func BenchmarkDiurnalServed(b *testing.B) {
	d := Diurnal{Peak: 900, Trough: 150, Period: 24 * time.Hour}
	for i := 0; b.Loop(); i++ {
		d.Served(float64(i), float64(i)+3600, 500)
	}
}
