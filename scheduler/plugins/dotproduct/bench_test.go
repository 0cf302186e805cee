package dotproduct

import (
	"strconv"
	"testing"

	"github.com/kubesim/kubesim/scheduler/framework"
	tu "github.com/kubesim/kubesim/scheduler/plugins/internal/testutil"
)

// BenchmarkScoreCycle is one cycle's PreScore and Score over 500 feasible
// nodes (the adaptive sample of a 5 000-node cluster).
func BenchmarkScoreCycle(b *testing.B) {
	h := tu.NewHandle()
	for i := range 500 {
		n := tu.MakeNode().Name("n"+strconv.Itoa(i)).Alloc(int64(4000+i), 16*Gi).Obj()
		h.Nodes = append(h.Nodes, tu.NodeInfo(n, tu.MakePod().Name("e"+strconv.Itoa(i)).Req(int64(i), Gi).Obj()))
	}
	pl, err := New(nil, nil)
	if err != nil {
		b.Fatal(err)
	}
	p := pl.(*DotProduct)
	pod := tu.MakePod().Name("p").Req(500, Gi).Obj()
	b.ReportAllocs()
	for b.Loop() {
		state := framework.NewCycleState()
		p.PreScore(state, pod, h.Nodes)
		for _, ni := range h.Nodes {
			if _, st := p.Score(state, pod, ni); !st.IsSuccess() {
				b.Fatal(st.Message())
			}
		}
	}
}
