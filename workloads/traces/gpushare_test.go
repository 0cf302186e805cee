package traces

import (
	"testing"

	"github.com/kubesim/kubesim/scheduler/framework"
)

// TestGPUShareNames: trace objects use the names the GPU-sharing scheduler
// reads, and its per-device view of a converted pod is the trace's row.
func TestGPUShareNames(t *testing.T) {
	if ResourceGPUCount != framework.ResourceGPUCount || ResourceGPUMilli != framework.ResourceGPUMilli ||
		LabelGPUCardModel != framework.LabelGPUModel || MilliPerGPU != framework.GPUMilliPerDevice {
		t.Fatal("resource or label names differ from scheduler/framework's")
	}
	conv := NewPodConverter(PodOptions{})
	for _, tc := range []struct {
		row   OpenBPod
		count int
		milli int64
	}{
		{OpenBPod{Name: "a", MilliCPU: 6000, MemoryMiB: 12288, GPUs: 1, GPUMilli: 460}, 1, 460},
		{OpenBPod{Name: "b", MilliCPU: 6000, MemoryMiB: 12288, GPUs: 8, GPUMilli: 1000}, 8, 1000},
		{OpenBPod{Name: "c", MilliCPU: 6000, MemoryMiB: 12288}, 0, 0},
	} {
		got := framework.PodGPURequest(conv.OpenBPod(&tc.row))
		if got.Count != tc.count || (tc.count > 0 && got.Milli != tc.milli) {
			t.Errorf("%s: %+v, want %d × %d", tc.row.Name, got, tc.count, tc.milli)
		}
	}
}
