// Package ttlafterfinished is kubesim's TTL-after-finished controller, with
// the behaviour of kube-controller-manager's: a finished Job (condition
// Complete or Failed True) with spec.ttlSecondsAfterFinished is deleted that
// many seconds after it finished (the condition's LastTransitionTime). A Job
// whose TTL has not expired is synced again at the expiry instant; the
// deletion carries the Job's UID as a precondition, so a re-created Job of
// the same name is not deleted by mistake.
//
// The Job's pods are then removed by the garbage collector (background
// propagation: kubesim does not model upstream's foreground deletion, which
// would keep the Job until its pods are gone).
//
// Writes are made as component "ttl-after-finished-controller" with reason
// "TTLExpired" (upstream records no event for the deletion).
package ttlafterfinished
