package framework

import (
	"math"

	"github.com/kubesim/kubesim/sim/api"
)

// NodeFlags are the per-node facts a NodeRow keeps for fast paths: a plugin
// reads the flags to know when a node needs its full (pointer-chasing) path.
type NodeFlags uint32

// Node flags.
const (
	// NodeMissing: the NodeInfo has no node object (or the row is unused).
	NodeMissing NodeFlags = 1 << iota
	// NodeUnschedulable: spec.unschedulable is set.
	NodeUnschedulable
	// NodeHardTaints: the node has a NoSchedule or NoExecute taint.
	NodeHardTaints
	// NodePreferTaints: the node has a PreferNoSchedule taint.
	NodePreferTaints
	// NodeHostPorts: pods on the node use host ports.
	NodeHostPorts
	// NodeImages: the NodeInfo has image states (the node lists images).
	NodeImages
)

// NodeRow is one node of a NodeTable: what the common-case Filter and Score
// paths of the default plugins read, in 64 bytes (one cache line).
type NodeRow struct {
	// AllocMilliCPU and AllocMemory are the node's allocatable cpu and memory.
	AllocMilliCPU, AllocMemory int64
	// ReqMilliCPU and ReqMemory are NodeInfo.Requested's cpu and memory.
	ReqMilliCPU, ReqMemory int64
	// NonZeroMilliCPU and NonZeroMemory are NodeInfo.NonZeroRequested's.
	NonZeroMilliCPU, NonZeroMemory int64
	// FreeEphemeral is allocatable minus requested ephemeral storage, as
	// NodeResourcesFit compares it (int64 arithmetic).
	FreeEphemeral int64
	// FreePods is the node's allowed pod count minus its pods, clamped to
	// [0, MaxInt32]: a pod fits by count when FreePods ≥ 1.
	FreePods int32
	// Flags are the node's NodeFlags.
	Flags NodeFlags
}

// NodeTable is a dense per-node table indexed by NodeInfo.ID, kept by the
// scheduler cache in step with its NodeInfos (every pod or node change of a
// NodeInfo updates its row at once). Batch plugins read it instead of the
// NodeInfo and node objects, which are scattered in memory: a cycle visits
// some 500 nodes per plugin. Row and name 0 are unused (IDs start at 1).
type NodeTable struct {
	// Rows holds each NodeInfo's row, by ID.
	Rows []NodeRow
	// Names holds each node's name, by ID ("" without a node object).
	Names []string
}

// NodeTableLister is an optional interface of a snapshot (NodeInfoLister):
// its NodeTable, and the IDs of the NodeInfos of List, in List's order.
// Both belong to the snapshot: read only, valid until the cluster changes.
type NodeTableLister interface {
	NodeTable() *NodeTable
	ListIDs() []int32
}

// NodeLabelsVersioner is an optional interface of a snapshot
// (NodeInfoLister): NodeLabelsVersion changes whenever List changes or a
// listed node gets a node object with other labels (it may also change
// when nothing did). Plugins that derive per-node data from node labels use
// it to skip re-checking every node.
type NodeLabelsVersioner interface {
	NodeLabelsVersion() uint64
}

// Set recomputes ni's row (ni.ID > 0) from ni and its node object.
func (t *NodeTable) Set(ni *NodeInfo) {
	id := int(ni.ID)
	for id >= len(t.Rows) {
		t.Rows = append(t.Rows, NodeRow{Flags: NodeMissing})
		t.Names = append(t.Names, "")
	}
	r := &t.Rows[id]
	n := ni.Node()
	if n == nil {
		*r = NodeRow{Flags: NodeMissing}
		t.Names[id] = ""
		return
	}
	t.Names[id] = n.Name
	var f NodeFlags
	if n.Unschedulable {
		f |= NodeUnschedulable
	}
	for i := range n.Taints {
		switch n.Taints[i].Effect {
		case api.TaintNoSchedule, api.TaintNoExecute:
			f |= NodeHardTaints
		case api.TaintPreferNoSchedule:
			f |= NodePreferTaints
		}
	}
	if ni.UsedPorts.Len() > 0 {
		f |= NodeHostPorts
	}
	if len(ni.ImageStates) > 0 {
		f |= NodeImages
	}
	var free int64 // AllowedPods − pods when positive (no overflow), else 0
	if pods := int64(len(ni.Pods)); n.AllowedPods > pods {
		free = n.AllowedPods - pods
	}
	*r = NodeRow{
		AllocMilliCPU:   n.Allocatable.MilliCPU,
		AllocMemory:     n.Allocatable.Memory,
		ReqMilliCPU:     ni.Requested.MilliCPU,
		ReqMemory:       ni.Requested.Memory,
		NonZeroMilliCPU: ni.NonZeroRequested.MilliCPU,
		NonZeroMemory:   ni.NonZeroRequested.Memory,
		FreeEphemeral:   n.Allocatable.EphemeralStorage - ni.Requested.EphemeralStorage,
		FreePods:        int32(min(free, math.MaxInt32)),
		Flags:           f,
	}
}

// Clear marks row id unused (its NodeInfo was dropped).
func (t *NodeTable) Clear(id int32) {
	if int(id) < len(t.Rows) {
		t.Rows[id] = NodeRow{Flags: NodeMissing}
		t.Names[id] = ""
	}
}

// TableFilterPlugin is a BatchFilterPlugin that can also read a NodeTable.
// The scheduler prefers FilterTable when the snapshot has a table.
type TableFilterPlugin interface {
	BatchFilterPlugin
	// FilterTable is FilterNodes for nodes whose IDs are also given:
	// ids[i] == nodes[i].ID, and t holds their rows. The common case should
	// read only t; nodes[i] is there for the full path.
	FilterTable(state *CycleState, p *api.Pod, t *NodeTable, ids []int32, nodes []*NodeInfo, statuses []*Status)
}

// FlagFilterPlugin is a BatchFilterPlugin that passes, for a given pod,
// every node whose NodeTable row carries none of some flags:
// NodeUnschedulable passes every node that is not cordoned, TaintToleration
// every node without a NoSchedule or NoExecute taint. The scheduler checks a
// run of consecutive flag filters in one pass over the rows and calls them
// only on the nodes that carry one of their flags, in their order, so the
// first failure and its status are what running each filter would give.
type FlagFilterPlugin interface {
	BatchFilterPlugin
	// FilterFlags returns flags such that Filter(state, p, ni) passes
	// every node whose row has none of them, for the pod and this cycle
	// (PreFilter has run). ok is false when the plugin cannot say; the
	// scheduler then calls FilterNodes.
	FilterFlags(state *CycleState, p *api.Pod) (flags NodeFlags, ok bool)
}

// TableScorePlugin is a BatchScorePlugin that can also read a NodeTable.
type TableScorePlugin interface {
	BatchScorePlugin
	// ScoreTable is ScoreNodes for nodes whose IDs are also given, as
	// FilterTable. The scores' names may be unset during the call.
	ScoreTable(state *CycleState, p *api.Pod, t *NodeTable, ids []int32, nodes []*NodeInfo, scores []NodeScore) *Status
}

// NamelessNormalizer is an optional interface of a ScoreExtensions whose
// NormalizeScore reads only the scores, never their names: the scheduler
// then leaves the names of table scores unset before normalising them.
type NamelessNormalizer interface {
	ScoreExtensions
	// NormalizeIgnoresNames only marks the interface; it does nothing.
	NormalizeIgnoresNames()
}
