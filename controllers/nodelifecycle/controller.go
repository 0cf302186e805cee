package nodelifecycle

import (
	"errors"
	"slices"
	"strings"

	"github.com/kubesim/kubesim/controllers/reconciler"
	"github.com/kubesim/kubesim/sim"
	"github.com/kubesim/kubesim/sim/api"
	"github.com/kubesim/kubesim/sim/store"
)

// Names.
const (
	// Name is the controller's name in the runtime and in configuration.
	Name = "nodelifecycle"
	// Component is the name under which the controller writes to the store.
	Component = "node-lifecycle-controller"
)

// Node condition types other than Ready that the controller reads or sets,
// and the NoSchedule taints they map to.
const (
	NodeMemoryPressure     = "MemoryPressure"
	NodeDiskPressure       = "DiskPressure"
	NodePIDPressure        = "PIDPressure"
	NodeNetworkUnavailable = "NetworkUnavailable"

	TaintNodeMemoryPressure     = "node.kubernetes.io/memory-pressure"
	TaintNodeDiskPressure       = "node.kubernetes.io/disk-pressure"
	TaintNodePIDPressure        = "node.kubernetes.io/pid-pressure"
	TaintNodeNetworkUnavailable = "node.kubernetes.io/network-unavailable"
)

// Reasons, messages and event reasons, as upstream.
const (
	ReasonNodeStatusUnknown       = "NodeStatusUnknown"
	MessageNodeStatusUnknown      = "Kubelet stopped posting node status."
	ReasonNodeStatusNeverUpdated  = "NodeStatusNeverUpdated"
	MessageNodeStatusNeverUpdated = "Kubelet never posted node status."
	// EventNodeNotReady is recorded on a node whose Ready condition left
	// True, and on each pod it marks not ready.
	EventNodeNotReady = "NodeNotReady"
	// EventRegisteredNode and EventRemovingNode are recorded when the
	// monitor first sees a node and when it sees it gone.
	EventRegisteredNode = "RegisteredNode"
	EventRemovingNode   = "RemovingNode"
	// Write reasons.
	reasonUpdateStatus  = "UpdateNodeStatus"
	reasonTaintNoExec   = "TaintNoExecute"
	reasonUntaint       = "RemoveNoExecuteTaints"
	reasonNoSchedule    = "TaintNodesByCondition"
	reasonPodsNotReady  = "MarkPodsNotReady"
	reasonSwapNoExecute = "SwapNoExecuteTaint"
)

var (
	unreachableNoExecute = api.Taint{Key: api.TaintNodeUnreachable, Effect: api.TaintNoExecute}
	notReadyNoExecute    = api.Taint{Key: api.TaintNodeNotReady, Effect: api.TaintNoExecute}
)

// Controller is the node lifecycle controller. Create it with New.
type Controller struct {
	st  *store.Store
	eng *sim.Engine
	cfg Config
	rt  *reconciler.Controller

	start  sim.Time // the monitor's ticks are start + k·MonitorPeriod
	health map[string]*nodeHealth
	known  map[string]bool
	zones  map[string]*zone
	seq    uint64 // orders additions to the zone queues

	lastPass     sim.Time // time of the last monitor pass (sim.Never before the first)
	monitorAt    sim.Time
	monitorTimer sim.Timer
	taintAt      sim.Time
	taintTimer   sim.Timer
	monitorEvent sim.Handler
	taintEvent   sim.Handler
	passes       uint64
}

// New starts a node lifecycle controller on st with cfg (zero fields take
// DefaultConfig's values). Its first monitor pass runs at once (at the
// engine's current time), and its ticks follow every MonitorPeriod from then
// on; a pass is only run at a tick where something can have changed.
func New(st *store.Store, cfg Config) *Controller {
	cfg = cfg.WithDefaults(DefaultConfig())
	if err := cfg.Validate(); err != nil {
		panic("nodelifecycle: " + err.Error())
	}
	eng := st.Engine()
	c := &Controller{st: st, eng: eng, cfg: cfg, start: eng.Now(),
		health: map[string]*nodeHealth{}, known: map[string]bool{}, zones: map[string]*zone{},
		lastPass: sim.Never, monitorAt: sim.Never, taintAt: sim.Never}
	c.rt = reconciler.New(Name, eng, c, cfg.Config)
	c.monitorEvent = sim.Func(c.monitor)
	c.taintEvent = sim.Func(c.taintPass)
	st.Nodes.Watch(c.onNode)
	st.Leases.Watch(c.onLease)
	st.Pods.Watch(c.onPod)
	for _, n := range st.Nodes.List("", nil) {
		c.rt.Enqueue(nodeKey(n.Name))
	}
	c.scheduleMonitor(c.start)
	return c
}

// Runtime returns the controller's work queue and workers.
func (c *Controller) Runtime() *reconciler.Controller { return c.rt }

// Passes returns how many monitor passes have run.
func (c *Controller) Passes() uint64 { return c.passes }

// ZoneStates returns each zone's key and state, by key.
func (c *Controller) ZoneStates() []ZoneStatus {
	keys := sortedKeys(c.zones)
	out := make([]ZoneStatus, 0, len(keys))
	for _, k := range keys {
		z := c.zones[k]
		out = append(out, ZoneStatus{Key: k, State: z.state, Rate: z.limiter.qps, Queued: len(z.queue)})
	}
	return out
}

// ZoneStatus describes one zone.
type ZoneStatus struct {
	// Key is the zone key (ZoneKey); State its disruption state.
	Key   string
	State ZoneState
	// Rate is the current NoExecute tainting rate (nodes per second).
	Rate float64
	// Queued is the number of nodes waiting to be tainted.
	Queued int
}

func nodeKey(name string) string { return "node:" + name }
func podKey(key string) string   { return "pod:" + key }

// onNode queues the node for the NoSchedule pass and asks for a monitor
// pass at the next tick.
func (c *Controller) onNode(ev store.Event[*api.Node]) {
	n := ev.Object()
	if ev.Type != store.Deleted {
		c.rt.Enqueue(nodeKey(n.Name))
	}
	c.scheduleMonitor(c.eng.Now())
}

// onLease asks for a monitor pass at the next tick when a node lease
// changes (a kubelet stopped or started reporting).
func (c *Controller) onLease(ev store.Event[*api.Lease]) {
	if ev.Object().Namespace == api.NodeLeaseNamespace {
		c.scheduleMonitor(c.eng.Now())
	}
}

// onPod queues a pod newly bound to a node the controller last saw not
// Ready (upstream's podUpdated; pods bound to Ready nodes are not queued,
// as their sync would do nothing).
func (c *Controller) onPod(ev store.Event[*api.Pod]) {
	if ev.Type == store.Deleted {
		return
	}
	p := ev.New
	if p.NodeName == "" || (ev.Type == store.Modified && ev.Old.NodeName == p.NodeName) {
		return
	}
	if h := c.health[p.NodeName]; h != nil && h.ready != nil && h.ready.Status != api.ConditionTrue {
		c.rt.Enqueue(podKey(p.Key()))
	}
}

var _ reconciler.Reconciler = (*Controller)(nil)

// Reconcile syncs one queued key: "node:<name>" applies the NoSchedule
// condition taints, "pod:<namespace>/<name>" marks a pod bound to a
// not-Ready node not ready.
func (c *Controller) Reconcile(key string) (reconciler.Result, error) {
	switch {
	case strings.HasPrefix(key, "node:"):
		return reconciler.Result{}, c.syncNoScheduleTaints(strings.TrimPrefix(key, "node:"))
	case strings.HasPrefix(key, "pod:"):
		return reconciler.Result{}, c.syncPod(strings.TrimPrefix(key, "pod:"))
	}
	return reconciler.Result{}, nil
}

// syncPod is upstream's processPod.
func (c *Controller) syncPod(key string) error {
	p, ok := c.st.Pods.GetKey(key)
	if !ok || p.NodeName == "" {
		return nil
	}
	h := c.health[p.NodeName]
	if h == nil || h.ready == nil || h.ready.Status == api.ConditionTrue {
		return nil
	}
	if _, ok := c.st.Nodes.GetKey(p.NodeName); !ok {
		return nil
	}
	return c.markPodsNotReady([]*api.Pod{p}, p.NodeName)
}

// conditionTaints maps node conditions to the NoSchedule taints upstream's
// TaintNodesByCondition keeps in line with them.
func conditionTaint(c *api.Condition) (string, bool) {
	switch c.Type {
	case api.NodeReady:
		switch c.Status {
		case api.ConditionFalse:
			return api.TaintNodeNotReady, true
		case api.ConditionUnknown:
			return api.TaintNodeUnreachable, true
		}
	case NodeMemoryPressure:
		return TaintNodeMemoryPressure, c.Status == api.ConditionTrue
	case NodeDiskPressure:
		return TaintNodeDiskPressure, c.Status == api.ConditionTrue
	case NodeNetworkUnavailable:
		return TaintNodeNetworkUnavailable, c.Status == api.ConditionTrue
	case NodePIDPressure:
		return TaintNodePIDPressure, c.Status == api.ConditionTrue
	}
	return "", false
}

// managedNoSchedule reports whether a NoSchedule taint key is one the
// condition tainting owns.
func managedNoSchedule(key string) bool {
	switch key {
	case api.TaintNodeUnschedulable, api.TaintNodeNotReady, api.TaintNodeUnreachable, TaintNodeMemoryPressure,
		TaintNodeDiskPressure, TaintNodePIDPressure, TaintNodeNetworkUnavailable:
		return true
	}
	return false
}

// syncNoScheduleTaints is upstream's doNoScheduleTaintingPass: the node's
// NoSchedule taints of the managed keys become exactly those its conditions
// and spec.unschedulable call for (added with TimeAdded now).
func (c *Controller) syncNoScheduleTaints(name string) error {
	n, ok := c.st.Nodes.GetKey(name)
	if !ok {
		return nil
	}
	var want []string
	for i := range n.Conditions {
		if k, ok := conditionTaint(&n.Conditions[i]); ok {
			want = append(want, k)
		}
	}
	if n.Unschedulable {
		want = append(want, api.TaintNodeUnschedulable)
	}
	var add, del []api.Taint
	for _, k := range want {
		if !hasTaint(n.Taints, k, api.TaintNoSchedule) {
			add = append(add, api.Taint{Key: k, Effect: api.TaintNoSchedule})
		}
	}
	for _, t := range n.Taints {
		if t.Effect == api.TaintNoSchedule && managedNoSchedule(t.Key) && !slices.Contains(want, t.Key) {
			del = append(del, t)
		}
	}
	if len(add) == 0 && len(del) == 0 {
		return nil
	}
	_, err := c.swapTaints(n, add, del, reasonNoSchedule)
	return err
}

// hasTaint reports whether ts holds a taint with key and effect.
func hasTaint(ts []api.Taint, key string, effect api.TaintEffect) bool {
	for i := range ts {
		if ts[i].Key == key && ts[i].Effect == effect {
			return true
		}
	}
	return false
}

// maxAttempts bounds the re-read-and-retry loop of a write that meets a
// resourceVersion conflict.
const maxAttempts = 5

// swapTaints adds the taints of add (TimeAdded now; an existing taint with
// the same key and effect is replaced) and removes those of del (by key and
// effect) on the node, in one write, as upstream's SwapNodeControllerTaint.
// It reports whether it wrote.
func (c *Controller) swapTaints(n *api.Node, add, del []api.Taint, reason string) (bool, error) {
	now := c.eng.Now()
	for range maxAttempts {
		cur, ok := c.st.Nodes.GetKey(n.Name)
		if !ok || cur.UID != n.UID {
			return false, nil
		}
		ts := make([]api.Taint, 0, len(cur.Taints)+len(add))
		changed := false
		for _, t := range cur.Taints {
			drop := false
			for _, d := range del {
				if t.Key == d.Key && t.Effect == d.Effect {
					drop = true
				}
			}
			for _, a := range add {
				if t.Key == a.Key && t.Effect == a.Effect {
					drop = true // replaced below
				}
			}
			if drop {
				changed = true
				continue
			}
			ts = append(ts, t)
		}
		for _, a := range add {
			at := now
			a.TimeAdded = &at
			ts = append(ts, a)
			changed = true
		}
		if !changed {
			return false, nil
		}
		cl := cur.Clone()
		cl.Taints = ts
		_, err := c.st.Nodes.Update(Component, cl, reason)
		if err == nil {
			return true, nil
		}
		if !errors.Is(err, store.ErrConflict) {
			return false, err
		}
	}
	return false, store.ErrConflict
}

// markPodsNotReady sets the Ready condition of each pod on the node that
// has one to False, recording NodeNotReady on it (upstream's
// MarkPodsNotReady).
func (c *Controller) markPodsNotReady(pods []*api.Pod, node string) error {
	now := c.eng.Now()
	var errs []error
	for _, p := range pods {
		if p.NodeName != node {
			continue
		}
		for range maxAttempts {
			cur, ok := c.st.Pods.GetKey(p.Key())
			if !ok || cur.UID != p.UID {
				break
			}
			rc := api.FindCondition(cur.Status.Conditions, api.PodReady)
			if rc == nil || rc.Status == api.ConditionFalse {
				break
			}
			nc := *rc
			nc.Status = api.ConditionFalse
			nc.LastTransitionTime = now
			cl := cur.Clone()
			cl.Status.Conditions = api.SetCondition(cur.Status.Conditions, nc)
			_, err := c.st.Pods.Update(Component, cl, reasonPodsNotReady)
			if err == nil {
				c.st.Record(Component, cl, EventNodeNotReady, "Node is not ready")
				break
			}
			if !errors.Is(err, store.ErrConflict) {
				errs = append(errs, err)
				break
			}
		}
	}
	return errors.Join(errs...)
}

// tick returns the first monitor tick at or after t.
func (c *Controller) tick(t sim.Time) sim.Time {
	if t <= c.start {
		return c.start
	}
	p := sim.Time(c.cfg.MonitorPeriod)
	if p <= 0 {
		return t
	}
	k := (t - c.start + p - 1) / p
	return c.start + k*p
}

// passTick returns the first tainting pass (every TaintPassPeriod from the
// start) at or after t.
func (c *Controller) passTick(t sim.Time) sim.Time {
	if t <= c.start {
		return c.start
	}
	p := sim.Time(TaintPassPeriod)
	k := (t - c.start + p - 1) / p
	return c.start + k*p
}

// scheduleMonitor arms the monitor for the first tick at or after t that
// comes after the last pass; an earlier request replaces a later one.
func (c *Controller) scheduleMonitor(t sim.Time) {
	if t == sim.Never {
		return
	}
	if t < c.eng.Now() {
		t = c.eng.Now()
	}
	at := c.tick(t)
	if c.lastPass != sim.Never && at <= c.lastPass {
		at = c.tick(c.lastPass + 1)
	}
	if at >= c.monitorAt {
		return
	}
	c.eng.Cancel(c.monitorTimer)
	c.monitorAt = at
	c.monitorTimer = c.eng.At(at, c.monitorEvent)
}

// scheduleTaintPass arms the tainting pass for the first pass tick at or
// after t; an earlier request replaces a later one.
func (c *Controller) scheduleTaintPass(t sim.Time) {
	if t == sim.Never {
		return
	}
	if t < c.eng.Now() {
		t = c.eng.Now()
	}
	at := c.passTick(t)
	if at >= c.taintAt {
		return
	}
	c.eng.Cancel(c.taintTimer)
	c.taintAt = at
	c.taintTimer = c.eng.At(at, c.taintEvent)
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
