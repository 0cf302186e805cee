// Package daemonset is kubesim's DaemonSet controller, with the behaviour of
// kube-controller-manager's, on the controllers runtime: one daemon pod on
// every eligible node.
//
// Eligibility (ShouldRun, upstream's NodeShouldRunDaemonPod): the node
// passes the template's nodeSelector and required node affinity, and every
// NoSchedule and NoExecute taint of the node is tolerated by the template's
// tolerations plus the daemon tolerations upstream adds to every daemon pod
// (DaemonTolerations: not-ready and unreachable NoExecute without
// tolerationSeconds; disk-pressure, memory-pressure, pid-pressure and
// unschedulable NoSchedule; network-unavailable NoSchedule for host-network
// pods). A pod already on a node whose only untolerated taints are
// NoSchedule keeps running; an untolerated NoExecute taint removes it.
//
// One sync of a DaemonSet (key "namespace/name"):
//
//  1. History: the ControllerRevision holding the current template is found
//     (or created, named "<ds>-<hash>" with the controller-revision-hash
//     label, hash = api.TemplateHash of the template hash and
//     status.collisionCount; revision = highest old revision + 1).
//  2. When the expectations of earlier syncs are met (every create and
//     delete observed, or 5 minutes passed), the core loop runs for every
//     node (in name order): an eligible node without a pod gets one; on a
//     node where pods may keep running, failed pods are deleted (with a
//     per-node back-off of 1 s doubling to 15 min, and the sync returns an
//     error so that it is retried with rate limiting), succeeded pods are
//     deleted, and extra pods beyond the oldest go (with maxSurge, an old
//     and a new pod may share a node while the new one is not ready); pods
//     on nodes where they may not keep running are deleted, as are unbound
//     pods meant for nodes that no longer exist. At most 250 creates and 250
//     deletes per sync; creates go in slow-start batches 1, 2, 4, ….
//  3. Rolling update (strategy RollingUpdate, only when step 2 is observed):
//     maxSurge and maxUnavailable are resolved against the number of
//     eligible nodes, percents rounded up, unavailable 1 if both are 0.
//     Without surge, old pods are deleted while the unavailable count (nodes
//     without exactly one pod, with an unavailable new pod, or with an
//     unavailable old pod, which is always replaced) stays within
//     maxUnavailable; the core loop then creates the new pods. With surge, a
//     new pod is created next to an unavailable old pod at once and next to
//     up to maxSurge available old pods, and an old pod is deleted once the
//     new pod on its node is available. OnDelete updates nothing: pods of
//     the old revision are replaced only when deleted by someone else.
//  4. Old revisions beyond revisionHistoryLimit that no pod uses are deleted,
//     oldest first.
//  5. Status (desiredNumberScheduled, currentNumberScheduled,
//     numberMisscheduled, numberReady, numberAvailable,
//     updatedNumberScheduled, observedGeneration) is written only when it
//     changed; observedGeneration is raised only by a sync that acted. With
//     minReadySeconds, a sync where some ready pod is not yet available is
//     repeated after minReadySeconds.
//
// Daemon pods are placed by the scheduler, as upstream: each pod's spec is
// the revision's derived spec (the template's, with the daemon tolerations,
// copied and compiled once per revision) with its required node affinity
// replaced by matchFields metadata.name In [node]. Pods of one revision share
// one label map (the template's labels plus controller-revision-hash) and
// the compiled spec's contents; they are named "<ds>-<5 characters>" from
// the seeded stream "controllers/daemonset/names".
//
// Writes are made as component "daemonset-controller" with upstream's event
// reasons (SuccessfulCreate, SuccessfulDelete, FailedCreate, FailedDelete,
// FailedDaemonPod, SelectingAll).
//
// Deliberate differences from upstream: nodes are visited in name order
// where upstream iterates a map (which node of several candidates is
// updated first is upstream's random choice); orphan pods and revisions are
// not adopted; a removed Node queues the DaemonSets it mattered to (upstream
// waits for the pod garbage collector's deletions); bound pods on removed
// nodes are left to the pod garbage collector, as upstream.
package daemonset
