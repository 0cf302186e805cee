// Package bestfit implements BestFit, a research score plugin: classic
// best-fit bin packing, favouring the node on which the pod leaves the least
// room, resource by resource, weighted.
//
// Formula (integer arithmetic, every division truncating). For each
// configured resource r (default cpu and memory, weight 1 each) that the node
// has (allocatable > 0) and, for extended resources, that the pod requests:
//
//	left_r  = max(alloc_r − used_r − request_r, 0)
//	s_r     = 100 − left_r·100 / scale_r
//	score   = Σ w_r·s_r / Σ w_r          (0 when no resource counts)
//
// used_r and request_r count cpu and memory with the scoring non-zero
// defaults (100m / 200Mi per container without a request), as
// NodeResourcesFit scores. scale_r is the largest allocatable of r among the
// nodes being scored this cycle (computed in PreScore), so leftovers are
// compared in absolute amounts across heterogeneous nodes: a node left with
// zero of every resource scores 100, an empty node of the largest size scores
// (almost) 0. On identical nodes scale_r is the node's own allocatable and
// BestFit ranks nodes as NodeResourcesFit's MostAllocated does; on
// heterogeneous nodes it prefers the smaller node when the absolute leftover
// is smaller, which MostAllocated (a per-node fraction) does not.
//
// BestFit has no NormalizeScore: scores are already in [0, 100].
package bestfit

import (
	configv1 "k8s.io/kube-scheduler/config/v1"

	"github.com/kubesim/kubesim/scheduler/framework"
	"github.com/kubesim/kubesim/scheduler/plugins/internal/research"
	"github.com/kubesim/kubesim/sim/api"
)

// Name is the plugin's name in the registry and in configurations.
const Name = "BestFit"

const preScoreStateKey framework.StateKey = "PreScore" + Name

// Args are BestFit's arguments (pluginConfig args of plugin BestFit).
type Args struct {
	// Resources are the resources to score with their weights (1..100; 0
	// means 1). Empty means cpu and memory, weight 1 each.
	Resources []configv1.ResourceSpec `json:"resources,omitempty"`
}

// BestFit scores nodes by how little of each resource the pod leaves free.
type BestFit struct {
	resources []research.Resource
}

var (
	_ framework.PreScorePlugin = &BestFit{}
	_ framework.ScorePlugin    = &BestFit{}
)

// New returns BestFit. args is nil (the defaults), a *Args, or the JSON of
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
	return &BestFit{resources: rs}, nil
}

// Name returns Name.
func (*BestFit) Name() string { return Name }

// PreScore stores the pod's requests and, per resource, the largest
// allocatable among the nodes to score.
func (b *BestFit) PreScore(state *framework.CycleState, p *api.Pod, nodes []*framework.NodeInfo) *framework.Status {
	state.Write(preScoreStateKey, research.NewPodRequestsState(b.resources, p, nodes))
	return nil
}

// Score returns the best-fit score of the package comment. Without PreScore
// state, each resource's scale is the node's own allocatable.
func (b *BestFit) Score(state *framework.CycleState, p *api.Pod, ni *framework.NodeInfo) (int64, *framework.Status) {
	return research.LeftoverScore(Name, state, preScoreStateKey, b.resources, p, ni, true)
}

// ScoreExtensions returns nil: scores are already in [0, 100].
func (*BestFit) ScoreExtensions() framework.ScoreExtensions { return nil }
