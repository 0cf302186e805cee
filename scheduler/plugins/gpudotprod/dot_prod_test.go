package gpudotprod

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
	mixed := tu.MixedGPUNode("mixed")                         // cpu 29000 left, 2000 GPU milli free
	empty := tu.NodeInfo(tu.GPUNode("empty", 32000, 4, "T4")) // 32000, 4000
	small := tu.NodeInfo(tu.GPUNode("small", 500, 1, "T4"))
	for _, tc := range []struct {
		pod  *api.Pod
		ni   *framework.NodeInfo
		want int64
	}{
		// (29000/128000)(1000/128000) + (2000/8000)(250/8000) = 0.0017700195
		// + 0.0078125 = 0.0095825; 1 − d/2 = 0.99520874 → 99.
		{tu.GPUPod("p250", 1000, 1, 250, ""), mixed, 99},
		// … + (2000/8000)(2000/8000) = 0.0642700; 1 − d/2 = 0.96786 → 96.
		{tu.GPUPod("p2000", 1000, 2, 2000, ""), mixed, 96},
		// (32000/128000)(1000/128000) + (4000/8000)(8000/8000) = 0.5019531;
		// 1 − d/2 = 0.74902 → 74.
		{tu.GPUPod("p8000", 1000, 8, 8000, ""), empty, 74},
		// Not enough cpu: 0.
		{tu.GPUPod("p250", 1000, 1, 250, ""), small, 0},
	} {
		if s, _ := pl.(*DotProd).Score(nil, tc.pod, tc.ni); s != tc.want {
			t.Errorf("%s on %s: %d, want %d", tc.pod.Name, tc.ni.Name(), s, tc.want)
		}
	}
	p := tu.GPUPod("p250", 1000, 1, 250, "")
	if n := testing.AllocsPerRun(100, func() { pl.(*DotProd).Score(nil, p, mixed) }); n != 0 {
		t.Errorf("Score allocates %v times", n)
	}
}
