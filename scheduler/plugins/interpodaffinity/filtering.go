package interpodaffinity

import (
	"errors"
	"fmt"

	"github.com/kubesim/kubesim/scheduler/framework"
	"github.com/kubesim/kubesim/sim/api"
)

// Filter reasons, in upstream wording.
const (
	// ErrReasonAffinityRulesNotMatch: the node fails the pod's required affinity.
	ErrReasonAffinityRulesNotMatch = "node(s) didn't match pod affinity rules"
	// ErrReasonAntiAffinityRulesNotMatch: the node fails the pod's required anti-affinity.
	ErrReasonAntiAffinityRulesNotMatch = "node(s) didn't match pod anti-affinity rules"
	// ErrReasonExistingAntiAffinityRulesNotMatch: an existing pod's required
	// anti-affinity rejects the pod in the node's domain.
	ErrReasonExistingAntiAffinityRulesNotMatch = "node(s) didn't satisfy existing pods anti-affinity rules"
)

const preFilterStateKey framework.StateKey = "PreFilter" + Name

var errNoNode = errors.New(Name + ": node not found")

// topologyPair is one topology domain: a node label key and value.
type topologyPair struct {
	key, value string
}

// topologyCounts counts matching pods per topology domain. Entries that drop
// to zero are deleted, as upstream does; keys lists every topology key ever
// counted (first-seen order) so that a node's domains can be looked up
// without iterating its labels or the map.
type topologyCounts struct {
	m    map[topologyPair]int64
	keys []string
}

func newTopologyCounts() topologyCounts {
	return topologyCounts{m: map[topologyPair]int64{}}
}

// add adds delta to the domain of node for key, if the node has the key.
func (c *topologyCounts) add(node *api.Node, key string, delta int64) {
	v, ok := node.Labels[key]
	if !ok {
		return
	}
	if !containsString(c.keys, key) {
		c.keys = append(c.keys, key)
	}
	pair := topologyPair{key, v}
	n := c.m[pair] + delta
	if n == 0 {
		delete(c.m, pair)
		return
	}
	c.m[pair] = n
}

func (c *topologyCounts) clone() topologyCounts {
	m := make(map[topologyPair]int64, len(c.m))
	for k, v := range c.m {
		m[k] = v
	}
	return topologyCounts{m: m, keys: append([]string(nil), c.keys...)}
}

// addAffinityTerms adds delta for every term's domain when p matches all the
// terms (an existing pod must satisfy all required affinity terms at once).
func (c *topologyCounts) addAffinityTerms(terms []incomingTerm, p *api.Pod, node *api.Node, delta int64) {
	if !matchesAll(terms, p) {
		return
	}
	for i := range terms {
		c.add(node, terms[i].topologyKey, delta)
	}
}

// addAntiAffinityTerms adds delta for the domain of each term p matches.
func (c *topologyCounts) addAntiAffinityTerms(terms []incomingTerm, p *api.Pod, node *api.Node, delta int64) {
	for i := range terms {
		if terms[i].matches(p) {
			c.add(node, terms[i].topologyKey, delta)
		}
	}
}

// addExistingAntiAffinityTerms adds delta for the domain of each of an
// existing pod's required anti-affinity terms that the incoming pod p (whose
// namespace has labels nsLabels) matches.
func (c *topologyCounts) addExistingAntiAffinityTerms(terms []framework.AffinityTerm, p *api.Pod, nsLabels map[string]string, node *api.Node, delta int64) {
	for i := range terms {
		if terms[i].Matches(p, nsLabels) {
			c.add(node, terms[i].TopologyKey, delta)
		}
	}
}

// preFilterState is what PreFilter computes for Filter.
type preFilterState struct {
	// existingAntiAffinity counts, per domain, the existing pods' required
	// anti-affinity terms that the incoming pod matches.
	existingAntiAffinity topologyCounts
	// affinity counts, per domain of each required affinity term, the
	// existing pods matching all of the incoming pod's required affinity terms.
	affinity topologyCounts
	// antiAffinity counts, per domain, the existing pods matching each of the
	// incoming pod's required anti-affinity terms.
	antiAffinity topologyCounts
	// pod is the incoming pod; required and requiredAnti its resolved terms.
	pod          *api.Pod
	required     []incomingTerm
	requiredAnti []incomingTerm
	// selfMatch: the pod matches all its own required affinity terms.
	selfMatch bool
	// nsLabels are the labels of the incoming pod's namespace.
	nsLabels map[string]string
}

// Clone copies the counts; the terms are read-only and shared.
func (s *preFilterState) Clone() framework.StateData {
	c := *s
	c.existingAntiAffinity = s.existingAntiAffinity.clone()
	c.affinity = s.affinity.clone()
	c.antiAffinity = s.antiAffinity.clone()
	return &c
}

// updateWithPod adds (delta 1) or removes (delta -1) existing pod pi on node.
func (s *preFilterState) updateWithPod(pi *framework.PodInfo, node *api.Node, delta int64) {
	s.existingAntiAffinity.addExistingAntiAffinityTerms(pi.RequiredAntiAffinityTerms, s.pod, s.nsLabels, node, delta)
	s.affinity.addAffinityTerms(s.required, pi.Pod, node, delta)
	s.antiAffinity.addAntiAffinityTerms(s.requiredAnti, pi.Pod, node, delta)
}

// PreFilter counts, over every node, the domains of existing pods whose
// required anti-affinity the pod matches, and, when the pod has required
// (anti-)affinity, the domains of the existing pods matching its terms. It
// returns Skip when the pod has no required terms and no existing pod's
// required anti-affinity matches it. For a pod without required terms only
// nodes holding pods with required anti-affinity are visited (those the
// snapshot lists, when it implements framework.AffinityNodeLister).
func (pl *InterPodAffinity) PreFilter(state *framework.CycleState, p *api.Pod, nodes []*framework.NodeInfo) (*framework.PreFilterResult, *framework.Status) {
	pi := framework.NewPodInfo(p)
	s := &preFilterState{
		existingAntiAffinity: newTopologyCounts(),
		affinity:             newTopologyCounts(),
		antiAffinity:         newTopologyCounts(),
		pod:                  p,
		required:             pl.resolveTerms(pi.RequiredAffinityTerms),
		requiredAnti:         pl.resolveTerms(pi.RequiredAntiAffinityTerms),
		nsLabels:             pl.namespaceLabels(p.Namespace),
	}
	s.selfMatch = matchesAll(s.required, p)
	scanAll := len(s.required) > 0 || len(s.requiredAnti) > 0
	if !scanAll {
		if l, ok := pl.h.SnapshotSharedLister().(framework.AffinityNodeLister); ok {
			nodes = l.HavePodsWithRequiredAntiAffinityList()
		}
	}
	for _, ni := range nodes {
		if !scanAll && len(ni.PodsWithRequiredAntiAffinity) == 0 {
			continue
		}
		node := ni.Node()
		if node == nil {
			continue
		}
		for _, e := range ni.PodsWithRequiredAntiAffinity {
			s.existingAntiAffinity.addExistingAntiAffinityTerms(e.RequiredAntiAffinityTerms, p, s.nsLabels, node, 1)
		}
		if !scanAll {
			continue
		}
		for _, e := range ni.Pods {
			s.affinity.addAffinityTerms(s.required, e.Pod, node, 1)
			s.antiAffinity.addAntiAffinityTerms(s.requiredAnti, e.Pod, node, 1)
		}
	}
	if len(s.existingAntiAffinity.m) == 0 && !scanAll {
		return nil, framework.NewStatus(framework.Skip)
	}
	state.Write(preFilterStateKey, s)
	return nil, nil
}

// PreFilterExtensions returns the plugin: its counts follow added and removed pods.
func (pl *InterPodAffinity) PreFilterExtensions() framework.PreFilterExtensions { return pl }

// AddPod counts podToAdd, placed on node, in the cycle's state.
func (pl *InterPodAffinity) AddPod(state *framework.CycleState, _ *api.Pod, podToAdd *api.Pod, node *framework.NodeInfo) *framework.Status {
	return pl.update(state, podToAdd, node, 1)
}

// RemovePod uncounts podToRemove, on node, in the cycle's state.
func (pl *InterPodAffinity) RemovePod(state *framework.CycleState, _ *api.Pod, podToRemove *api.Pod, node *framework.NodeInfo) *framework.Status {
	return pl.update(state, podToRemove, node, -1)
}

func (pl *InterPodAffinity) update(state *framework.CycleState, p *api.Pod, ni *framework.NodeInfo, delta int64) *framework.Status {
	s, err := getPreFilterState(state)
	if err != nil {
		return framework.AsStatus(err)
	}
	node := ni.Node()
	if node == nil {
		return framework.AsStatus(errNoNode)
	}
	s.updateWithPod(framework.NewPodInfo(p), node, delta)
	return nil
}

func getPreFilterState(state *framework.CycleState) (*preFilterState, error) {
	d, err := state.Read(preFilterStateKey)
	if err != nil {
		return nil, fmt.Errorf("%s: reading %q from cycle state: %w", Name, preFilterStateKey, err)
	}
	s, ok := d.(*preFilterState)
	if !ok {
		return nil, fmt.Errorf("%s: cycle state %q holds %T", Name, preFilterStateKey, d)
	}
	return s, nil
}

// Filter checks, in this order: the pod's required affinity
// (UnschedulableAndUnresolvable), its required anti-affinity (Unschedulable),
// and the existing pods' required anti-affinity (Unschedulable).
func (pl *InterPodAffinity) Filter(state *framework.CycleState, _ *api.Pod, ni *framework.NodeInfo) *framework.Status {
	node := ni.Node()
	if node == nil {
		return framework.AsStatus(errNoNode)
	}
	s, err := getPreFilterState(state)
	if err != nil {
		return framework.AsStatus(err)
	}
	if !s.satisfiesAffinity(node) {
		return framework.NewStatus(framework.UnschedulableAndUnresolvable, ErrReasonAffinityRulesNotMatch)
	}
	if !s.satisfiesAntiAffinity(node) {
		return framework.NewStatus(framework.Unschedulable, ErrReasonAntiAffinityRulesNotMatch)
	}
	if !s.satisfiesExistingAntiAffinity(node) {
		return framework.NewStatus(framework.Unschedulable, ErrReasonExistingAntiAffinityRulesNotMatch)
	}
	return nil
}

// satisfiesAffinity: the node has every required term's topology key and a
// matching pod in each of those domains. When some domain has none, the node
// still passes if no pod anywhere matches the terms and the pod matches them
// itself: the first pod of a group that is affine to itself.
func (s *preFilterState) satisfiesAffinity(node *api.Node) bool {
	podsExist := true
	for i := range s.required {
		k := s.required[i].topologyKey
		v, ok := node.Labels[k]
		if !ok {
			return false
		}
		if s.affinity.m[topologyPair{k, v}] <= 0 {
			podsExist = false
		}
	}
	return podsExist || (len(s.affinity.m) == 0 && s.selfMatch)
}

// satisfiesAntiAffinity: no required anti-affinity term has a matching pod
// in the node's domain for its key.
func (s *preFilterState) satisfiesAntiAffinity(node *api.Node) bool {
	if len(s.antiAffinity.m) == 0 {
		return true
	}
	for i := range s.requiredAnti {
		k := s.requiredAnti[i].topologyKey
		if v, ok := node.Labels[k]; ok && s.antiAffinity.m[topologyPair{k, v}] > 0 {
			return false
		}
	}
	return true
}

// satisfiesExistingAntiAffinity: no existing pod's required anti-affinity
// term that matches the pod covers one of the node's domains.
func (s *preFilterState) satisfiesExistingAntiAffinity(node *api.Node) bool {
	if len(s.existingAntiAffinity.m) == 0 {
		return true
	}
	for _, k := range s.existingAntiAffinity.keys {
		if v, ok := node.Labels[k]; ok && s.existingAntiAffinity.m[topologyPair{k, v}] > 0 {
			return false
		}
	}
	return true
}
