// Package garbagecollector is kubesim's garbage collector: background
// cascading deletion through ownerReferences, as kube-controller-manager's
// garbage collector does with propagationPolicy Background.
//
// It watches every table of the store. When an object is removed, each of its
// dependents (objects whose ownerReferences name its UID) is queued; so is any
// object created or re-owned with a reference to an owner that does not exist.
// A sync of a dependent (key "Kind|namespace/name|uid") classifies each owner
// reference:
//
//   - dangling: the store holds no object of that kind, namespace (the
//     dependent's, for namespaced kinds), name and UID;
//   - solid: it does, or the kind is not one the store holds (it cannot be
//     checked, and upstream never deletes what it cannot verify).
//
// If every reference is dangling the dependent is deleted, with a UID
// precondition and the kind's default grace period (a pod bound to a node is
// deleted gracefully: it gets a deletionTimestamp and the kubelet removes it).
// If some are dangling and some solid, the dangling references are removed. A
// dependent already being deleted is left alone. Writes are made as component
// "garbage-collector" with reasons "GarbageCollected" and
// "RemovedDanglingOwners". Deleting a dependent removes it (or, when it is
// finally removed after its grace period) and so cascades to its own
// dependents.
//
// Foreground deletion, the orphan policy and finalizers are not modelled.
package garbagecollector
