package kubelet

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/kubesim/kubesim/sim"
	"github.com/kubesim/kubesim/sim/api"
	"github.com/kubesim/kubesim/sim/store"
)

func catalogue() Config {
	cfg := DefaultConfig()
	cfg.Images = map[string]int64{"nginx:1.25": 200 * MiB, "redis": 100 * MiB, "busybox": 100 * MiB}
	return cfg
}

func TestImagePullThenStart(t *testing.T) {
	w := newWorld(t, catalogue())
	w.addNode("n1", 4000)
	w.addPod("p", "n1", specOf(100, "docker.io/library/nginx:1.25"))
	w.run(secs(60))
	// 200 MiB at 50 MiB/s = 4 s, then 1 s to start.
	w.wantTime("Pending", "p", isPhase(api.PodPending), 0)
	w.wantTime("Running", "p", isPhase(api.PodRunning), secs(5))
	w.wantTime("Ready", "p", isReady, secs(5))
	p := w.pod("p")
	if p.Status.StartTime == nil || *p.Status.StartTime != 0 {
		t.Errorf("StartTime = %v, want 0", p.Status.StartTime)
	}
	if cs := p.Status.ContainerStatuses; len(cs) != 1 || cs[0].State != api.ContainerRunning || !cs[0].Ready || *cs[0].StartedAt != secs(5) {
		t.Errorf("container statuses = %+v", cs)
	}
	if c := api.FindCondition(p.Status.Conditions, api.PodScheduled); c == nil || c.Status != api.ConditionTrue {
		t.Errorf("PodScheduled = %+v", c)
	}
	want := []string{
		`0s kubelet/n1 event Pod default/p Pulling Pulling image "docker.io/library/nginx:1.25"`,
		`4s kubelet/n1 event Pod default/p Pulled Successfully pulled image "docker.io/library/nginx:1.25" in 4s (4s including waiting). Image size: 209715200 bytes.`,
	}
	if got := w.events("Pull"); !reflect.DeepEqual(got, want) {
		t.Errorf("events:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestImageCachedAfterPull(t *testing.T) {
	w := newWorld(t, catalogue())
	w.addNode("n1", 4000)
	w.addNode("n2", 4000)
	w.addPod("a", "n1", specOf(100, "nginx:1.25"))
	w.at(secs(10), func() {
		w.addPod("b", "n1", specOf(100, "docker.io/library/nginx:1.25"))
		w.addPod("c", "n2", specOf(100, "nginx:1.25"))
	})
	w.run(secs(60))
	w.wantTime("Running", "a", isPhase(api.PodRunning), secs(5))
	w.wantTime("Running", "b", isPhase(api.PodRunning), secs(11)) // cached: start latency only
	w.wantTime("Running", "c", isPhase(api.PodRunning), secs(15)) // other node pulls again
	k, _ := w.m.Kubelet("n1")
	if !k.HasImage("nginx:1.25") || !k.HasImage("index.docker.io/library/nginx:1.25") || k.HasImage("nginx") {
		t.Error("n1 image cache wrong")
	}
	if got := w.events("already present"); len(got) != 1 || !strings.Contains(got[0], `Container image "docker.io/library/nginx:1.25" already present on machine`) {
		t.Errorf("already-present events = %q", got)
	}
}

func TestNodeImagesAreCached(t *testing.T) {
	w := newWorld(t, catalogue())
	w.addNode("n1", 4000, withImages("docker.io/library/redis:latest"))
	w.addPod("p", "n1", specOf(100, "redis"))
	w.run(secs(60))
	w.wantTime("Running", "p", isPhase(api.PodRunning), secs(1))
}

func TestSerializedPulls(t *testing.T) {
	for _, serial := range []bool{true, false} {
		cfg := catalogue()
		cfg.SerializeImagePulls = serial
		w := newWorld(t, cfg)
		w.addNode("n1", 4000)
		w.addPod("a", "n1", specOf(100, "redis"))   // 2 s
		w.addPod("b", "n1", specOf(100, "busybox")) // 2 s, after redis when serial
		w.at(secs(1), func() { w.addPod("c", "n1", specOf(100, "redis")) })
		w.run(secs(60))
		w.wantTime("Running", "a", isPhase(api.PodRunning), secs(3))
		w.wantTime("Running", "c", isPhase(api.PodRunning), secs(3)) // joins the pull under way
		if serial {
			w.wantTime("Running", "b", isPhase(api.PodRunning), secs(5))
			if got := w.events("Successfully pulled image \"busybox\""); len(got) != 1 || !strings.Contains(got[0], "in 2s (4s including waiting)") {
				t.Errorf("busybox pull event = %q", got)
			}
		} else {
			w.wantTime("Running", "b", isPhase(api.PodRunning), secs(3))
		}
	}
}

func TestAdmissionRejectsWhatDoesNotFit(t *testing.T) {
	w := newWorld(t, catalogue())
	w.addNode("n1", 4000, withImages("redis"))
	w.addPod("big", "n1", specOf(3800, "redis"))
	w.addPod("extra", "n1", specOf(500, "redis"))
	w.run(secs(10))
	if p := w.pod("big"); p.Status.Phase != api.PodRunning {
		t.Fatalf("big phase = %s", p.Status.Phase)
	}
	p := w.pod("extra")
	if p.Status.Phase != api.PodFailed || p.Status.Reason != "OutOfcpu" ||
		p.Status.Message != "Pod was rejected: Node didn't have enough resource: cpu, requested: 500, used: 3800, capacity: 4000" {
		t.Errorf("extra status = %s %q %q", p.Status.Phase, p.Status.Reason, p.Status.Message)
	}
	if got := w.events("OutOfcpu"); len(got) != 1 {
		t.Errorf("OutOfcpu events = %q", got)
	}
	k, _ := w.m.Kubelet("n1")
	if k.ActivePods() != 1 || k.Allocated().MilliCPU != 3800 {
		t.Errorf("kubelet counts %d pods, %dm", k.ActivePods(), k.Allocated().MilliCPU)
	}
}

func TestFitReasons(t *testing.T) {
	node := &api.Node{AllowedPods: 2, Allocatable: api.Resources{MilliCPU: 1000, Memory: 1000, EphemeralStorage: 1000,
		Scalar: []api.Scalar{{Name: "example.com/foo", Value: 2}}}}
	used := api.Resources{MilliCPU: 600, Memory: 600, EphemeralStorage: 600, Scalar: []api.Scalar{{Name: "example.com/foo", Value: 1}}}
	tests := []struct {
		name        string
		count       int64
		req         api.Resources
		reason, msg string
	}{
		{"fits", 1, api.Resources{MilliCPU: 400, Memory: 400}, "", ""},
		{"pods first", 2, api.Resources{MilliCPU: 9999}, "OutOfpods", "Node didn't have enough resource: pods, requested: 1, used: 2, capacity: 2"},
		{"memory", 1, api.Resources{MilliCPU: 400, Memory: 401}, "OutOfmemory", "Node didn't have enough resource: memory, requested: 401, used: 600, capacity: 1000"},
		{"ephemeral", 1, api.Resources{EphemeralStorage: 500}, "OutOfephemeral-storage", "Node didn't have enough resource: ephemeral-storage, requested: 500, used: 600, capacity: 1000"},
		{"extended", 1, api.Resources{Scalar: []api.Scalar{{Name: "example.com/foo", Value: 2}}}, "OutOfexample.com/foo", "Node didn't have enough resource: example.com/foo, requested: 2, used: 1, capacity: 2"},
		{"unknown extended ignored", 1, api.Resources{Scalar: []api.Scalar{{Name: "example.com/bar", Value: 5}}}, "", ""},
		{"hugepages not ignored", 1, api.Resources{Scalar: []api.Scalar{{Name: "hugepages-2Mi", Value: 5}}}, "OutOfhugepages-2Mi", "Node didn't have enough resource: hugepages-2Mi, requested: 5, used: 0, capacity: 0"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			k := &Kubelet{used: used, count: tc.count}
			reason, msg := k.fit(tc.req, node)
			if reason != tc.reason || msg != tc.msg {
				t.Errorf("fit = %q %q, want %q %q", reason, msg, tc.reason, tc.msg)
			}
		})
	}
	if r, _ := (&Kubelet{count: 109}).fit(api.Resources{}, &api.Node{}); r != "" {
		t.Errorf("unset AllowedPods must mean 110, got %s at 110th pod", r)
	}
	if r, _ := (&Kubelet{count: 110}).fit(api.Resources{}, &api.Node{}); r != "OutOfpods" {
		t.Errorf("111th pod: %q, want OutOfpods", r)
	}
}

func TestFinishedPodsReleaseResources(t *testing.T) {
	w := newWorld(t, catalogue())
	w.addNode("n1", 4000, withPods(1), withImages("redis"))
	s := specOf(100, "redis")
	s.RestartPolicy, s.RunDuration = api.RestartNever, 30*time.Second
	w.addPod("job", "n1", s)
	w.at(secs(10), func() { w.addPod("early", "n1", specOf(100, "redis")) })
	w.at(secs(40), func() { w.addPod("late", "n1", specOf(100, "redis")) })
	w.run(secs(100))
	if p := w.pod("early"); p.Status.Reason != "OutOfpods" {
		t.Errorf("early: %s %q", p.Status.Phase, p.Status.Reason)
	}
	w.wantTime("Succeeded", "job", isPhase(api.PodSucceeded), secs(31))
	w.wantTime("Running", "late", isPhase(api.PodRunning), secs(41))
	p := w.pod("job")
	if p.IsReady() || p.Status.ContainerStatuses[0].State != api.ContainerTerminated || p.Status.ContainerStatuses[0].Reason != "Completed" {
		t.Errorf("succeeded pod status = %+v", p.Status)
	}
}

func TestReadinessProbeDelaysReady(t *testing.T) {
	w := newWorld(t, catalogue())
	w.addNode("n1", 4000, withImages("redis", "busybox"))
	s := &api.PodSpec{RestartPolicy: api.RestartAlways, Containers: []api.Container{
		{Name: "web", Image: "redis", ReadinessProbe: &api.Probe{InitialDelaySeconds: 10, PeriodSeconds: 5, SuccessThreshold: 3, TimeoutSeconds: 1, FailureThreshold: 3}},
		{Name: "side", Image: "busybox", ReadinessProbe: &api.Probe{InitialDelaySeconds: 4, PeriodSeconds: 10, SuccessThreshold: 1, TimeoutSeconds: 1, FailureThreshold: 3}},
	}}
	s.Compile()
	w.addPod("p", "n1", s)
	w.run(secs(100))
	// Start at 1 s; web's 3rd success at 1+10+2*5 = 21 s.
	w.wantTime("Running", "p", isPhase(api.PodRunning), secs(1))
	w.wantTime("Ready", "p", isReady, secs(21))
	if cs := w.pod("p").Status.ContainerStatuses; !cs[0].Ready || !cs[1].Ready {
		t.Errorf("containers not ready: %+v", cs)
	}
}

func TestInitContainersRunFirst(t *testing.T) {
	w := newWorld(t, catalogue())
	w.addNode("n1", 4000, withImages("redis", "busybox"))
	s := &api.PodSpec{RestartPolicy: api.RestartAlways,
		InitContainers: []api.Container{{Name: "init", Image: "busybox"}, {Name: "proxy", Image: "busybox", RestartPolicy: api.RestartAlways}},
		Containers:     []api.Container{{Name: "app", Image: "redis"}}}
	s.Compile()
	w.addPod("p", "n1", s)
	w.run(secs(10))
	w.wantTime("Running", "p", isPhase(api.PodRunning), secs(3))
	p := w.pod("p")
	if c := api.FindCondition(p.Status.Conditions, api.PodInitialized); c == nil || c.Status != api.ConditionTrue || c.LastTransitionTime != secs(2) {
		t.Errorf("Initialized = %+v, want True since 2s", c)
	}
	first := w.pods["default/p"][1].pod // the admission write
	if c := api.FindCondition(first.Status.Conditions, api.PodInitialized); c == nil || c.Status != api.ConditionFalse || c.Message != "containers with incomplete status: [init proxy]" {
		t.Errorf("Initialized at admission = %+v", c)
	}
}

// restartTimes returns when the pod's restart count went up, in order.
func (w *world) restartTimes(name string) []sim.Time {
	var out []sim.Time
	var last int32
	for _, s := range w.pods["default/"+name] {
		if !s.deleted && s.restarts > last {
			out = append(out, s.at)
			last = s.restarts
		}
	}
	return out
}

func TestRestartBackoff(t *testing.T) {
	w := newWorld(t, catalogue())
	w.addNode("n1", 4000, withImages("redis"))
	s := specOf(100, "redis")
	s.RunDuration = 5 * time.Second
	w.addPod("p", "n1", s)
	w.run(secs(1000))
	// Start at 1 s, each run 5 s. Upstream's back-off: the first exit restarts
	// at once, then 10 s doubling, capped at 300 s.
	var want []sim.Time
	at := secs(1)
	for _, delay := range []float64{0, 10, 20, 40, 80, 160, 300, 300} {
		at += secs(5) + secs(delay)
		want = append(want, at)
	}
	if got := w.restartTimes("p"); !reflect.DeepEqual(got, want) {
		t.Errorf("restarts at %v, want %v", got, want)
	}
	// In back-off the containers wait in CrashLoopBackOff and the pod is not ready.
	for _, snap := range w.pods["default/p"] {
		if snap.at == secs(11) {
			cs := snap.pod.Status.ContainerStatuses[0]
			if snap.phase != api.PodRunning || snap.ready || cs.State != api.ContainerWaiting || cs.Reason != "CrashLoopBackOff" {
				t.Errorf("at 11s: %s ready=%v %+v", snap.phase, snap.ready, cs)
			}
		}
	}
	if got := w.pod("p").MaxRestarts(); got != 8 {
		t.Errorf("restart count %d, want 8", got)
	}
}

func TestRestartBackoffResetsAfterLongRun(t *testing.T) {
	w := newWorld(t, catalogue())
	w.addNode("n1", 4000, withImages("redis"))
	s := specOf(100, "redis")
	s.RunDuration = 700 * time.Second
	w.addPod("p", "n1", s)
	w.run(secs(2200))
	want := []sim.Time{secs(701), secs(1401), secs(2101)}
	if got := w.restartTimes("p"); !reflect.DeepEqual(got, want) {
		t.Errorf("restarts at %v, want %v", got, want)
	}
}

func TestGracefulDeletion(t *testing.T) {
	w := newWorld(t, catalogue())
	w.addNode("n1", 4000, withImages("redis"))
	w.addPod("run", "n1", specOf(100, "redis"))
	w.addPod("short", "n1", specOf(100, "redis"))
	w.addPod("pending", "n1", specOf(100, "nginx:1.25")) // pulling for 4 s
	w.at(secs(2), func() {
		w.deletePod("pending", nil)
		w.deletePod("short", nil)
	})
	w.at(secs(100), func() { w.deletePod("run", nil) })
	w.run(secs(200))
	w.wantTime("deleted", "pending", isDeleted, secs(2))
	w.wantTime("deleted", "short", isDeleted, secs(32))
	w.wantTime("deleted", "run", isDeleted, secs(130))
	if got := w.events("Stopping container c0"); len(got) != 2 {
		t.Errorf("Killing events = %q", got)
	}
	k, _ := w.m.Kubelet("n1")
	if k.ActivePods() != 0 || k.Allocated().MilliCPU != 0 {
		t.Errorf("kubelet still counts %d pods", k.ActivePods())
	}
	if w.eng.Pending() != 0 {
		t.Errorf("%d events pending, want 0", w.eng.Pending())
	}
	if !k.HasImage("nginx:1.25") {
		t.Error("a pull whose pod was deleted must still fill the cache")
	}
}

func TestDeletionDeadlineShortened(t *testing.T) {
	w := newWorld(t, catalogue())
	w.addNode("n1", 4000, withImages("redis"))
	w.addPod("p", "n1", specOf(100, "redis"))
	w.at(secs(10), func() { w.deletePod("p", nil) })
	w.at(secs(20), func() {
		five := int64(5)
		w.deletePod("p", &five)
	})
	w.run(secs(100))
	w.wantTime("deleted", "p", isDeleted, secs(25))
}

func TestFinishedPodDeletedAtOnce(t *testing.T) {
	w := newWorld(t, catalogue())
	w.addNode("n1", 4000, withImages("redis"))
	s := specOf(100, "redis")
	s.RestartPolicy, s.RunDuration = api.RestartOnFailure, 5*time.Second
	w.addPod("p", "n1", s)
	w.at(secs(10), func() { w.deletePod("p", nil) })
	w.run(secs(100))
	w.wantTime("Succeeded", "p", isPhase(api.PodSucceeded), secs(6))
	w.wantTime("deleted", "p", isDeleted, secs(10))
}

func TestNodeReadyOnRegistration(t *testing.T) {
	w := newWorld(t, catalogue())
	w.at(secs(3), func() {
		w.addNode("fresh", 4000)
		w.addNode("down", 4000, withConditions(api.Condition{Type: api.NodeReady, Status: api.ConditionFalse, Reason: "Test"}))
	})
	w.run(secs(10))
	n, _ := w.st.Nodes.Get("", "fresh")
	c := api.FindCondition(n.Conditions, api.NodeReady)
	if c == nil || c.Status != api.ConditionTrue || c.Reason != "KubeletReady" || c.LastTransitionTime != secs(3) {
		t.Errorf("fresh Ready = %+v", c)
	}
	if n, _ := w.st.Nodes.Get("", "down"); n.IsReady() || len(n.Conditions) != 1 || n.Conditions[0].Reason != "Test" {
		t.Errorf("down node changed: %+v", n.Conditions)
	}
	var nodeWrites int
	for _, l := range w.log {
		if strings.Contains(l, "kubelet/") && strings.Contains(l, " Node ") {
			nodeWrites++
		}
	}
	if nodeWrites != 1 {
		t.Errorf("%d kubelet node writes, want 1 (no heartbeats)", nodeWrites)
	}
}

func TestNodeDeletionStopsKubelet(t *testing.T) {
	w := newWorld(t, catalogue())
	w.addNode("n1", 4000)
	s := specOf(100, "nginx:1.25")
	s.RunDuration = time.Hour
	w.addPod("p", "n1", s)
	w.at(secs(1), func() {
		if err := w.st.Nodes.Delete("test", "", "n1", store.DeleteOptions{}, "Delete"); err != nil {
			t.Fatal(err)
		}
	})
	w.run(secs(2))
	if _, ok := w.m.Kubelet("n1"); ok {
		t.Error("kubelet still running for a deleted node")
	}
	if w.eng.Pending() != 0 {
		t.Errorf("%d events pending after node deletion", w.eng.Pending())
	}
	// A node re-created with the same name gets a new kubelet that takes up
	// the pod bound to it.
	w.at(secs(5), func() { w.addNode("n1", 4000) })
	w.run(secs(20))
	w.wantTime("Running", "p", isPhase(api.PodRunning), secs(10))
}

func TestPodsBoundBeforeStartAndLaterBinding(t *testing.T) {
	w := newWorldUnstarted(t, catalogue())
	w.addNode("n1", 4000, withImages("redis"))
	w.addPod("early", "n1", specOf(100, "redis"))
	w.addPod("unbound", "", specOf(100, "redis"))
	w.m.Start()
	w.at(secs(5), func() {
		p := w.pod("unbound").Clone()
		p.NodeName = "n1"
		if _, err := w.st.Pods.Update("scheduler", p, "Bind"); err != nil {
			t.Fatal(err)
		}
	})
	w.run(secs(20))
	w.wantTime("Running", "early", isPhase(api.PodRunning), secs(1))
	w.wantTime("Running", "unbound", isPhase(api.PodRunning), secs(6))
}

func TestDeterministicLog(t *testing.T) {
	for _, latency := range []time.Duration{0, 700 * time.Millisecond} {
		t.Run(latency.String(), func(t *testing.T) { testDeterministicLog(t, latency) })
	}
}

func testDeterministicLog(t *testing.T, latency time.Duration) {
	runOnce := func() []string {
		cfg := catalogue()
		w := newWorldLatency(t, cfg, latency)
		w.m.Start()
		for i, n := range []string{"a", "b", "c"} {
			w.addNode(n, int64(1000*(i+1)), withImages("busybox"))
		}
		probe := &api.Probe{InitialDelaySeconds: 3, PeriodSeconds: 2, SuccessThreshold: 2}
		specs := []*api.PodSpec{specOf(300, "redis"), specOf(200, "nginx:1.25", "busybox"), specOf(700, "busybox")}
		specs[0].RunDuration = 7 * time.Second
		specs[1].RestartPolicy, specs[1].RunDuration = api.RestartNever, 20*time.Second
		ready := &api.PodSpec{RestartPolicy: api.RestartAlways, TerminationGracePeriodSeconds: 10,
			Containers: []api.Container{{Name: "web", Image: "redis", ReadinessProbe: probe}}}
		ready.Compile()
		specs = append(specs, ready)
		for i := range 24 {
			name := string(rune('a'+i%26)) + "-" + string(rune('0'+i/10)) + string(rune('0'+i%10))
			w.eng.AtFunc(secs(float64(i)/2), func(sim.Time) { w.addPod(name, []string{"a", "b", "c"}[i%3], specs[i%len(specs)]) })
			if i%5 == 0 {
				w.eng.AtFunc(secs(float64(i)/2+3), func(sim.Time) { w.deletePod(name, nil) })
			}
		}
		w.run(secs(600))
		if w.st.Pods.Len() != 19 {
			t.Errorf("%d pods left, want 19 (5 deleted)", w.st.Pods.Len())
		}
		for _, p := range w.st.Pods.List("", nil) {
			if p.Status.Phase != api.PodRunning && p.Status.Phase != api.PodSucceeded && p.Status.Reason != "OutOfcpu" {
				t.Errorf("pod %s: %s %s", p.Name, p.Status.Phase, p.Status.Reason)
			}
		}
		return w.log
	}
	a, b := runOnce(), runOnce()
	if !reflect.DeepEqual(a, b) {
		t.Fatal("two runs of the same scenario wrote different logs")
	}
	if len(a) < 50 {
		t.Fatalf("suspiciously short log (%d lines)", len(a))
	}
}
