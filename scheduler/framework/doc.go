// Package framework is kubesim's scheduling framework: the plugin interfaces
// for each extension point (shaped like upstream kube-scheduler's
// framework/interface.go, on kubesim's compact object model), the Status a
// plugin returns, per-cycle CycleState, and the per-node NodeInfo the scheduler
// cache maintains.
//
// A plugin implements only the extension points it needs; the framework finds
// them by type assertion. A nil *Status means success. Plugins are created by a
// Factory from their typed arguments (the k8s.io/kube-scheduler/config/v1 args
// type, or nil for defaults) and a Handle, and validate their arguments there,
// so bad configuration fails at start, never mid-cycle.
//
// Everything here runs on the simulation's single thread: no locks, no
// goroutines. Scores are int64 in [MinNodeScore, MaxNodeScore] after
// normalisation; all arithmetic is integer, truncating, as upstream.
package framework
