package firstfit

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/kubesim/kubesim/scheduler/framework"
	tu "github.com/kubesim/kubesim/scheduler/plugins/internal/testutil"
	"github.com/kubesim/kubesim/sim/api"
)

const Gi = tu.Gi

func newPlugin(t testing.TB, h framework.Handle) *FirstFit {
	t.Helper()
	pl, err := New(nil, h)
	if err != nil {
		t.Fatal(err)
	}
	return pl.(*FirstFit)
}

func makeNodes(names ...string) []*framework.NodeInfo {
	out := make([]*framework.NodeInfo, len(names))
	for i, n := range names {
		out[i] = tu.NodeInfo(tu.MakeNode().Name(n).Alloc(4000, 8*Gi).Obj())
	}
	return out
}

func TestNormalizeScore(t *testing.T) {
	tests := []struct {
		name    string
		indexes []int64
		want    []int64
	}{
		// lo 0, hi 3: 100 − ⌈d·100/3⌉ = 100, 66, 33, 0.
		{"consecutive", []int64{0, 1, 2, 3}, []int64{100, 66, 33, 0}},
		// Order of the input does not matter.
		{"unordered", []int64{3, 0, 2, 1}, []int64{0, 100, 33, 66}},
		// lo 5, hi 100: d = 2 → ⌈200/95⌉ = 3 → 97.
		{"offset", []int64{5, 7, 100}, []int64{100, 97, 0}},
		// A large span never rounds the second node up to 100: ⌈100/4999⌉ = 1.
		{"large span", []int64{0, 1, 4999}, []int64{100, 99, 0}},
		{"single", []int64{42}, []int64{100}},
		{"empty", nil, nil},
	}
	for _, tc := range tests {
		scores := make([]framework.NodeScore, len(tc.indexes))
		for i, x := range tc.indexes {
			scores[i].Score = x
		}
		if st := (&FirstFit{}).NormalizeScore(nil, nil, scores); !st.IsSuccess() {
			t.Fatal(st.Message())
		}
		got := make([]int64, len(scores))
		for i := range scores {
			got[i] = scores[i].Score
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestScoreIsSnapshotIndex(t *testing.T) {
	h := tu.NewHandle()
	h.Nodes = makeNodes("n0", "n1", "n2", "n3")
	pl := newPlugin(t, h)
	p := tu.MakePod().Name("p").Req(100, Gi).Obj()
	// Feasible nodes in the order the scheduler found them (rotated start).
	feasible := []*framework.NodeInfo{h.Nodes[2], h.Nodes[3], h.Nodes[1]}
	state := framework.NewCycleState()
	pl.PreScore(state, p, feasible)
	for _, ni := range feasible {
		s, st := pl.Score(state, p, ni)
		if !st.IsSuccess() || s != int64(slices.Index(h.Nodes, ni)) {
			t.Errorf("%s: %d %v", ni.Name(), s, st)
		}
	}
	// Lowest feasible index n1 scores 100; n2 (d 1 of 2) 50; n3 0.
	if got, want := tu.ScoreNodes(t, pl, p, feasible), []int64{50, 0, 100}; !slices.Equal(got, want) {
		t.Errorf("scores %v, want %v", got, want)
	}

	// The node list changes (n0 removed, a new slice): indexes follow.
	h.Nodes = slices.Clone(h.Nodes[1:])
	if got, want := tu.ScoreNodes(t, pl, p, feasible), []int64{50, 0, 100}; !slices.Equal(got, want) {
		t.Errorf("after removal: scores %v, want %v", got, want)
	}
	if s, _ := pl.Score(state, p, h.Nodes[0]); s != 0 {
		t.Errorf("n1 after removal has index %d, want 0", s)
	}

	// Without PreScore, and for a copy of a node's info, the node is found by name.
	fresh := newPlugin(t, h)
	if s, st := fresh.Score(framework.NewCycleState(), p, h.Nodes[2].Clone()); !st.IsSuccess() || s != 2 {
		t.Errorf("clone of n3: %d %v, want 2", s, st)
	}
	stranger := tu.NodeInfo(tu.MakeNode().Name("x").Alloc(1, 1).Obj())
	if _, st := fresh.Score(framework.NewCycleState(), p, stranger); st.Code() != framework.Error {
		t.Errorf("unknown node: %v, want an Error status", st)
	}
}

// TestFillsInOrder shows first fit: pods fill the first node, then the next.
func TestFillsInOrder(t *testing.T) {
	h := tu.NewHandle()
	h.Nodes = makeNodes("a", "b", "c")
	var pods []*api.Pod
	for _, n := range []string{"p1", "p2", "p3", "p4", "p5"} {
		pods = append(pods, tu.MakePod().Name(n).Req(2000, Gi).Obj())
	}
	// Two pods of 2000m fill a 4000m node.
	if got, want := tu.Place(t, newPlugin(t, h), h.Nodes, pods...), []string{"a", "a", "b", "b", "c"}; !slices.Equal(got, want) {
		t.Errorf("placements %v, want %v", got, want)
	}
}

func TestScoreDoesNotAllocate(t *testing.T) {
	h := tu.NewHandle()
	h.Nodes = makeNodes("a", "b")
	pl := newPlugin(t, h)
	p := tu.MakePod().Name("p").Req(100, Gi).Obj()
	state := framework.NewCycleState()
	pl.PreScore(state, p, h.Nodes)
	if n := testing.AllocsPerRun(100, func() { _, _ = pl.Score(state, p, h.Nodes[1]) }); n != 0 {
		t.Errorf("Score allocates %v times per call", n)
	}
}

func TestNewArgs(t *testing.T) {
	h := tu.NewHandle()
	for _, ok := range []any{nil, &Args{}, json.RawMessage(`{}`)} {
		if _, err := New(ok, h); err != nil {
			t.Errorf("%v: %v", ok, err)
		}
	}
	if _, err := New(json.RawMessage(`{"order":"name"}`), h); err == nil || !strings.Contains(err.Error(), `FirstFit: args: unknown field "order"`) {
		t.Errorf("unknown field: %v", err)
	}
	if _, err := New(nil, nil); err == nil {
		t.Error("no handle: no error")
	}
}
