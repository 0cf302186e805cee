package fgd

import (
	"testing"

	tu "github.com/kubesim/kubesim/scheduler/plugins/internal/testutil"
)

// BenchmarkScore scores a sharing pod on an 8-GPU node with 30 typical
// shapes (the size of the openb default workload's 95% set).
func BenchmarkScore(b *testing.B) {
	var specs []TypicalPodSpec
	for i := range 30 {
		specs = append(specs, TypicalPodSpec{CPU: int64(1000 + 500*i), GPUMilli: int64(50 + 30*i), NumGPU: 1, Weight: float64(30 - i)})
	}
	pl, err := New(&Args{TypicalPods: specs}, nil)
	if err != nil {
		b.Fatal(err)
	}
	f := pl.(*FGD)
	ni := tu.NodeInfo(tu.GPUNode("n", 96000, 8, "G2"),
		tu.GPUPod("a", 1000, 1, 300, "1"), tu.GPUPod("b", 1000, 1, 700, "2"), tu.GPUPod("c", 1000, 1, 1000, "3"))
	p := tu.GPUPod("p", 4000, 1, 250, "")
	b.ReportAllocs()
	for b.Loop() {
		f.Score(nil, p, ni)
	}
}
