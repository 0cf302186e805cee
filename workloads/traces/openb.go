package traces

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// GPU resources and labels, the names the GPU-sharing scheduler plugin
// (scheduler/plugins/gpushare) reads. A node with g GPUs advertises
// g GPU devices of 1000 milli each.
const (
	// ResourceGPUCount is the extended resource counting whole GPU devices:
	// a node's GPU count; a pod's number of GPUs (num_gpu).
	ResourceGPUCount = "alibabacloud.com/gpu-count"
	// ResourceGPUMilli is the extended resource of GPU capacity in thousandths
	// of a device: a node has 1000 per GPU; a pod requests
	// num_gpu × gpu_milli (its milli per GPU times its GPU count).
	ResourceGPUMilli = "alibabacloud.com/gpu-milli"
	// LabelGPUCardModel is the node label naming the GPU model (absent on
	// nodes without GPUs). A pod's gpu_spec becomes required node affinity
	// on it.
	LabelGPUCardModel = "alibabacloud.com/gpu-card-model"
	// LabelQoS is the pod label carrying the trace's QoS class (LS, BE,
	// Burstable, Guaranteed) when the trace has one.
	LabelQoS = "alibabacloud.com/qos"
	// MilliPerGPU is the capacity of one GPU device in ResourceGPUMilli units.
	MilliPerGPU = 1000
)

// OpenB file names (dataset alibaba-gpu-v2023).
const (
	// OpenBGPUNodes is the GPU-node list the FGD experiments use.
	OpenBGPUNodes = "openb_node_list_gpu_node.csv"
	// OpenBAllNodes is the full node list, CPU-only nodes included.
	OpenBAllNodes = "openb_node_list_all_node.csv"
	// OpenBDefaultPods is the default pod list.
	OpenBDefaultPods = "openb_pod_list_default.csv"
)

// OpenBNode is one row of an openb node list.
type OpenBNode struct {
	// Name is the node name (column sn).
	Name string
	// MilliCPU is the CPU capacity in millicores (cpu_milli).
	MilliCPU int64
	// MemoryMiB is the memory capacity in MiB (memory_mib).
	MemoryMiB int64
	// GPUs is the number of whole GPUs (gpu).
	GPUs int64
	// Model is the GPU model (model); empty for CPU-only nodes.
	Model string
}

// OpenBPod is one row of an openb pod list. The multigpu files have only the
// first five columns: their pods have no GPU spec, QoS, phase or times.
type OpenBPod struct {
	// Name is the pod name (renumbered in every file).
	Name string
	// MilliCPU is the CPU request in millicores (cpu_milli).
	MilliCPU int64
	// MemoryMiB is the memory request in MiB (memory_mib).
	MemoryMiB int64
	// GPUs is the number of GPUs requested (num_gpu).
	GPUs int64
	// GPUMilli is the share of each GPU in thousandths (gpu_milli): below
	// 1000 only for 1-GPU sharing pods, 1000 for multi-GPU pods, 0 without GPUs.
	GPUMilli int64
	// GPUModels are the allowed GPU models (gpu_spec), deduplicated in order
	// of first appearance; empty means any model.
	GPUModels []string
	// QoS is LS, BE, Burstable or Guaranteed; empty in 5-column files.
	QoS string
	// Phase is the pod's phase at the end of the trace (pod_phase).
	Phase string
	// Created, Deleted and Scheduled are the trace's times (seconds since the
	// trace start, exact); unset in 5-column files, Scheduled unset for pods
	// never scheduled.
	Created, Deleted, Scheduled Stamp
}

// TotalGPUMilli is the pod's whole GPU request: GPUs × GPUMilli.
func (p *OpenBPod) TotalGPUMilli() int64 { return p.GPUs * p.GPUMilli }

// Bounds of the openb columns; generous, they only keep arithmetic safe.
const (
	maxMilliCPU  = 1 << 40
	maxMemoryMiB = 1 << 40
	maxGPUs      = 1 << 10
)

// openb QoS classes and phases.
var (
	openBQoS    = []string{"LS", "BE", "Burstable", "Guaranteed"}
	openBPhases = []string{"Running", "Succeeded", "Failed", "Pending"}
)

// ReadOpenBNodes reads an openb node list (columns sn, cpu_milli, memory_mib,
// gpu, model). file names the input in errors. Node names must be unique DNS
// subdomain names; a node with GPUs needs a model, one without has none.
func ReadOpenBNodes(r io.Reader, file string) ([]OpenBNode, error) {
	t, err := newTable(r, file, nil, []string{"sn", "cpu_milli", "memory_mib", "gpu", "model"}, nil)
	if err != nil {
		return nil, err
	}
	var out []OpenBNode
	seen := map[string]bool{}
	for {
		ok, err := t.next()
		if err != nil {
			return nil, err
		}
		if !ok {
			return out, nil
		}
		var n OpenBNode
		if n.Name, err = t.name("sn", seen); err != nil {
			return nil, err
		}
		if n.MilliCPU, err = t.int("cpu_milli", 0, maxMilliCPU); err != nil {
			return nil, err
		}
		if n.MemoryMiB, err = t.int("memory_mib", 0, maxMemoryMiB); err != nil {
			return nil, err
		}
		if n.GPUs, err = t.int("gpu", 0, maxGPUs); err != nil {
			return nil, err
		}
		if n.Model = t.str("model"); isNaN(n.Model) {
			n.Model = ""
		}
		switch {
		case n.GPUs > 0 && n.Model == "":
			return nil, t.fail("model", "a node with %d GPUs needs a GPU model", n.GPUs)
		case n.GPUs == 0 && n.Model != "":
			return nil, t.fail("model", "a node without GPUs has no GPU model, got %q", n.Model)
		case n.Model != "" && !validLabelValue(n.Model):
			return nil, t.fail("model", "%q is not a valid label value", n.Model)
		}
		out = append(out, n)
	}
}

// ReadOpenBPods reads an openb pod list: the 11-column files (name,
// cpu_milli, memory_mib, num_gpu, gpu_milli, gpu_spec, qos, pod_phase,
// creation_time, deletion_time, scheduled_time) or the 5-column multigpu
// files. It checks the GPU invariants the README states: gpu_milli is 0
// without GPUs, in 1..1000 with one GPU and exactly 1000 with more; and that
// a pod is not deleted before it is created.
func ReadOpenBPods(r io.Reader, file string) ([]OpenBPod, error) {
	t, err := newTable(r, file, nil,
		[]string{"name", "cpu_milli", "memory_mib", "num_gpu", "gpu_milli"},
		[]string{"gpu_spec", "qos", "pod_phase", "creation_time", "deletion_time", "scheduled_time"})
	if err != nil {
		return nil, err
	}
	var out []OpenBPod
	seen := map[string]bool{}
	models := map[string][]string{} // gpu_spec -> shared model list
	for {
		ok, err := t.next()
		if err != nil {
			return nil, err
		}
		if !ok {
			return out, nil
		}
		var p OpenBPod
		if p.Name, err = t.name("name", seen); err != nil {
			return nil, err
		}
		if p.MilliCPU, err = t.int("cpu_milli", 0, maxMilliCPU); err != nil {
			return nil, err
		}
		if p.MemoryMiB, err = t.int("memory_mib", 0, maxMemoryMiB); err != nil {
			return nil, err
		}
		if p.GPUs, err = t.int("num_gpu", 0, maxGPUs); err != nil {
			return nil, err
		}
		if p.GPUMilli, err = t.int("gpu_milli", 0, MilliPerGPU); err != nil {
			return nil, err
		}
		switch {
		case p.GPUs == 0 && p.GPUMilli != 0:
			return nil, t.fail("gpu_milli", "must be 0 when num_gpu is 0, got %d", p.GPUMilli)
		case p.GPUs == 1 && p.GPUMilli == 0:
			return nil, t.fail("gpu_milli", "must be in [1, 1000] when num_gpu is 1, got 0")
		case p.GPUs > 1 && p.GPUMilli != MilliPerGPU:
			return nil, t.fail("gpu_milli", "must be 1000 when num_gpu is %d (only single-GPU pods share a GPU), got %d", p.GPUs, p.GPUMilli)
		}
		if spec := t.str("gpu_spec"); !isNaN(spec) {
			ms, ok := models[spec]
			if !ok {
				for _, m := range strings.Split(spec, "|") {
					if !validLabelValue(m) || m == "" {
						return nil, t.fail("gpu_spec", "%q is not a |-separated list of GPU models", spec)
					}
					if !slices.Contains(ms, m) {
						ms = append(ms, m)
					}
				}
				models[spec] = ms
			}
			p.GPUModels = ms
		}
		if t.has("qos") {
			p.QoS = t.str("qos")
			if !slices.Contains(openBQoS, p.QoS) {
				return nil, t.fail("qos", "unknown QoS class %q; expected one of %s", p.QoS, strings.Join(openBQoS, ", "))
			}
		}
		if t.has("pod_phase") {
			p.Phase = t.str("pod_phase")
			if !slices.Contains(openBPhases, p.Phase) {
				return nil, t.fail("pod_phase", "unknown phase %q; expected one of %s", p.Phase, strings.Join(openBPhases, ", "))
			}
		}
		if p.Created, err = t.stamp("creation_time"); err != nil {
			return nil, err
		}
		if p.Deleted, err = t.stamp("deletion_time"); err != nil {
			return nil, err
		}
		if p.Scheduled, err = t.stamp("scheduled_time"); err != nil {
			return nil, err
		}
		if p.Created.Set && p.Deleted.Set && p.Deleted.At < p.Created.At {
			return nil, t.fail("deletion_time", "deleted at %v, before its creation at %v", p.Deleted, p.Created)
		}
		out = append(out, p)
	}
}

// name reads a unique DNS-subdomain object name.
func (t *table) name(col string, seen map[string]bool) (string, error) {
	n := t.str(col)
	if msg := checkDNSSubdomain(n); msg != "" {
		return "", t.fail(col, "%q is not a valid object name: %s", n, msg)
	}
	if seen[n] {
		return "", t.fail(col, "%q appears twice", n)
	}
	seen[n] = true
	return n, nil
}

// LoadOpenBNodes reads an openb node list from a file.
func LoadOpenBNodes(path string) ([]OpenBNode, error) {
	return loadFile(path, ReadOpenBNodes)
}

// LoadOpenBPods reads an openb pod list from a file.
func LoadOpenBPods(path string) ([]OpenBPod, error) {
	return loadFile(path, ReadOpenBPods)
}

// loadFile opens path and reads it with read, naming the file by its base
// name in errors.
func loadFile[T any](path string, read func(io.Reader, string) (T, error)) (T, error) {
	f, err := os.Open(path)
	if err != nil {
		var zero T
		return zero, fmt.Errorf("traces: %w", err)
	}
	defer f.Close()
	return read(f, filepath.Base(path))
}
