package podtopologyspread

import (
	"fmt"
	"testing"

	corev1 "k8s.io/api/core/v1"

	"github.com/kubesim/kubesim/scheduler/framework"
)

// TestCachesFollowChanges reuses one plugin across cycles while pods come
// and go and a node is relabelled: the cached per-node counts and topology
// ids must follow.
func TestCachesFollowChanges(t *testing.T) {
	foo := labels("foo", "bar")
	p := mkPod("in", "", foo, withSpread(spread(1, host, string(corev1.DoNotSchedule), sel("foo", "bar"))))
	nodes := fourNodes() // hosts a1 1, a2 1, b1 1, b2 0
	pl := newPlugin(t, nil, nil, nodes)
	check := func(step string, want []framework.Code) {
		t.Helper()
		if got := runFilter(t, pl, p, nodes); fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("%s: codes %v, want %v", step, got, want)
		}
	}
	check("start", []framework.Code{U, U, U, S})
	// b2 gets a matching pod: every host 1, min 1.
	extra := mkPod("x", "b2", foo)
	nodes[3].AddPod(extra)
	check("pod added", []framework.Code{S, S, S, S})
	// The pod on a1 goes: hosts 0 1 1 1, min 0.
	nodes[0].RemovePod(nodes[0].Pods[0].Pod)
	check("pod removed", []framework.Code{S, U, U, U})
	// a2's pod is replaced by a version without the label.
	old := nodes[1].Pods[0].Pod
	relabelled := old.Clone()
	relabelled.Labels = labels("foo", "other")
	nodes[1].RemovePod(old)
	nodes[1].AddPod(relabelled)
	check("pod relabelled", []framework.Code{S, S, U, U}) // hosts 0 0 1 1
	// A zone constraint after b1 moves to zone a (a new node object):
	// zone a {a1 0, a2 0, b1 1} = 1, zone b {b2 1} = 1.
	moved := mkNode("b1", zone, "a").Obj()
	nodes[2].SetNode(moved)
	zp := mkPod("in", "", foo, withSpread(spread(1, zone, string(corev1.DoNotSchedule), sel("foo", "bar"))))
	state := framework.NewCycleState()
	if _, st := pl.PreFilter(state, zp, nodes); !st.IsSuccess() {
		t.Fatal(st.Message())
	}
	s, _ := readPreFilter(state)
	za := pl.topo.value(s.cons[0].key, "a")
	zb := pl.topo.value(s.cons[0].key, "b")
	if s.counts[0][za] != 1 || s.counts[0][zb] != 1 || s.domains[0] != 2 {
		t.Errorf("zone counts a %d b %d domains %d, want 1 1 2", s.counts[0][za], s.counts[0][zb], s.domains[0])
	}
}

// TestManySelectors exceeds the count cache's capacity: evicted selectors
// are simply recounted.
func TestManySelectors(t *testing.T) {
	nodes := fourNodes()
	pl := newPlugin(t, nil, nil, nodes)
	for round := range 2 {
		for i := range maxCachedSelectors + 8 {
			p := mkPod("in", "", labels("foo", "bar"), withSpread(spread(1, host, string(corev1.DoNotSchedule),
				sel("foo", "bar", fmt.Sprintf("k%d", i), "v"))))
			// No pod has label k<i>: all counts 0, every node passes.
			for _, c := range runFilter(t, pl, p, nodes) {
				if c != S {
					t.Fatalf("round %d selector %d: %v", round, i, c)
				}
			}
		}
	}
	if n := len(pl.counts.entries); n > maxCachedSelectors {
		t.Errorf("%d cached selectors, bound %d", n, maxCachedSelectors)
	}
	p := mkPod("in", "", labels("foo", "bar"), withSpread(spread(1, host, string(corev1.DoNotSchedule), sel("foo", "bar"))))
	if got := runFilter(t, pl, p, nodes); fmt.Sprint(got) != fmt.Sprint([]framework.Code{U, U, U, S}) {
		t.Errorf("after eviction: %v", got)
	}
}

// TestNoAllocation checks that a passing Filter and Score allocate nothing.
func TestNoAllocation(t *testing.T) {
	foo := labels("foo", "bar")
	nodes := fourNodes()
	pl := newPlugin(t, nil, nil, nodes)
	p := mkPod("in", "", foo, withSpread(
		spread(1, zone, string(corev1.DoNotSchedule), sel("foo", "bar")),
		spread(1, zone, string(corev1.ScheduleAnyway), sel("foo", "bar")),
		spread(1, host, string(corev1.ScheduleAnyway), sel("foo", "bar"))))
	state := framework.NewCycleState()
	if _, st := pl.PreFilter(state, p, nodes); !st.IsSuccess() {
		t.Fatal(st.Message())
	}
	if st := pl.PreScore(state, p, nodes); !st.IsSuccess() {
		t.Fatal(st.Message())
	}
	b2 := nodes[3]
	if n := testing.AllocsPerRun(100, func() {
		if st := pl.Filter(state, p, b2); !st.IsSuccess() {
			panic(st.Message())
		}
		if _, st := pl.Score(state, p, b2); !st.IsSuccess() {
			panic(st.Message())
		}
	}); n != 0 {
		t.Errorf("%v allocations per Filter+Score", n)
	}
}
