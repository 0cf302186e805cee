// Package reconciler is kubesim's controller runtime: the work queue and
// worker pool on which every reconciler (controllers/replicaset,
// controllers/garbagecollector, ...) runs, in virtual time. Package
// controllers re-exports its types and starts the controllers.
//
// A controller is a Reconciler plus a keyed work queue, as in
// kube-controller-manager and controller-runtime. Watch handlers turn store
// events into keys (usually "namespace/name"); a worker takes a key, calls
// Reconcile(key), and the reconciler re-reads the world from the store, so
// handling is level-triggered: coalesced or duplicate events cannot corrupt
// state.
//
// The queue follows client-go's workqueue:
//
//   - De-duplication: a key added while it is queued is queued once; a key
//     added while it is being processed is processed once more afterwards,
//     never concurrently and never twice.
//   - Result.RequeueAfter re-adds the key after that virtual delay. Delayed adds
//     of one key keep only the earliest deadline (a later one is dropped, an
//     earlier one replaces the pending timer).
//   - An error re-adds the key with rate-limited backoff: the upstream default
//     controller rate limiter, the larger of a per-key exponential delay
//     (5 ms, doubling per consecutive failure, capped at 1000 s) and an overall
//     token bucket (10 per second, burst 100). A successful reconcile forgets
//     the key's failures.
//
// Time: a sync takes Config.SyncLatency of virtual time (default 10 ms). A
// worker that takes a key at time t is busy until t+SyncLatency, and Reconcile
// runs at t+SyncLatency: it reads the store and its writes appear at the end of
// the sync, so a controller's reaction to an event lags it by at least one
// sync latency, and Config.Workers bounds how many syncs are in flight. Keys
// that arrive together (in the same virtual instant) are taken by workers in one
// dispatch event after them, so events of one burst coalesce.
//
// Nothing here starts a goroutine or reads the wall clock: every wait is an
// engine event. A nil Reconciler or engine passed to New is a programmer
// error and panics.
package reconciler
