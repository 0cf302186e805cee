package kubelet

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/kubesim/kubesim/sim/api"
)

// GPU sharing, as the Alibaba GPU trace and the GPU-sharing scheduler plugin
// (scheduler/plugins/gpushare) name it: a node advertises ResourceGPUCount
// devices of GPUMilliPerDevice milli each; a pod requests ResourceGPUCount
// devices and ResourceGPUMilli milli in total, and the scheduler names the
// devices it chose in the pod's AnnotationGPUIndex ("3", "0-1-2-3").
const (
	ResourceGPUCount   = "alibabacloud.com/gpu-count"
	ResourceGPUMilli   = "alibabacloud.com/gpu-milli"
	AnnotationGPUIndex = "alibabacloud.com/gpu-index"
	GPUMilliPerDevice  = 1000
	// MaxGPUDevices is the largest device index + 1 the kubelet tracks.
	MaxGPUDevices = 32
)

// ReasonUnexpectedAdmissionError is upstream's rejection reason when a device
// plugin cannot allocate a pod's devices.
const ReasonUnexpectedAdmissionError = "UnexpectedAdmissionError"

// resourceGroup returns the group of a resource name: the part before "/"
// ("" without one).
func resourceGroup(name string) string {
	if i := strings.IndexByte(name, '/'); i >= 0 {
		return name[:i]
	}
	return ""
}

// delegated reports whether admission of resource name is a device
// plugin's (Config.DeviceResourceGroups).
func (m *Manager) delegated(name string) bool {
	if m == nil || len(m.cfg.DeviceResourceGroups) == 0 {
		return false
	}
	g := resourceGroup(name)
	for _, d := range m.cfg.DeviceResourceGroups {
		if d == g {
			return true
		}
	}
	return false
}

// gpuShared reports whether GPU sharing admission is on: the GPU resources'
// group is delegated.
func (m *Manager) gpuShared() bool { return m.delegated(ResourceGPUCount) }

// podGPU returns a pod's GPU request: devices and milli per device (0, 0
// without a request). A pod asking for milli without a count asks for one
// device; a count without milli means whole devices.
func podGPU(req api.Resources) (count, milli int64) {
	count, total := req.Get(ResourceGPUCount), req.Get(ResourceGPUMilli)
	switch {
	case count <= 0 && total <= 0:
		return 0, 0
	case count <= 0:
		return 1, total
	case total <= 0:
		return count, GPUMilliPerDevice
	}
	return count, total / count
}

// parseGPUIndex parses an AnnotationGPUIndex value into a device mask; false
// for an empty or malformed value, a repeated index or one ≥ MaxGPUDevices.
func parseGPUIndex(s string) (uint32, bool) {
	if s == "" {
		return 0, false
	}
	var mask uint32
	for _, f := range strings.Split(s, "-") {
		i, err := strconv.Atoi(f)
		if err != nil || i < 0 || i >= MaxGPUDevices || mask&(1<<i) != 0 {
			return 0, false
		}
		mask |= 1 << i
	}
	return mask, true
}

// deviceFit is the GPU-sharing device plugin's admission of p on node: the
// pod must name, in AnnotationGPUIndex, as many devices as it requests, each
// advertised by the node and with room for its milli per device beside the
// admitted pods' use. It returns the devices and milli per device to
// account, or a rejection (UnexpectedAdmissionError, upstream's reason when
// a device plugin's Allocate fails).
func (k *Kubelet) deviceFit(p *api.Pod, node *api.Node) (mask uint32, milli int64, reason, msg string) {
	count, milli := podGPU(p.Spec.Requests)
	if count == 0 {
		return 0, 0, "", ""
	}
	fail := func(format string, a ...any) (uint32, int64, string, string) {
		return 0, 0, ReasonUnexpectedAdmissionError,
			fmt.Sprintf("Allocate failed due to %s, which is unexpected", fmt.Sprintf(format, a...))
	}
	idx, ok := p.Annotations[AnnotationGPUIndex]
	if !ok {
		return fail("no %s annotation naming the pod's GPU devices", AnnotationGPUIndex)
	}
	mask, ok = parseGPUIndex(idx)
	if !ok {
		return fail("malformed %s annotation %q", AnnotationGPUIndex, idx)
	}
	n := int64(0)
	for x := mask; x != 0; x &= x - 1 {
		n++
	}
	if n != count {
		return fail("%s %q naming %d devices for a request of %d", AnnotationGPUIndex, idx, n, count)
	}
	devices := min(node.Allocatable.Get(ResourceGPUCount), MaxGPUDevices)
	for i := 0; i < MaxGPUDevices; i++ {
		if mask&(1<<i) == 0 {
			continue
		}
		if int64(i) >= devices {
			return fail("GPU device %d, which the node does not have (%d devices)", i, devices)
		}
		if used := k.gpuUsed[i]; used+milli > GPUMilliPerDevice {
			return fail("GPU device %d having %d milli free, requested: %d", i, GPUMilliPerDevice-used, milli)
		}
	}
	return mask, milli, "", ""
}

// accountGPU adds (sign 1) or removes (sign −1) a pod's device use.
func (k *Kubelet) accountGPU(mask uint32, milli, sign int64) {
	for i := 0; mask != 0; i, mask = i+1, mask>>1 {
		if mask&1 != 0 {
			k.gpuUsed[i] += sign * milli
		}
	}
}

// GPUDeviceUsed returns the milli of GPU device i used by the admitted,
// unfinished pods (0 without GPU-sharing admission or for i out of range).
func (k *Kubelet) GPUDeviceUsed(i int) int64 {
	if i < 0 || i >= MaxGPUDevices {
		return 0
	}
	return k.gpuUsed[i]
}
