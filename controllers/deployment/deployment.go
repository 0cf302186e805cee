package deployment

import (
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
	Name = "deployment"
	// Component is the name under which the controller writes to the store.
	Component = "deployment-controller"
	// DefaultWorkers is upstream's --concurrent-deployment-syncs default.
	DefaultWorkers = 5
)

// Event reasons and condition types and reasons, as upstream.
const (
	ReasonScalingReplicaSet = "ScalingReplicaSet"
	ReasonSelectingAll      = "SelectingAll"
	ReasonRollbackDone      = "DeploymentRollback"
	ReasonRollbackNotFound  = "DeploymentRollbackRevisionNotFound"
	ReasonRollbackUnchanged = "DeploymentRollbackTemplateUnchanged"

	// ConditionProgressing and ConditionAvailable are the condition types.
	ConditionProgressing = "Progressing"
	ConditionAvailable   = "Available"

	ReasonReplicaSetUpdated   = "ReplicaSetUpdated"
	ReasonFailedRSCreate      = "ReplicaSetCreateError"
	ReasonNewReplicaSet       = "NewReplicaSetCreated"
	ReasonFoundNewRS          = "FoundNewReplicaSet"
	ReasonNewRSAvailable      = "NewReplicaSetAvailable"
	ReasonTimedOut            = "ProgressDeadlineExceeded"
	ReasonPaused              = "DeploymentPaused"
	ReasonResumed             = "DeploymentResumed"
	ReasonMinimumAvailable    = "MinimumReplicasAvailable"
	ReasonMinimumUnavailable  = "MinimumReplicasUnavailable"
	reasonUpdateStatus        = "UpdateStatus"
	reasonSyncRevision        = "SyncRevision"
	reasonCleanupReplicaSet   = "CleanupReplicaSet"
	reasonAdopted             = "Adopted"
	reasonReleased            = "Released"
	reasonHashCollision       = "HashCollision"
	reasonScaleDeployment     = "ScaleDeployment"
	reasonPauseDeployment     = "PauseDeployment"
	reasonResumeDeployment    = "ResumeDeployment"
	reasonRollbackDeployment  = "RollbackDeployment"
	messageSelectingAll       = "This deployment is selecting all pods. A non-empty selector is required."
	messageMinimumAvailable   = "Deployment has minimum availability."
	messageMinimumUnavailable = "Deployment does not have minimum availability."
)

// DefaultConfig returns the Deployment controller's defaults: 5 workers, the
// runtime's default sync latency (10 ms).
func DefaultConfig() reconciler.Config {
	return reconciler.Config{SyncLatency: reconciler.DefaultSyncLatency, Workers: DefaultWorkers}
}

// Controller is the Deployment controller. Create it with New; it runs on the
// store's engine from then on.
type Controller struct {
	st      *store.Store
	rt      *reconciler.Controller
	orphans map[string]map[string]struct{} // namespace → keys of ReplicaSets without a controllerRef
}

// New starts a Deployment controller on st with cfg (zero fields take
// DefaultConfig's values): it watches Deployments, ReplicaSets and pod
// deletions and queues every existing Deployment, as an informer's initial
// list would.
func New(st *store.Store, cfg reconciler.Config) *Controller {
	c := &Controller{st: st, orphans: map[string]map[string]struct{}{}}
	c.rt = reconciler.New(Name, st.Engine(), c, cfg.WithDefaults(DefaultConfig()))
	st.Deployments.Watch(func(ev store.Event[*api.Deployment]) { c.rt.Enqueue(ev.Object().Key()) })
	st.ReplicaSets.Watch(c.onReplicaSet)
	st.Pods.Watch(c.onPod)
	for _, rs := range st.ReplicaSets.List("", nil) {
		c.trackOrphan(rs, false)
	}
	for _, d := range st.Deployments.List("", nil) {
		c.rt.Enqueue(d.Key())
	}
	return c
}

// Runtime returns the controller's work queue and workers.
func (c *Controller) Runtime() *reconciler.Controller { return c.rt }

// onReplicaSet maps a ReplicaSet event to the Deployments to sync, as
// upstream's addReplicaSet, updateReplicaSet and deleteReplicaSet.
func (c *Controller) onReplicaSet(ev store.Event[*api.ReplicaSet]) {
	switch ev.Type {
	case store.Added:
		rs := ev.New
		c.trackOrphan(rs, false)
		if ref := rs.ControllerRef(); ref != nil {
			c.enqueueOwner(rs.Namespace, ref)
			return
		}
		c.enqueueMatching(rs)
	case store.Modified:
		old, cur := ev.Old, ev.New
		c.trackOrphan(cur, false)
		if old.ResourceVersion == cur.ResourceVersion {
			return
		}
		curRef, oldRef := cur.ControllerRef(), old.ControllerRef()
		refChanged := !sameRef(curRef, oldRef)
		if refChanged && oldRef != nil {
			c.enqueueOwner(old.Namespace, oldRef)
		}
		if curRef != nil {
			c.enqueueOwner(cur.Namespace, curRef)
			return
		}
		if refChanged || !api.LabelsEqual(old.Labels, cur.Labels) {
			c.enqueueMatching(cur)
		}
	case store.Deleted:
		c.trackOrphan(ev.Old, true)
		if ref := ev.Old.ControllerRef(); ref != nil {
			c.enqueueOwner(ev.Old.Namespace, ref)
		}
	}
}

// onPod syncs a Recreate Deployment when the last pod of its ReplicaSets is
// gone (upstream's deletePod): the moment it may scale up its new
// ReplicaSet.
func (c *Controller) onPod(ev store.Event[*api.Pod]) {
	if ev.Type != store.Deleted {
		return
	}
	p := ev.Old
	ref := p.ControllerRef()
	if ref == nil || ref.Kind != api.KindReplicaSet {
		return
	}
	rs, ok := c.st.ReplicaSets.Get(p.Namespace, ref.Name)
	if !ok || rs.UID != ref.UID {
		return
	}
	d := c.resolve(rs.Namespace, rs.ControllerRef())
	if d == nil || d.Strategy.Type != StrategyRecreate {
		return
	}
	for _, sib := range c.st.ReplicaSets.ByIndex(store.IndexOwner, string(d.UID)) {
		if c.st.Pods.CountByIndex(store.IndexOwner, string(sib.UID)) > 0 {
			return
		}
	}
	c.rt.Enqueue(d.Key())
}

// enqueueOwner queues the Deployment a controllerRef points to, if it exists.
func (c *Controller) enqueueOwner(namespace string, ref *api.OwnerReference) {
	if d := c.resolve(namespace, ref); d != nil {
		c.rt.Enqueue(d.Key())
	}
}

// resolve returns the Deployment a controllerRef points to, or nil if it is
// not a Deployment or no longer exists with that UID.
func (c *Controller) resolve(namespace string, ref *api.OwnerReference) *api.Deployment {
	if ref == nil || ref.Kind != api.KindDeployment {
		return nil
	}
	d, ok := c.st.Deployments.Get(namespace, ref.Name)
	if !ok || d.UID != ref.UID {
		return nil
	}
	return d
}

// enqueueMatching queues every Deployment of the ReplicaSet's namespace whose
// (non-empty) selector matches its labels, so that one may adopt it.
func (c *Controller) enqueueMatching(rs *api.ReplicaSet) {
	for _, d := range c.st.Deployments.List(rs.Namespace, nil) {
		if d.Selector != nil && !d.Selector.Empty() && d.Selector.Matches(rs.Labels) {
			c.rt.Enqueue(d.Key())
		}
	}
}

// trackOrphan keeps the set of ReplicaSets without a controllerRef up to date.
func (c *Controller) trackOrphan(rs *api.ReplicaSet, gone bool) {
	set := c.orphans[rs.Namespace]
	if !gone && rs.ControllerRef() == nil {
		if set == nil {
			set = map[string]struct{}{}
			c.orphans[rs.Namespace] = set
		}
		set[rs.Key()] = struct{}{}
		return
	}
	if set != nil {
		delete(set, rs.Key())
		if len(set) == 0 {
			delete(c.orphans, rs.Namespace)
		}
	}
}

// orphansIn returns the current orphan ReplicaSets of a namespace, by key.
func (c *Controller) orphansIn(namespace string) []*api.ReplicaSet {
	set := c.orphans[namespace]
	if len(set) == 0 {
		return nil
	}
	keys := slices.Collect(maps.Keys(set))
	sort.Strings(keys)
	out := make([]*api.ReplicaSet, 0, len(keys))
	for _, k := range keys {
		if rs, ok := c.st.ReplicaSets.GetKey(k); ok && rs.ControllerRef() == nil {
			out = append(out, rs)
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
