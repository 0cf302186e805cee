package defaultpreemption

import (
	"errors"
	"fmt"
	"math"
	"sort"
	"strings"

	"github.com/kubesim/kubesim/scheduler/framework"
	"github.com/kubesim/kubesim/sim"
	"github.com/kubesim/kubesim/sim/api"
	"github.com/kubesim/kubesim/sim/store"
)

// candidate is a node where preemption lets the pod fit: the victims, most
// important first, and how many of them violate a PodDisruptionBudget.
type candidate struct {
	node             string
	victims          []*api.Pod
	numPDBViolations int
}

// nodeStatus is a potential node that is no candidate, with why.
type nodeStatus struct {
	node   string
	status *framework.Status
}

// preempt is PostFilter without the message prefix (upstream Evaluator.Preempt).
func (pl *DefaultPreemption) preempt(state *framework.CycleState, p *api.Pod, m framework.NodeToStatus) (*framework.PostFilterResult, *framework.Status) {
	st := pl.h.Store()
	cur, ok := st.Pods.Get(p.Namespace, p.Name)
	if !ok || cur.UID != p.UID {
		return nil, framework.AsStatus(fmt.Errorf("pod %s not found", p.Key()))
	}
	p = cur
	ph, err := pl.preemptionHandle()
	if err != nil {
		return nil, framework.AsStatus(err)
	}
	lister := pl.h.SnapshotSharedLister()
	if ok, msg := eligible(lister, p, m); !ok {
		return nil, framework.NewStatus(framework.Unschedulable, msg)
	}
	all := lister.List()
	if len(all) == 0 {
		return nil, framework.AsStatus(errors.New("no nodes available"))
	}
	candidates, statuses, err := pl.findCandidates(ph, state, p, all, m)
	if err != nil && len(candidates) == 0 {
		return nil, framework.AsStatus(err)
	}
	if len(candidates) == 0 {
		// An empty result clears the pod's nominated node.
		return &framework.PostFilterResult{}, framework.NewStatus(framework.Unschedulable, fitMessage(len(all), statuses))
	}
	best := pickOneNodeForPreemption(candidates, pl.h.Now())
	if err := pl.prepareCandidate(ph, best, p); err != nil {
		return nil, framework.AsStatus(err)
	}
	return &framework.PostFilterResult{NominatedNodeName: best.node}, nil
}

// eligible reports whether p may preempt, and why not (upstream
// PodEligibleToPreemptOthers): not with preemptionPolicy Never; not while its
// nominated node (unless that node is now UnschedulableAndUnresolvable) holds
// a lower-priority pod terminating because of scheduler preemption.
func eligible(lister framework.NodeInfoLister, p *api.Pod, m framework.NodeToStatus) (bool, string) {
	if p.PreemptionPolicy == api.PreemptNever {
		return false, MsgPreemptNever
	}
	nnn := p.Status.NominatedNodeName
	if nnn == "" {
		return true, ""
	}
	if m[nnn].Code() == framework.UnschedulableAndUnresolvable {
		return true, ""
	}
	if ni, ok := lister.Get(nnn); ok {
		for _, pi := range ni.Pods {
			if pi.Pod.Priority < p.Priority && terminatingByPreemption(pi.Pod) {
				return false, MsgTerminatingOnNominated
			}
		}
	}
	return true, ""
}

// terminatingByPreemption reports whether p is being deleted and its
// DisruptionTarget condition says the scheduler preempted it.
func terminatingByPreemption(p *api.Pod) bool {
	if !p.IsDeleting() {
		return false
	}
	c := api.FindCondition(p.Status.Conditions, api.PodDisruptionTarget)
	return c != nil && c.Status == api.ConditionTrue && c.Reason == ReasonPreemptionByScheduler
}

// findCandidates dry-runs preemption on the potential nodes (those whose
// status is plain Unschedulable, in snapshot order) from a random offset
// (upstream findCandidates and DryRunPreemption, run sequentially). It
// returns the candidates, PDB-respecting ones first, each group in the order
// found; the statuses of the potential nodes examined that are no
// candidates; and the errors met.
func (pl *DefaultPreemption) findCandidates(ph framework.PreemptionHandle, state *framework.CycleState, p *api.Pod, all []*framework.NodeInfo, m framework.NodeToStatus) ([]*candidate, []nodeStatus, error) {
	var potential []*framework.NodeInfo
	for _, ni := range all {
		if m[ni.Name()].Code() == framework.Unschedulable {
			potential = append(potential, ni)
		}
	}
	if len(potential) == 0 {
		return nil, nil, nil
	}
	pdbs := pl.h.Store().PDBs.List("", nil)
	n := len(potential)
	offset := pl.rng.IntN(n)
	want := int(pl.calculateNumCandidates(int32(n)))
	now := pl.h.Now()
	var nonViolating, violating []*candidate
	var statuses []nodeStatus
	var errs []error
	var noVictims *framework.Status
	for i := range n {
		ni := potential[(offset+i)%n]
		if !hasLowerPriorityPod(ni, p) {
			// What selectVictimsOnNode would say, without cloning the node
			// and the state: the common case where preemption cannot help.
			if noVictims == nil {
				noVictims = framework.NewStatus(framework.UnschedulableAndUnresolvable, ErrReasonNoVictims)
			}
			statuses = append(statuses, nodeStatus{node: ni.Name(), status: noVictims})
			continue
		}
		victims, numViolations, st := selectVictimsOnNode(ph, state.Clone(), p, ni.Clone(), pdbs, now)
		if st.IsSuccess() && len(victims) > 0 {
			c := &candidate{node: ni.Name(), victims: victims, numPDBViolations: numViolations}
			if numViolations == 0 {
				if len(nonViolating) < want {
					nonViolating = append(nonViolating, c)
				}
			} else if len(violating) < want {
				violating = append(violating, c)
			}
			if len(nonViolating) > 0 && len(nonViolating)+len(violating) >= want {
				break
			}
			continue
		}
		if st.IsSuccess() {
			st = framework.AsStatus(fmt.Errorf("expected at least one victim pod on node %q", ni.Name()))
		}
		if st.Code() == framework.Error {
			errs = append(errs, errors.New(st.Message()))
		}
		statuses = append(statuses, nodeStatus{node: ni.Name(), status: st})
	}
	return append(nonViolating, violating...), statuses, errors.Join(errs...)
}

// hasLowerPriorityPod reports whether ni holds a pod of lower priority than p.
func hasLowerPriorityPod(ni *framework.NodeInfo, p *api.Pod) bool {
	for _, pi := range ni.Pods {
		if pi.Pod.Priority < p.Priority {
			return true
		}
	}
	return false
}

// selectVictimsOnNode finds the fewest, least important pods to delete from
// ni (a clone, changed here, as state is) so that p fits (upstream
// SelectVictimsOnNode): remove every lower-priority pod; if p still does not
// fit, return that status; else add them back, PDB-violating ones first and
// each group most important first, keeping each that still lets p fit. It
// returns the victims (most important first) and how many of them violate a
// PDB.
func selectVictimsOnNode(ph framework.PreemptionHandle, state *framework.CycleState, p *api.Pod, ni *framework.NodeInfo,
	pdbs []*api.PodDisruptionBudget, now sim.Time) ([]*api.Pod, int, *framework.Status) {
	remove := func(v *api.Pod) error {
		if !ni.RemovePod(v) {
			return fmt.Errorf("no pod %s on node %s", v.Key(), ni.Name())
		}
		if st := ph.RunPreFilterExtensionRemovePod(state, p, v, ni); !st.IsSuccess() {
			return errors.New(st.Message())
		}
		return nil
	}
	add := func(v *api.Pod) error {
		ni.AddPod(v)
		if st := ph.RunPreFilterExtensionAddPod(state, p, v, ni); !st.IsSuccess() {
			return errors.New(st.Message())
		}
		return nil
	}
	var potential []*api.Pod
	for _, pi := range ni.Pods {
		if pi.Pod.Priority < p.Priority {
			potential = append(potential, pi.Pod)
		}
	}
	for _, v := range potential {
		if err := remove(v); err != nil {
			return nil, 0, framework.AsStatus(err)
		}
	}
	if len(potential) == 0 {
		return nil, 0, framework.NewStatus(framework.UnschedulableAndUnresolvable, ErrReasonNoVictims)
	}
	if st := ph.RunFilterPluginsWithNominatedPods(state, p, ni); !st.IsSuccess() {
		return nil, 0, st
	}
	sortByImportance(potential, now)
	violating, nonViolating := filterPodsWithPDBViolation(potential, pdbs)
	var victims []*api.Pod
	reprieve := func(v *api.Pod) (bool, error) {
		if err := add(v); err != nil {
			return false, err
		}
		if ph.RunFilterPluginsWithNominatedPods(state, p, ni).IsSuccess() {
			return true, nil
		}
		if err := remove(v); err != nil {
			return false, err
		}
		victims = append(victims, v)
		return false, nil
	}
	numViolating := 0
	for _, v := range violating {
		fits, err := reprieve(v)
		if err != nil {
			return nil, 0, framework.AsStatus(err)
		}
		if !fits {
			numViolating++
		}
	}
	for _, v := range nonViolating {
		if _, err := reprieve(v); err != nil {
			return nil, 0, framework.AsStatus(err)
		}
	}
	if len(violating) > 0 && len(nonViolating) > 0 {
		sortByImportance(victims, now)
	}
	return victims, numViolating, nil
}

// startTime is a pod's status.startTime, or now for pods not started yet
// (upstream GetPodStartTime).
func startTime(p *api.Pod, now sim.Time) sim.Time {
	if p.Status.StartTime != nil {
		return *p.Status.StartTime
	}
	return now
}

// moreImportant orders pods by priority, higher first, then by start time,
// earlier first (upstream MoreImportantPod).
func moreImportant(a, b *api.Pod, now sim.Time) bool {
	if a.Priority != b.Priority {
		return a.Priority > b.Priority
	}
	return startTime(a, now) < startTime(b, now)
}

// sortByImportance sorts pods most important first; equally important pods
// keep their order (upstream's sort is unstable: their order is arbitrary).
func sortByImportance(pods []*api.Pod, now sim.Time) {
	sort.SliceStable(pods, func(i, j int) bool { return moreImportant(pods[i], pods[j], now) })
}

// filterPodsWithPDBViolation splits pods, keeping their order, into those
// whose deletion would violate a PodDisruptionBudget and the others: walking
// the list, each pod uses up one of status.disruptionsAllowed of every PDB of
// its namespace whose non-empty selector matches its (non-empty) labels,
// unless the PDB already lists the pod in status.disruptedPods (the API server
// has counted it); it violates if one of them goes below zero.
func filterPodsWithPDBViolation(pods []*api.Pod, pdbs []*api.PodDisruptionBudget) (violating, nonViolating []*api.Pod) {
	allowed := make([]int32, len(pdbs))
	for i, pdb := range pdbs {
		allowed[i] = pdb.Status.DisruptionsAllowed
	}
	for _, p := range pods {
		violated := false
		if len(p.Labels) != 0 {
			for i, pdb := range pdbs {
				if pdb.Namespace != p.Namespace || pdb.Selector == nil || pdb.Selector.Empty() || !pdb.Selector.Matches(p.Labels) {
					continue
				}
				if _, counted := pdb.Status.DisruptedPods[p.Name]; counted {
					continue
				}
				allowed[i]--
				if allowed[i] < 0 {
					violated = true
				}
			}
		}
		if violated {
			violating = append(violating, p)
		} else {
			nonViolating = append(nonViolating, p)
		}
	}
	return violating, nonViolating
}

// pickOneNodeForPreemption chooses among the candidates, as upstream: fewest
// PDB violations; then the lowest highest-victim priority; then the lowest sum
// of (victim priority + 2^31); then the fewest victims; then the latest
// earliest start time among the highest-priority victims; then the first
// remaining in candidate order (upstream: Go map order).
func pickOneNodeForPreemption(cands []*candidate, now sim.Time) *candidate {
	if len(cands) == 0 {
		return nil
	}
	scores := []func(c *candidate) int64{
		func(c *candidate) int64 { return -int64(c.numPDBViolations) },
		func(c *candidate) int64 { return -int64(c.victims[0].Priority) },
		func(c *candidate) int64 {
			var sum int64
			for _, v := range c.victims {
				sum += int64(v.Priority) + int64(math.MaxInt32) + 1
			}
			return -sum
		},
		func(c *candidate) int64 { return -int64(len(c.victims)) },
		func(c *candidate) int64 { return int64(earliestStartTime(c.victims, now)) },
	}
	remaining := cands
	for _, score := range scores {
		if len(remaining) == 1 {
			break
		}
		var best []*candidate
		top := int64(math.MinInt64)
		for _, c := range remaining {
			s := score(c)
			if s > top {
				top, best = s, best[:0]
			}
			if s == top {
				best = append(best, c)
			}
		}
		remaining = best
	}
	return remaining[0]
}

// earliestStartTime is the earliest start time among the highest-priority
// victims (upstream GetEarliestPodStartTime).
func earliestStartTime(victims []*api.Pod, now sim.Time) sim.Time {
	earliest := startTime(victims[0], now)
	top := victims[0].Priority
	for _, v := range victims[1:] {
		switch {
		case v.Priority == top:
			earliest = min(earliest, startTime(v, now))
		case v.Priority > top:
			top, earliest = v.Priority, startTime(v, now)
		}
	}
	return earliest
}

// prepareCandidate acts on the chosen node (upstream prepareCandidateAsync,
// whose order it keeps): lower-priority pods nominated to it lose their
// nomination; then every victim not already being deleted is rejected if it
// waits at Permit, or else marked DisruptionTarget=True and deleted with its
// own grace period; each preempted victim gets a "Preempted" event.
func (pl *DefaultPreemption) prepareCandidate(ph framework.PreemptionHandle, c *candidate, preemptor *api.Pod) error {
	st, comp, now := pl.h.Store(), pl.h.Component(), pl.h.Now()
	for _, np := range append([]*api.Pod(nil), ph.NominatedPodsForNode(c.node)...) {
		if np.Priority >= preemptor.Priority {
			continue
		}
		cur, ok := st.Pods.Get(np.Namespace, np.Name)
		if !ok || cur.UID != np.UID || cur.Status.NominatedNodeName == "" {
			continue
		}
		upd := cur.Clone()
		upd.Status.NominatedNodeName = ""
		// Not critical, as upstream: a failure leaves the nomination.
		_, _ = st.Pods.Update(comp, upd, ReasonNominationCleared)
	}
	schedName := preemptor.Spec.SchedulerName
	if schedName == "" {
		schedName = api.DefaultSchedulerName
	}
	msg := fmt.Sprintf("Preempted by pod %v on node %v", preemptor.UID, c.node)
	wph, _ := pl.h.(framework.WaitingPodHandle)
	for _, v := range c.victims {
		if v.IsDeleting() {
			continue
		}
		if wph != nil {
			if wp := wph.GetWaitingPod(v.UID); wp != nil {
				wp.Reject(Name, "preempted")
				st.Record(comp, v, ReasonPreempted, msg)
				continue
			}
		}
		cur, ok := st.Pods.Get(v.Namespace, v.Name)
		if !ok || cur.UID != v.UID {
			continue // already gone
		}
		cond := api.Condition{Type: api.PodDisruptionTarget, Status: api.ConditionTrue, Reason: ReasonPreemptionByScheduler,
			Message: schedName + ": preempting to accommodate a higher priority pod", LastTransitionTime: now}
		if old := api.FindCondition(cur.Status.Conditions, cond.Type); old == nil || old.Status != cond.Status || old.Reason != cond.Reason || old.Message != cond.Message {
			upd := cur.Clone()
			upd.Status.Conditions = api.SetCondition(cur.Status.Conditions, cond)
			if _, err := st.Pods.Update(comp, upd, ReasonPreempted); err != nil {
				if errors.Is(err, store.ErrNotFound) {
					continue
				}
				return fmt.Errorf("adding DisruptionTarget condition to %s: %w", v.Key(), err)
			}
		}
		if err := st.Pods.Delete(comp, v.Namespace, v.Name, store.DeleteOptions{UID: v.UID}, ReasonPreempted); err != nil {
			if errors.Is(err, store.ErrNotFound) {
				continue
			}
			return fmt.Errorf("preempting %s: %w", v.Key(), err)
		}
		st.Record(comp, cur, ReasonPreempted, msg)
	}
	return nil
}

// fitMessage renders upstream's FitError message for a failed preemption:
// the examined potential nodes' reasons, every other node counted as "not
// helpful", as a sorted histogram.
func fitMessage(numAll int, statuses []nodeStatus) string {
	reasons := map[string]int{}
	for _, ns := range statuses {
		for _, r := range ns.status.Reasons() {
			reasons[r]++
		}
	}
	if absent := numAll - len(statuses); absent > 0 {
		reasons[ErrReasonNotHelpful] += absent
	}
	hist := make([]string, 0, len(reasons))
	for r, n := range reasons {
		hist = append(hist, fmt.Sprintf("%d %s", n, r))
	}
	sort.Strings(hist)
	msg := fmt.Sprintf("0/%d nodes are available:", numAll)
	if len(hist) > 0 {
		msg += " " + strings.Join(hist, ", ") + "."
	}
	return msg
}
