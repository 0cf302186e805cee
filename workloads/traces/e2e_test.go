package traces

import (
	"strings"
	"testing"
	"time"

	"github.com/kubesim/kubesim/controllers"
	"github.com/kubesim/kubesim/scheduler"
	"github.com/kubesim/kubesim/sim"
	"github.com/kubesim/kubesim/sim/api"
	"github.com/kubesim/kubesim/sim/kubelet"
	"github.com/kubesim/kubesim/sim/store"
	"github.com/kubesim/kubesim/workloads/source"
)

// TestReplayEndToEnd replays a small openb trace, recorded times, on two
// 2×P100 nodes with the default scheduler, kubelets and controllers:
//
//	p0  1 GPU       0 s – 100 s   n1
//	p1  2 GPUs     10 s –  50 s   n2 (the only node with 2 free GPUs)
//	p2  1 GPU T4   15 s – 500 s   no T4 node: Pending throughout
//	p3  CPU only   20 s – 500 s   either node
//	p4  2 GPUs     30 s – 500 s   waits for p1 to be gone, then n2
//	p5  2 GPUs     40 s – 500 s   waits for p0 to be gone (≤ 130 s), then n1
//
// Deleted pods are bound, so they terminate gracefully (30 s at most).
func TestReplayEndToEnd(t *testing.T) {
	const nodesCSV = "sn,cpu_milli,memory_mib,gpu,model\n" +
		"n1,64000,262144,2,P100\n" +
		"n2,64000,262144,2,P100\n"
	const podsCSV = podHeader +
		"p0,8000,16384,1,1000,,LS,Running,0,100,0\n" +
		"p1,8000,16384,2,1000,,LS,Running,10,50,10\n" +
		"p2,8000,16384,1,500,T4,LS,Pending,15,500,\n" +
		"p3,4000,8192,0,0,,BE,Running,20,500,20\n" +
		"p4,8000,16384,2,1000,,BE,Running,30,500,30\n" +
		"p5,8000,16384,2,1000,,BE,Running,40,500,40\n"
	nodes, err := ReadOpenBNodes(strings.NewReader(nodesCSV), "nodes.csv")
	if err != nil {
		t.Fatal(err)
	}
	pods, err := ReadOpenBPods(strings.NewReader(podsCSV), "pods.csv")
	if err != nil {
		t.Fatal(err)
	}
	eng := sim.NewEngine(1, 0)
	st := store.New(eng, store.Options{})
	kubelet.NewManager(eng, st, kubelet.DefaultConfig()).Start()
	sched, err := scheduler.New(eng, st, *scheduler.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	sched.Start()
	controllers.Start(eng, st, controllers.DefaultOptions())
	for i := range nodes {
		if _, err := st.Nodes.Create("test", nodes[i].Node(), "Bootstrap"); err != nil {
			t.Fatal(err)
		}
	}
	src, err := Replay(OpenBItems(pods, NewPodConverter(PodOptions{})), ReplayOptions{})
	if err != nil {
		t.Fatal(err)
	}
	player := source.Play(eng, st, src, "trace")

	where := func() map[string]string {
		out := map[string]string{}
		for _, p := range st.Pods.List("default", nil) {
			out[p.Name] = p.NodeName + "/" + string(p.Status.Phase)
		}
		return out
	}
	check := func(at time.Duration, want map[string]string) {
		t.Helper()
		eng.Run(sim.Time(at))
		got := where()
		for name, w := range want {
			if got[name] != w && !(w == "?/Running" && strings.HasSuffix(got[name], "/Running")) {
				t.Errorf("at %v: %s is %q, want %q (all: %v)", at, name, got[name], w, got)
			}
		}
		if len(got) != len(want) {
			t.Errorf("at %v: pods %v, want %v", at, got, want)
		}
	}
	check(45*time.Second, map[string]string{"p0": "n1/Running", "p1": "n2/Running", "p2": "/Pending",
		"p3": "?/Running", "p4": "/Pending", "p5": "/Pending"})
	check(120*time.Second, map[string]string{"p0": "n1/Running", "p2": "/Pending",
		"p3": "?/Running", "p4": "n2/Running", "p5": "/Pending"})
	check(200*time.Second, map[string]string{"p2": "/Pending", "p3": "?/Running", "p4": "n2/Running", "p5": "n1/Running"})
	eng.Run(sim.Time(600 * time.Second))
	if n := st.Pods.Len(); n != 0 || player.Created() != 6 || player.Deleted() != 6 || !player.Done() || player.Errors() != nil {
		t.Errorf("end: %d pods left, created %d deleted %d missing %d errors %v", n, player.Created(), player.Deleted(), player.Missing(), player.Errors())
	}
}

// TestPlayDeterministic: two runs of the same replay write the same history.
func TestPlayDeterministic(t *testing.T) {
	run := func() string {
		eng := sim.NewEngine(7, 0)
		st := store.New(eng, store.Options{})
		var log strings.Builder
		st.OnWrite(func(w *store.Write) {
			log.WriteString(w.Time.String() + " " + w.Component + " " + string(w.Verb) + " " + w.Key + "\n")
		})
		kubelet.NewManager(eng, st, kubelet.DefaultConfig()).Start()
		sched, _ := scheduler.New(eng, st, *scheduler.DefaultConfig())
		sched.Start()
		nodes, _ := LoadOpenBNodes(openbPath(OpenBGPUNodes))
		for i := range nodes[:40] {
			_, _ = st.Nodes.Create("test", nodes[i].Node(), "Bootstrap")
		}
		pods, _ := LoadOpenBPods(openbPath(OpenBDefaultPods))
		src, _ := Replay(OpenBItems(pods, NewPodConverter(PodOptions{})), ReplayOptions{Mode: Arrival, Limit: 300, Interval: time.Second, Shuffle: eng.Rand("workloads/openb/order")})
		source.Play(eng, st, src, "trace")
		eng.Run(sim.Time(10 * time.Minute))
		bound := 0
		for _, p := range st.Pods.List("", nil) {
			if p.NodeName != "" {
				bound++
			}
		}
		if bound == 0 || st.Pods.Len() != 300 {
			t.Errorf("%d of %d pods bound", bound, st.Pods.Len())
		}
		return log.String()
	}
	if a, b := run(), run(); a != b {
		t.Error("two runs differ")
	}
}

var _ api.Object = (*api.Pod)(nil)
