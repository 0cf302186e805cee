package deployment

import (
	"github.com/kubesim/kubesim/sim/api"
	"github.com/kubesim/kubesim/sim/store"
)

// rolloutRecreate makes one Recreate step (upstream's rolloutRecreate):
// scale every old ReplicaSet to 0; wait until no pod of an old ReplicaSet is
// left that has not finished (terminating pods count); then create the new
// ReplicaSet if needed and scale it to spec.replicas; once complete, clean up
// the history. Then the status.
func (c *Controller) rolloutRecreate(s *syncState) error {
	newRS, old, err := c.getAllReplicaSetsAndSyncRevision(s, false)
	if err != nil {
		return err
	}
	all := withNew(old, newRS)
	scaledDown := false
	for _, rs := range filterActive(old) {
		scaled, _, err := c.scaleReplicaSetAndRecordEvent(s, rs, 0)
		if err != nil {
			return err
		}
		scaledDown = scaledDown || scaled
	}
	if scaledDown || c.oldPodsRunning(s, newRS, old) {
		return c.syncRolloutStatus(s, all, newRS)
	}
	if newRS == nil {
		newRS, old, err = c.getAllReplicaSetsAndSyncRevision(s, true)
		if err != nil {
			return err
		}
		all = withNew(old, newRS)
	}
	if _, _, err := c.scaleReplicaSetAndRecordEvent(s, newRS, s.d.Replicas); err != nil {
		return err
	}
	if DeploymentComplete(s.d, &s.d.Status) {
		if err := c.cleanupDeployment(s, old); err != nil {
			return err
		}
	}
	return c.syncRolloutStatus(s, all, newRS)
}

// oldPodsRunning reports whether an old ReplicaSet still counts replicas in
// its status, or still has a pod (matching the Deployment's selector) that
// has not Succeeded or Failed, terminating or not.
func (c *Controller) oldPodsRunning(s *syncState, newRS *api.ReplicaSet, old []*api.ReplicaSet) bool {
	if statusReplicas(s.freshAll(old)) > 0 {
		return true
	}
	for _, rs := range s.rsList {
		if newRS != nil && rs.UID == newRS.UID {
			continue
		}
		for _, p := range c.st.Pods.ByIndex(store.IndexOwner, string(rs.UID)) {
			ref := p.ControllerRef()
			if ref == nil || ref.UID != rs.UID || !s.d.Selector.Matches(p.Labels) {
				continue
			}
			if !p.IsTerminal() {
				return true
			}
		}
	}
	return false
}
