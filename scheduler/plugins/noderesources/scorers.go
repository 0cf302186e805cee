package noderesources

import (
	"math"

	"github.com/kubesim/kubesim/scheduler/framework"
)

// leastRequestedScore is (capacity − requested)·100 / capacity, 0 when the
// request exceeds capacity (LeastAllocated, SEMANTICS 2.1).
func leastRequestedScore(requested, capacity int64) int64 {
	if capacity == 0 || requested > capacity {
		return 0
	}
	return (capacity - requested) * framework.MaxNodeScore / capacity
}

// maxNoDivCapacity bounds the capacities leastScoreNoDiv handles without
// dividing: (capacity − requested)·100 stays far below 2⁵³, so it converts
// to float64 exactly and the quotient estimate is off by at most one.
const maxNoDivCapacity = 1 << 45

// leastScoreNoDiv is leastRequestedScore, bit for bit, with the integer
// division replaced by a float64 estimate corrected by multiply-compare
// (the quotient is in [0, 100]).
func leastScoreNoDiv(requested, capacity int64) int64 {
	if capacity == 0 || requested > capacity {
		return 0
	}
	if capacity > maxNoDivCapacity || capacity < 0 || requested < 0 {
		return leastRequestedScore(requested, capacity)
	}
	return leastQuotient(requested, capacity)
}

// leastQuotient is (capacity − requested)·100 / capacity for
// 0 ≤ requested ≤ capacity and 0 < capacity ≤ maxNoDivCapacity, small
// enough to inline. x = (capacity − requested)·100 and capacity are exact
// in float64, and rounding is monotonic, so the correctly rounded quotient
// lies in [⌊x/capacity⌋, ⌊x/capacity⌋ + 1]: truncated, it is the floor or
// one above it, which one multiply-compare tells apart.
func leastQuotient(requested, capacity int64) int64 {
	x := (capacity - requested) * framework.MaxNodeScore
	q := int64(float64(x) / float64(capacity))
	if q*capacity > x {
		q--
	}
	return q
}

// mostRequestedScore is min(requested, capacity)·100 / capacity
// (MostAllocated, SEMANTICS 2.2).
func mostRequestedScore(requested, capacity int64) int64 {
	if capacity == 0 {
		return 0
	}
	requested = min(requested, capacity)
	return requested * framework.MaxNodeScore / capacity
}

// shapeScore maps utilization (requested·100/capacity, or 100 when over
// capacity) through the broken-linear shape (SEMANTICS 2.3).
func (f *Fit) shapeScore(requested, capacity int64) int64 {
	u := int64(100)
	if capacity != 0 && requested <= capacity {
		u = requested * 100 / capacity
	}
	return brokenLinear(f.shape, u)
}

// brokenLinear evaluates the piecewise-linear function through shape at u:
// the first point's score at or below it, the last point's score above it,
// integer interpolation in between.
func brokenLinear(shape []shapePoint, u int64) int64 {
	for i := range shape {
		if u <= shape[i].utilization {
			if i == 0 {
				return shape[0].score
			}
			a, b := shape[i-1], shape[i]
			return a.score + (b.score-a.score)*(u-a.utilization)/(b.utilization-a.utilization)
		}
	}
	return shape[len(shape)-1].score
}

// roundHalfAway rounds x to the nearest integer, halves away from zero
// (math.Round).
func roundHalfAway(x float64) int64 { return int64(math.Round(x)) }
