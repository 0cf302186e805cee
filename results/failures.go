package results

import (
	"io"
	"strconv"
	"strings"

	"github.com/olekukonko/tablewriter/tw"

	"github.com/kubesim/kubesim/sim"
	"github.com/kubesim/kubesim/sim/api"
	"github.com/kubesim/kubesim/sim/store"
)

// FailureSummary is one failure event of the run and how the cluster
// healed from it (summary.json "failures"). Times are seconds from the
// failure; null when it never happened.
type FailureSummary struct {
	// Kind is the failure plan's kind (nodeCrash, zoneOutage, random crash,
	// ...); Target what it named ("node a-1", "zone z1").
	Kind   string `json:"kind"`
	Target string `json:"target"`
	// Nodes is how many nodes it hit.
	Nodes     int   `json:"nodes"`
	AtSeconds Fixed `json:"at_seconds"`
	// AffectedPods are the pods bound to the nodes, not terminal, at the
	// failure; AffectedWorkloads their workloads ("Kind namespace/name").
	AffectedPods      int      `json:"affected_pods"`
	AffectedWorkloads []string `json:"affected_workloads"`
	// TimeToDetect: until a hit node's Ready condition first leaves True.
	TimeToDetect *Fixed `json:"time_to_detect_seconds"`
	// TimeToEvict: until the control plane (any component but a kubelet)
	// first deletes or evicts an affected pod.
	TimeToEvict *Fixed `json:"time_to_evict_seconds"`
	// TimeToHeal: until every affected workload is back to its desired
	// ready count for good, counting as not ready the pods of nodes that
	// are down (crashed or cut off) whatever the store still says: the
	// last time the count returned to desired before the nodes were
	// repaired or every affected pod was gone (0 if it never dropped).
	TimeToHeal *Fixed `json:"time_to_heal_seconds"`
	// PodSecondsLost is Σ over the affected workloads of ∫ max(0, desired −
	// ready) dt from the failure to its heal (or the end of the run).
	PodSecondsLost Fixed `json:"pod_seconds_lost"`
	// Evictions counts affected pods the control plane deleted; Restarts
	// the container restarts of affected pods after the failure.
	Evictions int `json:"evictions"`
	Restarts  int `json:"restarts"`
}

// AvailabilitySummary is a workload's availability over the run, from its
// creation to its deletion or the end of the run (summary.json
// "availability"). Ready pods of nodes that are down count as not ready.
type AvailabilitySummary struct {
	Kind      string `json:"kind"`
	Namespace string `json:"namespace"`
	Name      string `json:"name"`
	// Seconds is the span observed.
	Seconds Fixed `json:"seconds"`
	// FullFraction is the fraction of that span with ready ≥ desired.
	FullFraction Fixed `json:"full_fraction"`
	// ReadyRatio is ready-replica-seconds / desired-replica-seconds, ready
	// capped at desired (1 when nothing was desired).
	ReadyRatio            Fixed `json:"ready_ratio"`
	ReadyReplicaSeconds   Fixed `json:"ready_replica_seconds"`
	DesiredReplicaSeconds Fixed `json:"desired_replica_seconds"`
}

// availRec integrates one workload's availability.
type availRec struct {
	wl             *workloadRec
	start, last    sim.Time
	ready, desired int32 // effective values since last
	downReady      int32 // ready pods on down nodes
	ended          bool
	touched        bool
	fullSec        float64
	readySec       float64
	desiredSec     float64
	failures       []*failureRec // open failures affecting the workload
}

// failureRec is one failure event being measured.
type failureRec struct {
	kind, target          string
	nodes                 []string
	at                    sim.Time
	detect, evict, heal   sim.Time
	wls                   []*availRec
	pods                  int
	deficit               int64
	lastT                 sim.Time
	lostSec               float64
	evictions, restarts   int
	touched, open, noHeal bool
	// zeroSince is when the deficit last returned to 0 (at, if it never
	// rose); alive counts the affected pods still existing, neither
	// terminal nor terminating; repaired is set when the nodes are back
	// (NodeUp, NodeRepaired).
	zeroSince sim.Time
	alive     int
	repaired  bool
}

// failureTracker measures failures and availability from the store's
// writes and the failure plan's notes (FailureStarted, NodeDown, NodeUp).
// Changes are folded at the end of each instant (several writes at one
// virtual time count as their final state).
type failureTracker struct {
	r         *Recorder
	instant   sim.Time
	down      map[string]int
	readyDown map[string]*availRec // pod key → workload, for ready pods of down nodes
	avail     map[*workloadRec]*availRec
	order     []*availRec
	touched   []*availRec
	cursor    int
	failures  []*failureRec
	fresh     []*failureRec // failures to settle at the end of the current instant
	byPod     map[string][]*failureRec
}

func newFailureTracker(r *Recorder) *failureTracker {
	return &failureTracker{r: r, down: map[string]int{}, readyDown: map[string]*availRec{},
		avail: map[*workloadRec]*availRec{}, byPod: map[string][]*failureRec{}}
}

// FailureStarted tells the recorder that a failure of the given kind hit
// nodes now (nil nodes: a failure without nodes, e.g. an image outage, which
// gets a row with no figures). Call it when the failure is injected, before
// NodeDown for its nodes.
func (r *Recorder) FailureStarted(kind, target string, nodes []string) {
	if !r.started || r.finished {
		return
	}
	ft := r.fail
	now := r.eng.Now()
	ft.sync(now)
	f := &failureRec{kind: kind, target: target, nodes: append([]string(nil), nodes...), at: now,
		detect: unset, evict: unset, heal: unset, lastT: now, open: true, touched: true, noHeal: len(nodes) == 0,
		zeroSince: now}
	ft.failures = append(ft.failures, f)
	ft.fresh = append(ft.fresh, f)
	for _, node := range nodes {
		if n, ok := r.st.Nodes.Get("", node); ok && f.detect == unset {
			if c := api.FindCondition(n.Conditions, api.NodeReady); c == nil || c.Status != api.ConditionTrue {
				f.detect = now
			}
		}
		for _, p := range r.st.Pods.ByIndex(store.IndexNode, node) {
			if p.IsTerminal() {
				continue
			}
			f.pods++
			if !p.IsDeleting() {
				f.alive++
			}
			ft.byPod[p.Key()] = append(ft.byPod[p.Key()], f)
			if ar := ft.availOf(ft.workloadOf(p), now); ar != nil && !containsAvail(f.wls, ar) {
				f.wls = append(f.wls, ar)
				ar.failures = append(ar.failures, f)
			}
		}
	}
}

// NodeDown tells the recorder that a node's machine stopped serving (a
// crash, a network partition) now: its ready pods count as not ready until
// NodeUp, whatever the store says.
func (r *Recorder) NodeDown(node string) {
	if !r.started || r.finished {
		return
	}
	ft := r.fail
	now := r.eng.Now()
	ft.sync(now)
	ft.down[node]++
	if ft.down[node] > 1 {
		return
	}
	for _, p := range r.st.Pods.ByIndex(store.IndexNode, node) {
		ft.podDown(p, now)
	}
}

// NodeRepaired tells the recorder that a node's failure is over (a
// kubelet back after a restart); NodeUp implies it. A failure is measured
// until its affected workloads are back to their desired ready count and
// either its nodes are repaired or its affected pods are all gone.
func (r *Recorder) NodeRepaired(node string) {
	if !r.started || r.finished {
		return
	}
	r.fail.sync(r.eng.Now())
	r.fail.repaired(node)
}

func (ft *failureTracker) repaired(node string) {
	for _, f := range ft.failures {
		if f.open && !f.repaired && containsString(f.nodes, node) {
			f.repaired = true
			ft.touchFailure(f)
		}
	}
}

// touchFailure marks f for settling at the end of the instant.
func (ft *failureTracker) touchFailure(f *failureRec) {
	if !containsFailure(ft.fresh, f) {
		ft.fresh = append(ft.fresh, f)
	}
}

// NodeUp ends a NodeDown.
func (r *Recorder) NodeUp(node string) {
	if !r.started || r.finished {
		return
	}
	ft := r.fail
	now := r.eng.Now()
	ft.sync(now)
	ft.repaired(node)
	if ft.down[node] == 0 {
		return
	}
	if ft.down[node]--; ft.down[node] > 0 {
		return
	}
	delete(ft.down, node)
	for _, p := range r.st.Pods.ByIndex(store.IndexNode, node) {
		if ar, ok := ft.readyDown[p.Key()]; ok {
			delete(ft.readyDown, p.Key())
			ar.downReady--
			ft.touch(ar)
		}
	}
}

func containsAvail(s []*availRec, a *availRec) bool {
	for _, x := range s {
		if x == a {
			return true
		}
	}
	return false
}

// countsReady reports whether p counts as ready for its workload, as the
// workload tracker counts it.
func countsReady(p *api.Pod) bool {
	return p != nil && !p.IsTerminal() && !p.IsDeleting() && p.IsReady()
}

// podDown counts p in its workload's ready pods on down nodes, if it is
// ready and on a down node.
func (ft *failureTracker) podDown(p *api.Pod, now sim.Time) {
	if !countsReady(p) || ft.down[p.NodeName] == 0 {
		return
	}
	if _, ok := ft.readyDown[p.Key()]; ok {
		return
	}
	if ar := ft.availOf(ft.workloadOf(p), now); ar != nil {
		ft.readyDown[p.Key()] = ar
		ar.downReady++
		ft.touch(ar)
	}
}

// workloadOf returns the tracked workload a pod belongs to, or nil.
func (ft *failureTracker) workloadOf(p *api.Pod) *workloadRec {
	ref := p.ControllerRef()
	if ref == nil {
		return nil
	}
	wt := ft.r.wl
	switch ref.Kind {
	case api.KindReplicaSet:
		if g := wt.rsets[ref.UID]; g != nil {
			return g.wl
		}
	case api.KindStatefulSet, api.KindDaemonSet:
		return wt.byUID[ref.UID]
	}
	return nil
}

// availOf returns the availability record of wl, creating it at now.
func (ft *failureTracker) availOf(wl *workloadRec, now sim.Time) *availRec {
	if wl == nil {
		return nil
	}
	ar := ft.avail[wl]
	if ar == nil {
		ar = &availRec{wl: wl, start: now, last: now, ready: -1}
		ft.avail[wl] = ar
		ft.order = append(ft.order, ar)
	}
	return ar
}

func (ft *failureTracker) touch(ar *availRec) {
	if !ar.touched {
		ar.touched = true
		ft.touched = append(ft.touched, ar)
	}
}

// sync folds the previous instant when now is a later one.
func (ft *failureTracker) sync(now sim.Time) {
	if now > ft.instant {
		ft.flush(ft.instant)
		ft.instant = now
	}
}

// observe handles one store write or recorded event, before the other
// trackers see it.
func (ft *failureTracker) observe(w *store.Write) {
	ft.sync(w.Time)
	if w.Verb == store.VerbEvent {
		return
	}
	switch w.Kind {
	case api.KindPod:
		oldP, _ := w.Old.(*api.Pod)
		newP, _ := w.New.(*api.Pod)
		if ar, ok := ft.readyDown[w.Key]; ok && !countsReady(newP) {
			delete(ft.readyDown, w.Key)
			ar.downReady--
			ft.touch(ar)
		}
		if newP != nil {
			ft.podDown(newP, w.Time)
		}
		if fs := ft.byPod[w.Key]; len(fs) > 0 {
			evicted := !strings.HasPrefix(w.Component, "kubelet") && oldP != nil && !oldP.IsDeleting() &&
				(newP == nil || newP.IsDeleting())
			restarts := 0
			if oldP != nil && newP != nil {
				restarts = max(0, int(newP.MaxRestarts())-int(oldP.MaxRestarts()))
			}
			gone := oldP != nil && !oldP.IsTerminal() && !oldP.IsDeleting() &&
				(newP == nil || newP.IsTerminal() || newP.IsDeleting())
			for _, f := range fs {
				if gone && f.open {
					f.alive--
					ft.touchFailure(f)
				}
				if evicted {
					f.evictions++
					if f.evict == unset {
						f.evict = w.Time
					}
				}
				f.restarts += restarts
			}
			if newP == nil {
				delete(ft.byPod, w.Key)
			}
		}
	case api.KindNode:
		oldN, _ := w.Old.(*api.Node)
		newN, _ := w.New.(*api.Node)
		if oldN == nil || newN == nil {
			return
		}
		was, is := api.FindCondition(oldN.Conditions, api.NodeReady), api.FindCondition(newN.Conditions, api.NodeReady)
		if was == nil || was.Status != api.ConditionTrue || (is != nil && is.Status == api.ConditionTrue) {
			return
		}
		for _, f := range ft.failures {
			if f.detect == unset && containsString(f.nodes, newN.Name) {
				f.detect = w.Time
			}
		}
	}
}

func containsString(s []string, x string) bool {
	for _, y := range s {
		if y == x {
			return true
		}
	}
	return false
}

// flush folds the end state of instant t: the workloads whose counts
// changed (the workload tracker's rows since the last flush) and those
// whose ready pods on down nodes changed; then the open failures' deficits.
func (ft *failureTracker) flush(t sim.Time) {
	rows := ft.r.wl.rows
	for ; ft.cursor < len(rows); ft.cursor++ {
		if ar := ft.availOf(ft.r.wl.wls[rows[ft.cursor].wl], t); ar != nil {
			ft.touch(ar)
		}
	}
	var fs []*failureRec
	for _, ar := range ft.touched {
		ar.touched = false
		ft.integrate(ar, t)
		wl := ar.wl
		if wl.deleted {
			ar.ended = true
		}
		ar.desired = wl.counts.desired
		ar.ready = max(0, wl.counts.ready-ar.downReady)
		for _, f := range ar.failures {
			if f.open && !f.touched {
				f.touched = true
				fs = append(fs, f)
			}
		}
	}
	ft.touched = ft.touched[:0]
	for _, f := range ft.fresh {
		if f.open && !containsFailure(fs, f) {
			fs = append(fs, f)
		}
	}
	ft.fresh = ft.fresh[:0]
	for _, f := range fs {
		f.touched = false
		ft.settleFailure(f, t)
	}
}

func containsFailure(s []*failureRec, f *failureRec) bool {
	for _, x := range s {
		if x == f {
			return true
		}
	}
	return false
}

// integrate adds ar's state since its last change up to t.
func (ft *failureTracker) integrate(ar *availRec, t sim.Time) {
	if ar.ended || ar.ready < 0 {
		ar.last = t
		return
	}
	dt := t.Sub(ar.last).Seconds()
	ar.last = t
	if dt <= 0 {
		return
	}
	if ar.ready >= ar.desired {
		ar.fullSec += dt
	}
	ar.readySec += float64(min(ar.ready, ar.desired)) * dt
	ar.desiredSec += float64(ar.desired) * dt
}

// settleFailure integrates f's lost pod-seconds to t, recomputes its
// deficit and closes it when every affected workload is full.
func (ft *failureTracker) settleFailure(f *failureRec, t sim.Time) {
	f.lostSec += float64(f.deficit) * t.Sub(f.lastT).Seconds()
	f.lastT = t
	var d int64
	for _, ar := range f.wls {
		if !ar.ended {
			d += int64(max(0, ar.desired-ar.ready))
		}
	}
	switch {
	case d > 0:
		f.zeroSince = unset
	case f.deficit > 0 || f.zeroSince == unset:
		f.zeroSince = t
	}
	f.deficit = d
	if d == 0 && !f.noHeal && (f.repaired || f.alive <= 0) {
		f.heal = f.zeroSince
		ft.close(f)
	}
}

// close stops measuring f's deficit.
func (ft *failureTracker) close(f *failureRec) {
	f.open = false
	for _, ar := range f.wls {
		for i, x := range ar.failures {
			if x == f {
				ar.failures = append(ar.failures[:i], ar.failures[i+1:]...)
				break
			}
		}
	}
}

// finish folds the last instant and integrates everything to until.
func (ft *failureTracker) finish(until sim.Time) {
	ft.flush(ft.instant)
	for _, ar := range ft.order {
		ft.integrate(ar, until)
	}
	for _, f := range ft.failures {
		if f.open {
			f.lostSec += float64(f.deficit) * until.Sub(f.lastT).Seconds()
			f.lastT = until
		}
	}
}

// failureSummaries renders the failures in time order.
func (ft *failureTracker) failureSummaries() []FailureSummary {
	out := make([]FailureSummary, 0, len(ft.failures))
	since := func(f *failureRec, t sim.Time) *Fixed {
		if t == unset {
			return nil
		}
		v := Fixed(t.Sub(f.at).Seconds())
		return &v
	}
	for _, f := range ft.failures {
		fs := FailureSummary{Kind: f.kind, Target: f.target, Nodes: len(f.nodes), AtSeconds: Fixed(f.at.Seconds()),
			AffectedPods: f.pods, AffectedWorkloads: []string{}, TimeToDetect: since(f, f.detect),
			TimeToEvict: since(f, f.evict), TimeToHeal: since(f, f.heal), PodSecondsLost: Fixed(f.lostSec),
			Evictions: f.evictions, Restarts: f.restarts}
		for _, ar := range f.wls {
			fs.AffectedWorkloads = append(fs.AffectedWorkloads, string(ar.wl.kind)+" "+api.Key(ar.wl.namespace, ar.wl.name))
		}
		out = append(out, fs)
	}
	return out
}

// availabilitySummaries renders every workload's availability, in the
// order the workloads were first seen.
func (ft *failureTracker) availabilitySummaries() []AvailabilitySummary {
	out := make([]AvailabilitySummary, 0, len(ft.order))
	for _, ar := range ft.order {
		span := ar.last.Sub(ar.start).Seconds()
		a := AvailabilitySummary{Kind: string(ar.wl.kind), Namespace: ar.wl.namespace, Name: ar.wl.name,
			Seconds: Fixed(span), ReadyReplicaSeconds: Fixed(ar.readySec), DesiredReplicaSeconds: Fixed(ar.desiredSec),
			ReadyRatio: 1}
		if span > 0 {
			a.FullFraction = Fixed(ar.fullSec / span)
		}
		if ar.desiredSec > 0 {
			a.ReadyRatio = Fixed(ar.readySec / ar.desiredSec)
		}
		out = append(out, a)
	}
	return out
}

// maxFailureRows bounds the Failures table on stdout; summary.json has
// every row.
const maxFailureRows = 20

// printFailures writes the Failures and Availability tables (nothing when
// the run had no failure).
func (s *Summary) printFailures(w io.Writer) error {
	if len(s.Failures) == 0 {
		return nil
	}
	opt := func(v *Fixed) string {
		if v == nil {
			return "-"
		}
		return fixed(float64(*v), 1)
	}
	t := newTable(w, tw.AlignLeft, tw.AlignLeft, tw.AlignRight, tw.AlignRight, tw.AlignRight, tw.AlignRight,
		tw.AlignRight, tw.AlignRight, tw.AlignRight, tw.AlignRight)
	t.Header("Failures", "Target", "At (s)", "Pods", "Detect (s)", "Evict (s)", "Heal (s)", "Pod-s lost", "Evictions", "Restarts")
	for i, f := range s.Failures {
		if i == maxFailureRows {
			if err := t.Append("… "+strconv.Itoa(len(s.Failures)-i)+" more in summary.json", "", "", "", "", "", "", "", "", ""); err != nil {
				return err
			}
			break
		}
		if err := t.Append(f.Kind, f.Target, fixed(float64(f.AtSeconds), 1), strconv.Itoa(f.AffectedPods),
			opt(f.TimeToDetect), opt(f.TimeToEvict), opt(f.TimeToHeal), fixed(float64(f.PodSecondsLost), 1),
			strconv.Itoa(f.Evictions), strconv.Itoa(f.Restarts)); err != nil {
			return err
		}
	}
	if err := t.Render(); err != nil {
		return err
	}
	if len(s.Availability) == 0 {
		return nil
	}
	a := newTable(w, tw.AlignLeft, tw.AlignRight, tw.AlignRight)
	a.Header("Availability", "Time full", "Ready/desired")
	for _, x := range s.Availability {
		if err := a.Append(x.Kind+" "+api.Key(x.Namespace, x.Name), percent(float64(x.FullFraction)), percent(float64(x.ReadyRatio))); err != nil {
			return err
		}
	}
	return a.Render()
}
