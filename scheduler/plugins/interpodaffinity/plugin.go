// Package interpodaffinity implements InterPodAffinity: a Filter for the
// pod's required pod affinity and anti-affinity and for the required
// anti-affinity of pods already running (SEMANTICS 3.8), and a Score summing,
// per topology domain, the weights of the preferred terms (the pod's, and the
// existing pods' towards it) and hardPodAffinityWeight for existing pods'
// required affinity terms the pod matches, normalised min-max to [0, 100]
// (SEMANTICS 2.9).
//
// A term selects pods by label selector and namespace: the namespaces it
// lists plus those whose labels match its namespace selector (an empty
// selector selects all namespaces); with neither, the owning pod's own
// namespace. matchLabelKeys and mismatchLabelKeys are merged into the
// selector from the owning pod's labels, as the v1.35 API server does at pod
// creation. Namespace labels come from the store.
package interpodaffinity

import (
	"fmt"

	configv1 "k8s.io/kube-scheduler/config/v1"

	"github.com/kubesim/kubesim/scheduler/framework"
	"github.com/kubesim/kubesim/sim/api"
)

// Name is the plugin's name in the registry and in configurations.
const Name = "InterPodAffinity"

// Bounds and default of InterPodAffinityArgs.hardPodAffinityWeight.
const (
	MinHardPodAffinityWeight     int32 = 0
	MaxHardPodAffinityWeight     int32 = 100
	DefaultHardPodAffinityWeight int32 = 1
)

// InterPodAffinity filters and scores nodes by pod (anti-)affinity.
type InterPodAffinity struct {
	h                                  framework.Handle
	hardPodAffinityWeight              int32
	ignorePreferredTermsOfExistingPods bool
	// dom interns topology domains for the cycle states' counts.
	dom *domainIndex
	// last is the state of the latest PreFilter: the next one takes over
	// its count arrays (a cycle's state is dead once the next cycle starts).
	last *preFilterState
	// Filter's failure statuses, one value each for every node (statuses
	// are never changed once made).
	affinityFailed, antiFailed, existingFailed *framework.Status
}

var (
	_ framework.PreFilterPlugin         = &InterPodAffinity{}
	_ framework.PreFilterWithExtensions = &InterPodAffinity{}
	_ framework.PreFilterExtensions     = &InterPodAffinity{}
	_ framework.BatchFilterPlugin       = &InterPodAffinity{}
	_ framework.PreScorePlugin          = &InterPodAffinity{}
	_ framework.ScorePlugin             = &InterPodAffinity{}
	_ framework.ScoreExtensions         = &InterPodAffinity{}
)

// New returns the plugin. args is nil (the defaults: hardPodAffinityWeight 1,
// ignorePreferredTermsOfExistingPods false) or a *v1.InterPodAffinityArgs
// whose hardPodAffinityWeight, when set, must be in [0, 100]. The handle
// must be non-nil: the plugin reads the snapshot and the namespaces.
func New(args any, h framework.Handle) (framework.Plugin, error) {
	if h == nil {
		return nil, fmt.Errorf("%s: handle is nil", Name)
	}
	pl := &InterPodAffinity{h: h, hardPodAffinityWeight: DefaultHardPodAffinityWeight, dom: newDomainIndex(),
		affinityFailed: framework.NewStatus(framework.UnschedulableAndUnresolvable, ErrReasonAffinityRulesNotMatch),
		antiFailed:     framework.NewStatus(framework.Unschedulable, ErrReasonAntiAffinityRulesNotMatch),
		existingFailed: framework.NewStatus(framework.Unschedulable, ErrReasonExistingAntiAffinityRulesNotMatch)}
	switch a := args.(type) {
	case nil:
	case *configv1.InterPodAffinityArgs:
		if a == nil {
			break
		}
		if w := a.HardPodAffinityWeight; w != nil {
			if *w < MinHardPodAffinityWeight || *w > MaxHardPodAffinityWeight {
				return nil, fmt.Errorf("%s: hardPodAffinityWeight: Invalid value: %d: not in valid range [%d, %d]",
					Name, *w, MinHardPodAffinityWeight, MaxHardPodAffinityWeight)
			}
			pl.hardPodAffinityWeight = *w
		}
		pl.ignorePreferredTermsOfExistingPods = a.IgnorePreferredTermsOfExistingPods
	default:
		return nil, fmt.Errorf("%s: want args of type *v1.InterPodAffinityArgs, got %T", Name, args)
	}
	return pl, nil
}

// Name returns Name.
func (*InterPodAffinity) Name() string { return Name }

// smallNamespaceSet is the size up to which an incoming term's namespaces are
// searched linearly rather than hashed.
const smallNamespaceSet = 8

// incomingTerm is a term of the pod being scheduled with its namespace
// selector resolved against the store's namespaces once per cycle, so that
// matching an existing pod needs no namespace labels (upstream's
// mergeAffinityTermNamespacesIfNotEmpty).
type incomingTerm struct {
	selector    *api.Selector
	topologyKey string
	key         int32 // topologyKey's id in the plugin's domainIndex
	weight      int32
	// allNamespaces: the namespace selector was empty, selecting every namespace.
	allNamespaces bool
	// namespaces holds the selected namespaces when there are few; nsSet
	// holds them otherwise.
	namespaces []string
	nsSet      map[string]struct{}
}

// matches reports whether the existing pod p matches the term.
func (t *incomingTerm) matches(p *api.Pod) bool {
	if !t.allNamespaces {
		if t.nsSet != nil {
			if _, ok := t.nsSet[p.Namespace]; !ok {
				return false
			}
		} else if !containsString(t.namespaces, p.Namespace) {
			return false
		}
	}
	return t.selector.Matches(p.Labels)
}

func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// resolveTerm turns a compiled term of the incoming pod into an incomingTerm:
// an empty namespace selector selects every namespace; any other namespace
// selector is replaced by the names of the namespaces it selects now.
func (pl *InterPodAffinity) resolveTerm(t *framework.AffinityTerm, weight int32) incomingTerm {
	it := incomingTerm{selector: t.Selector, topologyKey: t.TopologyKey, key: pl.dom.key(t.TopologyKey), weight: weight, namespaces: t.Namespaces}
	switch {
	case t.NamespaceSelector.Empty():
		it.allNamespaces = true
	case t.NamespaceSelector != nil:
		names := append([]string(nil), t.Namespaces...)
		for _, ns := range pl.h.Store().Namespaces.List("", t.NamespaceSelector) {
			if !containsString(names, ns.Name) {
				names = append(names, ns.Name)
			}
		}
		it.namespaces = names
	}
	if len(it.namespaces) > smallNamespaceSet {
		it.nsSet = make(map[string]struct{}, len(it.namespaces))
		for _, ns := range it.namespaces {
			it.nsSet[ns] = struct{}{}
		}
		it.namespaces = nil
	}
	return it
}

func (pl *InterPodAffinity) resolveTerms(terms []framework.AffinityTerm) []incomingTerm {
	if len(terms) == 0 {
		return nil
	}
	out := make([]incomingTerm, len(terms))
	for i := range terms {
		out[i] = pl.resolveTerm(&terms[i], 0)
	}
	return out
}

func (pl *InterPodAffinity) resolveWeightedTerms(terms []framework.WeightedAffinityTerm) []incomingTerm {
	if len(terms) == 0 {
		return nil
	}
	out := make([]incomingTerm, len(terms))
	for i := range terms {
		out[i] = pl.resolveTerm(&terms[i].AffinityTerm, terms[i].Weight)
	}
	return out
}

// namespaceLabels returns the labels of namespace ns, or nil when the store
// does not know it (upstream then assumes an empty label set).
func (pl *InterPodAffinity) namespaceLabels(ns string) map[string]string {
	if n, ok := pl.h.Store().Namespaces.Get("", ns); ok {
		return n.Labels
	}
	return nil
}

// matchesAll reports whether p matches every term; false when there are none.
func matchesAll(terms []incomingTerm, p *api.Pod) bool {
	if len(terms) == 0 {
		return false
	}
	for i := range terms {
		if !terms[i].matches(p) {
			return false
		}
	}
	return true
}
