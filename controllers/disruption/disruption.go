package disruption

import (
	"time"

	"github.com/kubesim/kubesim/controllers/reconciler"
	"github.com/kubesim/kubesim/sim/api"
	"github.com/kubesim/kubesim/sim/store"
)

// Names and upstream constants.
const (
	// Name is the controller's name in the runtime and in configuration.
	Name = "disruption"
	// Component is the name under which the controller writes to the store.
	Component = "disruption-controller"
	// DeletionTimeout is how long a pod stays in a budget's
	// status.disruptedPods without being seen terminating before the
	// controller assumes its eviction did not happen.
	DeletionTimeout = 2 * time.Minute
	// DefaultWorkers is upstream's: the disruption controller runs one worker.
	DefaultWorkers = 1
)

// Event reasons and the status write reason, as upstream.
const (
	ReasonNoPods                          = "NoPods"
	ReasonUnmanagedPods                   = "UnmanagedPods"
	ReasonCalculateExpectedPodCountFailed = "CalculateExpectedPodCountFailed"
	ReasonNotDeleted                      = "NotDeleted"
	// ReasonUpdateStatus is the reason of the controller's status writes.
	ReasonUpdateStatus = "UpdateStatus"
)

// DefaultConfig returns the disruption controller's defaults: one worker,
// the runtime's default sync latency (10 ms).
func DefaultConfig() reconciler.Config {
	return reconciler.Config{SyncLatency: reconciler.DefaultSyncLatency, Workers: DefaultWorkers}
}

// Controller is the disruption controller. Create it with New; it runs on
// the store's engine from then on.
type Controller struct {
	st *store.Store
	rt *reconciler.Controller
}

var _ reconciler.Reconciler = (*Controller)(nil)

// New starts a disruption controller on st with cfg (zero fields take
// DefaultConfig's values): it watches PodDisruptionBudgets and pods and
// queues every existing budget, as an informer's initial list would.
func New(st *store.Store, cfg reconciler.Config) *Controller {
	c := &Controller{st: st}
	c.rt = reconciler.New(Name, st.Engine(), c, cfg.WithDefaults(DefaultConfig()))
	st.PDBs.Watch(func(ev store.Event[*api.PodDisruptionBudget]) { c.rt.Enqueue(ev.Object().Key()) })
	st.Pods.Watch(c.onPod)
	for _, pdb := range st.PDBs.List("", nil) {
		c.rt.Enqueue(pdb.Key())
	}
	return c
}

// Runtime returns the controller's work queue and workers.
func (c *Controller) Runtime() *reconciler.Controller { return c.rt }

// onPod queues the budgets that select the pod (with its old labels too
// when they changed).
func (c *Controller) onPod(ev store.Event[*api.Pod]) {
	p := ev.Object()
	c.enqueueSelecting(p.Namespace, p.Labels)
	if ev.Type == store.Modified && !api.LabelsEqual(ev.Old.Labels, ev.New.Labels) {
		c.enqueueSelecting(p.Namespace, ev.Old.Labels)
	}
}

func (c *Controller) enqueueSelecting(namespace string, labels map[string]string) {
	for _, pdb := range c.st.PDBs.List(namespace, nil) {
		if pdb.Selector.Matches(labels) {
			c.rt.Enqueue(pdb.Key())
		}
	}
}

// Reconcile syncs the status of the budget with the given key; see the
// package documentation.
func (c *Controller) Reconcile(key string) (reconciler.Result, error) {
	pdb, ok := c.st.PDBs.GetKey(key)
	if !ok {
		return reconciler.Result{}, nil
	}
	pods := c.podsFor(pdb)
	if len(pods) == 0 {
		c.st.Record(Component, pdb, ReasonNoPods, "No matching pods found")
	}
	expected, desired, unmanaged, err := c.expectedPodCount(pdb, pods)
	if err != nil {
		c.st.Record(Component, pdb, ReasonCalculateExpectedPodCountFailed,
			"Failed to calculate the number of expected pods: "+err.Error())
		return reconciler.Result{}, c.failSafe(pdb, err)
	}
	if len(unmanaged) > 0 {
		c.st.Record(Component, pdb, ReasonUnmanagedPods, unmanagedMessage(pdb))
	}
	now := c.st.Now()
	disrupted, recheck := c.buildDisruptedPods(pdb, pods, now)
	healthy := countHealthy(pods, disrupted, now)
	status := computeStatus(pdb, healthy, desired, expected, disrupted, now)
	if !statusEqual(status, pdb.Status) {
		upd := pdb.Clone()
		upd.Status = status
		if _, err := c.st.PDBs.Update(Component, upd, ReasonUpdateStatus); err != nil {
			return reconciler.Result{}, ignoreNotFound(err)
		}
	}
	var res reconciler.Result
	if recheck > 0 {
		// Look again just after the first entry of disruptedPods expires.
		res.RequeueAfter = recheck.Sub(now) + 1
	}
	return res, nil
}

// podsFor returns the pods of the budget's namespace that its selector
// matches (none for a nil selector, every pod for an empty one), terminal
// and terminating ones included, as upstream lists them.
func (c *Controller) podsFor(pdb *api.PodDisruptionBudget) []*api.Pod {
	if pdb.Selector == nil {
		return nil
	}
	return c.st.Pods.List(pdb.Namespace, pdb.Selector)
}

// failSafe sets disruptionsAllowed to 0 with the condition
// DisruptionAllowed=False reason SyncFailed, so that no eviction is granted
// on a budget whose status could not be computed. As upstream, the key is
// not retried when this write succeeds.
func (c *Controller) failSafe(pdb *api.PodDisruptionBudget, cause error) error {
	upd := pdb.Clone()
	upd.Status.DisruptionsAllowed = 0
	upd.Status.Conditions = api.SetCondition(pdb.Status.Conditions, api.Condition{Type: store.PDBDisruptionAllowed,
		Status: api.ConditionFalse, Reason: store.PDBReasonSyncFailed, Message: cause.Error(), LastTransitionTime: c.st.Now()})
	if statusEqual(upd.Status, pdb.Status) {
		return nil
	}
	_, err := c.st.PDBs.Update(Component, upd, ReasonUpdateStatus)
	return ignoreNotFound(err)
}

func unmanagedMessage(pdb *api.PodDisruptionBudget) string {
	return "Pods selected by this PodDisruptionBudget (selector: " + selectorString(pdb.Selector) + ") were found " +
		"to be unmanaged. As a result, the status of the PDB cannot be calculated correctly, which may result in undefined behavior. " +
		"To account for these pods please set \".spec.minAvailable\" field of the PDB to an integer value."
}

// ignoreNotFound drops ErrNotFound: the budget was deleted meanwhile.
func ignoreNotFound(err error) error {
	if err != nil && isNotFound(err) {
		return nil
	}
	return err
}
