package replicaset

import (
	"maps"
	"math/rand/v2"
	"slices"
	"sort"
	"time"

	"github.com/kubesim/kubesim/controllers/reconciler"
	"github.com/kubesim/kubesim/sim"
	"github.com/kubesim/kubesim/sim/api"
	"github.com/kubesim/kubesim/sim/store"
)

// Names and upstream constants.
const (
	// Name is the controller's name in the runtime and in configuration.
	Name = "replicaset"
	// Component is the name under which the controller writes to the store.
	Component = "replicaset-controller"
	// NameStream is the random stream pod name suffixes are drawn from.
	NameStream = "controllers/replicaset/names"
	// BurstReplicas caps the creates or deletes of one sync.
	BurstReplicas = 500
	// SlowStartInitialBatchSize is the size of the first create batch.
	SlowStartInitialBatchSize = 1
	// DefaultWorkers is upstream's --concurrent-replicaset-syncs default.
	DefaultWorkers = 5
)

// Event reasons, as upstream.
const (
	ReasonSuccessfulCreate = "SuccessfulCreate"
	ReasonFailedCreate     = "FailedCreate"
	ReasonSuccessfulDelete = "SuccessfulDelete"
	ReasonFailedDelete     = "FailedDelete"
)

// DefaultConfig returns the ReplicaSet controller's defaults: 5 workers, the
// runtime's default sync latency (10 ms).
func DefaultConfig() reconciler.Config {
	return reconciler.Config{SyncLatency: reconciler.DefaultSyncLatency, Workers: DefaultWorkers}
}

// Controller is the ReplicaSet controller. Create it with New; it runs on the
// store's engine from then on.
type Controller struct {
	st      *store.Store
	rt      *reconciler.Controller
	exp     *expectations
	names   *rand.Rand
	orphans map[string]map[string]struct{} // namespace → keys of pods without a controllerRef
	counts  map[api.UID]*podCounts         // ReplicaSet UID → counts of the pods it controls
}

// New starts a ReplicaSet controller on st with cfg (zero fields take
// DefaultConfig's values): it watches ReplicaSets and pods and queues every
// existing ReplicaSet, as an informer's initial list would.
func New(st *store.Store, cfg reconciler.Config) *Controller {
	c := &Controller{
		st:      st,
		exp:     newExpectations(),
		names:   st.Engine().Rand(NameStream),
		orphans: map[string]map[string]struct{}{},
		counts:  map[api.UID]*podCounts{},
	}
	st.OnWrite(c.onWrite)
	c.rt = reconciler.New(Name, st.Engine(), c, cfg.WithDefaults(DefaultConfig()))
	st.ReplicaSets.Watch(c.onReplicaSet)
	st.Pods.Watch(c.onPod)
	for _, p := range st.Pods.List("", nil) {
		c.trackOrphan(p, false)
	}
	for _, rs := range st.ReplicaSets.List("", nil) {
		c.rt.Enqueue(rs.Key())
	}
	return c
}

// Runtime returns the controller's work queue and workers.
func (c *Controller) Runtime() *reconciler.Controller { return c.rt }

func (c *Controller) onReplicaSet(ev store.Event[*api.ReplicaSet]) {
	key := ev.Object().Key()
	if ev.Type == store.Deleted {
		c.exp.forget(key)
	}
	c.rt.Enqueue(key)
}

// onPod maps a pod event to the ReplicaSets to sync and observes
// expectations, as upstream's addPod, updatePod and deletePod.
func (c *Controller) onPod(ev store.Event[*api.Pod]) {
	switch ev.Type {
	case store.Added:
		p := ev.New
		c.trackOrphan(p, false)
		if p.DeletionTimestamp != nil {
			c.podDeleted(p)
			return
		}
		if ref := p.ControllerRef(); ref != nil {
			if rs := c.resolve(p.Namespace, ref); rs != nil {
				c.exp.creationObserved(rs.Key())
				c.rt.Enqueue(rs.Key())
			}
			return
		}
		c.enqueueMatching(p)
	case store.Modified:
		old, cur := ev.Old, ev.New
		c.trackOrphan(cur, false)
		if cur.ResourceVersion == old.ResourceVersion {
			return
		}
		labelsChanged := !api.LabelsEqual(old.Labels, cur.Labels)
		if cur.DeletionTimestamp != nil {
			c.podDeleted(cur)
			if labelsChanged {
				c.podDeleted(old)
			}
			return
		}
		curRef, oldRef := cur.ControllerRef(), old.ControllerRef()
		refChanged := !sameRef(curRef, oldRef)
		if refChanged && oldRef != nil {
			if rs := c.resolve(old.Namespace, oldRef); rs != nil {
				c.rt.Enqueue(rs.Key())
			}
		}
		if curRef != nil {
			if rs := c.resolve(cur.Namespace, curRef); rs != nil {
				c.rt.Enqueue(rs.Key())
			}
			return
		}
		if labelsChanged || refChanged {
			c.enqueueMatching(cur)
		}
	case store.Deleted:
		c.trackOrphan(ev.Old, true)
		c.podDeleted(ev.Old)
	}
}

// podDeleted observes the deletion (or start of graceful deletion) of a pod.
func (c *Controller) podDeleted(p *api.Pod) {
	ref := p.ControllerRef()
	if ref == nil {
		return
	}
	rs := c.resolve(p.Namespace, ref)
	if rs == nil {
		return
	}
	c.exp.deletionObserved(rs.Key(), p.Key())
	c.rt.Enqueue(rs.Key())
}

// enqueueMatching queues every ReplicaSet of the pod's namespace whose
// selector matches it, so that one of them may adopt it.
func (c *Controller) enqueueMatching(p *api.Pod) {
	for _, rs := range c.st.ReplicaSets.List(p.Namespace, nil) {
		if rs.Selector.Matches(p.Labels) {
			c.rt.Enqueue(rs.Key())
		}
	}
}

// resolve returns the ReplicaSet a controllerRef points to, or nil if it is
// not a ReplicaSet or no longer exists with that UID.
func (c *Controller) resolve(namespace string, ref *api.OwnerReference) *api.ReplicaSet {
	if ref.Kind != api.KindReplicaSet {
		return nil
	}
	rs, ok := c.st.ReplicaSets.Get(namespace, ref.Name)
	if !ok || rs.UID != ref.UID {
		return nil
	}
	return rs
}

// trackOrphan keeps the set of pods without a controllerRef up to date.
func (c *Controller) trackOrphan(p *api.Pod, gone bool) {
	set := c.orphans[p.Namespace]
	if !gone && p.ControllerRef() == nil {
		if set == nil {
			set = map[string]struct{}{}
			c.orphans[p.Namespace] = set
		}
		set[p.Key()] = struct{}{}
		return
	}
	if set != nil {
		delete(set, p.Key())
		if len(set) == 0 {
			delete(c.orphans, p.Namespace)
		}
	}
}

// orphansIn returns the current orphan pods of a namespace, by key order.
func (c *Controller) orphansIn(namespace string) []*api.Pod {
	set := c.orphans[namespace]
	if len(set) == 0 {
		return nil
	}
	keys := slices.Collect(maps.Keys(set))
	sort.Strings(keys)
	out := make([]*api.Pod, 0, len(keys))
	for _, k := range keys {
		if p, ok := c.st.Pods.GetKey(k); ok && p.ControllerRef() == nil {
			out = append(out, p)
		}
	}
	return out
}

func sameRef(a, b *api.OwnerReference) bool {
	if a == nil || b == nil {
		return a == b
	}
	return *a == *b
}

// now is the controller's clock.
func (c *Controller) now() sim.Time { return c.st.Now() }

// minReady returns minReadySeconds as a duration.
func minReady(rs *api.ReplicaSet) time.Duration {
	return time.Duration(rs.MinReadySeconds) * time.Second
}
