// Package gpudotprod implements DotProd, the FGD paper's dot-product
// baseline (the artefact's DotProductScore in its experiments' setting:
// GPU dimension "merge", normalisation "max", device selection "best").
//
// It differs from the DotProduct research plugin (package dotproduct, Tetris
// over configurable resources, requests against the node's free capacity,
// weighted and normalised per node): DotProd looks only at cpu and GPU,
// normalises both vectors by the artefact's largest machine (128 cores,
// 8 GPUs) rather than by the node, and prefers the smallest dot product.
//
// Formula (float64, as the artefact). Without enough free cpu for the pod
// the score is 0. Otherwise, with C the node's free cpu and L its free GPU
// milli over all devices, c the pod's non-zero cpu request and g its GPU
// milli over all GPUs:
//
//	d     = (C/128000)·(c/128000) + (L/8000)·(g/8000)
//	score = ⌊100·(1 − d/2)⌋, clamped to [0, 100]
//
// No NormalizeScore. Devices: gpushare.BestFit at gpushare.PriorityPolicy.
// Score allocates nothing.
package gpudotprod

import (
	"github.com/kubesim/kubesim/scheduler/framework"
	"github.com/kubesim/kubesim/scheduler/plugins/gpushare"
	"github.com/kubesim/kubesim/scheduler/plugins/internal/research"
	"github.com/kubesim/kubesim/sim/api"
)

// Name is the plugin's name in the registry and in configurations.
const Name = "DotProd"

// Normalising capacities: the artefact's MaxSpecCpu and MaxSpecGpu.
const (
	MaxSpecCPU = 128000
	MaxSpecGPU = 8000
)

// Args are DotProd's arguments: none.
type Args struct{}

// DotProd scores nodes by the dot product of free and requested resources.
type DotProd struct{ h framework.Handle }

var (
	_ framework.ScorePlugin   = &DotProd{}
	_ framework.ReservePlugin = &DotProd{}
)

// New returns DotProd (args nil, *Args or empty JSON). h is needed by
// Reserve.
func New(args any, h framework.Handle) (framework.Plugin, error) {
	if _, err := research.DecodeArgs[Args](Name, args); err != nil {
		return nil, err
	}
	return &DotProd{h: h}, nil
}

// Name returns Name.
func (*DotProd) Name() string { return Name }

// Score returns the dot-product score of the package comment.
func (*DotProd) Score(_ *framework.CycleState, p *api.Pod, ni *framework.NodeInfo) (int64, *framework.Status) {
	return DotProdScore(gpushare.NodeOf(ni), gpushare.PodOf(p)), nil
}

// DotProdScore is the formula of the package comment.
func DotProdScore(n gpushare.Node, pod gpushare.Pod) int64 {
	if n.MilliCPULeft < pod.MilliCPU {
		return framework.MinNodeScore
	}
	var d float64
	d += (float64(n.MilliCPULeft) / MaxSpecCPU) * (float64(pod.MilliCPU) / MaxSpecCPU)
	d += (float64(n.TotalFree()) / MaxSpecGPU) * (float64(pod.GPU.Total()) / MaxSpecGPU)
	d /= 2
	s := 1 - d
	if s <= -1 {
		return framework.MinNodeScore
	}
	return min(max(int64(float64(framework.MaxNodeScore)*s), framework.MinNodeScore), framework.MaxNodeScore)
}

// ScoreExtensions returns nil.
func (*DotProd) ScoreExtensions() framework.ScoreExtensions { return nil }

// Reserve picks the pod's devices with gpushare.BestFit.
func (g *DotProd) Reserve(state *framework.CycleState, p *api.Pod, nodeName string) *framework.Status {
	return gpushare.Assign(g.h, state, p, nodeName, gpushare.PriorityPolicy, gpushare.BestFit)
}

// Unreserve releases the pod's devices.
func (g *DotProd) Unreserve(state *framework.CycleState, p *api.Pod, nodeName string) {
	gpushare.Release(g.h, state, p, nodeName)
}
