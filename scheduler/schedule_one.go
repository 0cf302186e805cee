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
	all, allIDs := s.cache.List(), s.cache.ListIDs()
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
		if !state.SkipFilterPlugins.Has(pl.Name()) {
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

	nodes, ids := all, allIDs
	var absent *framework.Status
	if restrict != nil {
		nodes, ids = s.nodesBuf[:0], s.idsBuf[:0]
		for i, ni := range all {
			if _, ok := restrict[ni.Name()]; ok {
				nodes = append(nodes, ni)
				ids = append(ids, allIDs[i])
			}
		}
		s.nodesBuf, s.idsBuf = nodes, ids
		absent = framework.NewStatus(framework.UnschedulableAndUnresolvable,
			fmt.Sprintf("node(s) didn't satisfy plugin(s) %v", pluginsWithNodes))
	}

	feasible, feasibleIDs, failures, st := s.findFeasible(prof, filters, state, pod, nodes, ids)
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
	return s.prioritize(prof, state, pod, feasible, feasibleIDs)
}

// findFeasible filters nodes (whose cache IDs are ids) starting at the
// rotating index and stops at the k-th feasible node (SEMANTICS 1.3). It
// returns the feasible nodes with their IDs.
func (s *Scheduler) findFeasible(prof *Profile, filters []filterRef, state *framework.CycleState, pod *api.Pod, nodes []*framework.NodeInfo, ids []int32) ([]*framework.NodeInfo, []int32, []nodeFailure, *framework.Status) {
	n := len(nodes)
	want := s.numFeasibleNodesToFind(prof, n)
	feasible, feasibleIDs := s.feasible[:0], s.feasibleIDs[:0]
	failures := s.failures[:0]
	start := s.nextStartNodeIndex % n
	if len(filters) == 0 {
		for i := 0; i < want; i++ {
			feasible = append(feasible, nodes[(start+i)%n])
			feasibleIDs = append(feasibleIDs, ids[(start+i)%n])
		}
		s.feasible, s.feasibleIDs = feasible, feasibleIDs
		return feasible, feasibleIDs, failures, nil
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
				feasibleIDs = append(feasibleIDs, ids[idx])
				if len(feasible) >= want {
					break
				}
				continue
			}
			if !st.IsRejected() {
				return nil, nil, nil, framework.AsStatus(fmt.Errorf("running %q filter plugin: %s", pl, st.Message())).WithPlugin(pl)
			}
			st.WithPlugin(pl)
			failures = append(failures, nodeFailure{name: ni.Name(), status: st})
		}
		s.feasible, s.feasibleIDs, s.failures = feasible, feasibleIDs, failures
		return feasible, feasibleIDs, failures, nil
	}
	// Without nominated pods, filter chunks of nodes plugin by plugin, then
	// take the results in node order as the one-node-at-a-time loop would:
	// filters are pure, so only the number of nodes evaluated differs.
	paths := s.filterPaths(filters, state, pod)
	for done := 0; done < n; {
		m := min(max(want-len(feasible), minFilterChunk), n-done)
		// The chunk is one run of the node list, or two when it wraps
		// (copied together into scratch space).
		from := (start + done) % n
		to := min(from+m, n)
		chunk, chunkIDs := nodes[from:to], ids[from:to]
		if rest := m - (to - from); rest > 0 {
			chunk = append(append(s.chunk[:0], chunk...), nodes[:rest]...)
			chunkIDs = append(append(s.chunkIDs[:0], chunkIDs...), ids[:rest]...)
			s.chunk, s.chunkIDs = chunk, chunkIDs
		}
		statuses, which, failed := s.filterChunk(filters, paths, state, pod, chunk, chunkIDs)
		if failed == 0 {
			// Every node passed: take them in order, up to want.
			take := min(len(chunk), want-len(feasible))
			feasible = append(feasible, chunk[:take]...)
			feasibleIDs = append(feasibleIDs, chunkIDs[:take]...)
			statuses = nil
		}
		for k, st := range statuses {
			if st.IsSuccess() {
				feasible = append(feasible, chunk[k])
				feasibleIDs = append(feasibleIDs, chunkIDs[k])
				if len(feasible) >= want {
					break
				}
				continue
			}
			ni := chunk[k]
			pl := filters[which[k]].pl.Name()
			if !st.IsRejected() {
				clear(statuses)
				return nil, nil, nil, framework.AsStatus(fmt.Errorf("running %q filter plugin: %s", pl, st.Message())).WithPlugin(pl)
			}
			st.WithPlugin(pl)
			failures = append(failures, nodeFailure{name: ni.Name(), status: st})
		}
		if failed > 0 {
			clear(statuses)
		}
		done += m
		if len(feasible) >= want {
			break
		}
	}
	clear(s.chunk)
	s.feasible, s.feasibleIDs, s.failures = feasible, feasibleIDs, failures
	return feasible, feasibleIDs, failures, nil
}

// minFilterChunk is the smallest number of nodes filtered together.
const minFilterChunk = 16

// filterPath is how a filter of the cycle runs over a chunk of nodes.
type filterPath struct {
	batch framework.BatchFilterPlugin // nil when not a batch filter
	table framework.TableFilterPlugin // nil when not a table filter
	// flags, when flagged, are the row flags outside which the filter
	// passes every node (framework.FlagFilterPlugin).
	flags   framework.NodeFlags
	flagged bool
}

// filterPaths returns, parallel to filters, how each runs for pod in this
// cycle, in scratch space.
func (s *Scheduler) filterPaths(filters []filterRef, state *framework.CycleState, pod *api.Pod) []filterPath {
	out := s.paths[:0]
	for _, f := range filters {
		var fp filterPath
		fp.batch, _ = f.pl.(framework.BatchFilterPlugin)
		fp.table, _ = f.pl.(framework.TableFilterPlugin)
		if ff, ok := f.pl.(framework.FlagFilterPlugin); ok {
			fp.flags, fp.flagged = ff.FilterFlags(state, pod)
		}
		out = append(out, fp)
	}
	s.paths = out
	return out
}

// filterChunk runs the filters over nodes, each node until its first
// failure. It returns, parallel to nodes, each node's failing status (nil
// when it passed) and the index of the filter that failed it (scratch space,
// valid until the next call; the caller clears the statuses), and how many
// nodes failed.
func (s *Scheduler) filterChunk(filters []filterRef, paths []filterPath, state *framework.CycleState, pod *api.Pod, nodes []*framework.NodeInfo, ids []int32) ([]*framework.Status, []int, int) {
	m := len(nodes)
	if cap(s.chunkStatus) < m {
		s.chunkStatus = make([]*framework.Status, m)
		s.chunkWhich = make([]int, m)
		s.alive = make([]int, m)
		s.aliveNodes = make([]*framework.NodeInfo, m)
		s.aliveIDs = make([]int32, m)
		s.out = make([]*framework.Status, m)
	}
	statuses, which := s.chunkStatus[:m], s.chunkWhich[:m]
	// alive holds the chunk positions of the nodes still passing, and
	// aliveNodes and aliveIDs their nodes and IDs. Until a node fails they
	// are the chunk itself, and alive is nil (position k is k).
	var alive []int
	aliveNodes, aliveIDs := nodes, ids
	// keepFrom readies the scratch lists for moving the nodes that pass,
	// at the first failure.
	keepFrom := func() {
		if alive != nil {
			return
		}
		alive = s.alive[:len(aliveNodes)]
		for j := range alive {
			alive[j] = j
		}
		aliveNodes = s.aliveNodes[:copy(s.aliveNodes, aliveNodes)]
		aliveIDs = s.aliveIDs[:copy(s.aliveIDs, aliveIDs)]
	}
	table := s.cache.NodeTable()
	for fi := 0; fi < len(filters) && len(aliveNodes) > 0; {
		if paths[fi].flagged {
			// A run of flag filters: one pass over the rows, and the
			// filters themselves, in order, only where a flag is set.
			// Before the first failure w == k, and nothing moves.
			mask, end := paths[fi].flags, fi+1
			for end < len(filters) && paths[end].flagged {
				mask |= paths[end].flags
				end++
			}
			rows := table.Rows
			w := firstFlagged(rows, aliveIDs, mask)
			for k := w; k < len(aliveIDs); k++ {
				if rows[aliveIDs[k]].Flags&mask != 0 {
					if st, j := runFilterRun(filters[fi:end], state, pod, aliveNodes[k]); st != nil {
						keepFrom()
						statuses[alive[k]], which[alive[k]] = st, fi+j
						continue
					}
				}
				if alive != nil {
					alive[w], aliveNodes[w], aliveIDs[w] = alive[k], aliveNodes[k], aliveIDs[k]
				}
				w++
			}
			if alive != nil {
				alive, aliveNodes, aliveIDs = alive[:w], aliveNodes[:w], aliveIDs[:w]
			}
			fi = end
			continue
		}
		f := filters[fi]
		out := s.out[:len(aliveNodes)]
		switch fp := paths[fi]; {
		case fp.table != nil:
			fp.table.FilterTable(state, pod, table, aliveIDs, aliveNodes, out)
		case fp.batch != nil:
			fp.batch.FilterNodes(state, pod, aliveNodes, out)
		default:
			for k, ni := range aliveNodes {
				out[k] = f.pl.Filter(state, pod, ni)
			}
		}
		fi++
		// Keep the nodes that passed; most do, so look for the first
		// failure before moving anything.
		w := 0
		for w < len(out) && out[w] == nil {
			w++
		}
		if w == len(out) {
			continue
		}
		keepFrom()
		for k := w; k < len(out); k++ {
			if st := out[k]; !st.IsSuccess() {
				statuses[alive[k]], which[alive[k]] = st, fi-1
				continue
			}
			alive[w], aliveNodes[w], aliveIDs[w] = alive[k], aliveNodes[k], aliveIDs[k]
			w++
		}
		clear(out)
		alive, aliveNodes, aliveIDs = alive[:w], aliveNodes[:w], aliveIDs[:w]
	}
	if alive != nil {
		clear(s.aliveNodes[:m])
	}
	return statuses, which, m - len(aliveNodes)
}

// firstFlagged returns the index of the first of ids whose row has a flag
// in mask, len(ids) when none has.
func firstFlagged(rows []framework.NodeRow, ids []int32, mask framework.NodeFlags) int {
	for k, id := range ids {
		if rows[id].Flags&mask != 0 {
			return k
		}
	}
	return len(ids)
}

// runFilterRun runs filters on one node until the first failure, which it
// returns with the failing filter's index in filters (nil, 0 when all pass).
func runFilterRun(filters []filterRef, state *framework.CycleState, pod *api.Pod, ni *framework.NodeInfo) (*framework.Status, int) {
	for j, f := range filters {
		if st := f.pl.Filter(state, pod, ni); !st.IsSuccess() {
			return st, j
		}
	}
	return nil, 0
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
	if st, j := runFilterRun(filters, state, pod, ni); st != nil {
		return st, filters[j].pl.Name()
	}
	return nil, ""
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
			if state.SkipFilterPlugins.Has(prof.preFilter[i].Name()) {
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
func (s *Scheduler) prioritize(prof *Profile, state *framework.CycleState, pod *api.Pod, feasible []*framework.NodeInfo, ids []int32) (string, *FitError, *framework.Status) {
	n := len(feasible)
	if cap(s.totals) < n {
		s.totals = make([]int64, n)
	}
	totals := s.totals[:n]
	best, ties := int64(0), n
	if len(prof.score) > 0 {
		if st := prof.runPreScore(state, pod, feasible); !st.IsSuccess() {
			return "", nil, st
		}
		var st *framework.Status
		if s.scores, st = prof.runScoreTable(state, pod, feasible, s.cache.NodeTable(), ids, s.scores, false); !st.IsSuccess() {
			return "", nil, st
		}
		if best, ties, st = prof.totalScores(s.scores, totals); !st.IsSuccess() {
			return "", nil, st
		}
	} else {
		clear(totals)
	}
	if ties > 1 && s.rankRand != nil {
		return s.firstInOrder(totals, best, ids), nil, nil
	}
	k := 0
	if ties > 1 {
		k = s.rng.IntN(ties)
	}
	for j, t := range totals {
		if t == best {
			if k == 0 {
				return s.cache.NodeTable().Names[ids[j]], nil, nil
			}
			k--
		}
	}
	panic("scheduler: no host selected")
}

// nodeRank is a node's place in TieBreakPermutation's order: i.i.d. uniform
// keys, drawn the first time the node ties, sort the nodes in a uniformly
// random order.
type nodeRank struct {
	name string
	key  uint64
}

// firstInOrder returns the node with total best that comes first in the
// run's random node order (TieBreakPermutation); equal keys, which the draw
// makes vanishingly rare, go to the smaller name.
func (s *Scheduler) firstInOrder(totals []int64, best int64, ids []int32) string {
	names := s.cache.NodeTable().Names
	pick, pickKey := "", uint64(0)
	for j, t := range totals {
		if t != best {
			continue
		}
		id := ids[j]
		for int(id) >= len(s.ranks) {
			s.ranks = append(s.ranks, nodeRank{})
		}
		r := &s.ranks[id]
		name := names[id]
		if r.name != name {
			*r = nodeRank{name: name, key: s.rankRand.Uint64()}
		}
		if pick == "" || r.key < pickKey || r.key == pickKey && name < pick {
			pick, pickKey = name, r.key
		}
	}
	return pick
}
