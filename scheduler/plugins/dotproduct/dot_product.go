// Package dotproduct implements DotProduct, a research score plugin: the
// alignment score of Tetris (R. Grandl, G. Ananthanarayanan, S. Kandula,
// S. Rao, A. Akella, "Multi-resource packing for cluster schedulers",
// SIGCOMM 2014, §3.2), which places a task where its demand vector is best
// aligned with the machine's free resources.
//
// Formula. For each configured resource r (default cpu and memory, weight 1
// each; add extended resources such as nvidia.com/gpu in Args.Resources)
// that the node has (allocatable > 0):
//
//	alignment = Σ_r w_r · (request_r / alloc_r) · (free_r / alloc_r)
//
// request_r is the pod's request (capped at alloc_r) and free_r =
// max(alloc_r − used_r, 0) what the node has free before the pod is placed;
// cpu and memory count with the scoring non-zero defaults (100m / 200Mi per
// container without a request), as NodeResourcesFit scores. An extended
// resource the pod does not request contributes 0. Each fraction is taken in
// integer parts per million (truncated), so Score returns
//
//	raw = Σ_r w_r · ⌊request_r·10⁶/alloc_r⌋ · ⌊free_r·10⁶/alloc_r⌋ / 10⁶
//
// (the sum divided once, truncating), i.e. the alignment in millionths.
// NormalizeScore scales the raw scores of the nodes being scored to
// [0, 100] relative to the highest one: score = raw·100 / max(raw), all 0
// when max(raw) = 0 (upstream's DefaultNormalizeScore, SEMANTICS 2.10).
package dotproduct

import (
	"fmt"

	configv1 "k8s.io/kube-scheduler/config/v1"

	"github.com/kubesim/kubesim/scheduler/framework"
	"github.com/kubesim/kubesim/scheduler/plugins/helper"
	"github.com/kubesim/kubesim/scheduler/plugins/internal/research"
	"github.com/kubesim/kubesim/sim/api"
)

// Name is the plugin's name in the registry and in configurations.
const Name = "DotProduct"

// Scale is the fixed-point unit of the fractions (parts per million).
const Scale int64 = 1_000_000

const preScoreStateKey framework.StateKey = "PreScore" + Name

// Args are DotProduct's arguments (pluginConfig args of plugin DotProduct).
type Args struct {
	// Resources are the resources of the dot product with their weights
	// (1..100; 0 means 1). Empty means cpu and memory, weight 1 each.
	Resources []configv1.ResourceSpec `json:"resources,omitempty"`
}

// DotProduct scores nodes by the Tetris alignment of the pod's demand with
// the node's free resources.
type DotProduct struct {
	resources []research.Resource
}

var (
	_ framework.PreScorePlugin  = &DotProduct{}
	_ framework.ScorePlugin     = &DotProduct{}
	_ framework.ScoreExtensions = &DotProduct{}
)

// New returns DotProduct. args is nil (the defaults), a *Args, or the JSON of
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
	return &DotProduct{resources: rs}, nil
}

// Name returns Name.
func (*DotProduct) Name() string { return Name }

// PreScore stores the pod's request of each configured resource.
func (d *DotProduct) PreScore(state *framework.CycleState, p *api.Pod, _ []*framework.NodeInfo) *framework.Status {
	state.Write(preScoreStateKey, research.NewPodRequestsState(d.resources, p, nil))
	return nil
}

// Score returns the raw alignment in millionths (package comment).
func (d *DotProduct) Score(state *framework.CycleState, p *api.Pod, ni *framework.NodeInfo) (int64, *framework.Status) {
	node := ni.Node()
	if node == nil {
		return 0, framework.AsStatus(fmt.Errorf("%s: node not found", Name))
	}
	s, err := research.ReadState(state, preScoreStateKey)
	if err != nil {
		return 0, framework.AsStatus(fmt.Errorf("%s: %w", Name, err))
	}
	var sum int64
	for i := range d.resources {
		r := &d.resources[i]
		var req int64
		if s != nil {
			req = s.Requests[i]
		} else {
			req = r.PodRequest(p.Spec)
		}
		alloc := r.Allocatable(node)
		if r.Skip(req, alloc) {
			continue
		}
		demand := research.MulDiv(min(req, alloc), Scale, alloc)
		free := research.MulDiv(max(alloc-r.Used(ni), 0), Scale, alloc)
		sum += r.Weight * demand * free
	}
	return sum / Scale, nil
}

// ScoreExtensions returns d: raw alignments are normalised to [0, 100].
func (d *DotProduct) ScoreExtensions() framework.ScoreExtensions { return d }

// NormalizeScore scales scores to [0, 100] relative to the highest.
func (*DotProduct) NormalizeScore(_ *framework.CycleState, _ *api.Pod, scores []framework.NodeScore) *framework.Status {
	return helper.DefaultNormalizeScore(framework.MaxNodeScore, false, scores)
}
