package fgd

import (
	"github.com/kubesim/kubesim/scheduler/plugins/gpushare"
)

// FragType is how a node relates to one pod shape (the paper's Fig. 5
// quadrants, the artefact's GetNodePodFrag): whether the node's free CPU
// and free GPU devices can host the shape.
type FragType int

// Fragment types, in the artefact's order (FragRatioDataMap).
const (
	// Q1LackBoth: neither enough CPU nor GPU for the shape.
	Q1LackBoth FragType = iota
	// Q2LackGPU: enough CPU, not enough GPU.
	Q2LackGPU
	// Q3Satisfied: the shape fits.
	Q3Satisfied
	// Q4LackCPU: enough GPU, not enough CPU.
	Q4LackCPU
	// XLSatisfied: a CPU-only shape that fits.
	XLSatisfied
	// XRLackCPU: a CPU-only shape without enough CPU.
	XRLackCPU
	// NoAccess: the shape may not use the node's GPU model.
	NoAccess
	// NumFragTypes is the number of fragment types.
	NumFragTypes
)

var fragTypeNames = [NumFragTypes]string{"q1_lack_both", "q2_lack_gpu", "q3_satisfied", "q4_lack_cpu",
	"xl_satisfied", "xr_lack_cpu", "no_access"}

// String returns the artefact's name ("q1_lack_both", ...).
func (t FragType) String() string {
	if t < 0 || t >= NumFragTypes {
		return "unknown"
	}
	return fragTypeNames[t]
}

// TypicalPod is one pod shape of the target workload with its probability.
type TypicalPod struct {
	// MilliCPU is the shape's cpu (millicores, non-zero scoring request).
	MilliCPU int64
	// GPUMilli is the milli per GPU (0 for a CPU-only shape).
	GPUMilli int64
	// NumGPU is the number of GPUs.
	NumGPU int64
	// Models are the GPU models the shape may use; empty means any.
	Models []string
	// Weight is the shape's probability (the weights sum to 1).
	Weight float64
}

// Accessible reports whether a shape allowing models may use a node of GPU
// model node (the artefact's IsNodeAccessibleToPodByType): any node when
// models is empty, else a node whose model is listed (never a node without
// a model).
func Accessible(node string, models []string) bool {
	if len(models) == 0 {
		return true
	}
	if node == "" {
		return false
	}
	for _, m := range models {
		if m == node {
			return true
		}
	}
	return false
}

// canHostGPU reports whether the node has t.NumGPU devices with at least
// t.GPUMilli free each (the artefact's CanNodeHostPodOnGpuMemory: the
// first fitting device suffices for a shape asking for 0 GPUs).
func canHostGPU(n *gpushare.Node, t *TypicalPod) bool {
	need := t.NumGPU
	for i := 0; i < n.N; i++ {
		if n.Free[i] >= t.GPUMilli {
			if need--; need <= 0 {
				return true
			}
		}
	}
	return false
}

// Classify returns the node's fragment type for shape t.
func Classify(n *gpushare.Node, t *TypicalPod) FragType {
	cpuOK := n.MilliCPULeft >= t.MilliCPU
	if t.GPUMilli == 0 {
		if cpuOK {
			return XLSatisfied
		}
		return XRLackCPU
	}
	if !Accessible(n.Model, t.Models) {
		return NoAccess
	}
	switch gpuOK := canHostGPU(n, t); {
	case gpuOK && cpuOK:
		return Q3Satisfied
	case gpuOK:
		return Q4LackCPU
	case cpuOK:
		return Q2LackGPU
	}
	return Q1LackBoth
}

// Amount returns the node's expected free GPU milli per fragment type over
// the shapes (the artefact's NodeGpuShareFragAmount). For each shape t of
// probability w and the node's free GPU milli F: when t fits (Q3), the free
// milli of the devices with less than t.GPUMilli free counts w·that as Q2
// (those devices cannot serve t) and the rest w·(F − that) as Q3; otherwise
// all of w·F counts under t's type. Shapes with a weight outside [0, 1] are
// skipped, as the artefact does.
func Amount(n *gpushare.Node, tps []TypicalPod) [NumFragTypes]float64 {
	var out [NumFragTypes]float64
	free := n.TotalFree()
	for k := range tps {
		t := &tps[k]
		if t.Weight < 0 || t.Weight > 1 {
			continue
		}
		ft := Classify(n, t)
		if ft != Q3Satisfied {
			out[ft] += t.Weight * float64(free)
			continue
		}
		var frag int64
		for i := 0; i < n.N; i++ {
			if n.Free[i] < t.GPUMilli {
				frag += n.Free[i]
			}
		}
		out[Q2LackGPU] += t.Weight * float64(frag)
		out[Q3Satisfied] += t.Weight * float64(free-frag)
	}
	return out
}

// Frag returns the node's expected GPU fragmentation in milli: the sum of
// Amount over every type but Q3 (the artefact's
// NodeGpuShareFragAmountScore). A node whose free GPU milli could serve
// every shape has 0; a node with nothing free has 0; free GPU that no
// shape can use counts fully.
func Frag(n *gpushare.Node, tps []TypicalPod) float64 {
	a := Amount(n, tps)
	var out float64
	for i, v := range a {
		if FragType(i) != Q3Satisfied {
			out += v
		}
	}
	return out
}
