package noderesources

import (
	"testing"

	configv1 "k8s.io/kube-scheduler/config/v1"

	"github.com/kubesim/kubesim/scheduler/framework"
	tu "github.com/kubesim/kubesim/scheduler/plugins/internal/testutil"
	"github.com/kubesim/kubesim/sim/api"
)

func newBalanced(t testing.TB, args any) *BalancedAllocation {
	t.Helper()
	pl, err := NewBalancedAllocation(args, nil)
	if err != nil {
		t.Fatal(err)
	}
	return pl.(*BalancedAllocation)
}

func TestBalancedAllocationScore(t *testing.T) {
	n1 := tu.NodeInfo(tu.MakeNode().Name("n1").Alloc(4000, 8*Gi).Obj(), tu.MakePod().Name("e").Req(1000, 2*Gi).Obj())
	n1be := tu.NodeInfo(tu.MakeNode().Name("n1").Alloc(4000, 8*Gi).Obj(), tu.MakePod().Name("e").NoReq().Obj())
	empty := tu.NodeInfo(tu.MakeNode().Name("n2").Alloc(4000, 8*Gi).Obj())
	small := tu.NodeInfo(tu.MakeNode().Name("n3").Alloc(1000, 8*Gi).Obj())
	gpuNode := tu.NodeInfo(tu.MakeNode().Name("n4").Alloc(4000, 8*Gi).AllocRes(gpu, 4).Obj())
	three := &configv1.NodeResourcesBalancedAllocationArgs{Resources: rs("cpu", 1, "memory", 1, gpu, 1)}
	tests := []struct {
		name     string
		args     any
		pod      *api.Pod
		ni       *framework.NodeInfo
		wantSkip bool
		want     int64
	}{
		// cpu 2000/4000 = 0.5, mem 3/8 = 0.375: std 0.0625 → 93.75 → 93.
		{"two resources", nil, tu.MakePod().Name("p").Req(1000, Gi).Obj(), n1, false, 93},
		// 0.25 and 0.25: std 0 → 100.
		{"balanced", nil, tu.MakePod().Name("p").Req(1000, 2*Gi).Obj(), empty, false, 100},
		// Real requests, no non-zero default: cpu 0.5, mem 2/8 = 0.25 → std 0.125 → 87.
		{"memory request 0 stays 0", nil, tu.MakePod().Name("p").Req(1000, 0).Obj(), n1, false, 87},
		// Existing best-effort pod adds nothing: 0.25, 0.25 → 100.
		{"existing best-effort pod counts 0", nil, tu.MakePod().Name("p").Req(1000, 2*Gi).Obj(), n1be, false, 100},
		// cpu 2000/1000 capped at 1, mem 0.5 → std 0.25 → 75.
		{"fraction capped at 1", nil, tu.MakePod().Name("p").Req(2000, 4*Gi).Obj(), small, false, 75},
		// 0.5, 0.25, 0.75: mean 0.5, variance 0.125/3, std 0.2041 → 79.59 → 79.
		{"three resources", three, tu.MakePod().Name("p").Req(2000, 2*Gi).Ext(gpu, 3).Obj(), gpuNode, false, 79},
		// The pod does not request a GPU: two fractions 0.5, 0.25 → 87.
		{"unrequested extended resource skipped", three, tu.MakePod().Name("p").Req(2000, 2*Gi).Obj(), gpuNode, false, 87},
		// GPU requested but node has none: skipped, 0.5, 0.25 → 87.
		{"extended resource absent from node", three, tu.MakePod().Name("p").Req(2000, 2*Gi).Ext(gpu, 3).Obj(), empty, false, 87},
		// Only one fraction left (cpu; node has no memory): std 0 → 100.
		{"single fraction", nil, tu.MakePod().Name("p").Req(1000, Gi).Obj(), tu.NodeInfo(tu.MakeNode().Name("c").Alloc(4000, 0).Obj()), false, 100},
		{"best-effort pod skips", nil, tu.MakePod().Name("p").NoReq().Obj(), n1, true, 0},
		// Requests only a GPU, not configured: all configured requests 0 → Skip.
		{"only unconfigured resources skips", nil, tu.MakePod().Name("p").Ext(gpu, 1).Obj(), gpuNode, true, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, skipped := scoreOne(t, newBalanced(t, tc.args), tc.pod, tc.ni)
			if skipped != tc.wantSkip || got != tc.want {
				t.Errorf("score %d skip %v, want %d skip %v", got, skipped, tc.want, tc.wantSkip)
			}
		})
	}
}

func TestBalancedScoreWithoutPreScore(t *testing.T) {
	pl := newBalanced(t, nil)
	ni := tu.NodeInfo(tu.MakeNode().Name("n").Alloc(4000, 8*Gi).Obj(), tu.MakePod().Name("e").Req(1000, 2*Gi).Obj())
	if s, st := pl.Score(framework.NewCycleState(), tu.MakePod().Name("p").Req(1000, Gi).Obj(), ni); !st.IsSuccess() || s != 93 {
		t.Errorf("got %d %v, want 93", s, st)
	}
	if s, st := pl.Score(framework.NewCycleState(), tu.MakePod().Name("p").NoReq().Obj(), ni); !st.IsSuccess() || s != 0 {
		t.Errorf("best effort: got %d %v, want 0", s, st)
	}
}

func TestNewBalancedAllocationArgs(t *testing.T) {
	tests := []struct {
		name string
		args any
		ok   bool
	}{
		{"nil", nil, true},
		{"typed nil", (*configv1.NodeResourcesBalancedAllocationArgs)(nil), true},
		{"weight 0 means 1", &configv1.NodeResourcesBalancedAllocationArgs{Resources: rs("cpu", 0, "memory", 1)}, true},
		{"weight 2", &configv1.NodeResourcesBalancedAllocationArgs{Resources: rs("cpu", 2)}, false},
		{"duplicate", &configv1.NodeResourcesBalancedAllocationArgs{Resources: rs("cpu", 1, "cpu", 1)}, false},
		{"wrong type", &configv1.NodeResourcesFitArgs{}, false},
	}
	for _, tc := range tests {
		_, err := NewBalancedAllocation(tc.args, nil)
		if (err == nil) != tc.ok {
			t.Errorf("%s: err = %v, want ok=%v", tc.name, err, tc.ok)
		}
	}
}
