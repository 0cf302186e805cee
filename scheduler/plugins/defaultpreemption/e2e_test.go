package defaultpreemption_test

import (
	"testing"
	"time"

	"github.com/kubesim/kubesim/scheduler"
	"github.com/kubesim/kubesim/sim"
	"github.com/kubesim/kubesim/sim/api"
	"github.com/kubesim/kubesim/sim/kubelet"
	"github.com/kubesim/kubesim/sim/store"
)

// cluster is an engine, a store, a kubelet manager and the scheduler with
// the in-tree default profile, with the times pods were bound and deleted.
type cluster struct {
	t       *testing.T
	eng     *sim.Engine
	st      *store.Store
	boundAt map[string]sim.Time
	boundTo map[string]string
	goneAt  map[string]sim.Time
	events  []*store.Write
}

func at(s float64) sim.Time { return sim.Time(s * float64(time.Second)) }

// newCluster builds two 2000m nodes, the priority classes low (10), high
// (1000) and high-never (1000, preemptionPolicy Never), and starts the
// kubelets and the scheduler.
func newCluster(t *testing.T) *cluster {
	eng := sim.NewEngine(1, 0)
	st := store.New(eng, store.Options{})
	c := &cluster{t: t, eng: eng, st: st, boundAt: map[string]sim.Time{}, boundTo: map[string]string{}, goneAt: map[string]sim.Time{}}
	st.OnWrite(func(w *store.Write) {
		if w.Kind != api.KindPod {
			return
		}
		if w.Verb == store.VerbEvent {
			c.events = append(c.events, w)
			return
		}
		if w.New == nil {
			c.goneAt[w.Key] = w.Time
			return
		}
		if p := w.New.(*api.Pod); p.NodeName != "" && (w.Old == nil || w.Old.(*api.Pod).NodeName == "") {
			c.boundAt[w.Key], c.boundTo[w.Key] = w.Time, p.NodeName
		}
	})
	for _, pc := range []*api.PriorityClass{
		{ObjectMeta: api.ObjectMeta{Name: "low"}, Value: 10},
		{ObjectMeta: api.ObjectMeta{Name: "high"}, Value: 1000},
		{ObjectMeta: api.ObjectMeta{Name: "high-never"}, Value: 1000, PreemptionPolicy: api.PreemptNever},
	} {
		if _, err := st.PriorityClasses.Create("test", pc, ""); err != nil {
			t.Fatal(err)
		}
	}
	for _, name := range []string{"n1", "n2"} {
		r := api.Resources{MilliCPU: 2000, Memory: 4 << 30}
		n := &api.Node{ObjectMeta: api.ObjectMeta{Name: name, Labels: map[string]string{api.LabelHostname: name}},
			Capacity: r, Allocatable: r, AllowedPods: 110,
			Conditions: []api.Condition{{Type: api.NodeReady, Status: api.ConditionTrue}}}
		if _, err := st.Nodes.Create("test", n, ""); err != nil {
			t.Fatal(err)
		}
	}
	kubelet.NewManager(eng, st, kubelet.DefaultConfig()).Start()
	s, err := scheduler.New(eng, st, *scheduler.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	s.Start()
	return c
}

// addPod creates a pod of the class requesting cpu millicores, bound to node
// when node is not empty, with the default 30 s grace period.
func (c *cluster) addPod(name, class string, cpu int64, node string, labels map[string]string) {
	spec := &api.PodSpec{PriorityClassName: class, RestartPolicy: api.RestartAlways, TerminationGracePeriodSeconds: 30,
		Containers: []api.Container{{Name: "c", Image: "app:1", Requests: api.Resources{MilliCPU: cpu, Memory: 64 << 20},
			HasCPURequest: true, HasMemoryRequest: true}}}
	spec.Compile()
	p := &api.Pod{ObjectMeta: api.ObjectMeta{Name: name, Namespace: "default", Labels: labels}, Spec: spec, NodeName: node}
	if _, err := c.st.Pods.Create("test", p, ""); err != nil {
		c.t.Fatal(err)
	}
}

func (c *cluster) pod(name string) *api.Pod {
	p, ok := c.st.Pods.Get("default", name)
	if !ok {
		c.t.Fatalf("pod %s is gone", name)
	}
	return p
}

// fill puts two 1000m low-priority pods on each node: l1, l2 on n1 at 0 s,
// l3, l4 on n2 at 10 s (so they start later), and runs to 60 s.
func (c *cluster) fill(labelsN2 map[string]string) {
	c.addPod("l1", "low", 1000, "n1", nil)
	c.addPod("l2", "low", 1000, "n1", nil)
	c.eng.Run(at(10))
	c.addPod("l3", "low", 1000, "n2", labelsN2)
	c.addPod("l4", "low", 1000, "n2", labelsN2)
	c.eng.Run(at(60))
	for _, n := range []string{"l1", "l2", "l3", "l4"} {
		if p := c.pod(n); p.Status.StartTime == nil {
			c.t.Fatalf("%s not started", n)
		}
	}
}

// lastEvent returns the message of the last event with this reason about key.
func (c *cluster) lastEvent(key, reason string) string {
	msg := ""
	for _, e := range c.events {
		if e.Key == key && e.Reason == reason {
			msg = e.Message
		}
	}
	return msg
}

// bindDelay is when a pod popped at time T is bound: T + cycle + bind latency.
const bindDelay = scheduler.DefaultCycleLatency + scheduler.DefaultBindLatency

func TestEndToEndPreemption(t *testing.T) {
	c := newCluster(t)
	c.fill(nil)
	c.addPod("hi", "high", 1500, "", nil)
	c.eng.Run(at(61))

	// Both nodes need both their pods gone (1000 + 1500 > 2000); every rule
	// ties until the last: n2's victims started later, so n2 is chosen.
	hi := c.pod("hi")
	if hi.NodeName != "" || hi.Status.NominatedNodeName != "n2" {
		t.Fatalf("hi on %q nominated to %q, want nominated to n2", hi.NodeName, hi.Status.NominatedNodeName)
	}
	if msg := c.lastEvent("default/hi", "FailedScheduling"); msg != "0/2 nodes are available: 2 Insufficient cpu." {
		t.Fatalf("FailedScheduling %q", msg)
	}
	for _, n := range []string{"l3", "l4"} {
		p := c.pod(n)
		if !p.IsDeleting() || *p.DeletionTimestamp != at(90) {
			t.Fatalf("%s deletion %v, want at 90 s", n, p.DeletionTimestamp)
		}
		if msg := c.lastEvent("default/"+n, "Preempted"); msg != "Preempted by pod "+string(hi.UID)+" on node n2" {
			t.Fatalf("%s event %q", n, msg)
		}
	}
	for _, n := range []string{"l1", "l2"} {
		if c.pod(n).IsDeleting() {
			t.Fatalf("%s is being deleted", n)
		}
	}

	c.eng.Run(at(120))
	if c.goneAt["default/l3"] != at(90) || c.goneAt["default/l4"] != at(90) {
		t.Fatalf("victims gone at %v, %v; want 90 s", c.goneAt["default/l3"], c.goneAt["default/l4"])
	}
	if c.boundTo["default/hi"] != "n2" || c.boundAt["default/hi"] != at(90).Add(bindDelay) {
		t.Fatalf("hi bound to %q at %v, want n2 at %v", c.boundTo["default/hi"], c.boundAt["default/hi"], at(90).Add(bindDelay))
	}
}

func TestEndToEndPreemptNever(t *testing.T) {
	c := newCluster(t)
	c.fill(nil)
	c.addPod("hi", "high-never", 1500, "", nil)
	c.eng.Run(at(600))
	hi := c.pod("hi")
	if hi.NodeName != "" || hi.Status.NominatedNodeName != "" {
		t.Fatalf("hi on %q nominated to %q", hi.NodeName, hi.Status.NominatedNodeName)
	}
	want := "0/2 nodes are available: 2 Insufficient cpu. preemption: not eligible due to preemptionPolicy=Never."
	if msg := c.lastEvent("default/hi", "FailedScheduling"); msg != want {
		t.Fatalf("FailedScheduling %q, want %q", msg, want)
	}
	for _, n := range []string{"l1", "l2", "l3", "l4"} {
		if c.pod(n).IsDeleting() {
			t.Fatalf("%s is being deleted", n)
		}
	}
}

func TestEndToEndPDBSteersPreemption(t *testing.T) {
	c := newCluster(t)
	db := map[string]string{"app": "db"}
	pdb := &api.PodDisruptionBudget{ObjectMeta: api.ObjectMeta{Name: "db", Namespace: "default"},
		Selector: api.SelectorFromMap(db), Status: api.PodDisruptionBudgetStatus{DisruptionsAllowed: 0}}
	if _, err := c.st.PDBs.Create("test", pdb, ""); err != nil {
		t.Fatal(err)
	}
	c.fill(db)
	c.addPod("hi", "high", 1500, "", nil)
	c.eng.Run(at(120))
	// n2 would win on start time, but preempting there violates the PDB
	// twice: n1, with no violation, is chosen.
	for _, n := range []string{"l3", "l4"} {
		if p, ok := c.st.Pods.Get("default", n); !ok || p.IsDeleting() {
			t.Fatalf("%s preempted", n)
		}
	}
	if c.goneAt["default/l1"] != at(90) || c.goneAt["default/l2"] != at(90) {
		t.Fatalf("n1's pods gone at %v, %v; want 90 s", c.goneAt["default/l1"], c.goneAt["default/l2"])
	}
	if c.boundTo["default/hi"] != "n1" || c.boundAt["default/hi"] != at(90).Add(bindDelay) {
		t.Fatalf("hi bound to %q at %v", c.boundTo["default/hi"], c.boundAt["default/hi"])
	}
}
