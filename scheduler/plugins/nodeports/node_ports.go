// Package nodeports implements NodePorts: a Filter that rejects nodes where a
// host port the pod wants is already in use (SEMANTICS 3.4).
//
// The wanted ports are api.PodSpec.HostPorts, derived once per spec: every
// port with hostPort > 0 of the regular and sidecar init containers, an empty
// hostIP read as 0.0.0.0 and an empty protocol as TCP. A wanted (ip, protocol,
// port) conflicts with a used one of the same protocol and port when either
// side is 0.0.0.0 or the IPs are equal (framework.HostPortInfo.CheckConflict).
// Pods wanting no host port skip the Filter.
package nodeports

import (
	"fmt"

	"github.com/kubesim/kubesim/scheduler/framework"
	"github.com/kubesim/kubesim/sim/api"
)

// Name is the plugin's name in the registry and in configurations.
const Name = "NodePorts"

// ErrReason is the Filter reason when a wanted host port is in use.
const ErrReason = "node(s) didn't have free ports for the requested pod ports"

const preFilterStateKey framework.StateKey = "PreFilter" + Name

// NodePorts filters nodes by host-port conflicts.
type NodePorts struct{}

var (
	_ framework.PreFilterPlugin         = &NodePorts{}
	_ framework.PreFilterWithExtensions = &NodePorts{}
	_ framework.FilterPlugin            = &NodePorts{}
)

// New returns the plugin. It takes no arguments: args must be nil.
func New(args any, _ framework.Handle) (framework.Plugin, error) {
	if args != nil {
		return nil, fmt.Errorf("%s: takes no args, got %T", Name, args)
	}
	return &NodePorts{}, nil
}

// Name returns Name.
func (*NodePorts) Name() string { return Name }

// preFilterState holds the pod's wanted host ports (the spec's slice, shared).
type preFilterState struct {
	ports []api.HostPort
}

// Clone returns s: other pods being added or removed do not change what the
// pod wants.
func (s *preFilterState) Clone() framework.StateData { return s }

// PreFilter records the pod's wanted host ports, or returns Skip when it
// wants none.
func (*NodePorts) PreFilter(state *framework.CycleState, p *api.Pod, _ []*framework.NodeInfo) (*framework.PreFilterResult, *framework.Status) {
	if len(p.Spec.HostPorts) == 0 {
		return nil, framework.NewStatus(framework.Skip)
	}
	state.Write(preFilterStateKey, &preFilterState{ports: p.Spec.HostPorts})
	return nil, nil
}

// PreFilterExtensions returns nil, as upstream: the wanted ports do not depend
// on other pods (Filter reads the node's used ports, which preemption's dry
// runs update on their NodeInfo clones).
func (*NodePorts) PreFilterExtensions() framework.PreFilterExtensions { return nil }

// Filter rejects (Unschedulable: preempting the pods using the port can free
// it) a node where a wanted host port conflicts with a used one.
func (*NodePorts) Filter(state *framework.CycleState, _ *api.Pod, ni *framework.NodeInfo) *framework.Status {
	d, err := state.Read(preFilterStateKey)
	if err != nil {
		return framework.AsStatus(fmt.Errorf("%s: reading %q from cycle state: %w", Name, preFilterStateKey, err))
	}
	s, ok := d.(*preFilterState)
	if !ok {
		return framework.AsStatus(fmt.Errorf("%s: cycle state %q has type %T", Name, preFilterStateKey, d))
	}
	if !fitsPorts(s.ports, ni) {
		return framework.NewStatus(framework.Unschedulable, ErrReason)
	}
	return nil
}

// Fits reports whether none of p's host ports conflicts with a port in use on
// the node, without cycle state.
func Fits(p *api.Pod, ni *framework.NodeInfo) bool { return fitsPorts(p.Spec.HostPorts, ni) }

func fitsPorts(want []api.HostPort, ni *framework.NodeInfo) bool {
	for _, hp := range want {
		if ni.UsedPorts.CheckConflict(hp) {
			return false
		}
	}
	return true
}
