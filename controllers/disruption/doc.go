// Package disruption is kubesim's disruption controller: it maintains the
// status of every PodDisruptionBudget as kube-controller-manager's does
// (SEMANTICS.md 6.6), so that the eviction subresource (store.Evict, used by
// drains) and scheduler preemption (which reads status.disruptionsAllowed)
// see real budgets.
//
// One sync of a budget (key "namespace/name"):
//
//  1. Pods: those of its namespace matching its selector (a nil selector
//     matches none, an empty one every pod), terminal and terminating ones
//     included. None: a "NoPods" event.
//  2. expectedPods and desiredHealthy:
//     - maxUnavailable (integer or percentage): expected = the sum of the
//     scale of the pods' controllers, each once; desired = max(0, expected −
//     maxUnavailable), a percentage of expected rounded up;
//     - minAvailable integer: desired = minAvailable, expected = the number of
//     matching pods;
//     - minAvailable percentage: expected = the controllers' scale;
//     desired = ceil(minAvailable% · expected).
//     A controller's scale is spec.replicas of the pod's ReplicaSet's
//     Deployment (pods of several ReplicaSets of one Deployment count it
//     once), or of its ReplicaSet when that has no Deployment (or the
//     Deployment is gone), StatefulSet or Deployment. Pods without a
//     controller are skipped with an "UnmanagedPods" event. A controller
//     that cannot be found, or a DaemonSet or Job (no scale subresource), is
//     an error: a "CalculateExpectedPodCountFailed" event and the fail-safe
//     status (disruptionsAllowed 0, condition DisruptionAllowed=False reason
//     SyncFailed with the error), not retried, as upstream.
//  3. disruptedPods (entries the eviction subresource adds): entries of pods
//     that are gone or terminating are dropped; entries older than
//     DeletionTimeout (2 min) are dropped with a "NotDeleted" event on the
//     pod; the sync is requeued just after the first remaining entry expires.
//  4. currentHealthy = pods that are Ready, not terminating and not in
//     disruptedPods.
//  5. disruptionsAllowed = currentHealthy − desiredHealthy, 0 when negative or
//     when expectedPods ≤ 0; observedGeneration = metadata.generation; the
//     condition DisruptionAllowed is True/SufficientPods when
//     disruptionsAllowed > 0, else False/InsufficientPods. The status is
//     written (component "disruption-controller", reason "UpdateStatus") only
//     when it differs.
//
// Pods evicted but not yet terminating are thus subtracted once: they are
// neither healthy nor allowed again, which is upstream's accounting
// (disruptionsAllowed = healthy − desired with the disrupted pods left out
// of healthy, equal to "(healthy including them) − desired −
// len(disruptedPods)" whenever they are Ready).
//
// The controller syncs a budget when the budget or a pod it selects changes
// (a pod event queues every budget that selects the pod, by its new and its
// old labels); like upstream it does not watch Deployments, ReplicaSets or
// StatefulSets (a scale change moves pods, which queues the budget). One
// worker, as upstream.
//
// Differences from upstream, all deliberate: upstream queues only the first
// budget that selects a changed pod (and records "MultiplePodDisruptionBudgets"
// on it), kubesim queues every one; the scale subresource of arbitrary
// custom controllers and ReplicationControllers do not exist in kubesim (an
// unknown controller kind is "found no controllers"); the stale
// DisruptionTarget cleanup (a pod marked DisruptionTarget=True but never
// deleted has the condition reset after 2 min) is not modelled, because in
// kubesim every writer that sets the condition deletes the pod in the same
// instant; and the condition carries no observedGeneration (api.Condition
// has none).
package disruption
