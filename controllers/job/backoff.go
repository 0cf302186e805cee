package job

import (
	"slices"
	"time"

	"github.com/kubesim/kubesim/sim"
	"github.com/kubesim/kubesim/sim/api"
)

// backoffRecord is upstream's per-Job pod failure record: how many pods
// failed after the last success and when the last of them finished.
type backoffRecord struct {
	failuresAfterLastSuccess int32
	lastFailure              sim.Time
	hasFailure               bool
}

// next returns the record after newly observed succeeded and failed pod ends,
// as upstream's newBackoffRecord: a success resets the count, and only
// failures finishing after the latest success count (the latest of them
// being the last failure time).
func (b backoffRecord) next(succeeded, failed []sim.Time) backoffRecord {
	slices.Sort(succeeded)
	slices.Sort(failed)
	if len(succeeded) == 0 {
		if len(failed) == 0 {
			return b
		}
		b.failuresAfterLastSuccess += int32(len(failed))
		b.lastFailure, b.hasFailure = failed[len(failed)-1], true
		return b
	}
	b = backoffRecord{}
	lastSuccess := succeeded[len(succeeded)-1]
	for i := len(failed) - 1; i >= 0 && failed[i] > lastSuccess; i-- {
		if !b.hasFailure {
			b.lastFailure, b.hasFailure = failed[i], true
		}
		b.failuresAfterLastSuccess++
	}
	return b
}

// BackoffDelay returns the pod re-creation delay after n consecutive
// failures: DefaultJobPodFailureBackOff·2^(n−1), capped at
// MaxJobPodFailureBackOff; 0 when n is 0.
func BackoffDelay(n int32) time.Duration {
	if n <= 0 {
		return 0
	}
	d := DefaultJobPodFailureBackOff
	for i := int32(1); i < n; i++ {
		d *= 2
		if d >= MaxJobPodFailureBackOff {
			return MaxJobPodFailureBackOff
		}
	}
	return d
}

// remaining returns how long pod creation must still wait at now.
func (b backoffRecord) remaining(now sim.Time) time.Duration {
	if b.failuresAfterLastSuccess == 0 || !b.hasFailure {
		return 0
	}
	elapsed := now.Sub(b.lastFailure)
	d := BackoffDelay(b.failuresAfterLastSuccess)
	if d < elapsed {
		return 0
	}
	return d - elapsed
}

// finishedTime estimates when a pod finished, as upstream's getFinishedTime
// (kubesim containers carry no finish time): the time its Ready condition
// turned False, else its deletion time (deletionTimestamp minus the grace
// period), else its creation time.
func finishedTime(p *api.Pod) sim.Time {
	if c := api.FindCondition(p.Status.Conditions, api.PodReady); c != nil && c.Status == api.ConditionFalse && c.LastTransitionTime != 0 {
		return c.LastTransitionTime
	}
	if p.DeletionTimestamp != nil {
		return p.DeletionTimestamp.Add(-time.Duration(p.DeletionGracePeriodSeconds) * time.Second)
	}
	return p.CreationTimestamp
}
