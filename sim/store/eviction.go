package store

import (
	"errors"
	"fmt"
	"maps"

	"github.com/kubesim/kubesim/sim"
	"github.com/kubesim/kubesim/sim/api"
)

// The eviction subresource (POST /api/v1/namespaces/NS/pods/NAME/eviction),
// with the semantics of upstream's pkg/registry/core/pod/storage/eviction.go
// (SEMANTICS.md 6.6). Additive to store.go and table.go.

// Eviction constants, as upstream.
const (
	// MaxDisruptedPods is the size of a PDB's status.disruptedPods beyond which
	// evictions of its pods are refused (403): too many granted evictions have
	// not been observed by the disruption controller yet.
	MaxDisruptedPods = 2000
	// evictionConflictRetries is how often the PDB update is retried on a
	// conflict (upstream's EvictionsRetry: 20 steps).
	evictionConflictRetries = 20
)

// Condition and policy values the eviction subresource uses.
const (
	// ReasonEvictionByEvictionAPI is the reason of the DisruptionTarget
	// condition an evicted pod gets.
	ReasonEvictionByEvictionAPI = "EvictionByEvictionAPI"
	// PDBDisruptionAllowed is the PDB condition type the disruption
	// controller maintains; the eviction subresource sets it False when it
	// takes the last allowed disruption.
	PDBDisruptionAllowed = "DisruptionAllowed"
	// PDB condition reasons.
	PDBReasonSufficientPods   = "SufficientPods"
	PDBReasonInsufficientPods = "InsufficientPods"
	PDBReasonSyncFailed       = "SyncFailed"
	// Unhealthy pod eviction policies (spec.unhealthyPodEvictionPolicy); ""
	// means IfHealthyBudget.
	IfHealthyBudget = "IfHealthyBudget"
	AlwaysAllow     = "AlwaysAllow"
)

// Eviction errors; test with errors.Is. An *EvictionError matches the one of
// its Code.
var (
	// ErrTooManyRequests (HTTP 429) means "not now": the pod's disruption
	// budget allows no disruption at the moment, or its status is not up to
	// date. Retry later (kubectl drain retries every 5 s).
	ErrTooManyRequests = errors.New("too many requests")
	// ErrForbidden (HTTP 403): the budget is in a state that forbids
	// evictions (negative disruptionsAllowed, or too many unconfirmed
	// disruptions).
	ErrForbidden = errors.New("forbidden")
	// ErrInternal (HTTP 500): the eviction cannot be decided, e.g. the pod is
	// selected by more than one PodDisruptionBudget. Retrying does not help
	// until the budgets change.
	ErrInternal = errors.New("internal error")
)

// EvictionError is a refused eviction, with upstream's HTTP status code,
// message and cause.
type EvictionError struct {
	// Code is 429, 403 or 500.
	Code int
	// Pod is the pod's key, PDB the budget's name (empty when none is involved).
	Pod, PDB string
	// Message is upstream's status message, Cause its DisruptionBudget cause
	// (empty when it has none).
	Message, Cause string
}

// Error renders the error as kubectl prints it.
func (e *EvictionError) Error() string {
	s := fmt.Sprintf("evicting pod %s: %s", e.Pod, e.Message)
	if e.Cause != "" {
		s += " (" + e.Cause + ")"
	}
	return s
}

// Is matches the sentinel of the error's code.
func (e *EvictionError) Is(target error) bool {
	switch e.Code {
	case 429:
		return target == ErrTooManyRequests
	case 403:
		return target == ErrForbidden
	case 500:
		return target == ErrInternal
	}
	return false
}

const violateMessage = "Cannot evict pod as it would violate the pod's disruption budget."

// Evict asks the API server to evict a pod on behalf of component, as the
// eviction subresource does:
//
//  1. A pod that is Succeeded, Failed or Pending, or already being deleted,
//     is deleted without looking at budgets.
//  2. Otherwise the PodDisruptionBudgets of its namespace whose selector
//     matches its labels are found (a nil selector matches nothing, an empty
//     one everything, as policy/v1). More than one: *EvictionError 500
//     ("This pod has more than one PodDisruptionBudget, ..."). None: the pod
//     is deleted.
//  3. A pod that is not Ready is deleted without taking a disruption when the
//     budget's unhealthyPodEvictionPolicy is AlwaysAllow, or (IfHealthyBudget,
//     the default) when status.currentHealthy ≥ status.desiredHealthy > 0.
//  4. Otherwise the budget must allow it: status.observedGeneration behind
//     metadata.generation → 429 ("still being processed"); negative
//     disruptionsAllowed or more than MaxDisruptedPods entries in
//     disruptedPods → 403; disruptionsAllowed 0 → 429 ("Cannot evict pod as
//     it would violate the pod's disruption budget."). Else disruptionsAllowed
//     is decremented (the DisruptionAllowed condition turns False when it
//     reaches 0), the pod is added to status.disruptedPods at the current
//     time, and the budget is updated (retried on conflicts).
//  5. The pod gets the condition DisruptionTarget=True (reason
//     EvictionByEvictionAPI, message "Eviction API: evicting") unless it has
//     it already, and is deleted with gracePeriod (nil: its own
//     terminationGracePeriodSeconds) and reason (default
//     EvictionByEvictionAPI).
//
// A missing pod is ErrNotFound. Refusals are *EvictionError values: test
// errors.Is(err, ErrTooManyRequests) for "retry later". Every write is made
// as component.
func (s *Store) Evict(component, namespace, name string, gracePeriod *int64, reason string) error {
	if reason == "" {
		reason = ReasonEvictionByEvictionAPI
	}
	pod, ok := s.Pods.Get(namespace, name)
	if !ok {
		return fmt.Errorf("pods %q: %w", api.Key(namespace, name), ErrNotFound)
	}
	if canIgnorePDB(pod) {
		return s.markAndDelete(component, pod, gracePeriod, reason)
	}
	pdbs := s.podPDBs(pod)
	switch len(pdbs) {
	case 0:
		return s.markAndDelete(component, pod, gracePeriod, reason)
	case 1:
	default:
		return &EvictionError{Code: 500, Pod: pod.Key(),
			Message: "This pod has more than one PodDisruptionBudget, which the eviction subresource does not support."}
	}
	pdb := pdbs[0]
	if !pod.IsReady() {
		if pdb.UnhealthyPodEvictionPolicy == AlwaysAllow ||
			(pdb.Status.CurrentHealthy >= pdb.Status.DesiredHealthy && pdb.Status.DesiredHealthy > 0) {
			// The pod does not count as healthy: deleting it disrupts nothing.
			return s.markAndDelete(component, pod, gracePeriod, reason)
		}
	}
	var err error
	for range evictionConflictRetries {
		if err = s.checkAndDecrement(component, pod, pdb); !errors.Is(err, ErrConflict) {
			break
		}
		cur, ok := s.PDBs.Get(pdb.Namespace, pdb.Name)
		if !ok {
			return fmt.Errorf("poddisruptionbudgets %q: %w", pdb.Key(), ErrNotFound)
		}
		pdb = cur
	}
	if err != nil {
		return err
	}
	return s.markAndDelete(component, pod, gracePeriod, reason)
}

// canIgnorePDB reports whether a pod is evicted without looking at budgets:
// it is terminal or Pending (it disrupts nothing), or already being deleted.
func canIgnorePDB(p *api.Pod) bool {
	switch p.Status.Phase {
	case api.PodSucceeded, api.PodFailed, api.PodPending:
		return true
	}
	return p.DeletionTimestamp != nil
}

// podPDBs returns the budgets of the pod's namespace that select it.
func (s *Store) podPDBs(p *api.Pod) []*api.PodDisruptionBudget {
	var out []*api.PodDisruptionBudget
	for _, pdb := range s.PDBs.List(p.Namespace, nil) {
		if pdb.Selector.Matches(p.Labels) {
			out = append(out, pdb)
		}
	}
	return out
}

// checkAndDecrement takes one disruption from pdb for pod, or says why not.
func (s *Store) checkAndDecrement(component string, pod *api.Pod, pdb *api.PodDisruptionBudget) error {
	st := &pdb.Status
	switch {
	case st.ObservedGeneration < pdb.Generation:
		return &EvictionError{Code: 429, Pod: pod.Key(), PDB: pdb.Name, Message: violateMessage,
			Cause: fmt.Sprintf("The disruption budget %s is still being processed by the server.", pdb.Name)}
	case st.DisruptionsAllowed < 0:
		return &EvictionError{Code: 403, Pod: pod.Key(), PDB: pdb.Name,
			Message: fmt.Sprintf("poddisruptionbudget.policy %q is forbidden: pdb disruptions allowed is negative", pdb.Name)}
	case len(st.DisruptedPods) > MaxDisruptedPods:
		return &EvictionError{Code: 403, Pod: pod.Key(), PDB: pdb.Name,
			Message: fmt.Sprintf("poddisruptionbudget.policy %q is forbidden: DisruptedPods map too big - too many evictions not confirmed by PDB controller", pdb.Name)}
	case st.DisruptionsAllowed == 0:
		return &EvictionError{Code: 429, Pod: pod.Key(), PDB: pdb.Name, Message: violateMessage,
			Cause: fmt.Sprintf("The disruption budget %s needs %d healthy pods and has %d currently", pdb.Name, st.DesiredHealthy, st.CurrentHealthy)}
	}
	now := s.eng.Now()
	upd := pdb.Clone()
	upd.Status.DisruptionsAllowed--
	if upd.Status.DisruptionsAllowed == 0 {
		upd.Status.Conditions = api.SetCondition(upd.Status.Conditions, api.Condition{Type: PDBDisruptionAllowed,
			Status: api.ConditionFalse, Reason: PDBReasonInsufficientPods, LastTransitionTime: now})
	}
	dp := make(map[string]sim.Time, len(st.DisruptedPods)+1)
	maps.Copy(dp, st.DisruptedPods)
	dp[pod.Name] = now
	upd.Status.DisruptedPods = dp
	_, err := s.PDBs.Update(component, upd, ReasonEvictionByEvictionAPI)
	return err
}

// markAndDelete sets the pod's DisruptionTarget condition (when it is not
// already set the same way) and deletes it with the grace period.
func (s *Store) markAndDelete(component string, pod *api.Pod, gracePeriod *int64, reason string) error {
	want := api.Condition{Type: api.PodDisruptionTarget, Status: api.ConditionTrue,
		Reason: ReasonEvictionByEvictionAPI, Message: "Eviction API: evicting"}
	if c := api.FindCondition(pod.Status.Conditions, api.PodDisruptionTarget); c == nil ||
		c.Status != want.Status || c.Reason != want.Reason || c.Message != want.Message {
		want.LastTransitionTime = s.eng.Now()
		upd := pod.Clone()
		upd.Status.Conditions = api.SetCondition(pod.Status.Conditions, want)
		if _, err := s.Pods.Update(component, upd, ReasonEvictionByEvictionAPI); err != nil {
			return err
		}
	}
	return s.Pods.Delete(component, pod.Namespace, pod.Name, DeleteOptions{GracePeriodSeconds: gracePeriod, UID: pod.UID}, reason)
}
