// Package deployment is kubesim's Deployment controller, with the behaviour
// of kube-controller-manager's (SEMANTICS.md §6.2), on the controllers
// runtime. It drives ReplicaSets only; the ReplicaSet controller
// (controllers/replicaset) turns their sizes into pods.
//
// One sync of a Deployment (key "namespace/name"), as upstream's
// syncDeployment:
//
//  1. A Deployment with an empty selector only gets a SelectingAll warning
//     (and its observedGeneration). Otherwise ReplicaSets are claimed: an
//     orphan whose labels match the selector is adopted (controllerRef
//     added), a controlled one that no longer matches is released.
//  2. The new ReplicaSet is the oldest whose pod template equals the
//     Deployment's, ignoring the pod-template-hash label (EqualIgnoreHash).
//     A new one is named <deployment>-<hash>, hash =
//     api.TemplateHash(template.Hash, status.collisionCount); the hash is
//     added as label pod-template-hash to its selector, template and so its
//     pods. If the name is taken by another template, collisionCount is
//     bumped and the sync retried. The new ReplicaSet gets revision
//     max(old revisions)+1 (annotation deployment.kubernetes.io/revision,
//     copied to the Deployment; a reused one keeps its former revisions in
//     revision-history), the Deployment's annotations, and
//     desired-replicas / max-replicas (spec.replicas, + maxSurge).
//  3. Paused, or an active ReplicaSet's desired-replicas differs from
//     spec.replicas (a scaling event): sync only scales — the only active
//     ReplicaSet takes spec.replicas; a saturated new one leaves old ones at
//     0; else, for RollingUpdate, replicas + maxSurge is shared
//     proportionally (GetProportion, the rounding leftover to the first in
//     size order) — then writes the status without progress estimation.
//     While paused, Progressing is Unknown with reason DeploymentPaused
//     (DeploymentResumed on resume, which restarts the deadline clock).
//  4. RollingUpdate (rolling.go): scale the new ReplicaSet up to
//     min(spec.replicas, room under replicas+maxSurge); if it did not
//     scale, scale old ReplicaSets down — first their unavailable replicas,
//     oldest first, then available ones — never below replicas −
//     maxUnavailable available, counting the new ReplicaSet's unavailable
//     pods. Recreate (recreate.go): scale old ReplicaSets to 0, wait until
//     none of their pods is left unfinished, then create and scale up the
//     new one. Surge rounds percentages up, unavailability down; both
//     resolving to 0 makes unavailability 1 (ResolveFenceposts).
//  5. When complete, old ReplicaSets beyond revisionHistoryLimit that have
//     no replicas are deleted, lowest revision first.
//  6. Status (observedGeneration, replicas, updatedReplicas, readyReplicas,
//     availableReplicas, unavailableReplicas, terminatingReplicas from the
//     ReplicaSets' status; collisionCount; conditions) is written only when
//     it changed. Available is True (MinimumReplicasAvailable) when
//     availableReplicas ≥ replicas − maxUnavailable. Progressing is
//     NewReplicaSetCreated / FoundNewReplicaSet, ReplicaSetUpdated with a
//     fresh lastUpdateTime whenever more replicas are updated, ready or
//     available or fewer are old, NewReplicaSetAvailable when complete, and
//     False with ProgressDeadlineExceeded once progressDeadlineSeconds have
//     passed since lastUpdateTime. Nothing ticks: a rollout without progress
//     asks (Result.RequeueAfter) to be synced 1 ns past its deadline.
//
// Rollbacks, pauses and scaling are user actions: RollbackTo (kubectl
// rollout undo: the template of the ReplicaSet with a revision is copied
// into the Deployment), SetPaused and Scale write the Deployment with a
// generation bump; any other update of the Deployment's spec (a new
// template, replicas, paused) is picked up the same way.
//
// Writes are made as component "deployment-controller". Events on the
// Deployment use upstream's reasons and messages: ScalingReplicaSet ("Scaled
// up replica set web-5d9c7 from 0 to 3", "Scaled down replica set web-7f6b8
// from 10 to 8"), ReplicaSetCreateError, SelectingAll.
//
// Differences from upstream, all deliberate: the controller reads the store,
// not an informer cache, and re-reads what it wrote within a sync, so it
// never writes a stale copy (upstream may hit a conflict and retry); the
// progress check runs 1 ns past the deadline instead of 1 s (upstream's
// padding for wall-clock skew), so ProgressDeadlineExceeded appears one sync
// latency after the deadline; templates are compared by their content
// hashes where they have them (see EqualIgnoreHash); the ReplicaFailure
// condition is not modelled (ReplicaSets have no conditions); terminating
// pods do not change rollout arithmetic (the
// DeploymentPodReplacementPolicy alpha is off in v1.35) but are reported in
// terminatingReplicas; a progressDeadlineSeconds of 0 (possible only for
// objects built in code) means no deadline; an unknown strategy type (the
// loader rejects it) is ignored rather than retried forever.
package deployment
