package daemonset

import (
	"math/rand/v2"
	"time"

	"github.com/kubesim/kubesim/controllers/reconciler"
	"github.com/kubesim/kubesim/sim"
	"github.com/kubesim/kubesim/sim/api"
	"github.com/kubesim/kubesim/sim/store"
)

// Names and upstream constants.
const (
	// Name is the controller's name in the runtime and in configuration.
	Name = "daemonset"
	// Component is the name under which the controller writes to the store.
	Component = "daemonset-controller"
	// NameStream is the random stream pod name suffixes are drawn from.
	NameStream = "controllers/daemonset/names"
	// DefaultWorkers is upstream's --concurrent-daemonset-syncs default.
	DefaultWorkers = 2
	// BurstReplicas caps the creates and the deletes of one sync.
	BurstReplicas = 250
	// ExpectationsTimeout is how long a DaemonSet waits for the watch events
	// of its own creates and deletes before syncing anyway.
	ExpectationsTimeout = 5 * time.Minute
	// FailedPodsBackoffInitial and FailedPodsBackoffMax bound the per-node
	// delay between deletions of failed daemon pods.
	FailedPodsBackoffInitial = time.Second
	FailedPodsBackoffMax     = 15 * time.Minute
	// HashLabel is the label carrying a pod's or revision's template hash.
	HashLabel = "controller-revision-hash"
	// RollingUpdate and OnDelete are the update strategy types.
	RollingUpdate = "RollingUpdate"
	OnDelete      = "OnDelete"
)

// Event and write reasons, as upstream.
const (
	ReasonSuccessfulCreate = "SuccessfulCreate"
	ReasonFailedCreate     = "FailedCreate"
	ReasonSuccessfulDelete = "SuccessfulDelete"
	ReasonFailedDelete     = "FailedDelete"
	ReasonFailedDaemonPod  = "FailedDaemonPod"
	ReasonSelectingAll     = "SelectingAll"
	ReasonUpdateStatus     = "UpdateStatus"
	ReasonRevision         = "ControllerRevision"
)

// DefaultConfig returns the DaemonSet controller's defaults: 2 workers, the
// runtime's default sync latency (10 ms).
func DefaultConfig() reconciler.Config {
	return reconciler.Config{SyncLatency: reconciler.DefaultSyncLatency, Workers: DefaultWorkers}
}

// Controller is the DaemonSet controller. Create it with New.
type Controller struct {
	st      *store.Store
	rt      *reconciler.Controller
	names   *rand.Rand
	exp     map[string]*expectation // by DaemonSet key
	revs    map[string]*revision    // current revision's derived spec, by DaemonSet key
	backoff map[string]*backoffEntry
}

// expectation counts the creates and deletes a DaemonSet still expects to
// observe.
type expectation struct {
	add, del  int
	deleteFor map[string]struct{}
	at        sim.Time
}

// backoffEntry is client-go's flowcontrol.Backoff entry for one (DaemonSet,
// node): the current delay and when it was last bumped.
type backoffEntry struct {
	delay   time.Duration
	updated sim.Time
}

// New starts a DaemonSet controller on st with cfg (zero fields take
// DefaultConfig's values): it watches DaemonSets, pods and Nodes, and queues
// every existing DaemonSet.
func New(st *store.Store, cfg reconciler.Config) *Controller {
	c := &Controller{st: st, names: st.Engine().Rand(NameStream), exp: map[string]*expectation{},
		revs: map[string]*revision{}, backoff: map[string]*backoffEntry{}}
	c.rt = reconciler.New(Name, st.Engine(), c, cfg.WithDefaults(DefaultConfig()))
	st.DaemonSets.Watch(c.onDaemonSet)
	st.Pods.Watch(c.onPod)
	st.Nodes.Watch(c.onNode)
	for _, ds := range st.DaemonSets.List("", nil) {
		c.rt.Enqueue(ds.Key())
	}
	return c
}

// Runtime returns the controller's work queue and workers.
func (c *Controller) Runtime() *reconciler.Controller { return c.rt }

func (c *Controller) onDaemonSet(ev store.Event[*api.DaemonSet]) {
	key := ev.Object().Key()
	if ev.Type == store.Deleted {
		delete(c.exp, key)
		delete(c.revs, key)
	}
	c.rt.Enqueue(key)
}

// onPod observes expectations and queues the pod's DaemonSet.
func (c *Controller) onPod(ev store.Event[*api.Pod]) {
	p := ev.Object()
	ds := c.owner(p)
	if ds == nil {
		return
	}
	key := ds.Key()
	x := c.exp[key]
	switch ev.Type {
	case store.Added:
		if p.DeletionTimestamp != nil {
			x.deletionObserved(p.Key())
		} else if x != nil {
			x.add--
		}
	case store.Modified:
		if ev.New.ResourceVersion == ev.Old.ResourceVersion {
			return
		}
		if p.DeletionTimestamp != nil {
			x.deletionObserved(p.Key())
		}
	case store.Deleted:
		x.deletionObserved(p.Key())
	}
	c.rt.Enqueue(key)
}

// owner returns the DaemonSet controlling p, or nil.
func (c *Controller) owner(p *api.Pod) *api.DaemonSet {
	ref := p.ControllerRef()
	if ref == nil || ref.Kind != api.KindDaemonSet {
		return nil
	}
	ds, ok := c.st.DaemonSets.Get(p.Namespace, ref.Name)
	if !ok || ds.UID != ref.UID {
		return nil
	}
	return ds
}

// onNode queues the DaemonSets a node change matters to: on a new node those
// that should run there; on a changed node those whose decision for it
// changed; on a removed node every DaemonSet with pods meant for it or that
// should have run there.
func (c *Controller) onNode(ev store.Event[*api.Node]) {
	for _, ds := range c.st.DaemonSets.List("", nil) {
		rev := c.revs[ds.Key()]
		var spec *api.PodSpec
		if rev != nil && rev.uid == ds.UID && rev.tmpl == ds.Template {
			spec = rev.base
		} else if ds.Template != nil && ds.Template.Spec != nil {
			spec = daemonSpec(ds.Template.Spec)
		} else {
			continue
		}
		switch ev.Type {
		case store.Added:
			if run, _ := ShouldRun(ev.New, spec); run {
				c.rt.Enqueue(ds.Key())
			}
		case store.Modified:
			r1, c1 := ShouldRun(ev.Old, spec)
			r2, c2 := ShouldRun(ev.New, spec)
			if r1 != r2 || c1 != c2 {
				c.rt.Enqueue(ds.Key())
			}
		case store.Deleted:
			if run, cont := ShouldRun(ev.Old, spec); run || cont || c.st.Pods.CountByIndex(store.IndexNode, ev.Old.Name) > 0 {
				c.rt.Enqueue(ds.Key())
			}
		}
	}
}

// satisfied reports whether key's expectations are met or expired.
func (c *Controller) satisfied(key string, now sim.Time) bool {
	x := c.exp[key]
	if x == nil || (x.add <= 0 && x.del <= 0) {
		return true
	}
	return now.Sub(x.at) > ExpectationsTimeout
}

// deletionObserved counts the deletion of podKey once, if it was expected.
func (x *expectation) deletionObserved(podKey string) {
	if x == nil {
		return
	}
	if _, ok := x.deleteFor[podKey]; ok {
		delete(x.deleteFor, podKey)
		x.del--
	}
}

// inBackoff reports whether deleting a failed pod on node must wait, and how
// long (flowcontrol.Backoff.IsInBackOffSinceUpdate).
func (c *Controller) inBackoff(key string, now sim.Time) (time.Duration, bool) {
	e := c.backoff[key]
	if e == nil {
		return 0, false
	}
	if left := e.updated.Add(e.delay).Sub(now); left > 0 {
		return left, true
	}
	return 0, false
}

// nextBackoff bumps key's delay: the initial one when new or idle for twice
// the maximum, else doubled up to the maximum (flowcontrol.Backoff.Next).
func (c *Controller) nextBackoff(key string, now sim.Time) {
	e := c.backoff[key]
	if e == nil || now.Sub(e.updated) > 2*FailedPodsBackoffMax {
		c.backoff[key] = &backoffEntry{delay: FailedPodsBackoffInitial, updated: now}
		return
	}
	e.delay = min(2*e.delay, FailedPodsBackoffMax)
	e.updated = now
}
