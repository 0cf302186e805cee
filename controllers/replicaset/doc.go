// Package replicaset is kubesim's ReplicaSet controller, with the behaviour of
// kube-controller-manager's (SEMANTICS.md §6.1), on the controllers runtime.
//
// One sync of a ReplicaSet (key "namespace/name"):
//
//  1. Pods considered are those whose controllerRef is the ReplicaSet plus
//     orphan pods of its namespace; terminal (Succeeded/Failed) and terminating
//     pods are not active.
//  2. Claiming: an active orphan that matches the selector is adopted (an
//     ownerReference with controller=true, blockOwnerDeletion=true is added);
//     an owned pod that no longer matches is released (its reference removed).
//  3. If the ReplicaSet's expectations are satisfied (every create and delete
//     of the previous sync observed through the pod watch, or 5 minutes passed),
//     diff = active − spec.replicas pods are created or deleted, at most
//     BurstReplicas (500) per sync. Creates go in slow-start batches of 1, 2, 4,
//     … and stop after the first batch with a failure. Deletions take the first
//     pods of the upstream ranking (see Rank).
//  4. Status (replicas, fullyLabeledReplicas, readyReplicas, availableReplicas,
//     terminatingReplicas, observedGeneration) is written only when it changed.
//     When minReadySeconds > 0 and some ready pod is not yet available, the
//     sync asks to be requeued at the instant the first becomes available.
//
// A sync costs O(changes), not O(pods): for every ReplicaSet it has synced the
// controller keeps the counts of the pods it controls (active and matching,
// active but no longer matching, fully labelled, ready, terminating, and the
// ready pods still inside minReadySeconds) up to date from the store's write
// hook, which sees every write synchronously, so the counts always equal a
// recount of the store. A change of the selector, template labels or
// minReadySeconds rebuilds them with a full recount. The owned pods are listed
// only when one must be released or the sync may scale down (the ranking needs
// them all); status and requeue come from the counts as they stood after
// claiming, before this sync's creates and deletes, as upstream's.
//
// Pods are named "<rs-name>-<5 characters>" (the name prefix cut to 58
// characters, as the API server's generateName does) from upstream's
// generateName alphabet, drawn from the seeded stream
// "controllers/replicaset/names"; a name collision is retried with a new
// name. Pods share the template's label and annotation maps and its *PodSpec.
//
// Writes are made as component "replicaset-controller"; each create and delete
// is also recorded as an event on the ReplicaSet with upstream's reasons and
// messages ("SuccessfulCreate", "Created pod: web-x7k2p"; "SuccessfulDelete",
// "Deleted pod: web-x7k2p"; "FailedCreate", "FailedDelete").
//
// Differences from upstream, all deliberate: the controller reads the store
// directly rather than an informer cache (the watch latency still delays the
// expectations); "related pods" for the co-location rank are the pods
// controlled by ReplicaSets with the same controller (upstream lists them by
// each ReplicaSet's selector, which differs only for pods matching a sibling's
// selector without being controlled by it); the ReplicaFailure status
// condition is not modelled (api.ReplicaSetStatus has no conditions); and
// kubesim timestamps are never "unset", so the zero-time special cases of the
// ranking do not arise.
package replicaset
