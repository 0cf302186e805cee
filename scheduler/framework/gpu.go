package framework

import (
	"strconv"

	"github.com/kubesim/kubesim/sim/api"
)

// GPU sharing (the Alibaba GPU trace's model, used by the FGD paper's
// simulator): a node advertises ResourceGPUCount devices, each of
// GPUMilliPerDevice milli; a pod requests ResourceGPUCount devices and
// ResourceGPUMilli milli in total (count × milli per device). A pod asking for
// less than a whole device (one device, < 1000 milli) shares a device with
// others; a multi-device pod takes whole devices.
const (
	// ResourceGPUCount is the extended resource counting GPU devices: a
	// node's devices, a pod's number of devices.
	ResourceGPUCount = "alibabacloud.com/gpu-count"
	// ResourceGPUMilli is the extended resource of GPU capacity in
	// thousandths of a device; a pod's total over its devices.
	ResourceGPUMilli = "alibabacloud.com/gpu-milli"
	// LabelGPUModel is the node label naming the GPU model.
	LabelGPUModel = "alibabacloud.com/gpu-card-model"
	// AnnotationGPUIndex on a pod lists the devices it holds on its node,
	// as the GPU-share scheduler writes it: "3", or "0-1-2-3".
	AnnotationGPUIndex = "alibabacloud.com/gpu-index"
	// GPUMilliPerDevice is one device's capacity in milli.
	GPUMilliPerDevice int64 = 1000
	// MaxGPUDevices is the largest number of devices per node the scheduler
	// tracks; a node advertising more is treated as having MaxGPUDevices.
	MaxGPUDevices = 32
)

// GPURequest is a pod's GPU request: Count devices with Milli each.
type GPURequest struct {
	Count int
	Milli int64
}

// IsZero reports whether the pod requests no GPU.
func (r GPURequest) IsZero() bool { return r.Count == 0 }

// IsShared reports whether the pod asks for part of one device (< 1000
// milli on a single device).
func (r GPURequest) IsShared() bool { return r.Count == 1 && r.Milli < GPUMilliPerDevice }

// Total returns the request's milli over all its devices.
func (r GPURequest) Total() int64 { return int64(r.Count) * r.Milli }

// PodGPURequest returns p's GPU request from its effective requests: Count
// from ResourceGPUCount and Milli = ResourceGPUMilli / Count. A pod that
// requests milli but no count asks for one device; one that requests a
// count but no milli asks for whole devices. A count above MaxGPUDevices is
// kept (such a pod fits no node).
func PodGPURequest(p *api.Pod) GPURequest {
	var count, milli int64
	for _, s := range p.Spec.Requests.Scalar {
		switch s.Name {
		case ResourceGPUCount:
			count = s.Value
		case ResourceGPUMilli:
			milli = s.Value
		}
	}
	switch {
	case count <= 0 && milli <= 0:
		return GPURequest{}
	case count <= 0:
		return GPURequest{Count: 1, Milli: milli}
	case milli <= 0:
		return GPURequest{Count: int(count), Milli: GPUMilliPerDevice}
	}
	return GPURequest{Count: int(count), Milli: milli / count}
}

// NodeGPUCount returns the number of devices node n advertises (allocatable
// ResourceGPUCount), at most MaxGPUDevices; 0 for a nil node.
func NodeGPUCount(n *api.Node) int {
	if n == nil {
		return 0
	}
	c := n.Allocatable.Get(ResourceGPUCount)
	switch {
	case c <= 0:
		return 0
	case c > MaxGPUDevices:
		return MaxGPUDevices
	}
	return int(c)
}

// GPUDevices is a node's per-device GPU state, kept by its NodeInfo from the
// pods on the node: each pod holds the devices its PodInfo.GPUDevices
// names. Device i has GPUMilliPerDevice − Used[i] milli free.
type GPUDevices struct {
	// Count is the number of devices the node advertises (NodeGPUCount);
	// 0 while the node object is unknown.
	Count int
	// Used is each device's used milli.
	Used [MaxGPUDevices]int64
	// Unplaced is the GPU milli of pods on the node that hold no device
	// (their devices could not be chosen: the node was unknown or full).
	Unplaced int64
	// Kinds counts the node's GPU pods by shape: Kinds[0] the sharing pods
	// (part of one device), Kinds[k] the pods taking k whole devices (k
	// above MaxGPUDevices counted at MaxGPUDevices).
	Kinds [MaxGPUDevices + 1]int32
}

// Free returns device i's free milli.
func (g *GPUDevices) Free(i int) int64 { return GPUMilliPerDevice - g.Used[i] }

// kind returns the Kinds index of a request.
func gpuKind(r GPURequest) int {
	if r.IsShared() {
		return 0
	}
	return min(r.Count, MaxGPUDevices)
}

// account adds (sign 1) or removes (sign −1) a pod holding mask with
// request r.
func (g *GPUDevices) account(r GPURequest, mask uint32, sign int64) {
	if mask == 0 {
		g.Unplaced += sign * r.Total()
		return
	}
	for i := 0; mask != 0; i, mask = i+1, mask>>1 {
		if mask&1 != 0 {
			g.Used[i] += sign * r.Milli
		}
	}
}

// FitGPUDevices returns the devices the GPU-share scheduler's default rule
// gives request r on g, or 0 when r does not fit: for a sharing request
// (IsShared), the fitting device with the least free milli (lowest index on
// ties); for any other, the r.Count lowest-indexed entirely free devices.
// Devices at or above g.Count are never chosen.
func FitGPUDevices(g *GPUDevices, r GPURequest) uint32 {
	if r.Count <= 0 || r.Count > g.Count {
		return 0
	}
	if r.IsShared() {
		best := -1
		for i := 0; i < g.Count; i++ {
			if f := g.Free(i); f >= r.Milli && (best < 0 || f < g.Free(best)) {
				best = i
			}
		}
		if best < 0 {
			return 0
		}
		return 1 << best
	}
	var mask uint32
	n := 0
	for i := 0; i < g.Count && n < r.Count; i++ {
		if g.Used[i] == 0 {
			mask |= 1 << i
			n++
		}
	}
	if n < r.Count {
		return 0
	}
	return mask
}

// ParseGPUIndex parses an AnnotationGPUIndex value ("3", "0-1-2-3") into a
// device mask. It reports false for an empty or malformed value, an index
// at or above MaxGPUDevices, or a repeated index.
func ParseGPUIndex(s string) (uint32, bool) {
	if s == "" {
		return 0, false
	}
	var mask uint32
	start := 0
	for i := 0; i <= len(s); i++ {
		if i < len(s) && s[i] != '-' {
			continue
		}
		idx, err := strconv.Atoi(s[start:i])
		if err != nil || idx < 0 || idx >= MaxGPUDevices || mask&(1<<idx) != 0 || start == i {
			return 0, false
		}
		mask |= 1 << idx
		start = i + 1
	}
	return mask, true
}

// FormatGPUIndex renders a device mask as an AnnotationGPUIndex value:
// indexes ascending, joined by "-" ("" for no device).
func FormatGPUIndex(mask uint32) string {
	var b []byte
	for i := 0; mask != 0; i, mask = i+1, mask>>1 {
		if mask&1 == 0 {
			continue
		}
		if len(b) > 0 {
			b = append(b, '-')
		}
		b = strconv.AppendInt(b, int64(i), 10)
	}
	return string(b)
}

// HasGPUIndex reports whether p carries a well-formed AnnotationGPUIndex.
func HasGPUIndex(p *api.Pod) bool {
	s, ok := p.Annotations[AnnotationGPUIndex]
	if !ok {
		return false
	}
	_, ok = ParseGPUIndex(s)
	return ok
}

// gpuDevicesOf returns the devices pod p names in its annotation when they
// are valid for request r on g: as many distinct devices as r.Count, all
// below g.Count when the node is known. Otherwise 0.
func gpuDevicesOf(p *api.Pod, r GPURequest, g *GPUDevices) uint32 {
	s, ok := p.Annotations[AnnotationGPUIndex]
	if !ok {
		return 0
	}
	mask, ok := ParseGPUIndex(s)
	if !ok || onesCount(mask) != r.Count {
		return 0
	}
	if g.Count > 0 && mask>>g.Count != 0 {
		return 0
	}
	return mask
}

func onesCount(x uint32) int {
	n := 0
	for ; x != 0; x &= x - 1 {
		n++
	}
	return n
}

// addGPU places a pod just added to n on devices: those its annotation
// names when valid, else those FitGPUDevices gives (none when nothing fits).
func (n *NodeInfo) addGPU(pi *PodInfo) {
	r := PodGPURequest(pi.Pod)
	if r.IsZero() {
		return
	}
	if n.GPU == nil {
		n.GPU = &GPUDevices{}
	}
	g := n.GPU
	mask := gpuDevicesOf(pi.Pod, r, g)
	if mask == 0 {
		mask = FitGPUDevices(g, r)
	}
	pi.GPUDevices = mask
	g.account(r, mask, 1)
	g.Kinds[gpuKind(r)]++
}

// removeGPU releases the devices of a pod removed from n.
func (n *NodeInfo) removeGPU(pi *PodInfo) {
	r := PodGPURequest(pi.Pod)
	if r.IsZero() || n.GPU == nil {
		return
	}
	n.GPU.account(r, pi.GPUDevices, -1)
	n.GPU.Kinds[gpuKind(r)]--
}

// setGPUNode updates the device count from a new node object and places
// the pods that hold no device yet, in the order they were added.
func (n *NodeInfo) setGPUNode(node *api.Node) {
	c := NodeGPUCount(node)
	if n.GPU == nil {
		if c == 0 {
			return
		}
		n.GPU = &GPUDevices{}
	}
	g := n.GPU
	g.Count = c
	if g.Unplaced == 0 || c == 0 {
		return
	}
	for _, pi := range n.Pods {
		if pi.GPUDevices != 0 {
			continue
		}
		r := PodGPURequest(pi.Pod)
		if r.IsZero() {
			continue
		}
		if mask := FitGPUDevices(g, r); mask != 0 {
			g.account(r, 0, -1)
			pi.GPUDevices = mask
			g.account(r, mask, 1)
		}
	}
}

// SetPodGPUDevices moves the pod with p's UID on n to the devices of mask
// (0 releases its devices: the pod then counts as Unplaced). It is how
// Reserve and Unreserve of the GPU-share plugins record a decision on the
// scheduler cache's NodeInfo; the mask is not checked against capacity. It
// reports false when the pod is not on n or requests no GPU.
func (n *NodeInfo) SetPodGPUDevices(p *api.Pod, mask uint32) bool {
	pi := n.podInfo(p.UID)
	if pi == nil || n.GPU == nil {
		return false
	}
	r := PodGPURequest(pi.Pod)
	if r.IsZero() {
		return false
	}
	if pi.GPUDevices == mask {
		return true
	}
	n.GPU.account(r, pi.GPUDevices, -1)
	pi.GPUDevices = mask
	n.GPU.account(r, mask, 1)
	n.Generation++
	return true
}

// PodGPUDevices returns the devices the pod with p's UID holds on n (0 when
// it holds none or is not on n).
func (n *NodeInfo) PodGPUDevices(p *api.Pod) uint32 {
	if pi := n.podInfo(p.UID); pi != nil {
		return pi.GPUDevices
	}
	return 0
}

func (n *NodeInfo) podInfo(uid api.UID) *PodInfo {
	for _, pi := range n.Pods {
		if pi.Pod.UID == uid {
			return pi
		}
	}
	return nil
}

// clone returns an independent copy (nil for nil).
func (g *GPUDevices) clone() *GPUDevices {
	if g == nil {
		return nil
	}
	c := *g
	return &c
}
