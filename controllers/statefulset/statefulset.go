package statefulset

import (
	"fmt"
	"maps"
	"slices"
	"sort"

	"github.com/kubesim/kubesim/controllers/reconciler"
	"github.com/kubesim/kubesim/sim/api"
	"github.com/kubesim/kubesim/sim/store"
)

// Names and upstream constants.
const (
	// Name is the controller's name in the runtime and in configuration.
	Name = "statefulset"
	// Component is the name under which the controller writes to the store.
	Component = "statefulset-controller"
	// DefaultWorkers is upstream's --concurrent-statefulset-syncs default.
	DefaultWorkers = 5
	// MaxBatchSize caps a slow-start batch of Parallel creates or deletes.
	MaxBatchSize = 500

	// LabelPodName is the label holding a pod's own name.
	LabelPodName = "statefulset.kubernetes.io/pod-name"
	// LabelPodIndex is the label holding a pod's ordinal.
	LabelPodIndex = "apps.kubernetes.io/pod-index"
	// LabelRevision is the pod label naming the ControllerRevision the pod
	// was made from (its value is the revision's name, "web-5d9c7b8f4").
	LabelRevision = "controller-revision-hash"
	// LabelRevisionHash is the ControllerRevision label holding its hash.
	LabelRevisionHash = "controller.kubernetes.io/hash"

	// OrderedReady and Parallel are the pod management policies.
	OrderedReady = "OrderedReady"
	Parallel     = "Parallel"
	// RollingUpdate and OnDelete are the update strategies.
	RollingUpdate = "RollingUpdate"
	OnDelete      = "OnDelete"
)

// Event reasons, as upstream's recordPodEvent.
const (
	ReasonSuccessfulCreate = "SuccessfulCreate"
	ReasonFailedCreate     = "FailedCreate"
	ReasonSuccessfulUpdate = "SuccessfulUpdate"
	ReasonFailedUpdate     = "FailedUpdate"
	ReasonSuccessfulDelete = "SuccessfulDelete"
	ReasonFailedDelete     = "FailedDelete"
)

// DefaultConfig returns the StatefulSet controller's defaults: 5 workers, the
// runtime's default sync latency (10 ms).
func DefaultConfig() reconciler.Config {
	return reconciler.Config{SyncLatency: reconciler.DefaultSyncLatency, Workers: DefaultWorkers}
}

// Controller is the StatefulSet controller. Create it with New; it runs on the
// store's engine from then on.
type Controller struct {
	st *store.Store
	rt *reconciler.Controller
	// orphanPods and orphanRevs hold, per namespace, the keys of pods and
	// ControllerRevisions without a controllerRef: the candidates for adoption.
	orphanPods, orphanRevs orphans
}

// New starts a StatefulSet controller on st with cfg (zero fields take
// DefaultConfig's values): it watches StatefulSets, pods and
// ControllerRevisions and queues every existing StatefulSet, as an
// informer's initial list would.
func New(st *store.Store, cfg reconciler.Config) *Controller {
	c := &Controller{st: st, orphanPods: orphans{}, orphanRevs: orphans{}}
	c.rt = reconciler.New(Name, st.Engine(), c, cfg.WithDefaults(DefaultConfig()))
	st.StatefulSets.Watch(func(ev store.Event[*api.StatefulSet]) { c.rt.Enqueue(ev.Object().Key()) })
	st.Pods.Watch(c.onPod)
	st.Revisions.Watch(c.onRevision)
	for _, p := range st.Pods.List("", nil) {
		c.orphanPods.track(&p.ObjectMeta, false)
	}
	for _, r := range st.Revisions.List("", nil) {
		c.orphanRevs.track(&r.ObjectMeta, false)
	}
	for _, s := range st.StatefulSets.List("", nil) {
		c.rt.Enqueue(s.Key())
	}
	return c
}

// Runtime returns the controller's work queue and workers.
func (c *Controller) Runtime() *reconciler.Controller { return c.rt }

// onPod maps a pod event to the StatefulSets to sync, as upstream's addPod,
// updatePod and deletePod: the controlling set, or for an orphan every set
// of its namespace whose selector matches it.
func (c *Controller) onPod(ev store.Event[*api.Pod]) {
	switch ev.Type {
	case store.Added:
		p := ev.New
		c.orphanPods.track(&p.ObjectMeta, false)
		if ref := p.ControllerRef(); ref != nil {
			c.enqueueRef(p.Namespace, ref)
			return
		}
		if p.DeletionTimestamp == nil {
			c.enqueueMatching(p)
		}
	case store.Modified:
		old, cur := ev.Old, ev.New
		c.orphanPods.track(&cur.ObjectMeta, false)
		if cur.ResourceVersion == old.ResourceVersion {
			return
		}
		curRef, oldRef := cur.ControllerRef(), old.ControllerRef()
		refChanged := !sameRef(curRef, oldRef)
		if refChanged && oldRef != nil {
			c.enqueueRef(old.Namespace, oldRef)
		}
		if curRef != nil {
			c.enqueueRef(cur.Namespace, curRef)
			return
		}
		if refChanged || !api.LabelsEqual(old.Labels, cur.Labels) {
			c.enqueueMatching(cur)
		}
	case store.Deleted:
		c.orphanPods.track(&ev.Old.ObjectMeta, true)
		if ref := ev.Old.ControllerRef(); ref != nil {
			c.enqueueRef(ev.Old.Namespace, ref)
		}
	}
}

// onRevision keeps the orphan revisions up to date (upstream does not sync
// on revision events, and neither does this controller).
func (c *Controller) onRevision(ev store.Event[*api.ControllerRevision]) {
	c.orphanRevs.track(&ev.Object().ObjectMeta, ev.Type == store.Deleted)
}

// enqueueRef queues the StatefulSet a controllerRef points to, if it is one
// and still exists with that UID.
func (c *Controller) enqueueRef(namespace string, ref *api.OwnerReference) {
	if ref.Kind != api.KindStatefulSet {
		return
	}
	if s, ok := c.st.StatefulSets.Get(namespace, ref.Name); ok && s.UID == ref.UID {
		c.rt.Enqueue(s.Key())
	}
}

// enqueueMatching queues every StatefulSet of the pod's namespace whose
// selector matches it, so that one of them may adopt it.
func (c *Controller) enqueueMatching(p *api.Pod) {
	for _, s := range c.st.StatefulSets.List(p.Namespace, nil) {
		if s.Selector != nil && s.Selector.Matches(p.Labels) {
			c.rt.Enqueue(s.Key())
		}
	}
}

func sameRef(a, b *api.OwnerReference) bool {
	if a == nil || b == nil {
		return a == b
	}
	return *a == *b
}

// orphans maps a namespace to the keys of its objects without a
// controllerRef.
type orphans map[string]map[string]struct{}

// track records whether the object is an orphan (gone: it was deleted).
func (o orphans) track(m *api.ObjectMeta, gone bool) {
	set := o[m.Namespace]
	if !gone && m.ControllerRef() == nil {
		if set == nil {
			set = map[string]struct{}{}
			o[m.Namespace] = set
		}
		set[m.Key()] = struct{}{}
		return
	}
	if set != nil {
		delete(set, m.Key())
		if len(set) == 0 {
			delete(o, m.Namespace)
		}
	}
}

// keys returns the orphan keys of a namespace in sorted order.
func (o orphans) keys(namespace string) []string {
	set := o[namespace]
	if len(set) == 0 {
		return nil
	}
	keys := slices.Collect(maps.Keys(set))
	sort.Strings(keys)
	return keys
}

// Scale sets the replicas of the StatefulSet namespace/name on behalf of
// component (a scenario action, kubectl scale): spec.replicas changes and the
// generation is bumped, as the scale subresource does. Setting the current
// value writes nothing.
func Scale(st *store.Store, component, namespace, name string, replicas int32) error {
	if replicas < 0 {
		return fmt.Errorf("statefulset %s: replicas must be ≥ 0, got %d: %w", api.Key(namespace, name), replicas, store.ErrInvalid)
	}
	s, ok := st.StatefulSets.Get(namespace, name)
	if !ok {
		return fmt.Errorf("statefulset %s: %w", api.Key(namespace, name), store.ErrNotFound)
	}
	if s.Replicas == replicas {
		return nil
	}
	u := s.Clone()
	u.Replicas = replicas
	u.Generation++
	_, err := st.StatefulSets.Update(component, u, "Scale")
	return err
}
