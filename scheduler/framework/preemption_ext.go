package framework

import "github.com/kubesim/kubesim/sim/api"

// PreemptionHandle is implemented by the scheduler's Handle. PostFilter
// plugins that simulate removing pods from a node (DefaultPreemption)
// type-assert their Handle to it, as upstream plugins call the same methods
// on theirs.
type PreemptionHandle interface {
	// RunPreFilterExtensionAddPod tells every PreFilter plugin with
	// extensions (except those whose PreFilter returned Skip in this cycle)
	// that podToAdd was added to node, updating their state in state.
	RunPreFilterExtensionAddPod(state *CycleState, podToSchedule, podToAdd *api.Pod, node *NodeInfo) *Status
	// RunPreFilterExtensionRemovePod is the same for a removed pod.
	RunPreFilterExtensionRemovePod(state *CycleState, podToSchedule, podToRemove *api.Pod, node *NodeInfo) *Status
	// RunFilterPluginsWithNominatedPods runs the profile's Filter plugins
	// (except skipped ones) on node, twice when pods of priority ≥ pod's are
	// nominated to it (SEMANTICS 1.4). It returns nil, or the first failing
	// status with its plugin set.
	RunFilterPluginsWithNominatedPods(state *CycleState, pod *api.Pod, node *NodeInfo) *Status
	// NominatedPodsForNode returns the pending pods nominated to the node, in
	// the order they were nominated. The caller must not modify the slice.
	NominatedPodsForNode(node string) []*api.Pod
}
