package gpushare

import (
	"fmt"
	"math/rand/v2"

	"github.com/kubesim/kubesim/scheduler/framework"
	"github.com/kubesim/kubesim/sim/api"
)

// Milli is one device's capacity (framework.GPUMilliPerDevice).
const Milli = framework.GPUMilliPerDevice

// Devices is a copy of a node's device state: N devices, Free[i] milli free
// on device i. It is a value (no allocation); policies change copies of it
// to evaluate a placement.
type Devices struct {
	N    int
	Free [framework.MaxGPUDevices]int64
}

// DevicesOf returns the device state of ni (N = 0 without devices).
func DevicesOf(ni *framework.NodeInfo) Devices {
	var d Devices
	if g := ni.GPU; g != nil {
		d.N = g.Count
		for i := 0; i < d.N; i++ {
			d.Free[i] = g.Free(i)
		}
	}
	return d
}

// TotalFree returns the free milli over all devices.
func (d *Devices) TotalFree() int64 {
	var t int64
	for i := 0; i < d.N; i++ {
		t += d.Free[i]
	}
	return t
}

// FullyFree returns the number of devices with nothing used.
func (d *Devices) FullyFree() int {
	n := 0
	for i := 0; i < d.N; i++ {
		if d.Free[i] == Milli {
			n++
		}
	}
	return n
}

// Take subtracts request r from the devices of mask.
func (d *Devices) Take(r framework.GPURequest, mask uint32) {
	for i := 0; mask != 0; i, mask = i+1, mask>>1 {
		if mask&1 != 0 {
			d.Free[i] -= r.Milli
		}
	}
}

// Fits reports whether r fits: a sharing request on one device with at
// least r.Milli free, any other request on r.Count entirely free devices. A
// request for no GPU always fits.
func (d *Devices) Fits(r framework.GPURequest) bool {
	switch {
	case r.IsZero():
		return true
	case r.IsShared():
		for i := 0; i < d.N; i++ {
			if d.Free[i] >= r.Milli {
				return true
			}
		}
		return false
	}
	return d.FullyFree() >= r.Count
}

// FirstFree returns the r.Count lowest-indexed entirely free devices (0 when
// there are too few): the artefact's choice for every request that is not
// sharing (AllocateExclusiveGpuId).
func FirstFree(d *Devices, r framework.GPURequest) uint32 {
	var mask uint32
	n := 0
	for i := 0; i < d.N && n < r.Count; i++ {
		if d.Free[i] == Milli {
			mask |= 1 << i
			n++
		}
	}
	if n < r.Count || r.Count == 0 {
		return 0
	}
	return mask
}

// BestFit returns the device with the least free milli that still fits a
// sharing request (lowest index on ties), FirstFree for any other request;
// 0 when nothing fits. It is the artefact's "best" GPU selection, the rule
// of GpuPacking, GpuClustering, DotProd and GpuBestFit.
func BestFit(d *Devices, r framework.GPURequest) uint32 {
	if !r.IsShared() {
		return FirstFree(d, r)
	}
	best := -1
	for i := 0; i < d.N; i++ {
		if d.Free[i] >= r.Milli && (best < 0 || d.Free[i] < d.Free[best]) {
			best = i
		}
	}
	if best < 0 {
		return 0
	}
	return 1 << best
}

// WorstFit is BestFit with the most free fitting device (the artefact's
// "worst" selection).
func WorstFit(d *Devices, r framework.GPURequest) uint32 {
	if !r.IsShared() {
		return FirstFree(d, r)
	}
	best := -1
	for i := 0; i < d.N; i++ {
		if d.Free[i] >= r.Milli && (best < 0 || d.Free[i] > d.Free[best]) {
			best = i
		}
	}
	if best < 0 {
		return 0
	}
	return 1 << best
}

// RandomFit picks a fitting device uniformly at random for a sharing
// request (reservoir sampling over the devices in index order, one draw per
// fitting device, as the artefact's "random" selection), FirstFree for any
// other request.
func RandomFit(d *Devices, r framework.GPURequest, rng *rand.Rand) uint32 {
	if !r.IsShared() {
		return FirstFree(d, r)
	}
	pick, n := -1, 0
	for i := 0; i < d.N; i++ {
		if d.Free[i] >= r.Milli {
			n++
			if rng.IntN(n) == 0 {
				pick = i
			}
		}
	}
	if pick < 0 {
		return 0
	}
	return 1 << pick
}

// Node is a node as the FGD paper's policies see it: CPU left, GPU model
// and devices.
type Node struct {
	// MilliCPULeft is allocatable cpu minus the pods' effective cpu
	// requests (millicores).
	MilliCPULeft int64
	// MilliCPU is the allocatable cpu.
	MilliCPU int64
	// Model is the node's LabelGPUModel label ("" without).
	Model string
	Devices
}

// NodeOf returns ni's Node.
func NodeOf(ni *framework.NodeInfo) Node {
	n := Node{Devices: DevicesOf(ni)}
	if node := ni.Node(); node != nil {
		n.MilliCPU = node.Allocatable.MilliCPU
		n.MilliCPULeft = n.MilliCPU - ni.Requested.MilliCPU
		n.Model = node.Labels[framework.LabelGPUModel]
	}
	return n
}

// Pod is a pod as the FGD paper's policies see it.
type Pod struct {
	// MilliCPU is the pod's cpu request with the scoring non-zero default
	// (100m per container without a request), as the artefact's
	// GetPodResource.
	MilliCPU int64
	// GPU is the GPU request.
	GPU framework.GPURequest
}

// PodOf returns p's Pod.
func PodOf(p *api.Pod) Pod {
	return Pod{MilliCPU: p.Spec.NonZeroMilliCPU, GPU: framework.PodGPURequest(p)}
}

// Assignment priorities: a policy's device rule overrides GpuShare's own,
// whatever order their Reserve plugins run in.
const (
	// PriorityDefault is GpuShare's configured rule.
	PriorityDefault = 0
	// PriorityPolicy is a score policy's rule.
	PriorityPolicy = 1
)

const assignedKey framework.StateKey = "Reserve" + Name

// assigned records in the cycle state the priority of the devices chosen.
type assigned struct{ prio int }

func (a *assigned) Clone() framework.StateData { c := *a; return &c }

// Assign is a Reserve plugin's device choice for pod p (the scheduler's
// assumed copy, already counted on node nodeName): unless a rule of higher
// priority already chose in this cycle, it releases whatever devices the
// pod holds on the node, asks choose for a mask on the node's device state
// (as it was when the node was scored), records the mask on the node's
// NodeInfo (the scheduler cache's, through h's lister) and writes it into
// p's AnnotationGPUIndex (a fresh annotation map). A pod without a GPU
// request is left alone. When choose finds nothing the pod is Unschedulable
// on the node.
func Assign(h framework.Handle, state *framework.CycleState, p *api.Pod, nodeName string, prio int,
	choose func(d *Devices, r framework.GPURequest) uint32) *framework.Status {
	r := framework.PodGPURequest(p)
	if r.IsZero() {
		return nil
	}
	if d, err := state.Read(assignedKey); err == nil && d.(*assigned).prio > prio {
		return nil
	}
	if h == nil {
		return framework.AsStatus(fmt.Errorf("%s: assigning GPU devices needs a framework handle", Name))
	}
	ni, ok := h.SnapshotSharedLister().Get(nodeName)
	if !ok {
		return framework.AsStatus(fmt.Errorf("%s: node %q not found", Name, nodeName))
	}
	if !ni.SetPodGPUDevices(p, 0) {
		return framework.AsStatus(fmt.Errorf("%s: pod %s is not assumed on node %q", Name, p.Key(), nodeName))
	}
	d := DevicesOf(ni)
	mask := choose(&d, r)
	if mask == 0 {
		return framework.NewStatus(framework.Unschedulable, ErrReasonNoDevice)
	}
	ni.SetPodGPUDevices(p, mask)
	p.Annotations = withAnnotation(p.Annotations, framework.AnnotationGPUIndex, framework.FormatGPUIndex(mask))
	state.Write(assignedKey, &assigned{prio: prio})
	return nil
}

// Release undoes Assign (Unreserve): the pod holds no device on the node and
// loses its AnnotationGPUIndex. It is idempotent.
func Release(h framework.Handle, state *framework.CycleState, p *api.Pod, nodeName string) {
	state.Delete(assignedKey)
	if framework.PodGPURequest(p).IsZero() {
		return
	}
	if h != nil {
		if ni, ok := h.SnapshotSharedLister().Get(nodeName); ok {
			ni.SetPodGPUDevices(p, 0)
		}
	}
	if _, ok := p.Annotations[framework.AnnotationGPUIndex]; ok {
		p.Annotations = withAnnotation(p.Annotations, framework.AnnotationGPUIndex, "")
	}
}

// withAnnotation returns a copy of m with key set to v (removed when v is
// ""); m itself is never changed (maps are shared between object copies).
func withAnnotation(m map[string]string, key, v string) map[string]string {
	out := make(map[string]string, len(m)+1)
	for k, x := range m {
		out[k] = x
	}
	if v == "" {
		delete(out, key)
	} else {
		out[key] = v
	}
	if len(out) == 0 {
		return nil
	}
	return out
}
