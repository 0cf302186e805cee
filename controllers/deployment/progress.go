package deployment

import (
	"fmt"
	"time"

	"github.com/kubesim/kubesim/sim"
	"github.com/kubesim/kubesim/sim/api"
)

// now is the controller's clock.
func (c *Controller) now() sim.Time { return c.st.Now() }

// newCondition returns a condition written now (both times set to now).
func (c *Controller) newCondition(typ string, status api.ConditionStatus, reason, message string) api.Condition {
	now := c.now()
	return api.Condition{Type: typ, Status: status, Reason: reason, Message: message, LastTransitionTime: now, LastUpdateTime: now}
}

// setDeploymentCondition returns conditions with cond set, as upstream's
// SetDeploymentCondition: nothing changes when a condition of that type has
// the same status and reason; otherwise the old one is removed and cond
// appended, keeping the old lastTransitionTime when the status is the same.
// The input slice is not modified.
func setDeploymentCondition(conds []api.Condition, cond api.Condition) []api.Condition {
	cur := api.FindCondition(conds, cond.Type)
	if cur != nil && cur.Status == cond.Status && cur.Reason == cond.Reason {
		return conds
	}
	if cur != nil && cur.Status == cond.Status {
		cond.LastTransitionTime = cur.LastTransitionTime
	}
	return append(removeCondition(conds, cond.Type), cond)
}

// removeCondition returns conds without the condition of type typ, in a new
// slice.
func removeCondition(conds []api.Condition, typ string) []api.Condition {
	out := make([]api.Condition, 0, len(conds)+1)
	for _, x := range conds {
		if x.Type != typ {
			out = append(out, x)
		}
	}
	return out
}

// checkPausedConditions sets Progressing=Unknown with reason DeploymentPaused
// when the Deployment is paused and DeploymentResumed when it is resumed, so
// that time spent paused does not count against the progress deadline. A
// ProgressDeadlineExceeded condition is left alone.
func (c *Controller) checkPausedConditions(s *syncState) error {
	d := s.d
	if !HasProgressDeadline(d) {
		return nil
	}
	cond := api.FindCondition(d.Status.Conditions, ConditionProgressing)
	if cond != nil && cond.Reason == ReasonTimedOut {
		return nil
	}
	pausedCond := cond != nil && cond.Reason == ReasonPaused
	var next api.Condition
	switch {
	case d.Paused && !pausedCond:
		next = c.newCondition(ConditionProgressing, api.ConditionUnknown, ReasonPaused, "Deployment is paused")
	case !d.Paused && pausedCond:
		next = c.newCondition(ConditionProgressing, api.ConditionUnknown, ReasonResumed, "Deployment is resumed")
	default:
		return nil
	}
	upd := d.Clone()
	upd.Status.Conditions = setDeploymentCondition(d.Status.Conditions, next)
	return c.updateDeployment(s, upd, reasonUpdateStatus)
}

// syncRolloutStatus writes the status during a rollout, with the Progressing
// condition: NewReplicaSetAvailable once complete; ReplicaSetUpdated (its
// lastUpdateTime renewed) whenever the rollout made progress;
// ProgressDeadlineExceeded once progressDeadlineSeconds passed since that
// lastUpdateTime. When nothing changed and the rollout is neither complete
// nor timed out, it asks for a sync just past the deadline (s.requeue).
// As upstream, the ReplicaSets are those listed at the start of the sync
// (a scaling in this sync shows in unavailableReplicas from the next one).
func (c *Controller) syncRolloutStatus(s *syncState, all []*api.ReplicaSet, newRS *api.ReplicaSet) error {
	d := s.d
	st := c.calculateStatus(d, all, newRS)
	if !HasProgressDeadline(d) {
		st.Conditions = removeCondition(st.Conditions, ConditionProgressing)
	}
	cur := api.FindCondition(d.Status.Conditions, ConditionProgressing)
	complete := st.Replicas == st.UpdatedReplicas && cur != nil && cur.Reason == ReasonNewRSAvailable
	if HasProgressDeadline(d) && !complete {
		subject := fmt.Sprintf("Deployment %q", d.Name)
		if newRS != nil {
			subject = fmt.Sprintf("ReplicaSet %q", newRS.Name)
		}
		switch {
		case DeploymentComplete(d, &st):
			st.Conditions = setDeploymentCondition(st.Conditions, c.newCondition(ConditionProgressing, api.ConditionTrue,
				ReasonNewRSAvailable, subject+" has successfully progressed."))
		case DeploymentProgressing(d, &st):
			cond := c.newCondition(ConditionProgressing, api.ConditionTrue, ReasonReplicaSetUpdated, subject+" is progressing.")
			if cur != nil {
				if cur.Status == api.ConditionTrue {
					cond.LastTransitionTime = cur.LastTransitionTime
				}
				st.Conditions = removeCondition(st.Conditions, ConditionProgressing)
			}
			st.Conditions = setDeploymentCondition(st.Conditions, cond)
		case c.timedOut(d, &st):
			st.Conditions = setDeploymentCondition(st.Conditions, c.newCondition(ConditionProgressing, api.ConditionFalse,
				ReasonTimedOut, subject+" has timed out progressing."))
		}
	}
	if statusEqual(&d.Status, &st) {
		s.requeue = c.requeueStuck(d, &st)
		return nil
	}
	upd := d.Clone()
	upd.Status = st
	return c.updateDeployment(s, upd, reasonUpdateStatus)
}

// timedOut reports whether the Progressing condition of s is older than the
// progress deadline (strictly: at exactly the deadline it is not yet), or
// already says so.
func (c *Controller) timedOut(d *api.Deployment, s *api.DeploymentStatus) bool {
	if !HasProgressDeadline(d) {
		return false
	}
	cond := api.FindCondition(s.Conditions, ConditionProgressing)
	switch {
	case cond == nil, cond.Reason == ReasonNewRSAvailable:
		return false
	case cond.Reason == ReasonTimedOut:
		return true
	}
	return cond.LastUpdateTime.Add(progressDeadline(d)) < c.now()
}

// requeueStuck returns when to look at a rollout that made no progress
// again: the first instant past lastUpdateTime + progressDeadlineSeconds
// (0: no need, it is complete, timed out or has no deadline). A deployment
// whose rollout completed (Progressing reason NewReplicaSetAvailable) and
// then lost pods (a node failure) never times out (timedOut), so it is not
// requeued either: upstream requeues it rate-limited, syncs that change
// nothing, and kubesim would otherwise spin at 1 ns until it heals.
func (c *Controller) requeueStuck(d *api.Deployment, s *api.DeploymentStatus) time.Duration {
	cond := api.FindCondition(d.Status.Conditions, ConditionProgressing)
	if !HasProgressDeadline(d) || cond == nil || DeploymentComplete(d, s) || cond.Reason == ReasonTimedOut ||
		cond.Reason == ReasonNewRSAvailable {
		return 0
	}
	return max(cond.LastUpdateTime.Add(progressDeadline(d)).Sub(c.now())+1, 1)
}

func progressDeadline(d *api.Deployment) time.Duration {
	return time.Duration(d.ProgressDeadlineSeconds) * time.Second
}
