// Package defaultpreemption implements DefaultPreemption, upstream's
// PostFilter plugin that makes room for a pod that fits no node by deleting
// lower-priority pods (SEMANTICS 4, upstream
// pkg/scheduler/framework/plugins/defaultpreemption and
// pkg/scheduler/framework/preemption).
//
// When the pod fits nowhere, PostFilter:
//
//  1. checks the pod may preempt: not with preemptionPolicy Never, and not
//     while its nominated node still has lower-priority victims terminating
//     because of an earlier preemption (then it waits);
//  2. takes as potential nodes those whose filter status was plain
//     Unschedulable, in the snapshot's order;
//  3. dry-runs preemption on max(minCandidateNodesPercentage% of them,
//     minCandidateNodesAbsolute) nodes (at most all), starting at a random
//     offset (stream "DefaultPreemption") and walking cyclically, until that
//     many candidates are found and at least one violates no
//     PodDisruptionBudget. On each node (a NodeInfo and CycleState clone) all
//     lower-priority pods are removed, the filters are run with nominated
//     pods, and then the removed pods are added back one by one (PDB-violating
//     ones first, each group most important first: higher priority, then
//     earlier start) as long as the pod still fits; those that cannot come
//     back are the victims;
//  4. picks one candidate: fewest PDB violations, lowest highest-victim
//     priority, lowest sum of (priority + 2^31), fewest victims, latest
//     earliest start among the highest-priority victims, then the first in
//     candidate order (upstream: arbitrary map order);
//  5. clears the nominated node of lower-priority pods nominated to it, marks
//     each victim DisruptionTarget=True (reason PreemptionByScheduler),
//     deletes it through the store with its own grace period (component: the
//     scheduler's name, reason "Preempted"; a victim waiting at Permit is
//     rejected instead) and records a "Preempted" event on it, and returns
//     the node as the preemptor's nominated node.
//
// The preemptor then waits in the queue; when a victim is gone it is retried,
// its nominated node first.
//
// PodDisruptionBudgets count through their status.disruptionsAllowed, as
// upstream reads them, maintained by the disruption controller
// (controllers/disruption); a pod already listed in a PDB's
// status.disruptedPods does not use up that PDB's budget again.
//
// Upstream runs the API calls asynchronously and holds the preemptor back
// with PreEnqueue until they are done. In kubesim the calls are store writes
// made within the scheduling cycle's event, so they are always done by the
// time the pod could be queued again: PreEnqueue admits every pod.
package defaultpreemption
