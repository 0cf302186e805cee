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
// own timeline: each names an object that exists at that time. Node
// actions (cordon, uncordon, drain, maintenance: a rolling drain of a pool)
// go through package controllers/drain (drainactions.go).
//
// The failure plan (spec.failures, failures.go) injects node crashes,
// graceful shutdowns, zone outages, network partitions, kubelet restarts,
// spot reclaims and image pull outages through the kubelet manager's
// failure hooks at given times, and pod crash and OOM behaviour through
// annotations on the matching pod templates; node pools may fail at random
// (spec.cluster.nodePools[].failures: times drawn with gonum stat/distuv
// from one stream per node, "failures/<pool>/<node>"; failures_run.go).
// Each failure is told to the recorder, which measures how the cluster
// heals (package results). spec.timing.kubelet and
// spec.timing.controllers.nodeLifecycle set the failure-related knobs of
// the kubelets and of the node lifecycle controller.
//
// Published traces replay through spec.sources (sources.go; package
// workloads/traces and workloads/source): the trace's nodes join the
// cluster at time 0 and its pods arrive as the replay mode says; a
// tryOnce source deletes a pod whose one scheduling attempt failed. The
// FGD experiment (scenarios/fgd) adds spec.scheduler.typicalPodsFrom (FGD's
// typical pods computed from a source) and tieBreak.
//
// Every field is documented in docs/scenario.md; keep the two in step.
package scenarios
