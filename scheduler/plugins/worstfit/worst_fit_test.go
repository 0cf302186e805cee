package worstfit

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

func newPlugin(t testing.TB, args any) *WorstFit {
	t.Helper()
	pl, err := New(args, nil)
	if err != nil {
		t.Fatal(err)
	}
	return pl.(*WorstFit)
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
		// cpu left 2500: 2500·100/4000 = 62; mem left 5Gi: 5·100/8 = 62 → 62.
		{"one node", nil, small, []*framework.NodeInfo{n1}, []int64{62}},
		// Scales 4000m, 8Gi. n1 = 62; n2: cpu left 1500 → 37, mem left 3Gi → 37.
		{"absolute leftover across sizes", nil, small, []*framework.NodeInfo{n1, n2}, []int64{62, 37}},
		// cpu 62·3; mem left 1Gi → 12 → (186 + 12)/4 = 49.
		{"weights", &Args{Resources: []configv1.ResourceSpec{{Name: "cpu", Weight: 3}, {Name: "memory"}}},
			tu.MakePod().Name("p").Req(500, 5*Gi).Obj(), []*framework.NodeInfo{n1}, []int64{49}},
		// Non-zero defaults: cpu left 2900 → 72; mem left 5944Mi → 72 → 72.
		{"best-effort pod counts non-zero defaults", nil, tu.MakePod().Name("p").NoReq().Obj(), []*framework.NodeInfo{n1}, []int64{72}},
		{"zero leftover", nil, tu.MakePod().Name("p").Req(2000, 4*Gi).Obj(), []*framework.NodeInfo{n2}, []int64{0}},
		// gpu left 2 → 50, weight 2 → (62 + 62 + 100)/4 = 56.
		{"extended resource", gpuArgs, withGPU, []*framework.NodeInfo{n1gpu}, []int64{56}},
		{"extended resource not requested", gpuArgs, small, []*framework.NodeInfo{n1gpu}, []int64{62}},
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
	// Scale is the node's own allocatable: cpu left 1500 → 75; mem 3Gi → 75.
	s, st := newPlugin(t, nil).Score(framework.NewCycleState(), tu.MakePod().Name("p").Req(500, Gi).Obj(), n2)
	if !st.IsSuccess() || s != 75 {
		t.Errorf("got %d %v, want 75", s, st)
	}
}

// TestSpreads shows worst fit's choice: each pod goes to the emptier node,
// and on mixed sizes to the node with the most room left.
func TestSpreads(t *testing.T) {
	nodes := []*framework.NodeInfo{
		tu.NodeInfo(tu.MakeNode().Name("a").Alloc(4000, 8*Gi).Obj()),
		tu.NodeInfo(tu.MakeNode().Name("b").Alloc(4000, 8*Gi).Obj(), tu.MakePod().Name("e").Req(2000, 4*Gi).Obj()),
	}
	var pods []*api.Pod
	for _, n := range []string{"p1", "p2", "p3", "p4"} {
		pods = append(pods, tu.MakePod().Name(n).Req(1000, 2*Gi).Obj())
	}
	// a is emptier until it has 2000m too (p1, p2); p3 ties (25 each) and
	// goes to the first node, a; then b is emptier.
	if got, want := tu.Place(t, newPlugin(t, nil), nodes, pods...), []string{"a", "a", "a", "b"}; !slices.Equal(got, want) {
		t.Errorf("placements %v, want %v", got, want)
	}
	// Two empty nodes: the pods alternate.
	empty := []*framework.NodeInfo{
		tu.NodeInfo(tu.MakeNode().Name("a").Alloc(4000, 8*Gi).Obj()),
		tu.NodeInfo(tu.MakeNode().Name("b").Alloc(4000, 8*Gi).Obj()),
	}
	if got, want := tu.Place(t, newPlugin(t, nil), empty, pods...), []string{"a", "b", "a", "b"}; !slices.Equal(got, want) {
		t.Errorf("placements on empty nodes %v, want %v", got, want)
	}
	mixed := []*framework.NodeInfo{
		tu.NodeInfo(tu.MakeNode().Name("small").Alloc(2000, 4*Gi).Obj()),
		tu.NodeInfo(tu.MakeNode().Name("big").Alloc(8000, 16*Gi).Obj()),
	}
	if got, want := tu.Place(t, newPlugin(t, nil), mixed, tu.MakePod().Name("p").Req(1000, 2*Gi).Obj()), []string{"big"}; !slices.Equal(got, want) {
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
		{"typed", &Args{Resources: []configv1.ResourceSpec{{Name: "memory", Weight: 100}}}, nil},
		{"json", json.RawMessage(`{"resources":[{"name":"cpu","weight":2}]}`), nil},
		{"unknown field", json.RawMessage(`{"weights":{}}`), []string{"WorstFit", `unknown field "weights"`}},
		{"negative weight", &Args{Resources: []configv1.ResourceSpec{{Name: "cpu", Weight: -1}}}, []string{"WorstFit: resources[0].weight"}},
		{"wrong type", "cpu", []string{"WorstFit: want args of type *worstfit.Args"}},
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
