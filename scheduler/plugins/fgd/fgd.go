// Package fgd implements FGD, Fragmentation Gradient Descent (Weng et al.,
// "Beware of Fragmentation: Scheduling GPU-Sharing Workloads with
// Fragmentation Gradient Descent", USENIX ATC '23), as the score plugin of
// the paper's artefact (hkust-adsl/kubernetes-scheduler-simulator, FGDScore):
// it places a pod where it increases the node's expected GPU fragmentation
// least.
//
// Fragmentation (frag.go). The target workload is a set of typical pod
// shapes with probabilities (Args.TypicalPods, or TypicalPods computed from
// the workload's pods). For a node with free cpu C and devices with free
// milli f_i (F = Σ f_i), a shape t of probability w contributes:
//
//	t fits (cpu and GPU, quadrant Q3):  w · Σ_{i: f_i < t.milli} f_i
//	otherwise (Q1, Q2, Q4, CPU-only shapes XL/XR, a model t may not use):  w · F
//
// and Frag(node) is the sum over the shapes, in milli.
//
// Score. With Δ = Frag(before) − Frag(after placing the pod) (cpu and GPU
// taken), score = ⌊100·σ(Δ/1000)⌋, σ(x) = 1/(1+e^−x): 50 for no change,
// above 50 when fragmentation drops. A sharing pod is tried on every device
// with room and gets the best score (the first such device on ties); any
// other pod takes its GPUs from the fitting devices with the least free
// milli first (for whole GPUs: the lowest-indexed free ones). A pod with no
// request at all scores 100. No NormalizeScore (the artefact weighs FGD
// 1000 in its profiles). cpu is the pod's non-zero scoring request against
// the node's allocatable minus its pods' effective requests, as the artefact.
//
// Devices (Reserve): the device that gave the best score for a sharing pod,
// the lowest-indexed free devices otherwise, at gpushare.PriorityPolicy.
//
// Deviation: the artefact's Score returns an error for a node whose GPU
// model the pod may not use; here such nodes are left to the filters
// (NodeAffinity) and scored normally. Score allocates nothing.
package fgd

import (
	"errors"
	"fmt"
	"math"

	"github.com/kubesim/kubesim/scheduler/framework"
	"github.com/kubesim/kubesim/scheduler/plugins/gpushare"
	"github.com/kubesim/kubesim/scheduler/plugins/internal/research"
	"github.com/kubesim/kubesim/sim/api"
)

// Name is the plugin's name in the registry and in configurations.
const Name = "FGD"

// Args are FGD's arguments: the typical pods, inline or from a CSV file
// (exactly one of the two).
type Args struct {
	// TypicalPods are the target workload's pod shapes with weights.
	TypicalPods []TypicalPodSpec `json:"typicalPods,omitempty"`
	// TypicalPodsFile is a CSV file of typical pods (TypicalPodsHeader); a
	// relative path is relative to the working directory.
	TypicalPodsFile string `json:"typicalPodsFile,omitempty"`
}

// FGD scores nodes by the fragmentation a placement avoids.
type FGD struct {
	h   framework.Handle
	tps []TypicalPod
	// memo and shapes memoise scores per node state and pod shape
	// (memo.go).
	memo   []nodeMemo
	shapes map[gpushare.Pod]int
}

var (
	_ framework.ScorePlugin      = &FGD{}
	_ framework.BatchScorePlugin = &FGD{}
	_ framework.ReservePlugin    = &FGD{}
)

// New returns FGD. args is a *Args or the JSON of Args (strict); typical
// pods are required. h is needed by Reserve.
func New(args any, h framework.Handle) (framework.Plugin, error) {
	a, err := research.DecodeArgs[Args](Name, args)
	if err != nil {
		return nil, err
	}
	specs := a.TypicalPods
	field := "typicalPods"
	switch {
	case len(a.TypicalPods) > 0 && a.TypicalPodsFile != "":
		return nil, errors.New(Name + ": typicalPods and typicalPodsFile are exclusive")
	case a.TypicalPodsFile != "":
		if specs, err = readTypicalPodsFile(a.TypicalPodsFile); err != nil {
			return nil, fmt.Errorf("%s: typicalPodsFile: %w", Name, err)
		}
		field = "typicalPodsFile " + a.TypicalPodsFile
	case len(a.TypicalPods) == 0:
		return nil, errors.New(Name + ": typicalPods or typicalPodsFile is required")
	}
	tps, err := CompileTypicalPods(field, specs)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", Name, err)
	}
	return &FGD{h: h, tps: tps, shapes: map[gpushare.Pod]int{}}, nil
}

// Name returns Name.
func (*FGD) Name() string { return Name }

// TypicalPods returns the compiled typical pods (shared; read only).
func (f *FGD) TypicalPods() []TypicalPod { return f.tps }

// Score returns the FGD score of the package comment.
func (f *FGD) Score(_ *framework.CycleState, p *api.Pod, ni *framework.NodeInfo) (int64, *framework.Status) {
	if p.Spec.Requests.IsZero() {
		return framework.MaxNodeScore, nil
	}
	pod := gpushare.PodOf(p)
	return f.memoScore(pod, f.shapeID(pod), ni), nil
}

// ScoreExtensions returns nil.
func (*FGD) ScoreExtensions() framework.ScoreExtensions { return nil }

func sigmoid(x float64) float64 { return 1.0 / (1.0 + math.Exp(-x)) }

// scoreAndDevice returns the score of placing pod on n and, for a sharing
// pod, the device that gives it (-1 otherwise or when no device fits).
func (f *FGD) scoreAndDevice(n *gpushare.Node, pod gpushare.Pod) (int64, int) {
	return f.scoreWith(n, pod, Frag(n, f.tps))
}

// scoreWith is scoreAndDevice with the node's fragmentation before already
// known. Devices with equal free milli give equal scores (fragmentation
// does not depend on the devices' order), so only the first of them is
// evaluated: the result is the same.
func (f *FGD) scoreWith(n *gpushare.Node, pod gpushare.Pod, before float64) (int64, int) {
	if pod.GPU.IsShared() {
		score, dev := int64(0), -1
		var tried [framework.MaxGPUDevices]int64
		nt := 0
	devices:
		for i := 0; i < n.N; i++ {
			if n.Free[i] < pod.GPU.Milli {
				continue
			}
			for _, v := range tried[:nt] {
				if v == n.Free[i] {
					continue devices
				}
			}
			tried[nt] = n.Free[i]
			nt++
			after := *n
			after.MilliCPULeft -= pod.MilliCPU
			after.Free[i] -= pod.GPU.Milli
			s := int64(sigmoid((before-Frag(&after, f.tps))/1000) * float64(framework.MaxNodeScore))
			if dev < 0 || s > score {
				score, dev = s, i
			}
		}
		return score, dev
	}
	after := *n
	take(&after, pod)
	return int64(sigmoid((before-Frag(&after, f.tps))/1000) * float64(framework.MaxNodeScore)), -1
}

// take subtracts pod from n as the artefact's NodeResource.Sub: nothing
// when the cpu or the number of devices is short; else the cpu, then each
// GPU from the devices in ascending order of free milli (stable), taking a
// device when its free milli covers the milli per GPU, until all are
// taken (a partial take stays when devices run out).
func take(n *gpushare.Node, pod gpushare.Pod) {
	if n.MilliCPULeft < pod.MilliCPU || n.N < pod.GPU.Count {
		return
	}
	n.MilliCPULeft -= pod.MilliCPU
	need := pod.GPU.Count
	if need == 0 {
		return
	}
	var order [framework.MaxGPUDevices]int
	for i := 0; i < n.N; i++ {
		j := i
		for ; j > 0 && n.Free[order[j-1]] > n.Free[i]; j-- {
			order[j] = order[j-1]
		}
		order[j] = i
	}
	for k := 0; k < n.N; k++ {
		i := order[k]
		if pod.GPU.Milli <= n.Free[i] {
			n.Free[i] -= pod.GPU.Milli
			if need--; need <= 0 {
				return
			}
		}
	}
}

// Devices returns FGD's device choice for pod on n: the best-scoring device
// for a sharing pod, the lowest-indexed free devices otherwise (0 when the
// pod does not fit).
func (f *FGD) Devices(n *gpushare.Node, pod gpushare.Pod) uint32 {
	if !pod.GPU.IsShared() {
		return gpushare.FirstFree(&n.Devices, pod.GPU)
	}
	if _, dev := f.scoreAndDevice(n, pod); dev >= 0 {
		return 1 << dev
	}
	return 0
}

// Reserve picks the pod's devices by FGD's rule (gpushare.Assign at
// PriorityPolicy), on the node as it was scored.
func (f *FGD) Reserve(state *framework.CycleState, p *api.Pod, nodeName string) *framework.Status {
	pod := gpushare.PodOf(p)
	var n gpushare.Node
	if f.h != nil {
		if ni, ok := f.h.SnapshotSharedLister().Get(nodeName); ok {
			n = gpushare.NodeOf(ni)
			// The pod is already counted on the node (assumed): score it
			// as it was before.
			n.MilliCPULeft += p.Spec.Requests.MilliCPU
		}
	}
	return gpushare.Assign(f.h, state, p, nodeName, gpushare.PriorityPolicy,
		func(d *gpushare.Devices, _ framework.GPURequest) uint32 {
			n.Devices = *d
			return f.Devices(&n, pod)
		})
}

// Unreserve releases the pod's devices.
func (f *FGD) Unreserve(state *framework.CycleState, p *api.Pod, nodeName string) {
	gpushare.Release(f.h, state, p, nodeName)
}
