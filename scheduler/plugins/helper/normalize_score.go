// Package helper holds small pieces shared by the in-tree scheduler plugins.
package helper

import "github.com/kubesim/kubesim/scheduler/framework"

// DefaultNormalizeScore scales scores in place to [0, maxPriority] relative to
// the highest score, as upstream's helper.DefaultNormalizeScore (SEMANTICS
// 2.10): with m the maximum score, each s becomes maxPriority·s/m (integer,
// truncating), then maxPriority−that when reverse is set. When m is 0 every
// score becomes maxPriority if reverse, and stays unchanged otherwise.
// Scores are expected to be non-negative. It always returns nil.
func DefaultNormalizeScore(maxPriority int64, reverse bool, scores []framework.NodeScore) *framework.Status {
	var m, lo int64
	for i := range scores {
		m = max(m, scores[i].Score)
		lo = min(lo, scores[i].Score)
	}
	if m == 0 {
		if reverse {
			for i := range scores {
				scores[i].Score = maxPriority
			}
		}
		return nil
	}
	if lo >= 0 && maxPriority >= 0 && maxPriority <= maxNoDiv && m <= maxNoDiv {
		// The common case: no integer division (see divSmall).
		for i := range scores {
			var s int64 // 0 scores (most nodes, often) need no division
			if x := scores[i].Score; x != 0 {
				s = divSmall(maxPriority*x, m)
			}
			if reverse {
				s = maxPriority - s
			}
			scores[i].Score = s
		}
		return nil
	}
	for i := range scores {
		s := maxPriority * scores[i].Score / m
		if reverse {
			s = maxPriority - s
		}
		scores[i].Score = s
	}
	return nil
}

// maxNoDiv bounds the operands of divSmall: their product stays below 2⁵²,
// exact in float64.
const maxNoDiv = 1 << 26

// divSmall is x / d (truncating) for 0 ≤ x < 2⁵² and 0 < d < 2⁵²: a float64
// quotient corrected by multiply-compare, so bit for bit the integer one.
func divSmall(x, d int64) int64 {
	q := int64(float64(x) / float64(d))
	if q*d > x {
		q--
	} else if (q+1)*d <= x {
		q++
	}
	return q
}
