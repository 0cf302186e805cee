package plugins

import (
	"testing"

	"github.com/kubesim/kubesim/scheduler/plugins/fgd"
	"github.com/kubesim/kubesim/scheduler/plugins/internal/testutil"
)

// TestRegistry builds every registered plugin with default args and checks
// that it answers to the name it is registered under.
func TestRegistry(t *testing.T) {
	reg := NewInTreeRegistry()
	want := []string{"SchedulingGates", "PrioritySort", "NodeUnschedulable", "NodeName", "TaintToleration",
		"NodeAffinity", "NodeResourcesFit", "NodeResourcesBalancedAllocation", "PodTopologySpread", "DefaultBinder", "DefaultPreemption",
		"NodePorts", "ImageLocality", "InterPodAffinity",
		"Random", "BestFit", "WorstFit", "FirstFit", "DotProduct",
		"GpuShare", "FGD", "GpuPacking", "GpuClustering", "DotProd", "GpuBestFit", "GpuRandom"}
	if len(reg) != len(want) {
		t.Errorf("registry has %d plugins, want %d", len(reg), len(want))
	}
	h := testutil.NewHandle()
	for _, name := range want {
		f, ok := reg[name]
		if !ok {
			t.Errorf("%s not registered", name)
			continue
		}
		var args any
		if name == fgd.Name { // FGD needs its typical pods
			args = &fgd.Args{TypicalPods: []fgd.TypicalPodSpec{{CPU: 1000, GPUMilli: 500, NumGPU: 1, Weight: 1}}}
		}
		pl, err := f(args, h)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if pl.Name() != name {
			t.Errorf("%s: plugin calls itself %s", name, pl.Name())
		}
	}
}
