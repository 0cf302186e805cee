package framework

import (
	"math/rand/v2"
	"time"

	"github.com/kubesim/kubesim/sim"
	"github.com/kubesim/kubesim/sim/api"
	"github.com/kubesim/kubesim/sim/store"
)

// Score bounds, as upstream.
const (
	MaxNodeScore int64 = 100
	MinNodeScore int64 = 0
)

// Plugin is the parent of every plugin interface.
type Plugin interface {
	Name() string
}

// PreEnqueuePlugin gates a pod before it enters the active queue.
type PreEnqueuePlugin interface {
	Plugin
	PreEnqueue(p *api.Pod) *Status
}

// QueuedPodInfo is a pod in the scheduling queue with its bookkeeping.
type QueuedPodInfo struct {
	Pod *api.Pod
	// Timestamp is when the pod last entered the queue (refreshed after every
	// failed attempt); it orders pods of equal priority.
	Timestamp sim.Time
	// InitialAttemptTimestamp is the first time the pod was popped (nil before).
	InitialAttemptTimestamp *sim.Time
	// Attempts counts scheduling attempts.
	Attempts int
	// UnschedulableCount and ConsecutiveErrorsCount drive the backoff.
	UnschedulableCount     int
	ConsecutiveErrorsCount int
	// UnschedulablePlugins are the plugins that rejected the pod last time.
	UnschedulablePlugins []string
	// Seq breaks remaining ties deterministically (arrival order).
	Seq uint64
}

// QueueSortPlugin orders the active queue.
type QueueSortPlugin interface {
	Plugin
	Less(a, b *QueuedPodInfo) bool
}

// PreFilterResult restricts the nodes to evaluate. A nil result, or one with a
// nil NodeNames, means all nodes.
type PreFilterResult struct {
	NodeNames map[string]struct{}
}

// AllNodes reports whether r does not restrict the nodes.
func (r *PreFilterResult) AllNodes() bool { return r == nil || r.NodeNames == nil }

// PreFilterPlugin runs once per cycle before filtering.
type PreFilterPlugin interface {
	Plugin
	PreFilter(state *CycleState, p *api.Pod, nodes []*NodeInfo) (*PreFilterResult, *Status)
}

// PreFilterExtensions lets preemption and nominated-pod filtering update a
// PreFilter plugin's cycle state as pods are added to or removed from a node.
type PreFilterExtensions interface {
	AddPod(state *CycleState, podToSchedule *api.Pod, podToAdd *api.Pod, node *NodeInfo) *Status
	RemovePod(state *CycleState, podToSchedule *api.Pod, podToRemove *api.Pod, node *NodeInfo) *Status
}

// PreFilterWithExtensions is a PreFilterPlugin whose state depends on other pods.
type PreFilterWithExtensions interface {
	PreFilterPlugin
	PreFilterExtensions() PreFilterExtensions
}

// FilterPlugin decides whether the pod can run on a node.
type FilterPlugin interface {
	Plugin
	Filter(state *CycleState, p *api.Pod, node *NodeInfo) *Status
}

// NodeToStatus maps a node name to the status its filters returned.
type NodeToStatus map[string]*Status

// PostFilterResult carries a nominated node from PostFilter (preemption). A
// nil result leaves the pod's nominated node as it is; a non-nil one sets it
// to NominatedNodeName, clearing it when that is "" (upstream ModeOverride).
type PostFilterResult struct {
	NominatedNodeName string
}

// PostFilterPlugin runs when no node passes the filters.
type PostFilterPlugin interface {
	Plugin
	PostFilter(state *CycleState, p *api.Pod, filtered NodeToStatus) (*PostFilterResult, *Status)
}

// PreScorePlugin runs once per cycle before scoring, over the feasible nodes.
type PreScorePlugin interface {
	Plugin
	PreScore(state *CycleState, p *api.Pod, nodes []*NodeInfo) *Status
}

// NodeScore is one node's score.
type NodeScore struct {
	Name  string
	Score int64
}

// ScoreExtensions normalises a plugin's scores to [MinNodeScore, MaxNodeScore].
type ScoreExtensions interface {
	NormalizeScore(state *CycleState, p *api.Pod, scores []NodeScore) *Status
}

// ScorePlugin ranks feasible nodes. ScoreExtensions returns nil when the plugin
// does not normalise.
type ScorePlugin interface {
	Plugin
	Score(state *CycleState, p *api.Pod, node *NodeInfo) (int64, *Status)
	ScoreExtensions() ScoreExtensions
}

// ReservePlugin is told when a node is reserved for the pod, and when the
// reservation is undone.
type ReservePlugin interface {
	Plugin
	Reserve(state *CycleState, p *api.Pod, nodeName string) *Status
	Unreserve(state *CycleState, p *api.Pod, nodeName string)
}

// PermitPlugin approves, rejects or delays binding (Wait with a timeout).
type PermitPlugin interface {
	Plugin
	Permit(state *CycleState, p *api.Pod, nodeName string) (*Status, time.Duration)
}

// PreBindPlugin runs before binding.
type PreBindPlugin interface {
	Plugin
	PreBind(state *CycleState, p *api.Pod, nodeName string) *Status
}

// BindPlugin binds the pod to the node. Skip passes to the next bind plugin.
type BindPlugin interface {
	Plugin
	Bind(state *CycleState, p *api.Pod, nodeName string) *Status
}

// PostBindPlugin is told after a successful bind.
type PostBindPlugin interface {
	Plugin
	PostBind(state *CycleState, p *api.Pod, nodeName string)
}

// NodeInfoLister gives plugins the cycle's snapshot of nodes.
type NodeInfoLister interface {
	// List returns every node, in the snapshot's order (zones interleaved).
	List() []*NodeInfo
	// Get returns the named node's info.
	Get(name string) (*NodeInfo, bool)
}

// Handle is what plugins get from the framework: the snapshot, the store
// (for reads, and for writes by binders and preemption), time and randomness.
type Handle interface {
	// SnapshotSharedLister returns the snapshot of the current cycle.
	SnapshotSharedLister() NodeInfoLister
	// Store returns the API store.
	Store() *store.Store
	// Now returns the current virtual time.
	Now() sim.Time
	// Rand returns the named random stream (the plugin's name is a good name).
	Rand(name string) *rand.Rand
	// Component is the name the scheduler writes under ("default-scheduler").
	Component() string
}

// Factory builds a plugin from its typed args (a *v1.XxxArgs from
// k8s.io/kube-scheduler/config/v1, or nil for the defaults) and the handle.
type Factory func(args any, h Handle) (Plugin, error)

// Registry maps plugin names to their factories. The in-tree registry is one
// literal map in package scheduler/plugins.
type Registry map[string]Factory
