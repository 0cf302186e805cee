package testutil

import (
	"github.com/kubesim/kubesim/scheduler/framework"
	"github.com/kubesim/kubesim/sim/api"
)

// GPUPod builds a pod requesting cpu millicores and 1Gi, count GPU devices
// and milli GPU milli in total (framework.ResourceGPUCount and
// ResourceGPUMilli; none when count is 0), holding the devices idx
// (framework.AnnotationGPUIndex; none when "").
func GPUPod(name string, cpu, count, milli int64, idx string) *api.Pod {
	w := MakePod().Name(name).Req(cpu, Gi)
	if count > 0 {
		w = w.Ext(framework.ResourceGPUCount, count).Ext(framework.ResourceGPUMilli, milli)
	}
	p := w.Obj()
	if idx != "" {
		p.Annotations = map[string]string{framework.AnnotationGPUIndex: idx}
	}
	return p
}

// GPUNode builds a node of cpu millicores and 256Gi with gpus devices of
// GPU model model (framework.LabelGPUModel), 1000 milli each.
func GPUNode(name string, cpu, gpus int64, model string) *api.Node {
	w := MakeNode().Name(name).Alloc(cpu, 256*Gi)
	if gpus > 0 {
		w = w.AllocRes(framework.ResourceGPUCount, gpus).AllocRes(framework.ResourceGPUMilli, gpus*1000).Label(framework.LabelGPUModel, model)
	}
	return w.Obj()
}

// MixedGPUNode is the GPU policies' test node: 32000m cpu, 4 devices of
// model T4 with 0, 300, 700 and 1000 milli used (free 1000, 700, 300, 0) by
// three 1000m pods (sharing 300 on device 1, sharing 700 on device 2, one
// whole device 3), so 29000m cpu left.
func MixedGPUNode(name string) *framework.NodeInfo {
	return NodeInfo(GPUNode(name, 32000, 4, "T4"),
		GPUPod(name+"-a", 1000, 1, 300, "1"), GPUPod(name+"-b", 1000, 1, 700, "2"), GPUPod(name+"-c", 1000, 1, 1000, "3"))
}
