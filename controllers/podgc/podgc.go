package podgc

import (
	"cmp"
	"container/heap"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/kubesim/kubesim/sim"
	"github.com/kubesim/kubesim/sim/api"
	"github.com/kubesim/kubesim/sim/store"
)

// Names and upstream constants.
const (
	// Name is the controller's name in configuration.
	Name = "podgc"
	// Component is the name under which the controller writes to the store.
	Component = "pod-garbage-collector"
	// DefaultPeriod is upstream's gcCheckPeriod.
	DefaultPeriod = 20 * time.Second
	// DefaultQuarantine is upstream's quarantineTime: how long a node must
	// stay missing before the pods bound to it are deleted.
	DefaultQuarantine = 40 * time.Second
	// DefaultTerminatedPodThreshold is --terminated-pod-gc-threshold.
	DefaultTerminatedPodThreshold = 12500
	// TaintNodeOutOfService is the taint an operator puts on a node known
	// to be shut down, so that its terminating pods are force-deleted.
	TaintNodeOutOfService = "node.kubernetes.io/out-of-service"
	// ReasonDeletionByPodGC is the reason of the DisruptionTarget condition
	// set on orphan pods; MessageDeletionByPodGC its message.
	ReasonDeletionByPodGC  = "DeletionByPodGC"
	MessageDeletionByPodGC = "PodGC: node no longer exists"
)

// Write reasons, after upstream's pod GC metric labels.
const (
	ReasonTerminated              = "PodGCTerminated"
	ReasonTerminatingOutOfService = "PodGCOutOfService"
	ReasonOrphaned                = "PodGCOrphaned"
	ReasonTerminatingUnscheduled  = "PodGCUnscheduled"
)

// Config configures the pod garbage collector. Zero fields take
// DefaultConfig's values.
type Config struct {
	// Period is the period of the collection passes; passes happen at
	// multiples of it from the controller's start, and only when there is
	// something to collect.
	Period time.Duration
	// Quarantine is how long a node must stay missing before its pods are
	// deleted.
	Quarantine time.Duration
	// TerminatedPodThreshold is how many terminated (Succeeded or Failed)
	// pods may exist before the oldest are deleted; negative disables that
	// collection (upstream's 0).
	TerminatedPodThreshold int
}

// DefaultConfig returns upstream's defaults.
func DefaultConfig() Config {
	return Config{Period: DefaultPeriod, Quarantine: DefaultQuarantine, TerminatedPodThreshold: DefaultTerminatedPodThreshold}
}

// WithDefaults returns c with its zero fields taken from def.
func (c Config) WithDefaults(def Config) Config {
	if c.Period == 0 {
		c.Period = def.Period
	}
	if c.Quarantine == 0 {
		c.Quarantine = def.Quarantine
	}
	if c.TerminatedPodThreshold == 0 {
		c.TerminatedPodThreshold = def.TerminatedPodThreshold
	}
	return c
}

// Validate reports negative durations.
func (c Config) Validate() error {
	var errs []error
	if c.Period < 0 {
		errs = append(errs, fmt.Errorf("period: must be ≥ 0, got %v", c.Period))
	}
	if c.Quarantine < 0 {
		errs = append(errs, fmt.Errorf("quarantine: must be ≥ 0, got %v", c.Quarantine))
	}
	return errors.Join(errs...)
}

// Controller is the pod garbage collector. Create it with New.
type Controller struct {
	st  *store.Store
	eng *sim.Engine
	cfg Config

	start    sim.Time
	lastPass sim.Time
	passAt   sim.Time
	timer    sim.Timer
	pass     sim.Handler
	passes   uint64

	// terminated counts the terminal pods the watch has reported; old
	// orders them oldest first (evicted first), with entries of pods gone
	// since dropped lazily.
	terminated int
	old        termHeap
	// orphanNodes are missing nodes that pods may still be bound to;
	// quarantine holds, per missing node, when it has been missing long
	// enough.
	orphanNodes map[string]bool
	quarantine  map[string]sim.Time
	// outOfService are nodes not Ready with the out-of-service taint.
	outOfService map[string]bool
	// unscheduled are terminating pods bound to no node.
	unscheduled map[string]bool
}

// New starts a pod garbage collector on st with cfg (zero fields take
// DefaultConfig's values). Its passes tick every Period from now; the pods
// and nodes already stored are looked at as if just created.
func New(st *store.Store, cfg Config) *Controller {
	cfg = cfg.WithDefaults(DefaultConfig())
	if err := cfg.Validate(); err != nil {
		panic("podgc: " + err.Error())
	}
	c := &Controller{st: st, eng: st.Engine(), cfg: cfg, start: st.Now(), lastPass: sim.Never, passAt: sim.Never,
		orphanNodes: map[string]bool{}, quarantine: map[string]sim.Time{}, outOfService: map[string]bool{}, unscheduled: map[string]bool{}}
	c.pass = sim.Func(c.gc)
	st.Pods.Watch(c.onPod)
	st.Nodes.Watch(c.onNode)
	for _, n := range st.Nodes.List("", nil) {
		c.onNode(store.Event[*api.Node]{Type: store.Added, New: n})
	}
	for _, p := range st.Pods.List("", nil) {
		c.onPod(store.Event[*api.Pod]{Type: store.Added, New: p})
	}
	return c
}

// Passes returns how many collection passes have run.
func (c *Controller) Passes() uint64 { return c.passes }

func (c *Controller) onPod(ev store.Event[*api.Pod]) {
	if ev.Type == store.Deleted {
		if ev.Old.IsTerminal() {
			c.terminated--
		}
		delete(c.unscheduled, ev.Old.Key())
		return
	}
	p := ev.New
	if p.IsTerminal() && (ev.Type == store.Added || !ev.Old.IsTerminal()) {
		c.terminated++
		heap.Push(&c.old, termEntry{evicted: evicted(p), created: p.CreationTimestamp, name: p.Name, namespace: p.Namespace, uid: p.UID})
		c.prune()
		if c.cfg.TerminatedPodThreshold > 0 && c.terminated > c.cfg.TerminatedPodThreshold {
			c.schedule(c.eng.Now())
		}
	}
	switch {
	case p.NodeName == "":
		if p.IsDeleting() {
			c.unscheduled[p.Key()] = true
			c.schedule(c.eng.Now())
		}
	case p.IsDeleting() && c.outOfService[p.NodeName]:
		c.schedule(c.eng.Now())
	default:
		if _, ok := c.st.Nodes.GetKey(p.NodeName); !ok && (ev.Type == store.Added || ev.Old.NodeName != p.NodeName) {
			c.orphanNodes[p.NodeName] = true
			c.schedule(c.eng.Now())
		}
	}
}

func (c *Controller) onNode(ev store.Event[*api.Node]) {
	if ev.Type == store.Deleted {
		name := ev.Old.Name
		delete(c.outOfService, name)
		if _, ok := c.st.Nodes.GetKey(name); !ok && c.st.Pods.CountByIndex(store.IndexNode, name) > 0 {
			c.orphanNodes[name] = true
			c.schedule(c.eng.Now())
		}
		return
	}
	n := ev.New
	if !n.IsReady() && hasTaintKey(n.Taints, TaintNodeOutOfService) {
		c.outOfService[n.Name] = true
		c.schedule(c.eng.Now())
	} else {
		delete(c.outOfService, n.Name)
	}
}

// tick returns the first pass tick at or after t.
func (c *Controller) tick(t sim.Time) sim.Time {
	if t <= c.start {
		return c.start
	}
	p := sim.Time(c.cfg.Period)
	if p <= 0 {
		return t
	}
	return c.start + (t-c.start+p-1)/p*p
}

// schedule arms a pass at the first tick at or after t that comes after
// the last pass; an earlier request replaces a later one.
func (c *Controller) schedule(t sim.Time) {
	if t == sim.Never {
		return
	}
	at := c.tick(max(t, c.eng.Now()))
	if c.lastPass != sim.Never && at <= c.lastPass {
		at = c.tick(c.lastPass + 1)
	}
	if at >= c.passAt {
		return
	}
	c.eng.Cancel(c.timer)
	c.passAt = at
	c.timer = c.eng.At(at, c.pass)
}

// gc is one pass, in upstream's order: terminated pods over the threshold,
// terminating pods on out-of-service nodes, orphans, unscheduled
// terminating pods.
func (c *Controller) gc(now sim.Time) {
	c.passAt, c.timer = sim.Never, sim.Timer{}
	c.lastPass = now
	c.passes++
	if c.cfg.TerminatedPodThreshold > 0 {
		c.gcTerminated()
	}
	c.gcTerminating()
	c.gcOrphaned(now)
	c.gcUnscheduledTerminating()

	next := sim.Never
	for _, at := range c.quarantine {
		next = min(next, at)
	}
	c.schedule(next)
}

// gcTerminated deletes the oldest terminated pods beyond the threshold,
// evicted ones first.
func (c *Controller) gcTerminated() {
	n := c.terminated - c.cfg.TerminatedPodThreshold
	for n > 0 && c.old.Len() > 0 {
		e := heap.Pop(&c.old).(termEntry)
		p, ok := c.st.Pods.Get(e.namespace, e.name)
		if !ok || p.UID != e.uid || !p.IsTerminal() {
			continue
		}
		c.forceDelete(p, nil, ReasonTerminated)
		n--
	}
}

// gcTerminating force-deletes the terminating pods of nodes that are not
// Ready and carry the out-of-service taint.
func (c *Controller) gcTerminating() {
	var pods []*api.Pod
	for _, name := range sortedKeys(c.outOfService) {
		n, ok := c.st.Nodes.GetKey(name)
		if !ok || n.IsReady() || !hasTaintKey(n.Taints, TaintNodeOutOfService) {
			delete(c.outOfService, name)
			continue
		}
		for _, p := range c.st.Pods.ByIndex(store.IndexNode, name) {
			if p.IsDeleting() {
				pods = append(pods, p)
			}
		}
	}
	slices.SortFunc(pods, byEvictionAndCreation)
	for _, p := range pods {
		c.forceDelete(p, nil, ReasonTerminatingOutOfService)
	}
}

// gcOrphaned quarantines missing nodes that pods are bound to, and deletes
// the pods of those still missing at the end of their quarantine.
func (c *Controller) gcOrphaned(now sim.Time) {
	for _, name := range sortedKeys(c.orphanNodes) {
		_, exists := c.st.Nodes.GetKey(name)
		if exists || c.st.Pods.CountByIndex(store.IndexNode, name) == 0 {
			delete(c.orphanNodes, name)
			continue
		}
		if _, ok := c.quarantine[name]; !ok {
			c.quarantine[name] = now.Add(c.cfg.Quarantine)
		}
	}
	for _, name := range sortedKeys(c.quarantine) {
		if c.quarantine[name] > now {
			continue
		}
		delete(c.quarantine, name)
		if _, exists := c.st.Nodes.GetKey(name); exists {
			continue
		}
		cond := &api.Condition{Type: api.PodDisruptionTarget, Status: api.ConditionTrue, Reason: ReasonDeletionByPodGC,
			Message: MessageDeletionByPodGC, LastTransitionTime: now}
		for _, p := range c.st.Pods.ByIndex(store.IndexNode, name) {
			c.forceDelete(p, cond, ReasonOrphaned)
		}
		delete(c.orphanNodes, name)
	}
}

// gcUnscheduledTerminating force-deletes terminating pods bound to no node.
func (c *Controller) gcUnscheduledTerminating() {
	for _, key := range sortedKeys(c.unscheduled) {
		delete(c.unscheduled, key)
		if p, ok := c.st.Pods.GetKey(key); ok && p.IsDeleting() && p.NodeName == "" {
			c.forceDelete(p, nil, ReasonTerminatingUnscheduled)
		}
	}
}

// maxAttempts bounds the re-read-and-retry loop of a write that meets a
// resourceVersion conflict.
const maxAttempts = 5

// forceDelete is upstream's markFailedAndDeletePodWithCondition: a pod not
// yet terminal is set Failed (with cond, if given), then deleted with grace
// period 0.
func (c *Controller) forceDelete(p *api.Pod, cond *api.Condition, reason string) {
	for range maxAttempts {
		cur, ok := c.st.Pods.GetKey(p.Key())
		if !ok || cur.UID != p.UID {
			return
		}
		if !cur.IsTerminal() {
			cl := cur.Clone()
			cl.Status.Phase = api.PodFailed
			if cond != nil {
				cl.Status.Conditions = api.SetCondition(cur.Status.Conditions, *cond)
			}
			var err error
			if cur, err = c.st.Pods.Update(Component, cl, reason); err != nil {
				if errors.Is(err, store.ErrConflict) {
					continue
				}
				return
			}
		}
		zero := int64(0)
		err := c.st.Pods.Delete(Component, cur.Namespace, cur.Name, store.DeleteOptions{GracePeriodSeconds: &zero, UID: cur.UID}, reason)
		if !errors.Is(err, store.ErrConflict) {
			return
		}
	}
}

// evicted reports whether a pod was evicted by its kubelet (upstream's
// PodIsEvicted).
func evicted(p *api.Pod) bool { return p.Status.Phase == api.PodFailed && p.Status.Reason == "Evicted" }

// byEvictionAndCreation orders pods evicted first, then oldest first, then
// by name (and namespace, so that the order is total).
func byEvictionAndCreation(a, b *api.Pod) int {
	return compareEntries(termEntry{evicted(a), a.CreationTimestamp, a.Name, a.Namespace, a.UID},
		termEntry{evicted(b), b.CreationTimestamp, b.Name, b.Namespace, b.UID})
}

func hasTaintKey(ts []api.Taint, key string) bool {
	for i := range ts {
		if ts[i].Key == key {
			return true
		}
	}
	return false
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// termEntry is a terminal pod in the collection order.
type termEntry struct {
	evicted   bool
	created   sim.Time
	name      string
	namespace string
	uid       api.UID
}

func compareEntries(a, b termEntry) int {
	if a.evicted != b.evicted {
		if a.evicted {
			return -1
		}
		return 1
	}
	if c := cmp.Compare(a.created, b.created); c != 0 {
		return c
	}
	if c := cmp.Compare(a.name, b.name); c != 0 {
		return c
	}
	if c := cmp.Compare(a.namespace, b.namespace); c != 0 {
		return c
	}
	return cmp.Compare(a.uid, b.uid)
}

// termHeap is a min-heap of terminal pods in collection order.
type termHeap []termEntry

func (h termHeap) Len() int           { return len(h) }
func (h termHeap) Less(i, j int) bool { return compareEntries(h[i], h[j]) < 0 }
func (h termHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }

// Push adds an entry (heap.Interface).
func (h *termHeap) Push(x any) { *h = append(*h, x.(termEntry)) }

// Pop removes the last entry (heap.Interface).
func (h *termHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

// prune drops the entries of pods no longer stored (deleted by others) once
// they outnumber the live ones, so that the heap stays proportional to the
// terminal pods that exist.
func (c *Controller) prune() {
	if len(c.old) <= 2*c.terminated+1024 {
		return
	}
	live := c.old[:0]
	for _, e := range c.old {
		if p, ok := c.st.Pods.Get(e.namespace, e.name); ok && p.UID == e.uid {
			live = append(live, e)
		}
	}
	clear(c.old[len(live):])
	c.old = live
	heap.Init(&c.old)
}
