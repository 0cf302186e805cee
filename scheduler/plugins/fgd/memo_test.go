package fgd

import (
	"fmt"
	"testing"

	"github.com/kubesim/kubesim/scheduler/framework"
	"github.com/kubesim/kubesim/scheduler/plugins/gpushare"
	tu "github.com/kubesim/kubesim/scheduler/plugins/internal/testutil"
	"github.com/kubesim/kubesim/sim/api"
)

// TestMemoMatchesFreshScores: ScoreNodes and Score through the memo give
// exactly the scores computed afresh, as nodes fill up, for a clone that
// shares its original's ID and Generation but not its state, and for a
// NodeInfo that takes over an ID.
func TestMemoMatchesFreshScores(t *testing.T) {
	pl, err := New(&Args{TypicalPods: []TypicalPodSpec{
		{CPU: 4000, GPUMilli: 0, NumGPU: 0, Weight: 1},
		{CPU: 6000, GPUMilli: 1000, NumGPU: 1, Weight: 4},
		{CPU: 8000, GPUMilli: 500, NumGPU: 1, Weight: 2},
		{CPU: 4000, GPUMilli: 250, NumGPU: 1, Weight: 1},
		{CPU: 16000, GPUMilli: 1000, NumGPU: 2, Weight: 1},
	}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	f := pl.(*FGD)
	var nodes []*framework.NodeInfo
	for i, g := range []int64{2, 4, 8, 8} {
		ni := tu.NodeInfo(tu.GPUNode(fmt.Sprintf("n%d", i), 32000, g, "T4"))
		ni.ID = int32(i + 1)
		nodes = append(nodes, ni)
	}
	pods := []*api.Pod{tu.GPUPod("s1", 4000, 1, 250, ""), tu.GPUPod("w1", 6000, 1, 1000, ""),
		tu.GPUPod("cpu", 4000, 0, 0, ""), tu.GPUPod("s2", 8000, 1, 500, ""), tu.GPUPod("w2", 16000, 2, 2000, "")}
	check := func(step string, p *api.Pod, nis []*framework.NodeInfo) {
		t.Helper()
		scores := make([]framework.NodeScore, len(nis))
		if st := f.ScoreNodes(nil, p, nis, scores); !st.IsSuccess() {
			t.Fatal(st)
		}
		for i, ni := range nis {
			n := gpushare.NodeOf(ni)
			want, _ := f.scoreAndDevice(&n, gpushare.PodOf(p))
			got, _ := f.Score(nil, p, ni)
			if scores[i].Score != want || got != want {
				t.Errorf("%s: pod %s node %d: ScoreNodes %d, Score %d, fresh %d", step, p.Name, i, scores[i].Score, got, want)
			}
		}
	}
	for round := range 6 {
		for k, p := range pods {
			check(fmt.Sprintf("round %d", round), p, nodes)
			// Place the pod on one node, as a cycle does, and score again.
			target := nodes[(round+k)%len(nodes)]
			q := p.Clone()
			q.UID = api.UID(fmt.Sprintf("%s-%d", p.Name, round))
			if d := gpushare.DevicesOf(target); d.Fits(framework.PodGPURequest(q)) {
				target.AddPod(q)
			}
		}
	}
	// A clone changed without touching the original: same ID, same
	// starting Generation, another state.
	c := nodes[0].Clone()
	c.AddPod(tu.GPUPod("extra", 1000, 1, 100, ""))
	check("clone", pods[0], []*framework.NodeInfo{c, nodes[0]})
	// Another NodeInfo takes over ID 2.
	fresh := tu.NodeInfo(tu.GPUNode("other", 64000, 8, "V100"))
	fresh.ID = 2
	check("reused id", pods[3], []*framework.NodeInfo{fresh})
}
