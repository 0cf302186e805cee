package kubelet_test

import (
	"testing"
	"time"

	"github.com/kubesim/kubesim/controllers"
	"github.com/kubesim/kubesim/scheduler"
	"github.com/kubesim/kubesim/sim"
	"github.com/kubesim/kubesim/sim/api"
	"github.com/kubesim/kubesim/sim/kubelet"
	"github.com/kubesim/kubesim/sim/store"
)

func at(s float64) sim.Time { return sim.Time(s * float64(time.Second)) }

// cluster starts an engine, a store, two 4-cpu nodes, their kubelets, the
// scheduler and the controllers, and a ReplicaSet "web" of replicas pods
// with the given annotations.
func cluster(t *testing.T, replicas int32, ann map[string]string) (*sim.Engine, *store.Store, *kubelet.Manager) {
	t.Helper()
	eng := sim.NewEngine(1, 0)
	st := store.New(eng, store.Options{})
	for _, name := range []string{"n1", "n2"} {
		r := api.Resources{MilliCPU: 4000, Memory: 8 << 30}
		if _, err := st.Nodes.Create("test", &api.Node{ObjectMeta: api.ObjectMeta{Name: name,
			Labels: map[string]string{api.LabelHostname: name}}, Capacity: r, Allocatable: r, AllowedPods: 110}, "Create"); err != nil {
			t.Fatal(err)
		}
	}
	m := kubelet.NewManager(eng, st, kubelet.DefaultConfig())
	m.Start()
	s, err := scheduler.New(eng, st, *scheduler.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	s.Start()
	controllers.Start(eng, st, controllers.DefaultOptions())
	spec := &api.PodSpec{SchedulerName: api.DefaultSchedulerName, RestartPolicy: api.RestartAlways, TerminationGracePeriodSeconds: 30,
		Containers: []api.Container{{Name: "app", Image: "nginx", Requests: api.Resources{MilliCPU: 500, Memory: 256 << 20},
			HasCPURequest: true, HasMemoryRequest: true,
			LivenessProbe: &api.Probe{PeriodSeconds: 10, SuccessThreshold: 1, FailureThreshold: 3, TimeoutSeconds: 1}}}}
	spec.Compile()
	labels := map[string]string{"app": "web"}
	sel := api.SelectorFromMap(labels)
	if _, err := st.ReplicaSets.Create("test", &api.ReplicaSet{ObjectMeta: api.ObjectMeta{Namespace: "default", Name: "web"},
		Replicas: replicas, Selector: sel, Template: &api.PodTemplate{Labels: labels, Annotations: ann, Spec: spec}}, "Create"); err != nil {
		t.Fatal(err)
	}
	return eng, st, m
}

// TestE2ELivenessRestartsInPlace: a liveness probe failing after 60 s of run
// restarts the ReplicaSet's pods in place: the controller replaces nothing.
func TestE2ELivenessRestartsInPlace(t *testing.T) {
	eng, st, _ := cluster(t, 4, map[string]string{api.AnnotationLivenessFailAfter: "60s"})
	eng.Run(at(600))
	pods := st.Pods.List("default", nil)
	if len(pods) != 4 {
		t.Fatalf("%d pods, want 4 (restarted in place, not replaced)", len(pods))
	}
	for _, p := range pods {
		if p.MaxRestarts() < 3 || p.Status.Phase != api.PodRunning {
			t.Errorf("%s: %s with %d restarts", p.Name, p.Status.Phase, p.MaxRestarts())
		}
		if lt := p.Status.ContainerStatuses[0].LastTermination; lt == nil || lt.ExitCode != 137 {
			t.Errorf("%s: last termination %+v", p.Name, lt)
		}
	}
}

// TestE2ECrashedNodeIsReplaced: after a crash the node's lease goes stale;
// 50 s later (the node monitor grace period) the node lifecycle controller
// marks the node Unknown and taints it; the taint manager evicts its pods
// after their 300 s toleration and the ReplicaSet replaces them on the other
// node: all 4 replicas ready again within 6 minutes of the crash, not
// before 350 s.
func TestE2ECrashedNodeIsReplaced(t *testing.T) {
	eng, st, m := cluster(t, 4, nil)
	eng.Run(at(60))
	onN1 := st.Pods.CountByIndex(store.IndexNode, "n1")
	if onN1 == 0 {
		t.Fatal("no pod on n1")
	}
	if err := m.Crash("n1"); err != nil {
		t.Fatal(err)
	}
	readyOnN2 := func() int {
		ready := 0
		for _, p := range st.Pods.List("default", nil) {
			if p.NodeName == "n2" && p.IsReady() && !p.IsDeleting() {
				ready++
			}
		}
		return ready
	}
	eng.Run(at(60 + 349))
	if got := readyOnN2(); got != 4-onN1 {
		t.Errorf("%d ready pods on n2 349 s after the crash, want %d (none replaced yet)", got, 4-onN1)
	}
	n, _ := st.Nodes.Get("", "n1")
	if c := api.FindCondition(n.Conditions, api.NodeReady); c == nil || c.Status != api.ConditionUnknown || c.LastTransitionTime != at(110) {
		t.Errorf("n1 Ready = %+v, want Unknown since 110 s", c)
	}
	eng.Run(at(60 + 360))
	if got := readyOnN2(); got != 4 {
		t.Errorf("%d ready pods on n2 6 minutes after n1 crashed, want 4", got)
	}
}
