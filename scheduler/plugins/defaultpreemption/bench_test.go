package defaultpreemption

import (
	"fmt"
	"testing"

	"github.com/kubesim/kubesim/scheduler/framework"
	"github.com/kubesim/kubesim/scheduler/plugins/internal/testutil"
	"github.com/kubesim/kubesim/sim/api"
)

// benchPostFilter runs PostFilter for a 2000m pod of priority 100 on 5 000
// full 4000m nodes holding four 1000m pods of priority prio each.
func benchPostFilter(b *testing.B, prio int32) {
	h := newFakeHandle(b)
	m := framework.NodeToStatus{}
	for i := range 5000 {
		name := fmt.Sprintf("n%d", i)
		var pods []*api.Pod
		for j := range 4 {
			p := pod(fmt.Sprintf("%s-p%d", name, j), prio, 1000, float64(j))
			p.NodeName = name
			pods = append(pods, p)
		}
		h.Nodes = append(h.Nodes, testutil.NodeInfo(testutil.MakeNode().Name(name).Alloc(4000, 16*gi).Obj(), pods...))
		m[name] = framework.NewStatus(framework.Unschedulable, "Insufficient cpu")
	}
	pl, err := New(nil, h)
	if err != nil {
		b.Fatal(err)
	}
	hi := pod("hi", 100, 2000, -1)
	if _, err := h.St.Pods.Create("test", hi, ""); err != nil {
		b.Fatal(err)
	}
	state := h.prefilter(b, hi)
	// Victims are deleted in the store only if they exist there: they do not,
	// so every iteration finds the same candidates.
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		pl.(*DefaultPreemption).PostFilter(state, hi, m)
	}
}

// BenchmarkPostFilterNoVictims: no pod of lower priority anywhere, the usual
// case for a cluster of equal-priority pods; every node is examined.
func BenchmarkPostFilterNoVictims(b *testing.B) { benchPostFilter(b, 100) }

// BenchmarkPostFilterDryRun: every node is a candidate; 500 are dry-run.
func BenchmarkPostFilterDryRun(b *testing.B) { benchPostFilter(b, 10) }
