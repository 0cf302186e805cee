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

func TestLeaseOnRegistration(t *testing.T) {
	w := newWorld(t, catalogue())
	w.at(secs(3), func() { w.addNode("n1", 4000) })
	w.run(secs(100))
	l := w.lease("n1")
	want := api.Lease{HolderIdentity: "n1", LeaseDurationSeconds: 40, AcquireTime: secs(3), RenewTime: secs(3),
		Renewing: true, RenewInterval: 10 * time.Second}
	got := *l
	got.ObjectMeta = api.ObjectMeta{}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("lease = %+v, want %+v", got, want)
	}
	if o := l.OwnerReferences; len(o) != 1 || o[0].Kind != api.KindNode || o[0].Name != "n1" || o[0].UID != w.node("n1").UID {
		t.Errorf("owner references = %+v", o)
	}
	if got := l.RenewTimeAt(secs(99)); got != secs(93) {
		t.Errorf("renew time at 99 s = %v, want 93s", got)
	}
	// Heartbeats are not events: one lease write in 100 s.
	if got := w.writesBy("kubelet/n1", 0, secs(100)); len(got) != 2 { // NodeReady + lease
		t.Errorf("kubelet writes:\n%s", strings.Join(got, "\n"))
	}
}

func TestCrash(t *testing.T) {
	w := newWorld(t, catalogue())
	w.addNode("n1", 4000, withImages("redis"))
	s := specOf(100, "redis")
	s.RunDuration = 20 * time.Second
	w.addPod("p", "n1", s)
	w.at(secs(25), func() { w.must(w.m.Crash("n1")) })
	w.run(secs(500))
	// Renewals at 0, 10, 20: frozen at 20 s.
	l := w.lease("n1")
	if l.Renewing || l.RenewTime != secs(20) || l.RenewTimeAt(secs(500)) != secs(20) {
		t.Errorf("lease after crash = %+v", l)
	}
	if got := w.writesBy("kubelet/n1", secs(25), secs(500)); len(got) != 1 || !strings.Contains(got[0], "Lease") {
		t.Errorf("writes after the crash:\n%s", strings.Join(got, "\n"))
	}
	if p := w.pod("p"); p.Status.Phase != api.PodRunning || !p.IsReady() || p.MaxRestarts() != 1 {
		t.Errorf("pod after crash = %s ready=%v restarts=%d, want as it was", p.Status.Phase, p.IsReady(), p.MaxRestarts())
	}
	if _, ok := w.m.Kubelet("n1"); ok {
		t.Error("kubelet still reported running")
	}
	if w.eng.Pending() != 0 {
		t.Errorf("%d events pending after a crash", w.eng.Pending())
	}
	if err := w.m.Crash("n1"); err == nil || !strings.Contains(err.Error(), `node "n1" is down`) {
		t.Errorf("second crash: %v", err)
	}
	if err := w.m.Partition("nope"); err == nil || !strings.Contains(err.Error(), `no node "nope"`) {
		t.Errorf("unknown node: %v", err)
	}
	// A node update (the control plane marking it) does not restart it.
	n := w.node("n1").Clone()
	n.Conditions = api.SetCondition(n.Conditions, api.Condition{Type: api.NodeReady, Status: api.ConditionUnknown, Reason: "NodeStatusUnknown"})
	if _, err := w.st.Nodes.Update("node-controller", n, "Unknown"); err != nil {
		t.Fatal(err)
	}
	w.run(secs(600))
	if _, ok := w.m.Kubelet("n1"); ok {
		t.Error("a node update restarted a crashed kubelet")
	}
}

func TestCrashThenRecover(t *testing.T) {
	w := newWorld(t, catalogue())
	w.addNode("n1", 4000, withImages("redis"))
	w.addPod("web", "n1", specOf(100, "redis"))
	never := specOf(100, "redis")
	never.RestartPolicy = api.RestartNever
	w.addPod("job", "n1", never)
	w.addPod("cold", "n1", specOf(100, "nginx:1.25")) // pulled by 4 s
	w.addPod("gone", "n1", specOf(100, "redis"))
	w.addPod("slow", "n1", specOf(100, "busybox")) // 2 s pull, interrupted
	w.at(secs(1), func() { w.must(w.m.Crash("n1")) })
	w.run(secs(10))
	w.at(secs(20), func() {
		w.deletePod("gone", nil) // terminating: nobody confirms it
		// The control plane marks the node unknown meanwhile.
		n := w.node("n1").Clone()
		n.Conditions = api.SetCondition(n.Conditions, api.Condition{Type: api.NodeReady, Status: api.ConditionUnknown, Reason: "NodeStatusUnknown"})
		if _, err := w.st.Nodes.Update("node-controller", n, "Unknown"); err != nil {
			t.Fatal(err)
		}
	})
	w.at(secs(100), func() { w.must(w.m.Recover("n1")) })
	w.run(secs(200))
	// At the crash (1 s) web, job and gone had started; cold and slow were
	// pulling.
	w.wantTime("deleted", "gone", isDeleted, secs(100))
	web := w.pod("web")
	if web.Status.Phase != api.PodRunning || web.MaxRestarts() != 1 || *web.Status.ContainerStatuses[0].StartedAt != secs(101) {
		t.Errorf("web = %s restarts %d %+v", web.Status.Phase, web.MaxRestarts(), web.Status.ContainerStatuses)
	}
	if lt := web.Status.ContainerStatuses[0].LastTermination; lt == nil || lt.Reason != "ContainerStatusUnknown" || lt.ExitCode != 137 {
		t.Errorf("web last termination %+v", lt)
	}
	if *web.Status.StartTime != 0 {
		t.Errorf("web StartTime changed to %v", *web.Status.StartTime)
	}
	job := w.pod("job")
	if job.Status.Phase != api.PodFailed || job.Status.ContainerStatuses[0].Reason != "ContainerStatusUnknown" {
		t.Errorf("job = %s %+v", job.Status.Phase, job.Status.ContainerStatuses)
	}
	w.wantTime("Failed", "job", isPhase(api.PodFailed), secs(100))
	// The fresh kubelet's cache holds only the node's images: nginx is
	// pulled again (4 s), busybox too (2 s, after nginx).
	if cold := w.pod("cold"); cold.Status.Phase != api.PodRunning || cold.MaxRestarts() != 0 || *cold.Status.ContainerStatuses[0].StartedAt != secs(105) {
		t.Errorf("cold = %s %+v", cold.Status.Phase, cold.Status.ContainerStatuses)
	}
	if slow := w.pod("slow"); *slow.Status.ContainerStatuses[0].StartedAt != secs(107) {
		t.Errorf("slow = %+v", slow.Status.ContainerStatuses)
	}
	if l := w.lease("n1"); !l.Renewing || l.RenewTime != secs(100) {
		t.Errorf("lease after recovery = %+v", l)
	}
	if c := api.FindCondition(w.node("n1").Conditions, api.NodeReady); c == nil || c.Status != api.ConditionTrue || c.Reason != "KubeletReady" || c.LastTransitionTime != secs(100) {
		t.Errorf("Ready after recovery = %+v", c)
	}
	if err := w.m.Recover("n1"); err == nil {
		t.Error("Recover of a running node succeeded")
	}
}

func TestPartitionThenHeal(t *testing.T) {
	w := newWorld(t, catalogue())
	w.addNode("n1", 4000, withImages("redis"))
	w.addPod("evicted", "n1", specOf(100, "redis"))
	w.addPod("terminating", "n1", specOf(100, "redis"))
	flappy := specOf(100, "redis")
	flappy.RunDuration = 25 * time.Second
	w.addPod("flappy", "n1", flappy)
	w.at(secs(10), func() { w.must(w.m.Partition("n1")) })
	w.at(secs(20), func() {
		zero := int64(0)
		// The control plane gives up on the node: one pod force-deleted
		// (its replacement runs elsewhere), one deleted with grace, one
		// marked not ready; a new pod is bound to the node.
		w.deletePod("evicted", &zero)
		w.deletePod("terminating", nil) // deadline 50 s
		p := w.pod("flappy").Clone()
		p.Status.Conditions = setConditions(p.Status.Conditions, secs(20), api.Condition{Type: api.PodReady, Status: api.ConditionFalse, Reason: "NodeLost"})
		if _, err := w.st.Pods.Update("node-controller", p, "MarkPodsNotReady"); err != nil {
			t.Fatal(err)
		}
		w.addPod("new", "n1", specOf(100, "redis"))
	})
	w.at(secs(60), func() { w.must(w.m.Heal("n1")) })
	w.run(secs(100))
	if l := w.lease("n1"); !l.Renewing || l.RenewTime != secs(60) {
		t.Errorf("lease after heal = %+v", l)
	}
	if got := w.writesBy("kubelet/n1", secs(10)+1, secs(60)-1); len(got) != 0 {
		t.Errorf("a partitioned kubelet wrote:\n%s", strings.Join(got, "\n"))
	}
	k, _ := w.m.Kubelet("n1")
	// The force-deleted pod's containers were killed at the heal: no
	// duplicate keeps running.
	if _, ok := k.pods[w.firstSnapUID("evicted")]; ok {
		t.Error("evicted pod still runs on the node after heal")
	}
	w.wantTime("deleted", "terminating", isDeleted, secs(60))
	// flappy exited at 26 and 51 (restarts at once, then 10 s back-off:
	// 61); at 60 the kubelet writes what it holds: Running, 1 restart
	// counted, in CrashLoopBackOff, not ready.
	var healed *api.Pod
	for _, s := range w.snaps("flappy") {
		if s.at == secs(60) {
			healed = s.pod
		}
	}
	if healed == nil || healed.MaxRestarts() != 1 || healed.Status.ContainerStatuses[0].Reason != "CrashLoopBackOff" {
		t.Fatalf("flappy at heal = %+v", healed)
	}
	if got := w.restartTimes("flappy"); !reflect.DeepEqual(got, []sim.Time{secs(60), secs(61)}) {
		t.Errorf("flappy restart counts written at %v", got)
	}
	for _, s := range w.snaps("flappy") {
		if s.at == secs(61) && (!s.ready || s.pod.Status.Phase != api.PodRunning) {
			t.Errorf("flappy at 61 s: %s ready=%v", s.pod.Status.Phase, s.ready)
		}
	}
	w.wantTime("Running", "new", isPhase(api.PodRunning), secs(61))
	if k.ActivePods() != 2 {
		t.Errorf("kubelet runs %d pods, want 2 (flappy, new)", k.ActivePods())
	}
}

// firstSnapUID returns the UID of the pod's first written state.
func (w *world) firstSnapUID(name string) api.UID {
	for _, s := range w.snaps(name) {
		if s.pod != nil {
			return s.pod.UID
		}
	}
	return ""
}

func TestHealWithNothingChangedWritesOnlyLeaseAndNothingElse(t *testing.T) {
	w := newWorld(t, catalogue())
	w.addNode("n1", 4000, withImages("redis"))
	w.addPod("p", "n1", specOf(100, "redis"))
	w.at(secs(10), func() { w.must(w.m.Partition("n1")) })
	w.at(secs(60), func() { w.must(w.m.Heal("n1")) })
	w.run(secs(100))
	got := w.writesBy("kubelet/n1", secs(5), secs(100))
	if len(got) != 2 || !strings.Contains(got[0], "Lease") || !strings.Contains(got[1], "Lease") {
		t.Errorf("writes:\n%s", strings.Join(got, "\n"))
	}
}

func TestGracefulShutdown(t *testing.T) {
	w := newWorld(t, catalogue())
	w.addNode("n1", 4000, withImages("redis"))
	regular := specOf(100, "redis") // grace 30 s
	quick := specOf(100, "redis")
	quick.TerminationGracePeriodSeconds = 5
	critical := specOf(100, "redis")
	critical.PriorityClassName = store.SystemNodeCritical
	done := specOf(100, "redis")
	done.RestartPolicy, done.RunDuration = api.RestartNever, 10*time.Second
	w.addPod("regular", "n1", regular)
	w.addPod("quick", "n1", quick)
	w.addPod("critical", "n1", critical)
	w.addPod("done", "n1", done)
	w.at(secs(100), func() { w.must(w.m.Shutdown("n1", 30*time.Second)) })
	w.at(secs(110), func() { w.addPod("late", "n1", specOf(100, "redis")) })
	w.run(secs(300))
	// Regular pods get min(grace, 30−10 s): quick stops at 105, regular at
	// 120; then the critical group min(30, 10 s): 130; then power off.
	w.wantTime("Failed", "quick", isPhase(api.PodFailed), secs(105))
	w.wantTime("Failed", "regular", isPhase(api.PodFailed), secs(120))
	w.wantTime("Failed", "critical", isPhase(api.PodFailed), secs(130))
	p := w.pod("regular")
	if p.Status.Reason != "Terminated" || p.Status.Message != "Pod was terminated in response to imminent node shutdown." {
		t.Errorf("regular status %q %q", p.Status.Reason, p.Status.Message)
	}
	if c := api.FindCondition(p.Status.Conditions, api.PodDisruptionTarget); c == nil || c.Status != api.ConditionTrue || c.Reason != "TerminationByKubelet" {
		t.Errorf("DisruptionTarget = %+v", c)
	}
	if cs := p.Status.ContainerStatuses[0]; cs.State != api.ContainerTerminated || cs.ExitCode != 137 {
		t.Errorf("container %+v", cs)
	}
	if d := w.pod("done"); d.Status.Phase != api.PodSucceeded || d.Status.Reason != "" {
		t.Errorf("done = %s %q", d.Status.Phase, d.Status.Reason)
	}
	if l := w.pod("late"); l.Status.Phase != api.PodFailed || l.Status.Reason != "NodeShutdown" || l.Status.Message != "Pod was rejected as the node is shutting down." {
		t.Errorf("late = %s %q %q", l.Status.Phase, l.Status.Reason, l.Status.Message)
	}
	c := api.FindCondition(w.node("n1").Conditions, api.NodeReady)
	if c == nil || c.Status != api.ConditionFalse || c.Reason != "KubeletNotReady" || c.Message != "node is shutting down" || c.LastTransitionTime != secs(100) {
		t.Errorf("node Ready = %+v", c)
	}
	if l := w.lease("n1"); l.Renewing || l.RenewTime != secs(130) {
		t.Errorf("lease = %+v, want frozen at 130 s", l)
	}
	if _, ok := w.m.Kubelet("n1"); ok {
		t.Error("kubelet still up after shutdown")
	}
	if got := w.writesBy("kubelet/n1", secs(131), secs(300)); len(got) != 0 {
		t.Errorf("writes after power-off:\n%s", strings.Join(got, "\n"))
	}
}

func TestRestartKubelet(t *testing.T) {
	w := newWorld(t, catalogue())
	w.addNode("n1", 4000, withImages("redis"))
	w.addPod("plain", "n1", specOf(100, "redis"))
	w.addPodWith("probed", "n1", probed(nil, probe(0, 5, 2, 3), nil))
	crashy := specOf(100, "redis")
	crashy.RunDuration = 30 * time.Second
	w.addPod("crashy", "n1", crashy)
	w.at(secs(100), func() { w.must(w.m.RestartKubelet("n1", 30*time.Second)) })
	w.run(secs(300))
	// probed: ready at 1+5 = 6. The restarted process probes at once at
	// 130: it needs two successes again, ready at 135.
	var times []sim.Time
	var ready []bool
	for _, s := range w.snaps("probed") {
		times, ready = append(times, s.at), append(ready, s.ready)
	}
	if want := []sim.Time{0, 0, secs(1), secs(6), secs(130), secs(135)}; !reflect.DeepEqual(times, want) || !reflect.DeepEqual(ready, []bool{false, false, false, true, false, true}) {
		t.Errorf("probed writes at %v ready %v", times, ready)
	}
	for _, s := range w.snaps("plain") {
		if s.at > secs(1) {
			t.Errorf("plain written at %v", s.at)
		}
	}
	// crashy runs 1–31, restarts at once, runs 31–61, back-off 10 s: 71–101
	// exits during the downtime: restarted when the process is back (130,
	// its back-off entry gone, not at 101+20), with a new entry of 10 s:
	// the exit at 160 restarts at 170.
	if got, want := w.restartTimes("crashy"), []sim.Time{secs(31), secs(71), secs(130), secs(170)}; !reflect.DeepEqual(got[:4], want) {
		t.Errorf("crashy restarts at %v, want %v", got, want)
	}
	if l := w.lease("n1"); !l.Renewing || l.RenewTime != secs(130) {
		t.Errorf("lease after restart = %+v", l)
	}
	var leaseWrites []string
	for _, l := range w.writesBy("kubelet/n1", secs(1), secs(300)) {
		if strings.Contains(l, " Lease ") {
			leaseWrites = append(leaseWrites, l)
		}
	}
	if len(leaseWrites) != 2 || !strings.HasPrefix(leaseWrites[0], "1m40s") || !strings.HasPrefix(leaseWrites[1], "2m10s") {
		t.Errorf("lease writes:\n%s", strings.Join(leaseWrites, "\n"))
	}
}

func TestReclaim(t *testing.T) {
	w := newWorld(t, catalogue())
	w.addNode("n1", 4000, withImages("redis"))
	w.addPod("p", "n1", specOf(100, "redis"))
	w.at(secs(50), func() { w.must(w.m.Reclaim("n1", 2*time.Minute)) })
	w.run(secs(400))
	n := w.node("n1")
	if !n.Unschedulable || len(n.Taints) != 1 || n.Taints[0].Key != TaintSpotInterruption || n.Taints[0].Effect != api.TaintNoSchedule {
		t.Errorf("node after notice: unschedulable=%v taints=%+v", n.Unschedulable, n.Taints)
	}
	// Shutdown at 170 with the default 30 s / 10 s: the pod stops at 190.
	w.wantTime("Failed", "p", isPhase(api.PodFailed), secs(190))
	if l := w.lease("n1"); l.Renewing || l.RenewTime != secs(190) {
		t.Errorf("lease = %+v", l)
	}
}
