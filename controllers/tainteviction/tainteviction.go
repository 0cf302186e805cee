package tainteviction

import (
	"errors"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/kubesim/kubesim/controllers/reconciler"
	"github.com/kubesim/kubesim/sim"
	"github.com/kubesim/kubesim/sim/api"
	"github.com/kubesim/kubesim/sim/store"
)

// Names and upstream constants.
const (
	// Name is the controller's name in the runtime and in configuration.
	Name = "tainteviction"
	// Component is the name under which the controller writes to the store.
	Component = "taint-eviction-controller"
	// DefaultWorkers is upstream's UpdateWorkerSize.
	DefaultWorkers = 8
	// EventTaintManagerEviction is the reason of the events recorded when a
	// pod is marked for deletion and when a scheduled deletion is cancelled.
	EventTaintManagerEviction = "TaintManagerEviction"
	// ReasonDeletionByTaintManager is the reason of the DisruptionTarget
	// condition set before the deletion.
	ReasonDeletionByTaintManager = "DeletionByTaintManager"
	// MessageDeletionByTaintManager is that condition's message.
	MessageDeletionByTaintManager = "Taint manager: deleting due to NoExecute taint"
)

// DefaultConfig returns the controller's defaults: 8 workers, the runtime's
// default sync latency (10 ms).
func DefaultConfig() reconciler.Config {
	return reconciler.Config{SyncLatency: reconciler.DefaultSyncLatency, Workers: DefaultWorkers}
}

// Controller is the taint eviction controller. Create it with New.
type Controller struct {
	st  *store.Store
	eng *sim.Engine
	rt  *reconciler.Controller
	// tainted holds the NoExecute taints of each node that has some.
	tainted map[string][]api.Taint
	// work holds the scheduled deletions by pod key.
	work map[string]*work
}

// work is one pod's scheduled deletion: an engine timer firing at fireAt,
// counted from createdAt (when the controller first found the pod under a
// NoExecute taint it tolerates for a while).
type work struct {
	c         *Controller
	key       string
	createdAt sim.Time
	fireAt    sim.Time
	timer     sim.Timer
}

// Fire deletes the pod.
func (w *work) Fire(sim.Time) {
	if w.c.work[w.key] == w {
		delete(w.c.work, w.key)
	}
	w.c.evict(w.key)
}

// New starts a taint eviction controller on st with cfg (zero fields take
// DefaultConfig's values). Nodes already in the store are queued, as an
// informer's initial list would.
func New(st *store.Store, cfg reconciler.Config) *Controller {
	c := &Controller{st: st, eng: st.Engine(), tainted: map[string][]api.Taint{}, work: map[string]*work{}}
	c.rt = reconciler.New(Name, st.Engine(), c, cfg.WithDefaults(DefaultConfig()))
	st.Nodes.Watch(c.onNode)
	st.Pods.Watch(c.onPod)
	for _, n := range st.Nodes.List("", nil) {
		if len(noExecute(n.Taints)) > 0 {
			c.rt.Enqueue(nodeKey(n.Name))
		}
	}
	return c
}

// Runtime returns the controller's work queue and workers.
func (c *Controller) Runtime() *reconciler.Controller { return c.rt }

// Scheduled returns when the pod with key ("namespace/name") is due to be
// deleted, if a deletion is scheduled.
func (c *Controller) Scheduled(key string) (sim.Time, bool) {
	if w := c.work[key]; w != nil {
		return w.fireAt, true
	}
	return 0, false
}

func nodeKey(name string) string { return "node:" + name }
func podKey(key string) string   { return "pod:" + key }

// onNode queues a node whose NoExecute taints changed (upstream's
// NodeUpdated).
func (c *Controller) onNode(ev store.Event[*api.Node]) {
	if ev.Type == store.Modified && taintsEqual(noExecute(ev.Old.Taints), noExecute(ev.New.Taints)) {
		return
	}
	c.rt.Enqueue(nodeKey(ev.Object().Name))
}

// onPod queues a pod that appeared, was bound, changed spec or went away
// (upstream's PodUpdated), when it can matter: its node has NoExecute
// taints or the pod has a scheduled deletion.
func (c *Controller) onPod(ev store.Event[*api.Pod]) {
	p := ev.Object()
	if ev.Type == store.Modified && ev.Old.NodeName == ev.New.NodeName && ev.Old.Spec == ev.New.Spec {
		return
	}
	key := p.Key()
	if _, ok := c.work[key]; !ok && (p.NodeName == "" || c.tainted[p.NodeName] == nil) {
		return
	}
	c.rt.Enqueue(podKey(key))
}

var _ reconciler.Reconciler = (*Controller)(nil)

// Reconcile handles "node:<name>" (every pod of the node against its
// NoExecute taints) and "pod:<namespace>/<name>" (one pod).
func (c *Controller) Reconcile(key string) (reconciler.Result, error) {
	switch {
	case strings.HasPrefix(key, "node:"):
		c.syncNode(strings.TrimPrefix(key, "node:"))
	case strings.HasPrefix(key, "pod:"):
		c.syncPod(strings.TrimPrefix(key, "pod:"))
	}
	return reconciler.Result{}, nil
}

// syncNode is upstream's handleNodeUpdate.
func (c *Controller) syncNode(name string) {
	n, ok := c.st.Nodes.GetKey(name)
	if !ok {
		delete(c.tainted, name)
		return
	}
	taints := noExecute(n.Taints)
	if len(taints) == 0 {
		delete(c.tainted, name)
	} else {
		c.tainted[name] = taints
	}
	pods := c.st.Pods.ByIndex(store.IndexNode, name)
	if len(taints) == 0 {
		for _, p := range pods {
			c.cancel(p.Key())
		}
		return
	}
	now := c.eng.Now()
	for _, p := range pods {
		c.processPod(p, taints, now)
	}
}

// syncPod is upstream's handlePodUpdate.
func (c *Controller) syncPod(key string) {
	p, ok := c.st.Pods.GetKey(key)
	if !ok {
		c.cancel(key)
		return
	}
	if p.NodeName == "" {
		return
	}
	taints, ok := c.tainted[p.NodeName]
	if !ok {
		return
	}
	c.processPod(p, taints, c.eng.Now())
}

// processPod is upstream's processPodOnNode: a pod that does not tolerate
// every NoExecute taint is deleted now; one that tolerates them all for at
// least a while is deleted when the shortest of the tolerations used runs
// out, counted from when its deletion was first scheduled; one that
// tolerates them forever is left alone.
func (c *Controller) processPod(p *api.Pod, taints []api.Taint, now sim.Time) {
	key := p.Key()
	if len(taints) == 0 {
		c.cancel(key)
	}
	wait, ok := TolerationTime(p.Spec.Tolerations, taints)
	if !ok {
		c.cancel(key)
		c.schedule(key, now, now)
		return
	}
	if wait < 0 {
		c.cancel(key)
		return
	}
	start, trigger := now, now.Add(wait)
	if w := c.work[key]; w != nil {
		start = w.createdAt
		if start.Add(wait) < trigger {
			return
		}
		c.cancel(key)
	}
	c.schedule(key, start, trigger)
}

// TolerationTime returns how long tolerations tolerate every taint of
// taints (all NoExecute), as upstream's GetMatchingTolerations and
// getMinTolerationTime: each taint is matched by the first toleration that
// tolerates it; ok is false if some taint is not tolerated; wait is the
// smallest tolerationSeconds among the matched tolerations (0 if one is ≤ 0,
// and for an empty taint list), or −1 if none of them has tolerationSeconds
// (tolerated forever).
func TolerationTime(tolerations []api.Toleration, taints []api.Taint) (wait time.Duration, ok bool) {
	if len(taints) == 0 {
		return 0, true
	}
	minSecs := int64(math.MaxInt64)
	for i := range taints {
		j := slices.IndexFunc(tolerations, func(t api.Toleration) bool { return t.ToleratesTaint(&taints[i]) })
		if j < 0 {
			return 0, false
		}
		if s := tolerations[j].TolerationSeconds; s != nil {
			minSecs = min(minSecs, max(*s, 0))
		}
	}
	if minSecs == math.MaxInt64 {
		return -1, true
	}
	return time.Duration(minSecs) * time.Second, true
}

// schedule arms the pod's deletion at fireAt (now or later), unless one is
// already scheduled.
func (c *Controller) schedule(key string, createdAt, fireAt sim.Time) {
	if _, ok := c.work[key]; ok {
		return
	}
	w := &work{c: c, key: key, createdAt: createdAt, fireAt: fireAt}
	c.work[key] = w
	w.timer = c.eng.At(max(fireAt, c.eng.Now()), w)
}

// cancel drops the pod's scheduled deletion, recording the cancellation.
func (c *Controller) cancel(key string) {
	w := c.work[key]
	if w == nil {
		return
	}
	delete(c.work, key)
	c.eng.Cancel(w.timer)
	if c.st.Recording() {
		ns, name, _ := strings.Cut(key, "/")
		c.st.Record(Component, &api.Pod{ObjectMeta: api.ObjectMeta{Namespace: ns, Name: name}}, EventTaintManagerEviction,
			"Cancelling deletion of Pod "+key)
	}
}

// maxAttempts bounds the re-read-and-retry loop of a write that meets a
// resourceVersion conflict (upstream retries 5 times).
const maxAttempts = 5

// evict sets the pod's DisruptionTarget condition and deletes it with its
// own grace period (upstream's deletePodHandler). A pod already being
// deleted is left alone.
func (c *Controller) evict(key string) {
	p, ok := c.st.Pods.GetKey(key)
	if !ok || p.IsDeleting() {
		return
	}
	c.st.Record(Component, p, EventTaintManagerEviction, "Marking for deletion Pod "+key)
	for range maxAttempts {
		p, ok := c.st.Pods.GetKey(key)
		if !ok || p.IsDeleting() {
			return
		}
		if dt := api.FindCondition(p.Status.Conditions, api.PodDisruptionTarget); dt == nil || dt.Status != api.ConditionTrue ||
			dt.Reason != ReasonDeletionByTaintManager || dt.Message != MessageDeletionByTaintManager {
			cl := p.Clone()
			cl.Status.Conditions = api.SetCondition(p.Status.Conditions, api.Condition{Type: api.PodDisruptionTarget,
				Status: api.ConditionTrue, Reason: ReasonDeletionByTaintManager, Message: MessageDeletionByTaintManager,
				LastTransitionTime: c.eng.Now()})
			var err error
			if p, err = c.st.Pods.Update(Component, cl, api.PodDisruptionTarget); err != nil {
				if errors.Is(err, store.ErrConflict) {
					continue
				}
				return
			}
		}
		err := c.st.Pods.Delete(Component, p.Namespace, p.Name, store.DeleteOptions{UID: p.UID}, EventTaintManagerEviction)
		if !errors.Is(err, store.ErrConflict) {
			return
		}
	}
}

// noExecute returns the NoExecute taints of ts (nil if none).
func noExecute(ts []api.Taint) []api.Taint {
	var out []api.Taint
	for _, t := range ts {
		if t.Effect == api.TaintNoExecute {
			out = append(out, t)
		}
	}
	return out
}

func taintsEqual(a, b []api.Taint) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		x, y := a[i], b[i]
		if x.Key != y.Key || x.Value != y.Value || x.Effect != y.Effect || (x.TimeAdded == nil) != (y.TimeAdded == nil) ||
			(x.TimeAdded != nil && *x.TimeAdded != *y.TimeAdded) {
			return false
		}
	}
	return true
}
