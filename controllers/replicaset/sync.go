package replicaset

import (
	"errors"
	"fmt"

	"github.com/kubesim/kubesim/controllers/reconciler"
	"github.com/kubesim/kubesim/sim"
	"github.com/kubesim/kubesim/sim/api"
	"github.com/kubesim/kubesim/sim/store"
)

// maxNameAttempts bounds the retries of a pod create whose generated name is
// taken.
const maxNameAttempts = 16

// nameAlphabet is the API server's generateName alphabet (no vowels, no
// look-alike digits).
const nameAlphabet = "bcdfghjklmnpqrstvwxz2456789"

// maxGeneratedPrefix is the longest name prefix generateName keeps (63 − 5).
const maxGeneratedPrefix = 58

var _ reconciler.Reconciler = (*Controller)(nil)

// Reconcile syncs the ReplicaSet with the given key; see the package
// documentation for the steps.
func (c *Controller) Reconcile(key string) (reconciler.Result, error) {
	rs, ok := c.st.ReplicaSets.GetKey(key)
	if !ok {
		c.exp.forget(key)
		return reconciler.Result{}, nil
	}
	if rs.Selector == nil {
		// Invalid (upstream: the selector does not convert); nothing to do.
		return reconciler.Result{}, nil
	}
	needsSync := c.exp.satisfied(key, c.now())
	manageable := needsSync && rs.DeletionTimestamp == nil

	pc := c.countsFor(rs)
	var orphans []*api.Pod
	for _, p := range c.orphansIn(rs.Namespace) {
		if isActive(p) {
			orphans = append(orphans, p)
		}
	}
	// The owned pods are listed only when some must be released or the sync
	// may scale down (the ranking needs them all): at most the active owned
	// pods plus every active orphan can be claimed.
	var owned []*api.Pod
	if pc.mismatched > 0 || (manageable && int(pc.active)+len(orphans) > int(rs.Replicas)) {
		owned = c.st.Pods.ByIndex(store.IndexOwner, string(rs.UID))
	}
	adopted, err := c.claim(rs, owned, orphans)
	if err != nil {
		return reconciler.Result{}, err
	}

	// Status and the requeue are of the pods claimed before any create or
	// delete of this sync, as upstream's (the counts follow every write).
	now := c.now()
	available, nextAvailable := pc.available(now)
	status := api.ReplicaSetStatus{
		Replicas:             pc.active,
		FullyLabeledReplicas: pc.fullyLabeled,
		ReadyReplicas:        pc.ready,
		AvailableReplicas:    available,
		TerminatingReplicas:  pc.terminating,
		ObservedGeneration:   rs.Generation,
	}
	var res reconciler.Result
	if rs.MinReadySeconds > 0 && status.ReadyReplicas != status.AvailableReplicas && nextAvailable != sim.Never {
		res.RequeueAfter = (nextAvailable + 1).Sub(now)
	}

	var manageErr error
	if manageable {
		manageErr = c.manage(rs, int(pc.active), func() []*api.Pod { return activeOwned(rs, owned, adopted) })
	}

	if status != rs.Status {
		upd := rs.Clone()
		upd.Status = status
		if _, err := c.st.ReplicaSets.Update(Component, upd, "UpdateStatus"); err != nil {
			return reconciler.Result{}, err
		}
	}
	if verifyCounts {
		if cur, ok := c.st.ReplicaSets.GetKey(key); ok && cur.UID == rs.UID {
			c.checkCounts(cur)
		}
	}
	return res, manageErr
}

// activeOwned returns the active pods rs controls after a claim: the owned
// pods (listed before the claim) that are active and match, then the adopted
// ones, in upstream's order.
func activeOwned(rs *api.ReplicaSet, owned, adopted []*api.Pod) []*api.Pod {
	out := make([]*api.Pod, 0, len(owned)+len(adopted))
	prm := paramsOf(rs)
	for _, p := range owned {
		if ref := p.ControllerRef(); ref != nil && ref.UID == rs.UID && isActive(p) && matchesSelector(p, prm) {
			out = append(out, p)
		}
	}
	return append(out, adopted...)
}

// claim releases the owned pods that no longer match and adopts the matching
// orphans (upstream's ControllerRefManager.ClaimPods), returning the adopted
// pods. owned may be nil when no owned pod needs releasing.
func (c *Controller) claim(rs *api.ReplicaSet, owned, orphans []*api.Pod) ([]*api.Pod, error) {
	var adopted []*api.Pod
	var errs []error
	prm := paramsOf(rs)
	if rs.DeletionTimestamp == nil {
		for _, p := range owned {
			if ref := p.ControllerRef(); ref == nil || ref.UID != rs.UID || !isActive(p) || matchesSelector(p, prm) {
				continue
			}
			if err := c.setOwners(p, api.WithoutOwner(p.OwnerReferences, rs.UID), "Released"); err != nil && !errors.Is(err, store.ErrNotFound) {
				errs = append(errs, err)
			}
		}
	}
	for _, p := range orphans {
		if rs.DeletionTimestamp != nil || p.DeletionTimestamp != nil || !matchesSelector(p, prm) {
			continue
		}
		refs := append(append([]api.OwnerReference(nil), p.OwnerReferences...), api.NewControllerRef(rs))
		if err := c.setOwners(p, refs, "Adopted"); err != nil {
			if !errors.Is(err, store.ErrNotFound) {
				errs = append(errs, err)
			}
			continue
		}
		if q, ok := c.st.Pods.GetKey(p.Key()); ok {
			adopted = append(adopted, q)
		}
	}
	return adopted, errors.Join(errs...)
}

// setOwners writes new ownerReferences on the current version of pod p,
// provided it is still the same pod.
func (c *Controller) setOwners(p *api.Pod, refs []api.OwnerReference, reason string) error {
	cur, ok := c.st.Pods.GetKey(p.Key())
	if !ok || cur.UID != p.UID {
		return fmt.Errorf("pod %s: %w", p.Key(), store.ErrNotFound)
	}
	upd := cur.Clone()
	upd.OwnerReferences = refs
	_, err := c.st.Pods.Update(Component, upd, reason)
	return err
}

// manage creates or deletes pods to bring the active pods to spec.replicas;
// active is the number of active pods rs controls; list returns them (only
// called when scaling down).
func (c *Controller) manage(rs *api.ReplicaSet, active int, list func() []*api.Pod) error {
	key := rs.Key()
	diff := active - int(rs.Replicas)
	switch {
	case diff < 0:
		n := min(-diff, BurstReplicas)
		c.exp.expectCreations(key, n, c.now())
		created, err := slowStartBatch(n, SlowStartInitialBatchSize, func() error { return c.createPod(rs) })
		for range n - created {
			c.exp.creationObserved(key)
		}
		return err
	case diff > 0:
		n := min(diff, BurstReplicas)
		victims := PodsToDelete(list(), c.relatedPods(rs), n, c.now())
		keys := make([]string, len(victims))
		for i, p := range victims {
			keys[i] = p.Key()
		}
		c.exp.expectDeletions(key, keys, c.now())
		var firstErr error
		for _, p := range victims {
			err := c.st.Pods.Delete(Component, p.Namespace, p.Name, store.DeleteOptions{}, ReasonSuccessfulDelete)
			if err != nil {
				c.exp.deletionObserved(key, p.Key())
				if !errors.Is(err, store.ErrNotFound) {
					c.st.Record(Component, rs, ReasonFailedDelete, "Error deleting: "+err.Error())
					if firstErr == nil {
						firstErr = err
					}
				}
				continue
			}
			c.st.Record(Component, rs, ReasonSuccessfulDelete, "Deleted pod: "+p.Name)
		}
		return firstErr
	}
	return nil
}

// slowStartBatch calls fn count times in batches of initial, 2·initial, …
// (the last batch is the remainder). Every call of a batch is made; after a
// batch with a failure the remaining batches are skipped. It returns the
// number of successful calls and the batch's first error.
func slowStartBatch(count, initial int, fn func() error) (int, error) {
	remaining, successes := count, 0
	for size := min(remaining, initial); size > 0; size = min(2*size, remaining) {
		var firstErr error
		for range size {
			if err := fn(); err != nil {
				if firstErr == nil {
					firstErr = err
				}
				continue
			}
			successes++
		}
		if firstErr != nil {
			return successes, firstErr
		}
		remaining -= size
	}
	return successes, nil
}

// createPod creates one pod from the ReplicaSet's template under a generated
// name, retrying name collisions.
func (c *Controller) createPod(rs *api.ReplicaSet) error {
	if rs.Template == nil || rs.Template.Spec == nil {
		err := fmt.Errorf("replicaset %s has no pod template: %w", rs.Key(), store.ErrInvalid)
		c.st.Record(Component, rs, ReasonFailedCreate, "Error creating: "+err.Error())
		return err
	}
	var err error
	for range maxNameAttempts {
		pod := &api.Pod{
			ObjectMeta: api.ObjectMeta{
				Name:            api.GenerateName(c.names, rs.Name+"-"),
				Namespace:       rs.Namespace,
				Labels:          rs.Template.Labels,
				Annotations:     rs.Template.Annotations,
				OwnerReferences: []api.OwnerReference{api.NewControllerRef(rs)},
			},
			Spec: rs.Template.Spec,
		}
		if _, err = c.st.Pods.Create(Component, pod, ReasonSuccessfulCreate); err == nil {
			c.st.Record(Component, rs, ReasonSuccessfulCreate, "Created pod: "+pod.Name)
			return nil
		}
		if !errors.Is(err, store.ErrAlreadyExists) {
			break
		}
	}
	c.st.Record(Component, rs, ReasonFailedCreate, "Error creating: "+err.Error())
	return err
}

// relatedPods returns the active pods controlled by every ReplicaSet that has
// the same controller as rs (none when rs has no controller, as upstream).
func (c *Controller) relatedPods(rs *api.ReplicaSet) []*api.Pod {
	owner := rs.ControllerRef()
	if owner == nil {
		return nil
	}
	var out []*api.Pod
	for _, sib := range c.st.ReplicaSets.ByIndex(store.IndexOwner, string(owner.UID)) {
		if ref := sib.ControllerRef(); ref == nil || ref.UID != owner.UID || sib.Namespace != rs.Namespace {
			continue
		}
		for _, p := range c.st.Pods.ByIndex(store.IndexOwner, string(sib.UID)) {
			if ref := p.ControllerRef(); ref != nil && ref.UID == sib.UID {
				out = append(out, p)
			}
		}
	}
	return out
}

// readyCondition returns the pod's Ready condition when it is True, else nil:
// IsReady and the ready time in one scan.
func readyCondition(p *api.Pod) *api.Condition {
	c := api.FindCondition(p.Status.Conditions, api.PodReady)
	if c == nil || c.Status != api.ConditionTrue {
		return nil
	}
	return c
}

// hasLabels reports whether labels contains every pair of want.
func hasLabels(labels, want map[string]string) bool {
	for k, v := range want {
		if x, ok := labels[k]; !ok || x != v {
			return false
		}
	}
	return true
}
