// Package results records a kubesim run and writes its outputs.
//
// A Recorder observes one run passively: it registers a write hook on the API
// store (it never writes to the store) and a sampler on the engine. From every
// store write and recorded event it keeps
//
//   - one lifecycle record per pod (pods.csv),
//   - gauges kept up to date incrementally (pending and running pods, ready
//     nodes, requested and allocatable resources), sampled every
//     Config.SampleInterval of virtual time (timeseries.csv), so a sample costs
//     O(resources), never O(pods),
//   - scheduling counters (from the scheduler's "Scheduled" and
//     "FailedScheduling" events),
//   - the narrated event log (events.jsonl), streamed to a temporary file as the
//     run goes so that memory does not grow with the number of writes.
//
// After the run, Finish computes the Summary (summary.json) and WriteDir writes
// every file into a folder atomically: completely or not at all.
//
// A failure plan tells the Recorder about failures (FailureStarted, NodeDown,
// NodeUp, NodeRepaired): it measures, per failure, the time to detect, to
// evict and to heal and the pod-seconds lost, and per workload its
// availability over the run (failures.go). A Narrator (narrate.go) tells the
// run's story as sentences, the content of events.jsonl folded for a reader
// (kubesim run --narrate).
//
// # Files
//
//   - pods.csv: header "namespace,name,owner,created,scheduled,node,started,
//     ready,finished,phase,restarts"; owner is the controller as "Kind/name"
//     ("" for bare pods); phase is the last phase seen, or "Deleted" for a pod
//     removed while not terminal; restarts is the largest container restart
//     count seen. A pod deleted and created again is a new row.
//   - timeseries.csv: header "time,pending,running,nodes_ready,cpu_requested,
//     cpu_allocatable,memory_requested,memory_allocatable" then
//     "<name>_requested,<name>_allocatable" per other resource. One row per
//     sample, at Start's time and every SampleInterval after it.
//   - workloads.csv: header WorkloadsHeader; a row whenever the counts of a
//     workload (Deployment, StatefulSet, DaemonSet, or ReplicaSet without a
//     controller) change, one per workload per instant (the state after that
//     instant's writes): desired, current (pods neither terminal nor
//     terminating, as status.replicas counts), ready and available (of the
//     current ones), updated (of the current template), terminating, and a
//     Deployment's revision. The same tracking gives summary.json's
//     per-workload rollouts (start, end, minimum available, peak surge, peak
//     surge including terminating pods) and, with AddLoad, the served load
//     (package workloads/traffic) over the run and during each rollout.
//   - summary.json: the Summary (see its fields for keys and units).
//   - events.jsonl: one object per store write and recorded event, in order,
//     always with these keys in this order: {"t": seconds, "component",
//     "verb" (create, update, delete or event), "kind", "object" (the store
//     key, "namespace/name" or "name"), "change", "reason", "message"}.
//     "change" is "created", "deleted" (removal), "" (recorded events) or what
//     an update or graceful deletion changed, e.g. "nodeName=node-1, PodScheduled=True",
//     "phase Pending→Running", "ready false→true",
//     "deletionTimestamp set (grace 30s)", "Ready True→Unknown (NodeStatusUnknown)",
//     "+taint node.kubernetes.io/unreachable:NoExecute", "replicas 3→5".
//
// # Units and formats
//
// Times are seconds since the start of the run. In pods.csv, timeseries.csv and
// events.jsonl they are written with exactly three decimals (millisecond
// resolution, rounded half up from the engine's integer nanoseconds); an empty
// field means "never happened". In summary.json every non-integer figure
// (latencies in seconds, utilizations as fractions of 1, node-hours) has exactly
// six decimals. cpu is in millicores, memory, ephemeral-storage and hugepages in
// bytes, extended resources (e.g. nvidia.com/gpu) in their own units.
//
// With Config.GPUAllocation the Recorder also measures GPU allocation as the
// FGD paper does (gpualloc.go): gpu_allocation.csv (one row per pod at its
// first scheduling outcome: GPU milli arrived and allocated, and both in
// percent of the nodes' alibabacloud.com/gpu-milli), gpu_devices.csv and
// summary.json's gpu_allocation with the headline unallocated_pct_at_100.
//
// Resources other than cpu and memory (ephemeral-storage, hugepages, extended
// resources) get columns and summary entries once seen with a non-zero amount in
// a node's allocatable or a pod's requests, in name order.
//
// # Definitions
//
//   - pending, running: pods in the store whose phase is Pending (bound or not,
//     as kubectl shows them) or Running.
//   - nodes_ready: nodes whose Ready condition is True.
//   - requested: the sum of the effective requests (api.PodSpec.Requests) of
//     pods bound to a node and not terminal (Succeeded or Failed), as the
//     scheduler accounts for them; terminating pods still count until removed.
//   - allocatable: the sum of the allocatable resources of all nodes in the
//     store, ready or not.
//   - utilization: requested / allocatable in one sample; the mean is the
//     arithmetic mean over the samples whose allocatable is non-zero (samples
//     are evenly spaced, so this is a time average at the sampling resolution),
//     the peak their maximum.
//   - scheduling latency: created → scheduled (the write that set the pod's
//     nodeName); startup latency: created → started (phase first Running).
//
// Percentiles use gonum's stat.Quantile with stat.Empirical on the sorted data:
// the p-quantile is the smallest observation x such that at least p·n of the n
// observations are ≤ x (the inverse of the empirical distribution function, no
// interpolation; type 1 of Hyndman & Fan). For 1..10, p50 is 5, p90 is 9 and
// p99 is 10.
//
// # Determinism
//
// Outputs depend only on the sequence of writes and events the store reports
// and on the engine's clock: pods.csv rows are sorted by (created, namespace,
// name, creation order), extended-resource columns by name, events.jsonl is in
// write order, and summary.json has a fixed key order. No map iteration reaches
// an output, and nothing reads the wall clock.
//
// A nil *Recorder is not usable; a Summary is nil until Finish.
package results
