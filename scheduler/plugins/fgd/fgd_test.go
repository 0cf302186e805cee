package fgd

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/kubesim/kubesim/scheduler/framework"
	"github.com/kubesim/kubesim/scheduler/plugins/gpushare"
	tu "github.com/kubesim/kubesim/scheduler/plugins/internal/testutil"
	"github.com/kubesim/kubesim/sim/api"
)

// The test workload: half 500m-GPU pods, a quarter whole-GPU pods, a
// quarter CPU-only pods (4000m).
var testTypical = []TypicalPodSpec{
	{CPU: 1000, GPUMilli: 500, NumGPU: 1, Weight: 2},
	{CPU: 1000, GPUMilli: 1000, NumGPU: 1, Weight: 1},
	{CPU: 4000, GPUMilli: 0, NumGPU: 0, Weight: 1},
}

func newFGD(t testing.TB, h framework.Handle) *FGD {
	t.Helper()
	pl, err := New(&Args{TypicalPods: testTypical}, h)
	if err != nil {
		t.Fatal(err)
	}
	return pl.(*FGD)
}

func node(cpuLeft int64, model string, free ...int64) gpushare.Node {
	n := gpushare.Node{MilliCPULeft: cpuLeft, Model: model}
	n.N = len(free)
	copy(n.Free[:], free)
	return n
}

// TestFrag checks Amount and Frag against hand computations.
func TestFrag(t *testing.T) {
	f := newFGD(t, nil)
	tps := f.TypicalPods()
	if tps[0].Weight != 0.5 || tps[1].Weight != 0.25 || tps[2].Weight != 0.25 {
		t.Fatalf("weights %v", tps)
	}
	tests := []struct {
		name   string
		n      gpushare.Node
		amount [NumFragTypes]float64
		frag   float64
	}{
		// Free 1000/700/300/0 (F 2000), cpu 29000. 500m: fits (Q3); devices
		// below 500: 300+0 → Q2 0.5·300 = 150, Q3 0.5·1700 = 850. 1000m:
		// fits; below 1000: 700+300 → Q2 250, Q3 250. CPU pod: XL 0.25·2000.
		{"mixed", node(29000, "T4", 1000, 700, 300, 0), [NumFragTypes]float64{0, 400, 1100, 0, 500, 0, 0}, 900},
		// cpu 500: both GPU shapes lack cpu (Q4), the CPU shape too (XR):
		// every free milli is fragment.
		{"cpu short", node(500, "T4", 1000, 700, 300, 0), [NumFragTypes]float64{0, 0, 0, 1500, 0, 500, 0}, 2000},
		// Free 400/400, cpu 500: neither GPU shape fits, nor its cpu (Q1).
		{"lack both", node(500, "T4", 400, 400), [NumFragTypes]float64{600, 0, 0, 0, 0, 200, 0}, 800},
		// Free 400/400, cpu plenty: GPU shapes lack GPU (Q2).
		{"lack gpu", node(32000, "T4", 400, 400), [NumFragTypes]float64{0, 600, 0, 0, 200, 0, 0}, 800},
		// Empty 4-GPU node: GPU shapes fit with nothing stranded; only the
		// CPU shape counts the free GPU: 0.25·4000.
		{"empty", node(32000, "T4", 1000, 1000, 1000, 1000), [NumFragTypes]float64{0, 0, 3000, 0, 1000, 0, 0}, 1000},
		{"no free GPU", node(32000, "T4", 0, 0), [NumFragTypes]float64{}, 0},
		{"no GPU", node(32000, ""), [NumFragTypes]float64{}, 0},
	}
	for _, tc := range tests {
		if got := Amount(&tc.n, tps); got != tc.amount {
			t.Errorf("%s: amount %v, want %v", tc.name, got, tc.amount)
		}
		if got := Frag(&tc.n, tps); got != tc.frag {
			t.Errorf("%s: frag %v, want %v", tc.name, got, tc.frag)
		}
	}
	// A shape limited to V100 cannot use a T4 node: NoAccess, all free.
	v100 := []TypicalPod{{MilliCPU: 1000, GPUMilli: 500, NumGPU: 1, Models: []string{"V100M16", "V100M32"}, Weight: 1}}
	n := node(32000, "T4", 1000, 700)
	if got := Amount(&n, v100); got[NoAccess] != 1700 || Frag(&n, v100) != 1700 {
		t.Errorf("no access: %v", got)
	}
	n.Model = "V100M32"
	if got := Frag(&n, v100); got != 0 {
		t.Errorf("access: %v", got)
	}
	if Q1LackBoth.String() != "q1_lack_both" || NoAccess.String() != "no_access" {
		t.Error("names")
	}
}

// TestScore: scores and device choices on the mixed node (free
// 1000/700/300/0, frag 900) and an empty 4-GPU node (frag 1000).
func TestScore(t *testing.T) {
	f := newFGD(t, nil)
	mixed := tu.MixedGPUNode("mixed")
	empty := tu.NodeInfo(tu.GPUNode("empty", 32000, 4, "T4"))
	tests := []struct {
		pod    *api.Pod
		ni     *framework.NodeInfo
		score  int64
		device uint32
	}{
		// 250m: on device 0 → frag 1025 (Δ −125, σ = 0.4688 → 46); device 1
		// → 1000 (Δ −100 → 47); device 2 → free 1000/700/50/0: 25 + 187.5 +
		// 437.5 = 650 (Δ 250, σ(0.25) = 0.5622 → 56). Best: device 2.
		{tu.GPUPod("p250", 1000, 1, 250, ""), mixed, 56, 1 << 2},
		// 500m: device 0 → 900 (Δ 0 → 50); device 1 → 1000/200/300/0: 250 +
		// 125 + 375 = 750 (Δ 150, σ(0.15) = 0.5374 → 53). Best: device 1.
		{tu.GPUPod("p500", 1000, 1, 500, ""), mixed, 53, 1 << 1},
		// Whole GPU: takes device 0 → 0/700/300/0: 150 + 250 + 250 = 650 → 56.
		{tu.GPUPod("p1000", 1000, 1, 1000, ""), mixed, 56, 1 << 0},
		// CPU pod: cpu 25000 left changes no quadrant: Δ 0 → 50.
		{tu.GPUPod("cpu", 4000, 0, 0, ""), mixed, 50, 0},
		// Empty node, 250m: any device → 750/1000/1000/1000: 0 + 187.5 +
		// 937.5 = 1125 (Δ −125 → 46); the first device wins the tie.
		{tu.GPUPod("p250", 1000, 1, 250, ""), empty, 46, 1 << 0},
		// Two whole GPUs on the empty node → 0/0/1000/1000: 0 + 0 + 500 =
		// 500 (Δ 500, σ(0.5) = 0.6225 → 62).
		{tu.GPUPod("p2000", 1000, 2, 2000, ""), empty, 62, 0b11},
		// No request at all: 100.
		{tu.MakePod().Name("none").NoReq().Obj(), mixed, 100, 0},
	}
	for _, tc := range tests {
		s, st := f.Score(nil, tc.pod, tc.ni)
		if !st.IsSuccess() || s != tc.score {
			t.Errorf("%s on %s: score %d (%v), want %d", tc.pod.Name, tc.ni.Name(), s, st, tc.score)
		}
		n := gpushare.NodeOf(tc.ni)
		if got := f.Devices(&n, gpushare.PodOf(tc.pod)); got != tc.device {
			t.Errorf("%s on %s: devices %b, want %b", tc.pod.Name, tc.ni.Name(), got, tc.device)
		}
	}
	p := tu.GPUPod("p250", 1000, 1, 250, "")
	if got := tu.ScoreNodes(t, f, p, []*framework.NodeInfo{mixed, empty}); !slices.Equal(got, []int64{56, 46}) {
		t.Errorf("scores %v", got)
	}
	if n := testing.AllocsPerRun(100, func() { f.Score(nil, p, mixed) }); n != 0 {
		t.Errorf("Score allocates %v times", n)
	}
}

// TestReserve: FGD's device, not GpuShare's best fit, ends up recorded,
// whatever the order.
func TestReserve(t *testing.T) {
	h := tu.NewHandle()
	// Free 1000/700/300/0; 500m: best fit says device 1 (700); FGD too (53).
	// 250m: best fit device 2, FGD device 2. Use a node where they differ:
	// free 1000/600/0/0 (used 0/400/1000/1000), 500m pod: best fit device 1;
	// FGD: device 0 → 500/600/0/0: T1 fits, <500: 0 → 0; T2 none → Q2
	// 0.25·1100; XL 275 → 550. device 1 → 1000/100/0/0: T1 <500: 100 → 50;
	// T2 <1000: 100 → 25; XL 275 → 350. Before: T1 <500: 0; T2 <1000: 600
	// → 150; XL 400 → 550. Device 0: Δ 0 → 50; device 1: Δ 200 → 54.
	ni := tu.NodeInfo(tu.GPUNode("n", 32000, 4, "T4"),
		tu.GPUPod("a", 1000, 1, 400, "1"), tu.GPUPod("b", 1000, 2, 2000, "2-3"))
	h.Nodes = []*framework.NodeInfo{ni}
	f := newFGD(t, h)
	gs, err := gpushare.New(&gpushare.Args{DeviceSelection: gpushare.SelectWorst}, h)
	if err != nil {
		t.Fatal(err)
	}
	pod := tu.GPUPod("p", 1000, 1, 500, "")
	if s, _ := f.Score(nil, pod, ni); s != 54 {
		t.Errorf("score %d", s)
	}
	a := pod.Clone()
	a.NodeName = "n"
	ni.AddPod(a)
	state := framework.NewCycleState()
	if st := f.Reserve(state, a, "n"); !st.IsSuccess() {
		t.Fatal(st.Message())
	}
	if st := gs.(framework.ReservePlugin).Reserve(state, a, "n"); !st.IsSuccess() {
		t.Fatal(st.Message())
	}
	if ni.PodGPUDevices(a) != 1<<1 || a.Annotations[framework.AnnotationGPUIndex] != "1" {
		t.Errorf("devices %b, annotation %v", ni.PodGPUDevices(a), a.Annotations)
	}
	f.Unreserve(state, a, "n")
	if ni.PodGPUDevices(a) != 0 || ni.GPU.Used[1] != 400 {
		t.Errorf("after Unreserve: devices %b used %v", ni.PodGPUDevices(a), ni.GPU.Used[:4])
	}
}

func TestTypicalPods(t *testing.T) {
	var pods []PodShape
	add := func(n int, s PodShape) {
		for range n {
			pods = append(pods, s)
		}
	}
	a := PodShape{MilliCPU: 1000, GPUMilli: 500, NumGPU: 1}
	b := PodShape{MilliCPU: 2000, GPUMilli: 1000, NumGPU: 1}
	c := PodShape{MilliCPU: 1000}
	d := PodShape{MilliCPU: 8000, GPUMilli: 1000, NumGPU: 8, GPUSpec: "G2"}
	e := PodShape{MilliCPU: 9000, GPUMilli: 1000, NumGPU: 8}
	add(4, a)
	add(3, b)
	add(2, c)
	add(1, d)
	// 95% of 10 = 9.5: a, b, c reach 9, d reaches 10: all kept, weights
	// count/10.
	got := TypicalPods(pods, TypicalOptions{})
	want := []TypicalPodSpec{{1000, 500, 1, "", 0.4}, {2000, 1000, 1, "", 0.3}, {1000, 0, 0, "", 0.2}, {8000, 1000, 8, "G2", 0.1}}
	if !slices.Equal(got, want) {
		t.Errorf("95%%: %v", got)
	}
	// 60%: a (4) then b (7 ≥ 6): kept and renormalised by 7/10.
	got = TypicalPods(pods, TypicalOptions{PopularityThreshold: 60})
	four, three, seven := 0.4, 0.3, 0.7 // float64 division, as the artefact (not exact constants)
	want = []TypicalPodSpec{{1000, 500, 1, "", four / seven}, {2000, 1000, 1, "", three / seven}}
	if !slices.Equal(got, want) {
		t.Errorf("60%%: %v", got)
	}
	// Without CPU pods; a tie (d and e once each) puts the larger cpu first.
	add(1, e)
	got = TypicalPods(pods, TypicalOptions{ExcludeCPUPods: true, PopularityThreshold: 100})
	if len(got) != 4 || got[2].CPU != 9000 || got[3].CPU != 8000 || got[0].Weight != 4.0/9 {
		t.Errorf("no CPU pods: %v", got)
	}
	// GPU weight 1: a whole-GPU pod counts 1 + GPUs.
	got = TypicalPods([]PodShape{a, b}, TypicalOptions{GPUResWeight: 1, PopularityThreshold: 100})
	if !slices.Equal(got, []TypicalPodSpec{{2000, 1000, 1, "", 2.0 / 3}, {1000, 500, 1, "", 1.0 / 3}}) {
		t.Errorf("gpu weight: %v", got)
	}
	if len(TypicalPods(nil, TypicalOptions{})) != 0 {
		t.Error("no pods")
	}

	// ShapeOf reads the GPU spec from the annotation or the node affinity.
	p := tu.MakePod().Name("p").Req(2000, tu.Gi).Ext(framework.ResourceGPUCount, 1).Ext(framework.ResourceGPUMilli, 250).
		Required(tu.Term(tu.In(framework.LabelGPUModel, "V100M16", "V100M32"))).Obj()
	if s := ShapeOf(p); s != (PodShape{2000, 250, 1, "V100M16|V100M32"}) {
		t.Errorf("shape %+v", s)
	}
	p.Annotations = map[string]string{framework.LabelGPUModel: "T4"}
	if s := ShapeOf(p); s.GPUSpec != "T4" {
		t.Errorf("shape %+v", s)
	}
}

func TestArgsAndCSV(t *testing.T) {
	var b bytes.Buffer
	specs := []TypicalPodSpec{{1000, 500, 1, "V100M16|V100M32", 0.4 / 0.7}, {4000, 0, 0, "", 0.3 / 0.7}}
	if err := WriteTypicalPodsCSV(&b, specs); err != nil {
		t.Fatal(err)
	}
	back, err := ReadTypicalPodsCSV(bytes.NewReader(b.Bytes()), "x.csv")
	if err != nil || !slices.Equal(back, specs) {
		t.Fatalf("round trip %v %v\n%s", back, err, b.String())
	}
	path := filepath.Join(t.TempDir(), "typical.csv")
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	raw, _ := json.Marshal(map[string]any{"typicalPodsFile": path})
	pl, err := New(json.RawMessage(raw), nil)
	if err != nil {
		t.Fatal(err)
	}
	// The weights sum to 1 within 1e-9: kept bit for bit.
	if w := pl.(*FGD).TypicalPods()[0].Weight; w != 0.4/0.7 {
		t.Errorf("weight %v", w)
	}
	for _, tc := range []struct {
		args any
		want string
	}{
		{nil, "typicalPods or typicalPodsFile is required"},
		{&Args{TypicalPods: testTypical, TypicalPodsFile: path}, "exclusive"},
		{&Args{TypicalPods: []TypicalPodSpec{{CPU: 1, GPUMilli: 1500, NumGPU: 1, Weight: 1}, {CPU: 1, Weight: 0}}},
			"typicalPods[0].gpuMilli: must be in [1, 1000] when numGpu is 1, got 1500\ntypicalPods[1].weight: must be a positive number, got 0"},
		{json.RawMessage(`{"typicalPods":[{"cpu":1,"weight":1,"gpus":1}]}`), "unknown field"},
		{&Args{TypicalPodsFile: filepath.Join(t.TempDir(), "missing.csv")}, "no such file"},
	} {
		if _, err := New(tc.args, nil); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: error %v, want %q", tc.args, err, tc.want)
		}
	}
	if _, err := ReadTypicalPodsCSV(strings.NewReader("cpu,gpu\n"), "bad.csv"); err == nil {
		t.Error("bad header accepted")
	}
	if _, err := ReadTypicalPodsCSV(strings.NewReader(TypicalPodsHeader+"\n1,x,1,,1\n"), "bad.csv"); err == nil ||
		!strings.Contains(err.Error(), "bad.csv:2: gpu_milli") {
		t.Errorf("bad value: %v", err)
	}
}
