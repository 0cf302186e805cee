package scheduler

import (
	"fmt"
	"testing"
	"time"

	"github.com/kubesim/kubesim/scheduler/framework"
	"github.com/kubesim/kubesim/sim"
	"github.com/kubesim/kubesim/sim/api"
	"github.com/kubesim/kubesim/sim/store"
)

// benchScheduler returns a started scheduler with the in-tree default profile
// over n nodes in 10 zones, some already carrying pods.
func benchScheduler(b *testing.B, n int) *Scheduler {
	b.Helper()
	eng := sim.NewEngine(1, 0)
	st := store.New(eng, store.Options{})
	for i := range n {
		node := makeNode(fmt.Sprintf("node-%05d", i), fmt.Sprintf("zone-%d", i%10), 32000, 128*gi)
		if i%7 == 0 {
			node.Taints = []api.Taint{{Key: "example.com/pref", Value: "x", Effect: api.TaintPreferNoSchedule}}
		}
		if _, err := st.Nodes.Create("bench", node, "Bench"); err != nil {
			b.Fatal(err)
		}
	}
	s, err := New(eng, st, Config{})
	if err != nil {
		b.Fatal(err)
	}
	s.Start()
	eng.Run(eng.Now().Add(time.Second))
	for i := range n / 2 {
		p := makePod(fmt.Sprintf("existing-%d", i), int64(500*(i%8)), int64(i%5)*gi)
		p.NodeName = fmt.Sprintf("node-%05d", (i*37)%n)
		s.cache.AddPod(p)
	}
	return s
}

// BenchmarkSchedulingCycle5000Nodes measures one scheduling cycle of the
// default profile at 5 000 nodes: PreFilter, Filter until 500 feasible nodes,
// PreScore, Score and NormalizeScore of every score plugin, the tie-break,
// assume, Reserve and Permit. Pods accumulate on the nodes as in a real run.
func BenchmarkSchedulingCycle5000Nodes(b *testing.B) {
	s := benchScheduler(b, 5000)
	prof := s.Profile(api.DefaultSchedulerName)
	pods := make([]*api.Pod, b.N)
	for i := range pods {
		pods[i] = makePod(fmt.Sprintf("p-%d", i), 100+int64(i%4)*250, int64(1+i%3)*gi/2)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		pod := pods[i]
		state := framework.NewCycleState()
		host, _, st := s.schedulePod(prof, state, pod)
		if !st.IsSuccess() {
			b.Fatal(st.Message())
		}
		assumed := pod.Clone()
		assumed.NodeName = host
		s.cache.AssumePod(assumed)
		if st := prof.runReserve(state, assumed, host); !st.IsSuccess() {
			b.Fatal(st.Message())
		}
		if st, _, _ := prof.runPermit(state, assumed, host); !st.IsSuccess() {
			b.Fatal(st.Message())
		}
	}
}
