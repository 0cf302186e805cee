package podtopologyspread

import (
	"fmt"
	"testing"

	corev1 "k8s.io/api/core/v1"

	"github.com/kubesim/kubesim/scheduler/framework"
	tu "github.com/kubesim/kubesim/scheduler/plugins/internal/testutil"
	"github.com/kubesim/kubesim/sim/api"
)

// benchCluster returns n nodes over 3 zones, each running 10 pods of which
// every third is app=web; and a pending app=web pod spreading over zones
// (DoNotSchedule, maxSkew 1) and hostnames (ScheduleAnyway, maxSkew 1).
func benchCluster(n int) ([]*framework.NodeInfo, *api.Pod) {
	nodes := make([]*framework.NodeInfo, n)
	for i := range nodes {
		node := mkNode(fmt.Sprintf("n%d", i), zone, fmt.Sprintf("z%d", i%3)).Obj()
		var pods []*api.Pod
		for j := range 10 {
			app := "other"
			if (i+j)%3 == 0 {
				app = "web"
			}
			pods = append(pods, mkPod(fmt.Sprintf("p%d-%d", i, j), node.Name, labels("app", app)))
		}
		nodes[i] = tu.NodeInfo(node, pods...)
	}
	web := sel("app", "web")
	p := mkPod("in", "", labels("app", "web"), withSpread(
		spread(1, zone, string(corev1.DoNotSchedule), web),
		spread(1, host, string(corev1.ScheduleAnyway), web)))
	return nodes, p
}

func newBenchPlugin(b *testing.B, nodes []*framework.NodeInfo) *PodTopologySpread {
	h := tu.NewHandle()
	h.Nodes = nodes
	pl, err := New(nil, h)
	if err != nil {
		b.Fatal(err)
	}
	return pl.(*PodTopologySpread)
}

// BenchmarkPreFilter5000 is PreFilter over 5 000 nodes (50 000 pods).
func BenchmarkPreFilter5000(b *testing.B) {
	nodes, p := benchCluster(5000)
	pl := newBenchPlugin(b, nodes)
	b.ReportAllocs()
	for b.Loop() {
		if _, st := pl.PreFilter(framework.NewCycleState(), p, nodes); !st.IsSuccess() {
			b.Fatal(st.Message())
		}
	}
}

// BenchmarkFilter is one Filter call (a passing node).
func BenchmarkFilter(b *testing.B) {
	nodes, p := benchCluster(5000)
	pl := newBenchPlugin(b, nodes)
	state := framework.NewCycleState()
	pl.PreFilter(state, p, nodes)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		pl.Filter(state, p, nodes[i%len(nodes)])
		i++
	}
}

// BenchmarkPreScore500 is PreScore with 500 feasible nodes out of 5 000.
func BenchmarkPreScore500(b *testing.B) {
	nodes, p := benchCluster(5000)
	pl := newBenchPlugin(b, nodes)
	p.Spec.TopologySpreadConstraints[0].WhenUnsatisfiable = string(corev1.ScheduleAnyway)
	b.ReportAllocs()
	for b.Loop() {
		if st := pl.PreScore(framework.NewCycleState(), p, nodes[:500]); !st.IsSuccess() {
			b.Fatal(st.Message())
		}
	}
}

// BenchmarkScore is one Score call (zone and hostname terms).
func BenchmarkScore(b *testing.B) {
	nodes, p := benchCluster(5000)
	pl := newBenchPlugin(b, nodes)
	p.Spec.TopologySpreadConstraints[0].WhenUnsatisfiable = string(corev1.ScheduleAnyway)
	state := framework.NewCycleState()
	pl.PreScore(state, p, nodes[:500])
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		pl.Score(state, p, nodes[i%500])
		i++
	}
}
