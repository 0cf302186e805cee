package results

import (
	"fmt"
	"math"
	"time"

	"github.com/kubesim/kubesim/sim"
	"github.com/kubesim/kubesim/sim/api"
	"github.com/kubesim/kubesim/sim/store"
	"github.com/kubesim/kubesim/workloads/traffic"
)

// Labels and annotations the workload tracker reads, as upstream names them.
const (
	// AnnotationRevision is the Deployment's (and its ReplicaSets') revision.
	AnnotationRevision = "deployment.kubernetes.io/revision"
	// LabelRevisionHash is the pod label naming the StatefulSet or DaemonSet
	// revision a pod was made from (a ControllerRevision's name or hash).
	LabelRevisionHash = "controller-revision-hash"
	// LabelControllerRevisionHash is the ControllerRevision label holding its
	// hash (StatefulSets; DaemonSets' revisions carry LabelRevisionHash).
	LabelControllerRevisionHash = "controller.kubernetes.io/hash"
)

// Rollout outcomes in summary.json.
const (
	RolloutComplete   = "complete"
	RolloutSuperseded = "superseded"
	RolloutDeleted    = "deleted"
	RolloutInProgress = "in-progress"
)

// wlCounts is one row of workloads.csv without its time and identity.
type wlCounts struct {
	desired, current, ready, available, updated, terminating int32
	// old counts the pods (terminating ones included) of other templates.
	old      int32
	revision string
}

// wlRow is one row of workloads.csv.
type wlRow struct {
	t  sim.Time
	wl int32 // index in workloadTracker.wls
	c  wlCounts
	// dropped is set when the writes of the row's instant left the counts
	// as they were before it: the row is not written.
	dropped bool
}

// podGroup is the pods of one revision of a workload: one ReplicaSet, or one
// controller-revision-hash value of a StatefulSet or DaemonSet.
type podGroup struct {
	wl *workloadRec
	// id is the ReplicaSet's UID or the revision label's value.
	id string
	// hash is the ReplicaSet template's content hash (0 for label groups).
	hash                                           uint32
	current, ready, available, terminating, active int32
	// gone is set when the group's ReplicaSet was removed; the group is
	// dropped once no pod counts in it.
	gone bool
}

// revisionInfo is a ControllerRevision owned by a StatefulSet or DaemonSet.
type revisionInfo struct {
	uid api.UID
	// ids are the values a pod's controller-revision-hash label takes for
	// this revision: its name (StatefulSets) and its hash labels
	// (DaemonSets label pods with the hash).
	ids  [3]string
	hash uint32
}

// rolloutRec is one rollout of a workload.
type rolloutRec struct {
	start, end       sim.Time // end is unset until the rollout closes
	outcome          string
	revision         string
	deadlineExceeded bool
	minAvailable     int32
	peakSurge        int32
	// peakCapacitySurge counts terminating pods too: the capacity borrowed.
	peakCapacitySurge int32
	window            *traffic.Window
	load              traffic.Totals
	hasLoad           bool
}

// loadRec is a workload's offered load and its tracker.
type loadRec struct {
	kind            api.Kind
	namespace, name string
	tracker         *traffic.Tracker
	wl              *workloadRec // the workload feeding the tracker, nil before it exists
}

// workloadRec tracks one workload object (one UID) over the run.
type workloadRec struct {
	index           int32
	kind            api.Kind
	namespace, name string
	uid             api.UID
	desired         int32
	minReady        time.Duration
	hash            uint32
	template        *api.PodTemplate
	revision        string
	deleted         bool
	groups          []*podGroup
	revisions       []revisionInfo
	// counts are the current counts; rowed is set once the first row is
	// written. rowIdx and rowTime are the workload's last row; before the
	// counts before that row's instant.
	counts  wlCounts
	rowed   bool
	rowIdx  int
	rowTime sim.Time
	before  wlCounts
	// pending is set while the state at pendingAt (the end of an instant)
	// has not yet been folded into the open rollout (settle).
	pending   bool
	pendingAt sim.Time
	open      *rolloutRec
	rollouts  []*rolloutRec
	load      *loadRec
}

// podState is what a pod last contributed to its group.
type podState struct {
	group                                          *podGroup
	current, ready, available, terminating, active bool
	timer                                          sim.Timer
}

// workloadTracker keeps workloads.csv's rows and the per-workload figures of
// summary.json from the store's writes.
type workloadTracker struct {
	r      *Recorder
	wls    []*workloadRec
	byUID  map[api.UID]*workloadRec
	rsets  map[api.UID]*podGroup // ReplicaSet UID → its group
	pods   map[string]*podState  // pod store key → state
	loads  []*loadRec
	rows   []wlRow
	loadBy map[string]*loadRec // "Kind namespace/name" → load
}

func newWorkloadTracker(r *Recorder) *workloadTracker {
	return &workloadTracker{r: r, byUID: map[api.UID]*workloadRec{}, rsets: map[api.UID]*podGroup{},
		pods: map[string]*podState{}, loadBy: map[string]*loadRec{}}
}

// AddLoad offers load to the workload of the given kind (Deployment or
// StatefulSet), namespace and name: from its creation to the end of the run
// the Recorder integrates the offered and served requests (see package
// traffic) and reports them in summary.json, for the whole run and for each
// rollout. If the workload is deleted and created again, the load follows the
// newest object. Call AddLoad before Start; a second load for the same
// workload, another kind, or a call after Start is an error.
func (r *Recorder) AddLoad(kind api.Kind, namespace, name string, load traffic.Load) error {
	if r.started {
		return fmt.Errorf("results: AddLoad after Start")
	}
	switch kind {
	case api.KindDeployment, api.KindStatefulSet:
	default:
		return fmt.Errorf("results: load can be offered to a Deployment or a StatefulSet, not a %s", kind)
	}
	id := string(kind) + " " + api.Key(namespace, name)
	if _, dup := r.wl.loadBy[id]; dup {
		return fmt.Errorf("results: %s already has a load", id)
	}
	lr := &loadRec{kind: kind, namespace: namespace, name: name, tracker: traffic.NewTracker(load)}
	r.wl.loadBy[id] = lr
	r.wl.loads = append(r.wl.loads, lr)
	return nil
}

// isWorkloadKind reports whether writes of kind concern the workload tracker.
func isWorkloadKind(k api.Kind) bool {
	switch k {
	case api.KindPod, api.KindReplicaSet, api.KindDeployment, api.KindStatefulSet, api.KindDaemonSet, api.KindControllerRevision:
		return true
	}
	return false
}

// observe handles one store write (not an event) of a workload-related kind.
func (wt *workloadTracker) observe(kind api.Kind, old, new api.Object, now sim.Time) {
	switch kind {
	case api.KindPod:
		p, _ := new.(*api.Pod)
		var key string
		if p != nil {
			key = p.Key()
		} else if o, ok := old.(*api.Pod); ok {
			key = o.Key()
		}
		wt.observePod(key, p, now)
	case api.KindReplicaSet:
		o, _ := old.(*api.ReplicaSet)
		n, _ := new.(*api.ReplicaSet)
		wt.observeReplicaSet(o, n, now)
	case api.KindDeployment, api.KindStatefulSet, api.KindDaemonSet:
		wt.observeWorkload(kind, old, new, now)
	case api.KindControllerRevision:
		o, _ := old.(*api.ControllerRevision)
		n, _ := new.(*api.ControllerRevision)
		wt.observeRevision(o, n, now)
	}
}

// workloadFields extracts what the tracker reads from a workload object.
func workloadFields(o api.Object) (desired int32, minReady time.Duration, tmpl *api.PodTemplate, revision string, deadline bool) {
	switch x := o.(type) {
	case *api.Deployment:
		c := api.FindCondition(x.Status.Conditions, "Progressing")
		deadline = c != nil && c.Status == api.ConditionFalse && c.Reason == "ProgressDeadlineExceeded"
		return x.Replicas, seconds(x.MinReadySeconds), x.Template, x.Annotations[AnnotationRevision], deadline
	case *api.StatefulSet:
		return x.Replicas, seconds(x.MinReadySeconds), x.Template, "", false
	case *api.DaemonSet:
		return x.Status.DesiredNumberScheduled, seconds(x.MinReadySeconds), x.Template, "", false
	case *api.ReplicaSet:
		return x.Replicas, seconds(x.MinReadySeconds), x.Template, "", false
	}
	return 0, 0, nil, "", false
}

func seconds(s int32) time.Duration { return time.Duration(s) * time.Second }

func templateHash(t *api.PodTemplate) uint32 {
	if t == nil {
		return 0
	}
	return t.Hash
}

// templateChanged reports whether a workload's pod template changed: its
// content hash, or for templates built without one, the template itself.
func templateChanged(a, b *api.PodTemplate) bool {
	ha, hb := templateHash(a), templateHash(b)
	if ha != 0 || hb != 0 {
		return ha != hb
	}
	return a != b
}

// newWorkload registers a workload object seen for the first time.
func (wt *workloadTracker) newWorkload(kind api.Kind, o api.Object, now sim.Time) *workloadRec {
	m := o.GetMeta()
	wl := &workloadRec{index: int32(len(wt.wls)), kind: kind, namespace: m.Namespace, name: m.Name, uid: m.UID}
	wt.wls = append(wt.wls, wl)
	wt.byUID[m.UID] = wl
	wl.desired, wl.minReady, wl.template, wl.revision, _ = workloadFields(o)
	wl.hash = templateHash(wl.template)
	if lr := wt.loadBy[string(kind)+" "+m.Key()]; lr != nil {
		if lr.wl != nil {
			lr.wl.load = nil
		}
		lr.wl = wl
		wl.load = lr
	}
	return wl
}

// observeWorkload handles a Deployment, StatefulSet or DaemonSet write.
func (wt *workloadTracker) observeWorkload(kind api.Kind, old, new api.Object, now sim.Time) {
	obj := new
	if obj == nil {
		obj = old
	}
	wl := wt.byUID[obj.GetMeta().UID]
	if wl == nil {
		wl = wt.newWorkload(kind, obj, now)
		wt.refresh(wl, now)
		return
	}
	wt.settle(wl, now)
	if new == nil {
		wl.deleted = true
		wl.desired = 0
		wt.closeRollout(wl, now, RolloutDeleted)
		wt.refresh(wl, now)
		return
	}
	desired, minReady, tmpl, revision, deadline := workloadFields(new)
	changed := templateChanged(wl.template, tmpl)
	wl.desired, wl.revision, wl.template, wl.hash = desired, revision, tmpl, templateHash(tmpl)
	if minReady != wl.minReady {
		wl.minReady = minReady
		wt.reevaluatePods(wl, now)
	}
	if changed && !wl.deleted {
		wt.closeRollout(wl, now, RolloutSuperseded)
		wt.openRollout(wl, now)
	}
	if _, _, _, _, was := workloadFields(old); deadline && !was && wl.open != nil {
		// The Progressing condition turned False (ProgressDeadlineExceeded)
		// during this rollout.
		wl.open.deadlineExceeded = true
	}
	wt.refresh(wl, now)
}

// observeReplicaSet handles a ReplicaSet write: it creates or moves the
// ReplicaSet's pod group, and a ReplicaSet without a controller is a
// workload of its own.
func (wt *workloadTracker) observeReplicaSet(old, new *api.ReplicaSet, now sim.Time) {
	rs := new
	if rs == nil {
		rs = old
	}
	g := wt.rsets[rs.UID]
	if new == nil {
		if g != nil {
			g.gone = true
			delete(wt.rsets, rs.UID)
		}
		if wl := wt.byUID[rs.UID]; wl != nil && !wl.deleted {
			wl.deleted = true
			wl.desired = 0
		}
		if g != nil && g.wl != nil {
			wt.refresh(g.wl, now)
		}
		return
	}
	var owner *workloadRec
	if ref := rs.ControllerRef(); ref != nil {
		if ref.Kind == api.KindDeployment {
			owner = wt.byUID[ref.UID]
		}
	} else {
		owner = wt.byUID[rs.UID]
		if owner == nil {
			owner = wt.newWorkload(api.KindReplicaSet, rs, now)
		}
		owner.desired, owner.minReady, owner.template, _, _ = workloadFields(rs)
		owner.hash = templateHash(owner.template)
	}
	if wl := wt.byUID[rs.UID]; wl != nil && wl != owner && !wl.deleted {
		// A ReplicaSet adopted by a Deployment stops being a workload of its own.
		wl.deleted = true
		wl.desired = 0
		wt.refresh(wl, now)
	}
	if g == nil {
		g = &podGroup{id: string(rs.UID)}
		wt.rsets[rs.UID] = g
	}
	g.hash = templateHash(rs.Template)
	if g.wl != owner {
		prev := g.wl
		wt.detach(g)
		if owner != nil {
			g.wl = owner
			owner.groups = append(owner.groups, g)
		}
		if prev != nil {
			wt.refresh(prev, now)
		}
	}
	if owner != nil {
		wt.refresh(owner, now)
	}
}

// detach removes g from its workload's groups.
func (wt *workloadTracker) detach(g *podGroup) {
	if g.wl == nil {
		return
	}
	gs := g.wl.groups
	for i, x := range gs {
		if x == g {
			g.wl.groups = append(gs[:i], gs[i+1:]...)
			break
		}
	}
	g.wl = nil
}

// observeRevision keeps the ControllerRevisions of StatefulSets and DaemonSets.
func (wt *workloadTracker) observeRevision(old, new *api.ControllerRevision, now sim.Time) {
	cr := new
	if cr == nil {
		cr = old
	}
	ref := cr.ControllerRef()
	if ref == nil {
		return
	}
	wl := wt.byUID[ref.UID]
	if wl == nil {
		return
	}
	for i, ri := range wl.revisions {
		if ri.uid == cr.UID {
			wl.revisions = append(wl.revisions[:i], wl.revisions[i+1:]...)
			break
		}
	}
	if new != nil {
		wl.revisions = append(wl.revisions, revisionInfo{uid: cr.UID, hash: templateHash(cr.Template),
			ids: [3]string{cr.Name, cr.Labels[LabelControllerRevisionHash], cr.Labels[LabelRevisionHash]}})
	}
	wt.refresh(wl, now)
}

// groupFor returns the group a pod counts in, or nil when it belongs to no
// tracked workload.
func (wt *workloadTracker) groupFor(p *api.Pod) *podGroup {
	ref := p.ControllerRef()
	if ref == nil {
		return nil
	}
	switch ref.Kind {
	case api.KindReplicaSet:
		return wt.rsets[ref.UID]
	case api.KindStatefulSet, api.KindDaemonSet:
		wl := wt.byUID[ref.UID]
		if wl == nil {
			return nil
		}
		id := p.Labels[LabelRevisionHash]
		for _, g := range wl.groups {
			if g.id == id {
				return g
			}
		}
		g := &podGroup{id: id, wl: wl}
		wl.groups = append(wl.groups, g)
		return g
	}
	return nil
}

// classify computes what a pod contributes: current (exists, is not
// terminal and not terminating: what upstream's status.replicas counts),
// terminating (not terminal, with a deletionTimestamp), ready and available
// (current; Ready, and for available Ready for at least minReady). It returns when a not yet available Ready pod becomes
// available (sim.Never when that does not apply).
func classify(p *api.Pod, minReady time.Duration, now sim.Time) (s podState, availableAt sim.Time) {
	availableAt = sim.Never
	s.current = !p.IsTerminal() && !p.IsDeleting()
	s.terminating = !p.IsTerminal() && p.IsDeleting()
	s.active = s.current
	if !s.active || !p.IsReady() {
		return s, availableAt
	}
	s.ready = true
	if minReady <= 0 {
		s.available = true
		return s, availableAt
	}
	since := now
	if c := api.FindCondition(p.Status.Conditions, api.PodReady); c != nil {
		since = c.LastTransitionTime
	}
	if at := since.Add(minReady); at <= now {
		s.available = true
	} else {
		availableAt = at
	}
	return s, availableAt
}

func b2i(b bool) int32 {
	if b {
		return 1
	}
	return 0
}

func (g *podGroup) add(s *podState, sign int32) {
	g.current += sign * b2i(s.current)
	g.ready += sign * b2i(s.ready)
	g.available += sign * b2i(s.available)
	g.terminating += sign * b2i(s.terminating)
	g.active += sign * b2i(s.active)
}

// observePod updates the pod's contribution; p is nil when the pod is gone.
func (wt *workloadTracker) observePod(key string, p *api.Pod, now sim.Time) {
	prev := wt.pods[key]
	var next podState
	availableAt := sim.Never
	if p != nil {
		if g := wt.groupFor(p); g != nil && g.wl != nil {
			next, availableAt = classify(p, g.wl.minReady, now)
			next.group = g
		}
	}
	if prev != nil && !prev.timer.IsZero() {
		wt.r.eng.Cancel(prev.timer)
		prev.timer = sim.Timer{}
	}
	if prev != nil && prev.group == next.group && prev.current == next.current && prev.ready == next.ready &&
		prev.available == next.available && prev.terminating == next.terminating {
		wt.armAvailable(prev, key, availableAt)
		return
	}
	var touched [2]*workloadRec
	if prev != nil && prev.group != nil {
		prev.group.add(prev, -1)
		touched[0] = prev.group.wl
	}
	if next.group == nil {
		delete(wt.pods, key)
	} else {
		next.group.add(&next, 1)
		touched[1] = next.group.wl
		if prev == nil {
			prev = &podState{}
			wt.pods[key] = prev
		}
		*prev = next
		wt.armAvailable(prev, key, availableAt)
	}
	for i, wl := range touched {
		if wl != nil && (i == 0 || wl != touched[0]) {
			wt.refresh(wl, now)
		}
	}
}

// armAvailable schedules a re-evaluation of the pod when it becomes available.
func (wt *workloadTracker) armAvailable(s *podState, key string, at sim.Time) {
	if at == sim.Never {
		return
	}
	s.timer = wt.r.eng.At(at, availableCheck{wt: wt, key: key})
}

// availableCheck is the engine event that re-evaluates a pod whose
// minReadySeconds have passed.
type availableCheck struct {
	wt  *workloadTracker
	key string
}

// Fire re-evaluates the pod from the store's current state.
func (a availableCheck) Fire(now sim.Time) {
	if a.wt.r.finished {
		return
	}
	if s := a.wt.pods[a.key]; s != nil {
		s.timer = sim.Timer{}
	}
	p, _ := a.wt.r.st.Pods.GetKey(a.key)
	a.wt.observePod(a.key, p, now)
}

// reevaluatePods re-classifies the pods of wl (after its minReadySeconds
// changed), in the store's order.
func (wt *workloadTracker) reevaluatePods(wl *workloadRec, now sim.Time) {
	var owners []string
	for _, g := range wl.groups {
		if wl.kind == api.KindDeployment || wl.kind == api.KindReplicaSet {
			owners = append(owners, g.id)
		}
	}
	if wl.kind == api.KindStatefulSet || wl.kind == api.KindDaemonSet {
		owners = append(owners, string(wl.uid))
	}
	for _, uid := range owners {
		for _, p := range wt.r.st.Pods.ByIndex(store.IndexOwner, uid) {
			wt.observePod(p.Key(), p, now)
		}
	}
}

// isUpdated reports whether g holds pods of wl's current template.
func (wl *workloadRec) isUpdated(g *podGroup) bool {
	switch wl.kind {
	case api.KindReplicaSet:
		return true
	case api.KindDeployment:
		return wl.hash != 0 && g.hash == wl.hash
	}
	for _, ri := range wl.revisions {
		if ri.hash == 0 || ri.hash != wl.hash || g.id == "" {
			continue
		}
		for _, id := range ri.ids {
			if g.id == id {
				return true
			}
		}
	}
	return false
}

// compute sums the groups into wl's counts, dropping empty removed groups.
func (wl *workloadRec) compute() wlCounts {
	c := wlCounts{desired: wl.desired, revision: wl.revision}
	kept := wl.groups[:0]
	for _, g := range wl.groups {
		if g.gone && g.current == 0 && g.terminating == 0 {
			g.wl = nil
			continue
		}
		kept = append(kept, g)
		c.current += g.current
		c.ready += g.ready
		c.available += g.available
		c.terminating += g.terminating
		if wl.isUpdated(g) {
			c.updated += g.active
		} else {
			c.old += g.current + g.terminating
		}
	}
	clear(wl.groups[len(kept):])
	wl.groups = kept
	return c
}

// refresh recomputes wl's counts and, when they changed, records them: a new
// row, or the workload's row of this instant updated (several writes at one
// virtual time make one row: the state after them). The load tracker is told
// at once (instants have no duration); the open rollout sees the state at the
// end of each instant (settle).
func (wt *workloadTracker) refresh(wl *workloadRec, now sim.Time) {
	c := wl.compute()
	if wl.rowed && c == wl.counts {
		return
	}
	wt.settle(wl, now)
	prev := wl.counts
	if wl.rowed && wl.rowTime == now {
		row := &wt.rows[wl.rowIdx]
		row.c = c
		row.dropped = c == wl.before
	} else {
		if wl.rowed {
			wl.before = wl.counts
		} else {
			wl.before = wlCounts{revision: "\x00"} // matches no state: the first row stays
		}
		wt.rows = append(wt.rows, wlRow{t: now, wl: wl.index, c: c})
		wl.rowIdx, wl.rowTime = len(wt.rows)-1, now
	}
	wl.counts, wl.rowed = c, true
	wl.pending, wl.pendingAt = true, now
	if lr := wl.load; lr != nil && (!lr.tracker.Started() || c.ready != prev.ready || c.desired != prev.desired) {
		lr.tracker.Observe(now, c.ready, c.desired)
	}
}

// settle folds the state at the end of the last instant before now into
// wl's open rollout: its minimum available and peak surge, and its
// completion, dated at that instant.
func (wt *workloadTracker) settle(wl *workloadRec, now sim.Time) {
	if !wl.pending || wl.pendingAt >= now {
		return
	}
	wl.pending = false
	ro := wl.open
	if ro == nil {
		return
	}
	c := wl.counts
	ro.minAvailable = min(ro.minAvailable, c.available)
	ro.peakSurge = max(ro.peakSurge, c.current-c.desired)
	ro.peakCapacitySurge = max(ro.peakCapacitySurge, c.current+c.terminating-c.desired)
	if c.updated == c.desired && c.ready == c.desired && c.available == c.desired && c.old == 0 {
		wt.closeRollout(wl, wl.pendingAt, RolloutComplete)
	}
}

// openRollout starts a rollout of wl at now; its first state is wl's at the
// end of this instant.
func (wt *workloadTracker) openRollout(wl *workloadRec, now sim.Time) {
	ro := &rolloutRec{start: now, end: unset, outcome: RolloutInProgress,
		minAvailable: math.MaxInt32, peakSurge: math.MinInt32, peakCapacitySurge: math.MinInt32}
	if wl.load != nil {
		ro.window = wl.load.tracker.OpenWindow(now)
		ro.hasLoad = true
	}
	wl.open = ro
	wl.rollouts = append(wl.rollouts, ro)
	wl.pending, wl.pendingAt = true, now
}

// closeRollout ends wl's open rollout, if any, with outcome.
func (wt *workloadTracker) closeRollout(wl *workloadRec, now sim.Time, outcome string) {
	ro := wl.open
	if ro == nil {
		return
	}
	wl.open = nil
	ro.outcome = outcome
	ro.end = now
	ro.revision = wl.revision
	if ro.window != nil && wl.load != nil {
		ro.load = wl.load.tracker.CloseWindow(ro.window, now)
	}
}

// finish integrates the loads to until and closes the windows of rollouts
// still in progress (they stay in progress).
func (wt *workloadTracker) finish(until sim.Time) {
	for _, wl := range wt.wls {
		wt.settle(wl, sim.Never)
		if ro := wl.open; ro != nil {
			ro.revision = wl.revision
			if ro.window != nil && wl.load != nil {
				ro.load = wl.load.tracker.CloseWindow(ro.window, until)
			} else if ro.window != nil {
				ro.load = ro.window.Totals()
			}
		}
	}
	for _, lr := range wt.loads {
		lr.tracker.Advance(until)
	}
}

// start takes the workload objects and pods already in the store, as
// observed now: workloads first, then ReplicaSets, revisions and pods, each
// in the store's order.
func (wt *workloadTracker) start(now sim.Time) {
	for _, d := range wt.r.st.Deployments.List("", nil) {
		wt.observeWorkload(api.KindDeployment, nil, d, now)
	}
	for _, s := range wt.r.st.StatefulSets.List("", nil) {
		wt.observeWorkload(api.KindStatefulSet, nil, s, now)
	}
	for _, d := range wt.r.st.DaemonSets.List("", nil) {
		wt.observeWorkload(api.KindDaemonSet, nil, d, now)
	}
	for _, rs := range wt.r.st.ReplicaSets.List("", nil) {
		wt.observeReplicaSet(nil, rs, now)
	}
	for _, cr := range wt.r.st.Revisions.List("", nil) {
		wt.observeRevision(nil, cr, now)
	}
	for _, p := range wt.r.st.Pods.List("", nil) {
		wt.observePod(p.Key(), p, now)
	}
}
