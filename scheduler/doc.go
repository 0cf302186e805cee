// Package scheduler is kubesim's kube-scheduler: the framework runtime that
// runs plugins (package scheduler/framework) at each extension point with
// upstream semantics, profiles built from a KubeSchedulerConfiguration
// (kubescheduler.config.k8s.io/v1, LoadConfig), the scheduling queue, the
// node cache, and the Scheduler component that ties them to the engine and the
// API store.
//
// The Scheduler talks to the rest of the simulation only through the store:
// it watches Nodes and Pods, writes pod conditions, binds through its Bind
// plugins (DefaultBinder writes the binding), and records "Scheduled" and
// "FailedScheduling" events under the profile's scheduler name.
//
// Time. One scheduling cycle runs at a time. The decision is made in one
// engine event on the cache as it stands (the cache is the cycle's snapshot);
// the pod is assumed at once; the next cycle may start Config.CycleLatency
// later (default 1 ms); PreBind, Bind and PostBind run Config.BindLatency
// after the cycle ends (default 5 ms). Backoffs, the backoff flush (aligned to
// whole seconds), the unschedulable-pool flush (every 30 s, pods older than
// 5 min) and Permit timeouts are engine events, armed only when needed.
//
// Determinism. No goroutines, no wall clock, no global randomness: ties among
// the best-scoring nodes are broken with the engine's "scheduler/tiebreak"
// stream, filtering is sequential (it stops at the k-th feasible node), and no
// map iteration order reaches a decision or an output.
//
// Explain evaluates one pod on every node without scheduling it (PreFilter,
// Filter with nominated pods, PreScore, Score, NormalizeScore, weights) and
// reports each node's verdict and per-plugin scores; BuildState makes the
// store it reads from a decoded cluster state. `kubesim explain` prints it.
//
// Semantics follow Kubernetes v1.35 (SEMANTICS.md sections 1 and 5); where the
// simulator approximates (queueing hints), the doc comment says how.
package scheduler
