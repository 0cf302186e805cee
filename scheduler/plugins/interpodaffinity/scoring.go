package interpodaffinity

import (
	"fmt"
	"math"

	"github.com/kubesim/kubesim/scheduler/framework"
	"github.com/kubesim/kubesim/sim/api"
)

const preScoreStateKey framework.StateKey = "PreScore" + Name

// keyScores holds the summed weights of the domains of one topology key.
type keyScores struct {
	key    string
	values map[string]int64
}

// preScoreState is what PreScore computes for Score: the summed weights per
// topology domain, grouped by key in first-seen order.
type preScoreState struct {
	scores []keyScores
	index  map[string]int
}

// Clone returns s: the state is not changed after PreScore.
func (s *preScoreState) Clone() framework.StateData { return s }

// add adds w to the domain of node for key, if the node has the key. The
// entry is created even when the sum is (or becomes) zero.
func (s *preScoreState) add(node *api.Node, key string, w int64) {
	v, ok := node.Labels[key]
	if !ok {
		return
	}
	i, ok := s.index[key]
	if !ok {
		i = len(s.scores)
		s.index[key] = i
		s.scores = append(s.scores, keyScores{key: key, values: map[string]int64{}})
	}
	s.scores[i].values[v] += w
}

// scoreContext is what scoring one existing pod needs.
type scoreContext struct {
	pod           *api.Pod
	nsLabels      map[string]string
	preferred     []incomingTerm
	preferredAnti []incomingTerm
	hardWeight    int32
}

// processExistingPod adds the weights that existing pod e on node
// contributes to e's domains.
func (s *preScoreState) processExistingPod(c *scoreContext, e *framework.PodInfo, node *api.Node) {
	if len(node.Labels) == 0 {
		return
	}
	for i := range c.preferred {
		if t := &c.preferred[i]; t.matches(e.Pod) {
			s.add(node, t.topologyKey, int64(t.weight))
		}
	}
	for i := range c.preferredAnti {
		if t := &c.preferredAnti[i]; t.matches(e.Pod) {
			s.add(node, t.topologyKey, -int64(t.weight))
		}
	}
	if c.hardWeight > 0 {
		for i := range e.RequiredAffinityTerms {
			if t := &e.RequiredAffinityTerms[i]; t.Matches(c.pod, c.nsLabels) {
				s.add(node, t.TopologyKey, int64(c.hardWeight))
			}
		}
	}
	for i := range e.PreferredAffinityTerms {
		if t := &e.PreferredAffinityTerms[i]; t.Matches(c.pod, c.nsLabels) {
			s.add(node, t.TopologyKey, int64(t.Weight))
		}
	}
	for i := range e.PreferredAntiAffinityTerms {
		if t := &e.PreferredAntiAffinityTerms[i]; t.Matches(c.pod, c.nsLabels) {
			s.add(node, t.TopologyKey, -int64(t.Weight))
		}
	}
}

// contribution is a weight that each pod of a group adds to its node's
// domain for a key.
type contribution struct {
	key string
	w   int64
}

// processGroups is processExistingPod over pod groups: the weights one pod
// of a group contributes are worked out once, then added, times the group's
// count there, on each of its nodes. Groups without pod (anti-)affinity are
// skipped unless the pod has preferred terms, as nodes' PodsWithAffinity are.
func (s *preScoreState) processGroups(c *scoreContext, groups []*framework.PodGroup, hasPreferred bool) {
	var contrib []contribution
	for _, g := range groups {
		e := g.Info
		if !hasPreferred && !e.HasPodAffinity() {
			continue
		}
		contrib = contrib[:0]
		for i := range c.preferred {
			if t := &c.preferred[i]; t.matches(e.Pod) {
				contrib = append(contrib, contribution{t.topologyKey, int64(t.weight)})
			}
		}
		for i := range c.preferredAnti {
			if t := &c.preferredAnti[i]; t.matches(e.Pod) {
				contrib = append(contrib, contribution{t.topologyKey, -int64(t.weight)})
			}
		}
		if c.hardWeight > 0 {
			for i := range e.RequiredAffinityTerms {
				if t := &e.RequiredAffinityTerms[i]; t.Matches(c.pod, c.nsLabels) {
					contrib = append(contrib, contribution{t.TopologyKey, int64(c.hardWeight)})
				}
			}
		}
		for i := range e.PreferredAffinityTerms {
			if t := &e.PreferredAffinityTerms[i]; t.Matches(c.pod, c.nsLabels) {
				contrib = append(contrib, contribution{t.TopologyKey, int64(t.Weight)})
			}
		}
		for i := range e.PreferredAntiAffinityTerms {
			if t := &e.PreferredAntiAffinityTerms[i]; t.Matches(c.pod, c.nsLabels) {
				contrib = append(contrib, contribution{t.TopologyKey, -int64(t.Weight)})
			}
		}
		if len(contrib) == 0 {
			continue
		}
		for _, gn := range g.Nodes {
			node := gn.Node.Node()
			if node == nil || len(node.Labels) == 0 {
				continue
			}
			for _, x := range contrib {
				s.add(node, x.key, x.w*int64(gn.Count))
			}
		}
	}
}

// PreScore sums the weights per topology domain over the existing pods on
// every node of the snapshot (not only the feasible ones): all pods when the
// pod has preferred (anti-)affinity terms, else only pods with pod
// (anti-)affinity (then only the nodes the snapshot lists as holding such
// pods, when it implements framework.AffinityNodeLister). It returns Skip
// when ignorePreferredTermsOfExistingPods is set and the pod has no preferred
// terms, or when nothing was counted.
func (pl *InterPodAffinity) PreScore(state *framework.CycleState, p *api.Pod, _ []*framework.NodeInfo) *framework.Status {
	a := p.Spec.Affinity
	hasPreferred := a != nil && ((a.PodAffinity != nil && len(a.PodAffinity.Preferred) > 0) ||
		(a.PodAnti != nil && len(a.PodAnti.Preferred) > 0))
	if pl.ignorePreferredTermsOfExistingPods && !hasPreferred {
		return framework.NewStatus(framework.Skip)
	}
	lister := pl.h.SnapshotSharedLister()
	if l, ok := lister.(framework.AffinityNodeLister); ok && !hasPreferred && len(l.HavePodsWithAffinityList()) == 0 {
		// Nothing to count.
		return framework.NewStatus(framework.Skip)
	}
	pi := framework.NewPodInfo(p)
	c := &scoreContext{
		pod:           p,
		nsLabels:      pl.namespaceLabels(p.Namespace),
		preferred:     pl.resolveWeightedTerms(pi.PreferredAffinityTerms),
		preferredAnti: pl.resolveWeightedTerms(pi.PreferredAntiAffinityTerms),
		hardWeight:    pl.hardPodAffinityWeight,
	}
	s := &preScoreState{index: map[string]int{}}
	if gl, ok := lister.(framework.PodGroupLister); ok {
		s.processGroups(c, gl.PodGroups(), hasPreferred)
		if len(s.scores) == 0 {
			return framework.NewStatus(framework.Skip)
		}
		state.Write(preScoreStateKey, s)
		return nil
	}
	nodes := lister.List()
	if l, ok := lister.(framework.AffinityNodeLister); ok && !hasPreferred {
		nodes = l.HavePodsWithAffinityList()
	}
	for _, ni := range nodes {
		pods := ni.PodsWithAffinity
		if hasPreferred {
			pods = ni.Pods
		}
		node := ni.Node()
		if len(pods) == 0 || node == nil {
			continue
		}
		for _, e := range pods {
			s.processExistingPod(c, e, node)
		}
	}
	if len(s.scores) == 0 {
		return framework.NewStatus(framework.Skip)
	}
	state.Write(preScoreStateKey, s)
	return nil
}

func getPreScoreState(state *framework.CycleState) (*preScoreState, error) {
	d, err := state.Read(preScoreStateKey)
	if err != nil {
		return nil, fmt.Errorf("%s: reading %q from cycle state: %w", Name, preScoreStateKey, err)
	}
	s, ok := d.(*preScoreState)
	if !ok {
		return nil, fmt.Errorf("%s: cycle state %q holds %T", Name, preScoreStateKey, d)
	}
	return s, nil
}

// Score returns the sum of the weights of the node's domains: positive for
// affinity, negative for anti-affinity.
func (pl *InterPodAffinity) Score(state *framework.CycleState, _ *api.Pod, ni *framework.NodeInfo) (int64, *framework.Status) {
	node := ni.Node()
	if node == nil {
		return 0, framework.AsStatus(errNoNode)
	}
	s, err := getPreScoreState(state)
	if err != nil {
		return 0, framework.AsStatus(err)
	}
	var sum int64
	for i := range s.scores {
		if v, ok := node.Labels[s.scores[i].key]; ok {
			sum += s.scores[i].values[v]
		}
	}
	return sum, nil
}

// ScoreExtensions returns the plugin itself: it normalises its scores.
func (pl *InterPodAffinity) ScoreExtensions() framework.ScoreExtensions { return pl }

// NormalizeScore maps the sums min-max onto [0, 100] in floating point,
// truncating: int64(100 · ((s − min) / (max − min))); every node gets 0 when
// all sums are equal.
func (pl *InterPodAffinity) NormalizeScore(state *framework.CycleState, _ *api.Pod, scores []framework.NodeScore) *framework.Status {
	s, err := getPreScoreState(state)
	if err != nil {
		return framework.AsStatus(err)
	}
	if len(s.scores) == 0 {
		return nil
	}
	var lo int64 = math.MaxInt64
	var hi int64 = math.MinInt64
	for i := range scores {
		lo = min(lo, scores[i].Score)
		hi = max(hi, scores[i].Score)
	}
	diff := hi - lo
	for i := range scores {
		f := float64(0)
		if diff > 0 {
			f = float64(framework.MaxNodeScore) * (float64(scores[i].Score-lo) / float64(diff))
		}
		scores[i].Score = int64(f)
	}
	return nil
}
