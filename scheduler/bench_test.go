package scheduler

import (
	"fmt"
	"testing"
	"time"

	"github.com/kubesim/kubesim/scheduler/framework"
	"github.com/kubesim/kubesim/sim"
	"github.com/kubesim/kubesim/sim/api"
	"github.com/kubesim/kubesim/sim/store"
)

// benchNodes creates n nodes in 10 zones, every seventh with a
// PreferNoSchedule taint, in st.
func benchNodes(b *testing.B, st *store.Store, n int) {
	b.Helper()
	for i := range n {
		node := makeNode(fmt.Sprintf("node-%05d", i), fmt.Sprintf("zone-%d", i%10), 32000, 128*gi)
		if i%7 == 0 {
			node.Taints = []api.Taint{{Key: "example.com/pref", Value: "x", Effect: api.TaintPreferNoSchedule}}
		}
		if _, err := st.Nodes.Create("bench", node, "Bench"); err != nil {
			b.Fatal(err)
		}
	}
}

// benchWorld returns a started scheduler with the in-tree default profile
// over n nodes in 10 zones, and its store.
func benchWorld(b *testing.B, n int) (*Scheduler, *store.Store) {
	b.Helper()
	eng := sim.NewEngine(1, 0)
	st := store.New(eng, store.Options{})
	benchNodes(b, st, n)
	s, err := New(eng, st, Config{})
	if err != nil {
		b.Fatal(err)
	}
	s.Start()
	eng.Run(eng.Now().Add(time.Second))
	return s, st
}

// benchScheduler returns a started scheduler with the in-tree default profile
// over n nodes in 10 zones, some already carrying pods.
func benchScheduler(b *testing.B, n int) *Scheduler {
	b.Helper()
	s, _ := benchWorld(b, n)
	for i := range n / 2 {
		p := makePod(fmt.Sprintf("existing-%d", i), int64(500*(i%8)), int64(i%5)*gi)
		p.NodeName = fmt.Sprintf("node-%05d", (i*37)%n)
		s.cache.AddPod(p)
	}
	return s
}

// benchApp is a ReplicaSet in the store and the template its pods share:
// one label map and one spec for all of them, as the ReplicaSet controller
// makes them.
type benchApp struct {
	rs     *api.ReplicaSet
	labels map[string]string
	spec   *api.PodSpec
}

// newBenchApp creates ReplicaSet name (selector app=name) in st; edit, when
// not nil, completes the pod spec before it is compiled.
func newBenchApp(b *testing.B, st *store.Store, name string, milliCPU, mem int64, edit func(*api.PodSpec)) *benchApp {
	b.Helper()
	labels := map[string]string{"app": name}
	spec := &api.PodSpec{Containers: []api.Container{{Name: "c", Image: "example.com/" + name + ":1",
		Requests: api.Resources{MilliCPU: milliCPU, Memory: mem}, HasCPURequest: true, HasMemoryRequest: true}}}
	if edit != nil {
		edit(spec)
	}
	spec.Compile()
	rs := &api.ReplicaSet{ObjectMeta: api.ObjectMeta{Name: name, Namespace: "default", Labels: labels},
		Selector: api.SelectorFromMap(labels), Template: &api.PodTemplate{Labels: labels, Spec: spec}}
	rs, err := st.ReplicaSets.Create("bench", rs, "Bench")
	if err != nil {
		b.Fatal(err)
	}
	return &benchApp{rs: rs, labels: labels, spec: spec}
}

// pod returns a pending pod of the app.
func (a *benchApp) pod(name string) *api.Pod {
	return &api.Pod{ObjectMeta: api.ObjectMeta{Name: name, Namespace: "default", UID: api.UID("uid-" + name),
		Labels: a.labels, OwnerReferences: []api.OwnerReference{{Kind: api.KindReplicaSet, Name: a.rs.Name,
			UID: a.rs.UID, Controller: true}}}, Spec: a.spec}
}

// runCycles runs one scheduling cycle per pod as scheduleOne does (without
// the queue and the binding cycle): decision, assume, Reserve, Permit. It
// reports µs/pod and pods/s.
func runCycles(b *testing.B, s *Scheduler, pods []*api.Pod) {
	b.Helper()
	prof := s.Profile(api.DefaultSchedulerName)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		pod := pods[i]
		state := framework.NewCycleState()
		host, _, st := s.schedulePod(prof, state, pod)
		if !st.IsSuccess() {
			b.Fatal(st.Message())
		}
		assumed := pod.Clone()
		assumed.NodeName = host
		s.cache.AssumePod(assumed)
		if st := prof.runReserve(state, assumed, host); !st.IsSuccess() {
			b.Fatal(st.Message())
		}
		if st, _, _ := prof.runPermit(state, assumed, host); !st.IsSuccess() {
			b.Fatal(st.Message())
		}
	}
	b.StopTimer()
	reportPodRate(b, b.N)
}

// reportPodRate reports µs/pod and pods/s for pods scheduled in the
// benchmark's timed run.
func reportPodRate(b *testing.B, pods int) {
	if pods == 0 {
		return
	}
	el := b.Elapsed()
	b.ReportMetric(float64(el.Nanoseconds())/1e3/float64(pods), "µs/pod")
	b.ReportMetric(float64(pods)/el.Seconds(), "pods/s")
}

// BenchmarkSchedulingCycle5000Nodes measures one scheduling cycle of the
// default profile at 5 000 nodes for bare pods (cpu and memory requests, no
// owner, no labels): PreFilter, Filter until 500 feasible nodes, PreScore,
// Score and NormalizeScore of every score plugin, the tie-break, assume,
// Reserve and Permit. Pods accumulate on the nodes as in a real run.
func BenchmarkSchedulingCycle5000Nodes(b *testing.B) {
	s := benchScheduler(b, 5000)
	pods := make([]*api.Pod, b.N)
	for i := range pods {
		pods[i] = makePod(fmt.Sprintf("p-%d", i), 100+int64(i%4)*250, int64(1+i%3)*gi/2)
	}
	runCycles(b, s, pods)
}

// BenchmarkSchedulingCycle5000NodesReplicaSet is the same cycle for pods
// owned by ReplicaSets (10 of them, taking turns), so that the system
// default topology spreading (hostname and zone, ScheduleAnyway) scores
// every pod, over a cluster already running 2 500 pods of those ReplicaSets.
func BenchmarkSchedulingCycle5000NodesReplicaSet(b *testing.B) {
	const n = 5000
	s, st := benchWorld(b, n)
	apps := make([]*benchApp, 10)
	for k := range apps {
		apps[k] = newBenchApp(b, st, fmt.Sprintf("app-%d", k), 100+int64(k%4)*250, int64(1+k%3)*gi/2, nil)
	}
	for i := range n / 2 {
		p := apps[i%len(apps)].pod(fmt.Sprintf("existing-%d", i))
		p.NodeName = fmt.Sprintf("node-%05d", (i*37)%n)
		s.cache.AddPod(p)
	}
	pods := make([]*api.Pod, b.N)
	for i := range pods {
		pods[i] = apps[i%len(apps)].pod(fmt.Sprintf("p-%d", i))
	}
	runCycles(b, s, pods)
}

// spreadAndAntiAffinity makes a pod spec spread its app over zones
// (DoNotSchedule, maxSkew 1) and keep one pod of its app per hostname
// (required anti-affinity).
func spreadAndAntiAffinity(app string) func(*api.PodSpec) {
	sel := api.SelectorFromMap(map[string]string{"app": app})
	return func(s *api.PodSpec) {
		s.TopologySpreadConstraints = []api.TopologySpreadConstraint{{MaxSkew: 1, TopologyKey: api.LabelZone,
			WhenUnsatisfiable: "DoNotSchedule", Selector: sel, MinDomains: 1, NodeAffinityPolicy: "Honor", NodeTaintsPolicy: "Ignore"}}
		s.Affinity = &api.Affinity{PodAnti: &api.PodAffinity{Required: []api.PodAffinityTerm{{Selector: sel, TopologyKey: api.LabelHostname}}}}
	}
}

// BenchmarkSchedulingCycle5000NodesSpreadAntiAffinity is the cycle for pods
// with a hard zone spread constraint and a required hostname anti-affinity
// against their own app, over a cluster already running 10 pods per node
// of 5 apps (50 000 pods): one of them with required anti-affinity towards
// an absent app, one with preferred anti-affinity towards itself. The
// incoming pods belong to new apps of 2 000 pods each, scheduled one app
// after the other.
func BenchmarkSchedulingCycle5000NodesSpreadAntiAffinity(b *testing.B) {
	const n = 5000
	s, st := benchWorld(b, n)
	existing := make([]*benchApp, 5)
	for k := range existing {
		var edit func(*api.PodSpec)
		switch k {
		case 3:
			edit = func(s *api.PodSpec) {
				s.Affinity = &api.Affinity{PodAnti: &api.PodAffinity{Required: []api.PodAffinityTerm{{
					Selector: api.SelectorFromMap(map[string]string{"app": "batch"}), TopologyKey: api.LabelHostname}}}}
			}
		case 4:
			edit = func(s *api.PodSpec) {
				s.Affinity = &api.Affinity{PodAnti: &api.PodAffinity{Preferred: []api.WeightedPodAffinityTerm{{Weight: 100,
					Term: api.PodAffinityTerm{Selector: api.SelectorFromMap(map[string]string{"app": "app-4"}), TopologyKey: api.LabelHostname}}}}}
			}
		}
		existing[k] = newBenchApp(b, st, fmt.Sprintf("app-%d", k), 200, gi/2, edit)
	}
	for i := range 10 * n {
		p := existing[i%len(existing)].pod(fmt.Sprintf("existing-%d", i))
		p.NodeName = fmt.Sprintf("node-%05d", (i/10+i%10*13)%n)
		s.cache.AddPod(p)
	}
	const perApp = 2000
	var web []*benchApp
	pods := make([]*api.Pod, b.N)
	for i := range pods {
		k := i / perApp
		if k == len(web) {
			name := fmt.Sprintf("web-%d", k)
			web = append(web, newBenchApp(b, st, name, 100, gi/4, spreadAndAntiAffinity(name)))
		}
		pods[i] = web[k].pod(fmt.Sprintf("p-%d", i))
	}
	runCycles(b, s, pods)
}

// BenchmarkSchedule100kPods10kNodes schedules 100 000 pods of 100
// ReplicaSets onto 10 000 nodes through the Scheduler component: the pods
// are created in the store, and the timed part is the engine run that
// queues them from their watch events, runs every scheduling cycle and binds
// each pod through DefaultBinder (no kubelets).
func BenchmarkSchedule100kPods10kNodes(b *testing.B) {
	benchScheduleAll(b, 10000, 100000, func(k int) (int64, int64) { return 100 + int64(k%4)*250, int64(1+k%3) * gi / 2 })
}

// BenchmarkSchedule1MPods10kNodes is the design budget's case (10 000
// nodes, 1 000 000 pods through the default profile, ≤ 60 s): as
// BenchmarkSchedule100kPods10kNodes, with pods small enough for 100 a
// node (50–200 mCPU, 128–384 MiB; a node allows 110 pods).
func BenchmarkSchedule1MPods10kNodes(b *testing.B) {
	benchScheduleAll(b, 10000, 1000000, func(k int) (int64, int64) { return 50 + int64(k%4)*50, int64(1+k%3) * gi / 8 })
}

// benchScheduleAll schedules pods pods of 100 ReplicaSets onto nodes nodes
// as BenchmarkSchedule100kPods10kNodes describes; requests gives
// ReplicaSet k's cpu (mCPU) and memory requests.
func benchScheduleAll(b *testing.B, nodes, pods int, requests func(k int) (int64, int64)) {
	const apps = 100
	b.ReportAllocs()
	var scheduled int
	b.StopTimer()
	for range b.N {
		s, st := benchWorld(b, nodes)
		as := make([]*benchApp, apps)
		for k := range as {
			cpu, mem := requests(k)
			as[k] = newBenchApp(b, st, fmt.Sprintf("app-%d", k), cpu, mem, nil)
		}
		for i := range pods {
			k := i / (pods / apps)
			if _, err := st.Pods.Create("bench", as[k].pod(fmt.Sprintf("p-%d", i)), "Bench"); err != nil {
				b.Fatal(err)
			}
		}
		eng := s.eng
		b.StartTimer()
		eng.Run(eng.Now().Add(24 * time.Hour))
		b.StopTimer()
		if got := s.Stats().Scheduled; got != pods {
			b.Fatalf("scheduled %d pods, want %d", got, pods)
		}
		scheduled += pods
	}
	reportPodRate(b, scheduled)
}
