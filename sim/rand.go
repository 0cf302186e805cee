package sim

import (
	"hash/fnv"
	"math/rand/v2"
)

// Rand returns a new random stream for the named component, seeded from the
// engine's (seed, run) and the name alone. Streams are independent: adding a
// component, or drawing more from one stream, never shifts another stream's
// draws. Names are slash-separated by convention: "scheduler/tiebreak",
// "failures", "workloads/arrivals". Asking twice for the same name returns two
// streams that produce the same sequence.
func (e *Engine) Rand(name string) *rand.Rand {
	return NewStream(e.seed, e.run, name)
}

// NewStream returns the random stream named name for (seed, run); Engine.Rand
// uses it. It is exported for tools that need a stream outside a running engine.
func NewStream(seed, run uint64, name string) *rand.Rand {
	h := fnv.New64a()
	_, _ = h.Write([]byte(name))
	n := h.Sum64()
	s1 := splitmix(seed ^ splitmix(run+0x9e3779b97f4a7c15))
	s2 := splitmix(n ^ s1)
	return rand.New(rand.NewPCG(s1, s2))
}

// splitmix is the SplitMix64 finaliser: a bijective mix of 64 bits.
func splitmix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}
