// Package statefulset is kubesim's StatefulSet controller, with the
// behaviour of kube-controller-manager's v1.35 statefulset controller
// (pkg/controller/statefulset), on the controllers runtime.
//
// Pods have stable identities: a set "web" with spec.ordinals.start s and
// spec.replicas n owns pods web-s … web-(s+n−1), each labelled
// statefulset.kubernetes.io/pod-name=<name> and
// apps.kubernetes.io/pod-index=<ordinal>, with hostname <name> and subdomain
// spec.serviceName. A pod is a member of a set when its name is
// "<set>-<digits>" (ParseOrdinal) and the selector matches its labels.
//
// One sync of a StatefulSet (key "namespace/name"):
//
//  1. Revisions: ControllerRevisions controlled by the set (orphans matching
//     its selector are adopted), sorted by revision number. The update
//     revision is the newest revision if it has the set's template; else an
//     older one with that template, renumbered to the next number (a
//     rollback); else a new revision "<set>-<hash>" (hash:
//     api.TemplateHash of the template hash and status.collisionCount; a
//     taken name bumps the collision count). The current revision is the one
//     named by status.currentRevision, or the update revision.
//  2. Pods controlled by the set are claimed (orphan members adopted,
//     non-members released). Pods in the ordinal range are replicas; those
//     beyond it are condemned.
//  3. Replicas, lowest ordinal first: a Failed or Succeeded pod is deleted
//     (re-created with the same name by a later sync, once it is gone); a
//     missing pod is created — from the current revision below the
//     partition of a RollingUpdate, else from the update revision, labelled
//     controller-revision-hash=<revision name>. With podManagementPolicy
//     OrderedReady (monotonic) the sync stops after a create, a delete, or
//     at a pod that is terminating, not Running and Ready, or not yet
//     available (Ready for longer than minReadySeconds): pod i is created
//     only when 0 … i−1 are Running, Ready and available. With Parallel all
//     replicas are processed, in slow-start batches of 1, 2, 4, … (at most
//     500), stopping after a batch with an error.
//  4. Condemned pods, highest ordinal first, are deleted: with OrderedReady
//     one per sync, only when every replica is healthy, waiting for a
//     terminating one to be gone, and blocked by an unhealthy one unless it
//     is the lowest unhealthy pod; with Parallel all at once.
//  5. RollingUpdate (MaxUnavailableStatefulSet is beta and on in v1.35, so
//     upstream's maxUnavailable path is the only one): with u replicas
//     unavailable and m = maxUnavailable (default 1; a percentage of
//     spec.replicas rounded down; at least 1), up to m − u pods not at the
//     update revision are deleted, highest ordinal first, down to ordinal
//     start + partition; none when u > m. Step 3 then re-creates them at the
//     update revision. OnDelete never deletes for an update.
//  6. Status (replicas, readyReplicas, availableReplicas, currentReplicas,
//     updatedReplicas, currentRevision, updateRevision, collisionCount,
//     observedGeneration) counts the pods as they were at the start of the
//     sync; when every replica of a RollingUpdate is updated and ready the
//     update revision becomes the current one. It is written only when it
//     changed.
//  7. History: revisions that are neither current, update, nor any pod's,
//     oldest first, are deleted beyond revisionHistoryLimit.
//  8. With minReadySeconds > 0 the sync asks to be requeued at the instant
//     the first ready pod becomes available.
//
// Writes are made as component "statefulset-controller"; pod creates,
// updates and deletes are also recorded as events on the set with upstream's
// reasons and messages ("SuccessfulCreate", "create Pod web-0 in StatefulSet
// web successful"; "FailedCreate", "... failed error: ...").
//
// Differences from upstream, all deliberate: the controller reads the store
// directly rather than informer caches (upstream's StatefulSet controller has
// no expectations either); revision equality compares template hashes
// (api.PodTemplate.Hash) rather than serialized patches; the requeue for
// minReadySeconds is at the exact availability instant rather than
// minReadySeconds after the sync; volumeClaimTemplates are rejected when
// manifests are loaded, so there is no PVC handling and no
// persistentVolumeClaimRetentionPolicy; status conditions are not modelled.
package statefulset
