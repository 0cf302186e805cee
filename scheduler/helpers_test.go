package scheduler

import (
	"fmt"
	"time"

	"github.com/kubesim/kubesim/scheduler/framework"
	"github.com/kubesim/kubesim/sim"
	"github.com/kubesim/kubesim/sim/api"
	"github.com/kubesim/kubesim/sim/store"
)

// Fake plugins with the default profile's names, simple but upstream-shaped,
// so the runtime, queue and scheduler can be tested on their own.

type fakeSort struct{}

func (fakeSort) Name() string { return "PrioritySort" }
func (fakeSort) Less(a, b *framework.QueuedPodInfo) bool {
	if a.Pod.Priority != b.Pod.Priority {
		return a.Pod.Priority > b.Pod.Priority
	}
	if a.Timestamp != b.Timestamp {
		return a.Timestamp < b.Timestamp
	}
	return a.Seq < b.Seq
}

type fakeGates struct{}

func (fakeGates) Name() string { return "SchedulingGates" }
func (fakeGates) PreEnqueue(p *api.Pod) *framework.Status {
	if len(p.Spec.SchedulingGates) > 0 {
		return framework.NewStatus(framework.UnschedulableAndUnresolvable, "waiting for scheduling gates")
	}
	return nil
}

type fakeUnschedulable struct{}

func (fakeUnschedulable) Name() string { return "NodeUnschedulable" }
func (fakeUnschedulable) Filter(_ *framework.CycleState, _ *api.Pod, n *framework.NodeInfo) *framework.Status {
	if n.Node().Unschedulable {
		return framework.NewStatus(framework.UnschedulableAndUnresolvable, "node(s) were unschedulable")
	}
	return nil
}

type fakeNodeName struct{}

func (fakeNodeName) Name() string { return "NodeName" }
func (fakeNodeName) Filter(*framework.CycleState, *api.Pod, *framework.NodeInfo) *framework.Status {
	return nil
}

type fakeTaints struct{}

func (fakeTaints) Name() string { return "TaintToleration" }
func (fakeTaints) Filter(_ *framework.CycleState, p *api.Pod, n *framework.NodeInfo) *framework.Status {
	for i := range n.Node().Taints {
		t := &n.Node().Taints[i]
		if t.Effect == api.TaintPreferNoSchedule || api.Tolerates(p.Spec.Tolerations, t) {
			continue
		}
		return framework.NewStatus(framework.UnschedulableAndUnresolvable,
			fmt.Sprintf("node(s) had untolerated taint {%s: %s}", t.Key, t.Value))
	}
	return nil
}
func (fakeTaints) PreScore(*framework.CycleState, *api.Pod, []*framework.NodeInfo) *framework.Status {
	return nil
}
func (fakeTaints) Score(_ *framework.CycleState, p *api.Pod, n *framework.NodeInfo) (int64, *framework.Status) {
	var c int64
	for i := range n.Node().Taints {
		t := &n.Node().Taints[i]
		if t.Effect == api.TaintPreferNoSchedule && !api.Tolerates(p.Spec.Tolerations, t) {
			c++
		}
	}
	return c, nil
}
func (f fakeTaints) ScoreExtensions() framework.ScoreExtensions { return f }
func (fakeTaints) NormalizeScore(_ *framework.CycleState, _ *api.Pod, s []framework.NodeScore) *framework.Status {
	var mx int64
	for i := range s {
		mx = max(mx, s[i].Score)
	}
	for i := range s {
		if mx == 0 {
			s[i].Score = framework.MaxNodeScore
		} else {
			s[i].Score = framework.MaxNodeScore - s[i].Score*framework.MaxNodeScore/mx
		}
	}
	return nil
}

type fakeAffinity struct{}

func (fakeAffinity) Name() string { return "NodeAffinity" }
func (fakeAffinity) PreFilter(_ *framework.CycleState, p *api.Pod, _ []*framework.NodeInfo) (*framework.PreFilterResult, *framework.Status) {
	if len(p.Spec.NodeSelector) == 0 {
		return nil, framework.NewStatus(framework.Skip)
	}
	return nil, nil
}
func (fakeAffinity) Filter(_ *framework.CycleState, p *api.Pod, n *framework.NodeInfo) *framework.Status {
	for k, v := range p.Spec.NodeSelector {
		if n.Node().Labels[k] != v {
			return framework.NewStatus(framework.UnschedulableAndUnresolvable, "node(s) didn't match Pod's node affinity/selector")
		}
	}
	return nil
}
func (fakeAffinity) PreScore(*framework.CycleState, *api.Pod, []*framework.NodeInfo) *framework.Status {
	return framework.NewStatus(framework.Skip)
}
func (fakeAffinity) Score(*framework.CycleState, *api.Pod, *framework.NodeInfo) (int64, *framework.Status) {
	return 0, nil
}
func (fakeAffinity) ScoreExtensions() framework.ScoreExtensions { return nil }

type fakeFit struct{}

func (fakeFit) Name() string { return "NodeResourcesFit" }
func (fakeFit) PreFilter(*framework.CycleState, *api.Pod, []*framework.NodeInfo) (*framework.PreFilterResult, *framework.Status) {
	return nil, nil
}
func (fakeFit) Filter(_ *framework.CycleState, p *api.Pod, n *framework.NodeInfo) *framework.Status {
	a := &n.Node().Allocatable
	r := &p.Spec.Requests
	var reasons []string
	if int64(len(n.Pods))+1 > n.Node().AllowedPods {
		reasons = append(reasons, "Too many pods")
	}
	if r.MilliCPU > 0 && r.MilliCPU > a.MilliCPU-n.Requested.MilliCPU {
		reasons = append(reasons, "Insufficient cpu")
	}
	if r.Memory > 0 && r.Memory > a.Memory-n.Requested.Memory {
		reasons = append(reasons, "Insufficient memory")
	}
	if len(reasons) > 0 {
		return framework.NewStatus(framework.Unschedulable, reasons...)
	}
	return nil
}
func (fakeFit) PreScore(*framework.CycleState, *api.Pod, []*framework.NodeInfo) *framework.Status {
	return nil
}
func (fakeFit) Score(_ *framework.CycleState, p *api.Pod, n *framework.NodeInfo) (int64, *framework.Status) {
	a := &n.Node().Allocatable
	least := func(req, capa int64) int64 {
		if capa == 0 || req > capa {
			return 0
		}
		return (capa - req) * 100 / capa
	}
	cpu := least(n.NonZeroRequested.MilliCPU+p.Spec.NonZeroMilliCPU, a.MilliCPU)
	mem := least(n.NonZeroRequested.Memory+p.Spec.NonZeroMemory, a.Memory)
	return (cpu + mem) / 2, nil
}
func (fakeFit) ScoreExtensions() framework.ScoreExtensions { return nil }

type fakeBalanced struct{}

func (fakeBalanced) Name() string { return "NodeResourcesBalancedAllocation" }
func (fakeBalanced) PreScore(*framework.CycleState, *api.Pod, []*framework.NodeInfo) *framework.Status {
	return nil
}
func (fakeBalanced) Score(_ *framework.CycleState, p *api.Pod, n *framework.NodeInfo) (int64, *framework.Status) {
	a := &n.Node().Allocatable
	if a.MilliCPU == 0 || a.Memory == 0 {
		return 0, nil
	}
	c := (n.NonZeroRequested.MilliCPU + p.Spec.NonZeroMilliCPU) * 1000 / a.MilliCPU
	m := (n.NonZeroRequested.Memory + p.Spec.NonZeroMemory) * 1000 / a.Memory
	d := c - m
	if d < 0 {
		d = -d
	}
	return max(0, 100-d/20), nil
}
func (fakeBalanced) ScoreExtensions() framework.ScoreExtensions { return nil }

type fakeBinder struct{ h framework.Handle }

func (fakeBinder) Name() string { return "DefaultBinder" }
func (b fakeBinder) Bind(_ *framework.CycleState, p *api.Pod, node string) *framework.Status {
	st := b.h.Store()
	cur, ok := st.Pods.Get(p.Namespace, p.Name)
	if !ok || cur.UID != p.UID {
		return framework.AsStatus(fmt.Errorf("pods %q not found", p.Name))
	}
	np := cur.Clone()
	np.NodeName = node
	np.Status.Conditions = api.SetCondition(cur.Status.Conditions, api.Condition{Type: api.PodScheduled, Status: api.ConditionTrue, LastTransitionTime: b.h.Now()})
	if _, err := st.Pods.Update(b.h.Component(), np, "Binding"); err != nil {
		return framework.AsStatus(err)
	}
	return nil
}

func noArgs(p framework.Plugin) framework.Factory {
	return func(args any, _ framework.Handle) (framework.Plugin, error) {
		if args != nil {
			return nil, fmt.Errorf("%s: takes no args, got %T", p.Name(), args)
		}
		return p, nil
	}
}

// fakeRegistry returns a registry of the fakes under the default plugins' names.
func fakeRegistry() framework.Registry {
	return framework.Registry{
		"SchedulingGates":                 noArgs(fakeGates{}),
		"PrioritySort":                    noArgs(fakeSort{}),
		"NodeUnschedulable":               noArgs(fakeUnschedulable{}),
		"NodeName":                        noArgs(fakeNodeName{}),
		"TaintToleration":                 noArgs(fakeTaints{}),
		"NodeAffinity":                    func(any, framework.Handle) (framework.Plugin, error) { return fakeAffinity{}, nil },
		"NodeResourcesFit":                func(any, framework.Handle) (framework.Plugin, error) { return fakeFit{}, nil },
		"NodeResourcesBalancedAllocation": func(any, framework.Handle) (framework.Plugin, error) { return fakeBalanced{}, nil },
		"DefaultBinder":                   func(_ any, h framework.Handle) (framework.Plugin, error) { return fakeBinder{h}, nil },
	}
}

// Fixture builders.

const gi = int64(1) << 30

func makeNode(name, zone string, milliCPU, mem int64) *api.Node {
	n := &api.Node{ObjectMeta: api.ObjectMeta{Name: name, Labels: map[string]string{api.LabelHostname: name}},
		Allocatable: api.Resources{MilliCPU: milliCPU, Memory: mem}, AllowedPods: 110}
	if zone != "" {
		n.Labels[api.LabelZone] = zone
	}
	n.Capacity = n.Allocatable
	return n
}

func makePod(name string, milliCPU, mem int64) *api.Pod {
	spec := &api.PodSpec{Containers: []api.Container{{Name: "c", Requests: api.Resources{MilliCPU: milliCPU, Memory: mem},
		HasCPURequest: true, HasMemoryRequest: true}}}
	spec.Compile()
	return &api.Pod{ObjectMeta: api.ObjectMeta{Name: name, Namespace: "default", UID: api.UID("uid-" + name)}, Spec: spec}
}

type storeEventPod = store.Event[*api.Pod]

// world is an engine, a store and a scheduler over them.
type world struct {
	eng    *sim.Engine
	st     *store.Store
	s      *Scheduler
	events []*store.Write
	// condWrites counts the scheduler's PodScheduled=False writes.
	condWrites int
}

func newWorld(cfg Config) (*world, error) {
	eng := sim.NewEngine(1, 0)
	st := store.New(eng, store.Options{})
	w := &world{eng: eng, st: st}
	st.OnWrite(func(wr *store.Write) {
		if wr.Verb == store.VerbEvent {
			w.events = append(w.events, wr)
		}
		if wr.Verb == store.VerbUpdate && wr.Reason == "Unschedulable" {
			w.condWrites++
		}
	})
	if cfg.Registry == nil {
		cfg.Registry = fakeRegistry()
	}
	s, err := New(eng, st, cfg)
	if err != nil {
		return nil, err
	}
	w.s = s
	return w, nil
}

func (w *world) addNode(n *api.Node) {
	if _, err := w.st.Nodes.Create("test", n, "Test"); err != nil {
		panic(err)
	}
}

func (w *world) addPod(p *api.Pod) {
	p.UID = ""
	if _, err := w.st.Pods.Create("test", p, "Test"); err != nil {
		panic(err)
	}
}

func (w *world) run(d time.Duration) { w.eng.Run(w.eng.Now().Add(d)) }

func (w *world) pod(name string) *api.Pod {
	p, _ := w.st.Pods.Get("default", name)
	return p
}
