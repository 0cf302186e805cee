// Package podgc is kubesim's pod garbage collector (kube-controller-manager's
// pod-garbage-collector, upstream pkg/controller/podgc). It writes as
// component "pod-garbage-collector" and records no events (upstream logs).
//
// A collection pass, at a tick (multiples of Period, 20 s, from the
// controller's start), does in upstream's order:
//
//  1. Terminated pods (Succeeded or Failed) beyond TerminatedPodThreshold
//     (12 500) are deleted, evicted ones first, then oldest first, then by
//     name.
//  2. Terminating pods on nodes that are not Ready and have the
//     node.kubernetes.io/out-of-service taint are set Failed and deleted
//     with grace 0.
//  3. Pods bound to a node that does not exist: the node is quarantined for
//     Quarantine (40 s) from the pass that first sees it missing; at the
//     first pass after that, if it is still missing, its pods get the
//     DisruptionTarget condition (reason DeletionByPodGC, message "PodGC:
//     node no longer exists"), are set Failed and deleted with grace 0.
//  4. Terminating pods bound to no node are set Failed and deleted with
//     grace 0 (kubesim's store removes those at once, so this finds none
//     unless another component creates such a pod state).
//
// No polling: a pass runs only at a tick where there is something to
// collect — after a watch event that can make a pod collectable (a pod
// turning terminal past the threshold, a node deleted with pods, a pod
// terminating on an out-of-service node) or when a quarantine ends. The
// terminated pods are kept in a heap in collection order, so a pass costs
// the pods it deletes, not the pods that exist.
package podgc
