package compare

import (
	"math"
	"strconv"
	"testing"
)

// f6 formats like the outputs do, "NaN" for undefined, so that expectations
// read as the six-decimal numbers they are.
func f6(v float64) string {
	if math.IsNaN(v) {
		return "NaN"
	}
	return strconv.FormatFloat(v, 'f', 6, 64)
}

// TestTQuantile checks gonum's Student t quantiles against the printed
// tables (two-sided 95 %: t(0.975, ν)).
func TestTQuantile(t *testing.T) {
	for _, tc := range []struct {
		nu   float64
		want string
	}{{1, "12.706205"}, {2, "4.302653"}, {3, "3.182446"}, {4, "2.776445"}, {9, "2.262157"}, {29, "2.045230"}} {
		if got := f6(TQuantile(0.975, tc.nu)); got != tc.want {
			t.Errorf("t(0.975, %v) = %s, want %s", tc.nu, got, tc.want)
		}
	}
}

// TestDescribe checks every figure against hand computations:
// sd = √(Σ(x−mean)²/(n−1)), h = t(0.975, n−1)·sd/√n.
func TestDescribe(t *testing.T) {
	tests := []struct {
		name string
		in   []float64
		// n, mean, sd, half-width, low, high, median, min, max
		want [9]string
	}{
		// Σ(x−3)² = 10, sd = √2.5 = 1.581139; h = 2.776445·1.581139/√5 = 1.963243.
		{"1..5", []float64{1, 2, 3, 4, 5},
			[9]string{"5", "3.000000", "1.581139", "1.963243", "1.036757", "4.963243", "3.000000", "1.000000", "5.000000"}},
		// Even n: the median is the mean of the middle two (2 and 3).
		// Σ = 2.25+0.25+0.25+2.25 = 5, sd = √(5/3) = 1.290994; h = 3.182446·1.290994/2 = 2.054260.
		{"even, unsorted", []float64{4, 1, 3, 2},
			[9]string{"4", "2.500000", "1.290994", "2.054260", "0.445740", "4.554260", "2.500000", "1.000000", "4.000000"}},
		// n = 2: sd = √2, h = 12.706205·√2/√2.
		{"two", []float64{2, 4},
			[9]string{"2", "3.000000", "1.414214", "12.706205", "-9.706205", "15.706205", "3.000000", "2.000000", "4.000000"}},
		{"constant", []float64{0.5, 0.5, 0.5},
			[9]string{"3", "0.500000", "0.000000", "0.000000", "0.500000", "0.500000", "0.500000", "0.500000", "0.500000"}},
		{"one", []float64{7},
			[9]string{"1", "7.000000", "NaN", "NaN", "NaN", "NaN", "7.000000", "7.000000", "7.000000"}},
		{"none", nil,
			[9]string{"0", "NaN", "NaN", "NaN", "NaN", "NaN", "NaN", "NaN", "NaN"}},
	}
	for _, tt := range tests {
		in := append([]float64(nil), tt.in...)
		s := Describe(in)
		got := [9]string{strconv.Itoa(s.N), f6(s.Mean), f6(s.SD), f6(s.HalfWidth), f6(s.Low), f6(s.High), f6(s.Median), f6(s.Min), f6(s.Max)}
		if got != tt.want {
			t.Errorf("%s:\n got  %v\n want %v", tt.name, got, tt.want)
		}
		for i := range in {
			if in[i] != tt.in[i] {
				t.Errorf("%s: Describe modified its input: %v", tt.name, in)
				break
			}
		}
	}
}

func TestRelDiff(t *testing.T) {
	nan := math.NaN()
	for _, tc := range []struct {
		mean, base float64
		want       string
	}{
		{6, 3, "1.000000"},
		{1.5, 3, "-0.500000"},
		{-1, -2, "0.500000"}, // |base|: −1 is above −2
		{0, 0, "0.000000"},
		{1, 0, "NaN"},
		{nan, 1, "NaN"},
		{1, nan, "NaN"},
	} {
		if got := f6(RelDiff(tc.mean, tc.base)); got != tc.want {
			t.Errorf("RelDiff(%v, %v) = %s, want %s", tc.mean, tc.base, got, tc.want)
		}
	}
}

func BenchmarkDescribe(b *testing.B) {
	xs := make([]float64, 50)
	for i := range xs {
		xs[i] = float64((i * 37) % 50)
	}
	b.ReportAllocs()
	for b.Loop() {
		Describe(xs)
	}
}
