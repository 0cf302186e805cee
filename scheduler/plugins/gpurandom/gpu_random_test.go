package gpurandom

import (
	"fmt"
	"testing"

	"github.com/kubesim/kubesim/scheduler/framework"
	tu "github.com/kubesim/kubesim/scheduler/plugins/internal/testutil"
	"github.com/kubesim/kubesim/sim/api"
)

func TestScoreAndReserve(t *testing.T) {
	if _, err := New(nil, nil); err == nil {
		t.Error("no handle accepted")
	}
	h := tu.NewHandle()
	nodes := []*framework.NodeInfo{tu.MixedGPUNode("a"), tu.MixedGPUNode("b"), tu.MixedGPUNode("c")}
	h.Nodes = nodes
	pl, err := New(nil, h)
	if err != nil {
		t.Fatal(err)
	}
	g := pl.(*GpuRandom)
	p := tu.GPUPod("p", 1000, 1, 250, "")
	wins := map[string]int{}
	for range 300 {
		scores := tu.ScoreNodes(t, g, p, nodes)
		sum, win := int64(0), ""
		for i, s := range scores {
			sum += s
			if s == framework.MaxNodeScore {
				win = nodes[i].Name()
			}
		}
		if sum != framework.MaxNodeScore {
			t.Fatalf("scores %v", scores)
		}
		wins[win]++
	}
	if len(wins) != 3 {
		t.Errorf("winners %v", wins)
	}
	// Without PreScore every node scores 0.
	if s, _ := g.Score(framework.NewCycleState(), p, nodes[0]); s != 0 {
		t.Errorf("score without PreScore %d", s)
	}
	// Devices: the 250 pod lands on one of the fitting devices 0, 1, 2.
	seen := map[uint32]bool{}
	for i := range 60 {
		a := p.Clone()
		a.UID = api.UID(fmt.Sprintf("uid-%d", i))
		a.NodeName = "a"
		nodes[0].AddPod(a)
		state := framework.NewCycleState()
		if st := g.Reserve(state, a, "a"); !st.IsSuccess() {
			t.Fatal(st.Message())
		}
		seen[nodes[0].PodGPUDevices(a)] = true
		g.Unreserve(state, a, "a")
		nodes[0].RemovePod(a)
	}
	if len(seen) != 3 || !seen[1] || !seen[2] || !seen[4] {
		t.Errorf("devices %v", seen)
	}
}
