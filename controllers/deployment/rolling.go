package deployment

import (
	"slices"

	"github.com/kubesim/kubesim/sim/api"
)

// rolloutRolling makes one RollingUpdate step (upstream's rolloutRolling):
// create the new ReplicaSet if needed, scale it up within maxSurge, else
// scale old ReplicaSets down within maxUnavailable; when the rollout is
// complete, clean up the history. Then the status.
func (c *Controller) rolloutRolling(s *syncState) error {
	newRS, old, err := c.getAllReplicaSetsAndSyncRevision(s, true)
	if err != nil {
		return err
	}
	all := withNew(old, newRS)
	scaledUp, err := c.reconcileNewReplicaSet(s, all, newRS)
	if err != nil {
		return err
	}
	if scaledUp {
		return c.syncRolloutStatus(s, all, newRS)
	}
	scaledDown, err := c.reconcileOldReplicaSets(s, all, filterActive(s.freshAll(old)), newRS)
	if err != nil {
		return err
	}
	if scaledDown {
		return c.syncRolloutStatus(s, all, newRS)
	}
	if DeploymentComplete(s.d, &s.d.Status) {
		if err := c.cleanupDeployment(s, old); err != nil {
			return err
		}
	}
	return c.syncRolloutStatus(s, all, newRS)
}

// reconcileNewReplicaSet scales the new ReplicaSet down to spec.replicas if
// it is above, else up by NewRSNewReplicas; it reports whether it scaled.
func (c *Controller) reconcileNewReplicaSet(s *syncState, all []*api.ReplicaSet, newRS *api.ReplicaSet) (bool, error) {
	d := s.d
	newRS = s.fresh(newRS)
	if newRS.Replicas == d.Replicas {
		return false, nil
	}
	if newRS.Replicas > d.Replicas {
		scaled, _, err := c.scaleReplicaSetAndRecordEvent(s, newRS, d.Replicas)
		return scaled, err
	}
	n := NewRSNewReplicas(d, s.freshAll(all), newRS)
	scaled, _, err := c.scaleReplicaSetAndRecordEvent(s, newRS, n)
	return scaled, err
}

// reconcileOldReplicaSets scales old ReplicaSets down as far as
// maxUnavailable allows: first their unhealthy replicas, then available ones
// (upstream's reconcileOldReplicaSets). It reports whether it scaled.
func (c *Controller) reconcileOldReplicaSets(s *syncState, all, oldActive []*api.ReplicaSet, newRS *api.ReplicaSet) (bool, error) {
	if specReplicas(oldActive) == 0 {
		return false, nil
	}
	d := s.d
	newRS = s.fresh(newRS)
	allPods := specReplicas(s.freshAll(all))
	minAvailable := d.Replicas - MaxUnavailable(d)
	newUnavailable := newRS.Replicas - newRS.Status.AvailableReplicas
	maxScaledDown := allPods - minAvailable - newUnavailable
	if maxScaledDown <= 0 {
		return false, nil
	}
	oldActive, cleaned, err := c.cleanupUnhealthyReplicas(s, oldActive, maxScaledDown)
	if err != nil {
		// Upstream gives up on this step without an error; the next sync
		// retries.
		return false, nil
	}
	scaled, err := c.scaleDownOldReplicaSetsForRollingUpdate(s, withNew(oldActive, newRS), oldActive)
	if err != nil {
		return false, nil
	}
	return cleaned+scaled > 0, nil
}

// cleanupUnhealthyReplicas scales old ReplicaSets, oldest first, down by
// their unavailable replicas (spec.replicas − availableReplicas), at most
// maxCleanup in all. It returns the ReplicaSets (sorted, updated) and how
// many replicas it removed.
func (c *Controller) cleanupUnhealthyReplicas(s *syncState, old []*api.ReplicaSet, maxCleanup int32) ([]*api.ReplicaSet, int32, error) {
	old = s.freshAll(old)
	slices.SortFunc(old, compareByCreation)
	var total int32
	for i, rs := range old {
		if total >= maxCleanup {
			break
		}
		if rs.Replicas == 0 || rs.Replicas == rs.Status.AvailableReplicas {
			continue
		}
		n := min(maxCleanup-total, rs.Replicas-rs.Status.AvailableReplicas)
		_, got, err := c.scaleReplicaSetAndRecordEvent(s, rs, rs.Replicas-n)
		if err != nil {
			return nil, total, err
		}
		total += n
		old[i] = got
	}
	return old, total, nil
}

// scaleDownOldReplicaSetsForRollingUpdate scales old ReplicaSets, oldest
// first, down by as many replicas as are available beyond
// spec.replicas − maxUnavailable, and returns how many it removed.
func (c *Controller) scaleDownOldReplicaSetsForRollingUpdate(s *syncState, all, old []*api.ReplicaSet) (int32, error) {
	d := s.d
	minAvailable := d.Replicas - MaxUnavailable(d)
	var available int32
	for _, rs := range s.freshAll(all) {
		if rs != nil {
			available += rs.Status.AvailableReplicas
		}
	}
	if available <= minAvailable {
		return 0, nil
	}
	old = s.freshAll(old)
	slices.SortFunc(old, compareByCreation)
	budget := available - minAvailable
	var total int32
	for _, rs := range old {
		if total >= budget {
			break
		}
		if rs.Replicas == 0 {
			continue
		}
		n := min(rs.Replicas, budget-total)
		if _, _, err := c.scaleReplicaSetAndRecordEvent(s, rs, rs.Replicas-n); err != nil {
			return total, err
		}
		total += n
	}
	return total, nil
}
