// Package tainttoleration implements TaintToleration: a Filter that rejects
// nodes with a NoSchedule or NoExecute taint the pod does not tolerate
// (SEMANTICS 3.5), and a Score that counts the node's PreferNoSchedule taints
// the pod does not tolerate, normalised so that fewer is better (SEMANTICS 2.5).
package tainttoleration

import (
	"errors"
	"fmt"

	"github.com/kubesim/kubesim/scheduler/framework"
	"github.com/kubesim/kubesim/scheduler/plugins/helper"
	"github.com/kubesim/kubesim/sim/api"
)

// Name is the plugin's name in the registry and in configurations.
const Name = "TaintToleration"

// ErrReasonNotMatch is the Filter reason for an untolerated NoSchedule or
// NoExecute taint. Upstream v1.35 (kubernetes PR #134740) no longer names
// the taint in the reason; FindUntoleratedTaint tells which one it was.
const ErrReasonNotMatch = "node(s) had untolerated taint(s)"

const preScoreStateKey framework.StateKey = "PreScore" + Name

var errNoNode = errors.New(Name + ": node not found")

// TaintToleration filters and scores nodes by their taints.
type TaintToleration struct{}

var (
	_ framework.FlagFilterPlugin   = &TaintToleration{}
	_ framework.PreScorePlugin     = &TaintToleration{}
	_ framework.TableScorePlugin   = &TaintToleration{}
	_ framework.NamelessNormalizer = &TaintToleration{}
)

// New returns the plugin. It takes no arguments: args must be nil.
func New(args any, _ framework.Handle) (framework.Plugin, error) {
	if args != nil {
		return nil, fmt.Errorf("%s: takes no args, got %T", Name, args)
	}
	return &TaintToleration{}, nil
}

// Name returns Name.
func (*TaintToleration) Name() string { return Name }

// FindUntoleratedTaint returns the first NoSchedule or NoExecute taint, in
// node order, that no toleration matches.
func FindUntoleratedTaint(taints []api.Taint, tolerations []api.Toleration) (*api.Taint, bool) {
	for i := range taints {
		t := &taints[i]
		if t.Effect != api.TaintNoSchedule && t.Effect != api.TaintNoExecute {
			continue
		}
		if !api.Tolerates(tolerations, t) {
			return t, true
		}
	}
	return nil, false
}

// Filter rejects (UnschedulableAndUnresolvable) a node with an untolerated
// NoSchedule or NoExecute taint.
func (*TaintToleration) Filter(_ *framework.CycleState, p *api.Pod, ni *framework.NodeInfo) *framework.Status {
	node := ni.Node()
	if node == nil {
		return framework.AsStatus(errNoNode)
	}
	if _, bad := FindUntoleratedTaint(node.Taints, p.Spec.Tolerations); !bad {
		return nil
	}
	return framework.NewStatus(framework.UnschedulableAndUnresolvable, ErrReasonNotMatch)
}

// FilterNodes is Filter over many nodes.
func (pl *TaintToleration) FilterNodes(state *framework.CycleState, p *api.Pod, nodes []*framework.NodeInfo, statuses []*framework.Status) {
	for i, ni := range nodes {
		if node := ni.Node(); node != nil && len(node.Taints) == 0 {
			statuses[i] = nil
			continue
		}
		statuses[i] = pl.Filter(state, p, ni)
	}
}

// FilterFlags: Filter passes every node without a NoSchedule or NoExecute
// taint.
func (*TaintToleration) FilterFlags(*framework.CycleState, *api.Pod) (framework.NodeFlags, bool) {
	return framework.NodeMissing | framework.NodeHardTaints, true
}

// preScoreState holds the pod's tolerations that can match a PreferNoSchedule
// taint (effect PreferNoSchedule or empty).
type preScoreState struct {
	tolerations []api.Toleration
}

// Clone returns s: the state is read-only.
func (s *preScoreState) Clone() framework.StateData { return s }

// PreScore keeps the pod's tolerations whose effect is PreferNoSchedule or
// empty for Score. It never skips.
func (*TaintToleration) PreScore(state *framework.CycleState, p *api.Pod, _ []*framework.NodeInfo) *framework.Status {
	state.Write(preScoreStateKey, &preScoreState{tolerations: preferNoScheduleTolerations(p.Spec.Tolerations)})
	return nil
}

// preferNoScheduleTolerations filters ts, returning ts itself (no copy) when
// every toleration qualifies.
func preferNoScheduleTolerations(ts []api.Toleration) []api.Toleration {
	keep := func(t *api.Toleration) bool { return t.Effect == "" || t.Effect == api.TaintPreferNoSchedule }
	n := 0
	for i := range ts {
		if keep(&ts[i]) {
			n++
		}
	}
	if n == len(ts) {
		return ts
	}
	out := make([]api.Toleration, 0, n)
	for i := range ts {
		if keep(&ts[i]) {
			out = append(out, ts[i])
		}
	}
	return out
}

// Score returns the number of the node's PreferNoSchedule taints that the
// pod does not tolerate (higher is worse; NormalizeScore reverses it).
func (*TaintToleration) Score(state *framework.CycleState, _ *api.Pod, ni *framework.NodeInfo) (int64, *framework.Status) {
	node := ni.Node()
	if node == nil {
		return 0, framework.AsStatus(errNoNode)
	}
	d, err := state.Read(preScoreStateKey)
	if err != nil {
		return 0, framework.AsStatus(fmt.Errorf("%s: reading %q from cycle state: %w", Name, preScoreStateKey, err))
	}
	s, ok := d.(*preScoreState)
	if !ok {
		return 0, framework.AsStatus(fmt.Errorf("%s: cycle state %q has type %T", Name, preScoreStateKey, d))
	}
	return countIntolerable(node.Taints, s.tolerations), nil
}

// countIntolerable counts the PreferNoSchedule taints not tolerated.
func countIntolerable(taints []api.Taint, tolerations []api.Toleration) int64 {
	var n int64
	for i := range taints {
		t := &taints[i]
		if t.Effect == api.TaintPreferNoSchedule && !api.Tolerates(tolerations, t) {
			n++
		}
	}
	return n
}

// ScoreNodes is Score over many nodes.
func (pl *TaintToleration) ScoreNodes(state *framework.CycleState, p *api.Pod, nodes []*framework.NodeInfo, scores []framework.NodeScore) *framework.Status {
	d, err := state.Read(preScoreStateKey)
	s, ok := d.(*preScoreState)
	if err != nil || !ok {
		// Score reports the problem.
		for _, ni := range nodes {
			if _, st := pl.Score(state, p, ni); !st.IsSuccess() {
				return st
			}
		}
		return nil
	}
	for i, ni := range nodes {
		node := ni.Node()
		if node == nil {
			return framework.AsStatus(errNoNode)
		}
		scores[i].Score = countIntolerable(node.Taints, s.tolerations)
	}
	return nil
}

// ScoreTable is ScoreNodes reading the node table: a node without
// PreferNoSchedule taints scores 0 whatever the tolerations.
func (pl *TaintToleration) ScoreTable(state *framework.CycleState, p *api.Pod, t *framework.NodeTable, ids []int32, nodes []*framework.NodeInfo, scores []framework.NodeScore) *framework.Status {
	d, err := state.Read(preScoreStateKey)
	s, ok := d.(*preScoreState)
	if err != nil || !ok {
		return pl.ScoreNodes(state, p, nodes, scores)
	}
	rows := t.Rows
	for i, id := range ids {
		f := rows[id].Flags
		switch {
		case f&(framework.NodeMissing|framework.NodePreferTaints) == 0:
			scores[i].Score = 0
		case f&framework.NodeMissing != 0:
			return framework.AsStatus(errNoNode)
		default:
			scores[i].Score = countIntolerable(nodes[i].Node().Taints, s.tolerations)
		}
	}
	return nil
}

// NormalizeIgnoresNames marks NormalizeScore as reading no node names
// (framework.NamelessNormalizer).
func (*TaintToleration) NormalizeIgnoresNames() {}

// ScoreExtensions returns the plugin itself: it normalises its scores.
func (pl *TaintToleration) ScoreExtensions() framework.ScoreExtensions { return pl }

// NormalizeScore maps the counts to [0, 100] reversed: the node with the most
// untolerated PreferNoSchedule taints gets 0, nodes with none get 100.
func (*TaintToleration) NormalizeScore(_ *framework.CycleState, _ *api.Pod, scores []framework.NodeScore) *framework.Status {
	return helper.DefaultNormalizeScore(framework.MaxNodeScore, true, scores)
}
