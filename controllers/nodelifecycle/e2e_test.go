package nodelifecycle_test

import (
	"testing"
	"time"

	"github.com/kubesim/kubesim/controllers"
	"github.com/kubesim/kubesim/controllers/nodelifecycle"
	"github.com/kubesim/kubesim/controllers/tainteviction"
	"github.com/kubesim/kubesim/scheduler"
	"github.com/kubesim/kubesim/sim"
	"github.com/kubesim/kubesim/sim/api"
	"github.com/kubesim/kubesim/sim/kubelet"
	"github.com/kubesim/kubesim/sim/store"
)

func at(s float64) sim.Time { return sim.Time(s * float64(time.Second)) }

// TestNodeCrashEndToEnd: a ReplicaSet of 6 on 3 nodes, with the scheduler,
// the kubelets and every controller. n1's kubelet stops just before its
// 600 s renewal: its Lease is written with Renewing false and RenewTime
// 590 s. Hand-derived timeline (monitor ticks every 5 s from 0, sync
// latency 10 ms):
//
//	590 s      last renewal, seen at the 590 s tick
//	640 s      Ready=Unknown (590 + 50), the pods on n1 not ready
//	640.010 s  unreachable:NoSchedule (the NoSchedule pass, one sync later)
//	645 s      unreachable:NoExecute (the next pass sees Unknown; token)
//	645.010 s  the taint eviction controller sees it: deletions at +300 s
//	945.010 s  n1's pods get DisruptionTarget and are deleted
//	945.020 s  the ReplicaSet creates their replacements, which run on n2/n3
func TestNodeCrashEndToEnd(t *testing.T) {
	eng := sim.NewEngine(1, 0)
	st := store.New(eng, store.Options{})
	kubelet.NewManager(eng, st, kubelet.DefaultConfig()).Start()
	sched, err := scheduler.New(eng, st, *scheduler.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	sched.Start()
	m := controllers.Start(eng, st, controllers.DefaultOptions())
	_ = m

	var readyUnknown, noSchedule, noExecute sim.Time
	deleted := map[string]sim.Time{}
	created := map[string]sim.Time{}
	st.OnWrite(func(w *store.Write) {
		switch w.Kind {
		case api.KindNode:
			n, ok := w.New.(*api.Node)
			if !ok || n.Name != "n1" || w.Verb == store.VerbEvent {
				return
			}
			if c := api.FindCondition(n.Conditions, api.NodeReady); c != nil && c.Status == api.ConditionUnknown && readyUnknown == 0 {
				readyUnknown = w.Time
			}
			for _, tt := range n.Taints {
				if tt.Key == api.TaintNodeUnreachable && tt.Effect == api.TaintNoSchedule && noSchedule == 0 {
					noSchedule = *tt.TimeAdded
				}
				if tt.Key == api.TaintNodeUnreachable && tt.Effect == api.TaintNoExecute && noExecute == 0 {
					noExecute = *tt.TimeAdded
				}
			}
		case api.KindPod:
			if w.Verb == store.VerbCreate {
				created[w.Key] = w.Time
			}
			if w.Verb == store.VerbDelete && w.New != nil && w.Component == tainteviction.Component {
				deleted[w.Key] = w.Time
			}
		}
	})

	for _, name := range []string{"n1", "n2", "n3"} {
		if _, err := st.Nodes.Create("test", &api.Node{ObjectMeta: api.ObjectMeta{Name: name, Labels: map[string]string{api.LabelHostname: name}},
			AllowedPods: 110, Capacity: api.Resources{MilliCPU: 4000, Memory: 8 << 30}, Allocatable: api.Resources{MilliCPU: 4000, Memory: 8 << 30}}, "test"); err != nil {
			t.Fatal(err)
		}
	}
	spec := &api.PodSpec{RestartPolicy: api.RestartAlways, TerminationGracePeriodSeconds: 30, SchedulerName: api.DefaultSchedulerName,
		Containers: []api.Container{{Name: "app", Image: "nginx", Requests: api.Resources{MilliCPU: 500, Memory: 256 << 20},
			HasCPURequest: true, HasMemoryRequest: true}}}
	spec.Compile()
	labels := map[string]string{"app": "web"}
	if _, err := st.ReplicaSets.Create("test", &api.ReplicaSet{ObjectMeta: api.ObjectMeta{Name: "web", Namespace: "default"},
		Replicas: 6, Selector: api.SelectorFromMap(labels), Template: &api.PodTemplate{Labels: labels, Spec: spec}}, "test"); err != nil {
		t.Fatal(err)
	}

	eng.Run(at(600))
	onN1 := st.Pods.ByIndex(store.IndexNode, "n1")
	if n := st.Pods.Len(); n != 6 || len(onN1) == 0 {
		t.Fatalf("%d pods, %d on n1 before the crash", n, len(onN1))
	}
	for _, p := range st.Pods.List("", nil) {
		if p.Status.Phase != api.PodRunning || !p.IsReady() {
			t.Fatalf("pod %s %s ready=%v before the crash", p.Name, p.Status.Phase, p.IsReady())
		}
	}
	l, ok := st.Leases.Get(api.NodeLeaseNamespace, "n1")
	if !ok || !l.Renewing || l.RenewTimeAt(at(600)) != at(600) {
		t.Fatalf("n1 lease %+v: want renewing every 10 s from 0", l)
	}
	cl := l.Clone()
	cl.Renewing, cl.RenewTime = false, at(590)
	if _, err := st.Leases.Update("test", cl, "test"); err != nil {
		t.Fatal(err)
	}

	eng.Run(at(641))
	if readyUnknown != at(640) {
		t.Fatalf("Ready=Unknown at %v, want 640s", readyUnknown)
	}
	for _, p := range onN1 {
		if cur, _ := st.Pods.GetKey(p.Key()); cur.IsReady() {
			t.Fatalf("pod %s still ready after its node went Unknown", p.Name)
		}
	}
	if noSchedule != at(640.010) {
		t.Fatalf("unreachable:NoSchedule at %v, want 640.01s", noSchedule)
	}
	eng.Run(at(1200))
	if noExecute != at(645) {
		t.Fatalf("unreachable:NoExecute at %v, want 645s", noExecute)
	}
	for _, p := range onN1 {
		if d, ok := deleted[p.Key()]; !ok || d != noExecute+at(300.010) {
			t.Fatalf("pod %s deleted at %v (%v), want %v", p.Name, d, ok, noExecute+at(300.010))
		}
	}
	// Six pods again, all Running and Ready, none on n1; the replacements
	// were created one ReplicaSet sync after the deletions.
	var running int
	for _, p := range st.Pods.List("", nil) {
		if p.NodeName == "n1" {
			t.Fatalf("pod %s still on n1", p.Name)
		}
		if p.Status.Phase == api.PodRunning && p.IsReady() {
			running++
		}
		if c := created[p.Key()]; c > at(600) && c != at(945.020) {
			t.Fatalf("replacement %s created at %v, want 945.02s", p.Name, c)
		}
	}
	if running != 6 {
		t.Fatalf("%d pods running and ready, want 6", running)
	}
	if p := m.NodeLifecycle.Passes(); p > 12 {
		t.Fatalf("%d monitor passes in 1200 s, want a handful", p)
	}
	_ = nodelifecycle.Component
}
