package gpushare

import (
	"bytes"
	"strings"
	"testing"

	"github.com/kubesim/kubesim/scheduler/framework"
	tu "github.com/kubesim/kubesim/scheduler/plugins/internal/testutil"
	"github.com/kubesim/kubesim/sim/api"
	"github.com/kubesim/kubesim/sim/store"
)

func mixed(name string) *framework.NodeInfo { return tu.MixedGPUNode(name) }

var (
	p250  = tu.GPUPod("p250", 1000, 1, 250, "")
	p500  = tu.GPUPod("p500", 1000, 1, 500, "")
	p1000 = tu.GPUPod("p1000", 1000, 1, 1000, "")
	p2000 = tu.GPUPod("p2000", 1000, 2, 2000, "")
	cpu   = tu.GPUPod("cpu", 4000, 0, 0, "")
)

func TestDevicesAndRules(t *testing.T) {
	d := DevicesOf(mixed("n"))
	if d.N != 4 || [4]int64(d.Free[:4]) != [4]int64{1000, 700, 300, 0} || d.TotalFree() != 2000 || d.FullyFree() != 1 {
		t.Fatalf("devices %+v", d)
	}
	// want: fits, best, worst, first free.
	for _, tc := range []struct {
		pod                *api.Pod
		fits               bool
		best, worst, first uint32
	}{
		{p250, true, 1 << 2, 1 << 0, 0},  // best: 300 free; worst: 1000 free
		{p500, true, 1 << 1, 1 << 0, 0},  // best: 700 free
		{p1000, true, 1 << 0, 1 << 0, 1}, // whole device: the free one
		{p2000, false, 0, 0, 0},          // only one free device
		{cpu, true, 0, 0, 0},
	} {
		r := framework.PodGPURequest(tc.pod)
		if got := d.Fits(r); got != tc.fits {
			t.Errorf("%s: fits %v", tc.pod.Name, got)
		}
		if got := BestFit(&d, r); got != tc.best {
			t.Errorf("%s: best %b, want %b", tc.pod.Name, got, tc.best)
		}
		if got := WorstFit(&d, r); got != tc.worst {
			t.Errorf("%s: worst %b, want %b", tc.pod.Name, got, tc.worst)
		}
		if !r.IsShared() {
			if got := FirstFree(&d, r); got != tc.first {
				t.Errorf("%s: first free %b, want %b", tc.pod.Name, got, tc.first)
			}
		}
	}
	// Random: over many draws a 250 pod lands on each of devices 0, 1, 2.
	h := tu.NewHandle()
	rng := h.Rand("test")
	seen := map[uint32]int{}
	for range 300 {
		seen[RandomFit(&d, framework.PodGPURequest(p250), rng)]++
	}
	if len(seen) != 3 || seen[1<<0] == 0 || seen[1<<1] == 0 || seen[1<<2] == 0 {
		t.Errorf("random choices %v", seen)
	}
}

func TestFilter(t *testing.T) {
	pl, err := New(nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	g := pl.(*GpuShare)
	full := tu.NodeInfo(tu.GPUNode("full", 32000, 2, "T4"), tu.GPUPod("x", 1000, 2, 2000, "0-1"))
	noGPU := tu.NodeInfo(tu.GPUNode("cpu", 32000, 0, ""))
	for _, tc := range []struct {
		pod  *api.Pod
		node *framework.NodeInfo
		code framework.Code
		msg  string
	}{
		{p250, mixed("n"), framework.Success, ""},
		{p500, mixed("n"), framework.Success, ""},
		{p1000, mixed("n"), framework.Success, ""},
		{p2000, mixed("n"), framework.Unschedulable, ErrReasonNoDevice},
		{tu.GPUPod("p800", 1000, 1, 800, ""), tu.NodeInfo(tu.GPUNode("m", 32000, 2, "T4"), tu.GPUPod("y", 1000, 1, 300, "0"), tu.GPUPod("z", 1000, 1, 300, "1")),
			framework.Unschedulable, ErrReasonNoDevice},
		{p250, full, framework.Unschedulable, ErrReasonNoDevice},
		{p250, noGPU, framework.UnschedulableAndUnresolvable, ErrReasonNoGPU},
		{tu.GPUPod("p8", 1000, 8, 8000, ""), mixed("n"), framework.UnschedulableAndUnresolvable, ErrReasonTooFewGPUs},
		{cpu, noGPU, framework.Success, ""},
	} {
		st := g.Filter(framework.NewCycleState(), tc.pod, tc.node)
		if st.Code() != tc.code || (tc.msg != "" && st.Message() != tc.msg) {
			t.Errorf("%s on %s: %v %q, want %v %q", tc.pod.Name, tc.node.Name(), st.Code(), st.Message(), tc.code, tc.msg)
		}
	}
	if _, st := g.PreFilter(framework.NewCycleState(), cpu, nil); !st.IsSkip() {
		t.Errorf("PreFilter for a CPU pod: %v", st)
	}
	if _, st := g.PreFilter(framework.NewCycleState(), p250, nil); !st.IsSuccess() {
		t.Errorf("PreFilter for a GPU pod: %v", st)
	}
	if n := testing.AllocsPerRun(100, func() { g.Filter(nil, p250, mixed0) }); n != 0 {
		t.Errorf("Filter allocates %v times", n)
	}
}

var mixed0 = mixed("n0")

// assume adds a copy of p, bound to ni, as the scheduler cache does before
// Reserve, and returns the copy.
func assume(ni *framework.NodeInfo, p *api.Pod) *api.Pod {
	a := p.Clone()
	a.NodeName = ni.Name()
	ni.AddPod(a)
	return a
}

// TestReserveUnreserve: Reserve replaces the cache's placement with the
// rule's, records it in the annotation and on the NodeInfo; Unreserve
// undoes it; a policy's choice wins over GpuShare's in either order.
func TestReserveUnreserve(t *testing.T) {
	for _, sel := range []string{SelectBest, SelectWorst} {
		h := tu.NewHandle()
		ni := mixed("n")
		h.Nodes = []*framework.NodeInfo{ni}
		pl, err := New(&Args{DeviceSelection: sel}, h)
		if err != nil {
			t.Fatal(err)
		}
		g := pl.(*GpuShare)
		a := assume(ni, p250)
		// The cache placed it by its default (best fit): device 2.
		if ni.PodGPUDevices(a) != 1<<2 {
			t.Fatalf("assumed on %b", ni.PodGPUDevices(a))
		}
		state := framework.NewCycleState()
		if st := g.Reserve(state, a, "n"); !st.IsSuccess() {
			t.Fatal(st.Message())
		}
		want, idx, usedAfter := uint32(1<<2), "2", [4]int64{0, 300, 950, 1000}
		if sel == SelectWorst {
			want, idx, usedAfter = 1<<0, "0", [4]int64{250, 300, 700, 1000}
		}
		if ni.PodGPUDevices(a) != want || a.Annotations[framework.AnnotationGPUIndex] != idx || [4]int64(ni.GPU.Used[:4]) != usedAfter {
			t.Errorf("%s: devices %b annotation %q used %v", sel, ni.PodGPUDevices(a), a.Annotations[framework.AnnotationGPUIndex], ni.GPU.Used[:4])
		}
		if p250.Annotations != nil {
			t.Error("Reserve changed the original pod's annotations")
		}
		g.Unreserve(state, a, "n")
		if ni.PodGPUDevices(a) != 0 || a.Annotations[framework.AnnotationGPUIndex] != "" || [4]int64(ni.GPU.Used[:4]) != [4]int64{0, 300, 700, 1000} {
			t.Errorf("%s: after Unreserve devices %b annotation %v used %v", sel, ni.PodGPUDevices(a), a.Annotations, ni.GPU.Used[:4])
		}
		ni.RemovePod(a)
		if ni.GPU.Unplaced != 0 || [4]int64(ni.GPU.Used[:4]) != [4]int64{0, 300, 700, 1000} {
			t.Errorf("%s: after removal used %v unplaced %d", sel, ni.GPU.Used[:4], ni.GPU.Unplaced)
		}
	}

	// A policy (worst fit, PriorityPolicy) before and after GpuShare (best).
	worst := func(d *Devices, r framework.GPURequest) uint32 { return WorstFit(d, r) }
	for _, policyFirst := range []bool{true, false} {
		h := tu.NewHandle()
		ni := mixed("n")
		h.Nodes = []*framework.NodeInfo{ni}
		pl, _ := New(nil, h)
		g := pl.(*GpuShare)
		a := assume(ni, p500)
		state := framework.NewCycleState()
		if policyFirst {
			Assign(h, state, a, "n", PriorityPolicy, worst)
			g.Reserve(state, a, "n")
		} else {
			g.Reserve(state, a, "n")
			Assign(h, state, a, "n", PriorityPolicy, worst)
		}
		if ni.PodGPUDevices(a) != 1<<0 || a.Annotations[framework.AnnotationGPUIndex] != "0" {
			t.Errorf("policy first %v: devices %b", policyFirst, ni.PodGPUDevices(a))
		}
	}

	// Reserve fails on a node where the pod no longer fits, and for a pod
	// that is not on the node.
	h := tu.NewHandle()
	ni := tu.NodeInfo(tu.GPUNode("n", 32000, 1, "T4"), tu.GPUPod("x", 1000, 1, 900, "0"))
	h.Nodes = []*framework.NodeInfo{ni}
	pl, _ := New(nil, h)
	a := assume(ni, p250)
	if st := pl.(*GpuShare).Reserve(framework.NewCycleState(), a, "n"); st.Code() != framework.Unschedulable {
		t.Errorf("full node: %v", st)
	}
	if st := pl.(*GpuShare).Reserve(framework.NewCycleState(), p500, "n"); st.Code() != framework.Error {
		t.Errorf("pod not assumed: %v", st)
	}
	if st := pl.(*GpuShare).Reserve(framework.NewCycleState(), cpu, "n"); !st.IsSuccess() {
		t.Errorf("CPU pod: %v", st)
	}
}

// TestPreBind: the annotation reaches the store once; a second PreBind
// writes nothing.
func TestPreBind(t *testing.T) {
	h := tu.NewHandle()
	created, err := h.St.Pods.Create("test", tu.GPUPod("p", 1000, 1, 250, ""), "")
	if err != nil {
		t.Fatal(err)
	}
	writes := 0
	h.St.OnWrite(func(w *store.Write) {
		if w.Verb != store.VerbEvent {
			writes++
		}
	})
	pl, _ := New(nil, h)
	a := created.Clone()
	a.Annotations = map[string]string{framework.AnnotationGPUIndex: "2"}
	for range 2 {
		if st := pl.(*GpuShare).PreBind(framework.NewCycleState(), a, "n"); !st.IsSuccess() {
			t.Fatal(st.Message())
		}
	}
	cur, _ := h.St.Pods.Get("default", "p")
	if cur.Annotations[framework.AnnotationGPUIndex] != "2" || writes != 1 || created.Annotations != nil {
		t.Errorf("store annotation %v, %d writes", cur.Annotations, writes)
	}
}

func TestNewArgs(t *testing.T) {
	if _, err := New(&Args{DeviceSelection: "tightest"}, nil); err == nil || !strings.Contains(err.Error(), "deviceSelection") {
		t.Errorf("bad selection: %v", err)
	}
	if _, err := New(&Args{DeviceSelection: SelectRandom}, nil); err == nil {
		t.Error("random without a handle")
	}
	if _, err := New([]byte("x"), nil); err == nil {
		t.Error("bad args type")
	}
}

func TestDeviceRows(t *testing.T) {
	h := tu.NewHandle()
	n := tu.GPUNode("n1", 32000, 2, "T4")
	for _, o := range []*api.Node{n, tu.GPUNode("c1", 32000, 0, "")} {
		if _, err := h.St.Nodes.Create("test", o, ""); err != nil {
			t.Fatal(err)
		}
	}
	for _, p := range []*api.Pod{tu.GPUPod("a", 1000, 1, 300, "1"), tu.GPUPod("b", 1000, 1, 200, "1"), tu.GPUPod("c", 1000, 1, 500, ""), tu.GPUPod("d", 1000, 0, 0, "")} {
		p.NodeName = "n1"
		if _, err := h.St.Pods.Create("test", p, ""); err != nil {
			t.Fatal(err)
		}
	}
	var b bytes.Buffer
	if err := WriteDevicesCSV(&b, h.St); err != nil {
		t.Fatal(err)
	}
	want := DevicesHeader + "\nn1,T4,0,0,1000,0\nn1,T4,1,500,500,2\nn1,T4,-1,500,0,1\n"
	if b.String() != want {
		t.Errorf("got\n%s\nwant\n%s", b.String(), want)
	}
}
