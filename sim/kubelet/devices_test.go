package kubelet

import (
	"strings"
	"testing"

	"github.com/kubesim/kubesim/sim/api"
)

// gpuSpec is a one-container spec asking for count GPUs of milli each.
func gpuSpec(count, milli int64) *api.PodSpec {
	s := &api.PodSpec{RestartPolicy: api.RestartAlways, TerminationGracePeriodSeconds: 30}
	r := api.Resources{MilliCPU: 100}.Set(ResourceGPUCount, count).Set(ResourceGPUMilli, count*milli)
	s.Containers = []api.Container{{Name: "c0", Image: "img", Requests: r, Limits: r, HasCPURequest: true}}
	s.Compile()
	return s
}

// withGPUs gives a node n GPU devices.
func withGPUs(n int64) nodeOpt {
	return func(node *api.Node) {
		node.Allocatable = node.Allocatable.Set(ResourceGPUCount, n).Set(ResourceGPUMilli, n*GPUMilliPerDevice)
		node.Capacity = node.Allocatable
	}
}

// TestGPUSharingAdmission: with the alibabacloud.com group delegated, pods
// sharing a 2-GPU node are admitted by device (four pods, gpu-count 4 > 2),
// and a pod is rejected with UnexpectedAdmissionError when its device is
// full, when it names no device, names a device the node lacks, or names the
// wrong number; a finished pod frees its device.
func TestGPUSharingAdmission(t *testing.T) {
	cfg := DefaultConfig()
	cfg.DeviceResourceGroups = []string{"alibabacloud.com"}
	w := newWorld(t, cfg)
	w.addNode("n", 8000, withGPUs(2))
	idx := func(v string) podOpt { return annotate(AnnotationGPUIndex, v) }
	w.addPodWith("a", "n", gpuSpec(1, 500), idx("0"))
	w.addPodWith("b", "n", gpuSpec(1, 500), idx("0"))
	w.addPodWith("c", "n", gpuSpec(1, 300), idx("1"))
	w.addPodWith("d", "n", gpuSpec(1, 700), idx("1"))
	w.addPodWith("full", "n", gpuSpec(1, 100), idx("0"))
	w.addPodWith("none", "n", gpuSpec(1, 100))
	w.addPodWith("absent", "n", gpuSpec(1, 100), idx("2"))
	w.addPodWith("count", "n", gpuSpec(2, 1000), idx("1"))
	w.run(secs(30))
	for _, name := range []string{"a", "b", "c", "d"} {
		if p := w.pod(name); p.Status.Phase != api.PodRunning {
			t.Errorf("%s: phase %s (%s: %s), want Running", name, p.Status.Phase, p.Status.Reason, p.Status.Message)
		}
	}
	for name, msg := range map[string]string{
		"full":   "GPU device 0 having 0 milli free, requested: 100",
		"none":   "no alibabacloud.com/gpu-index annotation",
		"absent": "GPU device 2, which the node does not have (2 devices)",
		"count":  `alibabacloud.com/gpu-index "1" naming 1 devices for a request of 2`,
	} {
		p := w.pod(name)
		if p.Status.Phase != api.PodFailed || p.Status.Reason != ReasonUnexpectedAdmissionError || !strings.Contains(p.Status.Message, msg) {
			t.Errorf("%s: %s %s %q, want Failed %s containing %q", name, p.Status.Phase, p.Status.Reason, p.Status.Message, ReasonUnexpectedAdmissionError, msg)
		}
	}
	k, _ := w.m.Kubelet("n")
	if k.GPUDeviceUsed(0) != 1000 || k.GPUDeviceUsed(1) != 1000 {
		t.Errorf("device use %d, %d; want 1000, 1000", k.GPUDeviceUsed(0), k.GPUDeviceUsed(1))
	}
	w.at(secs(40), func() { w.deletePod("a", new(int64)) })
	w.run(secs(60))
	if k.GPUDeviceUsed(0) != 500 {
		t.Errorf("device 0 after a's deletion: %d milli used, want 500", k.GPUDeviceUsed(0))
	}
	w.addPodWith("late", "n", gpuSpec(1, 500), idx("0"))
	w.run(secs(90))
	if p := w.pod("late"); p.Status.Phase != api.PodRunning {
		t.Errorf("late: phase %s (%s), want Running on the freed device", p.Status.Phase, p.Status.Message)
	}
}

// TestGPUCountSummedWithoutDelegation: by default the kubelet sums
// gpu-count as any extended resource, so the third sharing pod on a 2-GPU
// node is OutOfalibabacloud.com/gpu-count (what DeviceResourceGroups fixes).
func TestGPUCountSummedWithoutDelegation(t *testing.T) {
	w := newWorld(t, DefaultConfig())
	w.addNode("n", 8000, withGPUs(2))
	for _, name := range []string{"a", "b", "c"} {
		w.addPodWith(name, "n", gpuSpec(1, 200), annotate(AnnotationGPUIndex, "0"))
	}
	w.run(secs(30))
	if p := w.pod("c"); p.Status.Phase != api.PodFailed || p.Status.Reason != "OutOf"+ResourceGPUCount {
		t.Errorf("c: %s %s, want Failed OutOf%s", p.Status.Phase, p.Status.Reason, ResourceGPUCount)
	}
}

// TestDeviceResourceGroupsValidate: a group is a domain, not a resource name.
func TestDeviceResourceGroupsValidate(t *testing.T) {
	cfg := DefaultConfig()
	cfg.DeviceResourceGroups = []string{"alibabacloud.com/gpu-count", ""}
	err := cfg.Validate()
	if err == nil || !strings.Contains(err.Error(), "deviceResourceGroups[0]") || !strings.Contains(err.Error(), "deviceResourceGroups[1]") {
		t.Errorf("Validate: %v", err)
	}
}
