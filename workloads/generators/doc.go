// Package generators makes synthetic workloads: arrival processes, pod
// shapes, run durations, priority-class and owner mixes, combined by a
// Generator into a source.Source (package workloads/source) that Play writes
// to the API store.
//
// Distributions are gonum's (gonum.org/v1/gonum/stat/distuv). In gonum v0.17
// their Src field is a math/rand/v2 rand.Source, which the engine's named
// streams (*rand.Rand from engine.Rand or sim.NewStream) satisfy directly, so
// no adapter is needed; a nil Src would fall back to the global source, so
// every constructor here insists on one. Each random quantity takes its own
// named stream, so adding a generator, or drawing more of one quantity, never
// shifts another's draws: a run is a pure function of (seed, run, names).
//
// Units: times are virtual durations from the start of the run; rates are
// arrivals per second; durations are drawn in seconds; cpu is in millicores,
// memory in MiB and GPU shares in thousandths of a device, as in the openb
// trace (package workloads/traces), whose extended-resource names GPU shapes
// use.
//
// Arrival processes: Poisson (exponential gaps), Constant (fixed gaps), OnOff
// (Poisson bursts separated by silences) and Diurnal (a cosine-modulated rate,
// drawn by thinning). Shapes: Parametric (one distribution per resource,
// rounded and clamped by Quantity) and Empirical (uniform over rows of a CSV,
// e.g. an openb pod list). Owners: bare pods, Jobs of one pod, Deployments.
//
// # Scenario files (proposed)
//
// The generator entry of a scenario's spec.sources list (the trace entry is
// in package workloads/traces). Distributions are named by gonum type and
// its parameters; each random quantity gets its own stream,
// "workloads/<name>/arrivals", ".../cpu", ".../memory", ".../gpus",
// ".../gpuMilli", ".../durations" and ".../mix":
//
//	spec:
//	  sources:
//	  - name: batch
//	    generator:
//	      arrivals: {poisson: {rate: 2}}          # | constant: {rate} | onOff: {rate, on, off}
//	                                              # | diurnal: {mean, amplitude, period, peak}
//	      shapes:
//	        cpu: {logNormal: {mu: 7.6, sigma: 0.8}, step: 100, min: 100, max: 64000}
//	        memory: {uniform: {min: 512, max: 65536}, step: 256}
//	        gpus: {categorical: {weights: [0.6, 0.3, 0, 0.1]}}     # value = index
//	        gpuMilli: {uniform: {min: 100, max: 1000}, step: 10}
//	      # or: shapes: {empirical: data/traces/alibaba-gpu-v2023/openb_pod_list_default.csv}
//	      durations: {exponential: {rate: 0.002}}  # seconds; omit = run until deleted
//	      priorities: [{name: high, weight: 1}, {name: "", weight: 3}]
//	      owners: [{kind: Pod, weight: 2}, {kind: Job, weight: 1}, {kind: Deployment, weight: 1, replicas: 3}]
//	      limit: 10000
//	      until: 6h
//	      namespace: batch
package generators
