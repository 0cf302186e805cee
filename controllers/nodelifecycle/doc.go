// Package nodelifecycle is kubesim's node lifecycle controller
// (kube-controller-manager's node-lifecycle-controller, SEMANTICS.md §6.4),
// on the controllers runtime. It writes as component
// "node-lifecycle-controller".
//
// Health. A node's heartbeat is its Lease (kube-node-lease/<node>): while
// the kubelet renews it, api.Lease.RenewTimeAt gives the renew time at any
// moment, so a healthy node costs no event. The monitor pass (upstream's
// monitorNodeHealth) ticks at multiples of MonitorPeriod (5 s) from the
// controller's start. A renewal is seen at the first tick at or after it,
// and so is a change of the node's Ready condition by someone else (the
// kubelet posting status); that tick is the node's probe time. At the first
// tick at or after probe + MonitorGracePeriod (50 s; StartupGracePeriod,
// 60 s, for a node that never posted Ready) the node's Ready,
// MemoryPressure, DiskPressure and PIDPressure conditions become Unknown
// (reason NodeStatusUnknown, message "Kubelet stopped posting node
// status.", or NodeStatusNeverUpdated for conditions never posted), a
// NodeNotReady event is recorded, and the Ready condition of every pod on
// the node is set False (MarkPodsNotReady; pods bound to it later get the
// same). Upstream's check is "strictly after"; its ticks drift later by
// each pass's run time, so the tick exactly a grace period after the probe
// is already past it, and the simulation's exact ticks count it as past.
//
// No polling: passes run only at ticks where something can have changed —
// after a Node or Lease watch event, and at the tick computed analytically
// at which the first node goes stale (one engine timer). A cluster of
// healthy nodes renewing their leases costs one pass at start.
//
// Taints. On every node change, the NoSchedule taints mirror the conditions
// (upstream's TaintNodesByCondition): Ready False → not-ready, Ready Unknown
// → unreachable, MemoryPressure/DiskPressure/PIDPressure/NetworkUnavailable
// True → memory-/disk-/pid-pressure and network-unavailable, and
// spec.unschedulable → unschedulable; added with TimeAdded, removed when
// the condition clears. This runs on the work queue, one sync latency after
// the change. The NoExecute taints (not-ready for Ready False, unreachable
// for Ready Unknown, mutually exclusive) are decided by the monitor pass
// from the Ready condition as it was at the start of the pass — so the
// pass that sets a node Unknown queues it for tainting at the next tick,
// as upstream — and applied through the node's zone queue, a token bucket
// of burst 1 tried every 100 ms (upstream's RateLimitedTimedQueue and
// doNoExecuteTaintingPass; the tries are computed, not polled). A Ready
// node loses both NoExecute taints and leaves the queue.
//
// Zones (ZoneKey: region and zone labels; nodes labelled
// node.kubernetes.io/exclude-disruption are not counted): FullDisruption
// when no node is Ready, PartialDisruption when more than 2 and at least
// UnhealthyZoneThreshold (0.55) of them are not, else Normal. Tainting
// rate: EvictionRate (0.1 node/s) when Normal or FullDisruption,
// SecondaryEvictionRate (0.01) when PartialDisruption in a zone larger
// than LargeClusterThreshold (50) nodes, 0 in a smaller one. When every
// zone is FullDisruption, every NoExecute taint is removed and tainting
// stops; when one recovers, every node's grace period starts over.
//
// Events recorded: RegisteredNode and RemovingNode on nodes the monitor
// first sees or sees gone, NodeNotReady on nodes and pods.
//
// Differences from upstream, all deliberate: a node without a Lease is
// never found stale (the kubelet's periodic status posts are not
// simulated, so without a Lease there is no heartbeat to miss); a change
// of the Ready condition by another component stands for the kubelet's
// status heartbeat (the model has no LastHeartbeatTime); nodes waiting in
// a zone queue keep first-come order (upstream re-queues them at each pass,
// in the random order of its parallel workers); taint additions and
// removals of one decision are one write; label reconciliation
// (beta OS/arch labels) is not modelled.
package nodelifecycle
