// Package plugins holds kubesim's in-tree scheduler plugins, one folder per
// plugin under upstream's names, and NewInTreeRegistry, the literal map from
// plugin name to factory that profiles are built from.
package plugins

import (
	"github.com/kubesim/kubesim/scheduler/framework"
	"github.com/kubesim/kubesim/scheduler/plugins/defaultbinder"
	"github.com/kubesim/kubesim/scheduler/plugins/nodeaffinity"
	"github.com/kubesim/kubesim/scheduler/plugins/nodename"
	"github.com/kubesim/kubesim/scheduler/plugins/noderesources"
	"github.com/kubesim/kubesim/scheduler/plugins/nodeunschedulable"
	"github.com/kubesim/kubesim/scheduler/plugins/queuesort"
	"github.com/kubesim/kubesim/scheduler/plugins/schedulinggates"
	"github.com/kubesim/kubesim/scheduler/plugins/tainttoleration"
)

// NewInTreeRegistry returns a new registry of every in-tree plugin.
func NewInTreeRegistry() framework.Registry {
	return framework.Registry{
		schedulinggates.Name:                 schedulinggates.New,
		queuesort.Name:                       queuesort.New,
		nodeunschedulable.Name:               nodeunschedulable.New,
		nodename.Name:                        nodename.New,
		tainttoleration.Name:                 tainttoleration.New,
		nodeaffinity.Name:                    nodeaffinity.New,
		noderesources.Name:                   noderesources.NewFit,
		noderesources.BalancedAllocationName: noderesources.NewBalancedAllocation,
		defaultbinder.Name:                   defaultbinder.New,
	}
}
