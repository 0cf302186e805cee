package scheduler

import (
	"fmt"
	"sort"
	"strings"

	"github.com/kubesim/kubesim/scheduler/framework"
	"github.com/kubesim/kubesim/sim/api"
)

// Node iteration constants (SEMANTICS 1.3).
const (
	minFeasibleNodesToFind           = 100
	minFeasibleNodesPercentageToFind = 5
)

// NumFeasibleNodesToFind returns how many feasible nodes a cycle looks for
// among n nodes, given the percentage (0 = adaptive: 50 − n/125, at least 5),
// with int32 truncating arithmetic and a minimum of 100, as upstream.
func NumFeasibleNodesToFind(percentage int32, n int32) int32 {
	if n < minFeasibleNodesToFind {
		return n
	}
	if percentage == 0 {
		percentage = 50 - n/125
		if percentage < minFeasibleNodesPercentageToFind {
			percentage = minFeasibleNodesPercentageToFind
		}
	}
	k := n * percentage / 100
	if k < minFeasibleNodesToFind {
		return minFeasibleNodesToFind
	}
	return k
}

func (s *Scheduler) numFeasibleNodesToFind(p *Profile, n int) int {
	if len(p.score) == 0 {
		return min(1, n)
	}
	pct := s.cfg.PercentageOfNodesToScore
	if p.percentageOfNodesToScore != nil {
		pct = *p.percentageOfNodesToScore
	}
	return int(NumFeasibleNodesToFind(pct, int32(n)))
}

// nodeFailure is a node that failed filtering, with its status.
type nodeFailure struct {
	name   string
	status *framework.Status
}

// filterRef is a filter plugin active in this cycle.
type filterRef struct {
	pl framework.FilterPlugin
}

// FitError is a pod that fits no node, with upstream's message:
// "0/N nodes are available: <sorted reason histogram>." followed by the
// PostFilter (preemption) message when there is one.
type FitError struct {
	// NumAllNodes is the number of nodes in the snapshot.
	NumAllNodes int
	// statuses holds the nodes that were filtered out, with why.
	statuses []nodeFailure
	// AbsentStatus applies to every node not in statuses (PreFilter
	// rejections and PreFilter node restrictions).
	AbsentStatus *framework.Status
	// PreFilterMsg is set when PreFilter rejected the pod.
	PreFilterMsg string
	// PostFilterMsg is the PostFilter plugins' message.
	PostFilterMsg string
	// UnschedulablePlugins are the plugins that rejected the pod.
	UnschedulablePlugins []string
}

// Statuses returns the filter status of every node that was filtered out
// (upstream NodeToStatus); every other node has AbsentStatus.
func (f *FitError) Statuses() framework.NodeToStatus {
	m := make(framework.NodeToStatus, len(f.statuses))
	for _, nf := range f.statuses {
		m[nf.name] = nf.status
	}
	return m
}

// Error renders the upstream FitError message.
func (f *FitError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "0/%d nodes are available:", f.NumAllNodes)
	if f.PreFilterMsg != "" {
		fmt.Fprintf(&b, " %s.", f.PreFilterMsg)
	} else {
		reasons := map[string]int{}
		for _, nf := range f.statuses {
			for _, r := range nf.status.Reasons() {
				reasons[r]++
			}
		}
		if absent := f.NumAllNodes - len(f.statuses); absent > 0 && f.AbsentStatus != nil {
			for _, r := range f.AbsentStatus.Reasons() {
				reasons[r] += absent
			}
		}
		hist := make([]string, 0, len(reasons))
		for r, n := range reasons {
			hist = append(hist, fmt.Sprintf("%d %s", n, r))
		}
		sort.Strings(hist)
		if len(hist) > 0 {
			fmt.Fprintf(&b, " %s.", strings.Join(hist, ", "))
		}
	}
	if f.PostFilterMsg != "" {
		// Appended as is: it ends with its own period (upstream ≥ v1.28).
		fmt.Fprintf(&b, " %s", f.PostFilterMsg)
	}
	return b.String()
}

// postFilterStatuses is what PostFilter plugins get (upstream's
// NodeToStatusReader): Statuses, plus AbsentStatus for every other node of
// all when there is one, so that absent nodes rejected only as Unschedulable
// are preemption candidates, as upstream.
func (f *FitError) postFilterStatuses(all []*framework.NodeInfo) framework.NodeToStatus {
	m := f.Statuses()
	if f.AbsentStatus == nil {
		return m
	}
	for _, ni := range all {
		if _, ok := m[ni.Name()]; !ok {
			m[ni.Name()] = f.AbsentStatus
		}
	}
	return m
}

// schedulePod makes the scheduling decision for pod on the cache: PreFilter,
// the nominated node, Filter from the rotating start index until enough
// feasible nodes are found, then PreScore, Score, NormalizeScore, weights and
// a seeded tie-break. It returns the host, or a FitError with an Unschedulable
// status, or an Error status.
func (s *Scheduler) schedulePod(prof *Profile, state *framework.CycleState, pod *api.Pod) (string, *FitError, *framework.Status) {
	all := s.cache.List()
	if len(all) == 0 {
		return "", nil, framework.AsStatus(errNoNodesAvailable)
	}
	restrict, st, pluginsWithNodes := prof.runPreFilter(state, pod, all)
	if !st.IsSuccess() {
		if !st.IsRejected() {
			return "", nil, st
		}
		fe := &FitError{NumAllNodes: len(all), AbsentStatus: st, PreFilterMsg: st.Message()}
		if st.Plugin() != "" {
			fe.UnschedulablePlugins = []string{st.Plugin()}
		}
		return "", fe, framework.NewStatus(framework.Unschedulable, fe.Error()).WithPlugin(st.Plugin())
	}

	filters := s.filters[:0]
	for _, pl := range prof.filter {
		if _, skip := state.SkipFilterPlugins[pl.Name()]; !skip {
			filters = append(filters, filterRef{pl})
		}
	}
	s.filters = filters

	if nnn := pod.Status.NominatedNodeName; nnn != "" {
		if ni, ok := s.cache.Get(nnn); ok {
			if _, in := restrict[nnn]; restrict == nil || in {
				fs, _ := s.filterNode(prof, filters, state, pod, ni)
				if fs.Code() == framework.Error {
					return "", nil, fs
				}
				if fs.IsSuccess() {
					return nnn, nil, nil
				}
			}
		}
	}

	nodes := all
	var absent *framework.Status
	if restrict != nil {
		nodes = s.nodesBuf[:0]
		for _, ni := range all {
			if _, ok := restrict[ni.Name()]; ok {
				nodes = append(nodes, ni)
			}
		}
		s.nodesBuf = nodes
		absent = framework.NewStatus(framework.UnschedulableAndUnresolvable,
			fmt.Sprintf("node(s) didn't satisfy plugin(s) %v", pluginsWithNodes))
	}

	feasible, failures, st := s.findFeasible(prof, filters, state, pod, nodes)
	s.nextStartNodeIndex = (s.nextStartNodeIndex + len(feasible) + len(failures)) % len(all)
	if !st.IsSuccess() {
		return "", nil, st
	}
	if len(feasible) == 0 {
		fe := &FitError{NumAllNodes: len(all), statuses: append([]nodeFailure(nil), failures...), AbsentStatus: absent}
		seen := map[string]bool{}
		for _, nf := range failures {
			if p := nf.status.Plugin(); p != "" && !seen[p] {
				seen[p] = true
				fe.UnschedulablePlugins = append(fe.UnschedulablePlugins, p)
			}
		}
		if absent != nil && len(pluginsWithNodes) > 0 {
			for _, p := range pluginsWithNodes {
				if !seen[p] {
					seen[p] = true
					fe.UnschedulablePlugins = append(fe.UnschedulablePlugins, p)
				}
			}
		}
		return "", fe, framework.NewStatus(framework.Unschedulable, fe.Error())
	}
	if len(feasible) == 1 {
		return feasible[0].Name(), nil, nil
	}
	return s.prioritize(prof, state, pod, feasible)
}

// findFeasible filters nodes starting at the rotating index and stops at the
// k-th feasible node (SEMANTICS 1.3).
func (s *Scheduler) findFeasible(prof *Profile, filters []filterRef, state *framework.CycleState, pod *api.Pod, nodes []*framework.NodeInfo) ([]*framework.NodeInfo, []nodeFailure, *framework.Status) {
	n := len(nodes)
	want := s.numFeasibleNodesToFind(prof, n)
	feasible := s.feasible[:0]
	failures := s.failures[:0]
	start := s.nextStartNodeIndex % n
	if len(filters) == 0 {
		for i := 0; i < want; i++ {
			feasible = append(feasible, nodes[(start+i)%n])
		}
		s.feasible = feasible[:0]
		return feasible, failures, nil
	}
	if !s.queue.nominated.empty() {
		for i := 0; i < n; i++ {
			idx := start + i
			if idx >= n {
				idx -= n
			}
			ni := nodes[idx]
			st, pl := s.filterNode(prof, filters, state, pod, ni)
			if st.IsSuccess() {
				feasible = append(feasible, ni)
				if len(feasible) >= want {
					break
				}
				continue
			}
			if !st.IsRejected() {
				return nil, nil, framework.AsStatus(fmt.Errorf("running %q filter plugin: %s", pl, st.Message())).WithPlugin(pl)
			}
			st.WithPlugin(pl)
			failures = append(failures, nodeFailure{name: ni.Name(), status: st})
		}
		s.feasible, s.failures = feasible[:0], failures[:0]
		return feasible, failures, nil
	}
	// Without nominated pods, filter chunks of nodes plugin by plugin, then
	// take the results in node order as the one-node-at-a-time loop would:
	// filters are pure, so only the number of nodes evaluated differs.
	batches := s.filterBatches(filters)
	for done := 0; done < n; {
		m := min(max(want-len(feasible), minFilterChunk), n-done)
		chunk := s.chunk[:0]
		for i := range m {
			idx := start + done + i
			if idx >= n {
				idx -= n
			}
			chunk = append(chunk, nodes[idx])
		}
		s.chunk = chunk
		statuses, which := s.filterChunk(filters, batches, state, pod, chunk)
		for k, ni := range chunk {
			st := statuses[k]
			if st.IsSuccess() {
				feasible = append(feasible, ni)
				if len(feasible) >= want {
					break
				}
				continue
			}
			pl := filters[which[k]].pl.Name()
			if !st.IsRejected() {
				clear(statuses)
				return nil, nil, framework.AsStatus(fmt.Errorf("running %q filter plugin: %s", pl, st.Message())).WithPlugin(pl)
			}
			st.WithPlugin(pl)
			failures = append(failures, nodeFailure{name: ni.Name(), status: st})
		}
		clear(statuses)
		done += m
		if len(feasible) >= want {
			break
		}
	}
	clear(s.chunk)
	s.feasible, s.failures = feasible[:0], failures[:0]
	return feasible, failures, nil
}

// minFilterChunk is the smallest number of nodes filtered together.
const minFilterChunk = 16

// filterBatches returns, parallel to filters, each filter as a batch filter
// (nil when it is not one), in scratch space.
func (s *Scheduler) filterBatches(filters []filterRef) []framework.BatchFilterPlugin {
	out := s.batches[:0]
	for _, f := range filters {
		b, _ := f.pl.(framework.BatchFilterPlugin)
		out = append(out, b)
	}
	s.batches = out
	return out
}

// filterChunk runs the filters over nodes, each node until its first
// failure. It returns, parallel to nodes, each node's failing status (nil
// when it passed) and the index of the filter that failed it (scratch space,
// valid until the next call; the caller clears the statuses).
func (s *Scheduler) filterChunk(filters []filterRef, batches []framework.BatchFilterPlugin, state *framework.CycleState, pod *api.Pod, nodes []*framework.NodeInfo) ([]*framework.Status, []int) {
	m := len(nodes)
	if cap(s.chunkStatus) < m {
		s.chunkStatus = make([]*framework.Status, m)
		s.chunkWhich = make([]int, m)
		s.alive = make([]int, m)
		s.aliveNodes = make([]*framework.NodeInfo, m)
		s.out = make([]*framework.Status, m)
	}
	statuses, which := s.chunkStatus[:m], s.chunkWhich[:m]
	alive, aliveNodes := s.alive[:m], s.aliveNodes[:m]
	for k := range alive {
		alive[k] = k
	}
	copy(aliveNodes, nodes)
	for fi, f := range filters {
		if len(alive) == 0 {
			break
		}
		out := s.out[:len(alive)]
		if b := batches[fi]; b != nil {
			b.FilterNodes(state, pod, aliveNodes, out)
		} else {
			for k, ni := range aliveNodes {
				out[k] = f.pl.Filter(state, pod, ni)
			}
		}
		w := 0
		for k, st := range out {
			if st.IsSuccess() {
				alive[w], aliveNodes[w] = alive[k], aliveNodes[k]
				w++
				continue
			}
			statuses[alive[k]], which[alive[k]] = st, fi
		}
		clear(out)
		alive, aliveNodes = alive[:w], aliveNodes[:w]
	}
	clear(s.aliveNodes[:m])
	return statuses, which
}

// runFilters runs the filters on one node until the first failure.
func runFilters(filters []filterRef, state *framework.CycleState, pod *api.Pod, ni *framework.NodeInfo) (*framework.Status, string) {
	for _, f := range filters {
		if st := f.pl.Filter(state, pod, ni); !st.IsSuccess() {
			return st, f.pl.Name()
		}
	}
	return nil, ""
}

// filterNode runs the filters on one node, twice when higher-or-equal
// priority pods are nominated to it (SEMANTICS 1.4). It returns the first
// failing status and its plugin's name.
func (s *Scheduler) filterNode(prof *Profile, filters []filterRef, state *framework.CycleState, pod *api.Pod, ni *framework.NodeInfo) (*framework.Status, string) {
	if !s.queue.nominated.empty() {
		if st, pl, ran := s.filterWithNominated(prof, filters, state, pod, ni); ran && !st.IsSuccess() {
			return st, pl
		}
	}
	return runFilters(filters, state, pod, ni)
}

// filterWithNominated runs the first pass of nominated-pod filtering: the node
// with the nominated pods of priority ≥ pod's added. ran is false when there
// are no such pods.
func (s *Scheduler) filterWithNominated(prof *Profile, filters []filterRef, state *framework.CycleState, pod *api.Pod, ni *framework.NodeInfo) (*framework.Status, string, bool) {
	var add []*api.Pod
	for _, np := range s.queue.nominated.forNode(ni.Name()) {
		if np.UID != pod.UID && np.Priority >= pod.Priority {
			add = append(add, np)
		}
	}
	if len(add) == 0 {
		return nil, "", false
	}
	st2 := state.Clone()
	ni2 := ni.Clone()
	for _, np := range add {
		ni2.AddPod(np)
		for i, ext := range prof.preFilterExt {
			if ext == nil {
				continue
			}
			if _, skip := state.SkipFilterPlugins[prof.preFilter[i].Name()]; skip {
				continue
			}
			if st := ext.AddPod(st2, pod, np, ni2); !st.IsSuccess() {
				return framework.AsStatus(fmt.Errorf("running AddPod on PreFilter plugin %q: %s", prof.preFilter[i].Name(), st.Message())), prof.preFilter[i].Name(), true
			}
		}
	}
	for _, f := range filters {
		if st := f.pl.Filter(st2, pod, ni2); !st.IsSuccess() {
			return st, f.pl.Name(), true
		}
	}
	return nil, "", true
}

// prioritize scores the feasible nodes and picks the host: PreScore, Score per
// plugin, NormalizeScore, range check, weight, sum, then a uniformly random
// choice among the nodes with the highest total (stream "scheduler/tiebreak").
func (s *Scheduler) prioritize(prof *Profile, state *framework.CycleState, pod *api.Pod, feasible []*framework.NodeInfo) (string, *FitError, *framework.Status) {
	n := len(feasible)
	if cap(s.totals) < n {
		s.totals = make([]int64, n)
	}
	totals := s.totals[:n]
	clear(totals)
	if len(prof.score) > 0 {
		if st := prof.runPreScore(state, pod, feasible); !st.IsSuccess() {
			return "", nil, st
		}
		var st *framework.Status
		if s.scores, st = prof.runScore(state, pod, feasible, s.scores); !st.IsSuccess() {
			return "", nil, st
		}
		for _, scores := range s.scores[:len(prof.score)] {
			for j := range scores {
				totals[j] += scores[j].Score
			}
		}
	}
	best, ties := totals[0], 1
	for _, t := range totals[1:] {
		switch {
		case t > best:
			best, ties = t, 1
		case t == best:
			ties++
		}
	}
	k := 0
	if ties > 1 {
		k = s.rng.IntN(ties)
	}
	for j, t := range totals {
		if t == best {
			if k == 0 {
				return feasible[j].Name(), nil, nil
			}
			k--
		}
	}
	panic("scheduler: no host selected")
}
