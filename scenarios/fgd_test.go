package scenarios

import (
	"reflect"
	"testing"

	"github.com/kubesim/kubesim/results"
	"github.com/kubesim/kubesim/scheduler"
	"github.com/kubesim/kubesim/sim/api"
)

// fgdScenario is the bundled FGD experiment (scenarios/fgd/README.md).
const fgdScenario = "fgd/default.yaml"

// fgdProfiles are the FGD paper's six policies, FGD first.
var fgdProfiles = []string{"fgd", "gpu-best-fit", "gpu-packing", "gpu-clustering", "dot-prod", "gpu-random"}

// runFGD runs the FGD experiment with one profile and seed and returns its
// summary.
func runFGD(tb testing.TB, profile string, seed uint64) *results.Summary {
	tb.Helper()
	l, err := Load(fgdScenario)
	if err != nil {
		tb.Fatal(err)
	}
	l.Seed = seed
	s, err := BuildWith(l, BuildOptions{DefaultProfile: profile})
	if err != nil {
		tb.Fatal(err)
	}
	defer s.Close()
	rec, err := s.Run()
	if err != nil {
		tb.Fatal(err)
	}
	return rec.Summary()
}

// TestFGDBeatsBaselines is the paper's claim on the default trace, on one
// seed (the README's table has ten): FGD leaves fewer GPUs unallocated at
// 100 % arrived load than each of the five baselines. Every pod is tried
// exactly once, and the kubelets admit every bound GPU-sharing pod.
func TestFGDBeatsBaselines(t *testing.T) {
	if testing.Short() {
		t.Skip("six full runs of the FGD experiment")
	}
	const seed = 42
	got := map[string]float64{}
	for _, p := range fgdProfiles {
		s := runFGD(t, p, seed)
		g := s.GPUAllocation
		if g == nil {
			t.Fatalf("%s: no gpu_allocation in the summary", p)
		}
		if g.PodsTried != s.Pods.Total || s.Scheduling.Attempts != uint64(s.Pods.Total) {
			t.Errorf("%s: %d pods, %d tried, %d scheduling attempts: want each pod tried once", p, s.Pods.Total, g.PodsTried, s.Scheduling.Attempts)
		}
		if s.Pods.Failed != 0 || s.Pods.Running != g.PodsAllocated || s.Pods.Deleted != g.PodsTried-g.PodsAllocated {
			t.Errorf("%s: pods %+v, %d allocated: want every bound pod running and every other deleted", p, s.Pods, g.PodsAllocated)
		}
		if g.CapacityGPUMilli != 6_212_000 || g.ArrivedPct < 129 || g.ArrivedPct > 131 || g.RowsAt100 == 0 {
			t.Errorf("%s: capacity %d, arrived %.2f %%, %d rows at 100 %%", p, g.CapacityGPUMilli, float64(g.ArrivedPct), g.RowsAt100)
		}
		got[p] = float64(g.UnallocatedPctAt100)
		t.Logf("%-15s unallocated GPU at 100 %% arrived: %.3f %%", p, got[p])
	}
	for _, p := range fgdProfiles[1:] {
		if got["fgd"] >= got[p] {
			t.Errorf("FGD leaves %.3f %% unallocated, %s %.3f %%: want FGD lower", got["fgd"], p, got[p])
		}
	}
}

// TestFGDRunIsDeterministic: the same seed gives the same summary, a
// different seed a different arrival order.
func TestFGDRunIsDeterministic(t *testing.T) {
	if testing.Short() {
		t.Skip("three full runs of the FGD experiment")
	}
	a, b := runFGD(t, "gpu-best-fit", 7), runFGD(t, "gpu-best-fit", 7)
	if *a.GPUAllocation != *b.GPUAllocation {
		t.Errorf("two runs with seed 7 differ:\n%+v\n%+v", *a.GPUAllocation, *b.GPUAllocation)
	}
	if c := runFGD(t, "gpu-best-fit", 8); *c.GPUAllocation == *a.GPUAllocation {
		t.Errorf("seeds 7 and 8 give the same run: %+v", *c.GPUAllocation)
	}
}

// BenchmarkFGDRun is one run of the FGD experiment with the FGD profile:
// 1,213 nodes, about 10,900 pods each scored on every node.
func BenchmarkFGDRun(b *testing.B) {
	for b.Loop() {
		runFGD(b, "fgd", 42)
	}
}

// TestFGDDefaultProfileIsFGD: scheduler.yaml's default-scheduler profile
// (what `kubesim run` uses) is the fgd profile under another name, and
// choosing any of the six as the default leaves exactly one
// default-scheduler profile, a copy of the chosen one, in the same place.
func TestFGDDefaultProfileIsFGD(t *testing.T) {
	l, err := Load(fgdScenario)
	if err != nil {
		t.Fatal(err)
	}
	byName := func(c *scheduler.Config) map[string]scheduler.ProfileConfig {
		out := map[string]scheduler.ProfileConfig{}
		for _, p := range c.Profiles {
			if _, dup := out[p.SchedulerName]; dup {
				t.Fatalf("two profiles named %q", p.SchedulerName)
			}
			out[p.SchedulerName] = p
		}
		return out
	}
	base, err := schedulerConfig(l, BuildOptions{})
	if err != nil {
		t.Fatal(err)
	}
	ps := byName(base)
	def, ok := ps[api.DefaultSchedulerName]
	if !ok {
		t.Fatal("no default-scheduler profile")
	}
	def.SchedulerName = "fgd"
	if !reflect.DeepEqual(def, ps["fgd"]) {
		t.Errorf("default-scheduler profile differs from fgd:\n%+v\n%+v", def, ps["fgd"])
	}
	for _, name := range fgdProfiles {
		c, err := schedulerConfig(l, BuildOptions{DefaultProfile: name})
		if err != nil {
			t.Fatal(err)
		}
		if len(c.Profiles) != len(base.Profiles) || c.Profiles[len(c.Profiles)-1].SchedulerName != api.DefaultSchedulerName {
			t.Fatalf("%s: %d profiles, last %q: want %d, default-scheduler last", name, len(c.Profiles), c.Profiles[len(c.Profiles)-1].SchedulerName, len(base.Profiles))
		}
		got := byName(c)[api.DefaultSchedulerName]
		got.SchedulerName = name
		if !reflect.DeepEqual(got, ps[name]) {
			t.Errorf("%s as default: the default-scheduler profile is not a copy of it", name)
		}
	}
}
