package gpushare_test

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/kubesim/kubesim/scheduler"
	"github.com/kubesim/kubesim/scheduler/framework"
	"github.com/kubesim/kubesim/scheduler/plugins/gpushare"
	tu "github.com/kubesim/kubesim/scheduler/plugins/internal/testutil"
	"github.com/kubesim/kubesim/sim"
	"github.com/kubesim/kubesim/sim/api"
	"github.com/kubesim/kubesim/sim/store"
)

// fgdConfig is the six-profile configuration of the FGD paper's policies.
const fgdConfig = "../../testdata/valid-fgd.yaml"

// run builds three GPU nodes — n1 (32000m, 4 devices with 0/300/700/1000
// milli used by pods bound beforehand), n2 (32000m, 4 free devices), n3
// (8000m, 2 free devices) — creates pods for profile, runs the scheduler
// (no kubelets) for a second and returns the store and the scheduler.
func run(t *testing.T, profile string, pods []*api.Pod) (*store.Store, *scheduler.Scheduler) {
	t.Helper()
	cfg, err := scheduler.LoadConfig(fgdConfig)
	if err != nil {
		t.Fatal(err)
	}
	eng := sim.NewEngine(1, 0)
	st := store.New(eng, store.Options{})
	for _, n := range []*api.Node{tu.GPUNode("n1", 32000, 4, "T4"), tu.GPUNode("n2", 32000, 4, "T4"), tu.GPUNode("n3", 8000, 2, "T4")} {
		n.Conditions = []api.Condition{{Type: api.NodeReady, Status: api.ConditionTrue}}
		if _, err := st.Nodes.Create("test", n, ""); err != nil {
			t.Fatal(err)
		}
	}
	for _, p := range []*api.Pod{tu.GPUPod("a", 1000, 1, 300, "1"), tu.GPUPod("b", 1000, 1, 700, "2"), tu.GPUPod("c", 1000, 1, 1000, "3")} {
		p.NodeName = "n1"
		pods = append([]*api.Pod{p}, pods...)
	}
	for _, p := range pods {
		if p.NodeName == "" {
			p.Spec.SchedulerName = profile
		}
		p.UID = ""
		if _, err := st.Pods.Create("test", p, ""); err != nil {
			t.Fatal(err)
		}
	}
	s, err := scheduler.New(eng, st, *cfg)
	if err != nil {
		t.Fatal(err)
	}
	s.Start()
	eng.Run(sim.Time(time.Second))
	return st, s
}

func workload() []*api.Pod {
	return []*api.Pod{tu.GPUPod("p1", 1000, 1, 250, ""), tu.GPUPod("p2", 1000, 1, 500, ""),
		tu.GPUPod("p3", 1000, 2, 2000, ""), tu.GPUPod("p4", 1000, 1, 1000, ""), tu.GPUPod("p5", 1000, 1, 250, ""),
		tu.GPUPod("p6", 2000, 0, 0, "")}
}

// placements renders every pod as name@node/devices, in creation order.
func placements(st *store.Store, names ...string) string {
	var out []string
	for _, n := range names {
		p, _ := st.Pods.Get("default", n)
		out = append(out, fmt.Sprintf("%s@%s/%s", n, p.NodeName, p.Annotations[framework.AnnotationGPUIndex]))
	}
	return strings.Join(out, " ")
}

// TestEndToEndPacking places five GPU pods and a CPU pod with GpuPacking:
// p1 (250) packs on n1's 300-free device 2 (97 vs idle 29/31); p2 (500) on
// n1's 700-free device 1 (93); p3 (2 GPUs) fits only the idle nodes, n3
// (31) over n2 (29); p4 (1 GPU) takes n1's free device 0 (49 vs 29);
// p5 (250) no longer fits n1 (free 0/200/50/0) nor n3: n2, device 0. p6
// (no GPU) scores 0 everywhere: any node, no devices.
func TestEndToEndPacking(t *testing.T) {
	st, s := run(t, "gpu-packing", workload())
	got := placements(st, "p1", "p2", "p3", "p4", "p5")
	want := "p1@n1/2 p2@n1/1 p3@n3/0-1 p4@n1/0 p5@n2/0"
	if got != want {
		t.Errorf("placements\n got %s\nwant %s", got, want)
	}
	if p6, _ := st.Pods.Get("default", "p6"); p6.NodeName == "" || p6.Annotations != nil {
		t.Errorf("p6: %q %v", p6.NodeName, p6.Annotations)
	}
	// The cache's device state agrees with the annotations in the store.
	for name, want := range map[string][4]int64{"n1": {1000, 800, 950, 1000}, "n2": {250, 0, 0, 0}, "n3": {1000, 1000}} {
		g := s.Cache().NodeInfo(name).GPU
		if [4]int64(g.Used[:4]) != want || g.Unplaced != 0 {
			t.Errorf("%s: used %v unplaced %d", name, g.Used[:4], g.Unplaced)
		}
	}
	var b bytes.Buffer
	if err := gpushare.WriteDevicesCSV(&b, st); err != nil {
		t.Fatal(err)
	}
	wantCSV := gpushare.DevicesHeader + "\n" +
		"n1,T4,0,1000,0,1\nn1,T4,1,800,200,2\nn1,T4,2,950,50,2\nn1,T4,3,1000,0,1\n" +
		"n2,T4,0,250,750,1\nn2,T4,1,0,1000,0\nn2,T4,2,0,1000,0\nn2,T4,3,0,1000,0\n" +
		"n3,T4,0,1000,0,1\nn3,T4,1,1000,0,1\n"
	if b.String() != wantCSV {
		t.Errorf("devices csv\n%s\nwant\n%s", b.String(), wantCSV)
	}
}

// TestEndToEndProfiles runs the workload through every profile of the
// configuration: every pod is bound, every GPU pod names devices that agree
// with the cache, and a second run gives the same placements.
func TestEndToEndProfiles(t *testing.T) {
	for _, profile := range []string{"fgd", "gpu-packing", "gpu-clustering", "dot-prod", "gpu-best-fit", "gpu-random"} {
		t.Run(profile, func(t *testing.T) {
			st, s := run(t, profile, workload())
			names := []string{"p1", "p2", "p3", "p4", "p5"}
			first := placements(st, names...)
			for _, n := range names {
				p, _ := st.Pods.Get("default", n)
				mask, ok := framework.ParseGPUIndex(p.Annotations[framework.AnnotationGPUIndex])
				if p.NodeName == "" || !ok {
					t.Fatalf("%s: not placed: %s", n, first)
				}
				if got := s.Cache().NodeInfo(p.NodeName).PodGPUDevices(p); got != mask {
					t.Errorf("%s: cache devices %b, annotation %b", n, got, mask)
				}
			}
			for _, name := range []string{"n1", "n2", "n3"} {
				g := s.Cache().NodeInfo(name).GPU
				for i := 0; i < g.Count; i++ {
					if g.Used[i] > gpushare.Milli {
						t.Errorf("%s device %d overcommitted: %d", name, i, g.Used[i])
					}
				}
			}
			st2, _ := run(t, profile, workload())
			if again := placements(st2, names...); again != first {
				t.Errorf("not deterministic:\n%s\n%s", first, again)
			}
			t.Log(first)
		})
	}
}
