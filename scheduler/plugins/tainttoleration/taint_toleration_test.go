package tainttoleration

import (
	"slices"
	"testing"

	"github.com/kubesim/kubesim/scheduler/framework"
	tu "github.com/kubesim/kubesim/scheduler/plugins/internal/testutil"
	"github.com/kubesim/kubesim/sim/api"
)

func newPlugin(t *testing.T) *TaintToleration {
	t.Helper()
	pl, err := New(nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	return pl.(*TaintToleration)
}

func TestFilter(t *testing.T) {
	tainted := tu.MakeNode().Name("n").
		Taint("soft", "x", api.TaintPreferNoSchedule).
		Taint("dedicated", "gpu", api.TaintNoSchedule).Obj()
	evicting := tu.MakeNode().Name("n").Taint("node.kubernetes.io/unreachable", "", api.TaintNoExecute).Obj()
	tests := []struct {
		name string
		pod  *api.Pod
		node *api.Node
		want framework.Code
	}{
		{"no taints", tu.MakePod().Name("p").Obj(), tu.MakeNode().Name("n").Obj(), framework.Success},
		{"PreferNoSchedule alone never filters", tu.MakePod().Name("p").Obj(),
			tu.MakeNode().Name("n").Taint("soft", "x", api.TaintPreferNoSchedule).Obj(), framework.Success},
		{"untolerated NoSchedule", tu.MakePod().Name("p").Obj(), tainted, framework.UnschedulableAndUnresolvable},
		{"Equal toleration with matching value", tu.MakePod().Name("p").
			Toleration("dedicated", api.TolerationOpEqual, "gpu", api.TaintNoSchedule).Obj(), tainted, framework.Success},
		{"empty operator means Equal", tu.MakePod().Name("p").
			Toleration("dedicated", "", "gpu", "").Obj(), tainted, framework.Success},
		{"Equal toleration with other value", tu.MakePod().Name("p").
			Toleration("dedicated", api.TolerationOpEqual, "cpu", api.TaintNoSchedule).Obj(), tainted, framework.UnschedulableAndUnresolvable},
		{"Exists ignores the value", tu.MakePod().Name("p").
			Toleration("dedicated", api.TolerationOpExists, "", "").Obj(), tainted, framework.Success},
		{"wrong effect", tu.MakePod().Name("p").
			Toleration("dedicated", api.TolerationOpExists, "", api.TaintNoExecute).Obj(), tainted, framework.UnschedulableAndUnresolvable},
		{"untolerated NoExecute", tu.MakePod().Name("p").Obj(), evicting, framework.UnschedulableAndUnresolvable},
		{"empty key Exists tolerates all", tu.MakePod().Name("p").
			Toleration("", api.TolerationOpExists, "", "").Obj(), evicting, framework.Success},
	}
	pl := newPlugin(t)
	for _, tc := range tests {
		st := pl.Filter(framework.NewCycleState(), tc.pod, tu.NodeInfo(tc.node))
		if st.Code() != tc.want {
			t.Errorf("%s: code %v, want %v", tc.name, st.Code(), tc.want)
		}
		if tc.want != framework.Success && st.Message() != ErrReasonNotMatch {
			t.Errorf("%s: message %q", tc.name, st.Message())
		}
	}
	taint, bad := FindUntoleratedTaint(tainted.Taints, nil)
	if !bad || taint.Key != "dedicated" {
		t.Errorf("FindUntoleratedTaint = %v %v, want the dedicated taint", taint, bad)
	}
}

func TestScore(t *testing.T) {
	// Node a: 0 PreferNoSchedule taints; b: 1 (tolerated by the pod);
	// c: 2 untolerated; d: 1 untolerated plus a NoSchedule (ignored by Score).
	nodes := []*api.Node{
		tu.MakeNode().Name("a").Obj(),
		tu.MakeNode().Name("b").Taint("ok", "1", api.TaintPreferNoSchedule).Obj(),
		tu.MakeNode().Name("c").Taint("x", "1", api.TaintPreferNoSchedule).Taint("y", "1", api.TaintPreferNoSchedule).Obj(),
		tu.MakeNode().Name("d").Taint("x", "1", api.TaintPreferNoSchedule).Taint("z", "1", api.TaintNoSchedule).Obj(),
	}
	tests := []struct {
		name    string
		pod     *api.Pod
		wantRaw []int64
		want    []int64
	}{
		// Raw counts 0, 0, 2, 1; max 2 → 100−0, 100−0, 100−100, 100−50.
		{"tolerates ok", tu.MakePod().Name("p").Toleration("ok", api.TolerationOpExists, "", api.TaintPreferNoSchedule).Obj(),
			[]int64{0, 0, 2, 1}, []int64{100, 100, 0, 50}},
		// A NoSchedule toleration cannot tolerate a PreferNoSchedule taint:
		// raw 0, 1, 2, 1 → 100, 50, 0, 50.
		{"toleration with NoSchedule effect does not count", tu.MakePod().Name("p").
			Toleration("ok", api.TolerationOpExists, "", api.TaintNoSchedule).Obj(),
			[]int64{0, 1, 2, 1}, []int64{100, 50, 0, 50}},
		// Tolerates everything: all raw 0 → all 100.
		{"tolerates all", tu.MakePod().Name("p").Toleration("", api.TolerationOpExists, "", "").Obj(),
			[]int64{0, 0, 0, 0}, []int64{100, 100, 100, 100}},
	}
	pl := newPlugin(t)
	for _, tc := range tests {
		state := framework.NewCycleState()
		var infos []*framework.NodeInfo
		for _, n := range nodes {
			infos = append(infos, tu.NodeInfo(n))
		}
		if st := pl.PreScore(state, tc.pod, infos); !st.IsSuccess() {
			t.Fatalf("%s: PreScore %v", tc.name, st)
		}
		var raw []int64
		var scores []framework.NodeScore
		for _, ni := range infos {
			s, st := pl.Score(state, tc.pod, ni)
			if !st.IsSuccess() {
				t.Fatalf("%s: Score %v", tc.name, st)
			}
			raw = append(raw, s)
			scores = append(scores, framework.NodeScore{Name: ni.Name(), Score: s})
		}
		if !slices.Equal(raw, tc.wantRaw) {
			t.Errorf("%s: raw %v, want %v", tc.name, raw, tc.wantRaw)
		}
		pl.ScoreExtensions().NormalizeScore(state, tc.pod, scores)
		var got []int64
		for _, s := range scores {
			got = append(got, s.Score)
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("%s: normalized %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestScoreWithoutPreScoreIsError(t *testing.T) {
	pl := newPlugin(t)
	_, st := pl.Score(framework.NewCycleState(), tu.MakePod().Obj(), tu.NodeInfo(tu.MakeNode().Name("n").Obj()))
	if st.Code() != framework.Error {
		t.Errorf("code %v, want Error", st.Code())
	}
}

// TestPerNodeCallsDoNotAllocate: Filter and Score on a passing node allocate
// nothing.
func TestPerNodeCallsDoNotAllocate(t *testing.T) {
	pl := newPlugin(t)
	ni := tu.NodeInfo(tu.MakeNode().Name("n").Taint("a", "1", api.TaintNoSchedule).Taint("b", "1", api.TaintPreferNoSchedule).Obj())
	pod := tu.MakePod().Name("p").Toleration("a", api.TolerationOpExists, "", api.TaintNoSchedule).Obj()
	state := framework.NewCycleState()
	pl.PreScore(state, pod, nil)
	if n := testing.AllocsPerRun(1000, func() {
		if st := pl.Filter(state, pod, ni); st != nil {
			t.Fatal(st.Message())
		}
		if s, _ := pl.Score(state, pod, ni); s != 1 {
			t.Fatal(s)
		}
	}); n != 0 {
		t.Errorf("%v allocations per node, want 0", n)
	}
}
