package ttlafterfinished

import (
	"errors"
	"time"

	"github.com/kubesim/kubesim/controllers/reconciler"
	"github.com/kubesim/kubesim/sim"
	"github.com/kubesim/kubesim/sim/api"
	"github.com/kubesim/kubesim/sim/store"
)

// Names and defaults.
const (
	// Name is the controller's name in the runtime and in configuration.
	Name = "ttlafterfinished"
	// Component is the name under which the controller writes to the store.
	Component = "ttl-after-finished-controller"
	// ReasonTTLExpired is the reason of the Job deletion.
	ReasonTTLExpired = "TTLExpired"
	// DefaultWorkers is upstream's --concurrent-ttl-after-finished-syncs default.
	DefaultWorkers = 5
)

// DefaultConfig returns the controller's defaults: 5 workers, the runtime's
// default sync latency (10 ms).
func DefaultConfig() reconciler.Config {
	return reconciler.Config{SyncLatency: reconciler.DefaultSyncLatency, Workers: DefaultWorkers}
}

// Controller is the TTL-after-finished controller. Create it with New.
type Controller struct {
	st *store.Store
	rt *reconciler.Controller
}

// New starts the controller on st with cfg (zero fields take DefaultConfig's
// values) and queues every existing Job that needs cleaning up.
func New(st *store.Store, cfg reconciler.Config) *Controller {
	c := &Controller{st: st}
	c.rt = reconciler.New(Name, st.Engine(), c, cfg.WithDefaults(DefaultConfig()))
	st.Jobs.Watch(func(ev store.Event[*api.Job]) {
		if ev.Type != store.Deleted && ev.New.DeletionTimestamp == nil && needsCleanup(ev.New) {
			c.rt.Enqueue(ev.New.Key())
		}
	})
	for _, j := range st.Jobs.List("", nil) {
		if needsCleanup(j) {
			c.rt.Enqueue(j.Key())
		}
	}
	return c
}

// Runtime returns the controller's work queue and workers.
func (c *Controller) Runtime() *reconciler.Controller { return c.rt }

// needsCleanup reports whether a Job has finished and has a TTL.
func needsCleanup(j *api.Job) bool {
	_, finished := FinishTime(j)
	return j.TTLSecondsAfterFinished != nil && finished
}

// FinishTime returns when a Job finished: the LastTransitionTime of its True
// Complete or Failed condition; ok is false while it has not finished.
func FinishTime(j *api.Job) (t sim.Time, ok bool) {
	for _, c := range j.Status.Conditions {
		if (c.Type == "Complete" || c.Type == "Failed") && c.Status == api.ConditionTrue {
			return c.LastTransitionTime, true
		}
	}
	return 0, false
}

// Reconcile deletes the Job with the given key if its TTL has expired, or
// asks to be synced again when it will.
func (c *Controller) Reconcile(key string) (reconciler.Result, error) {
	j, ok := c.st.Jobs.GetKey(key)
	if !ok || j.DeletionTimestamp != nil || !needsCleanup(j) {
		return reconciler.Result{}, nil
	}
	finish, _ := FinishTime(j)
	expire := finish.Add(time.Duration(*j.TTLSecondsAfterFinished) * time.Second)
	if left := expire.Sub(c.st.Now()); left > 0 {
		return reconciler.Result{RequeueAfter: left}, nil
	}
	err := c.st.Jobs.Delete(Component, j.Namespace, j.Name, store.DeleteOptions{UID: j.UID}, ReasonTTLExpired)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return reconciler.Result{}, err
	}
	return reconciler.Result{}, nil
}
