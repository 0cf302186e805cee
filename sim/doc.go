// Package sim is kubesim's discrete-event engine: a virtual clock, a totally
// ordered event queue with cheap cancellation, and named, seeded random streams.
//
// Time is virtual. A Time is an integer count of nanoseconds since the start of
// the simulation; nothing in the simulated world reads the wall clock or sleeps.
// Events are ordered by (time, sequence number): two events at the same time run
// in the order they were scheduled, so a run is a pure function of its inputs.
//
// The engine is single-threaded and starts no goroutines. Components (the API
// store's watch delivery, the scheduler, controllers, kubelets) are driven by
// events they schedule on it; parallelism, when wanted, lives above the engine
// as independent replications each with its own Engine.
//
// Sub-packages hold the simulated world: sim/api (the compact object model),
// sim/store (the API store) and sim/kubelet (nodes and their kubelets).
package sim
