package framework

import (
	"testing"

	"github.com/kubesim/kubesim/sim/api"
)

func gpuNode(name string, gpus int64) *api.Node {
	r := api.Resources{MilliCPU: 32000, Memory: 64 << 30}.Set(ResourceGPUCount, gpus).Set(ResourceGPUMilli, gpus*1000)
	return &api.Node{ObjectMeta: api.ObjectMeta{Name: name}, Allocatable: r, Capacity: r, AllowedPods: 110}
}

// gpuPod returns a pod asking for count devices and milli in total, with
// an AnnotationGPUIndex when idx is not "".
func gpuPod(name string, count, milli int64, idx string) *api.Pod {
	spec := &api.PodSpec{Containers: []api.Container{{Name: "c",
		Requests: api.Resources{MilliCPU: 1000}.Set(ResourceGPUCount, count).Set(ResourceGPUMilli, milli), HasCPURequest: true}}}
	spec.Compile()
	p := &api.Pod{ObjectMeta: api.ObjectMeta{Name: name, Namespace: "default", UID: api.UID("uid-" + name)}, Spec: spec}
	if idx != "" {
		p.Annotations = map[string]string{AnnotationGPUIndex: idx}
	}
	return p
}

func used(g *GPUDevices) []int64 { return append([]int64(nil), g.Used[:g.Count]...) }

func eq(a, b []int64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestGPUIndex(t *testing.T) {
	for _, tc := range []struct {
		in   string
		mask uint32
		ok   bool
	}{
		{"3", 1 << 3, true}, {"0-1-2-3", 0xf, true}, {"31", 1 << 31, true},
		{"", 0, false}, {"32", 0, false}, {"1-1", 0, false}, {"1-", 0, false}, {"-1", 0, false}, {"a", 0, false}, {"1--2", 0, false},
	} {
		mask, ok := ParseGPUIndex(tc.in)
		if mask != tc.mask || ok != tc.ok {
			t.Errorf("ParseGPUIndex(%q) = %b, %v; want %b, %v", tc.in, mask, ok, tc.mask, tc.ok)
		}
		if ok && FormatGPUIndex(mask) != tc.in {
			t.Errorf("FormatGPUIndex(%b) = %q, want %q", mask, FormatGPUIndex(mask), tc.in)
		}
	}
}

func TestPodGPURequest(t *testing.T) {
	for _, tc := range []struct {
		count, milli int64
		want         GPURequest
		shared       bool
	}{
		{0, 0, GPURequest{}, false},
		{1, 250, GPURequest{1, 250}, true},
		{1, 1000, GPURequest{1, 1000}, false},
		{4, 4000, GPURequest{4, 1000}, false},
		{0, 300, GPURequest{1, 300}, true}, // milli alone: one device
		{2, 0, GPURequest{2, 1000}, false}, // count alone: whole devices
	} {
		r := PodGPURequest(gpuPod("p", tc.count, tc.milli, ""))
		if r != tc.want || r.IsShared() != tc.shared {
			t.Errorf("count %d milli %d: %+v shared %v, want %+v %v", tc.count, tc.milli, r, r.IsShared(), tc.want, tc.shared)
		}
	}
}

// TestNodeInfoGPU: pods named devices are counted on them; pods without
// (or with an invalid) index are placed by the default rule; removal,
// SetPodGPUDevices and Clone keep the sums right.
func TestNodeInfoGPU(t *testing.T) {
	ni := NewNodeInfo()
	ni.SetNode(gpuNode("n", 4))
	a := gpuPod("a", 1, 300, "1")
	b := gpuPod("b", 1, 700, "2")
	c := gpuPod("c", 1, 1000, "3")
	for _, p := range []*api.Pod{a, b, c} {
		ni.AddPod(p)
	}
	if got := used(ni.GPU); !eq(got, []int64{0, 300, 700, 1000}) {
		t.Fatalf("used %v", got)
	}
	// No index: 250 goes to the tightest fit, device 2 (300 free).
	d := gpuPod("d", 1, 250, "")
	ni.AddPod(d)
	if got := ni.PodGPUDevices(d); got != 1<<2 {
		t.Errorf("d on %b, want device 2", got)
	}
	// Invalid index (device 7 of 4): placed by the rule, device 1 (700 free).
	e := gpuPod("e", 1, 600, "7")
	ni.AddPod(e)
	if got := ni.PodGPUDevices(e); got != 1<<1 {
		t.Errorf("e on %b, want device 1", got)
	}
	if got := used(ni.GPU); !eq(got, []int64{0, 900, 950, 1000}) {
		t.Fatalf("used %v", got)
	}
	// Two whole devices: only device 0 is free, so none: unplaced.
	f := gpuPod("f", 2, 2000, "")
	ni.AddPod(f)
	if ni.PodGPUDevices(f) != 0 || ni.GPU.Unplaced != 2000 {
		t.Errorf("f on %b, unplaced %d", ni.PodGPUDevices(f), ni.GPU.Unplaced)
	}
	if ni.GPU.Kinds[0] != 4 || ni.GPU.Kinds[1] != 1 || ni.GPU.Kinds[2] != 1 {
		t.Errorf("kinds %v", ni.GPU.Kinds[:3])
	}
	cl := ni.Clone()
	ni.RemovePod(f)
	ni.RemovePod(e)
	if !ni.SetPodGPUDevices(d, 1<<0) {
		t.Fatal("SetPodGPUDevices failed")
	}
	if got := used(ni.GPU); !eq(got, []int64{250, 300, 700, 1000}) || ni.GPU.Unplaced != 0 {
		t.Errorf("used %v unplaced %d", got, ni.GPU.Unplaced)
	}
	if got := used(cl.GPU); !eq(got, []int64{0, 900, 950, 1000}) || cl.GPU.Unplaced != 2000 {
		t.Errorf("clone changed: %v %d", got, cl.GPU.Unplaced)
	}
	ni.SetPodGPUDevices(d, 0)
	if ni.GPU.Unplaced != 250 || ni.GPU.Used[0] != 0 {
		t.Errorf("released: used %v unplaced %d", used(ni.GPU), ni.GPU.Unplaced)
	}
	for _, p := range []*api.Pod{a, b, c, d} {
		ni.RemovePod(p)
	}
	if got := used(ni.GPU); !eq(got, []int64{0, 0, 0, 0}) || ni.GPU.Unplaced != 0 || ni.GPU.Kinds != [MaxGPUDevices + 1]int32{} {
		t.Errorf("empty node: used %v unplaced %d kinds %v", got, ni.GPU.Unplaced, ni.GPU.Kinds[:3])
	}
}

// TestNodeInfoGPUNodeLater: pods added before the node are placed when the
// node (and its device count) arrives.
func TestNodeInfoGPUNodeLater(t *testing.T) {
	ni := NewNodeInfo()
	p := gpuPod("p", 1, 500, "")
	q := gpuPod("q", 2, 2000, "")
	ni.AddPod(p)
	ni.AddPod(q)
	if ni.GPU.Unplaced != 2500 {
		t.Fatalf("unplaced %d", ni.GPU.Unplaced)
	}
	ni.SetNode(gpuNode("n", 2))
	// p (500) best fit → device 0; q needs two free devices: only 1 → stays.
	if ni.PodGPUDevices(p) != 1 || ni.PodGPUDevices(q) != 0 || ni.GPU.Unplaced != 2000 {
		t.Errorf("p %b q %b unplaced %d", ni.PodGPUDevices(p), ni.PodGPUDevices(q), ni.GPU.Unplaced)
	}
	if ni2 := NewNodeInfo(); ni2.GPU != nil {
		t.Error("GPU state on an empty NodeInfo")
	} else if ni2.SetNode(&api.Node{}); ni2.GPU != nil {
		t.Error("GPU state on a node without GPUs")
	}
}
