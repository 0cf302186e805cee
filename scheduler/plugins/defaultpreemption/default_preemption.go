package defaultpreemption

import (
	"errors"
	"fmt"
	"math/rand/v2"

	"k8s.io/apimachinery/pkg/util/validation/field"
	configv1 "k8s.io/kube-scheduler/config/v1"

	"github.com/kubesim/kubesim/scheduler/framework"
	"github.com/kubesim/kubesim/sim/api"
)

// Name is the plugin's name in the registry and in configurations; it also
// names the random stream that draws the candidate offset.
const Name = "DefaultPreemption"

// Defaults of DefaultPreemptionArgs (SEMANTICS 5).
const (
	DefaultMinCandidateNodesPercentage int32 = 10
	DefaultMinCandidateNodesAbsolute   int32 = 100
)

// Messages, reasons and condition values, in upstream's wording.
const (
	// ErrReasonNoVictims is a potential node's status when it has no pod of
	// lower priority than the preemptor.
	ErrReasonNoVictims = "No preemption victims found for incoming pod"
	// ErrReasonNotHelpful is the status of every node that was not a
	// potential node, or was not examined.
	ErrReasonNotHelpful = "Preemption is not helpful for scheduling"
	// MsgPreemptNever and MsgTerminatingOnNominated say why a pod may not
	// preempt.
	MsgPreemptNever           = "not eligible due to preemptionPolicy=Never."
	MsgTerminatingOnNominated = "not eligible due to a terminating pod on the nominated node."
	// ReasonPreemptionByScheduler is the DisruptionTarget condition's reason
	// on a victim.
	ReasonPreemptionByScheduler = "PreemptionByScheduler"
	// ReasonPreempted is the reason of a victim's deletion and of the event
	// recorded on it.
	ReasonPreempted = "Preempted"
	// ReasonNominationCleared is the reason of the status write that clears a
	// lower-priority pod's nominated node.
	ReasonNominationCleared = "NominationCleared"
)

// DefaultPreemption is the PostFilter plugin that preempts lower-priority
// pods (see the package documentation).
type DefaultPreemption struct {
	h          framework.Handle
	percentage int32
	absolute   int32
	rng        *rand.Rand
}

var (
	_ framework.PostFilterPlugin = &DefaultPreemption{}
	_ framework.PreEnqueuePlugin = &DefaultPreemption{}
)

// New returns the plugin. args is nil (defaults) or a
// *configv1.DefaultPreemptionArgs whose unset fields take the defaults; it
// is validated as upstream: minCandidateNodesPercentage in [0, 100],
// minCandidateNodesAbsolute ≥ 0, and not both 0.
func New(args any, h framework.Handle) (framework.Plugin, error) {
	pct, abs := DefaultMinCandidateNodesPercentage, DefaultMinCandidateNodesAbsolute
	switch a := args.(type) {
	case nil:
	case *configv1.DefaultPreemptionArgs:
		if a != nil && a.MinCandidateNodesPercentage != nil {
			pct = *a.MinCandidateNodesPercentage
		}
		if a != nil && a.MinCandidateNodesAbsolute != nil {
			abs = *a.MinCandidateNodesAbsolute
		}
	default:
		return nil, fmt.Errorf("%s: got args of type %T, want *DefaultPreemptionArgs", Name, args)
	}
	if err := validateArgs(pct, abs); err != nil {
		return nil, err
	}
	pl := &DefaultPreemption{h: h, percentage: pct, absolute: abs}
	if h != nil {
		pl.rng = h.Rand(Name)
	}
	return pl, nil
}

// validateArgs reports every invalid field at once, in upstream's wording.
func validateArgs(pct, abs int32) error {
	var errs field.ErrorList
	pp, ap := field.NewPath("minCandidateNodesPercentage"), field.NewPath("minCandidateNodesAbsolute")
	if pct < 0 || pct > 100 {
		errs = append(errs, field.Invalid(pp, pct, "not in valid range [0, 100]"))
	}
	if abs < 0 {
		errs = append(errs, field.Invalid(ap, abs, "not in valid range [0, inf)"))
	}
	if pct == 0 && abs == 0 {
		errs = append(errs,
			field.Invalid(pp, pct, "cannot be zero at the same time as minCandidateNodesAbsolute"),
			field.Invalid(ap, abs, "cannot be zero at the same time as minCandidateNodesPercentage"))
	}
	return errs.ToAggregate()
}

// Name returns Name.
func (*DefaultPreemption) Name() string { return Name }

// PreEnqueue admits every pod: preemption's store writes are finished within
// the cycle that issued them (see the package documentation).
func (*DefaultPreemption) PreEnqueue(*api.Pod) *framework.Status { return nil }

// PostFilter tries to make room for p by preemption. It returns the chosen
// node with Success; Unschedulable with a nil result when p may not preempt
// (its nomination is kept); Unschedulable with an empty result when no node
// can help (its nomination is cleared); or an Error. Messages are prefixed
// with "preemption: ", as upstream.
func (pl *DefaultPreemption) PostFilter(state *framework.CycleState, p *api.Pod, m framework.NodeToStatus) (*framework.PostFilterResult, *framework.Status) {
	r, st := pl.preempt(state, p, m)
	if msg := st.Message(); msg != "" {
		return r, framework.NewStatus(st.Code(), "preemption: "+msg)
	}
	return r, st
}

// calculateNumCandidates returns max(n·percentage/100, absolute), at most n
// (int32 arithmetic, as upstream).
func (pl *DefaultPreemption) calculateNumCandidates(n int32) int32 {
	k := n * pl.percentage / 100
	if k < pl.absolute {
		k = pl.absolute
	}
	if k > n {
		k = n
	}
	return k
}

// preemptionHandle returns the handle's preemption support, or an error.
func (pl *DefaultPreemption) preemptionHandle() (framework.PreemptionHandle, error) {
	ph, ok := pl.h.(framework.PreemptionHandle)
	if !ok {
		return nil, errors.New("the scheduler's handle does not support preemption")
	}
	return ph, nil
}
