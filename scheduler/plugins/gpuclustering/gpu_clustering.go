// Package gpuclustering implements GpuClustering, the FGD paper's GPU
// clustering baseline (the artefact's GpuClusteringScore): put GPU pods of
// the same kind together, the kind being "sharing" (part of one device) or
// "k whole devices".
//
// Formula (integer arithmetic, divisions truncating). A pod without a GPU
// request scores 0. Otherwise, with L the node's free GPU milli over its
// devices, base = 25·(8000 − L)/8000 (8000 = the artefact's largest node,
// 8 GPUs), and the kinds of the GPU pods already on the node:
//
//	only the pod's kind present:              base + 75
//	the pod's kind and others present:        base + 50
//	no GPU pod on the node:                   base + 25
//	only other kinds present:                 base
//
// clamped to [0, 100] (only nodes with more than 8 devices can leave it).
// No NormalizeScore. The kinds come from framework.GPUDevices.Kinds, kept
// incrementally by the NodeInfo.
//
// Devices: gpushare.BestFit at gpushare.PriorityPolicy (the artefact's
// default "best" selection). Score allocates nothing.
package gpuclustering

import (
	"github.com/kubesim/kubesim/scheduler/framework"
	"github.com/kubesim/kubesim/scheduler/plugins/gpushare"
	"github.com/kubesim/kubesim/scheduler/plugins/internal/research"
	"github.com/kubesim/kubesim/sim/api"
)

// Name is the plugin's name in the registry and in configurations.
const Name = "GpuClustering"

// MaxSpecGPU is the artefact's normalising GPU capacity (milli of 8 GPUs).
const MaxSpecGPU = 8000

// Args are GpuClustering's arguments: none.
type Args struct{}

// GpuClustering groups GPU pods of one kind on the same nodes.
type GpuClustering struct{ h framework.Handle }

var (
	_ framework.ScorePlugin   = &GpuClustering{}
	_ framework.ReservePlugin = &GpuClustering{}
)

// New returns GpuClustering (args nil, *Args or empty JSON). h is needed by
// Reserve.
func New(args any, h framework.Handle) (framework.Plugin, error) {
	if _, err := research.DecodeArgs[Args](Name, args); err != nil {
		return nil, err
	}
	return &GpuClustering{h: h}, nil
}

// Name returns Name.
func (*GpuClustering) Name() string { return Name }

// Score returns the clustering score of the package comment.
func (*GpuClustering) Score(_ *framework.CycleState, p *api.Pod, ni *framework.NodeInfo) (int64, *framework.Status) {
	r := framework.PodGPURequest(p)
	if r.IsZero() {
		return framework.MinNodeScore, nil
	}
	kind := 0
	if !r.IsShared() {
		kind = min(r.Count, framework.MaxGPUDevices)
	}
	var left int64
	same, kinds := false, 0
	if g := ni.GPU; g != nil {
		for i := 0; i < g.Count; i++ {
			left += g.Free(i)
		}
		for k, c := range g.Kinds {
			if c > 0 {
				kinds++
				same = same || k == kind
			}
		}
	}
	const q = framework.MaxNodeScore / 4
	s := q * (MaxSpecGPU - left) / MaxSpecGPU
	switch {
	case same && kinds == 1:
		s += 3 * q
	case same:
		s += 2 * q
	case kinds == 0:
		s += q
	}
	return min(max(s, framework.MinNodeScore), framework.MaxNodeScore), nil
}

// ScoreExtensions returns nil.
func (*GpuClustering) ScoreExtensions() framework.ScoreExtensions { return nil }

// Reserve picks the pod's devices with gpushare.BestFit.
func (g *GpuClustering) Reserve(state *framework.CycleState, p *api.Pod, nodeName string) *framework.Status {
	return gpushare.Assign(g.h, state, p, nodeName, gpushare.PriorityPolicy, gpushare.BestFit)
}

// Unreserve releases the pod's devices.
func (g *GpuClustering) Unreserve(state *framework.CycleState, p *api.Pod, nodeName string) {
	gpushare.Release(g.h, state, p, nodeName)
}
