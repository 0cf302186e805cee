package fgd

import (
	"github.com/kubesim/kubesim/scheduler/framework"
	"github.com/kubesim/kubesim/scheduler/plugins/gpushare"
	"github.com/kubesim/kubesim/sim/api"
)

// Memoisation. A node's score depends only on its state as FGD sees it
// (gpushare.Node: cpu left, GPU model, free milli per device) and on the
// pod's shape (gpushare.Pod), and a scheduling cycle changes at most one
// node. So FGD keeps, per node (by framework.NodeInfo.ID), the state its
// memo is for, that state's fragmentation, and the score of every pod shape
// scored on it since the state last changed. A node whose state differs from
// the memo's (compared exactly, so clones of a NodeInfo and reused IDs are
// safe) starts a fresh memo. Results are bit-identical to computing afresh.
// The same NodeInfo at the same Generation is the same state (every change
// of a NodeInfo increments its Generation), so then even the comparison is
// skipped.

// nodeMemo is one node's memo.
type nodeMemo struct {
	valid bool
	// ni and gen are the NodeInfo and Generation last seen in this state.
	ni   *framework.NodeInfo
	gen  int64
	node gpushare.Node
	frag float64
	// scores[shape] is the score of pod shape shape plus one (0: unknown).
	scores []int32
}

// shapeID returns the interned id of a pod shape.
func (f *FGD) shapeID(pod gpushare.Pod) int {
	if id, ok := f.shapes[pod]; ok {
		return id
	}
	id := len(f.shapes)
	f.shapes[pod] = id
	return id
}

// memoScore returns the score of pod (shape id) on ni, from or into ni's
// memo.
func (f *FGD) memoScore(pod gpushare.Pod, id int, ni *framework.NodeInfo) int64 {
	if ni.ID <= 0 {
		n := gpushare.NodeOf(ni)
		s, _ := f.scoreWith(&n, pod, Frag(&n, f.tps))
		return s
	}
	for int(ni.ID) >= len(f.memo) {
		f.memo = append(f.memo, nodeMemo{})
	}
	m := &f.memo[ni.ID]
	if !m.valid || m.ni != ni || m.gen != ni.Generation {
		n := gpushare.NodeOf(ni)
		if !m.valid || !sameNode(&m.node, &n) {
			m.valid, m.node, m.frag = true, n, Frag(&n, f.tps)
			clear(m.scores)
		}
		m.ni, m.gen = ni, ni.Generation
	}
	if id < len(m.scores) {
		if v := m.scores[id]; v != 0 {
			return int64(v - 1)
		}
	} else {
		m.scores = append(m.scores, make([]int32, id+1-len(m.scores))...)
	}
	s, _ := f.scoreWith(&m.node, pod, m.frag)
	m.scores[id] = int32(s + 1)
	return s
}

// sameNode reports whether two node states are equal as FGD sees them.
func sameNode(a, b *gpushare.Node) bool {
	if a.MilliCPULeft != b.MilliCPULeft || a.N != b.N || a.Model != b.Model {
		return false
	}
	for i := 0; i < a.N; i++ {
		if a.Free[i] != b.Free[i] {
			return false
		}
	}
	return true
}

// ScoreNodes implements framework.BatchScorePlugin: Score for every node,
// through the memo.
func (f *FGD) ScoreNodes(_ *framework.CycleState, p *api.Pod, nodes []*framework.NodeInfo, scores []framework.NodeScore) *framework.Status {
	if p.Spec.Requests.IsZero() {
		for i := range nodes {
			scores[i].Score = framework.MaxNodeScore
		}
		return nil
	}
	pod := gpushare.PodOf(p)
	id := f.shapeID(pod)
	for i, ni := range nodes {
		scores[i].Score = f.memoScore(pod, id, ni)
	}
	return nil
}
