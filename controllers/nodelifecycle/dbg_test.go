package nodelifecycle_test
import ("testing";"github.com/kubesim/kubesim/sim";"github.com/kubesim/kubesim/sim/api";"github.com/kubesim/kubesim/sim/store";"github.com/kubesim/kubesim/sim/kubelet";"github.com/kubesim/kubesim/scheduler";"github.com/kubesim/kubesim/controllers")
func TestDbg(t *testing.T) {
	eng := sim.NewEngine(1, 0)
	st := store.New(eng, store.Options{})
	kubelet.NewManager(eng, st, kubelet.DefaultConfig()).Start()
	sched, _ := scheduler.New(eng, st, *scheduler.DefaultConfig())
	sched.Start()
	controllers.Start(eng, st, controllers.DefaultOptions())
	st.OnWrite(func(w *store.Write){ if w.Kind==api.KindNode || w.Kind==api.KindLease || (w.Kind==api.KindPod && w.Time < at(3)) { t.Log(w.Time, w.Component, w.Verb, w.Kind, w.Key, w.Reason, w.Message) } })
	for _, name := range []string{"n1", "n2", "n3"} {
		st.Nodes.Create("test", &api.Node{ObjectMeta: api.ObjectMeta{Name: name, Labels: map[string]string{api.LabelHostname: name}},
			Capacity: api.Resources{MilliCPU: 4000, Memory: 8 << 30}, Allocatable: api.Resources{MilliCPU: 4000, Memory: 8 << 30}}, "test")
	}
	spec := &api.PodSpec{RestartPolicy: api.RestartAlways, TerminationGracePeriodSeconds: 30, SchedulerName: api.DefaultSchedulerName, Containers: []api.Container{{Name: "app", Image: "nginx"}}}
	spec.Compile()
	labels := map[string]string{"app": "web"}
	st.ReplicaSets.Create("test", &api.ReplicaSet{ObjectMeta: api.ObjectMeta{Name: "web", Namespace: "default"}, Replicas: 6, Selector: api.SelectorFromMap(labels), Template: &api.PodTemplate{Labels: labels, Spec: spec}}, "test")
	eng.Run(at(100))
	for _, p := range st.Pods.List("", nil) { t.Log(p.Name, p.NodeName, p.Status.Phase) }
	for _, n := range st.Nodes.List("", nil) { t.Log(n.Name, n.Taints, n.Conditions) }
}
