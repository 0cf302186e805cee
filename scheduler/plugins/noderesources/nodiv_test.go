package noderesources

import (
	"math/rand/v2"
	"testing"
)

// TestLeastScoreNoDiv checks the division-free LeastAllocated score against
// the dividing one, bit for bit, at the edges and at random.
func TestLeastScoreNoDiv(t *testing.T) {
	check := func(req, capacity int64) {
		t.Helper()
		if got, want := leastScoreNoDiv(req, capacity), leastRequestedScore(req, capacity); got != want {
			t.Fatalf("leastScoreNoDiv(%d, %d) = %d, want %d", req, capacity, got, want)
		}
	}
	for _, capacity := range []int64{0, 1, 2, 3, 7, 100, 101, 1000, 32000, 128 << 30, maxNoDivCapacity, maxNoDivCapacity + 1, 1 << 60} {
		for _, req := range []int64{-5, 0, 1, capacity / 3, capacity / 2, capacity - 1, capacity, capacity + 1} {
			check(req, capacity)
		}
	}
	r := rand.New(rand.NewPCG(1, 2))
	for range 200000 {
		capacity := r.Int64N(1 << uint(1+r.IntN(46)))
		check(r.Int64N(capacity+2), capacity)
	}
	// Every quotient boundary of a small capacity.
	for capacity := int64(1); capacity <= 300; capacity++ {
		for req := int64(0); req <= capacity; req++ {
			check(req, capacity)
		}
	}
}
