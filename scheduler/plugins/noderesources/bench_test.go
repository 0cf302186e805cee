package noderesources

import (
	"fmt"
	"testing"

	configv1 "k8s.io/kube-scheduler/config/v1"

	"github.com/kubesim/kubesim/scheduler/framework"
	tu "github.com/kubesim/kubesim/scheduler/plugins/internal/testutil"
	"github.com/kubesim/kubesim/sim/api"
)

// cluster returns n nodes of 16 cores / 64Gi / 8 GPUs, each running 10 pods.
func cluster(n int) []*framework.NodeInfo {
	out := make([]*framework.NodeInfo, n)
	for i := range out {
		node := tu.MakeNode().Name(fmt.Sprintf("n%d", i)).Alloc(16000, 64*Gi).AllocRes(gpu, 8).Obj()
		var pods []*api.Pod
		for j := range 10 {
			pods = append(pods, tu.MakePod().Name(fmt.Sprintf("p%d-%d", i, j)).Req(int64(100*(j+1)), int64(j+1)*Gi).Obj())
		}
		out[i] = tu.NodeInfo(node, pods...)
	}
	return out
}

type perNode struct {
	fit   *Fit
	ba    *BalancedAllocation
	state *framework.CycleState
	pod   *api.Pod
	nodes []*framework.NodeInfo
}

func setup(t testing.TB, args any, pod *api.Pod) *perNode {
	b := &perNode{fit: newFit(t, args), ba: newBalanced(t, nil), state: framework.NewCycleState(), pod: pod, nodes: cluster(500)}
	if _, st := b.fit.PreFilter(b.state, pod, b.nodes); !st.IsSuccess() {
		t.Fatal(st)
	}
	if st := b.fit.PreScore(b.state, pod, b.nodes); !st.IsSuccess() {
		t.Fatal(st)
	}
	if st := b.ba.PreScore(b.state, pod, b.nodes); !st.IsSuccess() {
		t.Fatal(st)
	}
	return b
}

// call runs Fit.Filter, Fit.Score and BalancedAllocation.Score on node i.
func (b *perNode) call(i int) {
	ni := b.nodes[i%len(b.nodes)]
	if st := b.fit.Filter(b.state, b.pod, ni); st != nil {
		panic(st.Message())
	}
	if _, st := b.fit.Score(b.state, b.pod, ni); st != nil {
		panic(st.Message())
	}
	if _, st := b.ba.Score(b.state, b.pod, ni); st != nil {
		panic(st.Message())
	}
}

var benchCases = []struct {
	name string
	args any
	pod  *api.Pod
}{
	{"LeastAllocated", nil, tu.MakePod().Name("in").Req(500, Gi).Obj()},
	{"MostAllocatedGPU", strategy(configv1.MostAllocated, rs("cpu", 1, "memory", 1, gpu, 3)), tu.MakePod().Name("in").Req(500, Gi).Ext(gpu, 1).Obj()},
	{"RequestedToCapacityRatio", strategy(configv1.RequestedToCapacityRatio, nil, pt(0, 0), pt(100, 10)), tu.MakePod().Name("in").Req(500, Gi).Obj()},
}

// TestPerNodeCallsDoNotAllocate pins the hot-path rule: Filter and Score on a
// passing node allocate nothing.
func TestPerNodeCallsDoNotAllocate(t *testing.T) {
	for _, bc := range benchCases {
		b := setup(t, bc.args, bc.pod)
		i := 0
		if n := testing.AllocsPerRun(1000, func() { b.call(i); i++ }); n != 0 {
			t.Errorf("%s: %v allocations per node, want 0", bc.name, n)
		}
	}
}

// BenchmarkPerNode measures Fit.Filter + Fit.Score + BalancedAllocation.Score
// for one node (one op), cycling over 500 nodes of 10 pods each.
func BenchmarkPerNode(b *testing.B) {
	for _, bc := range benchCases {
		b.Run(bc.name, func(b *testing.B) {
			s := setup(b, bc.args, bc.pod)
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				s.call(i)
				i++
			}
		})
	}
}

// BenchmarkCycle500 measures one cycle's worth of these plugins over 500
// nodes: PreFilter and PreScore once, then Filter and both Scores per node.
func BenchmarkCycle500(b *testing.B) {
	fit, ba := newFit(b, nil), newBalanced(b, nil)
	nodes := cluster(500)
	pod := tu.MakePod().Name("in").Req(500, Gi).Obj()
	b.ReportAllocs()
	for b.Loop() {
		state := framework.NewCycleState()
		fit.PreFilter(state, pod, nodes)
		fit.PreScore(state, pod, nodes)
		ba.PreScore(state, pod, nodes)
		for _, ni := range nodes {
			fit.Filter(state, pod, ni)
			fit.Score(state, pod, ni)
			ba.Score(state, pod, ni)
		}
	}
}

// BenchmarkScoreTable500 measures the table paths of Fit.Score and
// BalancedAllocation.Score over 500 nodes (one op: both plugins, every node).
func BenchmarkScoreTable500(b *testing.B) {
	fit, ba := newFit(b, nil), newBalanced(b, nil)
	nodes := cluster(500)
	var t framework.NodeTable
	ids := make([]int32, len(nodes))
	for i, ni := range nodes {
		ni.ID = int32(i + 1)
		ids[i] = ni.ID
		t.Set(ni)
	}
	pod := tu.MakePod().Name("in").Req(500, Gi).Obj()
	state := framework.NewCycleState()
	fit.PreScore(state, pod, nodes)
	ba.PreScore(state, pod, nodes)
	scores := make([]framework.NodeScore, len(nodes))
	for _, pl := range []framework.TableScorePlugin{fit, ba} {
		b.Run(pl.Name(), func(b *testing.B) {
			for b.Loop() {
				pl.ScoreTable(state, pod, &t, ids, nodes, scores)
			}
		})
	}
}
