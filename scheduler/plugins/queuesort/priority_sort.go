// Package queuesort implements PrioritySort, the default QueueSort plugin: the
// active queue pops higher-priority pods first and, among equal priorities,
// the pod that entered the queue earliest (SEMANTICS 1.6).
package queuesort

import (
	"fmt"

	"github.com/kubesim/kubesim/scheduler/framework"
)

// Name is the plugin's name in the registry and in configurations.
const Name = "PrioritySort"

// PrioritySort orders the active queue by priority, then queue timestamp.
type PrioritySort struct{}

var _ framework.QueueSortPlugin = &PrioritySort{}

// New returns the plugin. It takes no arguments: args must be nil.
func New(args any, _ framework.Handle) (framework.Plugin, error) {
	if args != nil {
		return nil, fmt.Errorf("%s: takes no args, got %T", Name, args)
	}
	return &PrioritySort{}, nil
}

// Name returns Name.
func (*PrioritySort) Name() string { return Name }

// Less reports whether a pops before b: higher pod priority first, then the
// earlier queue Timestamp, then (kubesim's deterministic tie-break, where
// upstream would compare wall-clock timestamps) the lower arrival Seq.
func (*PrioritySort) Less(a, b *framework.QueuedPodInfo) bool {
	if pa, pb := a.Pod.Priority, b.Pod.Priority; pa != pb {
		return pa > pb
	}
	if a.Timestamp != b.Timestamp {
		return a.Timestamp < b.Timestamp
	}
	return a.Seq < b.Seq
}
