package job

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/kubesim/kubesim/controllers/reconciler"
	"github.com/kubesim/kubesim/sim"
	"github.com/kubesim/kubesim/sim/api"
	"github.com/kubesim/kubesim/sim/store"
)

// maxNameAttempts bounds the retries of a pod create whose generated name is
// taken.
const maxNameAttempts = 16

// maxGeneratedPrefix is the longest name prefix generateName keeps (63 − 5).
const maxGeneratedPrefix = 58

var _ reconciler.Reconciler = (*Controller)(nil)

// syncCtx is one sync's view of a Job (upstream's syncJobCtx).
type syncCtx struct {
	job         *api.Job
	s           *jobState
	now         sim.Time
	pods        []*api.Pod
	active      []*api.Pod
	terminating int32
	ready       int32
	succeeded   int32
	failed      int32
	indexed     bool
	// succeededIdx is the set of completed indexes (Indexed Jobs).
	succeededIdx map[int]bool
	backoff      backoffRecord
	requeue      time.Duration // smallest requested delayed resync, 0 = none
}

// Reconcile syncs the Job with the given key; see the package documentation.
func (c *Controller) Reconcile(key string) (reconciler.Result, error) {
	j, ok := c.st.Jobs.GetKey(key)
	if !ok || isFinished(j) {
		delete(c.states, key)
		return reconciler.Result{}, nil
	}
	if j.Selector == nil || j.Template == nil || j.Template.Spec == nil {
		return reconciler.Result{}, nil // invalid: nothing to do, as upstream
	}
	x := &syncCtx{job: j, s: c.state(j), now: c.st.Now()}
	x.indexed = j.CompletionMode == CompletionModeIndexed && j.Completions != nil
	satisfied := x.s.satisfied(x.now)

	for _, p := range c.st.Pods.ByIndex(store.IndexOwner, string(j.UID)) {
		if ref := p.ControllerRef(); ref == nil || ref.UID != j.UID {
			continue
		}
		x.pods = append(x.pods, p)
		switch {
		case p.IsTerminal():
		case p.DeletionTimestamp != nil:
			x.terminating++
		default:
			x.active = append(x.active, p)
			if p.IsReady() {
				x.ready++
			}
		}
	}
	slices.SortFunc(x.pods, func(a, b *api.Pod) int { return cmpString(a.Name, b.Name) })
	slices.SortFunc(x.active, func(a, b *api.Pod) int { return cmpString(a.Name, b.Name) })

	// Newly ended pods: not yet accounted for, still in the store or gone.
	var succTimes, failTimes []sim.Time
	newSucc, newFail := 0, 0
	if x.indexed {
		x.succeededIdx = map[int]bool{}
		for _, i := range ParseIndexes(j.Status.CompletedIndexes, *j.Completions) {
			x.succeededIdx[i] = true
		}
	}
	for _, p := range x.pods {
		if _, done := x.s.done[p.UID]; done {
			continue
		}
		ix := completionIndex(p)
		if x.indexed && !validIndex(ix, *j.Completions) {
			continue
		}
		switch {
		case p.Status.Phase == api.PodSucceeded:
			newSucc++
			succTimes = append(succTimes, finishedTime(p))
			if x.indexed {
				x.succeededIdx[ix] = true
			}
		case isPodFailed(p, j):
			newFail++
			failTimes = append(failTimes, finishedTime(p))
		}
	}
	for _, g := range x.s.gone {
		if x.indexed && !validIndex(g.index, *j.Completions) {
			continue
		}
		if g.succeeded {
			newSucc++
			succTimes = append(succTimes, g.finished)
			if x.indexed {
				x.succeededIdx[g.index] = true
			}
		} else {
			newFail++
			failTimes = append(failTimes, g.finished)
		}
	}
	x.succeeded = j.Status.Succeeded + int32(newSucc)
	x.failed = j.Status.Failed + int32(newFail)
	if x.indexed {
		x.succeeded = int32(len(x.succeededIdx))
	}

	status := j.Status
	status.Conditions = slices.Clone(j.Status.Conditions)
	if status.StartTime == nil && !j.Suspend {
		t := x.now
		status.StartTime = &t
	}
	x.backoff = x.s.backoff.next(succTimes, failTimes)

	// The condition the Job finishes with: an interim one (FailureTarget,
	// SuccessCriteriaMet) found or decided now.
	var finishing *api.Condition
	if cond := trueCondition(status.Conditions, ConditionSuccessCriteriaMet); cond != nil {
		finishing = cond
	} else if cond := trueCondition(status.Conditions, ConditionFailureTarget); cond != nil {
		finishing = cond
	} else if x.failed > j.BackoffLimit || pastBackoffLimitOnFailure(j, x.pods) {
		finishing = newCondition(ConditionFailureTarget, ReasonBackoffLimitExceeded, "Job has reached the specified backoff limit", x.now)
	} else if pastActiveDeadline(j, status.StartTime, x.now) {
		finishing = newCondition(ConditionFailureTarget, ReasonDeadlineExceeded, "Job was active longer than specified deadline", x.now)
	} else if j.ActiveDeadlineSeconds != nil && !j.Suspend {
		x.requeueAfter(status.StartTime.Add(time.Duration(*j.ActiveDeadlineSeconds) * time.Second).Sub(x.now))
	}

	activeCount := int32(len(x.active))
	var manageErr error
	if finishing != nil {
		deleted, deletedReady, err := c.deletePods(x, x.active, false)
		if deleted != int32(len(x.active)) || !satisfied {
			finishing = nil // pods or creations still to be seen
		}
		activeCount -= deleted
		x.terminating += deleted
		x.ready -= deletedReady
		manageErr = err
	} else {
		managed := false
		if satisfied && j.DeletionTimestamp == nil {
			activeCount, manageErr = c.manage(x)
			managed = true
		}
		var complete bool
		if j.Completions == nil {
			complete = x.succeeded > 0 && activeCount == 0
		} else {
			complete = x.succeeded >= *j.Completions && activeCount == 0
		}
		switch {
		case complete:
			finishing = newCondition(ConditionSuccessCriteriaMet, "", "", x.now)
		case managed && j.Suspend:
			if ensureCondition(&status.Conditions, ConditionSuspended, api.ConditionTrue, "JobSuspended", "Job suspended", x.now) {
				c.st.Record(Component, j, ReasonSuspended, "Job suspended")
			}
		case managed:
			if ensureCondition(&status.Conditions, ConditionSuspended, api.ConditionFalse, "JobResumed", "Job resumed", x.now) {
				c.st.Record(Component, j, ReasonResumed, "Job resumed")
				t := x.now
				status.StartTime = &t
			}
		}
	}

	// Account for ended pods (upstream: count them and remove their tracking
	// finalizers). When the Job fails, every pod not yet ended counts as failed.
	success := finishing != nil && finishing.Type == ConditionSuccessCriteriaMet
	failing := finishing != nil && !success
	var newlyDone []api.UID
	for _, p := range x.pods {
		if _, done := x.s.done[p.UID]; done {
			continue
		}
		considerFailed := isPodFailed(p, j)
		if finishing == nil && p.Status.Phase != api.PodSucceeded && !considerFailed {
			continue
		}
		newlyDone = append(newlyDone, p.UID)
		ix := completionIndex(p)
		if x.indexed && !validIndex(ix, *j.Completions) {
			continue
		}
		switch {
		case p.Status.Phase == api.PodSucceeded:
			if !x.indexed {
				status.Succeeded++
			}
		case considerFailed || failing:
			status.Failed++
		}
	}
	for _, g := range x.s.gone {
		if x.indexed && !validIndex(g.index, *j.Completions) {
			continue
		}
		switch {
		case g.succeeded && !x.indexed:
			status.Succeeded++
		case !g.succeeded:
			status.Failed++
		}
	}
	if x.indexed {
		status.Succeeded = int32(len(x.succeededIdx))
		status.CompletedIndexes = FormatIndexes(sortedKeys(x.succeededIdx))
	}

	// Interim condition first, then the terminal one once no pod is still
	// terminating (upstream's delayed terminal condition, on with
	// JobPodReplacementPolicy GA).
	var final *api.Condition
	switch {
	case finishing == nil:
	case finishing.Type == ConditionFailureTarget:
		if trueCondition(status.Conditions, ConditionFailureTarget) == nil {
			status.Conditions = append(status.Conditions, *finishing)
		}
		final = newCondition(ConditionFailed, finishing.Reason, finishing.Message, x.now)
	case success:
		if trueCondition(status.Conditions, ConditionSuccessCriteriaMet) == nil {
			status.Conditions = append(status.Conditions, *finishing)
		}
		final = newCondition(ConditionComplete, finishing.Reason, finishing.Message, x.now)
	}
	finishedNow := false
	if final != nil && x.terminating == 0 {
		ensureCondition(&status.Conditions, final.Type, api.ConditionTrue, final.Reason, final.Message, x.now)
		if final.Type == ConditionComplete {
			t := x.now
			status.CompletionTime = &t
		}
		finishedNow = true
	}
	status.Active = activeCount
	status.Ready = x.ready
	status.Terminating = x.terminating

	if !statusEqual(&j.Status, &status) {
		upd := j.Clone()
		upd.Status = status
		if _, err := c.st.Jobs.Update(Component, upd, ReasonUpdateStatus); err != nil {
			return reconciler.Result{}, errors.Join(fmt.Errorf("tracking status: %w", err), manageErr)
		}
		if finishedNow {
			c.recordFinished(upd, final)
		}
	}
	for _, uid := range newlyDone {
		x.s.done[uid] = struct{}{}
	}
	x.s.gone = nil
	x.s.backoff = x.backoff
	if x.requeue > 0 {
		c.rt.EnqueueAfter(key, x.requeue)
	}
	return reconciler.Result{}, manageErr
}

// requeueAfter asks for a resync after d (the earliest request wins).
func (x *syncCtx) requeueAfter(d time.Duration) {
	if d <= 0 {
		d = time.Nanosecond
	}
	if x.requeue == 0 || d < x.requeue {
		x.requeue = d
	}
}

// recordFinished records upstream's event for a finished Job.
func (c *Controller) recordFinished(j *api.Job, final *api.Condition) {
	if final.Type == ConditionComplete {
		if j.Completions != nil && j.Status.Succeeded > *j.Completions {
			c.st.Record(Component, j, "TooManySucceededPods", "Too many succeeded pods running after completion count reached")
		}
		c.st.Record(Component, j, ReasonCompleted, "Job completed")
		return
	}
	c.st.Record(Component, j, final.Reason, final.Message)
}

// manage creates or deletes pods towards the wanted number of active pods
// (upstream's manageJob) and returns the active count after its actions.
func (c *Controller) manage(x *syncCtx) (int32, error) {
	j := x.job
	active := int32(len(x.active))
	if j.Suspend {
		toDelete := activePodsForRemoval(j, x.active, len(x.active))
		x.s.expectDeletions(podKeys(toDelete), x.now)
		removed, removedReady, err := c.deletePods(x, toDelete, true)
		x.terminating += removed
		x.ready -= removedReady
		return active - removed, err
	}
	var want int32
	if j.Completions == nil {
		want = j.Parallelism
		if x.succeeded > 0 {
			want = active
		}
	} else {
		want = max(min(*j.Completions-x.succeeded, j.Parallelism), 0)
	}
	rmAtLeast := max(int(active-want), 0)
	toDelete := activePodsForRemoval(j, x.active, rmAtLeast)
	if len(toDelete) > MaxPodCreateDeletePerSync {
		toDelete = toDelete[:MaxPodCreateDeletePerSync]
	}
	if len(toDelete) > 0 {
		// Deletion and creation never happen in the same sync.
		x.s.expectDeletions(podKeys(toDelete), x.now)
		removed, removedReady, err := c.deletePods(x, toDelete, true)
		x.terminating += removed
		x.ready -= removedReady
		return active - removed, err
	}
	var terminating int32
	if j.PodReplacementPolicy == ReplaceFailed {
		terminating = x.terminating
	}
	diff := want - terminating - active
	if diff <= 0 {
		return active, nil
	}
	if rem := x.backoff.remaining(x.now); rem > 0 {
		x.requeueAfter(max(rem, SyncJobBatchPeriod))
		return active, nil
	}
	diff = min(diff, MaxPodCreateDeletePerSync)
	var indexes []int
	if x.indexed {
		nonPending := make(map[int]bool, len(x.succeededIdx)+len(x.active))
		for i := range x.succeededIdx {
			nonPending[i] = true
		}
		for _, p := range x.active {
			nonPending[completionIndex(p)] = true
		}
		if j.PodReplacementPolicy == ReplaceFailed {
			for _, p := range x.pods {
				if p.DeletionTimestamp != nil && !p.IsTerminal() {
					nonPending[completionIndex(p)] = true
				}
			}
		}
		indexes = firstPendingIndexes(nonPending, int(diff), *j.Completions)
		diff = int32(len(indexes))
	}
	if diff == 0 {
		return active, nil
	}
	x.s.expectCreations(int(diff), x.now)
	created, err := slowStartBatch(int(diff), func(i int) error {
		ix := noIndex
		if indexes != nil {
			ix = indexes[i]
		}
		return c.createPod(j, ix)
	})
	x.s.add -= int(diff) - created // creates that failed or were skipped are not expected
	return active + int32(created), err
}

// slowStartBatch calls fn(0..count−1) in batches of 1, 2, 4, …; after a batch
// with a failure the remaining batches are skipped. It returns the number of
// successful calls and the first error.
func slowStartBatch(count int, fn func(i int) error) (int, error) {
	successes, pos := 0, 0
	for size := min(count, 1); size > 0; size = min(2*size, count-pos) {
		var firstErr error
		for i := pos; i < pos+size; i++ {
			if err := fn(i); err != nil {
				if firstErr == nil {
					firstErr = err
				}
				continue
			}
			successes++
		}
		pos += size
		if firstErr != nil {
			return successes, firstErr
		}
	}
	return successes, nil
}

// createPod creates one pod of the Job (with completion index ix, or noIndex)
// under a generated name, retrying name collisions.
func (c *Controller) createPod(j *api.Job, ix int) error {
	labels, annotations := j.Template.Labels, j.Template.Annotations
	prefix := j.Name + "-"
	hostname := ""
	if ix != noIndex {
		v := strconv.Itoa(ix)
		labels = withEntry(labels, CompletionIndexKey, v)
		annotations = withEntry(annotations, CompletionIndexKey, v)
		hostname = j.Name + "-" + v
		suffix := "-" + v + "-"
		if len(j.Name)+len(suffix) > maxGeneratedPrefix {
			prefix = j.Name[:maxGeneratedPrefix-len(suffix)] + suffix
		} else {
			prefix = j.Name + suffix
		}
	}
	var err error
	for range maxNameAttempts {
		pod := &api.Pod{
			ObjectMeta: api.ObjectMeta{
				Name:            api.GenerateName(c.names, prefix),
				Namespace:       j.Namespace,
				Labels:          labels,
				Annotations:     annotations,
				OwnerReferences: []api.OwnerReference{api.NewControllerRef(j)},
			},
			Spec:     j.Template.Spec,
			Hostname: hostname,
		}
		if _, err = c.st.Pods.Create(Component, pod, ReasonSuccessfulCreate); err == nil {
			c.st.Record(Component, j, ReasonSuccessfulCreate, "Created pod: "+pod.Name)
			return nil
		}
		if !errors.Is(err, store.ErrAlreadyExists) {
			break
		}
	}
	c.st.Record(Component, j, ReasonFailedCreate, "Error creating: "+err.Error())
	return err
}

// deletePods deletes pods of the Job and returns how many deletions
// succeeded (a pod already gone counts) and how many of those were ready.
// With uncounted, the pods are accounted for without being counted as failed
// (upstream removes their tracking finalizers first).
func (c *Controller) deletePods(x *syncCtx, pods []*api.Pod, uncounted bool) (int32, int32, error) {
	var deleted, deletedReady int32
	var firstErr error
	for _, p := range pods {
		if uncounted {
			x.s.done[p.UID] = struct{}{}
		}
		err := c.st.Pods.Delete(Component, p.Namespace, p.Name, store.DeleteOptions{UID: p.UID}, ReasonSuccessfulDelete)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			x.s.deletionObserved(p.Key())
			c.st.Record(Component, x.job, ReasonFailedDelete, "Error deleting: "+err.Error())
			if firstErr == nil {
				firstErr = err
			}
			continue
		}
		if err != nil {
			x.s.deletionObserved(p.Key())
		} else {
			c.st.Record(Component, x.job, ReasonSuccessfulDelete, "Deleted pod: "+p.Name)
		}
		deleted++
		if p.IsReady() {
			deletedReady++
		}
	}
	return deleted, deletedReady, firstErr
}

// isPodFailed reports whether a pod counts as failed: phase Failed, or (with
// podReplacementPolicy TerminatingOrFailed) being deleted before succeeding.
func isPodFailed(p *api.Pod, j *api.Job) bool {
	if p.Status.Phase == api.PodFailed {
		return true
	}
	if j.PodReplacementPolicy == ReplaceFailed {
		return false
	}
	return p.DeletionTimestamp != nil && p.Status.Phase != api.PodSucceeded
}

// pastBackoffLimitOnFailure reports whether, for restartPolicy OnFailure, the
// container restarts of Pending and Running pods reach backoffLimit (any
// restart when it is 0).
func pastBackoffLimitOnFailure(j *api.Job, pods []*api.Pod) bool {
	if j.Template.Spec.RestartPolicy != api.RestartOnFailure {
		return false
	}
	var n int32
	for _, p := range pods {
		if p.Status.Phase == api.PodRunning || p.Status.Phase == api.PodPending {
			for _, cs := range p.Status.ContainerStatuses {
				n += cs.RestartCount
			}
		}
	}
	if j.BackoffLimit == 0 {
		return n > 0
	}
	return n >= j.BackoffLimit
}

// pastActiveDeadline reports whether the Job has been active for at least
// activeDeadlineSeconds (never while suspended).
func pastActiveDeadline(j *api.Job, start *sim.Time, now sim.Time) bool {
	if j.ActiveDeadlineSeconds == nil || start == nil || j.Suspend {
		return false
	}
	return now.Sub(*start) >= time.Duration(*j.ActiveDeadlineSeconds)*time.Second
}

func newCondition(typ, reason, message string, now sim.Time) *api.Condition {
	return &api.Condition{Type: typ, Status: api.ConditionTrue, Reason: reason, Message: message, LastTransitionTime: now}
}

func trueCondition(cs []api.Condition, typ string) *api.Condition {
	if c := api.FindCondition(cs, typ); c != nil && c.Status == api.ConditionTrue {
		return c
	}
	return nil
}

// ensureCondition sets a condition as upstream's ensureJobConditionStatus: an
// existing one is replaced (with LastTransitionTime now) when its status,
// reason or message differ; a missing one is added unless its status is
// False. It reports whether the list changed. *cs must be owned by the caller.
func ensureCondition(cs *[]api.Condition, typ string, status api.ConditionStatus, reason, message string, now sim.Time) bool {
	nc := api.Condition{Type: typ, Status: status, Reason: reason, Message: message, LastTransitionTime: now}
	if c := api.FindCondition(*cs, typ); c != nil {
		if c.Status != status || c.Reason != reason || c.Message != message {
			*c = nc
			return true
		}
		return false
	}
	if status == api.ConditionFalse {
		return false
	}
	*cs = append(*cs, nc)
	return true
}

// statusEqual compares two Job statuses by value.
func statusEqual(a, b *api.JobStatus) bool {
	return a.Active == b.Active && a.Ready == b.Ready && a.Succeeded == b.Succeeded && a.Failed == b.Failed &&
		a.Terminating == b.Terminating && a.CompletedIndexes == b.CompletedIndexes &&
		timeEqual(a.StartTime, b.StartTime) && timeEqual(a.CompletionTime, b.CompletionTime) &&
		slices.Equal(a.Conditions, b.Conditions)
}

func timeEqual(a, b *sim.Time) bool {
	if a == nil || b == nil {
		return a == b
	}
	return *a == *b
}

func podKeys(pods []*api.Pod) []string {
	out := make([]string, len(pods))
	for i, p := range pods {
		out[i] = p.Key()
	}
	return out
}

// withEntry returns a copy of m with k=v added.
func withEntry(m map[string]string, k, v string) map[string]string {
	out := make(map[string]string, len(m)+1)
	for key, val := range m {
		out[key] = val
	}
	out[k] = v
	return out
}

func sortedKeys(m map[int]bool) []int {
	out := make([]int, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

func cmpString(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
