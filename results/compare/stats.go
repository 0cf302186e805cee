package compare

import (
	"math"
	"slices"

	"gonum.org/v1/gonum/stat"
	"gonum.org/v1/gonum/stat/distuv"
)

// Confidence is the confidence level of the intervals: 95 %.
const Confidence = 0.95

// Stats describes one metric over the runs of one group. Undefined figures
// are NaN (see the package doc).
type Stats struct {
	// N is the number of runs that reported the metric.
	N int
	// Mean is the arithmetic mean; SD the sample standard deviation (n−1).
	Mean, SD float64
	// HalfWidth is the half-width of the 95 % confidence interval of the
	// mean (Student's t); Low and High are its bounds.
	HalfWidth, Low, High float64
	// Median, Min and Max describe the sample itself.
	Median, Min, Max float64
}

// TQuantile is the quantile p of Student's t distribution with nu degrees of
// freedom (location 0, scale 1): TQuantile(0.975, 4) = 2.776445.
func TQuantile(p, nu float64) float64 {
	return distuv.StudentsT{Mu: 0, Sigma: 1, Nu: nu}.Quantile(p)
}

// Describe computes the Stats of xs, which it does not modify. With no
// values every figure is NaN; with one, SD and the interval are.
func Describe(xs []float64) Stats { return describe(xs, TQuantile) }

// describe is Describe with the t quantile function given (Compute passes a
// memoized one: the quantile is the costly part).
func describe(xs []float64, tq func(p, nu float64) float64) Stats {
	nan := math.NaN()
	s := Stats{N: len(xs), Mean: nan, SD: nan, HalfWidth: nan, Low: nan, High: nan, Median: nan, Min: nan, Max: nan}
	if len(xs) == 0 {
		return s
	}
	sorted := slices.Clone(xs)
	slices.Sort(sorted)
	n := len(sorted)
	s.Min, s.Max = sorted[0], sorted[n-1]
	if n%2 == 1 {
		s.Median = sorted[n/2]
	} else {
		s.Median = (sorted[n/2-1] + sorted[n/2]) / 2
	}
	if n == 1 {
		s.Mean = sorted[0]
		return s
	}
	// Summed in the order given: floating-point sums depend on order, and
	// callers give runs in seed order.
	s.Mean, s.SD = stat.MeanStdDev(xs, nil)
	s.HalfWidth = tq(1-(1-Confidence)/2, float64(n-1)) * s.SD / math.Sqrt(float64(n))
	s.Low, s.High = s.Mean-s.HalfWidth, s.Mean+s.HalfWidth
	return s
}

// RelDiff is (mean − base) / |base|: 0 when both are 0, NaN when base is 0
// and mean is not, or when either is NaN.
func RelDiff(mean, base float64) float64 {
	switch {
	case math.IsNaN(mean) || math.IsNaN(base):
		return math.NaN()
	case base == 0 && mean == 0:
		return 0
	case base == 0:
		return math.NaN()
	}
	return (mean - base) / math.Abs(base)
}
