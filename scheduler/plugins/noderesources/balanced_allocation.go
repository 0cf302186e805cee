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
	_ framework.PreScorePlugin = &BalancedAllocation{}
	_ framework.ScorePlugin    = &BalancedAllocation{}
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
