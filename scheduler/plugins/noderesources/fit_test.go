package noderesources

import (
	"fmt"
	"slices"
	"testing"

	configv1 "k8s.io/kube-scheduler/config/v1"

	"github.com/kubesim/kubesim/scheduler/framework"
	tu "github.com/kubesim/kubesim/scheduler/plugins/internal/testutil"
	"github.com/kubesim/kubesim/sim/api"
)

const (
	gpu  = "example.com/gpu"
	huge = "hugepages-2Mi"
	Gi   = tu.Gi
	Mi   = tu.Mi
)

func newFit(t testing.TB, args any) *Fit {
	t.Helper()
	pl, err := NewFit(args, nil)
	if err != nil {
		t.Fatal(err)
	}
	return pl.(*Fit)
}

func TestFitFilter(t *testing.T) {
	// n1: 4000m, 8Gi, 1 GPU, 2Mi hugepages 4Mi, 10Gi ephemeral; a pod using
	// 3000m and 2Gi, so 1000m and 6Gi are free.
	n1 := tu.MakeNode().Name("n1").Alloc(4000, 8*Gi).AllocRes(gpu, 1).AllocRes(huge, 4*Mi).
		AllocRes(api.ResourceEphemeralStorage, 10*Gi).Obj()
	used := tu.MakePod().Name("used").Req(3000, 2*Gi).Obj()
	full := tu.MakeNode().Name("full").Alloc(4000, 8*Gi).Pods(1).Obj()
	type want struct {
		code    framework.Code
		reasons []string
	}
	ok := want{framework.Success, nil}
	tests := []struct {
		name string
		args any
		pod  *api.Pod
		node *api.Node
		want want
	}{
		{"fits", nil, tu.MakePod().Name("p").Req(500, Gi).Obj(), n1, ok},
		{"fits exactly", nil, tu.MakePod().Name("p").Req(1000, 6*Gi).Obj(), n1, ok},
		// 1500 > 4000−3000 but ≤ 4000: preemption could help.
		{"cpu short", nil, tu.MakePod().Name("p").Req(1500, Gi).Obj(), n1,
			want{framework.Unschedulable, []string{"Insufficient cpu"}}},
		// 5000 > 4000 allocatable: no preemption can help.
		{"cpu larger than the node", nil, tu.MakePod().Name("p").Req(5000, Gi).Obj(), n1,
			want{framework.UnschedulableAndUnresolvable, []string{"Insufficient cpu"}}},
		{"cpu and memory short, all reasons kept", nil, tu.MakePod().Name("p").Req(2000, 7*Gi).Obj(), n1,
			want{framework.Unschedulable, []string{"Insufficient cpu", "Insufficient memory"}}},
		// Init container 1200m runs alone: effective cpu max(500, 1200) = 1200 > 1000.
		{"init container dominates", nil, tu.MakePod().Name("p").Req(500, Gi).InitReq(1200, 0).Obj(), n1,
			want{framework.Unschedulable, []string{"Insufficient cpu"}}},
		// 900m + 200m overhead = 1100 > 1000.
		{"overhead counts", nil, tu.MakePod().Name("p").Req(900, Gi).Overhead(api.Resources{MilliCPU: 200}).Obj(), n1,
			want{framework.Unschedulable, []string{"Insufficient cpu"}}},
		{"ephemeral storage", nil, tu.MakePod().Name("p").ReqRes(api.Resources{EphemeralStorage: 11 * Gi}).Obj(), n1,
			want{framework.UnschedulableAndUnresolvable, []string{"Insufficient ephemeral-storage"}}},
		{"extended resource", nil, tu.MakePod().Name("p").ReqRes(api.Resources{}.Set(gpu, 2)).Obj(), n1,
			want{framework.UnschedulableAndUnresolvable, []string{"Insufficient " + gpu}}},
		{"extended resource ignored by name", &configv1.NodeResourcesFitArgs{IgnoredResources: []string{gpu}},
			tu.MakePod().Name("p").ReqRes(api.Resources{}.Set(gpu, 2)).Obj(), n1, ok},
		{"extended resource ignored by group", &configv1.NodeResourcesFitArgs{IgnoredResourceGroups: []string{"example.com"}},
			tu.MakePod().Name("p").ReqRes(api.Resources{}.Set(gpu, 2)).Obj(), n1, ok},
		{"hugepages are never ignored", &configv1.NodeResourcesFitArgs{IgnoredResources: []string{huge}},
			tu.MakePod().Name("p").ReqRes(api.Resources{}.Set(huge, 6*Mi)).Obj(), n1,
			want{framework.UnschedulableAndUnresolvable, []string{"Insufficient " + huge}}},
		{"extended resource the node lacks", nil, tu.MakePod().Name("p").ReqRes(api.Resources{}.Set("example.com/fpga", 1)).Obj(), n1,
			want{framework.UnschedulableAndUnresolvable, []string{"Insufficient example.com/fpga"}}},
		{"too many pods, empty request", nil, tu.MakePod().Name("p").Req(0, 0).Obj(), full,
			want{framework.Unschedulable, []string{"Too many pods"}}},
		{"too many pods first, then cpu", nil, tu.MakePod().Name("p").Req(2000, 0).Obj(), full,
			want{framework.Unschedulable, []string{"Too many pods", "Insufficient cpu"}}},
		{"too many pods with an unresolvable cpu", nil, tu.MakePod().Name("p").Req(8000, 0).Obj(), full,
			want{framework.UnschedulableAndUnresolvable, []string{"Too many pods", "Insufficient cpu"}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			pl := newFit(t, tc.args)
			state := framework.NewCycleState()
			if _, st := pl.PreFilter(state, tc.pod, nil); !st.IsSuccess() {
				t.Fatalf("PreFilter: %v", st)
			}
			st := pl.Filter(state, tc.pod, tu.NodeInfo(tc.node, used))
			if st.Code() != tc.want.code || !slices.Equal(st.Reasons(), tc.want.reasons) {
				t.Errorf("got %v %q, want %v %q", st.Code(), st.Reasons(), tc.want.code, tc.want.reasons)
			}
		})
	}
}

func TestFitFilterWithoutPreFilterIsError(t *testing.T) {
	pl := newFit(t, nil)
	st := pl.Filter(framework.NewCycleState(), tu.MakePod().Obj(), tu.NodeInfo(tu.MakeNode().Name("n").Obj()))
	if st.Code() != framework.Error {
		t.Errorf("code %v, want Error", st.Code())
	}
}

func TestFits(t *testing.T) {
	ni := tu.NodeInfo(tu.MakeNode().Name("n").Alloc(1000, Gi).Obj())
	if got := Fits(tu.MakePod().Name("p").Req(1000, Gi).Obj(), ni); len(got) != 0 {
		t.Errorf("Fits = %v, want none", got)
	}
	got := Fits(tu.MakePod().Name("p").Req(1500, Gi).Obj(), ni)
	if len(got) != 1 || got[0] != (InsufficientResource{ResourceName: "cpu", Reason: "Insufficient cpu",
		Requested: 1500, Used: 0, Capacity: 1000, Unresolvable: true}) {
		t.Errorf("Fits = %+v", got)
	}
}

func scoreOne(t *testing.T, pl framework.ScorePlugin, pod *api.Pod, ni *framework.NodeInfo) (int64, bool) {
	t.Helper()
	state := framework.NewCycleState()
	if st := pl.(framework.PreScorePlugin).PreScore(state, pod, []*framework.NodeInfo{ni}); !st.IsSuccess() {
		if st.IsSkip() {
			return 0, true
		}
		t.Fatalf("PreScore: %v", st)
	}
	s, st := pl.Score(state, pod, ni)
	if !st.IsSuccess() {
		t.Fatalf("Score: %v", st)
	}
	return s, false
}

func rs(pairs ...any) []configv1.ResourceSpec {
	var out []configv1.ResourceSpec
	for i := 0; i < len(pairs); i += 2 {
		out = append(out, configv1.ResourceSpec{Name: pairs[i].(string), Weight: int64(pairs[i+1].(int))})
	}
	return out
}

func strategy(typ configv1.ScoringStrategyType, res []configv1.ResourceSpec, shape ...configv1.UtilizationShapePoint) *configv1.NodeResourcesFitArgs {
	ss := &configv1.ScoringStrategy{Type: typ, Resources: res}
	if shape != nil {
		ss.RequestedToCapacityRatio = &configv1.RequestedToCapacityRatioParam{Shape: shape}
	}
	return &configv1.NodeResourcesFitArgs{ScoringStrategy: ss}
}

func pt(u, s int32) configv1.UtilizationShapePoint {
	return configv1.UtilizationShapePoint{Utilization: u, Score: s}
}

func TestFitScore(t *testing.T) {
	// n1: 4000m / 8Gi (+ 4 GPUs, 100Gi ephemeral on variants), one pod using
	// 1000m / 2Gi (+ 1 GPU on n1gpu).
	n1 := tu.NodeInfo(tu.MakeNode().Name("n1").Alloc(4000, 8*Gi).Obj(), tu.MakePod().Name("e").Req(1000, 2*Gi).Obj())
	n1be := tu.NodeInfo(tu.MakeNode().Name("n1").Alloc(4000, 8*Gi).Obj(), tu.MakePod().Name("e").NoReq().Obj())
	n1gpu := tu.NodeInfo(tu.MakeNode().Name("n1").Alloc(4000, 8*Gi).AllocRes(gpu, 4).Obj(),
		tu.MakePod().Name("e").Req(1000, 2*Gi).Ext(gpu, 1).Obj())
	n1eph := tu.NodeInfo(tu.MakeNode().Name("n1").Alloc(4000, 8*Gi).AllocRes(api.ResourceEphemeralStorage, 100*Gi).Obj(),
		tu.MakePod().Name("e").Req(1000, 2*Gi).Obj())
	n2 := tu.NodeInfo(tu.MakeNode().Name("n2").Alloc(2000, 4*Gi).Obj())
	// n3: 4000m / 100Gi with 1000m / 20Gi used.
	n3 := tu.NodeInfo(tu.MakeNode().Name("n3").Alloc(4000, 100*Gi).Obj(), tu.MakePod().Name("e").Req(1000, 20*Gi).Obj())

	small := tu.MakePod().Name("p").Req(500, Gi).Obj()
	withGPU := tu.MakePod().Name("p").Req(500, Gi).Ext(gpu, 1).Obj()
	// The GPU in a second container without cpu/memory keys: that container
	// scores as 100m / 200Mi.
	withGPUContainer := tu.MakePod().Name("p").Req(500, Gi).ReqRes(api.Resources{}.Set(gpu, 1)).Obj()
	lowestUp := []configv1.UtilizationShapePoint{pt(0, 0), pt(100, 10)}
	tests := []struct {
		name string
		args any
		pod  *api.Pod
		ni   *framework.NodeInfo
		want int64
	}{
		// LeastAllocated. cpu (4000−1500)·100/4000 = 62; mem (8−3)·100/8 = 62 → 62.
		{"least: SEMANTICS 2.1 example", nil, small, n1, 62},
		// cpu (2000−500)·100/2000 = 75; mem (4−1)·100/4 = 75 → 75.
		{"least: empty node", nil, small, n2, 75},
		// Non-zero defaults: cpu 1000+100 → 2900·100/4000 = 72;
		// mem 2048Mi+200Mi → (8192−2248)·100/8192 = 72 → 72.
		{"least: best-effort pod gets 100m/200Mi", nil, tu.MakePod().Name("p").NoReq().Obj(), n1, 72},
		// Explicit zero requests stay zero: 3000·100/4000 = 75, 6·100/8 = 75.
		{"least: explicit zero stays zero", nil, tu.MakePod().Name("p").Req(0, 0).Obj(), n1, 75},
		// Existing best-effort pod counts 100m/200Mi: cpu 600 → 3400·100/4000 = 85;
		// mem 1224Mi → 6968·100/8192 = 85.
		{"least: existing best-effort pod counts non-zero", nil, small, n1be, 85},
		// cpu 62·3, mem (8−7)·100/8 = 12·1 → (186+12)/4 = 49.
		{"least: weights", strategy(configv1.LeastAllocated, rs("cpu", 3, "memory", 1)), tu.MakePod().Name("p").Req(500, 5*Gi).Obj(), n1, 49},
		// Over capacity scores 0: cpu 0, mem 62 → 31.
		{"least: over capacity", nil, tu.MakePod().Name("p").Req(5000, Gi).Obj(), n1, 31},
		// GPU weight 2: (4−2)·100/4 = 50 → (62+62+100)/4 = 56.
		{"least: extended resource requested", strategy(configv1.LeastAllocated, rs("cpu", 1, "memory", 1, gpu, 2)), withGPU, n1gpu, 56},
		// Second container adds 100m/200Mi: cpu 1000+600 → 2400·100/4000 = 60;
		// mem 2048+1224 = 3272Mi → 4920·100/8192 = 60; gpu 50 → (60+60+100)/4 = 55.
		{"least: non-zero defaults of a GPU-only container", strategy(configv1.LeastAllocated, rs("cpu", 1, "memory", 1, gpu, 2)), withGPUContainer, n1gpu, 55},
		// The pod does not request a GPU: the resource is skipped → 62.
		{"least: extended resource not requested is skipped", strategy(configv1.LeastAllocated, rs("cpu", 1, "memory", 1, gpu, 2)), small, n1gpu, 62},
		// The node has no GPU allocatable: skipped → 62.
		{"least: extended resource absent from node is skipped", strategy(configv1.LeastAllocated, rs("cpu", 1, "memory", 1, gpu, 2)), withGPU, n1, 62},
		// Ephemeral storage counts even when not requested: 100 → (62+62+100)/3 = 74.
		{"least: ephemeral-storage counted", strategy(configv1.LeastAllocated, rs("cpu", 1, "memory", 1, "ephemeral-storage", 1)), small, n1eph, 74},
		// Allocatable 0 skips it → 62.
		{"least: ephemeral-storage without allocatable skipped", strategy(configv1.LeastAllocated, rs("cpu", 1, "memory", 1, "ephemeral-storage", 1)), small, n1, 62},
		// Weight 0 defaults to 1 → 62.
		{"least: weight 0 means 1", strategy(configv1.LeastAllocated, rs("cpu", 0, "memory", 0)), small, n1, 62},

		// MostAllocated. cpu 1500·100/4000 = 37; mem 3·100/8 = 37 → 37.
		{"most", strategy(configv1.MostAllocated, nil), small, n1, 37},
		// cpu capped at 4000 → 100; mem 37 → 68.
		{"most: over capacity capped", strategy(configv1.MostAllocated, nil), tu.MakePod().Name("p").Req(5000, Gi).Obj(), n1, 68},

		// RequestedToCapacityRatio, shape (0,0)-(100,10) ×10. Utilizations 37, 37 → 37.
		{"rtcr: increasing", strategy(configv1.RequestedToCapacityRatio, nil, lowestUp...), small, n1, 37},
		// Shape (0,10)-(100,0): 100 + (0−100)·37/100 = 63 for both → 63.
		{"rtcr: decreasing", strategy(configv1.RequestedToCapacityRatio, nil, pt(0, 10), pt(100, 0)), small, n1, 63},
		// n3: cpu util 1500·100/4000 = 37, mem util 38·100/100 = 38 → 37.5 rounds to 38.
		{"rtcr: rounds half away from zero", strategy(configv1.RequestedToCapacityRatio, nil, lowestUp...), tu.MakePod().Name("p").Req(500, 18*Gi).Obj(), n3, 38},
		// Weights cpu 1, mem 2: cpu 37, mem util 7·100/8 = 87 → (37+174)/3 = 70.33 → 70.
		{"rtcr: weights", strategy(configv1.RequestedToCapacityRatio, rs("cpu", 1, "memory", 2), lowestUp...), tu.MakePod().Name("p").Req(500, 5*Gi).Obj(), n1, 70},
		// Shape (0,0),(50,0),(100,10): cpu 37 → 0 (excluded), mem 87 → (87−50)·100/50 = 74 → 74/1.
		{"rtcr: zero scores excluded", strategy(configv1.RequestedToCapacityRatio, nil, pt(0, 0), pt(50, 0), pt(100, 10)), tu.MakePod().Name("p").Req(500, 5*Gi).Obj(), n1, 74},
		{"rtcr: all zero", strategy(configv1.RequestedToCapacityRatio, nil, pt(0, 0), pt(50, 0), pt(100, 10)), small, n1, 0},
		// cpu over capacity → utilization 100 → 100; mem 37 → 69 (68.5 rounded up).
		{"rtcr: over capacity is full", strategy(configv1.RequestedToCapacityRatio, nil, lowestUp...), tu.MakePod().Name("p").Req(5000, Gi).Obj(), n1, 69},
		// Single point (50, 5): every utilization scores 50 → 50.
		{"rtcr: single point", strategy(configv1.RequestedToCapacityRatio, nil, pt(50, 5)), small, n1, 50},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, _ := scoreOne(t, newFit(t, tc.args), tc.pod, tc.ni)
			if got != tc.want {
				t.Errorf("score %d, want %d", got, tc.want)
			}
		})
	}
}

func TestFitScoreWithoutPreScore(t *testing.T) {
	pl := newFit(t, nil)
	ni := tu.NodeInfo(tu.MakeNode().Name("n").Alloc(4000, 8*Gi).Obj(), tu.MakePod().Name("e").Req(1000, 2*Gi).Obj())
	s, st := pl.Score(framework.NewCycleState(), tu.MakePod().Name("p").Req(500, Gi).Obj(), ni)
	if !st.IsSuccess() || s != 62 {
		t.Errorf("got %d %v, want 62", s, st)
	}
}

func TestNewFitArgs(t *testing.T) {
	tests := []struct {
		name string
		args any
		ok   bool
	}{
		{"nil", nil, true},
		{"typed nil", (*configv1.NodeResourcesFitArgs)(nil), true},
		{"empty", &configv1.NodeResourcesFitArgs{}, true},
		{"wrong type", &configv1.NodeResourcesBalancedAllocationArgs{}, false},
		{"unknown strategy", strategy("Fancy", nil), false},
		{"empty strategy type", &configv1.NodeResourcesFitArgs{ScoringStrategy: &configv1.ScoringStrategy{}}, false},
		{"weight over 100", strategy(configv1.LeastAllocated, rs("cpu", 101)), false},
		{"negative weight", strategy(configv1.MostAllocated, rs("cpu", -1)), false},
		{"rtcr without shape", strategy(configv1.RequestedToCapacityRatio, nil), false},
		{"rtcr shape not increasing", strategy(configv1.RequestedToCapacityRatio, nil, pt(50, 1), pt(50, 2)), false},
		{"rtcr utilization out of range", strategy(configv1.RequestedToCapacityRatio, nil, pt(0, 1), pt(101, 2)), false},
		{"rtcr score out of range", strategy(configv1.RequestedToCapacityRatio, nil, pt(0, 11)), false},
		{"rtcr ok", strategy(configv1.RequestedToCapacityRatio, rs(gpu, 5), pt(0, 0), pt(100, 10)), true},
		{"ignored resource invalid", &configv1.NodeResourcesFitArgs{IgnoredResources: []string{"bad name!"}}, false},
		{"ignored group with slash", &configv1.NodeResourcesFitArgs{IgnoredResourceGroups: []string{"example.com/gpu"}}, false},
		{"ignored ok", &configv1.NodeResourcesFitArgs{IgnoredResources: []string{gpu}, IgnoredResourceGroups: []string{"example.com"}}, true},
	}
	for _, tc := range tests {
		_, err := NewFit(tc.args, nil)
		if (err == nil) != tc.ok {
			t.Errorf("%s: err = %v, want ok=%v", tc.name, err, tc.ok)
		}
	}
	// Defaulting must not modify the caller's args.
	a := &configv1.NodeResourcesFitArgs{ScoringStrategy: &configv1.ScoringStrategy{Type: configv1.LeastAllocated}}
	newFit(t, a)
	if len(a.ScoringStrategy.Resources) != 0 {
		t.Error("NewFit modified its args")
	}
}

// TestFilterSharesStatuses checks that nodes failing alike share one
// status, and that it is the status built afresh from fitsRequest, over
// nodes short of every combination of pods, cpu, memory and ephemeral
// storage, some beyond their whole allocatable.
func TestFilterSharesStatuses(t *testing.T) {
	f := newFit(t, nil)
	var nodes []*framework.NodeInfo
	for mask := range 16 {
		for _, whole := range []bool{false, true} {
			alloc, used := int64(4000), int64(3800)
			if whole {
				alloc, used = 400, 0 // the 500 requested exceeds it all
			}
			n := tu.MakeNode().Name("n").Alloc(4000, 8*Gi).AllocRes(api.ResourceEphemeralStorage, 8*Gi).Pods(3).Obj()
			var pods []*api.Pod
			if mask&1 != 0 {
				for range 3 {
					pods = append(pods, tu.MakePod().NoReq().Obj())
				}
			}
			if mask&2 != 0 {
				n.Allocatable.MilliCPU = alloc
				pods = append(pods, tu.MakePod().Req(used, 0).Obj())
			}
			if mask&4 != 0 {
				n.Allocatable.Memory = alloc * Mi
				pods = append(pods, tu.MakePod().Req(0, used*Mi).Obj())
			}
			if mask&8 != 0 {
				n.Allocatable.EphemeralStorage = alloc * Mi
				e := tu.MakePod().NoReq().Obj()
				e.Spec.Requests.EphemeralStorage = used * Mi
				pods = append(pods, e)
			}
			nodes = append(nodes, tu.NodeInfo(n, pods...))
		}
	}
	p := tu.MakePod().Name("in").Req(500, 500*Mi).Obj()
	p.Spec.Requests.EphemeralStorage = 500 * Mi
	state := framework.NewCycleState()
	if _, st := f.PreFilter(state, p, nodes); !st.IsSuccess() {
		t.Fatal(st.Message())
	}
	seen := map[string]*framework.Status{}
	for i, ni := range nodes {
		got := f.Filter(state, p, ni)
		want := failureStatus(fitsRequest(&p.Spec.Requests, nil, ni))
		if got.Code() != want.Code() || !slices.Equal(got.Reasons(), want.Reasons()) {
			t.Fatalf("node %d: %v %v, want %v %v", i, got.Code(), got.Reasons(), want.Code(), want.Reasons())
		}
		if got == nil {
			continue
		}
		key := got.Code().String() + fmt.Sprint(got.Reasons())
		if prev, ok := seen[key]; ok && prev != got {
			t.Fatalf("node %d: a second status for %s", i, key)
		}
		seen[key] = got
	}
	if len(seen) < 20 {
		t.Fatalf("only %d distinct failures: the nodes do not cover the combinations", len(seen))
	}
}
