// Package scenarios is the scenario file: its schema (kubesim.io/v1alpha1,
// kind Scenario), a strict loader that defaults and then validates reporting
// every error with its file and field path, and Build, which turns a loaded
// scenario into a ready-to-run simulation: an engine, the API store, the
// nodes and their kubelets, the scheduler, the controllers, the workload
// arrivals and the recorder.
//
// Besides manifests applied at given times (spec.workloads), a scenario can
// script what a user does with kubectl (spec.actions: apply, scale,
// rolloutUndo, rolloutPause, rolloutResume, delete; actions.go) and offer
// load to services (spec.load, served per package workloads/traffic;
// loadspec.go). Actions are checked before the run against the scenario's
// own timeline: each names an object that exists at that time.
//
// Every field is documented in docs/scenario.md; keep the two in step.
package scenarios
