package disruption

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/kubesim/kubesim/sim"
	"github.com/kubesim/kubesim/sim/api"
	"github.com/kubesim/kubesim/sim/store"
)

// expectedPodCount returns the budget's expected pod count and desired
// healthy count, with the pods that have no controller (ignored by the
// scale sum), as upstream's getExpectedPodCount:
//
//   - maxUnavailable: expected = Σ controller scale; desired =
//     max(0, expected − maxUnavailable), a percentage of expected rounded up;
//   - minAvailable integer: desired = minAvailable, expected = number of
//     matching pods;
//   - minAvailable percentage: expected = Σ controller scale; desired =
//     minAvailable% of expected rounded up;
//   - neither: 0 and 0.
func (c *Controller) expectedPodCount(pdb *api.PodDisruptionBudget, pods []*api.Pod) (expected, desired int32, unmanaged []string, err error) {
	switch {
	case pdb.MaxUnavailable != nil:
		if expected, unmanaged, err = c.expectedScale(pods); err != nil {
			return 0, 0, nil, err
		}
		desired = max(0, expected-ScaledValue(*pdb.MaxUnavailable, expected))
	case pdb.MinAvailable != nil && !pdb.MinAvailable.IsPercent:
		desired = pdb.MinAvailable.Value
		expected = int32(len(pods))
	case pdb.MinAvailable != nil:
		if expected, unmanaged, err = c.expectedScale(pods); err != nil {
			return 0, 0, nil, err
		}
		desired = ScaledValue(*pdb.MinAvailable, expected)
	}
	return expected, desired, unmanaged, nil
}

// ScaledValue returns an integer as is, or a percentage of total rounded
// up (upstream's GetScaledValueFromIntOrPercent with roundUp): 50% of 5 is 3.
func ScaledValue(v api.IntOrPercent, total int32) int32 {
	if !v.IsPercent {
		return v.Value
	}
	return int32((int64(v.Value)*int64(total) + 99) / 100)
}

// expectedScale sums the scale of the controllers of the pods, each
// controller once (upstream's getExpectedScale). A pod without a controller
// is unmanaged and skipped; a pod whose controller has no scale, or cannot
// be found, is an error.
func (c *Controller) expectedScale(pods []*api.Pod) (int32, []string, error) {
	seen := map[api.UID]bool{}
	var sum int32
	var unmanaged []string
	for _, p := range pods {
		ref := p.ControllerRef()
		if ref == nil {
			unmanaged = append(unmanaged, p.Name)
			continue
		}
		if seen[ref.UID] {
			continue
		}
		uid, scale, err := c.controllerScale(p.Namespace, ref)
		if err != nil {
			return 0, nil, err
		}
		if uid == "" {
			return 0, nil, fmt.Errorf("found no controllers for pod %q", p.Name)
		}
		// Both the pod's controller and the scale's owner are marked, so that
		// pods of several ReplicaSets of one Deployment count it once.
		if !seen[uid] {
			sum += scale
		}
		seen[uid], seen[ref.UID] = true, true
	}
	return sum, unmanaged, nil
}

// controllerScale resolves a pod's controllerRef to the object whose scale
// counts and returns its UID and replicas: a ReplicaSet's Deployment when it
// has one (the ReplicaSet itself when that Deployment is gone, through the
// scale subresource), a ReplicaSet, StatefulSet or Deployment. A UID of ""
// means the controller was not found. Kinds without a scale subresource
// (DaemonSet, Job) are an error, as upstream.
func (c *Controller) controllerScale(namespace string, ref *api.OwnerReference) (api.UID, int32, error) {
	switch ref.Kind {
	case api.KindReplicaSet:
		rs, ok := c.st.ReplicaSets.Get(namespace, ref.Name)
		if !ok || rs.UID != ref.UID {
			return "", 0, nil
		}
		if dref := rs.ControllerRef(); dref != nil && dref.Kind == api.KindDeployment {
			if d, ok := c.st.Deployments.Get(namespace, dref.Name); ok && d.UID == dref.UID {
				return d.UID, d.Replicas, nil
			}
		}
		return rs.UID, rs.Replicas, nil
	case api.KindStatefulSet:
		if ss, ok := c.st.StatefulSets.Get(namespace, ref.Name); ok && ss.UID == ref.UID {
			return ss.UID, ss.Replicas, nil
		}
		return "", 0, nil
	case api.KindDeployment:
		if d, ok := c.st.Deployments.Get(namespace, ref.Name); ok && d.UID == ref.UID {
			return d.UID, d.Replicas, nil
		}
		return "", 0, nil
	case api.KindDaemonSet:
		return "", 0, errors.New("daemonsets.apps does not implement the scale subresource")
	case api.KindJob:
		return "", 0, errors.New("jobs.batch does not implement the scale subresource")
	}
	return "", 0, nil
}

// buildDisruptedPods returns the budget's disruptedPods without the entries
// of pods that are gone or terminating and of those older than
// DeletionTimeout (each recorded as a NotDeleted event on the pod), and the
// time the first remaining entry expires (0 when none remains).
func (c *Controller) buildDisruptedPods(pdb *api.PodDisruptionBudget, pods []*api.Pod, now sim.Time) (map[string]sim.Time, sim.Time) {
	if len(pdb.Status.DisruptedPods) == 0 {
		return nil, 0
	}
	var out map[string]sim.Time
	var recheck sim.Time
	for _, p := range pods {
		if p.DeletionTimestamp != nil {
			continue
		}
		at, ok := pdb.Status.DisruptedPods[p.Name]
		if !ok {
			continue
		}
		expires := at.Add(DeletionTimeout)
		if expires < now {
			c.st.Record(Component, p, ReasonNotDeleted,
				fmt.Sprintf("Pod was expected by PDB %s to be deleted but it wasn't", pdb.Key()))
			continue
		}
		if out == nil {
			out = map[string]sim.Time{}
		}
		out[p.Name] = at
		if recheck == 0 || expires < recheck {
			recheck = expires
		}
	}
	return out, recheck
}

// countHealthy counts the pods that are Ready, not terminating, and not in
// disrupted with an unexpired entry.
func countHealthy(pods []*api.Pod, disrupted map[string]sim.Time, now sim.Time) int32 {
	var n int32
	for _, p := range pods {
		if p.DeletionTimestamp != nil {
			continue
		}
		if at, ok := disrupted[p.Name]; ok && at.Add(DeletionTimeout) > now {
			continue
		}
		if p.IsReady() {
			n++
		}
	}
	return n
}

// computeStatus returns the budget's new status: disruptionsAllowed =
// healthy − desired, or 0 when that is negative or no pods are expected, and
// the DisruptionAllowed condition (True/SufficientPods when a disruption is
// allowed, else False/InsufficientPods; its transition time kept while its
// status does not change).
func computeStatus(pdb *api.PodDisruptionBudget, healthy, desired, expected int32, disrupted map[string]sim.Time, now sim.Time) api.PodDisruptionBudgetStatus {
	allowed := healthy - desired
	if expected <= 0 || allowed <= 0 {
		allowed = 0
	}
	cond := api.Condition{Type: store.PDBDisruptionAllowed, Status: api.ConditionFalse,
		Reason: store.PDBReasonInsufficientPods, LastTransitionTime: now}
	if allowed > 0 {
		cond.Status, cond.Reason = api.ConditionTrue, store.PDBReasonSufficientPods
	}
	return api.PodDisruptionBudgetStatus{
		ObservedGeneration: pdb.Generation,
		DisruptionsAllowed: allowed,
		CurrentHealthy:     healthy,
		DesiredHealthy:     desired,
		ExpectedPods:       expected,
		DisruptedPods:      disrupted,
		Conditions:         api.SetCondition(pdb.Status.Conditions, cond),
	}
}

// statusEqual compares two statuses field by field (a nil and an empty
// disruptedPods are equal).
func statusEqual(a, b api.PodDisruptionBudgetStatus) bool {
	return a.ObservedGeneration == b.ObservedGeneration &&
		a.DisruptionsAllowed == b.DisruptionsAllowed &&
		a.CurrentHealthy == b.CurrentHealthy &&
		a.DesiredHealthy == b.DesiredHealthy &&
		a.ExpectedPods == b.ExpectedPods &&
		maps.Equal(a.DisruptedPods, b.DisruptedPods) &&
		slices.Equal(a.Conditions, b.Conditions)
}

// selectorString renders a selector as upstream's labels.Selector does:
// "app=web,tier in (a,b),!canary".
func selectorString(s *api.Selector) string {
	if s == nil {
		return "<none>"
	}
	parts := make([]string, 0, len(s.Requirements))
	for _, r := range s.Requirements {
		switch r.Operator {
		case api.OpIn:
			if len(r.Values) == 1 {
				parts = append(parts, r.Key+"="+r.Values[0])
			} else {
				parts = append(parts, r.Key+" in ("+strings.Join(r.Values, ",")+")")
			}
		case api.OpNotIn:
			parts = append(parts, r.Key+" notin ("+strings.Join(r.Values, ",")+")")
		case api.OpExists:
			parts = append(parts, r.Key)
		case api.OpDoesNotExist:
			parts = append(parts, "!"+r.Key)
		default:
			parts = append(parts, r.Key+" "+string(r.Operator)+" ("+strings.Join(r.Values, ",")+")")
		}
	}
	return strings.Join(parts, ",")
}

func isNotFound(err error) bool { return errors.Is(err, store.ErrNotFound) }
