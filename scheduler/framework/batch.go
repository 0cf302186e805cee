package framework

import "github.com/kubesim/kubesim/sim/api"

// BatchFilterPlugin is a FilterPlugin that can also filter many nodes in one
// call. The scheduler prefers FilterNodes, which saves the per-node interface
// call and the per-node cycle-state lookup; Filter stays the reference (table
// tests, preemption, nominated pods). The two must agree exactly.
type BatchFilterPlugin interface {
	FilterPlugin
	// FilterNodes sets statuses[i] to what Filter(state, p, nodes[i]) would
	// return, for every i (len(statuses) == len(nodes)). It must not change
	// anything Filter would not.
	FilterNodes(state *CycleState, p *api.Pod, nodes []*NodeInfo, statuses []*Status)
}

// BatchScorePlugin is a ScorePlugin that can also score many nodes in one
// call, as BatchFilterPlugin does for filters. The two must agree exactly.
type BatchScorePlugin interface {
	ScorePlugin
	// ScoreNodes sets scores[i].Score to what Score(state, p, nodes[i])
	// would return, for every i (len(scores) == len(nodes); the names are set
	// by the caller). When Score would fail on some node, ScoreNodes returns
	// the status Score returns for the first such node.
	ScoreNodes(state *CycleState, p *api.Pod, nodes []*NodeInfo, scores []NodeScore) *Status
}

// PodGroup is a set of pods in the scheduler cache that are alike for pod
// (anti-)affinity and topology spreading: the same namespace, the same label
// map (by identity: pods made from one template share it), the same pod
// (anti-)affinity (one spec, or none at all), and all terminating
// (deletionTimestamp set) or none. Plugins that match
// selectors against every pod of the cluster evaluate them once per group
// instead, then visit only the nodes of the groups that match.
type PodGroup struct {
	// Namespace and Labels are those of every pod of the group.
	Namespace string
	Labels    map[string]string
	// Terminating is set when the pods have a deletion timestamp.
	Terminating bool
	// Info is the PodInfo of the pod that created the group: its compiled
	// (anti-)affinity terms are those of every pod of the group (they depend
	// only on the spec's affinity, the namespace and the labels). Its Pod stands for
	// the group's namespace and labels; it may have left the cache since.
	Info *PodInfo
	// Nodes lists the NodeInfos holding pods of the group, each with how
	// many, in no particular order. A NodeInfo whose node object was removed
	// (Node() == nil) may still be listed while it holds pods.
	Nodes []PodGroupNode
}

// PodGroupNode is one node of a PodGroup and how many of its pods it holds.
type PodGroupNode struct {
	Node *NodeInfo
	// ID is Node.ID, kept here for loops over many groups' nodes that
	// need only the ID (a NodeInfo's ID never changes).
	ID    int32
	Count int32
}

// PodGroupLister is an optional interface of a snapshot (NodeInfoLister):
// the pods of every listed NodeInfo, grouped. A plugin may use it instead of
// walking every pod of every node when it was handed the snapshot's own
// node list (nodes without a node object are never in that list).
type PodGroupLister interface {
	// PodGroups returns every non-empty group, in a deterministic order.
	// The slice and the groups belong to the snapshot: read only, and only
	// until the cluster changes.
	PodGroups() []*PodGroup
}
