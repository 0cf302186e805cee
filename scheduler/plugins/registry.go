// Package plugins holds kubesim's in-tree scheduler plugins, one folder per
// plugin under upstream's names, and NewInTreeRegistry, the literal map from
// plugin name to factory that profiles are built from.
package plugins

import (
	"github.com/kubesim/kubesim/scheduler/framework"
	"github.com/kubesim/kubesim/scheduler/plugins/bestfit"
	"github.com/kubesim/kubesim/scheduler/plugins/defaultbinder"
	"github.com/kubesim/kubesim/scheduler/plugins/defaultpreemption"
	"github.com/kubesim/kubesim/scheduler/plugins/dotproduct"
	"github.com/kubesim/kubesim/scheduler/plugins/fgd"
	"github.com/kubesim/kubesim/scheduler/plugins/firstfit"
	"github.com/kubesim/kubesim/scheduler/plugins/gpubestfit"
	"github.com/kubesim/kubesim/scheduler/plugins/gpuclustering"
	"github.com/kubesim/kubesim/scheduler/plugins/gpudotprod"
	"github.com/kubesim/kubesim/scheduler/plugins/gpupacking"
	"github.com/kubesim/kubesim/scheduler/plugins/gpurandom"
	"github.com/kubesim/kubesim/scheduler/plugins/gpushare"
	"github.com/kubesim/kubesim/scheduler/plugins/imagelocality"
	"github.com/kubesim/kubesim/scheduler/plugins/interpodaffinity"
	"github.com/kubesim/kubesim/scheduler/plugins/nodeaffinity"
	"github.com/kubesim/kubesim/scheduler/plugins/nodename"
	"github.com/kubesim/kubesim/scheduler/plugins/nodeports"
	"github.com/kubesim/kubesim/scheduler/plugins/noderesources"
	"github.com/kubesim/kubesim/scheduler/plugins/nodeunschedulable"
	"github.com/kubesim/kubesim/scheduler/plugins/podtopologyspread"
	"github.com/kubesim/kubesim/scheduler/plugins/queuesort"
	"github.com/kubesim/kubesim/scheduler/plugins/random"
	"github.com/kubesim/kubesim/scheduler/plugins/schedulinggates"
	"github.com/kubesim/kubesim/scheduler/plugins/tainttoleration"
	"github.com/kubesim/kubesim/scheduler/plugins/worstfit"
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
		nodeports.Name:                       nodeports.New,
		noderesources.Name:                   noderesources.NewFit,
		noderesources.BalancedAllocationName: noderesources.NewBalancedAllocation,
		imagelocality.Name:                   imagelocality.New,
		podtopologyspread.Name:               podtopologyspread.New,
		interpodaffinity.Name:                interpodaffinity.New,
		defaultpreemption.Name:               defaultpreemption.New,
		defaultbinder.Name:                   defaultbinder.New,
		// Research policies: in no default profile, enabled by configuration.
		random.Name:     random.New,
		bestfit.Name:    bestfit.New,
		worstfit.Name:   worstfit.New,
		firstfit.Name:   firstfit.New,
		dotproduct.Name: dotproduct.New,
		// GPU sharing and the FGD paper's policies (ATC '23): GpuShare
		// filters and assigns devices; each policy scores and picks devices.
		gpushare.Name:      gpushare.New,
		fgd.Name:           fgd.New,
		gpupacking.Name:    gpupacking.New,
		gpuclustering.Name: gpuclustering.New,
		gpudotprod.Name:    gpudotprod.New,
		gpubestfit.Name:    gpubestfit.New,
		gpurandom.Name:     gpurandom.New,
	}
}
