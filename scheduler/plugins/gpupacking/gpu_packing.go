// Package gpupacking implements GpuPacking, the FGD paper's GPU packing
// baseline (the artefact's GpuPackingScore): prefer, in this order, nodes
// where the pod fits on partly used devices, then partly used nodes, then
// idle nodes.
//
// Formula (integer arithmetic, divisions truncating; MaxNodeScore = 100).
// A pod without a GPU request scores 0 everywhere. Otherwise, with F the
// node's entirely free devices out of N:
//
//	F = N (the node is idle, or has no device):   max(100/3 − F, F)
//	else take the pod's GPUs from the fitting devices in ascending order of
//	free milli (stable); u = entirely free devices among them:
//	  u > 0:  max(100/2 − u, 100/3)
//	  u = 0:  max(100 − (Σ_{taken} free·100/1000)/10, 100/2)
//
// (free is the device's free milli before the pod). A pod that does not fit
// scores 0 (the filters keep such nodes away). No NormalizeScore.
//
// Devices: gpushare.BestFit at gpushare.PriorityPolicy (the artefact's
// default "best" selection in its GpuPacking runs). Score allocates nothing.
package gpupacking

import (
	"github.com/kubesim/kubesim/scheduler/framework"
	"github.com/kubesim/kubesim/scheduler/plugins/gpushare"
	"github.com/kubesim/kubesim/scheduler/plugins/internal/research"
	"github.com/kubesim/kubesim/sim/api"
)

// Name is the plugin's name in the registry and in configurations.
const Name = "GpuPacking"

// Args are GpuPacking's arguments: none (the type makes pluginConfig strict).
type Args struct{}

// GpuPacking packs GPU pods onto used devices and nodes first.
type GpuPacking struct{ h framework.Handle }

var (
	_ framework.ScorePlugin   = &GpuPacking{}
	_ framework.ReservePlugin = &GpuPacking{}
)

// New returns GpuPacking (args nil, *Args or empty JSON). h is needed by
// Reserve.
func New(args any, h framework.Handle) (framework.Plugin, error) {
	if _, err := research.DecodeArgs[Args](Name, args); err != nil {
		return nil, err
	}
	return &GpuPacking{h: h}, nil
}

// Name returns Name.
func (*GpuPacking) Name() string { return Name }

// Score returns the packing score of the package comment.
func (*GpuPacking) Score(_ *framework.CycleState, p *api.Pod, ni *framework.NodeInfo) (int64, *framework.Status) {
	r := framework.PodGPURequest(p)
	if r.IsZero() {
		return framework.MinNodeScore, nil
	}
	d := gpushare.DevicesOf(ni)
	return PackingScore(&d, r), nil
}

// PackingScore is the formula of the package comment.
func PackingScore(d *gpushare.Devices, r framework.GPURequest) int64 {
	const maxS = framework.MaxNodeScore
	free := int64(d.FullyFree())
	if free == int64(d.N) {
		return max(maxS/3-free, free)
	}
	var order [framework.MaxGPUDevices]int
	for i := 0; i < d.N; i++ {
		j := i
		for ; j > 0 && d.Free[order[j-1]] > d.Free[i]; j-- {
			order[j] = order[j-1]
		}
		order[j] = i
	}
	need := r.Count
	var used, ratio int64
	for k := 0; k < d.N && need > 0; k++ {
		f := d.Free[order[k]]
		if r.Milli <= f {
			need--
			if f == gpushare.Milli {
				used++
			}
			ratio += f * 100 / gpushare.Milli
		}
	}
	switch {
	case need != 0:
		return framework.MinNodeScore
	case used > 0:
		return max(maxS/2-used, maxS/3)
	}
	return max(maxS-ratio/10, maxS/2)
}

// ScoreExtensions returns nil.
func (*GpuPacking) ScoreExtensions() framework.ScoreExtensions { return nil }

// Reserve picks the pod's devices with gpushare.BestFit.
func (g *GpuPacking) Reserve(state *framework.CycleState, p *api.Pod, nodeName string) *framework.Status {
	return gpushare.Assign(g.h, state, p, nodeName, gpushare.PriorityPolicy, gpushare.BestFit)
}

// Unreserve releases the pod's devices.
func (g *GpuPacking) Unreserve(state *framework.CycleState, p *api.Pod, nodeName string) {
	gpushare.Release(g.h, state, p, nodeName)
}
