package api

import "github.com/kubesim/kubesim/sim"

// TaintEffect is NoSchedule, PreferNoSchedule or NoExecute.
type TaintEffect string

// Taint effects.
const (
	TaintNoSchedule       TaintEffect = "NoSchedule"
	TaintPreferNoSchedule TaintEffect = "PreferNoSchedule"
	TaintNoExecute        TaintEffect = "NoExecute"
)

// Well-known taint keys set by the control plane.
const (
	TaintNodeNotReady      = "node.kubernetes.io/not-ready"
	TaintNodeUnreachable   = "node.kubernetes.io/unreachable"
	TaintNodeUnschedulable = "node.kubernetes.io/unschedulable"
)

// Taint is a node taint.
type Taint struct {
	Key    string
	Value  string
	Effect TaintEffect
	// TimeAdded is set for NoExecute taints, as upstream.
	TimeAdded *sim.Time
}

// TolerationOperator is Equal (the default) or Exists.
type TolerationOperator string

// Toleration operators.
const (
	TolerationOpEqual  TolerationOperator = "Equal"
	TolerationOpExists TolerationOperator = "Exists"
)

// Toleration is a pod toleration.
type Toleration struct {
	Key      string
	Operator TolerationOperator
	Value    string
	Effect   TaintEffect
	// TolerationSeconds bounds how long a NoExecute taint is tolerated; nil means
	// forever.
	TolerationSeconds *int64
}

// ToleratesTaint reports whether the toleration matches the taint, with upstream
// semantics: an empty effect matches every effect; an empty key with Exists
// matches every taint; Equal (or empty) compares values; Exists ignores them.
// Lt and Gt (alpha, off by default in v1.35) never match.
func (t *Toleration) ToleratesTaint(taint *Taint) bool {
	if t.Effect != "" && t.Effect != taint.Effect {
		return false
	}
	if t.Key != "" && t.Key != taint.Key {
		return false
	}
	switch t.Operator {
	case TolerationOpEqual, "":
		return t.Value == taint.Value
	case TolerationOpExists:
		return true
	}
	return false
}

// Tolerates reports whether any toleration in ts matches the taint.
func Tolerates(ts []Toleration, taint *Taint) bool {
	for i := range ts {
		if ts[i].ToleratesTaint(taint) {
			return true
		}
	}
	return false
}
