package gpuclustering

import (
	"testing"

	"github.com/kubesim/kubesim/scheduler/framework"
	tu "github.com/kubesim/kubesim/scheduler/plugins/internal/testutil"
	"github.com/kubesim/kubesim/sim/api"
)

func TestScore(t *testing.T) {
	pl, err := New(nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	// Mixed: two sharing pods and one 1-GPU pod, 2000 free:
	// base 25·6000/8000 = 18.
	mixed := tu.MixedGPUNode("mixed")
	empty := tu.NodeInfo(tu.GPUNode("empty", 32000, 4, "T4")) // base 25·4000/8000 = 12
	// Only sharing pods (300 and 700 on device 0/1 of 2): free 0+... 700+300
	// = 1000 → base 25·7000/8000 = 21.
	shared := tu.NodeInfo(tu.GPUNode("shared", 32000, 2, "T4"),
		tu.GPUPod("a", 1000, 1, 300, "0"), tu.GPUPod("b", 1000, 1, 700, "1"))
	for _, tc := range []struct {
		pod  *api.Pod
		ni   *framework.NodeInfo
		want int64
	}{
		{tu.GPUPod("p250", 1000, 1, 250, ""), mixed, 18 + 50},   // same kind among others
		{tu.GPUPod("p1000", 1000, 1, 1000, ""), mixed, 18 + 50}, // 1-GPU kind present too
		{tu.GPUPod("p2000", 1000, 2, 2000, ""), mixed, 18},      // only other kinds
		{tu.GPUPod("p250", 1000, 1, 250, ""), empty, 12 + 25},   // idle
		{tu.GPUPod("p250", 1000, 1, 250, ""), shared, 21 + 75},  // only its kind
		{tu.GPUPod("p1000", 1000, 1, 1000, ""), shared, 21},
		{tu.GPUPod("cpu", 1000, 0, 0, ""), mixed, 0},
	} {
		if s, _ := pl.(*GpuClustering).Score(nil, tc.pod, tc.ni); s != tc.want {
			t.Errorf("%s on %s: %d, want %d", tc.pod.Name, tc.ni.Name(), s, tc.want)
		}
	}
	p := tu.GPUPod("p250", 1000, 1, 250, "")
	if n := testing.AllocsPerRun(100, func() { pl.(*GpuClustering).Score(nil, p, mixed) }); n != 0 {
		t.Errorf("Score allocates %v times", n)
	}
}
