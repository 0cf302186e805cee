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

// topologyCounts counts matching pods per topology domain (a key and a
// value, as interned ids of the plugin's domainIndex). nonzero counts the
// domains whose count is not 0, upstream's map size (it deletes entries that
// drop to zero); keys lists every key id ever counted (first-seen order) so
// that a node's domains can be looked up without iterating its labels.
type topologyCounts struct {
	dom     *domainIndex
	counts  [][]int64 // per key id, per value id
	nonzero int
	keys    []int32
	// dirty lists the domains whose count was made non-zero, so that
	// reuse can clear just them; spare holds zeroed arrays (per key id)
	// taken over from an earlier cycle's counts.
	dirty []domain
	spare [][]int64
}

// domain is a (key id, value id) pair.
type domain struct{ k, v int32 }

func newTopologyCounts(dom *domainIndex) topologyCounts {
	return topologyCounts{dom: dom}
}

// reuse returns empty counts that take over c's arrays, cleared: c must
// not be used any more.
func (c *topologyCounts) reuse() topologyCounts {
	for _, d := range c.dirty {
		c.counts[d.k][d.v] = 0
	}
	spare := c.spare
	for k, cs := range c.counts {
		if cs == nil {
			continue
		}
		for len(spare) <= k {
			spare = append(spare, nil)
		}
		spare[k] = cs
	}
	clear(c.counts)
	return topologyCounts{dom: c.dom, counts: c.counts[:0], keys: c.keys[:0], dirty: c.dirty[:0], spare: spare}
}

// add adds delta to the domain of the node for key id k, if the node has the key.
func (c *topologyCounts) add(ni *framework.NodeInfo, node *api.Node, k int32, delta int64) {
	v := c.dom.value(ni, node, k)
	if v == noValue {
		return
	}
	for int(k) >= len(c.counts) {
		c.counts = append(c.counts, nil)
	}
	cs := c.counts[k]
	if cs == nil {
		c.keys = append(c.keys, k)
		if int(k) < len(c.spare) && c.spare[k] != nil {
			cs, c.spare[k] = c.spare[k], nil
			c.counts[k] = cs
		}
	}
	if int(v) >= len(cs) {
		n := max(len(c.dom.values[k]), int(v)+1)
		cs = append(cs, make([]int64, n-len(cs))...)
		c.counts[k] = cs
	}
	old := cs[v]
	cur := old + delta
	cs[v] = cur
	switch {
	case old == 0 && cur != 0:
		c.nonzero++
		c.dirty = append(c.dirty, domain{k, v})
	case old != 0 && cur == 0:
		c.nonzero--
	}
}

// get returns the count of value id v of key id k.
func (c *topologyCounts) get(k, v int32) int64 {
	if v < 0 || int(k) >= len(c.counts) || int(v) >= len(c.counts[k]) {
		return 0
	}
	return c.counts[k][v]
}

func (c *topologyCounts) clone() topologyCounts {
	n := topologyCounts{dom: c.dom, counts: make([][]int64, len(c.counts)), nonzero: c.nonzero,
		keys: append([]int32(nil), c.keys...)}
	for i, cs := range c.counts {
		if cs != nil {
			n.counts[i] = append([]int64{}, cs...)
		}
	}
	return n
}

// addAffinityTerms adds delta for every term's domain when p matches all the
// terms (an existing pod must satisfy all required affinity terms at once).
func (c *topologyCounts) addAffinityTerms(terms []incomingTerm, p *api.Pod, ni *framework.NodeInfo, node *api.Node, delta int64) {
	if !matchesAll(terms, p) {
		return
	}
	for i := range terms {
		c.add(ni, node, terms[i].key, delta)
	}
}

// addAntiAffinityTerms adds delta for the domain of each term p matches.
func (c *topologyCounts) addAntiAffinityTerms(terms []incomingTerm, p *api.Pod, ni *framework.NodeInfo, node *api.Node, delta int64) {
	for i := range terms {
		if terms[i].matches(p) {
			c.add(ni, node, terms[i].key, delta)
		}
	}
}

// addExistingAntiAffinityTerms adds delta for the domain of each of an
// existing pod's required anti-affinity terms that the incoming pod p (whose
// namespace has labels nsLabels) matches.
func (c *topologyCounts) addExistingAntiAffinityTerms(terms []framework.AffinityTerm, p *api.Pod, nsLabels map[string]string, ni *framework.NodeInfo, node *api.Node, delta int64) {
	for i := range terms {
		if terms[i].Matches(p, nsLabels) {
			c.add(ni, node, c.dom.key(terms[i].TopologyKey), delta)
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

// updateWithPod adds (delta 1) or removes (delta -1) existing pod pi on ni.
func (s *preFilterState) updateWithPod(pi *framework.PodInfo, ni *framework.NodeInfo, node *api.Node, delta int64) {
	s.existingAntiAffinity.addExistingAntiAffinityTerms(pi.RequiredAntiAffinityTerms, s.pod, s.nsLabels, ni, node, delta)
	s.affinity.addAffinityTerms(s.required, pi.Pod, ni, node, delta)
	s.antiAffinity.addAntiAffinityTerms(s.requiredAnti, pi.Pod, ni, node, delta)
}

// PreFilter counts, over every node, the domains of existing pods whose
// required anti-affinity the pod matches, and, when the pod has required
// (anti-)affinity, the domains of the existing pods matching its terms. It
// returns Skip when the pod has no required terms and no existing pod's
// required anti-affinity matches it. For a pod without required terms only
// nodes holding pods with required anti-affinity are visited (those the
// snapshot lists, when it implements framework.AffinityNodeLister).
func (pl *InterPodAffinity) PreFilter(state *framework.CycleState, p *api.Pod, nodes []*framework.NodeInfo) (*framework.PreFilterResult, *framework.Status) {
	a := p.Spec.Affinity
	scanAll := a != nil && ((a.PodAffinity != nil && len(a.PodAffinity.Required) > 0) ||
		(a.PodAnti != nil && len(a.PodAnti.Required) > 0))
	lister := pl.h.SnapshotSharedLister()
	if !scanAll {
		if l, ok := lister.(framework.AffinityNodeLister); ok {
			nodes = l.HavePodsWithRequiredAntiAffinityList()
			if len(nodes) == 0 {
				return nil, framework.NewStatus(framework.Skip)
			}
		}
	}
	pi := framework.NewPodInfo(p)
	s := &preFilterState{
		pod:          p,
		required:     pl.resolveTerms(pi.RequiredAffinityTerms),
		requiredAnti: pl.resolveTerms(pi.RequiredAntiAffinityTerms),
		nsLabels:     pl.namespaceLabels(p.Namespace),
	}
	if old := pl.last; old != nil {
		// The previous cycle's state is dead: take over its arrays.
		s.existingAntiAffinity = old.existingAntiAffinity.reuse()
		s.affinity = old.affinity.reuse()
		s.antiAffinity = old.antiAffinity.reuse()
		*old = preFilterState{}
	} else {
		s.existingAntiAffinity = newTopologyCounts(pl.dom)
		s.affinity = newTopologyCounts(pl.dom)
		s.antiAffinity = newTopologyCounts(pl.dom)
	}
	pl.last = s
	s.selfMatch = matchesAll(s.required, p)
	if groups, ok := pl.podGroups(lister, nodes, scanAll); ok {
		pl.countGroups(s, groups, scanAll)
	} else {
		for _, ni := range nodes {
			if !scanAll && len(ni.PodsWithRequiredAntiAffinity) == 0 {
				continue
			}
			node := ni.Node()
			if node == nil {
				continue
			}
			for _, e := range ni.PodsWithRequiredAntiAffinity {
				s.existingAntiAffinity.addExistingAntiAffinityTerms(e.RequiredAntiAffinityTerms, p, s.nsLabels, ni, node, 1)
			}
			if !scanAll {
				continue
			}
			for _, e := range ni.Pods {
				s.affinity.addAffinityTerms(s.required, e.Pod, ni, node, 1)
				s.antiAffinity.addAntiAffinityTerms(s.requiredAnti, e.Pod, ni, node, 1)
			}
		}
	}
	if s.existingAntiAffinity.nonzero == 0 && !scanAll {
		return nil, framework.NewStatus(framework.Skip)
	}
	state.Write(preFilterStateKey, s)
	return nil, nil
}

// podGroups returns the snapshot's pod groups when PreFilter can count with
// them: the snapshot groups its pods and, when every pod is to be looked at,
// nodes is the snapshot's own list.
func (pl *InterPodAffinity) podGroups(lister framework.NodeInfoLister, nodes []*framework.NodeInfo, scanAll bool) ([]*framework.PodGroup, bool) {
	gl, ok := lister.(framework.PodGroupLister)
	if !ok {
		return nil, false
	}
	if scanAll {
		all := lister.List()
		if len(all) != len(nodes) || (len(all) > 0 && &all[0] != &nodes[0]) {
			return nil, false
		}
	}
	return gl.PodGroups(), true
}

// countGroups is PreFilter's count over pod groups: every pod of a group
// matches the same terms, so each group is matched once and then counted
// on each of its nodes with its count there.
func (pl *InterPodAffinity) countGroups(s *preFilterState, groups []*framework.PodGroup, scanAll bool) {
	var existing []int32 // key ids of the group's anti-affinity terms matching the pod
	var anti []int32     // key ids of the pod's anti-affinity terms matching the group
	for _, g := range groups {
		e := g.Info
		existing = existing[:0]
		for i := range e.RequiredAntiAffinityTerms {
			if t := &e.RequiredAntiAffinityTerms[i]; t.Matches(s.pod, s.nsLabels) {
				existing = append(existing, pl.dom.key(t.TopologyKey))
			}
		}
		affine := false
		anti = anti[:0]
		if scanAll {
			affine = matchesAll(s.required, e.Pod)
			for i := range s.requiredAnti {
				if s.requiredAnti[i].matches(e.Pod) {
					anti = append(anti, s.requiredAnti[i].key)
				}
			}
		}
		if len(existing) == 0 && !affine && len(anti) == 0 {
			continue
		}
		for _, gn := range g.Nodes {
			node := gn.Node.Node()
			if node == nil {
				continue
			}
			n := int64(gn.Count)
			for _, k := range existing {
				s.existingAntiAffinity.add(gn.Node, node, k, n)
			}
			if affine {
				for i := range s.required {
					s.affinity.add(gn.Node, node, s.required[i].key, n)
				}
			}
			for _, k := range anti {
				s.antiAffinity.add(gn.Node, node, k, n)
			}
		}
	}
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
	s.updateWithPod(framework.NewPodInfo(p), ni, node, delta)
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
	return pl.filter(s, ni, node)
}

// filter is Filter with the state read and the node known.
func (pl *InterPodAffinity) filter(s *preFilterState, ni *framework.NodeInfo, node *api.Node) *framework.Status {
	if !s.satisfiesAffinity(ni, node) {
		return pl.affinityFailed
	}
	if !s.satisfiesAntiAffinity(ni, node) {
		return pl.antiFailed
	}
	if !s.satisfiesExistingAntiAffinity(ni, node) {
		return pl.existingFailed
	}
	return nil
}

// FilterNodes is Filter over many nodes.
func (pl *InterPodAffinity) FilterNodes(state *framework.CycleState, p *api.Pod, nodes []*framework.NodeInfo, statuses []*framework.Status) {
	s, err := getPreFilterState(state)
	for i, ni := range nodes {
		node := ni.Node()
		if err != nil || node == nil {
			statuses[i] = pl.Filter(state, p, ni)
			continue
		}
		statuses[i] = pl.filter(s, ni, node)
	}
}

// satisfiesAffinity: the node has every required term's topology key and a
// matching pod in each of those domains. When some domain has none, the node
// still passes if no pod anywhere matches the terms and the pod matches them
// itself: the first pod of a group that is affine to itself.
func (s *preFilterState) satisfiesAffinity(ni *framework.NodeInfo, node *api.Node) bool {
	podsExist := true
	for i := range s.required {
		k := s.required[i].key
		v := s.affinity.dom.value(ni, node, k)
		if v == noValue {
			return false
		}
		if s.affinity.get(k, v) <= 0 {
			podsExist = false
		}
	}
	return podsExist || (s.affinity.nonzero == 0 && s.selfMatch)
}

// satisfiesAntiAffinity: no required anti-affinity term has a matching pod
// in the node's domain for its key.
func (s *preFilterState) satisfiesAntiAffinity(ni *framework.NodeInfo, node *api.Node) bool {
	if s.antiAffinity.nonzero == 0 {
		return true
	}
	for i := range s.requiredAnti {
		k := s.requiredAnti[i].key
		if v := s.antiAffinity.dom.value(ni, node, k); v != noValue && s.antiAffinity.get(k, v) > 0 {
			return false
		}
	}
	return true
}

// satisfiesExistingAntiAffinity: no existing pod's required anti-affinity
// term that matches the pod covers one of the node's domains.
func (s *preFilterState) satisfiesExistingAntiAffinity(ni *framework.NodeInfo, node *api.Node) bool {
	if s.existingAntiAffinity.nonzero == 0 {
		return true
	}
	for _, k := range s.existingAntiAffinity.keys {
		if v := s.existingAntiAffinity.dom.value(ni, node, k); v != noValue && s.existingAntiAffinity.get(k, v) > 0 {
			return false
		}
	}
	return true
}
