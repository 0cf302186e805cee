// Package job is kubesim's Job controller, with the behaviour of
// kube-controller-manager's (SEMANTICS.md §6.3), on the controllers runtime.
//
// One sync of a Job (key "namespace/name"):
//
//  1. The Job's pods are those whose controllerRef is the Job. Active pods
//     are neither terminal nor being deleted; terminating pods are being
//     deleted and not terminal.
//  2. Ended pods not yet accounted for are counted: Succeeded pods towards
//     status.succeeded (for an Indexed Job, their completion indexes towards
//     status.completedIndexes), Failed pods — and, with podReplacementPolicy
//     TerminatingOrFailed (the default), pods being deleted before
//     succeeding — towards status.failed. Upstream keeps a tracking finalizer
//     on every pod until it is counted; kubesim remembers which pods it has
//     accounted for, and the last state of pods that left the store before
//     being counted (a pod that vanished without succeeding counts as
//     failed), which has the same effect.
//  3. status.startTime is set on the first sync of a Job that is not
//     suspended (and reset when it is resumed).
//  4. The Job fails when status.failed exceeds backoffLimit (reason
//     BackoffLimitExceeded), when the container restarts of its Pending and
//     Running pods reach backoffLimit under restartPolicy OnFailure, or when
//     it has been active for activeDeadlineSeconds (reason DeadlineExceeded;
//     the sync is requeued for that instant). Its active pods are then
//     deleted and counted as failed, the interim FailureTarget condition is
//     written, and the Failed condition follows once no pod is terminating.
//  5. Otherwise, when the expectations of earlier syncs are met (every
//     create and delete observed, or 5 minutes passed), pods are deleted or
//     created towards the wanted active count: completions − succeeded capped
//     by parallelism, or parallelism for a work-queue Job (completions unset)
//     until one pod succeeded. Extra pods go first (upstream's ActivePods
//     order; for Indexed Jobs first duplicated or invalid indexes), and a
//     sync that deletes does not create. Creates are capped at 500 per sync,
//     issued in slow-start batches of 1, 2, 4, …, and wait out the pod
//     failure back-off: 10 s after the first failure since the last success,
//     doubling per further failure up to 10 minutes, counted from the last
//     failure's finish time. With podReplacementPolicy Failed, terminating
//     pods are not replaced until they are gone. A suspended Job deletes its
//     active pods and gets the Suspended condition (False again on resume).
//  6. The Job is complete when succeeded reaches completions (or, for a
//     work-queue Job, one pod succeeded) and no pod is active: the interim
//     SuccessCriteriaMet condition and, once no pod is terminating, the
//     Complete condition and status.completionTime are written — in one
//     status write when both are due at once (upstream writes twice at the
//     same instant).
//  7. status (active, ready, succeeded, failed, terminating,
//     completedIndexes, startTime, completionTime, conditions) is written
//     only when it changed.
//
// Indexed Jobs: pods carry their completion index in the annotation and
// label batch.kubernetes.io/job-completion-index, the hostname
// "<job>-<index>" and the name "<job>-<index>-<5 characters>"; the lowest
// indexes with neither a success nor an active pod are created first.
// Other pods are named "<job>-<5 characters>" (names from the seeded stream
// "controllers/job/names"). NonIndexed pods share the template's label and
// annotation maps; all pods share its *PodSpec.
//
// Timing: Job creations and spec changes are synced at once; pod events and
// status-only Job updates are synced after SyncJobBatchPeriod (1 s), as
// upstream, so a Job's completionTime is its last pod's end plus 1 s plus
// one sync latency. A finished Job is not synced again.
//
// Writes are made as component "job-controller" with upstream's event
// reasons (SuccessfulCreate, SuccessfulDelete, FailedCreate, FailedDelete,
// Completed, BackoffLimitExceeded, DeadlineExceeded, Suspended, Resumed).
//
// Deliberate differences from upstream: orphan pods matching a Job's
// selector are not adopted (Job selectors are generated per Job); pod
// failure policies, success policies and backoffLimitPerIndex are not
// modelled (the manifest decoder rejects them); pod finish times come from
// the Ready condition's transition (kubesim containers have no finish
// time).
package job
