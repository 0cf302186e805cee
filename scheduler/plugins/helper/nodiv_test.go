package helper

import (
	"math/rand/v2"
	"testing"
)

// TestDivSmall checks the division-free quotient against integer division.
func TestDivSmall(t *testing.T) {
	r := rand.New(rand.NewPCG(4, 2))
	for range 200000 {
		d := 1 + r.Int64N(maxNoDiv)
		x := r.Int64N(d*100 + 1)
		if got, want := divSmall(x, d), x/d; got != want {
			t.Fatalf("divSmall(%d, %d) = %d, want %d", x, d, got, want)
		}
	}
	for d := int64(1); d <= 200; d++ {
		for s := int64(0); s <= d; s++ {
			if x := 100 * s; divSmall(x, d) != x/d {
				t.Fatalf("divSmall(%d, %d) = %d, want %d", x, d, divSmall(x, d), x/d)
			}
		}
	}
}
