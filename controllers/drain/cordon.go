package drain

import (
	"fmt"

	"github.com/kubesim/kubesim/sim/api"
	"github.com/kubesim/kubesim/sim/store"
)

// Write reasons of Cordon and Uncordon.
const (
	ReasonCordon   = "Cordon"
	ReasonUncordon = "Uncordon"
)

// unschedulableTaint is the taint that goes with spec.unschedulable.
var unschedulableTaint = api.Taint{Key: api.TaintNodeUnschedulable, Effect: api.TaintNoSchedule}

// Cordon marks node unschedulable, as `kubectl cordon`: spec.unschedulable
// = true, plus the node.kubernetes.io/unschedulable:NoSchedule taint that
// upstream's node lifecycle controller adds in response (written here in the
// same update, so that cordoning does not depend on that controller). An
// already cordoned node is not written. A missing node is store.ErrNotFound.
func Cordon(st *store.Store, component, node string) error {
	return setUnschedulable(st, component, node, true)
}

// Uncordon makes node schedulable again, as `kubectl uncordon`:
// spec.unschedulable = false and the unschedulable taint removed. A node that
// is not cordoned is not written.
func Uncordon(st *store.Store, component, node string) error {
	return setUnschedulable(st, component, node, false)
}

func setUnschedulable(st *store.Store, component, name string, on bool) error {
	n, ok := st.Nodes.Get("", name)
	if !ok {
		return fmt.Errorf("nodes %q: %w", name, store.ErrNotFound)
	}
	tainted := hasUnschedulableTaint(n.Taints)
	if n.Unschedulable == on && tainted == on {
		return nil
	}
	upd := n.Clone()
	upd.Unschedulable = on
	reason := ReasonUncordon
	if on {
		reason = ReasonCordon
		if !tainted {
			t := unschedulableTaint
			now := st.Now()
			t.TimeAdded = &now // as the node lifecycle controller stamps the taints it adds
			upd.Taints = append(append([]api.Taint(nil), n.Taints...), t)
		}
	} else {
		upd.Taints = make([]api.Taint, 0, len(n.Taints))
		for _, t := range n.Taints {
			if !isUnschedulableTaint(t) {
				upd.Taints = append(upd.Taints, t)
			}
		}
	}
	_, err := st.Nodes.Update(component, upd, reason)
	return err
}

func isUnschedulableTaint(t api.Taint) bool {
	return t.Key == unschedulableTaint.Key && t.Effect == unschedulableTaint.Effect
}

func hasUnschedulableTaint(ts []api.Taint) bool {
	for _, t := range ts {
		if isUnschedulableTaint(t) {
			return true
		}
	}
	return false
}
