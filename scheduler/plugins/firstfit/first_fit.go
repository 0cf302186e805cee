// Package firstfit implements FirstFit, a research score plugin: classic
// first-fit placement, the pod goes to the feasible node that comes first in
// the cluster's node list.
//
// A node's index is its position in the scheduler's snapshot node list,
// Handle.SnapshotSharedLister().List(): the order in which the scheduler
// visits nodes (SEMANTICS 1.3). Without zone labels, or with one zone, that is
// the order in which the nodes were created: a scenario's node pools in file
// order, each pool's nodes as numbered (pool-1, pool-2, ...), then the nodes
// of its manifests in file order. With several zones the list
// interleaves zones: the first node of every zone (zones in the order their
// first node appeared), then the second node of every zone, and so on; a
// single scenario pool that assigns zones round-robin therefore keeps its
// creation order. Removing a node shifts the indexes of the nodes after it.
//
// Scoring. Score returns the node's index; NormalizeScore maps the indexes
// of the scored nodes, lowest lo and highest hi, to
//
//	score = 100 − ⌈(index − lo)·100 / (hi − lo)⌉     (100 when hi = lo)
//
// so the lowest index among the scored nodes scores 100 and every other node
// at most 99: used alone, FirstFit always picks that node, with no tie for
// the random tie-break to decide. Only the nodes being scored are compared:
// with percentageOfNodesToScore < 100 (or the adaptive default on clusters of
// 100 nodes or more) the scheduler stops filtering once it has enough
// feasible nodes, starting from a rotating index, so the chosen node is the
// first feasible node of that sample, not necessarily of the whole cluster.
// Set percentageOfNodesToScore: 100 for strict first fit.
package firstfit

import (
	"fmt"

	"github.com/kubesim/kubesim/scheduler/framework"
	"github.com/kubesim/kubesim/scheduler/plugins/internal/research"
	"github.com/kubesim/kubesim/sim/api"
)

// Name is the plugin's name in the registry and in configurations.
const Name = "FirstFit"

// Args are FirstFit's arguments. It has no options; the type exists so that
// a pluginConfig entry for FirstFit is checked strictly (any field is an
// error).
type Args struct{}

// FirstFit scores nodes by their position in the snapshot node list.
type FirstFit struct {
	h framework.Handle
	// list is the node list the index was built from; the snapshot hands out
	// a new slice whenever the node set changes, so comparing the slice's
	// first element and length detects a change without a scan.
	list  []*framework.NodeInfo
	index map[*framework.NodeInfo]int64
}

var (
	_ framework.PreScorePlugin  = &FirstFit{}
	_ framework.ScorePlugin     = &FirstFit{}
	_ framework.ScoreExtensions = &FirstFit{}
)

// New returns FirstFit. args is nil, a *Args or the JSON of Args (an empty
// object); h must provide the snapshot.
func New(args any, h framework.Handle) (framework.Plugin, error) {
	if _, err := research.DecodeArgs[Args](Name, args); err != nil {
		return nil, err
	}
	if h == nil {
		return nil, fmt.Errorf("%s: needs a framework.Handle for the node list", Name)
	}
	return &FirstFit{h: h}, nil
}

// Name returns Name.
func (*FirstFit) Name() string { return Name }

// refresh rebuilds the node → index map when the snapshot's list changed.
func (f *FirstFit) refresh() {
	list := f.h.SnapshotSharedLister().List()
	if len(list) == len(f.list) && (len(list) == 0 || &list[0] == &f.list[0]) {
		return
	}
	f.list = list
	f.index = make(map[*framework.NodeInfo]int64, len(list))
	for i, ni := range list {
		f.index[ni] = int64(i)
	}
}

// PreScore brings the node index up to date with the snapshot (it costs
// nothing while the node set is unchanged).
func (f *FirstFit) PreScore(*framework.CycleState, *api.Pod, []*framework.NodeInfo) *framework.Status {
	f.refresh()
	return nil
}

// Score returns the node's index in the snapshot list.
func (f *FirstFit) Score(_ *framework.CycleState, _ *api.Pod, ni *framework.NodeInfo) (int64, *framework.Status) {
	if i, ok := f.index[ni]; ok {
		return i, nil
	}
	// Not indexed: Score without PreScore, or a NodeInfo that is not the
	// snapshot's own object. Look the node up by name.
	f.refresh()
	if cur, ok := f.h.SnapshotSharedLister().Get(ni.Name()); ok {
		if i, ok := f.index[cur]; ok {
			return i, nil
		}
	}
	return 0, framework.AsStatus(fmt.Errorf("%s: node %q is not in the snapshot's node list", Name, ni.Name()))
}

// ScoreExtensions returns f: indexes are normalised to [0, 100].
func (f *FirstFit) ScoreExtensions() framework.ScoreExtensions { return f }

// NormalizeScore maps indexes to scores as the package comment says.
func (*FirstFit) NormalizeScore(_ *framework.CycleState, _ *api.Pod, scores []framework.NodeScore) *framework.Status {
	if len(scores) == 0 {
		return nil
	}
	lo, hi := scores[0].Score, scores[0].Score
	for _, s := range scores[1:] {
		lo, hi = min(lo, s.Score), max(hi, s.Score)
	}
	span := hi - lo
	for i := range scores {
		if span == 0 {
			scores[i].Score = framework.MaxNodeScore
			continue
		}
		d := scores[i].Score - lo
		scores[i].Score = framework.MaxNodeScore - (d*framework.MaxNodeScore+span-1)/span
	}
	return nil
}
