// Package nodename implements NodeName, the Filter plugin that restricts a pod
// with spec.nodeName set to that node (SEMANTICS 3.3).
package nodename

import (
	"errors"
	"fmt"

	"github.com/kubesim/kubesim/scheduler/framework"
	"github.com/kubesim/kubesim/sim/api"
)

// Name is the plugin's name in the registry and in configurations.
const Name = "NodeName"

// ErrReason is the Filter reason for a node other than the requested one.
const ErrReason = "node(s) didn't match the requested node name"

var errNoNode = errors.New(Name + ": node not found")

// NodeName filters out nodes other than the pod's spec.nodeName.
type NodeName struct{}

var _ framework.FlagFilterPlugin = &NodeName{}

// New returns the plugin. It takes no arguments: args must be nil.
func New(args any, _ framework.Handle) (framework.Plugin, error) {
	if args != nil {
		return nil, fmt.Errorf("%s: takes no args, got %T", Name, args)
	}
	return &NodeName{}, nil
}

// Name returns Name.
func (*NodeName) Name() string { return Name }

// Fits reports whether the pod names no node or names this one.
func Fits(p *api.Pod, node *api.Node) bool {
	return p.NodeName == "" || p.NodeName == node.Name
}

// Filter rejects (UnschedulableAndUnresolvable) every node but the requested one.
func (*NodeName) Filter(_ *framework.CycleState, p *api.Pod, ni *framework.NodeInfo) *framework.Status {
	node := ni.Node()
	if node == nil {
		return framework.AsStatus(errNoNode)
	}
	if Fits(p, node) {
		return nil
	}
	return framework.NewStatus(framework.UnschedulableAndUnresolvable, ErrReason)
}

// FilterNodes is Filter over many nodes.
func (pl *NodeName) FilterNodes(state *framework.CycleState, p *api.Pod, nodes []*framework.NodeInfo, statuses []*framework.Status) {
	for i, ni := range nodes {
		if p.NodeName == "" && ni.Node() != nil {
			statuses[i] = nil
			continue
		}
		statuses[i] = pl.Filter(state, p, ni)
	}
}

// FilterFlags: Filter passes every node for a pod without spec.nodeName.
func (*NodeName) FilterFlags(_ *framework.CycleState, p *api.Pod) (framework.NodeFlags, bool) {
	return framework.NodeMissing, p.NodeName == ""
}
