// Package worstfit implements WorstFit, a research score plugin: worst-fit
// placement, the opposite of BestFit, favouring the node on which the pod
// leaves the most room, resource by resource, weighted. It spreads load.
//
// Formula (integer arithmetic, every division truncating). For each
// configured resource r (default cpu and memory, weight 1 each) that the node
// has (allocatable > 0) and, for extended resources, that the pod requests:
//
//	left_r  = max(alloc_r − used_r − request_r, 0)
//	s_r     = left_r·100 / scale_r
//	score   = Σ w_r·s_r / Σ w_r          (0 when no resource counts)
//
// used_r and request_r count cpu and memory with the scoring non-zero
// defaults (100m / 200Mi per container without a request), as
// NodeResourcesFit scores. scale_r is the largest allocatable of r among the
// nodes being scored this cycle (computed in PreScore), so leftovers are
// compared in absolute amounts: an empty node of the largest size scores
// (almost) 100, a node left full scores 0. On identical nodes WorstFit ranks
// nodes as NodeResourcesFit's LeastAllocated does; on heterogeneous nodes it
// prefers the node with the most absolute room left.
//
// WorstFit has no NormalizeScore: scores are already in [0, 100].
package worstfit

import (
	configv1 "k8s.io/kube-scheduler/config/v1"

	"github.com/kubesim/kubesim/scheduler/framework"
	"github.com/kubesim/kubesim/scheduler/plugins/internal/research"
	"github.com/kubesim/kubesim/sim/api"
)

// Name is the plugin's name in the registry and in configurations.
const Name = "WorstFit"

const preScoreStateKey framework.StateKey = "PreScore" + Name

// Args are WorstFit's arguments (pluginConfig args of plugin WorstFit).
type Args struct {
	// Resources are the resources to score with their weights (1..100; 0
	// means 1). Empty means cpu and memory, weight 1 each.
	Resources []configv1.ResourceSpec `json:"resources,omitempty"`
}

// WorstFit scores nodes by how much of each resource the pod leaves free.
type WorstFit struct {
	resources []research.Resource
}

var (
	_ framework.PreScorePlugin = &WorstFit{}
	_ framework.ScorePlugin    = &WorstFit{}
)

// New returns WorstFit. args is nil (the defaults), a *Args, or the JSON of
// Args (json.RawMessage, what a KubeSchedulerConfiguration's pluginConfig
// gives), decoded strictly: an unknown field is an error.
func New(args any, _ framework.Handle) (framework.Plugin, error) {
	a, err := research.DecodeArgs[Args](Name, args)
	if err != nil {
		return nil, err
	}
	rs, err := research.CompileResources(Name, "resources", a.Resources)
	if err != nil {
		return nil, err
	}
	return &WorstFit{resources: rs}, nil
}

// Name returns Name.
func (*WorstFit) Name() string { return Name }

// PreScore stores the pod's requests and, per resource, the largest
// allocatable among the nodes to score.
func (w *WorstFit) PreScore(state *framework.CycleState, p *api.Pod, nodes []*framework.NodeInfo) *framework.Status {
	state.Write(preScoreStateKey, research.NewPodRequestsState(w.resources, p, nodes))
	return nil
}

// Score returns the worst-fit score of the package comment. Without PreScore
// state, each resource's scale is the node's own allocatable.
func (w *WorstFit) Score(state *framework.CycleState, p *api.Pod, ni *framework.NodeInfo) (int64, *framework.Status) {
	return research.LeftoverScore(Name, state, preScoreStateKey, w.resources, p, ni, false)
}

// ScoreExtensions returns nil: scores are already in [0, 100].
func (*WorstFit) ScoreExtensions() framework.ScoreExtensions { return nil }
