package framework

import "github.com/kubesim/kubesim/sim/api"

// WaitingPod is a pod whose Permit plugins returned Wait: it is assumed on its
// node and waits, in virtual time, until every waiting plugin allows it, one
// rejects it, or the shortest timeout passes (then it is rejected).
type WaitingPod interface {
	// GetPod returns the pod (with the node name it was assumed on).
	GetPod() *api.Pod
	// GetPendingPlugins returns the plugins that have not allowed it yet.
	GetPendingPlugins() []string
	// Allow records that the named plugin allows the pod; the binding cycle
	// continues when no plugin is pending.
	Allow(pluginName string)
	// Reject rejects the pod on behalf of the named plugin with a message.
	Reject(pluginName, msg string)
}

// WaitingPodHandle is implemented by the scheduler's Handle; Permit plugins
// that return Wait type-assert their Handle to it to release pods later.
type WaitingPodHandle interface {
	// GetWaitingPod returns the waiting pod with this UID, or nil.
	GetWaitingPod(uid api.UID) WaitingPod
	// IterateOverWaitingPods calls f for every waiting pod, in the order they
	// started waiting.
	IterateOverWaitingPods(f func(WaitingPod))
}
