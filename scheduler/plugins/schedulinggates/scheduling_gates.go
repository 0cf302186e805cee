// Package schedulinggates implements SchedulingGates, the PreEnqueue plugin
// that keeps a pod out of the active queue while its spec.schedulingGates is
// non-empty (SEMANTICS 1.1).
package schedulinggates

import (
	"fmt"

	"github.com/kubesim/kubesim/scheduler/framework"
	"github.com/kubesim/kubesim/sim/api"
)

// Name is the plugin's name in the registry and in configurations.
const Name = "SchedulingGates"

// SchedulingGates rejects gated pods at PreEnqueue.
type SchedulingGates struct{}

var _ framework.PreEnqueuePlugin = &SchedulingGates{}

// New returns the plugin. It takes no arguments: args must be nil.
func New(args any, _ framework.Handle) (framework.Plugin, error) {
	if args != nil {
		return nil, fmt.Errorf("%s: takes no args, got %T", Name, args)
	}
	return &SchedulingGates{}, nil
}

// Name returns Name.
func (*SchedulingGates) Name() string { return Name }

// PreEnqueue returns UnschedulableAndUnresolvable with the reason
// "waiting for scheduling gates: [g1 g2]" while the pod has gates, else nil.
func (*SchedulingGates) PreEnqueue(p *api.Pod) *framework.Status {
	if len(p.Spec.SchedulingGates) == 0 {
		return nil
	}
	return framework.NewStatus(framework.UnschedulableAndUnresolvable,
		fmt.Sprintf("waiting for scheduling gates: %v", p.Spec.SchedulingGates))
}
