// Package drain is kubesim's `kubectl cordon`, `kubectl uncordon` and
// `kubectl drain --ignore-daemonsets --delete-emptydir-data`, plus a
// rolling maintenance of a node pool, for scenario actions and tests.
//
// It lives under controllers/ because DESIGN.md groups "disruption (PDB,
// eviction, drain)" there and because, like a controller, it is a
// control-plane client that acts only through the API store (node updates
// and the eviction subresource, store.Evict) in virtual time; it is its own
// package rather than part of controllers/disruption because it is not a
// reconciler (no work queue, no watches: an operator's command with a
// beginning and an end) and because scenario actions should depend on the
// drain API without pulling in the controller.
//
// Cordon and Uncordon are single store writes. Start runs one drain and
// StartMaintenance drains a list of nodes one at a time (drain, wait a
// simulated reboot, uncordon, next); both begin in an engine event at the
// current virtual time and report through callbacks (Options.OnDone,
// MaintenanceOptions.OnNodeDone and OnDone), through Done/Result, and
// through recorded events on the node ("Drained", "DrainFailed"; and
// "EvictionBlocked" on a pod whose eviction a disruption budget refuses).
//
// Timing follows kubectl drain (SEMANTICS.md 6.6): all evictions start
// together, an eviction refused with 429 is retried every 5 s
// (RetryInterval; the interval is marked UNVERIFIED for current kubectl,
// SEMANTICS 10.6), an evicted pod is polled every 1 s (PollInterval) until it
// is gone, and the drain ends when the last pod is gone, when an eviction
// fails for another reason (after the other pods are done, as kubectl
// aggregates the errors), or at Options.Timeout. The eviction itself takes
// no virtual time. Because every eviction attempt falls on a multiple of 5 s
// after the start, all polls fall on one 1 s grid, so one engine event per
// drain per second (only while an evicted pod is terminating) reproduces
// kubectl's per-pod loops exactly.
//
// Writes and events are made as the component the caller names. Nothing
// here reads the wall clock or starts a goroutine.
package drain
