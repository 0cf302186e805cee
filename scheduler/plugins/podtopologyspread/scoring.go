package podtopologyspread

import (
	"fmt"
	"math"

	"github.com/kubesim/kubesim/scheduler/framework"
	"github.com/kubesim/kubesim/sim/api"
)

const preScoreStateKey framework.StateKey = "PreScore" + Name

// preScoreState holds the ScheduleAnyway constraints, per non-hostname
// constraint the matching-pod count of every domain that some scored node
// is in (indexed by value id; unregistered elsewhere), each constraint's
// weight ln(size+2), and the scored nodes to ignore.
type preScoreState struct {
	cons    []constraint
	counts  [][]int64
	weights []float64
	// requireAll: nodes missing any topology key are ignored (score 0).
	requireAll bool
	// ignored names the ignored nodes, for NormalizeScore (nil when none).
	ignored map[string]struct{}
	// stamp numbers the PreScore that filled the plugin's hostCounts (0:
	// none; Score counts the node's pods).
	stamp uint64
}

// hostCount is a scored node's count of pods matching a hostname
// constraint, valid for that NodeInfo at that generation.
type hostCount struct {
	ni    *framework.NodeInfo
	gen   int64
	stamp uint64
	n     int32
}

// fillHostCounts counts, from the pod groups, the matching pods of every
// scored node for each hostname constraint, by NodeInfo.ID.
func (pl *PodTopologySpread) fillHostCounts(s *preScoreState, p *api.Pod, nodes []*framework.NodeInfo, groups []*framework.PodGroup) {
	pl.hostStamp++
	s.stamp = pl.hostStamp
	for len(pl.hostCounts) < len(s.cons) {
		pl.hostCounts = append(pl.hostCounts, nil)
	}
	for i := range s.cons {
		c := &s.cons[i]
		if !c.hostname {
			continue
		}
		hc := pl.hostCounts[i]
		for _, ni := range nodes {
			id := int(ni.ID)
			if id <= 0 {
				continue
			}
			for id >= len(hc) {
				hc = append(hc, hostCount{})
			}
			hc[id] = hostCount{ni: ni, gen: ni.Generation, stamp: s.stamp}
		}
		for _, g := range groups {
			if !groupCounts(g, c.selector, p.Namespace) {
				continue
			}
			for _, gn := range g.Nodes {
				if id := int(gn.ID); id > 0 && id < len(hc) && hc[id].stamp == s.stamp && hc[id].ni == gn.Node {
					hc[id].n += gn.Count
				}
			}
		}
		pl.hostCounts[i] = hc
	}
}

// hostCount returns the node's count for hostname constraint i: from
// hostCounts when PreScore filled it for this NodeInfo as it is now, else
// counted.
func (pl *PodTopologySpread) hostCount(s *preScoreState, i int, ni *framework.NodeInfo, slot int32) int32 {
	if s.stamp != 0 && i < len(pl.hostCounts) {
		if id := int(ni.ID); id > 0 && id < len(pl.hostCounts[i]) {
			if e := &pl.hostCounts[i][id]; e.stamp == s.stamp && e.ni == ni && e.gen == ni.Generation {
				return e.n
			}
		}
	}
	return s.cons[i].counts.count(ni, slot)
}

// Clone returns s: the state is read-only.
func (s *preScoreState) Clone() framework.StateData { return s }

const unregistered64 int64 = math.MinInt64

// PreScore prepares scoring (SEMANTICS 2.8). Nodes missing a topology key
// are ignored when the pod has its own constraints or the defaults are not
// the system ones. The domains of a non-hostname constraint are the values
// of its key on the scored, non-ignored nodes (a missing label counting as
// the empty value); their counts sum the matching pods over all nodes that
// are in such a domain, have every key (when required) and pass the
// inclusion policies. Hostname constraints are counted per node in Score.
// It returns Skip without ScheduleAnyway constraints or without nodes.
func (pl *PodTopologySpread) PreScore(state *framework.CycleState, p *api.Pod, nodes []*framework.NodeInfo) *framework.Status {
	var all []*framework.NodeInfo
	if pl.h != nil && pl.h.SnapshotSharedLister() != nil {
		all = pl.h.SnapshotSharedLister().List()
	}
	if len(all) == 0 {
		return framework.NewStatus(framework.Skip)
	}
	cons := pl.constraints(p, scheduleAnyway)
	if len(cons) == 0 {
		return framework.NewStatus(framework.Skip)
	}
	pl.topo.prune(len(all))
	s := &preScoreState{
		cons:       cons,
		counts:     make([][]int64, len(cons)),
		weights:    make([]float64, len(cons)),
		requireAll: len(p.Spec.TopologySpreadConstraints) > 0 || !pl.systemDefaulted,
	}
	// The empty value stands for a missing label when keys are not required.
	empty := make([]int32, len(cons))
	for i := range cons {
		empty[i] = pl.topo.value(cons[i].key, "")
	}
	zonal := false // some constraint is not per hostname
	for i := range cons {
		zonal = zonal || !cons[i].hostname
	}
	groups, useGroups := pl.podGroups(nil)
	var rows []*nodeRow
	if zonal && !useGroups {
		rows = pl.listRows(all)
	}
	// Filtered nodes are normally among all; asking first interns any value
	// they add before the count arrays are sized.
	filteredRows := pl.filteredRows[:0]
	for _, ni := range nodes {
		filteredRows = append(filteredRows, pl.topo.rowOf(ni))
	}
	pl.filteredRows = filteredRows
	for i := range cons {
		if cons[i].hostname {
			continue
		}
		cs := make([]int64, pl.topo.numValues(cons[i].key))
		for v := range cs {
			cs[v] = unregistered64
		}
		s.counts[i] = cs
	}
	sizes := make([]int, len(cons))
	scored := 0
	for j, ni := range nodes {
		row := filteredRows[j]
		if s.requireAll && !hasAllKeys(row, cons) {
			if s.ignored == nil {
				s.ignored = map[string]struct{}{}
			}
			s.ignored[ni.Name()] = struct{}{}
			continue
		}
		scored++
		for i := range cons {
			if cons[i].hostname {
				continue
			}
			v := row.vals[cons[i].key]
			if v == noValue {
				v = empty[i]
			}
			if s.counts[i][v] == unregistered64 {
				s.counts[i][v] = 0
				sizes[i]++
			}
		}
	}
	for i := range cons {
		size := sizes[i]
		if cons[i].hostname {
			size = scored
		}
		s.weights[i] = math.Log(float64(size + 2))
	}
	if useGroups && scored > 0 {
		pl.fillHostCounts(s, p, nodes, groups)
	}
	if zonal && useGroups {
		// The sums below, taken over the groups of pods that match.
		in := newInclusion(p)
		byID, haveIDs := pl.valuesByID()
		for _, g := range groups {
			for i := range cons {
				c := &cons[i]
				if c.hostname || !groupCounts(g, c.selector, p.Namespace) {
					continue
				}
				if haveIDs && in.anyNode && !c.honorTaints {
					// Every node passes the inclusion policies: the sums
					// read only the group's IDs and the value arrays.
					s.addGroupByID(g, i, byID, empty[i])
					continue
				}
				for _, gn := range g.Nodes {
					n := gn.Node.Node()
					if n == nil {
						continue
					}
					row := pl.topo.rowOf(gn.Node)
					if s.requireAll && !hasAllKeys(row, cons) {
						continue
					}
					v := row.vals[c.key]
					if v == noValue {
						v = empty[i]
					}
					// A value interned only now is no scored node's.
					if int(v) >= len(s.counts[i]) || s.counts[i][v] == unregistered64 {
						continue
					}
					in.reset(n)
					if in.passes(c) {
						s.counts[i][v] += int64(gn.Count)
					}
				}
			}
		}
	} else if zonal {
		in := newInclusion(p)
		for j, ni := range all {
			row := rows[j]
			if row == nil || (s.requireAll && !hasAllKeys(row, cons)) {
				continue
			}
			in.reset(ni.Node())
			for i := range cons {
				c := &cons[i]
				if c.hostname {
					continue
				}
				v := row.vals[c.key]
				if v == noValue {
					v = empty[i]
				}
				if s.counts[i][v] == unregistered64 || !in.passes(c) {
					continue
				}
				s.counts[i][v] += int64(c.counts.count(ni, row.slot))
			}
		}
	}
	state.Write(preScoreStateKey, s)
	return nil
}

// addGroupByID adds, for non-hostname constraint i, the group's pods on
// each listed node to the count of the node's domain, as PreScore's loop
// over the group does when every node passes the inclusion policies:
// nodes without every constraint key are left out when keys are required,
// a missing key counts as the empty value (id empty) otherwise, and only
// domains of scored nodes count. byID is valuesByID's.
func (s *preScoreState) addGroupByID(g *framework.PodGroup, i int, byID [][]int32, empty int32) {
	vk, cs := byID[s.cons[i].key], s.counts[i]
	for _, gn := range g.Nodes {
		id := gn.ID
		if int(id) >= len(vk) || vk[id] == notListed {
			continue
		}
		if s.requireAll && !hasAllKeysByID(id, byID, s.cons) {
			continue
		}
		v := vk[id]
		if v == noValue {
			v = empty
		}
		if int(v) < len(cs) && cs[v] != unregistered64 {
			cs[v] += int64(gn.Count)
		}
	}
}

// hasAllKeysByID is hasAllKeys for the listed node with NodeInfo ID id.
func hasAllKeysByID(id int32, byID [][]int32, cons []constraint) bool {
	for i := range cons {
		if byID[cons[i].key][id] == noValue {
			return false
		}
	}
	return true
}

func readPreScore(state *framework.CycleState) (*preScoreState, error) {
	d, err := state.Read(preScoreStateKey)
	if err != nil {
		return nil, fmt.Errorf("%s: reading %q from cycle state: %w", Name, preScoreStateKey, err)
	}
	s, ok := d.(*preScoreState)
	if !ok {
		return nil, fmt.Errorf("%s: cycle state %q has type %T", Name, preScoreStateKey, d)
	}
	return s, nil
}

// Score returns round(Σ count·weight + (maxSkew − 1)) over the constraints
// whose key the node has, where count is the matching pods in the node's
// domain (on the node itself for hostname constraints). Ignored nodes score
// 0. Higher is worse; NormalizeScore reverses it.
func (pl *PodTopologySpread) Score(state *framework.CycleState, p *api.Pod, ni *framework.NodeInfo) (int64, *framework.Status) {
	n := ni.Node()
	if n == nil {
		return 0, framework.AsStatus(fmt.Errorf("%s: node not found", Name))
	}
	s, err := readPreScore(state)
	if err != nil {
		return 0, framework.AsStatus(err)
	}
	row := pl.topo.rowOf(ni)
	if s.requireAll && !hasAllKeys(row, s.cons) {
		return 0, nil
	}
	var score float64
	for i := range s.cons {
		c := &s.cons[i]
		v := row.vals[c.key]
		if v == noValue {
			continue
		}
		var cnt int64
		if c.hostname {
			cnt = int64(pl.hostCount(s, i, ni, row.slot))
		} else if cs := s.counts[i]; int(v) < len(cs) && cs[v] != unregistered64 {
			cnt = cs[v]
		}
		score += float64(cnt)*s.weights[i] + float64(c.maxSkew-1)
	}
	return int64(math.Round(score)), nil
}

// ScoreExtensions returns the plugin itself: it normalises its scores.
func (pl *PodTopologySpread) ScoreExtensions() framework.ScoreExtensions { return pl }

// NormalizeScore maps raw scores to [0, 100], fewer matching pods being
// better: with min and max over the non-ignored nodes, a node scores
// 100·(max + min − raw)/max (integer), every node 100 when max is 0, and
// ignored nodes 0.
func (pl *PodTopologySpread) NormalizeScore(state *framework.CycleState, _ *api.Pod, scores []framework.NodeScore) *framework.Status {
	s, err := readPreScore(state)
	if err != nil {
		return framework.AsStatus(err)
	}
	isIgnored := func(name string) bool {
		if s.ignored == nil {
			return false
		}
		_, ok := s.ignored[name]
		return ok
	}
	minScore, maxScore := int64(math.MaxInt64), int64(0)
	for i := range scores {
		if isIgnored(scores[i].Name) {
			continue
		}
		minScore = min(minScore, scores[i].Score)
		maxScore = max(maxScore, scores[i].Score)
	}
	for i := range scores {
		switch {
		case isIgnored(scores[i].Name):
			scores[i].Score = 0
		case maxScore == 0:
			scores[i].Score = framework.MaxNodeScore
		default:
			scores[i].Score = framework.MaxNodeScore * (maxScore + minScore - scores[i].Score) / maxScore
		}
	}
	return nil
}
