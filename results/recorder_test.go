package results

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kubesim/kubesim/sim"
	"github.com/kubesim/kubesim/sim/api"
	"github.com/kubesim/kubesim/sim/store"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

const (
	gi  = int64(1) << 30
	mi  = int64(1) << 20
	gpu = "nvidia.com/gpu"
)

// sec converts seconds to a sim.Time.
func sec(s float64) sim.Time { return sim.Time(s * float64(time.Second)) }

// world is an engine and a store driven by a scripted timeline, standing in
// for the scheduler, the kubelet and the controllers.
type world struct {
	t   testing.TB
	eng *sim.Engine
	st  *store.Store
	rec *Recorder
	// actions counts the scripted engine events.
	actions int
}

func newWorld(t testing.TB, cfg Config) *world {
	t.Helper()
	eng := sim.NewEngine(cfg.Seed, 0)
	st := store.New(eng, store.Options{})
	if cfg.TempDir == "" {
		cfg.TempDir = t.TempDir()
	}
	return &world{t: t, eng: eng, st: st, rec: NewRecorder(eng, st, cfg)}
}

func (w *world) at(s float64, f func()) {
	w.actions++
	w.eng.AtFunc(sec(s), func(sim.Time) { f() })
}

func (w *world) must(err error) {
	w.t.Helper()
	if err != nil {
		w.t.Fatal(err)
	}
}

func (w *world) node(name string, alloc api.Resources) {
	n := &api.Node{ObjectMeta: api.ObjectMeta{Name: name}, Capacity: alloc, Allocatable: alloc, AllowedPods: 110,
		Conditions: []api.Condition{{Type: api.NodeReady, Status: api.ConditionTrue, Reason: "KubeletReady", LastTransitionTime: w.eng.Now()}}}
	_, err := w.st.Nodes.Create("test", n, "")
	w.must(err)
}

func (w *world) updateNode(component, name, reason string, f func(n *api.Node)) {
	n, ok := w.st.Nodes.Get("", name)
	if !ok {
		w.t.Fatalf("no node %s", name)
	}
	c := n.Clone()
	f(c)
	_, err := w.st.Nodes.Update(component, c, reason)
	w.must(err)
}

func spec(req api.Resources) *api.PodSpec {
	s := &api.PodSpec{SchedulerName: api.DefaultSchedulerName, RestartPolicy: api.RestartAlways,
		TerminationGracePeriodSeconds: 30,
		Containers:                    []api.Container{{Name: "app", Image: "nginx", Requests: req, HasCPURequest: true, HasMemoryRequest: true}}}
	s.Compile()
	return s
}

func (w *world) pod(component, name string, owner *api.ReplicaSet, sp *api.PodSpec) {
	p := &api.Pod{ObjectMeta: api.ObjectMeta{Name: name, Namespace: "default"}, Spec: sp}
	if owner != nil {
		p.OwnerReferences = []api.OwnerReference{{Kind: api.KindReplicaSet, Name: owner.Name, UID: owner.UID, Controller: true}}
	}
	_, err := w.st.Pods.Create(component, p, "SuccessfulCreate")
	w.must(err)
}

func (w *world) updatePod(component, name, reason string, f func(p *api.Pod)) {
	p, ok := w.st.Pods.Get("default", name)
	if !ok {
		w.t.Fatalf("no pod %s", name)
	}
	c := p.Clone()
	f(c)
	_, err := w.st.Pods.Update(component, c, reason)
	w.must(err)
}

// bind does what the scheduler does: bind, then record the event.
func (w *world) bind(name, node string) {
	w.updatePod("default-scheduler", name, "Binding", func(p *api.Pod) {
		p.NodeName = node
		p.Status.Conditions = api.SetCondition(p.Status.Conditions,
			api.Condition{Type: api.PodScheduled, Status: api.ConditionTrue, LastTransitionTime: w.eng.Now()})
	})
	p, _ := w.st.Pods.Get("default", name)
	w.st.Record("default-scheduler", p, ReasonScheduled, "Successfully assigned default/"+name+" to "+node)
}

// run does what the kubelet does when the pod's container starts.
func (w *world) run(name string) {
	now := w.eng.Now()
	w.updatePod("kubelet", name, "", func(p *api.Pod) {
		p.Status.Phase = api.PodRunning
		p.Status.StartTime = &now
		p.Status.ContainerStatuses = []api.ContainerStatus{{Name: "app", State: api.ContainerRunning, Started: true, StartedAt: &now}}
	})
}

func (w *world) setReady(name string, ready bool) {
	st := api.ConditionFalse
	if ready {
		st = api.ConditionTrue
	}
	w.updatePod("kubelet", name, "", func(p *api.Pod) {
		cs := api.SetCondition(p.Status.Conditions, api.Condition{Type: api.PodContainersReady, Status: st, LastTransitionTime: w.eng.Now()})
		p.Status.Conditions = api.SetCondition(cs, api.Condition{Type: api.PodReady, Status: st, LastTransitionTime: w.eng.Now()})
	})
}

// scripted builds the timeline every golden file describes (times in seconds):
//
//	0     node-1 (4 cpu, 8Gi, 2 gpu) and node-2 (2 cpu, 4Gi) Ready; ReplicaSet web
//	1     web-a, web-b created (1 cpu, 1Gi each, owned by web)
//	2     batch-1 created (bare; 500m, 512Mi, 1 gpu)
//	2.5   web-a bound to node-1
//	3     web-b FailedScheduling (PodScheduled=False)
//	4     batch-1 bound to node-1
//	5     web-a Running          6   batch-1 Running       7  web-a Ready
//	12    web-b bound to node-2  15  web-b Running         16.5 web-b Ready
//	31    batch-1 Succeeded
//	35    web-a restarts (restarts 1, not ready)           38 web-a Ready again
//	41    node-2 Ready→Unknown, tainted unreachable:NoExecute
//	45    web-b deletion requested (grace 30s)
//	47    web-c created          47.5 ReplicaSet status    48 web-c bound to node-1
//	51    web-b removed          53  web-c Running
//
// The recorder starts at 0 before any of it and the run ends at 60.
func scripted(t *testing.T, cfg Config) *world {
	w := newWorld(t, cfg)
	w.must(w.rec.Start())
	var rs *api.ReplicaSet
	w.at(0, func() {
		w.node("node-1", api.Resources{MilliCPU: 4000, Memory: 8 * gi}.Set(gpu, 2))
		w.node("node-2", api.Resources{MilliCPU: 2000, Memory: 4 * gi})
		var err error
		rs, err = w.st.ReplicaSets.Create("deployment-controller", &api.ReplicaSet{
			ObjectMeta: api.ObjectMeta{Name: "web", Namespace: "default"}, Replicas: 2}, "ScalingReplicaSet")
		w.must(err)
	})
	webSpec := spec(api.Resources{MilliCPU: 1000, Memory: gi})
	w.at(1, func() {
		w.pod("replicaset-controller", "web-a", rs, webSpec)
		w.pod("replicaset-controller", "web-b", rs, webSpec)
	})
	w.at(2, func() {
		w.pod("test", "batch-1", nil, spec(api.Resources{MilliCPU: 500, Memory: 512 * mi}.Set(gpu, 1)))
	})
	w.at(2.5, func() { w.bind("web-a", "node-1") })
	w.at(3, func() {
		w.updatePod("default-scheduler", "web-b", "", func(p *api.Pod) {
			p.Status.Conditions = api.SetCondition(p.Status.Conditions, api.Condition{Type: api.PodScheduled,
				Status: api.ConditionFalse, Reason: "Unschedulable", LastTransitionTime: w.eng.Now()})
		})
		p, _ := w.st.Pods.Get("default", "web-b")
		w.st.Record("default-scheduler", p, ReasonFailedScheduling,
			"0/2 nodes are available: 1 Insufficient cpu, 1 Insufficient nvidia.com/gpu.")
	})
	w.at(4, func() { w.bind("batch-1", "node-1") })
	w.at(5, func() { w.run("web-a") })
	w.at(6, func() { w.run("batch-1") })
	w.at(7, func() { w.setReady("web-a", true) })
	w.at(12, func() { w.bind("web-b", "node-2") })
	w.at(15, func() { w.run("web-b") })
	w.at(16.5, func() { w.setReady("web-b", true) })
	w.at(31, func() {
		w.updatePod("kubelet", "batch-1", "", func(p *api.Pod) {
			p.Status.Phase = api.PodSucceeded
			p.Status.ContainerStatuses = []api.ContainerStatus{{Name: "app", State: api.ContainerTerminated, Reason: "Completed"}}
		})
	})
	w.at(35, func() {
		w.updatePod("kubelet", "web-a", "", func(p *api.Pod) {
			p.Status.ContainerStatuses = []api.ContainerStatus{{Name: "app", State: api.ContainerWaiting, Reason: "CrashLoopBackOff", RestartCount: 1}}
			p.Status.Conditions = api.SetCondition(p.Status.Conditions, api.Condition{Type: api.PodReady, Status: api.ConditionFalse, Reason: "ContainersNotReady"})
		})
	})
	w.at(38, func() {
		w.updatePod("kubelet", "web-a", "", func(p *api.Pod) {
			p.Status.ContainerStatuses = []api.ContainerStatus{{Name: "app", State: api.ContainerRunning, RestartCount: 1}}
			p.Status.Conditions = api.SetCondition(p.Status.Conditions, api.Condition{Type: api.PodReady, Status: api.ConditionTrue})
		})
	})
	w.at(41, func() {
		now := w.eng.Now()
		w.updateNode("node-lifecycle-controller", "node-2", "NodeNotReady", func(n *api.Node) {
			n.Conditions = api.SetCondition(n.Conditions, api.Condition{Type: api.NodeReady, Status: api.ConditionUnknown,
				Reason: "NodeStatusUnknown", LastTransitionTime: now})
			n.Taints = []api.Taint{{Key: api.TaintNodeUnreachable, Effect: api.TaintNoExecute, TimeAdded: &now}}
		})
	})
	w.at(45, func() {
		w.must(w.st.Pods.Delete("node-lifecycle-controller", "default", "web-b", store.DeleteOptions{}, "TaintManagerEviction"))
	})
	w.at(47, func() { w.pod("replicaset-controller", "web-c", rs, webSpec) })
	w.at(47.5, func() {
		cur, _ := w.st.ReplicaSets.Get("default", "web")
		c := cur.Clone()
		c.Status = api.ReplicaSetStatus{Replicas: 3, FullyLabeledReplicas: 3, ReadyReplicas: 1, AvailableReplicas: 1, ObservedGeneration: 1}
		_, err := w.st.ReplicaSets.Update("replicaset-controller", c, "")
		w.must(err)
	})
	w.at(48, func() { w.bind("web-c", "node-1") })
	w.at(51, func() {
		zero := int64(0)
		w.must(w.st.Pods.Delete("kubelet", "default", "web-b", store.DeleteOptions{GracePeriodSeconds: &zero}, "Killing"))
	})
	w.at(53, func() { w.run("web-c") })
	w.eng.Run(sec(60))
	w.rec.Finish(sec(60))
	return w
}

var goldenConfig = Config{SampleInterval: 10 * time.Second, ScenarioName: "golden", Seed: 7}

// outputs runs the scripted timeline and returns every output file's bytes.
func outputs(t *testing.T) map[string][]byte {
	w := scripted(t, goldenConfig)
	defer w.rec.Close()
	dir := filepath.Join(t.TempDir(), "out")
	if err := w.rec.WriteDir(dir); err != nil {
		t.Fatal(err)
	}
	out := map[string][]byte{}
	for _, name := range []string{FilePods, FileTimeseries, FileSummary, FileEvents, FileWorkloads} {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		out[name] = b
	}
	var buf bytes.Buffer
	if err := w.rec.PrintSummary(&buf); err != nil {
		t.Fatal(err)
	}
	out["summary.txt"] = buf.Bytes()
	return out
}

func TestGoldenOutputs(t *testing.T) {
	out := outputs(t)
	for _, name := range []string{FilePods, FileTimeseries, FileSummary, FileEvents, FileWorkloads, "summary.txt"} {
		path := filepath.Join("testdata", "golden", name)
		if *update {
			if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path, out[name], 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("%v (run with -update to create)", err)
		}
		if !bytes.Equal(out[name], want) {
			t.Errorf("%s differs from %s:\n--- got\n%s\n--- want\n%s", name, path, out[name], want)
		}
	}
}

func TestDeterministicBytes(t *testing.T) {
	a, b := outputs(t), outputs(t)
	for name := range a {
		if !bytes.Equal(a[name], b[name]) {
			t.Errorf("%s differs between two identical runs", name)
		}
	}
}

// TestSummaryByHand checks the figures of the scripted timeline against values
// worked out by hand from the timeline (see scripted).
func TestSummaryByHand(t *testing.T) {
	w := scripted(t, goldenConfig)
	defer w.rec.Close()
	s := w.rec.Summary()

	// 22 scripted actions + samples at 0, 10, ..., 60.
	if w.actions != 22 || s.EventsFired != 22+7 || s.Samples != 7 {
		t.Errorf("actions %d, events fired %d, samples %d; want 22, 29, 7", w.actions, s.EventsFired, s.Samples)
	}
	// Writes: 7 creates (2 nodes, 1 rs, 4 pods); 14 pod updates (4 binds,
	// web-b unschedulable, 4 runs, 2 ready, batch-1 succeeded, 2 for web-a's
	// restart); node-2's update; the rs status; 2 pod deletes = 25. Events:
	// 4 Scheduled + 1 FailedScheduling.
	if s.StoreWrites != 25 || s.RecordedEvents != 5 {
		t.Errorf("store writes %d, recorded events %d; want 25, 5", s.StoreWrites, s.RecordedEvents)
	}
	if want := (PodCounts{Total: 4, Running: 2, Succeeded: 1, Deleted: 1}); s.Pods != want {
		t.Errorf("pods %+v, want %+v", s.Pods, want)
	}
	if want := (GaugePeaks{Pending: 1, Running: 3}); s.Peaks != want {
		t.Errorf("peaks %+v, want %+v", s.Peaks, want)
	}
	// node-hours: 2 nodes for 60 s = 120/3600.
	if s.Nodes.Final != 2 || s.Nodes.Ready != 1 || s.Nodes.Peak != 2 || !near(float64(s.Nodes.NodeHours), 120.0/3600) {
		t.Errorf("nodes %+v", s.Nodes)
	}
	// Scheduling latencies: web-a 1.5, web-b 11, batch-1 2, web-c 1 → sorted
	// 1, 1.5, 2, 11: p50 = 2nd (0.5·4 = 2), p90 and p99 = 4th, mean 15.5/4.
	sc := s.Scheduling
	if sc.Attempts != 5 || sc.Failures != 1 || sc.Scheduled != 4 || sc.Unscheduled != 0 {
		t.Errorf("scheduling %+v", sc)
	}
	checkLatency(t, "scheduling", sc.Latency, LatencyStats{Count: 4, P50: 1.5, P90: 11, P99: 11, Mean: 3.875, Max: 11})
	// Startup: web-a 4, web-b 14, batch-1 4, web-c 6 → 4, 4, 6, 14.
	checkLatency(t, "startup", s.StartupLatency, LatencyStats{Count: 4, P50: 4, P90: 14, P99: 14, Mean: 7, Max: 14})

	// Utilization over the samples at 10..60 (allocatable is 0 at 0):
	// cpu requested 1500, 2500, 2500, 2000, 3000, 2000 of 6000;
	// memory 1.5, 2.5, 2.5, 2, 3, 2 Gi of 12 Gi; gpu 1, 1, 1, 0, 0, 0 of 2.
	want := []ResourceSummary{
		{Resource: "cpu", Unit: "millicores", MeanUtilization: 0.375, PeakUtilization: 0.5, PeakRequested: 3000, FinalRequested: 2000, FinalAllocatable: 6000},
		{Resource: "memory", Unit: "bytes", MeanUtilization: 0.1875, PeakUtilization: 0.25, PeakRequested: 3 * gi, FinalRequested: 2 * gi, FinalAllocatable: 12 * gi},
		{Resource: gpu, Unit: "units", MeanUtilization: 0.25, PeakUtilization: 0.5, PeakRequested: 1, FinalRequested: 0, FinalAllocatable: 2},
	}
	if len(s.Resources) != len(want) {
		t.Fatalf("resources %+v", s.Resources)
	}
	for i, got := range s.Resources {
		w := want[i]
		if got.Resource != w.Resource || got.Unit != w.Unit || !near(float64(got.MeanUtilization), float64(w.MeanUtilization)) ||
			!near(float64(got.PeakUtilization), float64(w.PeakUtilization)) || got.PeakRequested != w.PeakRequested ||
			got.FinalRequested != w.FinalRequested || got.FinalAllocatable != w.FinalAllocatable {
			t.Errorf("resource %d = %+v, want %+v", i, got, w)
		}
	}
}

func near(a, b float64) bool { return a-b < 1e-9 && b-a < 1e-9 }

func checkLatency(t *testing.T, name string, got, want LatencyStats) {
	t.Helper()
	if got.Count != want.Count || !near(float64(got.P50), float64(want.P50)) || !near(float64(got.P90), float64(want.P90)) ||
		!near(float64(got.P99), float64(want.P99)) || !near(float64(got.Mean), float64(want.Mean)) || !near(float64(got.Max), float64(want.Max)) {
		t.Errorf("%s latency %+v, want %+v", name, got, want)
	}
}

func TestPodRecordsByHand(t *testing.T) {
	w := scripted(t, goldenConfig)
	defer w.rec.Close()
	var buf bytes.Buffer
	if err := w.rec.writePods(&buf); err != nil {
		t.Fatal(err)
	}
	want := PodsHeader + "\n" +
		"default,web-a,ReplicaSet/web,1.000,2.500,node-1,5.000,7.000,,Running,1\n" +
		"default,web-b,ReplicaSet/web,1.000,12.000,node-2,15.000,16.500,51.000,Deleted,0\n" +
		"default,batch-1,,2.000,4.000,node-1,6.000,,31.000,Succeeded,0\n" +
		"default,web-c,ReplicaSet/web,47.000,48.000,node-1,53.000,,,Running,0\n"
	if buf.String() != want {
		t.Errorf("pods.csv:\n%s\nwant:\n%s", buf.String(), want)
	}
}

func TestTimeseriesByHand(t *testing.T) {
	w := scripted(t, goldenConfig)
	defer w.rec.Close()
	var buf bytes.Buffer
	if err := w.rec.writeTimeseries(&buf); err != nil {
		t.Fatal(err)
	}
	want := TimeseriesHeader + ",nvidia.com/gpu_requested,nvidia.com/gpu_allocatable\n" +
		"0.000,0,0,0,0,0,0,0,0,0\n" +
		"10.000,1,2,2,1500,6000,1610612736,12884901888,1,2\n" +
		"20.000,0,3,2,2500,6000,2684354560,12884901888,1,2\n" +
		"30.000,0,3,2,2500,6000,2684354560,12884901888,1,2\n" +
		"40.000,0,2,2,2000,6000,2147483648,12884901888,0,2\n" +
		"50.000,1,2,1,3000,6000,3221225472,12884901888,0,2\n" +
		"60.000,0,2,1,2000,6000,2147483648,12884901888,0,2\n"
	if buf.String() != want {
		t.Errorf("timeseries.csv:\n%s\nwant:\n%s", buf.String(), want)
	}
}

func TestSamplingDoesNotOutliveRun(t *testing.T) {
	w := newWorld(t, Config{SampleInterval: 15 * time.Second})
	w.must(w.rec.Start())
	defer w.rec.Close()
	n := w.eng.Run(sec(100))
	// Samples at 0, 15, ..., 90; the one armed for 105 is left queued.
	if n != 7 || w.eng.Now() != sec(100) || w.eng.Pending() != 1 {
		t.Errorf("fired %d, now %v, pending %d; want 7, 100s, 1", n, w.eng.Now(), w.eng.Pending())
	}
	w.rec.Finish(sec(100))
	w.eng.Run(sec(200))
	if got := len(w.rec.samples); got != 7 {
		t.Errorf("%d samples after Finish, want 7", got)
	}
	if w.eng.Pending() != 0 {
		t.Errorf("sampler still armed after Finish")
	}
}

func TestDefaultSampleInterval(t *testing.T) {
	w := newWorld(t, Config{})
	w.must(w.rec.Start())
	defer w.rec.Close()
	w.eng.Run(sec(35))
	w.rec.Finish(sec(35))
	if s := w.rec.Summary(); s.Samples != 4 || s.SampleIntervalSeconds != 10 {
		t.Errorf("samples %d interval %v; want 4 every 10s", s.Samples, s.SampleIntervalSeconds)
	}
}

// TestStartTakesExistingObjects: objects created before Start count in the
// gauges and get pod records (created keeps the creation time).
func TestStartTakesExistingObjects(t *testing.T) {
	w := newWorld(t, Config{DisableEventLog: true})
	w.node("n1", api.Resources{MilliCPU: 1000, Memory: gi})
	w.pod("test", "early", nil, spec(api.Resources{MilliCPU: 250, Memory: mi}))
	w.updatePod("test", "early", "", func(p *api.Pod) { p.NodeName = "n1"; p.Status.Phase = api.PodRunning })
	w.eng.Run(sec(5))
	w.must(w.rec.Start())
	w.eng.Run(sec(5))
	w.rec.Finish(sec(5))
	var buf bytes.Buffer
	w.must(w.rec.writeTimeseries(&buf))
	if want := TimeseriesHeader + "\n5.000,0,1,1,250,1000,1048576,1073741824\n"; buf.String() != want {
		t.Errorf("timeseries:\n%s\nwant:\n%s", buf.String(), want)
	}
	buf.Reset()
	w.must(w.rec.writePods(&buf))
	if want := PodsHeader + "\ndefault,early,,0.000,5.000,n1,5.000,,,Running,0\n"; buf.String() != want {
		t.Errorf("pods:\n%s\nwant:\n%s", buf.String(), want)
	}
}

// TestRecreatedPodGetsNewRecord: a pod deleted and created again under the same
// name is two rows.
func TestRecreatedPodGetsNewRecord(t *testing.T) {
	w := newWorld(t, Config{DisableEventLog: true})
	w.must(w.rec.Start())
	sp := spec(api.Resources{MilliCPU: 100})
	w.at(1, func() { w.pod("test", "p", nil, sp) })
	w.at(2, func() { w.must(w.st.Pods.Delete("test", "default", "p", store.DeleteOptions{}, "")) })
	w.at(3, func() { w.pod("test", "p", nil, sp) })
	w.eng.Run(sec(4))
	w.rec.Finish(sec(4))
	var buf bytes.Buffer
	w.must(w.rec.writePods(&buf))
	want := PodsHeader + "\ndefault,p,,1.000,,,,,2.000,Deleted,0\ndefault,p,,3.000,,,,,,Pending,0\n"
	if buf.String() != want {
		t.Errorf("pods:\n%s\nwant:\n%s", buf.String(), want)
	}
	if s := w.rec.Summary(); s.Pods.Pending != 1 || s.Pods.Deleted != 1 || s.Scheduling.Unscheduled != 2 {
		t.Errorf("summary pods %+v scheduling %+v", s.Pods, s.Scheduling)
	}
}

func TestDisableEventLog(t *testing.T) {
	w := scripted(t, Config{DisableEventLog: true})
	dir := filepath.Join(t.TempDir(), "out")
	w.must(w.rec.WriteDir(dir))
	if _, err := os.Stat(filepath.Join(dir, FileEvents)); !os.IsNotExist(err) {
		t.Errorf("events.jsonl written although disabled (err %v)", err)
	}
	if _, err := os.Stat(filepath.Join(dir, FileSummary)); err != nil {
		t.Error(err)
	}
}

func TestMisuse(t *testing.T) {
	w := newWorld(t, Config{})
	if err := w.rec.WriteDir(filepath.Join(t.TempDir(), "x")); err == nil || !strings.Contains(err.Error(), "before Finish") {
		t.Errorf("WriteDir before Finish: %v", err)
	}
	if err := w.rec.PrintSummary(&bytes.Buffer{}); err == nil {
		t.Error("PrintSummary before Finish succeeded")
	}
	if w.rec.Summary() != nil {
		t.Error("Summary before Finish is not nil")
	}
	w.rec.Finish(0)
	defer func() {
		if r := recover(); r == nil {
			t.Error("second Finish did not panic")
		}
	}()
	w.rec.Finish(0)
}
