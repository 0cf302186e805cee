package bestfit

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
)

func newPlugin(t testing.TB, args any) *BestFit {
	t.Helper()
	pl, err := New(args, nil)
	if err != nil {
		t.Fatal(err)
	}
	return pl.(*BestFit)
}

func TestScore(t *testing.T) {
	// n1: 4000m / 8Gi with 1000m / 2Gi used; n2: 2000m / 4Gi, empty.
	n1 := tu.NodeInfo(tu.MakeNode().Name("n1").Alloc(4000, 8*Gi).Obj(), tu.MakePod().Name("e").Req(1000, 2*Gi).Obj())
	n2 := tu.NodeInfo(tu.MakeNode().Name("n2").Alloc(2000, 4*Gi).Obj())
	n1gpu := tu.NodeInfo(tu.MakeNode().Name("g").Alloc(4000, 8*Gi).AllocRes(gpu, 4).Obj(),
		tu.MakePod().Name("e").Req(1000, 2*Gi).Ext(gpu, 1).Obj())
	small := tu.MakePod().Name("p").Req(500, Gi).Obj()
	withGPU := tu.MakePod().Name("p").Req(500, Gi).Ext(gpu, 1).Obj()
	gpuArgs := &Args{Resources: []configv1.ResourceSpec{{Name: "cpu", Weight: 1}, {Name: "memory", Weight: 1}, {Name: gpu, Weight: 2}}}
	tests := []struct {
		name  string
		args  any
		pod   *api.Pod
		nodes []*framework.NodeInfo
		want  []int64
	}{
		// cpu left 4000−1000−500 = 2500: 100 − 2500·100/4000 = 100 − 62 = 38;
		// mem left 5Gi: 100 − 5·100/8 = 38 → 38.
		{"one node", nil, small, []*framework.NodeInfo{n1}, []int64{38}},
		// Scales are the largest allocatables (4000m, 8Gi). n1 as above = 38;
		// n2: cpu left 1500 → 100 − 37 = 63, mem left 3Gi → 100 − 37 = 63 → 63:
		// the small empty node leaves less in absolute terms and wins
		// (MostAllocated would prefer n1: 37 vs 25).
		{"absolute leftover across sizes", nil, small, []*framework.NodeInfo{n1, n2}, []int64{38, 63}},
		// cpu 38·3; mem left 1Gi → 100 − 12 = 88 → (114 + 88)/4 = 50.
		{"weights", &Args{Resources: []configv1.ResourceSpec{{Name: "cpu", Weight: 3}, {Name: "memory"}}},
			tu.MakePod().Name("p").Req(500, 5*Gi).Obj(), []*framework.NodeInfo{n1}, []int64{50}},
		// Non-zero defaults 100m / 200Mi: cpu left 2900 → 100 − 72 = 28;
		// mem left 8192−2048−200 = 5944Mi → 100 − 72 = 28 → 28.
		{"best-effort pod counts non-zero defaults", nil, tu.MakePod().Name("p").NoReq().Obj(), []*framework.NodeInfo{n1}, []int64{28}},
		// Exactly full: 100.
		{"zero leftover", nil, tu.MakePod().Name("p").Req(2000, 4*Gi).Obj(), []*framework.NodeInfo{n2}, []int64{100}},
		// gpu left 4−1−1 = 2 → 100 − 50 = 50, weight 2 → (38 + 38 + 100)/4 = 44.
		{"extended resource", gpuArgs, withGPU, []*framework.NodeInfo{n1gpu}, []int64{44}},
		// Not requested: the GPU is skipped → 38.
		{"extended resource not requested", gpuArgs, small, []*framework.NodeInfo{n1gpu}, []int64{38}},
		// The node has none: skipped → 38.
		{"extended resource absent from node", gpuArgs, withGPU, []*framework.NodeInfo{n1}, []int64{38}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := tu.ScoreNodes(t, newPlugin(t, tc.args), tc.pod, tc.nodes); !slices.Equal(got, tc.want) {
				t.Errorf("scores %v, want %v", got, tc.want)
			}
		})
	}
}

func TestScoreWithoutPreScore(t *testing.T) {
	n2 := tu.NodeInfo(tu.MakeNode().Name("n2").Alloc(2000, 4*Gi).Obj())
	// Scale is the node's own allocatable: cpu left 1500 → 100 − 75 = 25;
	// mem left 3Gi → 25 → 25.
	s, st := newPlugin(t, nil).Score(framework.NewCycleState(), tu.MakePod().Name("p").Req(500, Gi).Obj(), n2)
	if !st.IsSuccess() || s != 25 {
		t.Errorf("got %d %v, want 25", s, st)
	}
}

// TestPacks shows best fit's choice: pods go to the fuller node, and on
// mixed node sizes to the node they fill most tightly.
func TestPacks(t *testing.T) {
	nodes := []*framework.NodeInfo{
		tu.NodeInfo(tu.MakeNode().Name("a").Alloc(4000, 8*Gi).Obj()),
		tu.NodeInfo(tu.MakeNode().Name("b").Alloc(4000, 8*Gi).Obj(), tu.MakePod().Name("e").Req(2000, 4*Gi).Obj()),
	}
	var pods []*api.Pod
	for _, n := range []string{"p1", "p2", "p3"} {
		pods = append(pods, tu.MakePod().Name(n).Req(1000, 2*Gi).Obj())
	}
	// b is fuller: p1 and p2 fill it, p3 must open a.
	if got, want := tu.Place(t, newPlugin(t, nil), nodes, pods...), []string{"b", "b", "a"}; !slices.Equal(got, want) {
		t.Errorf("placements %v, want %v", got, want)
	}

	mixed := []*framework.NodeInfo{
		tu.NodeInfo(tu.MakeNode().Name("big").Alloc(8000, 16*Gi).Obj()),
		tu.NodeInfo(tu.MakeNode().Name("small").Alloc(2000, 4*Gi).Obj()),
	}
	if got, want := tu.Place(t, newPlugin(t, nil), mixed, tu.MakePod().Name("p").Req(1000, 2*Gi).Obj()), []string{"small"}; !slices.Equal(got, want) {
		t.Errorf("mixed placements %v, want %v", got, want)
	}
}

func TestNewArgs(t *testing.T) {
	tests := []struct {
		name    string
		args    any
		wantErr []string
	}{
		{"nil", nil, nil},
		{"typed", &Args{Resources: []configv1.ResourceSpec{{Name: "cpu", Weight: 2}}}, nil},
		{"typed nil", (*Args)(nil), nil},
		{"json", json.RawMessage(`{"resources":[{"name":"cpu","weight":2},{"name":"example.com/gpu","weight":5}]}`), nil},
		{"json empty", json.RawMessage(`{}`), nil},
		{"json null", json.RawMessage(`null`), nil},
		{"unknown field", json.RawMessage(`{"resourcez":[]}`), []string{"BestFit", `unknown field "resourcez"`}},
		{"unknown nested field", json.RawMessage(`{"resources":[{"name":"cpu","wieght":2}]}`), []string{"BestFit", `unknown field "resources[0].wieght"`}},
		{"bad json", json.RawMessage(`{"resources":3}`), []string{"BestFit"}},
		{"weight over 100", &Args{Resources: []configv1.ResourceSpec{{Name: "cpu", Weight: 101}}}, []string{"BestFit: resources[0].weight"}},
		{"duplicate", &Args{Resources: []configv1.ResourceSpec{{Name: "cpu"}, {Name: "cpu"}}}, []string{"resources[1].name: duplicate"}},
		{"empty name", &Args{Resources: []configv1.ResourceSpec{{Weight: 1}}}, []string{"resources[0].name: required"}},
		{"pods", &Args{Resources: []configv1.ResourceSpec{{Name: "pods"}}}, []string{"resources[0].name"}},
		{"wrong type", &configv1.NodeResourcesFitArgs{}, []string{"BestFit: want args of type *bestfit.Args"}},
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
	// Decoding copies: the caller's args are not changed.
	a := &Args{}
	newPlugin(t, a)
	if a.Resources != nil {
		t.Error("New modified its args")
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
