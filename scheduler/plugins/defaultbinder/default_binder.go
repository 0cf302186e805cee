// Package defaultbinder implements DefaultBinder, the Bind plugin that
// writes the scheduling decision to the API store: it sets the pod's
// nodeName and its PodScheduled=True condition, as the API server's binding
// subresource does upstream.
package defaultbinder

import (
	"errors"
	"fmt"

	"github.com/kubesim/kubesim/scheduler/framework"
	"github.com/kubesim/kubesim/sim/api"
	"github.com/kubesim/kubesim/sim/store"
)

// Name is the plugin's name in the registry and in configurations.
const Name = "DefaultBinder"

// ReasonScheduled is the reason recorded with the binding write.
const ReasonScheduled = "Scheduled"

// DefaultBinder binds pods through the store.
type DefaultBinder struct {
	h framework.Handle
}

var _ framework.BindPlugin = &DefaultBinder{}

// New returns the plugin. It takes no arguments (args must be nil) and needs
// a handle with a store.
func New(args any, h framework.Handle) (framework.Plugin, error) {
	if args != nil {
		return nil, fmt.Errorf("%s: takes no args, got %T", Name, args)
	}
	if h == nil {
		return nil, errors.New(Name + ": needs a framework handle")
	}
	return &DefaultBinder{h: h}, nil
}

// Name returns Name.
func (*DefaultBinder) Name() string { return Name }

// Bind re-reads the pod from the store and, if it is still the same pod
// (same UID), not bound and not being deleted, updates a copy with nodeName
// set and PodScheduled=True (transition time now), as component
// h.Component() with reason "Scheduled". Any failure is an Error status
// (the pod goes to the error backoff queue); the wrapped error matches
// store.ErrNotFound, store.ErrConflict or store.ErrInvalid with errors.Is.
func (b *DefaultBinder) Bind(_ *framework.CycleState, p *api.Pod, nodeName string) *framework.Status {
	st := b.h.Store()
	cur, ok := st.Pods.Get(p.Namespace, p.Name)
	switch {
	case !ok:
		return framework.AsStatus(fmt.Errorf("binding pod %s to %s: %w", p.Key(), nodeName, store.ErrNotFound))
	case cur.UID != p.UID:
		return framework.AsStatus(fmt.Errorf("binding pod %s to %s: pod was replaced (uid %s, want %s): %w",
			p.Key(), nodeName, cur.UID, p.UID, store.ErrConflict))
	case cur.NodeName != "":
		return framework.AsStatus(fmt.Errorf("binding pod %s to %s: pod is already assigned to node %q: %w",
			p.Key(), nodeName, cur.NodeName, store.ErrConflict))
	case cur.IsDeleting():
		return framework.AsStatus(fmt.Errorf("binding pod %s to %s: pod is being deleted, cannot be assigned to a host: %w",
			p.Key(), nodeName, store.ErrInvalid))
	}
	np := cur.Clone()
	np.NodeName = nodeName
	// The API server (v1.34+) clears the nomination when it binds a pod.
	np.Status.NominatedNodeName = ""
	np.Status.Conditions = api.SetCondition(cur.Status.Conditions, api.Condition{
		Type:               api.PodScheduled,
		Status:             api.ConditionTrue,
		LastTransitionTime: b.h.Now(),
	})
	if _, err := st.Pods.Update(b.h.Component(), np, ReasonScheduled); err != nil {
		return framework.AsStatus(fmt.Errorf("binding pod %s to %s: %w", p.Key(), nodeName, err))
	}
	return nil
}
