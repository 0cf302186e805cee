package testutil

import (
	"testing"

	"github.com/kubesim/kubesim/scheduler/framework"
	"github.com/kubesim/kubesim/sim/api"
)

// ScoreNodes scores nodes for p with one score plugin as a scheduling cycle
// does: PreScore (when implemented; Skip gives all-zero scores), Score per
// node in order, then NormalizeScore (when the plugin has one). It returns
// the final scores in node order and fails the test on any error status.
func ScoreNodes(t testing.TB, pl framework.ScorePlugin, p *api.Pod, nodes []*framework.NodeInfo) []int64 {
	t.Helper()
	state := framework.NewCycleState()
	out := make([]int64, len(nodes))
	if ps, ok := pl.(framework.PreScorePlugin); ok {
		st := ps.PreScore(state, p, nodes)
		if st.IsSkip() {
			return out
		}
		if !st.IsSuccess() {
			t.Fatalf("%s PreScore: %v", pl.Name(), st.Message())
		}
	}
	scores := make([]framework.NodeScore, len(nodes))
	for i, ni := range nodes {
		s, st := pl.Score(state, p, ni)
		if !st.IsSuccess() {
			t.Fatalf("%s Score(%s): %v", pl.Name(), ni.Name(), st.Message())
		}
		scores[i] = framework.NodeScore{Name: ni.Name(), Score: s}
	}
	if ext := pl.ScoreExtensions(); ext != nil {
		if st := ext.NormalizeScore(state, p, scores); !st.IsSuccess() {
			t.Fatalf("%s NormalizeScore: %v", pl.Name(), st.Message())
		}
	}
	for i := range scores {
		out[i] = scores[i].Score
	}
	return out
}

// fits reports whether p's cpu, memory and extended requests and one more pod
// fit in the node's free allocatable.
func fits(p *api.Pod, ni *framework.NodeInfo) bool {
	n, r, used := ni.Node(), &p.Spec.Requests, &ni.Requested
	if int64(len(ni.Pods))+1 > n.AllowedPods ||
		used.MilliCPU+r.MilliCPU > n.Allocatable.MilliCPU || used.Memory+r.Memory > n.Allocatable.Memory {
		return false
	}
	for _, s := range r.Scalar {
		if used.Get(s.Name)+s.Value > n.Allocatable.Get(s.Name) {
			return false
		}
	}
	return true
}

// Place schedules pods one after the other onto nodes with one score plugin,
// as a profile with only that score plugin would: the feasible nodes (those
// where the pod's requests fit) are scored with ScoreNodes, the highest
// score wins, ties go to the earliest node in the list, and the pod is added
// to the winner's NodeInfo before the next pod. It returns the chosen node
// names ("" for a pod that fits nowhere).
func Place(t testing.TB, pl framework.ScorePlugin, nodes []*framework.NodeInfo, pods ...*api.Pod) []string {
	t.Helper()
	out := make([]string, len(pods))
	for k, p := range pods {
		var feasible []*framework.NodeInfo
		for _, ni := range nodes {
			if fits(p, ni) {
				feasible = append(feasible, ni)
			}
		}
		if len(feasible) == 0 {
			continue
		}
		scores := ScoreNodes(t, pl, p, feasible)
		best := 0
		for i := range scores {
			if scores[i] > scores[best] {
				best = i
			}
		}
		feasible[best].AddPod(p)
		out[k] = feasible[best].Name()
	}
	return out
}
