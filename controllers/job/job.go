package job

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
	Name = "job"
	// Component is the name under which the controller writes to the store.
	Component = "job-controller"
	// NameStream is the random stream pod name suffixes are drawn from.
	NameStream = "controllers/job/names"
	// DefaultWorkers is upstream's --concurrent-job-syncs default.
	DefaultWorkers = 5
	// MaxPodCreateDeletePerSync caps the creates or deletes of one sync.
	MaxPodCreateDeletePerSync = 500
	// SyncJobBatchPeriod delays the syncs that pod events and status-only Job
	// updates trigger, so that bursts coalesce.
	SyncJobBatchPeriod = time.Second
	// DefaultJobPodFailureBackOff is the delay before re-creating pods after
	// the first failure; it doubles with each further failure.
	DefaultJobPodFailureBackOff = 10 * time.Second
	// MaxJobPodFailureBackOff caps the pod failure back-off (the code's
	// value; upstream's documentation says six minutes).
	MaxJobPodFailureBackOff = 10 * time.Minute
	// ExpectationsTimeout is how long a Job waits for the watch events of its
	// own creates and deletes before syncing anyway.
	ExpectationsTimeout = 5 * time.Minute
)

// Job condition types, reasons and the completion-index key, as upstream's
// batch/v1.
const (
	ConditionComplete           = "Complete"
	ConditionFailed             = "Failed"
	ConditionSuspended          = "Suspended"
	ConditionSuccessCriteriaMet = "SuccessCriteriaMet"
	ConditionFailureTarget      = "FailureTarget"

	ReasonBackoffLimitExceeded = "BackoffLimitExceeded"
	ReasonDeadlineExceeded     = "DeadlineExceeded"

	// CompletionIndexKey is the annotation and label carrying an Indexed
	// Job pod's completion index.
	CompletionIndexKey = "batch.kubernetes.io/job-completion-index"

	CompletionModeIndexed = "Indexed"
	// ReplaceFailed is the podReplacementPolicy that waits for pods to be
	// terminal (the default is TerminatingOrFailed).
	ReplaceFailed = "Failed"
)

// Event reasons, as upstream.
const (
	ReasonSuccessfulCreate = "SuccessfulCreate"
	ReasonFailedCreate     = "FailedCreate"
	ReasonSuccessfulDelete = "SuccessfulDelete"
	ReasonFailedDelete     = "FailedDelete"
	ReasonCompleted        = "Completed"
	ReasonSuspended        = "Suspended"
	ReasonResumed          = "Resumed"
	ReasonUpdateStatus     = "UpdateStatus"
)

// DefaultConfig returns the Job controller's defaults: 5 workers, the
// runtime's default sync latency (10 ms).
func DefaultConfig() reconciler.Config {
	return reconciler.Config{SyncLatency: reconciler.DefaultSyncLatency, Workers: DefaultWorkers}
}

// Controller is the Job controller. Create it with New.
type Controller struct {
	st     *store.Store
	rt     *reconciler.Controller
	names  *rand.Rand
	states map[string]*jobState // by Job key
}

// jobState is what the controller remembers about one Job between syncs:
// what upstream keeps in pod tracking finalizers, expectations and the
// back-off store.
type jobState struct {
	uid api.UID
	// done holds the pods whose end is accounted for: counted in status, or
	// deleted by the controller without counting (upstream: the tracking
	// finalizer was removed).
	done map[api.UID]struct{}
	// gone lists pods that left the store before they were accounted for.
	gone []gonePod
	// Expectations of creates and deletes (upstream's
	// UIDTrackingControllerExpectations).
	add, del  int
	deleteFor map[string]struct{}
	expAt     sim.Time
	backoff   backoffRecord
}

// gonePod is the last state of a pod removed before it was counted.
type gonePod struct {
	uid       api.UID
	succeeded bool
	index     int
	finished  sim.Time
}

// New starts a Job controller on st with cfg (zero fields take
// DefaultConfig's values). Terminal pods already in the store count as
// accounted for; every existing Job is queued.
func New(st *store.Store, cfg reconciler.Config) *Controller {
	c := &Controller{st: st, names: st.Engine().Rand(NameStream), states: map[string]*jobState{}}
	c.rt = reconciler.New(Name, st.Engine(), c, cfg.WithDefaults(DefaultConfig()))
	st.Jobs.Watch(c.onJob)
	st.Pods.Watch(c.onPod)
	for _, j := range st.Jobs.List("", nil) {
		s := c.state(j)
		for _, p := range st.Pods.ByIndex(store.IndexOwner, string(j.UID)) {
			if p.IsTerminal() {
				s.done[p.UID] = struct{}{}
			}
		}
		c.rt.Enqueue(j.Key())
	}
	return c
}

// Runtime returns the controller's work queue and workers.
func (c *Controller) Runtime() *reconciler.Controller { return c.rt }

// state returns the remembered state of j, fresh when j is new (or was
// re-created under the same name).
func (c *Controller) state(j *api.Job) *jobState {
	key := j.Key()
	s := c.states[key]
	if s == nil || s.uid != j.UID {
		s = &jobState{uid: j.UID, done: map[api.UID]struct{}{}}
		c.states[key] = s
	}
	return s
}

// onJob queues a Job: at once when it is new or its spec changed, after
// SyncJobBatchPeriod for status-only updates, as upstream.
func (c *Controller) onJob(ev store.Event[*api.Job]) {
	key := ev.Object().Key()
	switch ev.Type {
	case store.Added:
		c.rt.Enqueue(key)
	case store.Modified:
		if ev.New.Generation != ev.Old.Generation {
			c.rt.Enqueue(key)
		} else {
			c.rt.EnqueueAfter(key, SyncJobBatchPeriod)
		}
	case store.Deleted:
		if s := c.states[key]; s != nil && s.uid == ev.Old.UID {
			delete(c.states, key)
		}
		c.rt.Enqueue(key)
	}
}

// onPod observes expectations and remembers pods that vanish uncounted, then
// queues the pod's Job after the batch period.
func (c *Controller) onPod(ev store.Event[*api.Pod]) {
	p := ev.Object()
	ref := p.ControllerRef()
	if ref == nil || ref.Kind != api.KindJob {
		return
	}
	j, ok := c.st.Jobs.Get(p.Namespace, ref.Name)
	if !ok || j.UID != ref.UID {
		return
	}
	if isFinished(j) {
		return
	}
	s := c.state(j)
	switch ev.Type {
	case store.Added:
		if p.DeletionTimestamp != nil {
			s.deletionObserved(p.Key())
		} else {
			s.add--
		}
	case store.Modified:
		if ev.New.ResourceVersion == ev.Old.ResourceVersion {
			return
		}
		if p.DeletionTimestamp != nil {
			s.deletionObserved(p.Key())
		}
	case store.Deleted:
		s.deletionObserved(p.Key())
		if _, counted := s.done[p.UID]; !counted {
			s.gone = append(s.gone, gonePod{uid: p.UID, succeeded: p.Status.Phase == api.PodSucceeded,
				index: completionIndex(p), finished: finishedTime(p)})
		}
	}
	c.rt.EnqueueAfter(j.Key(), SyncJobBatchPeriod)
}

// satisfied reports whether the Job may create or delete pods: every create
// and delete of earlier syncs has been observed, or ExpectationsTimeout passed.
func (s *jobState) satisfied(now sim.Time) bool {
	if s.add <= 0 && s.del <= 0 {
		return true
	}
	return now.Sub(s.expAt) > ExpectationsTimeout
}

func (s *jobState) expectCreations(n int, now sim.Time) {
	s.add, s.del, s.deleteFor, s.expAt = n, 0, nil, now
}

func (s *jobState) expectDeletions(keys []string, now sim.Time) {
	s.deleteFor = make(map[string]struct{}, len(keys))
	for _, k := range keys {
		s.deleteFor[k] = struct{}{}
	}
	s.add, s.del, s.expAt = 0, len(s.deleteFor), now
}

// deletionObserved counts the deletion of podKey once, if it was expected.
func (s *jobState) deletionObserved(podKey string) {
	if _, ok := s.deleteFor[podKey]; ok {
		delete(s.deleteFor, podKey)
		s.del--
	}
}

// isFinished reports whether the Job has a True Complete or Failed condition.
func isFinished(j *api.Job) bool {
	for _, c := range j.Status.Conditions {
		if (c.Type == ConditionComplete || c.Type == ConditionFailed) && c.Status == api.ConditionTrue {
			return true
		}
	}
	return false
}

// IsFinished reports whether the Job has finished (Complete or Failed True).
func IsFinished(j *api.Job) bool { return isFinished(j) }
