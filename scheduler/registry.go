package scheduler

import (
	"github.com/kubesim/kubesim/scheduler/framework"
	"github.com/kubesim/kubesim/scheduler/plugins"
)

// defaultRegistry returns the in-tree plugin registry, used when
// Config.Registry is nil.
func defaultRegistry() framework.Registry { return plugins.NewInTreeRegistry() }
