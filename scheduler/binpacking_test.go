package scheduler

import (
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	configv1 "k8s.io/kube-scheduler/config/v1"

	"github.com/kubesim/kubesim/sim/api"
)

// podFor is makePod for the profile named sched.
func podFor(name, sched string, milliCPU, mem int64) *api.Pod {
	p := makePod(name, milliCPU, mem)
	p.Spec.SchedulerName = sched
	return p
}

// boundPod is makePod already assigned to node.
func boundPod(name, node string, milliCPU, mem int64) *api.Pod {
	p := makePod(name, milliCPU, mem)
	p.NodeName = node
	return p
}

// placeAll builds a world from cfg with the nodes (and pods already bound),
// creates pods, runs for a second and returns where each pod went, by name.
func placeAll(t *testing.T, cfg *Config, nodes []*api.Node, bound, pods []*api.Pod) map[string]string {
	t.Helper()
	w, err := newWorld(*cfg)
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range nodes {
		w.addNode(n.Clone())
	}
	for _, p := range bound {
		w.addPod(p)
	}
	w.s.Start()
	for _, p := range pods {
		w.addPod(p)
	}
	w.run(time.Second)
	out := map[string]string{}
	for _, p := range pods {
		out[p.Name] = w.pod(p.Name).NodeName
	}
	return out
}

// perNode counts pods per node.
func perNode(placed map[string]string) map[string]int {
	out := map[string]int{}
	for _, n := range placed {
		out[n]++
	}
	return out
}

// TestUpstreamBinPackingStrategies loads the MostAllocated and the
// RequestedToCapacityRatio configurations with the in-tree plugins and shows
// that their "bin-packing" profile packs four pods onto one of two identical
// nodes, where the default profile (LeastAllocated) spreads them two and two.
func TestUpstreamBinPackingStrategies(t *testing.T) {
	for _, tc := range []struct {
		file     string
		strategy configv1.ScoringStrategyType
	}{
		{"testdata/valid-mostallocated.yaml", configv1.MostAllocated},
		{"testdata/valid-rtcr.yaml", configv1.RequestedToCapacityRatio},
	} {
		t.Run(string(tc.strategy), func(t *testing.T) {
			cfg, err := LoadConfig(tc.file)
			if err != nil {
				t.Fatal(err)
			}
			args, ok := cfg.Profiles[1].PluginArgs["NodeResourcesFit"].(*configv1.NodeResourcesFitArgs)
			if !ok || args.ScoringStrategy.Type != tc.strategy {
				t.Fatalf("bin-packing args %#v", cfg.Profiles[1].PluginArgs["NodeResourcesFit"])
			}
			if tc.strategy == configv1.RequestedToCapacityRatio {
				if sh := args.ScoringStrategy.RequestedToCapacityRatio.Shape; len(sh) != 2 || sh[1] != (configv1.UtilizationShapePoint{Utilization: 100, Score: 10}) {
					t.Fatalf("shape %+v", sh)
				}
			}
			nodes := []*api.Node{makeNode("n1", "", 4000, 8*gi), makeNode("n2", "", 4000, 8*gi)}
			for _, sched := range []string{"default-scheduler", "bin-packing"} {
				var pods []*api.Pod
				for _, n := range []string{"p1", "p2", "p3", "p4"} {
					pods = append(pods, podFor(n, sched, 500, gi))
				}
				counts := perNode(placeAll(t, cfg, nodes, nil, pods))
				got := slices.Sorted(maps.Values(counts))
				want := []int{2, 2}
				if sched == "bin-packing" {
					want = []int{4}
				}
				if !slices.Equal(got, want) {
					t.Errorf("%s: pods per node %v, want %v", sched, counts, want)
				}
			}
		})
	}
}

// TestResearchPolicyProfiles loads profiles selecting the research plugins
// (multiPoint and score entries, weights, pluginConfig args) and checks each
// one's characteristic placement.
func TestResearchPolicyProfiles(t *testing.T) {
	cfg, err := LoadConfig("testdata/valid-research.yaml")
	if err != nil {
		t.Fatal(err)
	}
	w, err := newWorld(*cfg)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		profile, plugin string
		weight          int64
		only            bool
	}{
		{"best-fit", "BestFit", 5, false},
		{"first-fit", "FirstFit", 1, true},
		{"tetris", "DotProduct", 3, false},
		{"random", "Random", 1, true},
		{"worst-fit", "WorstFit", 1, true},
	} {
		p := w.s.Profile(c.profile)
		if p == nil {
			t.Fatalf("profile %s missing", c.profile)
		}
		names := p.PluginNames(PointScore)
		if !slices.Contains(names, c.plugin) || p.ScoreWeight(c.plugin) != c.weight ||
			slices.Contains(names, "NodeResourcesFit") || (c.only && len(names) != 1) {
			t.Errorf("%s: score plugins %v, weight of %s %d, want %d", c.profile, names, c.plugin, p.ScoreWeight(c.plugin), c.weight)
		}
	}

	// big (8000m / 16Gi) first, small (2000m / 4Gi) second; 1000m / 2Gi pods.
	nodes := []*api.Node{makeNode("big", "", 8000, 16*gi), makeNode("small", "", 2000, 4*gi)}
	pods := func(sched string) []*api.Pod {
		var out []*api.Pod
		for _, n := range []string{"p1", "p2", "p3"} {
			out = append(out, podFor(n, sched, 1000, 2*gi))
		}
		return out
	}
	for sched, want := range map[string]map[string]string{
		// Least absolute leftover: small until full, then big.
		"best-fit": {"p1": "small", "p2": "small", "p3": "big"},
		// Most absolute leftover: always big.
		"worst-fit": {"p1": "big", "p2": "big", "p3": "big"},
		// First node in the list that fits: big.
		"first-fit": {"p1": "big", "p2": "big", "p3": "big"},
	} {
		if got := placeAll(t, cfg, nodes, nil, pods(sched)); !maps.Equal(got, want) {
			t.Errorf("%s: placements %v, want %v", sched, got, want)
		}
	}

	// Tetris: a cpu-heavy pod goes where cpu is free, a memory-heavy pod
	// where memory is free.
	busy := []*api.Node{makeNode("cpuBusy", "", 4000, 16*gi), makeNode("memBusy", "", 4000, 16*gi)}
	bound := []*api.Pod{boundPod("e1", "cpuBusy", 3000, gi), boundPod("e2", "memBusy", 500, 12*gi)}
	got := placeAll(t, cfg, busy, bound, []*api.Pod{podFor("cpuHeavy", "tetris", 1000, gi)})
	got2 := placeAll(t, cfg, busy, []*api.Pod{boundPod("e1", "cpuBusy", 3000, gi), boundPod("e2", "memBusy", 500, 12*gi)},
		[]*api.Pod{podFor("memHeavy", "tetris", 100, 3*gi)})
	if got["cpuHeavy"] != "memBusy" || got2["memHeavy"] != "cpuBusy" {
		t.Errorf("tetris: cpu-heavy on %s (want memBusy), memory-heavy on %s (want cpuBusy)", got["cpuHeavy"], got2["memHeavy"])
	}

	// Random: reproducible for a seed.
	many := func() []*api.Pod {
		var out []*api.Pod
		for _, n := range []string{"r1", "r2", "r3", "r4", "r5", "r6"} {
			out = append(out, podFor(n, "random", 100, gi/4))
		}
		return out
	}
	four := []*api.Node{makeNode("a", "", 4000, 8*gi), makeNode("b", "", 4000, 8*gi), makeNode("c", "", 4000, 8*gi), makeNode("d", "", 4000, 8*gi)}
	if a, b := placeAll(t, cfg, four, nil, many()), placeAll(t, cfg, four, nil, many()); !maps.Equal(a, b) {
		t.Errorf("random: same seed, different placements %v vs %v", a, b)
	}
}

// TestResearchPluginArgsErrors: args of plugins without an upstream args type
// reach the plugin as raw JSON and are decoded strictly when the scheduler
// is built; the error names the file, the plugin and the field.
func TestResearchPluginArgsErrors(t *testing.T) {
	cfg, err := LoadConfig("testdata/invalid-research-args.yaml")
	if err != nil {
		t.Fatal(err)
	}
	_, err = newWorld(*cfg)
	if err == nil {
		t.Fatal("no error")
	}
	for _, want := range []string{"testdata/invalid-research-args.yaml", `BestFit: args: unknown field "resources[0].wieght"`} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not contain %q", err, want)
		}
	}
}
