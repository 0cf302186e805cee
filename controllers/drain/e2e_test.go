package drain_test

import (
	"testing"
	"time"

	"github.com/kubesim/kubesim/controllers"
	"github.com/kubesim/kubesim/controllers/drain"
	"github.com/kubesim/kubesim/scheduler"
	"github.com/kubesim/kubesim/sim"
	"github.com/kubesim/kubesim/sim/api"
	"github.com/kubesim/kubesim/sim/kubelet"
	"github.com/kubesim/kubesim/sim/store"
)

// cluster is three 4-CPU nodes with kubelets, the default scheduler and the
// controllers, running a ReplicaSet of 6 (500m each) under a budget of
// minAvailable 5. minReady is the fewest Ready, non-terminating web pods
// seen after any write since watching began.
type cluster struct {
	t        *testing.T
	eng      *sim.Engine
	st       *store.Store
	watching bool
	minReady int
}

func newCluster(t *testing.T) *cluster {
	eng := sim.NewEngine(3, 0)
	st := store.New(eng, store.Options{})
	c := &cluster{t: t, eng: eng, st: st, minReady: 1 << 30}
	st.OnWrite(func(w *store.Write) {
		if c.watching && w.Verb != store.VerbEvent {
			c.minReady = min(c.minReady, c.readyWeb())
		}
	})
	for _, n := range []string{"n1", "n2", "n3"} {
		r := api.Resources{MilliCPU: 4000, Memory: 16 << 30}
		if _, err := st.Nodes.Create("test", &api.Node{ObjectMeta: api.ObjectMeta{Name: n, Labels: map[string]string{api.LabelHostname: n, "pool": "default"}},
			Capacity: r, Allocatable: r, AllowedPods: 110,
			Conditions: []api.Condition{{Type: api.NodeReady, Status: api.ConditionTrue}}}, "test"); err != nil {
			t.Fatal(err)
		}
	}
	kubelet.NewManager(eng, st, kubelet.DefaultConfig()).Start()
	s, err := scheduler.New(eng, st, *scheduler.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	s.Start()
	controllers.Start(eng, st, controllers.DefaultOptions())

	labels := map[string]string{"app": "web"}
	spec := &api.PodSpec{SchedulerName: api.DefaultSchedulerName, RestartPolicy: api.RestartAlways, TerminationGracePeriodSeconds: 30,
		Containers: []api.Container{{Name: "app", Image: "web:1", Requests: api.Resources{MilliCPU: 500, Memory: 256 << 20},
			HasCPURequest: true, HasMemoryRequest: true}}}
	spec.Compile()
	if _, err := st.ReplicaSets.Create("test", &api.ReplicaSet{ObjectMeta: api.ObjectMeta{Name: "web", Namespace: "default"},
		Replicas: 6, Selector: api.SelectorFromMap(labels), Template: &api.PodTemplate{Labels: labels, Spec: spec}}, "test"); err != nil {
		t.Fatal(err)
	}
	if _, err := st.PDBs.Create("test", &api.PodDisruptionBudget{ObjectMeta: api.ObjectMeta{Name: "web", Namespace: "default"},
		Selector: api.SelectorFromMap(labels), MinAvailable: &api.IntOrPercent{Value: 5},
		UnhealthyPodEvictionPolicy: store.IfHealthyBudget}, "test"); err != nil {
		t.Fatal(err)
	}
	eng.Run(sim.Time(2 * time.Minute))
	if n := c.readyWeb(); n != 6 {
		t.Fatalf("%d web pods Ready after 2 min, want 6", n)
	}
	pdb, _ := st.PDBs.Get("default", "web")
	if pdb.Status.DisruptionsAllowed != 1 || pdb.Status.CurrentHealthy != 6 || pdb.Status.ExpectedPods != 6 {
		t.Fatalf("budget status %+v", pdb.Status)
	}
	c.watching = true
	return c
}

// readyWeb counts Ready, non-terminating web pods.
func (c *cluster) readyWeb() int {
	n := 0
	for _, p := range c.st.Pods.List("default", nil) {
		if p.Labels["app"] == "web" && p.DeletionTimestamp == nil && p.IsReady() {
			n++
		}
	}
	return n
}

func (c *cluster) podsOn(node string) int {
	n := 0
	for _, p := range c.st.Pods.ByIndex(store.IndexNode, node) {
		if p.Labels["app"] == "web" {
			n++
		}
	}
	return n
}

// TestEndToEndDrainRespectsBudget drains a node holding two of the six
// pods: the budget lets one go at a time, the ReplicaSet replaces it on
// another node, and only when the replacement is Ready does the next
// eviction (retried every 5 s) succeed. At no write are fewer than 5 pods
// Ready.
func TestEndToEndDrainRespectsBudget(t *testing.T) {
	c := newCluster(t)
	onN1 := c.podsOn("n1")
	if onN1 < 2 {
		t.Fatalf("%d web pods on n1, want at least 2 for the budget to matter", onN1)
	}
	start := c.eng.Now()
	var res *drain.Result
	drain.Start(c.st, "operator", "n1", drain.Options{Timeout: 10 * time.Minute, OnDone: func(r drain.Result) { res = &r }})
	c.eng.Run(start.Add(10 * time.Minute))

	if res == nil || res.Err != nil {
		t.Fatalf("drain result %+v", res)
	}
	if len(res.Evicted) != onN1 || res.Retries == 0 {
		t.Fatalf("evicted %v with %d retries, want the %d pods of n1 and at least one 429", res.Evicted, res.Retries, onN1)
	}
	// At least one 30 s grace period and one 5 s retry.
	if d := res.Finished.Sub(start); d < 35*time.Second || d > 5*time.Minute {
		t.Fatalf("drain took %v", d)
	}
	if c.minReady < 5 {
		t.Fatalf("only %d web pods Ready at some point, budget is 5", c.minReady)
	}
	if c.podsOn("n1") != 0 || c.readyWeb() != 6 {
		t.Fatalf("after the drain: %d web pods on n1, %d Ready", c.podsOn("n1"), c.readyWeb())
	}
	if n, _ := c.st.Nodes.Get("", "n1"); !n.Unschedulable {
		t.Fatal("n1 is not cordoned")
	}
	pdb, _ := c.st.PDBs.Get("default", "web")
	if pdb.Status.CurrentHealthy != 6 || pdb.Status.DisruptionsAllowed != 1 || pdb.Status.DisruptedPods != nil {
		t.Fatalf("budget status after the drain %+v", pdb.Status)
	}
}

// TestEndToEndRollingMaintenance drains every node of the pool in turn with
// a 2 min reboot; the budget holds throughout and every node is schedulable
// again at the end.
func TestEndToEndRollingMaintenance(t *testing.T) {
	c := newCluster(t)
	var res *drain.MaintenanceResult
	nodes := drain.PoolNodes(c.st, api.SelectorFromMap(map[string]string{"pool": "default"}))
	drain.StartMaintenance(c.st, "operator", nodes, drain.MaintenanceOptions{RebootDelay: 2 * time.Minute,
		Drain: drain.Options{Timeout: 10 * time.Minute}, OnDone: func(r drain.MaintenanceResult) { res = &r }})
	c.eng.Run(c.eng.Now().Add(time.Hour))
	if res == nil || res.Err != nil || len(res.Nodes) != 3 {
		t.Fatalf("maintenance result %+v", res)
	}
	if c.minReady < 5 {
		t.Fatalf("only %d web pods Ready at some point, budget is 5", c.minReady)
	}
	if c.readyWeb() != 6 {
		t.Fatalf("%d web pods Ready at the end", c.readyWeb())
	}
	for _, n := range c.st.Nodes.List("", nil) {
		if n.Unschedulable || len(n.Taints) != 0 {
			t.Fatalf("node %s still cordoned", n.Name)
		}
	}
}
