package daemonset_test

import (
	"testing"
	"time"

	"github.com/kubesim/kubesim/controllers"
	"github.com/kubesim/kubesim/controllers/daemonset"
	"github.com/kubesim/kubesim/scheduler"
	"github.com/kubesim/kubesim/sim"
	"github.com/kubesim/kubesim/sim/api"
	"github.com/kubesim/kubesim/sim/kubelet"
	"github.com/kubesim/kubesim/sim/store"
)

// TestDaemonSetEndToEnd: on 5 nodes, one tainted NoSchedule, a DaemonSet
// gets 4 pods, bound by the scheduler through their node affinity and made
// Ready by the kubelets; a node added later gets its pod.
func TestDaemonSetEndToEnd(t *testing.T) {
	eng := sim.NewEngine(1, 0)
	st := store.New(eng, store.Options{})
	addNode := func(name string, taints ...api.Taint) {
		r := api.Resources{MilliCPU: 2000, Memory: 4 << 30}
		n := &api.Node{ObjectMeta: api.ObjectMeta{Name: name, Labels: map[string]string{api.LabelHostname: name}},
			Capacity: r, Allocatable: r, AllowedPods: 110, Taints: taints,
			Images: []api.ContainerImage{{Names: []string{"agent:v1"}, SizeBytes: 1 << 20}}}
		if _, err := st.Nodes.Create("test", n, ""); err != nil {
			t.Fatal(err)
		}
	}
	for _, n := range []string{"n1", "n2", "n3", "n4"} {
		addNode(n)
	}
	addNode("n5", api.Taint{Key: "dedicated", Value: "db", Effect: api.TaintNoSchedule})
	kubelet.NewManager(eng, st, kubelet.DefaultConfig()).Start()
	s, err := scheduler.New(eng, st, *scheduler.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	s.Start()
	controllers.Start(eng, st, controllers.DefaultOptions())

	spec := &api.PodSpec{RestartPolicy: api.RestartAlways, TerminationGracePeriodSeconds: 30,
		Containers: []api.Container{{Name: "agent", Image: "agent:v1", Requests: api.Resources{MilliCPU: 100, Memory: 64 << 20},
			HasCPURequest: true, HasMemoryRequest: true}}}
	spec.Compile()
	labels := map[string]string{"app": "agent"}
	ds := &api.DaemonSet{ObjectMeta: api.ObjectMeta{Name: "agent", Namespace: "kube-system"},
		Selector: api.SelectorFromMap(labels), Template: &api.PodTemplate{Labels: labels, Spec: spec, Hash: 42},
		UpdateStrategy:       api.DaemonSetUpdateStrategy{Type: daemonset.RollingUpdate, MaxUnavailable: api.IntOrPercent{Value: 1}},
		RevisionHistoryLimit: 10}
	if _, err := st.DaemonSets.Create("test", ds, "test"); err != nil {
		t.Fatal(err)
	}
	eng.Run(sim.Time(10 * time.Second))
	check := func(want []string) {
		t.Helper()
		var got []string
		for _, p := range st.Pods.List("kube-system", nil) {
			if !p.IsReady() || p.NodeName != daemonset.TargetNode(p) {
				t.Fatalf("pod %s: node %q, target %q, ready %t", p.Name, p.NodeName, daemonset.TargetNode(p), p.IsReady())
			}
			got = append(got, p.NodeName)
		}
		if len(got) != len(want) {
			t.Fatalf("pods on %v, want %v", got, want)
		}
		seen := map[string]bool{}
		for _, n := range got {
			seen[n] = true
		}
		for _, n := range want {
			if !seen[n] {
				t.Fatalf("pods on %v, want %v", got, want)
			}
		}
		cur, _ := st.DaemonSets.Get("kube-system", "agent")
		n := int32(len(want))
		if s := cur.Status; s.DesiredNumberScheduled != n || s.CurrentNumberScheduled != n || s.NumberReady != n ||
			s.NumberAvailable != n || s.UpdatedNumberScheduled != n || s.NumberMisscheduled != 0 || s.ObservedGeneration != 1 {
			t.Fatalf("status %+v, want %d everywhere", s, n)
		}
	}
	check([]string{"n1", "n2", "n3", "n4"})
	addNode("n6")
	eng.Run(sim.Time(20 * time.Second))
	check([]string{"n1", "n2", "n3", "n4", "n6"})
}
