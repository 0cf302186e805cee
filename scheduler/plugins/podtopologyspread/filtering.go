package podtopologyspread

import (
	"fmt"
	"math"

	"github.com/kubesim/kubesim/scheduler/framework"
	"github.com/kubesim/kubesim/sim/api"
)

const preFilterStateKey framework.StateKey = "PreFilter" + Name

// unregistered marks a domain id that no counted node has. (Counts can go
// negative: RemovePod, as upstream, does not check that the pod was counted.)
const unregistered int32 = math.MinInt32

// preFilterState holds, per DoNotSchedule constraint, the number of
// matching pods in every domain (indexed by value id; unregistered for
// values no eligible node has), how many domains there are, and the global
// minimum over them with the number of domains at that minimum, kept exact
// under AddPod/RemovePod.
type preFilterState struct {
	cons    []constraint
	counts  [][]int32
	domains []int32
	min     []int32
	atMin   []int32
}

// Clone returns a copy whose counts can change independently (the
// constraints are shared: they never change).
func (s *preFilterState) Clone() framework.StateData {
	c := &preFilterState{
		cons:    s.cons,
		counts:  make([][]int32, len(s.counts)),
		domains: append([]int32(nil), s.domains...),
		min:     append([]int32(nil), s.min...),
		atMin:   append([]int32(nil), s.atMin...),
	}
	for i, cs := range s.counts {
		c.counts[i] = append([]int32(nil), cs...)
	}
	return c
}

// globalMin is the minimum used in the skew of constraint i: the smallest
// domain count, or 0 while there are fewer domains than minDomains.
func (s *preFilterState) globalMin(i int) int32 {
	if s.domains[i] < s.cons[i].minDomains {
		return 0
	}
	return s.min[i]
}

// recomputeMin rescans constraint i's domains for the minimum.
func (s *preFilterState) recomputeMin(i int) {
	m, at := int32(math.MaxInt32), int32(0)
	for _, n := range s.counts[i] {
		switch {
		case n == unregistered:
		case n < m:
			m, at = n, 1
		case n == m:
			at++
		}
	}
	s.min[i], s.atMin[i] = m, at
}

// update adds delta (±1) to the count of domain v of constraint i,
// registering the domain if it is new, and keeps the minimum exact.
func (s *preFilterState) update(i int, v int32, delta int32) {
	cs := s.counts[i]
	for int(v) >= len(cs) {
		cs = append(cs, unregistered)
	}
	s.counts[i] = cs
	old := cs[v]
	if old == unregistered {
		cs[v] = delta
		s.domains[i]++
		switch {
		case delta < s.min[i]:
			s.min[i], s.atMin[i] = delta, 1
		case delta == s.min[i]:
			s.atMin[i]++
		}
		return
	}
	cur := old + delta
	cs[v] = cur
	switch {
	case cur < s.min[i]:
		s.min[i], s.atMin[i] = cur, 1
	case cur == s.min[i]:
		s.atMin[i]++
	case old == s.min[i]:
		// The domain left the minimum upwards.
		if s.atMin[i]--; s.atMin[i] == 0 {
			s.recomputeMin(i)
		}
	}
}

// PreFilter counts, over all nodes, the pods matching each DoNotSchedule
// constraint per domain. A node counts only if it has every constraint's
// topology key and passes the constraint's inclusion policies; such a node
// registers its domain even with no matching pod. It returns Skip when the
// pod has no DoNotSchedule constraint (the system defaults have none).
func (pl *PodTopologySpread) PreFilter(state *framework.CycleState, p *api.Pod, nodes []*framework.NodeInfo) (*framework.PreFilterResult, *framework.Status) {
	cons := pl.constraints(p, doNotSchedule)
	if len(cons) == 0 {
		return nil, framework.NewStatus(framework.Skip)
	}
	pl.topo.prune(len(nodes))
	s := &preFilterState{
		cons:    cons,
		counts:  make([][]int32, len(cons)),
		domains: make([]int32, len(cons)),
		min:     make([]int32, len(cons)),
		atMin:   make([]int32, len(cons)),
	}
	// Rows first: interning may add values, and the count arrays must cover them.
	rows := pl.listRows(nodes)
	for i := range cons {
		cs := make([]int32, pl.topo.numValues(cons[i].key))
		for v := range cs {
			cs[v] = unregistered
		}
		s.counts[i] = cs
	}
	in := newInclusion(p)
	groups, useGroups := pl.podGroups(nodes)
	// With every node passing the inclusion policies, which domains exist
	// depends only on the node list and the keys: remembered.
	trivial := useGroups
	for i := range cons {
		trivial = trivial && !cons[i].honorTaints && (in.anyNode || !cons[i].honorAffinity)
	}
	if trivial && pl.domains.restore(pl.topo.listVersion, s) {
		nodes = nil
	}
	for j, ni := range nodes {
		row := rows[j]
		if row == nil || !hasAllKeys(row, cons) {
			continue
		}
		in.reset(ni.Node())
		for i := range cons {
			c := &cons[i]
			if !in.passes(c) {
				continue
			}
			v := row.vals[c.key]
			if s.counts[i][v] == unregistered {
				s.counts[i][v] = 0
				s.domains[i]++
			}
			if !useGroups {
				s.counts[i][v] += c.counts.count(ni, row.slot)
			}
		}
	}
	if trivial && nodes != nil {
		pl.domains.save(pl.topo.listVersion, s)
	}
	if useGroups {
		// The same sums, taken over the groups of pods that match: only
		// nodes holding such pods are visited.
		for _, g := range groups {
			for i := range cons {
				c := &cons[i]
				if !groupCounts(g, c.selector, p.Namespace) {
					continue
				}
				for _, gn := range g.Nodes {
					n := gn.Node.Node()
					if n == nil {
						continue
					}
					row := pl.topo.rowOf(gn.Node)
					if !hasAllKeys(row, cons) {
						continue
					}
					in.reset(n)
					if in.passes(c) {
						s.counts[i][row.vals[c.key]] += gn.Count
					}
				}
			}
		}
	}
	for i := range cons {
		s.recomputeMin(i)
	}
	state.Write(preFilterStateKey, s)
	return nil, nil
}

// PreFilterExtensions returns the plugin itself: its counts follow pods
// added or removed by preemption and nominated-pod filtering.
func (pl *PodTopologySpread) PreFilterExtensions() framework.PreFilterExtensions { return pl }

// AddPod counts podToAdd on the node in the cycle state.
func (pl *PodTopologySpread) AddPod(state *framework.CycleState, podToSchedule, podToAdd *api.Pod, ni *framework.NodeInfo) *framework.Status {
	return pl.updateWithPod(state, podToSchedule, podToAdd, ni, 1)
}

// RemovePod stops counting podToRemove on the node in the cycle state.
func (pl *PodTopologySpread) RemovePod(state *framework.CycleState, podToSchedule, podToRemove *api.Pod, ni *framework.NodeInfo) *framework.Status {
	return pl.updateWithPod(state, podToSchedule, podToRemove, ni, -1)
}

// updateWithPod applies delta for pod q on the node, with PreFilter's
// rules: same namespace as the incoming pod, node with every topology key,
// constraint's selector and inclusion policies. As upstream, it does not
// look at q's deletionTimestamp.
func (pl *PodTopologySpread) updateWithPod(state *framework.CycleState, p, q *api.Pod, ni *framework.NodeInfo, delta int32) *framework.Status {
	s, err := readPreFilter(state)
	if err != nil {
		return framework.AsStatus(err)
	}
	n := ni.Node()
	if n == nil || q.Namespace != p.Namespace {
		return nil
	}
	row := pl.topo.rowOf(ni)
	if !hasAllKeys(row, s.cons) {
		return nil
	}
	in := newInclusion(p)
	in.reset(n)
	for i := range s.cons {
		c := &s.cons[i]
		if !c.selector.Matches(q.Labels) || !in.passes(c) {
			continue
		}
		s.update(i, row.vals[c.key], delta)
	}
	return nil
}

func readPreFilter(state *framework.CycleState) (*preFilterState, error) {
	d, err := state.Read(preFilterStateKey)
	if err != nil {
		return nil, fmt.Errorf("%s: reading %q from cycle state: %w", Name, preFilterStateKey, err)
	}
	s, ok := d.(*preFilterState)
	if !ok {
		return nil, fmt.Errorf("%s: cycle state %q has type %T", Name, preFilterStateKey, d)
	}
	return s, nil
}

// Filter rejects a node lacking a constraint's topology key
// (UnschedulableAndUnresolvable) and a node where, for some constraint,
// count(node's domain) + selfMatch − globalMin > maxSkew (Unschedulable).
func (pl *PodTopologySpread) Filter(state *framework.CycleState, _ *api.Pod, ni *framework.NodeInfo) *framework.Status {
	n := ni.Node()
	if n == nil {
		return framework.AsStatus(fmt.Errorf("%s: node not found", Name))
	}
	s, err := readPreFilter(state)
	if err != nil {
		return framework.AsStatus(err)
	}
	return pl.filter(s, ni)
}

// filter is Filter with the state read and the node known to be set.
func (pl *PodTopologySpread) filter(s *preFilterState, ni *framework.NodeInfo) *framework.Status {
	row := pl.topo.rowOf(ni)
	for i := range s.cons {
		c := &s.cons[i]
		v := row.vals[c.key]
		if v == noValue {
			return pl.noLabel
		}
		var match int32
		if cs := s.counts[i]; int(v) < len(cs) && cs[v] != unregistered {
			match = cs[v]
		}
		if match+c.selfMatch-s.globalMin(i) > c.maxSkew {
			return pl.skewed
		}
	}
	return nil
}

// FilterNodes is Filter over many nodes.
func (pl *PodTopologySpread) FilterNodes(state *framework.CycleState, p *api.Pod, nodes []*framework.NodeInfo, statuses []*framework.Status) {
	s, err := readPreFilter(state)
	for i, ni := range nodes {
		if err != nil || ni.Node() == nil {
			statuses[i] = pl.Filter(state, p, ni)
			continue
		}
		statuses[i] = pl.filter(s, ni)
	}
}

// domainCache is PreFilter's registered domains (count 0, or unregistered)
// and their number per constraint, for the constraints' keys, at one
// version of the node list.
type domainCache struct {
	version uint64
	keys    []int32
	counts  [][]int32
	domains []int32
}

// save remembers s's registrations (before any pod is counted).
func (d *domainCache) save(version uint64, s *preFilterState) {
	d.version = version
	d.keys = d.keys[:0]
	for i := range s.cons {
		d.keys = append(d.keys, s.cons[i].key)
	}
	d.counts = d.counts[:0]
	for _, cs := range s.counts {
		d.counts = append(d.counts, append([]int32(nil), cs...))
	}
	d.domains = append(d.domains[:0], s.domains...)
}

// restore sets s's registrations from the cache when it holds those of the
// same keys at the same version.
func (d *domainCache) restore(version uint64, s *preFilterState) bool {
	if d.version != version || len(d.keys) != len(s.cons) || d.counts == nil {
		return false
	}
	for i := range s.cons {
		if d.keys[i] != s.cons[i].key {
			return false
		}
	}
	for i, cs := range s.counts {
		// Values interned since stay unregistered, as s made them.
		copy(cs, d.counts[i])
	}
	copy(s.domains, d.domains)
	return true
}
