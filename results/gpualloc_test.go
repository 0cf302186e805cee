package results

import (
	"bytes"
	"math"
	"testing"

	"github.com/kubesim/kubesim/sim/api"
)

func gpuNode(name string, milli int64) *api.Node {
	r := api.Resources{MilliCPU: 1000}.Set(resourceGPUMilli, milli)
	return &api.Node{ObjectMeta: api.ObjectMeta{Name: name}, Allocatable: r, Capacity: r}
}

func gpuPod(uid string, milli int64) *api.Pod {
	spec := &api.PodSpec{Containers: []api.Container{{Name: "c", Requests: api.Resources{MilliCPU: 100}.Set(resourceGPUMilli, milli)}}}
	spec.Compile()
	return &api.Pod{ObjectMeta: api.ObjectMeta{Name: uid, Namespace: "d", UID: api.UID(uid)}, Spec: spec}
}

func bound(p *api.Pod) *api.Pod { c := p.Clone(); c.NodeName = "n"; return c }

func failed(p *api.Pod) *api.Pod {
	c := p.Clone()
	c.Status.Conditions = []api.Condition{{Type: api.PodScheduled, Status: api.ConditionFalse, Reason: "Unschedulable"}}
	return c
}

// TestGPUAllocationTracker: rows by hand on a 3000-milli cluster. p1 (500)
// bound, p2 (1000) fails, p3 (no GPU) bound, p4 (1500) bound: arrived
// 3000 = 100 %, allocated 2000; p1 finishes (no row: allocated 1500); p5
// (10) bound: arrived 3010 (100.33 %, rounds to 100), allocated 1510. At
// 100 %: rows 4 and 5, mean allocated (66.6667 + 50.3333)/2 = 58.5, so
// 41.5 % unallocated. A second update of a tried pod adds no row.
func TestGPUAllocationTracker(t *testing.T) {
	tr := newGPUAllocTracker()
	tr.observeNode(nil, gpuNode("a", 2000))
	tr.observeNode(nil, gpuNode("b", 1000))
	p1, p2, p3, p4, p5 := gpuPod("p1", 500), gpuPod("p2", 1000), gpuPod("p3", 0), gpuPod("p4", 1500), gpuPod("p5", 10)
	tr.observePod(p1, nil)
	tr.observePod(bound(p1), p1)
	tr.observePod(failed(p2), p2)
	tr.observePod(failed(p2), failed(p2))
	tr.observePod(nil, failed(p2))
	tr.observePod(bound(p3), p3)
	tr.observePod(bound(p4), p4)
	done := bound(p1)
	done.Status.Phase = api.PodSucceeded
	tr.observePod(done, bound(p1))
	tr.observePod(bound(p5), p5)
	var b bytes.Buffer
	if err := tr.write(&b); err != nil {
		t.Fatal(err)
	}
	want := GPUAllocationHeader + "\n" +
		"1,500,500,16.666667,16.666667\n" +
		"2,1500,500,50.000000,16.666667\n" +
		"3,1500,500,50.000000,16.666667\n" +
		"4,3000,2000,100.000000,66.666667\n" +
		"5,3010,1510,100.333333,50.333333\n"
	if b.String() != want {
		t.Errorf("gpu_allocation.csv:\n%s\nwant:\n%s", b.String(), want)
	}
	s := tr.summary()
	if s.CapacityGPUMilli != 3000 || s.PodsTried != 5 || s.PodsAllocated != 4 || s.ArrivedGPUMilli != 3010 ||
		s.AllocatedGPUMilli != 1510 || s.RowsAt100 != 2 || math.Abs(float64(s.UnallocatedPctAt100)-41.5) > 1e-9 {
		t.Errorf("summary %+v", *s)
	}
}

// TestGPUAllocationFallback: no row rounds to 100 %: the rows rounding to
// 99..101 are used, as the artefact's analysis; none either: 0.
func TestGPUAllocationFallback(t *testing.T) {
	tr := newGPUAllocTracker()
	tr.observeNode(nil, gpuNode("a", 1000))
	tr.observePod(bound(gpuPod("p", 990)), nil)
	if s := tr.summary(); s.RowsAt100 != 1 || math.Abs(float64(s.UnallocatedPctAt100)-1) > 1e-9 {
		t.Errorf("99 %%: %+v", *s)
	}
	tr = newGPUAllocTracker()
	tr.observeNode(nil, gpuNode("a", 1000))
	tr.observePod(bound(gpuPod("p", 500)), nil)
	if s := tr.summary(); s.RowsAt100 != 0 || s.UnallocatedPctAt100 != 0 {
		t.Errorf("50 %%: %+v", *s)
	}
}
