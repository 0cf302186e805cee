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
	var m int64
	for i := range scores {
		m = max(m, scores[i].Score)
	}
	if m == 0 {
		if reverse {
			for i := range scores {
				scores[i].Score = maxPriority
			}
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
