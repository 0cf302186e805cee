package gpubestfit

import (
	"slices"
	"testing"

	"github.com/kubesim/kubesim/scheduler/framework"
	tu "github.com/kubesim/kubesim/scheduler/plugins/internal/testutil"
)

func TestScore(t *testing.T) {
	pl, err := New(nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	mixed := tu.MixedGPUNode("mixed")                       // 29000m, 2000 milli free
	empty4 := tu.NodeInfo(tu.GPUNode("e4", 32000, 4, "T4")) // 32000m, 4000
	empty8 := tu.NodeInfo(tu.GPUNode("e8", 96000, 8, "G2")) // 96000m, 8000
	p := tu.GPUPod("p250", 1000, 1, 250, "")
	// Raw: mixed s = 28000/128000·.5 + 1750/8000·.5 = 0.21875 → 78;
	// e4: 31000/128000·.5 + 3750/8000·.5 = 0.35546875 → 64;
	// e8: 95000/128000·.5 + 7750/8000·.5 = 0.85546875 → 14.
	b := pl.(*GpuBestFit)
	for _, tc := range []struct {
		ni   *framework.NodeInfo
		want int64
	}{{mixed, 78}, {empty4, 64}, {empty8, 14}} {
		if s, _ := b.Score(nil, p, tc.ni); s != tc.want {
			t.Errorf("raw on %s: %d, want %d", tc.ni.Name(), s, tc.want)
		}
	}
	// Normalised: (64 − 14)·100/64 = 78.
	if got := tu.ScoreNodes(t, b, p, []*framework.NodeInfo{mixed, empty4, empty8}); !slices.Equal(got, []int64{100, 78, 0}) {
		t.Errorf("normalised %v", got)
	}
	if got := tu.ScoreNodes(t, b, p, []*framework.NodeInfo{empty4, tu.NodeInfo(tu.GPUNode("e4b", 32000, 4, "T4"))}); !slices.Equal(got, []int64{0, 0}) {
		t.Errorf("equal raw scores %v", got)
	}
	if n := testing.AllocsPerRun(100, func() { b.Score(nil, p, mixed) }); n != 0 {
		t.Errorf("Score allocates %v times", n)
	}
}
