package noderesources

import (
	"fmt"
	"math"

	configv1 "k8s.io/kube-scheduler/config/v1"

	"github.com/kubesim/kubesim/scheduler/framework"
	"github.com/kubesim/kubesim/sim/api"
)

// BalancedAllocationName is NodeResourcesBalancedAllocation's name in the
// registry and in configurations.
const BalancedAllocationName = "NodeResourcesBalancedAllocation"

const balancedPreScoreStateKey framework.StateKey = "PreScore" + BalancedAllocationName

// BalancedAllocation favours nodes on which the pod would leave the
// requested fractions of the configured resources close to each other.
type BalancedAllocation struct {
	resources []resource
}

var (
	_ framework.PreScorePlugin   = &BalancedAllocation{}
	_ framework.TableScorePlugin = &BalancedAllocation{}
)

// NewBalancedAllocation returns NodeResourcesBalancedAllocation. args is nil
// (cpu and memory) or a *v1.NodeResourcesBalancedAllocationArgs: no
// resources means cpu and memory; every weight must be 1 (0 means 1) and no
// resource may repeat.
func NewBalancedAllocation(args any, _ framework.Handle) (framework.Plugin, error) {
	var a *configv1.NodeResourcesBalancedAllocationArgs
	switch v := args.(type) {
	case nil:
	case *configv1.NodeResourcesBalancedAllocationArgs:
		a = v
	default:
		return nil, fmt.Errorf("%s: want args of type *v1.NodeResourcesBalancedAllocationArgs, got %T", BalancedAllocationName, args)
	}
	rs, err := compileBalancedArgs(a)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", BalancedAllocationName, err)
	}
	return &BalancedAllocation{resources: rs}, nil
}

// Name returns BalancedAllocationName.
func (*BalancedAllocation) Name() string { return BalancedAllocationName }

// balancedState holds the pod's real request per configured resource.
type balancedState struct {
	podRequests []int64
}

// Clone returns s: the state is read-only.
func (s *balancedState) Clone() framework.StateData { return s }

func isBestEffort(reqs []int64) bool {
	for _, r := range reqs {
		if r != 0 {
			return false
		}
	}
	return true
}

// PreScore stores the pod's real requests (no non-zero defaults) of the
// configured resources, and returns Skip when they are all 0, so that
// best-effort pods are not all packed onto one node.
func (ba *BalancedAllocation) PreScore(state *framework.CycleState, p *api.Pod, _ []*framework.NodeInfo) *framework.Status {
	reqs := podRequests(ba.resources, p.Spec, false)
	if isBestEffort(reqs) {
		return framework.NewStatus(framework.Skip)
	}
	state.Write(balancedPreScoreStateKey, &balancedState{podRequests: reqs})
	return nil
}

// Score is int64((1 − std)·100) over the fractions requested/allocatable
// (each capped at 1) of the resources with non-zero allocatable; std is
// |f1 − f2|/2 for two fractions, the population standard deviation for more,
// 0 for fewer.
func (ba *BalancedAllocation) Score(state *framework.CycleState, p *api.Pod, ni *framework.NodeInfo) (int64, *framework.Status) {
	node := ni.Node()
	if node == nil {
		return 0, framework.AsStatus(errNoNode)
	}
	var reqs []int64
	if d, err := state.Read(balancedPreScoreStateKey); err == nil {
		s, ok := d.(*balancedState)
		if !ok {
			return 0, framework.AsStatus(fmt.Errorf("%s: cycle state %q has type %T", BalancedAllocationName, balancedPreScoreStateKey, d))
		}
		reqs = s.podRequests
	} else if reqs = podRequests(ba.resources, p.Spec, false); isBestEffort(reqs) {
		return 0, nil
	}
	return ba.score(ni, node, reqs), nil
}

// ScoreNodes is Score over many nodes.
func (ba *BalancedAllocation) ScoreNodes(state *framework.CycleState, p *api.Pod, nodes []*framework.NodeInfo, scores []framework.NodeScore) *framework.Status {
	d, err := state.Read(balancedPreScoreStateKey)
	s, ok := d.(*balancedState)
	if err != nil || !ok {
		for i, ni := range nodes {
			sc, st := ba.Score(state, p, ni)
			if !st.IsSuccess() {
				return st
			}
			scores[i].Score = sc
		}
		return nil
	}
	reqs := s.podRequests
	cpuMem := len(ba.resources) == 2 && ba.resources[0].kind == kindCPU && ba.resources[1].kind == kindMemory
	for i, ni := range nodes {
		node := ni.Node()
		if node == nil {
			return framework.AsStatus(errNoNode)
		}
		if cpuMem {
			scores[i].Score = balancedCPUMemory(node, ni, reqs[0], reqs[1])
		} else {
			scores[i].Score = ba.score(ni, node, reqs)
		}
	}
	return nil
}

// ScoreTable is ScoreNodes reading the node table, for the default
// resources (cpu and memory).
func (ba *BalancedAllocation) ScoreTable(state *framework.CycleState, p *api.Pod, t *framework.NodeTable, ids []int32, nodes []*framework.NodeInfo, scores []framework.NodeScore) *framework.Status {
	d, err := state.Read(balancedPreScoreStateKey)
	s, ok := d.(*balancedState)
	if err != nil || !ok || len(ba.resources) != 2 || ba.resources[0].kind != kindCPU || ba.resources[1].kind != kindMemory {
		return ba.ScoreNodes(state, p, nodes, scores)
	}
	if !balancedCPUMemoryRows(t.Rows, ids, scores, s.podRequests[0], s.podRequests[1]) {
		return framework.AsStatus(errNoNode)
	}
	return nil
}

// balancedCPUMemoryRows sets scores[i] to balancedCPUMemory of row ids[i]
// for a pod requesting cpu and mem, with the same float64 operations in
// the same order, and reports false at the first row without a node. With
// one fraction or none, the deviation is 0 and the score 100. min(f, 1) is
// written as a comparison: f is never NaN (its divisor is not 0). The loop
// is a function of its own, kept out of line, so that the compiler keeps
// it in registers.
//
//go:noinline
func balancedCPUMemoryRows(rows []framework.NodeRow, ids []int32, scores []framework.NodeScore, cpu, mem int64) bool {
	scores = scores[:len(ids)]
	for i, id := range ids {
		r := &rows[id]
		if r.Flags&framework.NodeMissing != 0 {
			return false
		}
		ca, ma := r.AllocMilliCPU, r.AllocMemory
		if ca == 0 || ma == 0 {
			scores[i].Score = framework.MaxNodeScore
			continue
		}
		f0 := float64(r.ReqMilliCPU+cpu) / float64(ca)
		if f0 > 1 {
			f0 = 1
		}
		f1 := float64(r.ReqMemory+mem) / float64(ma)
		if f1 > 1 {
			f1 = 1
		}
		scores[i].Score = int64((1 - math.Abs((f0-f1)/2)) * float64(framework.MaxNodeScore))
	}
	return true
}

// balancedCPUMemory is score over cpu and memory (in this order), the
// default, without the per-resource switches: the same float64 operations
// in the same order.
func balancedCPUMemory(node *api.Node, ni *framework.NodeInfo, cpu, mem int64) int64 {
	var n int
	var fs [2]float64
	if a := node.Allocatable.MilliCPU; a != 0 {
		fs[n] = min(float64(ni.Requested.MilliCPU+cpu)/float64(a), 1)
		n++
	}
	if a := node.Allocatable.Memory; a != 0 {
		fs[n] = min(float64(ni.Requested.Memory+mem)/float64(a), 1)
		n++
	}
	var std float64
	if n == 2 {
		std = math.Abs((fs[0] - fs[1]) / 2)
	}
	return int64((1 - std) * float64(framework.MaxNodeScore))
}

// fraction returns resource i's capped fraction, or ok=false when skipped.
func (ba *BalancedAllocation) fraction(i int, ni *framework.NodeInfo, node *api.Node, podReq int64) (float64, bool) {
	alloc, req := ba.resources[i].allocatableRequested(ni, node, podReq, true)
	if alloc == 0 {
		return 0, false
	}
	return min(float64(req)/float64(alloc), 1), true
}

// score computes the fractions twice (sum, then squared deviations) instead of
// keeping a slice, so that it does not allocate; each pass computes the same
// float64 values in the same order as upstream.
func (ba *BalancedAllocation) score(ni *framework.NodeInfo, node *api.Node, reqs []int64) int64 {
	var n int
	var total, first, second float64
	for i := range ba.resources {
		f, ok := ba.fraction(i, ni, node, reqs[i])
		if !ok {
			continue
		}
		switch n {
		case 0:
			first = f
		case 1:
			second = f
		}
		total += f
		n++
	}
	var std float64
	switch {
	case n == 2:
		std = math.Abs((first - second) / 2)
	case n > 2:
		mean := total / float64(n)
		var sum float64
		for i := range ba.resources {
			if f, ok := ba.fraction(i, ni, node, reqs[i]); ok {
				sum += (f - mean) * (f - mean)
			}
		}
		std = math.Sqrt(sum / float64(n))
	}
	return int64((1 - std) * float64(framework.MaxNodeScore))
}

// ScoreExtensions returns nil: scores are already in [0, 100].
func (*BalancedAllocation) ScoreExtensions() framework.ScoreExtensions { return nil }
