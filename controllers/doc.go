// Package controllers starts kubesim's controllers (kube-controller-manager's
// part of the simulated control plane) and re-exports the controller runtime
// they run on.
//
// Each controller lives in its own package (controllers/replicaset,
// controllers/garbagecollector, ...) and runs on the runtime of package
// controllers/reconciler: a keyed, de-duplicating work queue with rate-limited
// retries and a pool of workers, all in virtual time (see that package for the
// exact semantics). Reconciler, Result, Config and Controller here are aliases
// of that package's types, so a controller can be written against either name.
//
// Start creates every controller on a store from Options; a zero Config field
// takes the controller's own default (DefaultOptions lists them: a sync takes
// 10 ms of virtual time; 5 ReplicaSet workers and 20 garbage-collector workers
// as upstream's --concurrent-replicaset-syncs and --concurrent-gc-syncs).
// Validate Options when loading configuration; Start panics on invalid ones.
package controllers
