// Package nodeaffinity implements NodeAffinity: a Filter for the pod's
// nodeSelector and required node affinity (plus the profile's addedAffinity),
// a PreFilter that narrows the nodes to those named by matchFields
// metadata.name terms (SEMANTICS 3.6), and a Score summing the weights of the
// preferred terms a node matches, normalised to [0, 100] (SEMANTICS 2.6).
package nodeaffinity

import (
	"errors"
	"fmt"

	configv1 "k8s.io/kube-scheduler/config/v1"

	"github.com/kubesim/kubesim/scheduler/framework"
	"github.com/kubesim/kubesim/scheduler/plugins/helper"
	"github.com/kubesim/kubesim/sim/api"
)

// Name is the plugin's name in the registry and in configurations.
const Name = "NodeAffinity"

// Filter and PreFilter reasons, in upstream wording.
const (
	// ErrReasonPod: the node fails the pod's nodeSelector or required affinity.
	ErrReasonPod = "node(s) didn't match Pod's node affinity/selector"
	// ErrReasonEnforced: the node fails the profile's addedAffinity.
	ErrReasonEnforced = "node(s) didn't match scheduler-enforced node affinity"
	// ErrReasonConflict: the metadata.name terms name no node at all.
	ErrReasonConflict = "pod affinity terms conflict"
)

// fieldNodeName is the only matchFields key nodes support.
const fieldNodeName = "metadata.name"

var errNoNode = errors.New(Name + ": node not found")

// NodeAffinity filters and scores nodes by node affinity.
type NodeAffinity struct {
	// addedRequired is addedAffinity's required selector (nil = none).
	addedRequired *api.NodeSelector
	// addedPreferred are addedAffinity's preferred terms (weight 0 and empty
	// terms dropped).
	addedPreferred []api.PreferredTerm
}

var (
	_ framework.PreFilterPlugin = &NodeAffinity{}
	_ framework.FilterPlugin    = &NodeAffinity{}
	_ framework.PreScorePlugin  = &NodeAffinity{}
	_ framework.ScorePlugin     = &NodeAffinity{}
	_ framework.ScoreExtensions = &NodeAffinity{}
)

// New returns the plugin. args is nil (no added affinity) or a
// *v1.NodeAffinityArgs whose AddedAffinity, if set, is validated and applied
// to every pod of the profile.
func New(args any, _ framework.Handle) (framework.Plugin, error) {
	pl := &NodeAffinity{}
	var a *configv1.NodeAffinityArgs
	switch v := args.(type) {
	case nil:
	case *configv1.NodeAffinityArgs:
		a = v
	default:
		return nil, fmt.Errorf("%s: want args of type *v1.NodeAffinityArgs, got %T", Name, args)
	}
	if a == nil || a.AddedAffinity == nil {
		return pl, nil
	}
	var err error
	if pl.addedRequired, pl.addedPreferred, err = compileAffinity(a.AddedAffinity); err != nil {
		return nil, fmt.Errorf("%s: addedAffinity: %w", Name, err)
	}
	return pl, nil
}

// Name returns Name.
func (*NodeAffinity) Name() string { return Name }

func required(p *api.Pod) *api.NodeSelector {
	if p.Spec.Affinity == nil {
		return nil
	}
	return p.Spec.Affinity.NodeRequired
}

func preferred(p *api.Pod) []api.PreferredTerm {
	if p.Spec.Affinity == nil {
		return nil
	}
	return p.Spec.Affinity.NodePreferred
}

// PreFilter returns Skip when there is nothing to filter (no nodeSelector, no
// required affinity, no addedAffinity). When every required term names nodes
// through matchFields metadata.name In, it restricts the cycle to the union
// over terms of the names each term allows (the intersection of its In
// lists); an empty union rejects the pod as UnschedulableAndUnresolvable.
func (pl *NodeAffinity) PreFilter(_ *framework.CycleState, p *api.Pod, _ []*framework.NodeInfo) (*framework.PreFilterResult, *framework.Status) {
	req := required(p)
	if req == nil && pl.addedRequired == nil && len(p.Spec.NodeSelector) == 0 {
		return nil, framework.NewStatus(framework.Skip)
	}
	if req == nil || len(req.Terms) == 0 {
		return nil, nil
	}
	var names map[string]struct{}
	for i := range req.Terms {
		term := termNodeNames(&req.Terms[i])
		if term == nil {
			// A term without a node-name requirement allows every node.
			return nil, nil
		}
		if names == nil {
			names = make(map[string]struct{}, len(term))
		}
		for n := range term {
			names[n] = struct{}{}
		}
	}
	if len(names) == 0 {
		return nil, framework.NewStatus(framework.UnschedulableAndUnresolvable, ErrReasonConflict)
	}
	return &framework.PreFilterResult{NodeNames: names}, nil
}

// termNodeNames returns the node names a term's metadata.name In requirements
// allow (their intersection), or nil when it has none.
func termNodeNames(t *api.NodeSelectorTerm) map[string]struct{} {
	var set map[string]struct{}
	for i := range t.MatchFields {
		r := &t.MatchFields[i]
		if r.Key != fieldNodeName || r.Operator != api.OpIn {
			continue
		}
		next := make(map[string]struct{}, len(r.Values))
		for _, v := range r.Values {
			if _, ok := set[v]; set == nil || ok {
				next[v] = struct{}{}
			}
		}
		set = next
	}
	return set
}

// Filter rejects (UnschedulableAndUnresolvable) a node that fails the
// profile's addedAffinity, the pod's nodeSelector, or the pod's required
// node affinity.
func (pl *NodeAffinity) Filter(_ *framework.CycleState, p *api.Pod, ni *framework.NodeInfo) *framework.Status {
	node := ni.Node()
	if node == nil {
		return framework.AsStatus(errNoNode)
	}
	if pl.addedRequired != nil && !pl.addedRequired.Matches(node.Name, node.Labels) {
		return framework.NewStatus(framework.UnschedulableAndUnresolvable, ErrReasonEnforced)
	}
	if !matchesNodeSelector(p.Spec.NodeSelector, node.Labels) || !required(p).Matches(node.Name, node.Labels) {
		return framework.NewStatus(framework.UnschedulableAndUnresolvable, ErrReasonPod)
	}
	return nil
}

// matchesNodeSelector reports whether every nodeSelector key is a node label
// with the same value (a missing label fails, even for an empty value).
func matchesNodeSelector(sel, labels map[string]string) bool {
	for k, v := range sel {
		if lv, ok := labels[k]; !ok || lv != v {
			return false
		}
	}
	return true
}

// PreScore returns Skip when neither the pod nor addedAffinity has preferred
// terms.
func (pl *NodeAffinity) PreScore(_ *framework.CycleState, p *api.Pod, _ []*framework.NodeInfo) *framework.Status {
	if len(preferred(p)) == 0 && len(pl.addedPreferred) == 0 {
		return framework.NewStatus(framework.Skip)
	}
	return nil
}

// Score returns the sum of the weights of the preferred terms (the pod's and
// addedAffinity's) that the node matches. Terms of weight 0 count nothing,
// and an empty term matches no node.
func (pl *NodeAffinity) Score(_ *framework.CycleState, p *api.Pod, ni *framework.NodeInfo) (int64, *framework.Status) {
	node := ni.Node()
	if node == nil {
		return 0, framework.AsStatus(errNoNode)
	}
	return sumMatching(pl.addedPreferred, node) + sumMatching(preferred(p), node), nil
}

func sumMatching(terms []api.PreferredTerm, node *api.Node) int64 {
	var sum int64
	for i := range terms {
		t := &terms[i]
		if t.Weight != 0 && t.Term.Matches(node.Name, node.Labels) {
			sum += int64(t.Weight)
		}
	}
	return sum
}

// ScoreExtensions returns the plugin itself: it normalises its scores.
func (pl *NodeAffinity) ScoreExtensions() framework.ScoreExtensions { return pl }

// NormalizeScore scales the sums to [0, 100], the highest sum getting 100.
func (*NodeAffinity) NormalizeScore(_ *framework.CycleState, _ *api.Pod, scores []framework.NodeScore) *framework.Status {
	return helper.DefaultNormalizeScore(framework.MaxNodeScore, false, scores)
}
