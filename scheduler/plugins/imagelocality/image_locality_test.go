package imagelocality

import (
	"fmt"
	"testing"

	"github.com/kubesim/kubesim/scheduler/framework"
	"github.com/kubesim/kubesim/scheduler/plugins/internal/testutil"
	"github.com/kubesim/kubesim/sim/api"
)

const mib = 1 << 20

// imagePod returns a compiled pod with init containers and containers using
// the given images.
func imagePod(initImages []string, images ...string) *api.Pod {
	spec := &api.PodSpec{}
	for i, im := range initImages {
		spec.InitContainers = append(spec.InitContainers, api.Container{Name: fmt.Sprint("i", i), Image: im})
	}
	for i, im := range images {
		spec.Containers = append(spec.Containers, api.Container{Name: fmt.Sprint("c", i), Image: im})
	}
	spec.Compile()
	return &api.Pod{ObjectMeta: api.ObjectMeta{Name: "p", Namespace: "default", UID: "uid-p"}, Spec: spec}
}

// world returns a handle over total nodes; the first one, "n", holds images
// (name → summary), the others hold nothing.
func world(total int, images map[string]*framework.ImageStateSummary) (*testutil.Handle, *framework.NodeInfo) {
	h := testutil.NewHandle()
	n := testutil.NodeInfo(testutil.MakeNode().Name("n").Obj())
	n.ImageStates = images
	h.Nodes = append(h.Nodes, n)
	for i := 1; i < total; i++ {
		h.Nodes = append(h.Nodes, testutil.NodeInfo(testutil.MakeNode().Name(fmt.Sprint("other", i)).Obj()))
	}
	return h, n
}

func TestScore(t *testing.T) {
	// Four nodes. On the scored node:
	//   gcr.io/big:1     500 MiB on 2 of 4 nodes → 524288000 × 0.5  = 262144000
	//   gcr.io/small:1    10 MiB on 1 of 4       → 10485760 × 0.25  =   2621440
	//   nginx:latest     200 MiB on 4 of 4       →                    209715200
	//   gcr.io/huge:1   3000 MiB on 4 of 4       →                   3145728000
	//   gcr.io/big@sha256:abc (digest name) 500 MiB on 2 of 4 → 262144000
	//   localhost:5000/app:latest 500 MiB on 2 of 4 → 262144000
	// min = 23 MiB = 24117248; max = 1000 MiB = 1048576000 per container.
	images := map[string]*framework.ImageStateSummary{
		"gcr.io/big:1":              {Size: 500 * mib, NumNodes: 2},
		"gcr.io/small:1":            {Size: 10 * mib, NumNodes: 1},
		"nginx:latest":              {Size: 200 * mib, NumNodes: 4},
		"gcr.io/huge:1":             {Size: 3000 * mib, NumNodes: 4},
		"gcr.io/big@sha256:abc":     {Size: 500 * mib, NumNodes: 2},
		"localhost:5000/app:latest": {Size: 500 * mib, NumNodes: 2},
	}
	tests := []struct {
		name string
		pod  *api.Pod
		want int64
	}{
		// 100 × (262144000 − 24117248) / (1048576000 − 24117248) = 23.2 → 23
		{"one image, half spread", imagePod(nil, "gcr.io/big:1"), 23},
		// 2621440 < min → clamped to min → 0
		{"small image clamps to 0", imagePod(nil, "gcr.io/small:1"), 0},
		// 3145728000 > max → clamped → 100
		{"huge image clamps to 100", imagePod(nil, "gcr.io/huge:1"), 100},
		{"image not on node", imagePod(nil, "gcr.io/absent:1"), 0},
		// "nginx" is "nginx:latest": 262144000 + 209715200 = 471859200;
		// max = 2 × 1048576000: 100 × 447741952 / 2073034752 = 21.6 → 21
		{"two containers, untagged name gets :latest", imagePod(nil, "gcr.io/big:1", "nginx"), 21},
		// Init containers count, and raise the maximum: 262144000 + 2621440
		// = 264765440; 100 × 240648192 / 2073034752 = 11.6 → 11
		{"init container counts", imagePod([]string{"gcr.io/big:1"}, "gcr.io/small:1"), 11},
		// The same image in two containers counts twice: 524288000;
		// 100 × 500170752 / 2073034752 = 24.1 → 24
		{"same image twice", imagePod(nil, "gcr.io/big:1", "gcr.io/big:1"), 24},
		// A second container whose image is absent only raises the maximum:
		// 100 × 238026752 / 2073034752 = 11.5 → 11
		{"absent second image halves", imagePod(nil, "gcr.io/big:1", "gcr.io/absent:1"), 11},
		// No registry normalisation, as upstream: these are other names.
		{"docker.io form is another name", imagePod(nil, "docker.io/library/nginx:latest"), 0},
		{"library/ form is another name", imagePod(nil, "library/nginx"), 0},
		// A digest reference is tagged (no ":latest" added).
		{"digest reference", imagePod(nil, "gcr.io/big@sha256:abc"), 23},
		// A registry port is not a tag.
		{"registry port, no tag", imagePod(nil, "localhost:5000/app"), 23},
		// No containers: maximum 0, the sum clamps to min → 0, no division by 0.
		{"no containers", imagePod(nil), 0},
	}
	h, n := world(4, images)
	pl, err := New(nil, h)
	if err != nil {
		t.Fatal(err)
	}
	il := pl.(*ImageLocality)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			state := framework.NewCycleState()
			if s := il.PreScore(state, tt.pod, h.Nodes); !s.IsSuccess() {
				t.Fatalf("PreScore: %v", s)
			}
			got, s := il.Score(state, tt.pod, n)
			if !s.IsSuccess() || got != tt.want {
				t.Fatalf("Score = %d, %v; want %d", got, s, tt.want)
			}
			// Without PreScore the same score is computed on the spot.
			if got, _ := il.Score(framework.NewCycleState(), tt.pod, n); got != tt.want {
				t.Fatalf("Score without PreScore = %d, want %d", got, tt.want)
			}
			// A node without images scores 0.
			if got, _ := il.Score(state, tt.pod, h.Nodes[1]); got != 0 {
				t.Fatalf("empty node scores %d", got)
			}
		})
	}
}

// TestSpread checks the spread factor: the same 500 MiB image scores less the
// more nodes hold it.
func TestSpread(t *testing.T) {
	for _, tt := range []struct {
		numNodes int
		want     int64
	}{
		// 524288000 × 1/4 = 131072000: 100 × 106954752 / 1024458752 = 10.4 → 10
		{1, 10},
		// × 2/4 = 262144000 → 23 (see TestScore)
		{2, 23},
		// × 3/4 = 393216000: 100 × 369098752 / 1024458752 = 36.0 → 36
		{3, 36},
		// × 4/4 = 524288000: 100 × 500170752 / 1024458752 = 48.8 → 48
		{4, 48},
	} {
		h, n := world(4, map[string]*framework.ImageStateSummary{"app:v1": {Size: 500 * mib, NumNodes: tt.numNodes}})
		pl, _ := New(nil, h)
		p := imagePod(nil, "app:v1")
		state := framework.NewCycleState()
		pl.(*ImageLocality).PreScore(state, p, h.Nodes)
		if got, _ := pl.(*ImageLocality).Score(state, p, n); got != tt.want {
			t.Errorf("on %d of 4 nodes: score %d, want %d", tt.numNodes, got, tt.want)
		}
	}
}

// TestFloatOrder checks that the spread scaling is upstream's float64
// size × (numNodes / total), truncated, not exact integer arithmetic: for a
// 1966604288-byte image on 3 of 11 nodes the exact product is 536346624
// (score 50) but upstream computes 536346623 (score 49).
func TestFloatOrder(t *testing.T) {
	if got := scaledImageScore(&framework.ImageStateSummary{Size: 1966604288, NumNodes: 3}, 11); got != 536346623 {
		t.Fatalf("scaledImageScore = %d, want 536346623", got)
	}
	h, n := world(11, map[string]*framework.ImageStateSummary{"big:1": {Size: 1966604288, NumNodes: 3}})
	pl, _ := New(nil, h)
	p := imagePod(nil, "big:1")
	state := framework.NewCycleState()
	pl.(*ImageLocality).PreScore(state, p, h.Nodes)
	if got, _ := pl.(*ImageLocality).Score(state, p, n); got != 49 {
		t.Fatalf("score %d, want 49", got)
	}
}

func TestNormalizedImageName(t *testing.T) {
	for in, want := range map[string]string{
		"nginx":                          "nginx:latest",
		"nginx:1.25":                     "nginx:1.25",
		"docker.io/library/nginx":        "docker.io/library/nginx:latest",
		"localhost:5000/app":             "localhost:5000/app:latest",
		"localhost:5000/app:v2":          "localhost:5000/app:v2",
		"quay.io/org/img@sha256:abc":     "quay.io/org/img@sha256:abc",
		"docker.io/library/nginx:1.25.3": "docker.io/library/nginx:1.25.3",
	} {
		if got := normalizedImageName(in); got != want {
			t.Errorf("normalizedImageName(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestNewRejectsArgs(t *testing.T) {
	if _, err := New(struct{}{}, testutil.NewHandle()); err == nil {
		t.Fatal("New accepted args")
	}
}

func TestScoreDoesNotAllocate(t *testing.T) {
	h, n := world(4, map[string]*framework.ImageStateSummary{"nginx:latest": {Size: 200 * mib, NumNodes: 1}})
	pl, _ := New(nil, h)
	il := pl.(*ImageLocality)
	p := imagePod([]string{"busybox"}, "nginx", "gcr.io/x:1")
	state := framework.NewCycleState()
	il.PreScore(state, p, h.Nodes)
	if a := testing.AllocsPerRun(100, func() { il.Score(state, p, n) }); a != 0 {
		t.Fatalf("Score allocates %v times per call", a)
	}
}

// BenchmarkScore scores a three-container pod on 500 nodes holding four
// images each (two of them the pod's).
func BenchmarkScore(b *testing.B) {
	h := testutil.NewHandle()
	states := map[string]*framework.ImageStateSummary{
		"nginx:latest": {Size: 70 * mib, NumNodes: 500}, "app:v1": {Size: 600 * mib, NumNodes: 250},
		"pause:3.10": {Size: 1 * mib, NumNodes: 500}, "proxy:v1": {Size: 30 * mib, NumNodes: 500},
	}
	for i := 0; i < 500; i++ {
		ni := testutil.NodeInfo(testutil.MakeNode().Name(fmt.Sprint("n", i)).Obj())
		ni.ImageStates = states
		h.Nodes = append(h.Nodes, ni)
	}
	pl, _ := New(nil, h)
	il := pl.(*ImageLocality)
	p := imagePod([]string{"busybox:1.36"}, "nginx", "app:v1")
	b.ReportAllocs()
	for b.Loop() {
		state := framework.NewCycleState()
		il.PreScore(state, p, h.Nodes)
		for _, ni := range h.Nodes {
			il.Score(state, p, ni)
		}
	}
}
