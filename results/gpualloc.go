package results

import (
	"bufio"
	"io"
	"math"
	"strconv"

	"github.com/kubesim/kubesim/scheduler/plugins/gpushare"
	"github.com/kubesim/kubesim/sim/api"
	"github.com/kubesim/kubesim/sim/store"
)

// Files of the GPU allocation measurement (Config.GPUAllocation).
const (
	// FileGPUAllocation has one row per pod that got its first scheduling
	// outcome: the FGD paper's allocation curve.
	FileGPUAllocation = "gpu_allocation.csv"
	// FileGPUDevices is every GPU device at the end of the run
	// (gpushare.WriteDevicesCSV).
	FileGPUDevices = gpushare.FileDevices
)

// GPUAllocationHeader is gpu_allocation.csv's header.
const GPUAllocationHeader = "pod_index,arrived_gpu_milli,allocated_gpu_milli,arrived_pct,allocated_pct"

// GPU resource names, as the Alibaba GPU trace and the GPU-sharing plugin
// name them.
const (
	resourceGPUMilli = "alibabacloud.com/gpu-milli"
)

// GPUAllocationSummary is the FGD paper's measurement (Weng et al., ATC
// '23; Config.GPUAllocation): pods arrive one by one; after each pod's first
// scheduling outcome (bound, or PodScheduled=False) the GPU milli arrived so
// far (every pod with an outcome, placed or not) and the GPU milli allocated
// (bound, non-terminal pods) are recorded, as percentages of the cluster's
// GPU capacity (the nodes' alibabacloud.com/gpu-milli allocatable).
type GPUAllocationSummary struct {
	// CapacityGPUMilli is the nodes' GPU capacity at the end of the run.
	CapacityGPUMilli int64 `json:"capacity_gpu_milli"`
	// PodsTried counts the pods with an outcome; PodsAllocated those bound.
	PodsTried     int64 `json:"pods_tried"`
	PodsAllocated int64 `json:"pods_allocated"`
	// ArrivedGPUMilli and AllocatedGPUMilli are the last row's figures;
	// ArrivedPct and AllocatedPct the same in percent of the capacity.
	ArrivedGPUMilli   int64 `json:"arrived_gpu_milli"`
	AllocatedGPUMilli int64 `json:"allocated_gpu_milli"`
	ArrivedPct        Fixed `json:"arrived_pct"`
	AllocatedPct      Fixed `json:"allocated_pct"`
	// RowsAt100 counts the rows whose arrived percentage rounds (half to
	// even, as Python's round) to 100; UnallocatedPctAt100 is 100 minus the
	// mean allocated percentage over those rows: the paper's headline
	// "unallocated GPU at 100 % arrived load". When no row rounds to 100,
	// the rows rounding to 99..101 are used, as the artefact's analysis
	// does; with none either, both are 0.
	RowsAt100           int   `json:"rows_at_100"`
	UnallocatedPctAt100 Fixed `json:"unallocated_pct_at_100"`
}

// gpuRow is one row of gpu_allocation.csv.
type gpuRow struct {
	arrived, allocated, capacity int64
}

// gpuAllocTracker follows pods' first scheduling outcomes and GPU capacity.
type gpuAllocTracker struct {
	capacity  int64
	arrived   int64
	allocated int64
	bound     int64
	// seen holds the pods with an outcome; counted those whose GPU request
	// is in allocated.
	seen    map[api.UID]bool
	counted map[api.UID]int64
	rows    []gpuRow
}

func newGPUAllocTracker() *gpuAllocTracker {
	return &gpuAllocTracker{seen: map[api.UID]bool{}, counted: map[api.UID]int64{}}
}

func podGPUMilli(p *api.Pod) int64 {
	if p == nil || p.Spec == nil {
		return 0
	}
	return p.Spec.Requests.Get(resourceGPUMilli)
}

// observeNode keeps the capacity current.
func (t *gpuAllocTracker) observeNode(oldN, newN *api.Node) {
	if oldN != nil {
		t.capacity -= oldN.Allocatable.Get(resourceGPUMilli)
	}
	if newN != nil {
		t.capacity += newN.Allocatable.Get(resourceGPUMilli)
	}
}

// observePod records a pod's first outcome and keeps the allocated sum:
// a bound pod counts until it is terminal or gone.
func (t *gpuAllocTracker) observePod(newP, oldP *api.Pod) {
	p := newP
	if p == nil {
		p = oldP
	}
	if p == nil {
		return
	}
	uid := p.UID
	holds := newP != nil && newP.NodeName != "" && !newP.IsTerminal()
	if m, ok := t.counted[uid]; ok && !holds {
		t.allocated -= m
		delete(t.counted, uid)
	}
	if holds && t.seen[uid] {
		if _, ok := t.counted[uid]; !ok {
			t.allocated += podGPUMilli(newP)
			t.counted[uid] = podGPUMilli(newP)
			t.bound++
		}
	}
	if newP == nil || t.seen[uid] {
		return
	}
	failed := false
	if c := api.FindCondition(newP.Status.Conditions, api.PodScheduled); c != nil && c.Status == api.ConditionFalse {
		failed = true
	}
	if !holds && !failed {
		return
	}
	t.seen[uid] = true
	m := podGPUMilli(newP)
	t.arrived += m
	if holds {
		t.bound++
		t.allocated += m
		t.counted[uid] = m
	}
	t.rows = append(t.rows, gpuRow{arrived: t.arrived, allocated: t.allocated, capacity: t.capacity})
}

// pct returns 100·x/capacity (0 without capacity).
func pct(x, capacity int64) float64 {
	if capacity <= 0 {
		return 0
	}
	return 100 * float64(x) / float64(capacity)
}

// summary computes the GPUAllocationSummary.
func (t *gpuAllocTracker) summary() *GPUAllocationSummary {
	s := &GPUAllocationSummary{CapacityGPUMilli: t.capacity, PodsTried: int64(len(t.seen)), PodsAllocated: t.bound}
	if n := len(t.rows); n > 0 {
		last := t.rows[n-1]
		s.ArrivedGPUMilli, s.AllocatedGPUMilli = last.arrived, last.allocated
		s.ArrivedPct, s.AllocatedPct = Fixed(pct(last.arrived, last.capacity)), Fixed(pct(last.allocated, last.capacity))
	}
	mean := func(lo, hi float64) (float64, int) {
		var sum float64
		n := 0
		for _, r := range t.rows {
			if a := math.RoundToEven(pct(r.arrived, r.capacity)); a >= lo && a <= hi {
				sum += pct(r.allocated, r.capacity)
				n++
			}
		}
		if n == 0 {
			return 0, 0
		}
		return sum / float64(n), n
	}
	m, n := mean(100, 100)
	if n == 0 {
		m, n = mean(99, 101)
	}
	if n > 0 {
		s.RowsAt100 = n
		s.UnallocatedPctAt100 = Fixed(100 - m)
	}
	return s
}

// write writes gpu_allocation.csv: pod_index counts from 1; percentages
// have six decimals.
func (t *gpuAllocTracker) write(w io.Writer) error {
	bw := bufio.NewWriter(w)
	bw.WriteString(GPUAllocationHeader + "\n")
	var b []byte
	for i, r := range t.rows {
		b = b[:0]
		b = strconv.AppendInt(b, int64(i+1), 10)
		b = append(b, ',')
		b = strconv.AppendInt(b, r.arrived, 10)
		b = append(b, ',')
		b = strconv.AppendInt(b, r.allocated, 10)
		b = append(b, ',')
		b = strconv.AppendFloat(b, pct(r.arrived, r.capacity), 'f', 6, 64)
		b = append(b, ',')
		b = strconv.AppendFloat(b, pct(r.allocated, r.capacity), 'f', 6, 64)
		b = append(b, '\n')
		bw.Write(b)
	}
	return bw.Flush()
}

// writeDevices writes gpu_devices.csv from the store as it is now.
func writeDevices(st *store.Store) func(io.Writer) error {
	return func(w io.Writer) error { return gpushare.WriteDevicesCSV(w, st) }
}
