package scenarios

import (
	"fmt"
	"strings"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kubesim/kubesim/controllers/drain"
	"github.com/kubesim/kubesim/sim/api"
)

// Node action verbs, as the scenario file spells them.
const (
	VerbCordon      = "cordon"
	VerbUncordon    = "uncordon"
	VerbDrain       = "drain"
	VerbMaintenance = "maintenance"
)

// NodeActionTarget names the node of a cordon or uncordon.
type NodeActionTarget struct {
	Node string `json:"node"`
}

// DrainAction drains a node as `kubectl drain --ignore-daemonsets
// --delete-emptydir-data`: cordon, then evict its pods through the eviction
// API (respecting PodDisruptionBudgets, retrying refused evictions every
// 5 s) and wait until they are gone.
type DrainAction struct {
	Node string `json:"node"`
	// Timeout bounds the drain (kubectl --timeout); unset waits forever. A
	// drain that times out leaves the node cordoned.
	Timeout *metav1.Duration `json:"timeout,omitempty"`
	// GracePeriod overrides the pods' terminationGracePeriodSeconds
	// (kubectl --grace-period), whole seconds.
	GracePeriod *metav1.Duration `json:"gracePeriod,omitempty"`
	// Force also evicts pods no controller manages (kubectl --force).
	Force bool `json:"force,omitempty"`
}

// MaintenanceAction is a rolling maintenance: the nodes of a pool (or
// those whose labels match Nodes) are drained one at a time in name order;
// each stays cordoned for RebootDelay after its drain (the reboot or
// upgrade), is uncordoned, and the next one is drained. A failed drain
// stops the maintenance with that node cordoned.
type MaintenanceAction struct {
	// Pool names a node pool of spec.cluster.nodePools.
	Pool string `json:"pool,omitempty"`
	// Nodes is a label selector of nodes (instead of Pool).
	Nodes       map[string]string `json:"nodes,omitempty"`
	RebootDelay metav1.Duration   `json:"rebootDelay,omitempty"`
	// Timeout, GracePeriod and Force apply to each node's drain.
	Timeout     *metav1.Duration `json:"timeout,omitempty"`
	GracePeriod *metav1.Duration `json:"gracePeriod,omitempty"`
	Force       bool             `json:"force,omitempty"`
}

// nodeVerbs lists the node action verbs of an action that are set.
func nodeVerbs(a *Action) []string {
	var out []string
	for _, v := range []struct {
		name string
		set  bool
	}{{VerbCordon, a.Cordon != nil}, {VerbUncordon, a.Uncordon != nil}, {VerbDrain, a.Drain != nil}, {VerbMaintenance, a.Maintenance != nil}} {
		if v.set {
			out = append(out, v.name)
		}
	}
	return out
}

// validateNodeAction checks a node action's fields and fills la (Kind
// Node, the node's name; a maintenance's nodes are resolved in
// loadNodeActions).
func (l *Loaded) validateNodeAction(el *errorList, a *Action, la *LoadedAction) {
	p := la.Path + "." + la.Verb
	node := func(name string) {
		if name == "" {
			el.add(p+".node", "is required")
		}
		la.Kind, la.Namespace, la.Name = api.KindNode, "", name
	}
	drainOpts := func(timeout, grace *metav1.Duration, force bool) {
		if timeout != nil {
			if timeout.Duration <= 0 {
				el.add(p+".timeout", "must be a positive duration, got %s", timeout.Duration)
			}
			la.Drain.Timeout = timeout.Duration
		}
		if grace != nil {
			if grace.Duration < 0 || grace.Duration%time.Second != 0 {
				el.add(p+".gracePeriod", "must be whole seconds >= 0, got %s", grace.Duration)
			}
			secs := int64(grace.Duration / time.Second)
			la.Drain.GracePeriodSeconds = &secs
		}
		la.Drain.Force = force
	}
	switch la.Verb {
	case VerbCordon:
		node(a.Cordon.Node)
	case VerbUncordon:
		node(a.Uncordon.Node)
	case VerbDrain:
		node(a.Drain.Node)
		drainOpts(a.Drain.Timeout, a.Drain.GracePeriod, a.Drain.Force)
	case VerbMaintenance:
		m := a.Maintenance
		la.Kind = api.KindNode
		if (m.Pool == "") == (len(m.Nodes) == 0) {
			el.add(p, "must name exactly one of pool or nodes (a label selector)")
		}
		if m.RebootDelay.Duration < 0 {
			el.add(p+".rebootDelay", "must not be negative, got %s", m.RebootDelay.Duration)
		}
		la.RebootDelay = m.RebootDelay.Duration
		drainOpts(m.Timeout, m.GracePeriod, m.Force)
	}
}

// loadNodeActions resolves maintenance actions' nodes (in name order).
func (l *Loaded) loadNodeActions(el *errorList) {
	for i := range l.Actions {
		la := &l.Actions[i]
		if la.Verb != VerbMaintenance {
			continue
		}
		m := l.Scenario.Spec.Actions[la.index].Maintenance
		set := &NodeSet{Nodes: m.Nodes}
		if m.Pool != "" {
			set = &NodeSet{Nodes: map[string]string{NodePoolLabel: m.Pool}}
		}
		nodes, _, ok := l.resolveNodes(el, la.Path+".maintenance", set)
		if !ok {
			continue
		}
		la.Nodes = nodes
		la.Name = strings.Join(nodes, ",")
	}
}

// runNodeAction does a cordon, uncordon, drain or maintenance. Drains run
// on in the background; their outcome is recorded on the node ("Drained",
// "DrainFailed"), not a run error.
func (s *Simulation) runNodeAction(a *LoadedAction) error {
	switch a.Verb {
	case VerbCordon:
		return drain.Cordon(s.st, ApplyComponent, a.Name)
	case VerbUncordon:
		return drain.Uncordon(s.st, ApplyComponent, a.Name)
	case VerbDrain:
		drain.Start(s.st, ApplyComponent, a.Name, a.Drain)
	case VerbMaintenance:
		drain.StartMaintenance(s.st, ApplyComponent, a.Nodes, drain.MaintenanceOptions{Drain: a.Drain, RebootDelay: a.RebootDelay})
	default:
		return fmt.Errorf("not a node action: %s", a.Verb)
	}
	return nil
}
