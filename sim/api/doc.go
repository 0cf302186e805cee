// Package api is kubesim's compact model of Kubernetes objects: the form in
// which the API store holds them and the scheduler, controllers and kubelets
// read them.
//
// Manifests arrive as k8s.io/api types (package workloads decodes and converts
// them); inside the simulation objects are these smaller structs: integer
// resource vectors (Resources, millicores and bytes), compiled label selectors
// (Selector, NodeSelector) and a PodSpec that is immutable and shared by every
// pod created from the same template, so a million pods of one ReplicaSet cost
// one spec.
//
// Objects in the store are immutable. To change one, copy it (the Clone methods
// make a shallow copy), change the copy, and Update it. Maps and slices inside an
// object (labels, conditions, the PodSpec) are shared between copies: replace
// them, never modify them in place.
//
// Times are sim.Time (virtual nanoseconds since the start of the run). A nil
// *sim.Time means "not set", as a nil metav1.Time pointer does upstream.
package api
