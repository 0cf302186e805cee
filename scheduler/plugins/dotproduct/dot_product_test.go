package dotproduct

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	configv1 "k8s.io/kube-scheduler/config/v1"

	"github.com/kubesim/kubesim/scheduler/framework"
	tu "github.com/kubesim/kubesim/scheduler/plugins/internal/testutil"
	"github.com/kubesim/kubesim/sim/api"
)

const (
	gpu = "example.com/gpu"
	Gi  = tu.Gi
	Ti  = 1024 * tu.Gi
)

func newPlugin(t testing.TB, args any) *DotProduct {
	t.Helper()
	pl, err := New(args, nil)
	if err != nil {
		t.Fatal(err)
	}
	return pl.(*DotProduct)
}

// rawScores returns Score's raw values after PreScore, without normalising.
func rawScores(t *testing.T, pl *DotProduct, p *api.Pod, nodes []*framework.NodeInfo) []int64 {
	t.Helper()
	state := framework.NewCycleState()
	if st := pl.PreScore(state, p, nodes); !st.IsSuccess() {
		t.Fatal(st.Message())
	}
	out := make([]int64, len(nodes))
	for i, ni := range nodes {
		s, st := pl.Score(state, p, ni)
		if !st.IsSuccess() {
			t.Fatal(st.Message())
		}
		out[i] = s
	}
	return out
}

func TestScore(t *testing.T) {
	// n1: 4000m / 8Gi with 1000m / 2Gi used; n2: 2000m / 4Gi; n3: 8000m / 8Gi.
	n1 := tu.NodeInfo(tu.MakeNode().Name("n1").Alloc(4000, 8*Gi).Obj(), tu.MakePod().Name("e").Req(1000, 2*Gi).Obj())
	n2 := tu.NodeInfo(tu.MakeNode().Name("n2").Alloc(2000, 4*Gi).Obj())
	n3 := tu.NodeInfo(tu.MakeNode().Name("n3").Alloc(8000, 8*Gi).Obj())
	empty := tu.NodeInfo(tu.MakeNode().Name("e").Alloc(4000, 8*Gi).Obj())
	gpuNode := tu.NodeInfo(tu.MakeNode().Name("g").Alloc(4000, 8*Gi).AllocRes(gpu, 4).Obj())
	huge := tu.NodeInfo(tu.MakeNode().Name("h").Alloc(4000, 64*Ti).Obj())
	gpuArgs := &Args{Resources: []configv1.ResourceSpec{{Name: "cpu"}, {Name: "memory"}, {Name: gpu, Weight: 2}}}
	tests := []struct {
		name     string
		args     any
		pod      *api.Pod
		nodes    []*framework.NodeInfo
		wantRaw  []int64
		wantNorm []int64
	}{
		// Pod 1000m / 4Gi, fractions in millionths.
		// n1: cpu 250000·750000 + mem 500000·750000 = 5.625e11 → /1e6 = 562500.
		// n2: cpu 500000·1e6 + mem 1e6·1e6 = 1.5e12 → 1500000.
		// n3: cpu 125000·1e6 + mem 500000·1e6 = 6.25e11 → 625000.
		// Normalised to the max: 37 (37.5), 100, 41 (41.67).
		{"three nodes", nil, tu.MakePod().Name("p").Req(1000, 4*Gi).Obj(), []*framework.NodeInfo{n1, n2, n3},
			[]int64{562500, 1500000, 625000}, []int64{37, 100, 41}},
		// Non-zero defaults: cpu 100/4000 = 25000·1e6; mem 200Mi/8Gi =
		// 24414 (24414.06)·1e6 → 49414.
		{"best-effort pod", nil, tu.MakePod().Name("p").NoReq().Obj(), []*framework.NodeInfo{empty},
			[]int64{49414}, []int64{100}},
		// gpu weight 2: cpu 250000·1e6 + mem 250000·1e6 + 2·500000·1e6 → 1500000.
		{"extended resource", gpuArgs, tu.MakePod().Name("p").Req(1000, 2*Gi).Ext(gpu, 2).Obj(), []*framework.NodeInfo{gpuNode},
			[]int64{1500000}, []int64{100}},
		// Not requested: gpu term skipped → 500000.
		{"extended resource not requested", gpuArgs, tu.MakePod().Name("p").Req(1000, 2*Gi).Obj(), []*framework.NodeInfo{gpuNode},
			[]int64{500000}, []int64{100}},
		// 64Ti·1e6 overflows int64; the 128-bit product does not:
		// cpu 250000·1e6 + mem 500000·1e6 → 750000.
		{"large amounts", nil, tu.MakePod().Name("p").Req(1000, 32*Ti).Obj(), []*framework.NodeInfo{huge},
			[]int64{750000}, []int64{100}},
		// Node without free resources aligns 0; alone it stays 0.
		{"nothing free", nil, tu.MakePod().Name("p").Req(1000, Gi).Obj(),
			[]*framework.NodeInfo{tu.NodeInfo(tu.MakeNode().Name("f").Alloc(1000, 2*Gi).Obj(), tu.MakePod().Name("e").Req(1000, 2*Gi).Obj())},
			[]int64{0}, []int64{0}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			pl := newPlugin(t, tc.args)
			if got := rawScores(t, pl, tc.pod, tc.nodes); !slices.Equal(got, tc.wantRaw) {
				t.Errorf("raw %v, want %v", got, tc.wantRaw)
			}
			if got := tu.ScoreNodes(t, pl, tc.pod, tc.nodes); !slices.Equal(got, tc.wantNorm) {
				t.Errorf("normalised %v, want %v", got, tc.wantNorm)
			}
		})
	}
}

// TestAligns shows the Tetris choice: a cpu-heavy pod goes to the node with
// free cpu, a memory-heavy pod to the node with free memory.
func TestAligns(t *testing.T) {
	nodes := func() []*framework.NodeInfo {
		return []*framework.NodeInfo{
			// cpuBusy: 3000m of 4000m used, 1Gi of 16Gi.
			tu.NodeInfo(tu.MakeNode().Name("cpuBusy").Alloc(4000, 16*Gi).Obj(), tu.MakePod().Name("e").Req(3000, Gi).Obj()),
			// memBusy: 500m used, 12Gi of 16Gi.
			tu.NodeInfo(tu.MakeNode().Name("memBusy").Alloc(4000, 16*Gi).Obj(), tu.MakePod().Name("e").Req(500, 12*Gi).Obj()),
		}
	}
	// cpu-heavy 1000m / 1Gi: cpuBusy 0.25·0.25 + 0.0625·0.9375 = 0.121;
	// memBusy 0.25·0.875 + 0.0625·0.25 = 0.234 → memBusy.
	cpuHeavy := tu.MakePod().Name("c").Req(1000, Gi).Obj()
	if got := tu.Place(t, newPlugin(t, nil), nodes(), cpuHeavy); got[0] != "memBusy" {
		t.Errorf("cpu-heavy pod went to %s, want memBusy", got[0])
	}
	// memory-heavy 100m / 3Gi: cpuBusy 0.025·0.25 + 0.1875·0.9375 = 0.182;
	// memBusy 0.025·0.875 + 0.1875·0.25 = 0.069 → cpuBusy.
	memHeavy := tu.MakePod().Name("m").Req(100, 3*Gi).Obj()
	if got := tu.Place(t, newPlugin(t, nil), nodes(), memHeavy); got[0] != "cpuBusy" {
		t.Errorf("memory-heavy pod went to %s, want cpuBusy", got[0])
	}
}

func TestNewArgs(t *testing.T) {
	tests := []struct {
		name    string
		args    any
		wantErr []string
	}{
		{"nil", nil, nil},
		{"json", json.RawMessage(`{"resources":[{"name":"cpu"},{"name":"memory"},{"name":"nvidia.com/gpu","weight":4}]}`), nil},
		{"unknown field", json.RawMessage(`{"resources":[],"normalize":true}`), []string{"DotProduct", `unknown field "normalize"`}},
		{"duplicate field", json.RawMessage(`{"resources":[],"resources":[]}`), []string{"DotProduct", `duplicate field "resources"`}},
		{"weight", &Args{Resources: []configv1.ResourceSpec{{Name: "cpu", Weight: 1000}}}, []string{"DotProduct: resources[0].weight"}},
	}
	for _, tc := range tests {
		_, err := New(tc.args, nil)
		if (err != nil) != (len(tc.wantErr) > 0) {
			t.Errorf("%s: err = %v, want error %v", tc.name, err, tc.wantErr)
			continue
		}
		for _, w := range tc.wantErr {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s: error %q does not contain %q", tc.name, err, w)
			}
		}
	}
}

func TestScoreDoesNotAllocate(t *testing.T) {
	pl := newPlugin(t, nil)
	ni := tu.NodeInfo(tu.MakeNode().Name("n").Alloc(4000, 8*Gi).Obj())
	p := tu.MakePod().Name("p").Req(500, Gi).Obj()
	state := framework.NewCycleState()
	pl.PreScore(state, p, []*framework.NodeInfo{ni})
	if n := testing.AllocsPerRun(100, func() { _, _ = pl.Score(state, p, ni) }); n != 0 {
		t.Errorf("Score allocates %v times per call", n)
	}
}
