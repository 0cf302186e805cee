// Package tainteviction is kubesim's taint eviction controller
// (kube-controller-manager's taint-eviction-controller, SEMANTICS.md §6.5),
// on the controllers runtime. It writes as component
// "taint-eviction-controller".
//
// It watches nodes' NoExecute taints and the pods bound to tainted nodes.
// When a node's NoExecute taints change (one sync later), each pod on it is
// judged (upstream's processPodOnNode): each taint is matched by the first
// toleration that tolerates it; a pod with an untolerated taint is deleted
// now; a pod whose matched tolerations all lack tolerationSeconds stays
// forever (any scheduled deletion is cancelled); otherwise its deletion is
// scheduled at start + the smallest tolerationSeconds (≤ 0 means now),
// where start is when the controller first scheduled a deletion for the
// pod — kept while one stays scheduled, as upstream's timed worker queue
// keeps its CreatedAt. Taints removed, or the pod gone, cancel the
// deletion (event "Cancelling deletion of Pod <ns>/<name>").
//
// Each scheduled deletion is one engine timer, cancelled when it stops
// being relevant. When it fires the controller records TaintManagerEviction
// ("Marking for deletion Pod <ns>/<name>"), sets the pod's DisruptionTarget
// condition (reason DeletionByTaintManager, message "Taint manager: deleting
// due to NoExecute taint") and deletes the pod gracefully with its own
// grace period.
//
// With the DefaultTolerationSeconds admission (sim/store) every pod not
// otherwise tolerating them tolerates not-ready and unreachable for 300 s,
// so an unreachable node's pods are deleted 300 s after the controller sees
// the taint, i.e. the taint's TimeAdded plus one sync latency (10 ms).
//
// Differences from upstream, all deliberate: a pod already being deleted
// when its timer fires is left alone (upstream re-issues the delete, a
// no-op); time is counted from when the controller processes the taint,
// as upstream, not from the taint's TimeAdded.
package tainteviction
