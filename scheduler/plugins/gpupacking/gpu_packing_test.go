package gpupacking

import (
	"slices"
	"testing"

	"github.com/kubesim/kubesim/scheduler/framework"
	"github.com/kubesim/kubesim/scheduler/plugins/gpushare"
	tu "github.com/kubesim/kubesim/scheduler/plugins/internal/testutil"
	"github.com/kubesim/kubesim/sim/api"
)

func TestScore(t *testing.T) {
	pl, err := New(nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	mixed := tu.MixedGPUNode("mixed") // free 1000/700/300/0
	empty4 := tu.NodeInfo(tu.GPUNode("e4", 32000, 4, "T4"))
	empty8 := tu.NodeInfo(tu.GPUNode("e8", 96000, 8, "G2"))
	for _, tc := range []struct {
		pod  *api.Pod
		ni   *framework.NodeInfo
		want int64
	}{
		// Ascending free: 0, 300, 700, 1000. 250 takes the 300 device:
		// 100 − (300·100/1000)/10 = 97.
		{tu.GPUPod("p250", 1000, 1, 250, ""), mixed, 97},
		// 500 takes the 700 device: 100 − 70/10 = 93.
		{tu.GPUPod("p500", 1000, 1, 500, ""), mixed, 93},
		// A whole GPU takes the free device: max(50 − 1, 33) = 49.
		{tu.GPUPod("p1000", 1000, 1, 1000, ""), mixed, 49},
		// Two whole GPUs do not fit: 0.
		{tu.GPUPod("p2000", 1000, 2, 2000, ""), mixed, 0},
		// Idle nodes: max(33 − F, F).
		{tu.GPUPod("p250", 1000, 1, 250, ""), empty4, 29},
		{tu.GPUPod("p250", 1000, 1, 250, ""), empty8, 25},
		// CPU-only pods: 0.
		{tu.GPUPod("cpu", 1000, 0, 0, ""), mixed, 0},
	} {
		if s, _ := pl.(*GpuPacking).Score(nil, tc.pod, tc.ni); s != tc.want {
			t.Errorf("%s on %s: %d, want %d", tc.pod.Name, tc.ni.Name(), s, tc.want)
		}
	}
	// Placement: sharing pods go to the used node first.
	got := tu.Place(t, pl.(framework.ScorePlugin), []*framework.NodeInfo{empty4, tu.MixedGPUNode("m")},
		tu.GPUPod("x", 1000, 1, 250, ""))
	if !slices.Equal(got, []string{"m"}) {
		t.Errorf("placed on %v", got)
	}
	p := tu.GPUPod("p250", 1000, 1, 250, "")
	if n := testing.AllocsPerRun(100, func() { pl.(*GpuPacking).Score(nil, p, mixed) }); n != 0 {
		t.Errorf("Score allocates %v times", n)
	}
}

func TestReserve(t *testing.T) {
	h := tu.NewHandle()
	ni := tu.MixedGPUNode("n")
	h.Nodes = []*framework.NodeInfo{ni}
	pl, _ := New(nil, h)
	a := tu.GPUPod("p", 1000, 1, 500, "")
	a.NodeName = "n"
	ni.AddPod(a)
	state := framework.NewCycleState()
	if st := pl.(framework.ReservePlugin).Reserve(state, a, "n"); !st.IsSuccess() {
		t.Fatal(st.Message())
	}
	if got := ni.PodGPUDevices(a); got != 1<<1 { // best fit: the 700 device
		t.Errorf("devices %b", got)
	}
	pl.(framework.ReservePlugin).Unreserve(state, a, "n")
	// Released: the pod holds no device until the cache forgets it.
	if got := gpushare.DevicesOf(ni); got.TotalFree() != 2000 || ni.GPU.Unplaced != 500 {
		t.Errorf("free %d unplaced %d", got.TotalFree(), ni.GPU.Unplaced)
	}
}
