// Package gpubestfit implements GpuBestFit, the FGD paper's best-fit
// baseline (the artefact's BestFitScore): prefer the node the pod leaves
// with the least cpu and GPU, measured against the artefact's largest
// machine.
//
// It differs from the BestFit research plugin (package bestfit: configurable
// resources, integer percentages of the largest allocatable among the
// scored nodes, no normalisation): GpuBestFit looks only at cpu and GPU,
// uses fixed scales (128 cores, 8 GPUs) and min-max normalises the scores.
//
// Formula. With C the node's free cpu and L its free GPU milli over all
// devices, c the pod's non-zero cpu request and g its GPU milli over all
// GPUs (float64, as the artefact):
//
//	s   = (C − c)/128000·0.5 + (L − g)/8000·0.5
//	raw = ⌊100·(1 − s)⌋ (truncated toward zero; may be negative)
//
// then NormalizeScore maps the raw scores of the cycle to
// (raw − lowest)·100/(highest − lowest) (integer), all 0 when they are
// equal. A pod that does not fit the node (C < c or L < g) gets raw 0 (the
// artefact errors; the filters keep such nodes away).
//
// Devices: gpushare.BestFit at gpushare.PriorityPolicy. Score allocates
// nothing.
package gpubestfit

import (
	"math"

	"github.com/kubesim/kubesim/scheduler/framework"
	"github.com/kubesim/kubesim/scheduler/plugins/gpushare"
	"github.com/kubesim/kubesim/scheduler/plugins/internal/research"
	"github.com/kubesim/kubesim/sim/api"
)

// Name is the plugin's name in the registry and in configurations.
const Name = "GpuBestFit"

// Normalising capacities: the artefact's MaxSpecCpu and MaxSpecGpu.
const (
	MaxSpecCPU = 128000
	MaxSpecGPU = 8000
)

// Args are GpuBestFit's arguments: none.
type Args struct{}

// GpuBestFit scores nodes by how little cpu and GPU the pod leaves free.
type GpuBestFit struct{ h framework.Handle }

var (
	_ framework.ScorePlugin     = &GpuBestFit{}
	_ framework.ScoreExtensions = &GpuBestFit{}
	_ framework.ReservePlugin   = &GpuBestFit{}
)

// New returns GpuBestFit (args nil, *Args or empty JSON). h is needed by
// Reserve.
func New(args any, h framework.Handle) (framework.Plugin, error) {
	if _, err := research.DecodeArgs[Args](Name, args); err != nil {
		return nil, err
	}
	return &GpuBestFit{h: h}, nil
}

// Name returns Name.
func (*GpuBestFit) Name() string { return Name }

// Score returns the raw best-fit score of the package comment.
func (*GpuBestFit) Score(_ *framework.CycleState, p *api.Pod, ni *framework.NodeInfo) (int64, *framework.Status) {
	return RawScore(gpushare.NodeOf(ni), gpushare.PodOf(p)), nil
}

// RawScore is the raw formula of the package comment.
func RawScore(n gpushare.Node, pod gpushare.Pod) int64 {
	free := [2]float64{float64(n.MilliCPULeft), float64(n.TotalFree())}
	req := [2]float64{float64(pod.MilliCPU), float64(pod.GPU.Total())}
	scale := [2]float64{MaxSpecCPU, MaxSpecGPU}
	var s float64
	for i := range free {
		if free[i] < req[i] {
			return 0
		}
		s += (free[i] - req[i]) / scale[i] * 0.5
	}
	return int64((1.0 - s) * float64(framework.MaxNodeScore))
}

// ScoreExtensions returns the plugin: it normalises.
func (b *GpuBestFit) ScoreExtensions() framework.ScoreExtensions { return b }

// NormalizeScore maps the scores linearly onto [0, 100], lowest to 0 and
// highest to 100 (all 0 when equal), with integer arithmetic.
func (*GpuBestFit) NormalizeScore(_ *framework.CycleState, _ *api.Pod, scores []framework.NodeScore) *framework.Status {
	hi, lo := int64(math.MinInt64), int64(math.MaxInt64)
	for _, s := range scores {
		hi, lo = max(hi, s.Score), min(lo, s.Score)
	}
	for i := range scores {
		if hi == lo {
			scores[i].Score = framework.MinNodeScore
			continue
		}
		scores[i].Score = (scores[i].Score-lo)*(framework.MaxNodeScore-framework.MinNodeScore)/(hi-lo) + framework.MinNodeScore
	}
	return nil
}

// Reserve picks the pod's devices with gpushare.BestFit.
func (b *GpuBestFit) Reserve(state *framework.CycleState, p *api.Pod, nodeName string) *framework.Status {
	return gpushare.Assign(b.h, state, p, nodeName, gpushare.PriorityPolicy, gpushare.BestFit)
}

// Unreserve releases the pod's devices.
func (b *GpuBestFit) Unreserve(state *framework.CycleState, p *api.Pod, nodeName string) {
	gpushare.Release(b.h, state, p, nodeName)
}
