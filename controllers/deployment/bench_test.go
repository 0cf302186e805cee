package deployment

import (
	"fmt"
	"testing"
	"time"
)

// BenchmarkRollout rolls 500 Deployments of 10 replicas (25%/25%) to a new
// image, the ReplicaSet controller played by settle: one op is the whole
// rollout of all of them (about 4 syncs' worth of phases each).
func BenchmarkRollout(b *testing.B) {
	const n = 500
	for range b.N {
		b.StopTimer()
		h := newHarness(b)
		for i := range n {
			h.create(newDeployment(deploySpec{name: fmt.Sprintf("web-%d", i), replicas: 10}))
		}
		h.advance(time.Second)
		h.settle(nil)
		h.advance(time.Second)
		b.StartTimer()
		for i := range n {
			h.setImage(fmt.Sprintf("web-%d", i), "app:v2")
		}
		for range 4 {
			h.advance(time.Second)
			h.settle(nil)
		}
		h.advance(time.Second)
		b.StopTimer()
		if got := h.sizes("web-0"); got != "app:v1:0 app:v2:10" {
			b.Fatalf("rollout did not finish: %s", got)
		}
	}
}
