// Package nodeunschedulable implements NodeUnschedulable, the Filter plugin
// that rejects cordoned nodes (spec.unschedulable) unless the pod tolerates
// the node.kubernetes.io/unschedulable:NoSchedule taint (SEMANTICS 3.2).
package nodeunschedulable

import (
	"errors"
	"fmt"

	"github.com/kubesim/kubesim/scheduler/framework"
	"github.com/kubesim/kubesim/sim/api"
)

// Name is the plugin's name in the registry and in configurations.
const Name = "NodeUnschedulable"

// ErrReasonUnschedulable is the Filter reason for a cordoned node.
const ErrReasonUnschedulable = "node(s) were unschedulable"

// unschedulableTaint is the taint a pod must tolerate to land on a cordoned node.
var unschedulableTaint = api.Taint{Key: api.TaintNodeUnschedulable, Effect: api.TaintNoSchedule}

var errNoNode = errors.New(Name + ": node not found")

// NodeUnschedulable filters out cordoned nodes.
type NodeUnschedulable struct{}

var _ framework.FlagFilterPlugin = &NodeUnschedulable{}

// New returns the plugin. It takes no arguments: args must be nil.
func New(args any, _ framework.Handle) (framework.Plugin, error) {
	if args != nil {
		return nil, fmt.Errorf("%s: takes no args, got %T", Name, args)
	}
	return &NodeUnschedulable{}, nil
}

// Name returns Name.
func (*NodeUnschedulable) Name() string { return Name }

// Filter rejects (UnschedulableAndUnresolvable) an unschedulable node unless
// the pod tolerates node.kubernetes.io/unschedulable:NoSchedule.
func (*NodeUnschedulable) Filter(_ *framework.CycleState, p *api.Pod, ni *framework.NodeInfo) *framework.Status {
	node := ni.Node()
	if node == nil {
		return framework.AsStatus(errNoNode)
	}
	if !node.Unschedulable || api.Tolerates(p.Spec.Tolerations, &unschedulableTaint) {
		return nil
	}
	return framework.NewStatus(framework.UnschedulableAndUnresolvable, ErrReasonUnschedulable)
}

// FilterNodes is Filter over many nodes.
func (pl *NodeUnschedulable) FilterNodes(state *framework.CycleState, p *api.Pod, nodes []*framework.NodeInfo, statuses []*framework.Status) {
	for i, ni := range nodes {
		if node := ni.Node(); node != nil && !node.Unschedulable {
			statuses[i] = nil
			continue
		}
		statuses[i] = pl.Filter(state, p, ni)
	}
}

// FilterFlags: Filter passes every node that is not cordoned.
func (*NodeUnschedulable) FilterFlags(*framework.CycleState, *api.Pod) (framework.NodeFlags, bool) {
	return framework.NodeMissing | framework.NodeUnschedulable, true
}
