// Package podtopologyspread implements PodTopologySpread: a Filter that keeps
// the pod's whenUnsatisfiable: DoNotSchedule constraints (SEMANTICS 3.7) and
// a Score that prefers the topology domains holding fewer matching pods for
// its ScheduleAnyway constraints (SEMANTICS 2.8). Pods that declare no
// constraints get the profile's default constraints, whose selector is
// deduced from the Services, ReplicaSet or StatefulSet that select the pod
// (SEMANTICS 2.8.1).
//
// Counting: a pod counts towards a constraint when it is in the incoming
// pod's namespace, is not terminating (deletionTimestamp unset) and matches
// the constraint's selector (labelSelector ANDed with "key In (value)" for
// each matchLabelKeys key present in the incoming pod's labels). Terminal
// pods never reach the scheduler cache, so they never count.
//
// PreFilter and PreScore turn every node's topology labels into small
// integer domain ids once (interned per topology key, remembered per node
// object across cycles), so Filter and Score index dense count arrays
// instead of looking label values up in maps; and per-node matching-pod
// counts are cached per (namespace, selector), valid while the NodeInfo's
// Generation is unchanged, so consecutive pods of one workload do not recount
// every pod in the cluster. Score is a float64 sum rounded with math.Round;
// everything else is integer, as upstream.
package podtopologyspread

import (
	"errors"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/validation"
	configv1 "k8s.io/kube-scheduler/config/v1"

	"github.com/kubesim/kubesim/scheduler/framework"
	"github.com/kubesim/kubesim/sim/api"
)

// Name is the plugin's name in the registry and in configurations.
const Name = "PodTopologySpread"

// Filter reasons, in upstream wording.
const (
	// ErrReasonConstraintsNotMatch: placing the pod on the node would exceed
	// a constraint's maxSkew.
	ErrReasonConstraintsNotMatch = "node(s) didn't match pod topology spread constraints"
	// ErrReasonNodeLabelNotMatch: the node lacks a constraint's topology key.
	ErrReasonNodeLabelNotMatch = ErrReasonConstraintsNotMatch + " (missing required label)"
)

// Inclusion policy and whenUnsatisfiable spellings, as upstream.
const (
	policyHonor    = string(corev1.NodeInclusionPolicyHonor)
	policyIgnore   = string(corev1.NodeInclusionPolicyIgnore)
	doNotSchedule  = string(corev1.DoNotSchedule)
	scheduleAnyway = string(corev1.ScheduleAnyway)
)

// systemDefaultConstraints are upstream's defaults for defaultingType
// System: spread over hostnames with maxSkew 3 and over zones with maxSkew
// 5, both ScheduleAnyway (so they only score). Selectors are deduced per pod.
func systemDefaultConstraints() []api.TopologySpreadConstraint {
	return []api.TopologySpreadConstraint{
		{MaxSkew: 3, TopologyKey: api.LabelHostname, WhenUnsatisfiable: scheduleAnyway,
			MinDomains: 1, NodeAffinityPolicy: policyHonor, NodeTaintsPolicy: policyIgnore},
		{MaxSkew: 5, TopologyKey: api.LabelZone, WhenUnsatisfiable: scheduleAnyway,
			MinDomains: 1, NodeAffinityPolicy: policyHonor, NodeTaintsPolicy: policyIgnore},
	}
}

// PodTopologySpread filters and scores nodes by how matching pods are
// spread over topology domains.
type PodTopologySpread struct {
	h framework.Handle
	// defaults are the default constraints (Selector unset: deduced per pod).
	defaults []api.TopologySpreadConstraint
	// systemDefaulted is true for defaultingType System; it relaxes the
	// scoring rule that nodes must carry every topology key.
	systemDefaulted bool
	// topo interns topology keys and values and remembers each node's ids.
	topo topology
	// counts caches per-node matching-pod counts across cycles.
	counts countCache
	// filteredRows is PreScore's scratch space.
	filteredRows []*nodeRow
	// hostCounts holds, by NodeInfo.ID, the scored nodes' matching-pod
	// counts for the hostname constraints of the PreScore numbered
	// hostStamp (counted from the pod groups).
	hostCounts [][]hostCount
	hostStamp  uint64
	// domains remembers PreFilter's registered domains for one set of
	// topology keys while the node list is unchanged.
	domains domainCache
	// noLabel and skewed are Filter's failure statuses, one value each for
	// every node (statuses are never changed once made).
	noLabel, skewed *framework.Status
}

var (
	_ framework.PreFilterPlugin         = &PodTopologySpread{}
	_ framework.PreFilterWithExtensions = &PodTopologySpread{}
	_ framework.PreFilterExtensions     = &PodTopologySpread{}
	_ framework.BatchFilterPlugin       = &PodTopologySpread{}
	_ framework.PreScorePlugin          = &PodTopologySpread{}
	_ framework.ScorePlugin             = &PodTopologySpread{}
	_ framework.ScoreExtensions         = &PodTopologySpread{}
)

// New returns the plugin. args is nil (defaultingType System) or a
// *v1.PodTopologySpreadArgs, validated as upstream does: defaultingType is
// System or List (empty means System); System forbids defaultConstraints;
// each default constraint has maxSkew > 0, a valid non-empty topologyKey,
// whenUnsatisfiable DoNotSchedule or ScheduleAnyway, no labelSelector, and
// no two constraints share (topologyKey, whenUnsatisfiable). The handle gives
// the snapshot (all nodes, for scoring) and the store (Services, ReplicaSets,
// StatefulSets, for default selectors); a nil handle disables both.
func New(args any, h framework.Handle) (framework.Plugin, error) {
	var a *configv1.PodTopologySpreadArgs
	switch v := args.(type) {
	case nil:
	case *configv1.PodTopologySpreadArgs:
		a = v
	default:
		return nil, fmt.Errorf("%s: want args of type *v1.PodTopologySpreadArgs, got %T", Name, args)
	}
	defaults, system, err := compileArgs(a)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", Name, err)
	}
	return &PodTopologySpread{h: h, defaults: defaults, systemDefaulted: system, topo: newTopology(), counts: newCountCache(),
		noLabel: framework.NewStatus(framework.UnschedulableAndUnresolvable, ErrReasonNodeLabelNotMatch),
		skewed:  framework.NewStatus(framework.Unschedulable, ErrReasonConstraintsNotMatch)}, nil
}

// Name returns Name.
func (*PodTopologySpread) Name() string { return Name }

// compileArgs validates args (nil means the defaults) and returns the
// default constraints and whether they are the system defaults. Every
// problem is reported, with its field path.
func compileArgs(a *configv1.PodTopologySpreadArgs) ([]api.TopologySpreadConstraint, bool, error) {
	if a == nil {
		return systemDefaultConstraints(), true, nil
	}
	var errs []error
	typ := a.DefaultingType
	if typ == "" {
		typ = configv1.SystemDefaulting
	}
	switch typ {
	case configv1.SystemDefaulting:
		if len(a.DefaultConstraints) > 0 {
			errs = append(errs, fmt.Errorf("defaultingType: invalid value %q: when .defaultConstraints are not empty", typ))
		}
	case configv1.ListDefaulting:
	default:
		errs = append(errs, fmt.Errorf("defaultingType: unsupported value %q: supported values: %q, %q", typ, configv1.SystemDefaulting, configv1.ListDefaulting))
	}
	type pair struct{ key, when string }
	seen := map[pair]bool{}
	var out []api.TopologySpreadConstraint
	for i := range a.DefaultConstraints {
		c := &a.DefaultConstraints[i]
		p := fmt.Sprintf("defaultConstraints[%d]", i)
		if c.MaxSkew <= 0 {
			errs = append(errs, fmt.Errorf("%s.maxSkew: invalid value %d: not in valid range (0, inf)", p, c.MaxSkew))
		}
		if c.TopologyKey == "" {
			errs = append(errs, fmt.Errorf("%s.topologyKey: required value: can not be empty", p))
		} else {
			for _, msg := range validation.IsQualifiedName(c.TopologyKey) {
				errs = append(errs, fmt.Errorf("%s.topologyKey: invalid value %q: %s", p, c.TopologyKey, msg))
			}
		}
		when := string(c.WhenUnsatisfiable)
		if when != doNotSchedule && when != scheduleAnyway {
			errs = append(errs, fmt.Errorf("%s.whenUnsatisfiable: unsupported value %q: supported values: %q, %q", p, when, doNotSchedule, scheduleAnyway))
		}
		if c.LabelSelector != nil {
			errs = append(errs, fmt.Errorf("%s.labelSelector: forbidden: constraint must not define a selector, as they deduced for each pod", p))
		}
		if pr := (pair{c.TopologyKey, when}); seen[pr] {
			errs = append(errs, fmt.Errorf("%s: duplicate value {%q, %q}", p, c.TopologyKey, when))
		} else {
			seen[pr] = true
		}
		minDomains := int32(1)
		if c.MinDomains != nil {
			minDomains = *c.MinDomains
			if minDomains <= 0 {
				errs = append(errs, fmt.Errorf("%s.minDomains: invalid value %d: must be greater than zero", p, minDomains))
			}
		}
		affinity, err := policy(c.NodeAffinityPolicy, policyHonor, p+".nodeAffinityPolicy")
		errs = append(errs, err)
		taints, err := policy(c.NodeTaintsPolicy, policyIgnore, p+".nodeTaintsPolicy")
		errs = append(errs, err)
		out = append(out, api.TopologySpreadConstraint{
			MaxSkew:            c.MaxSkew,
			TopologyKey:        c.TopologyKey,
			WhenUnsatisfiable:  when,
			MinDomains:         minDomains,
			NodeAffinityPolicy: affinity,
			NodeTaintsPolicy:   taints,
		})
	}
	if err := errors.Join(errs...); err != nil {
		return nil, false, err
	}
	if typ == configv1.SystemDefaulting {
		return systemDefaultConstraints(), true, nil
	}
	return out, false, nil
}

// policy returns a node inclusion policy, def when unset.
func policy(p *corev1.NodeInclusionPolicy, def, field string) (string, error) {
	if p == nil {
		return def, nil
	}
	switch v := string(*p); v {
	case policyHonor, policyIgnore:
		return v, nil
	default:
		return def, fmt.Errorf("%s: unsupported value %q: supported values: %q, %q", field, v, policyHonor, policyIgnore)
	}
}
