package replicaset

import (
	"fmt"
	"reflect"
	"time"

	"github.com/kubesim/kubesim/sim"
	"github.com/kubesim/kubesim/sim/api"
	"github.com/kubesim/kubesim/sim/store"
)

// verifyCounts makes every sync compare the incremental counts with a full
// recount and panic on a difference (set by the package's tests).
var verifyCounts = false

// countParams are the ReplicaSet fields a pod's contribution to the counts
// depends on. When a ReplicaSet's fields differ from the ones its counts were
// kept under, the counts are rebuilt from a full recount.
type countParams struct {
	selector *api.Selector
	tmpl     map[string]string
	minReady time.Duration
}

func paramsOf(rs *api.ReplicaSet) countParams {
	p := countParams{selector: rs.Selector, minReady: minReady(rs)}
	if rs.Template != nil {
		p.tmpl = rs.Template.Labels
	}
	return p
}

func (p countParams) equal(q countParams) bool {
	if p.minReady != q.minReady || !api.LabelsEqual(p.tmpl, q.tmpl) {
		return false
	}
	return p.selector == q.selector || reflect.DeepEqual(p.selector, q.selector)
}

// tally is the part of a ReplicaSet's counts one pod contributes to.
type tally struct {
	active       int32 // active pods that match the selector (claimed)
	mismatched   int32 // active pods that no longer match (to release)
	fullyLabeled int32
	ready        int32
	terminating  int32
}

func (t *tally) add(u tally, sign int32) {
	t.active += sign * u.active
	t.mismatched += sign * u.mismatched
	t.fullyLabeled += sign * u.fullyLabeled
	t.ready += sign * u.ready
	t.terminating += sign * u.terminating
}

// podCounts are one ReplicaSet's counts over the pods its controllerRef
// points at, kept up to date from every pod write (the store's write hook,
// which is synchronous, so the counts always equal a recount of the store).
type podCounts struct {
	params countParams
	tally
	// young holds the ready pods that were not yet available at the last
	// sync, by pod key, with the instant readyTime+minReadySeconds; only when
	// minReadySeconds > 0. AvailableReplicas is ready − len(young) once the
	// entries that expired are pruned.
	young map[string]sim.Time
}

// contribution returns pod p's contribution under params, and its
// availability deadline when it is ready and minReadySeconds > 0.
func contribution(p *api.Pod, prm countParams) (tally, sim.Time, bool) {
	var t tally
	matches := matchesSelector(p, prm)
	if !isActive(p) {
		if !p.IsTerminal() && matches {
			t.terminating = 1
		}
		return t, 0, false
	}
	if !matches {
		t.mismatched = 1
		return t, 0, false
	}
	t.active = 1
	if api.SameMap(p.Labels, prm.tmpl) || hasLabels(p.Labels, prm.tmpl) {
		t.fullyLabeled = 1
	}
	c := readyCondition(p)
	if c == nil {
		return t, 0, false
	}
	t.ready = 1
	if prm.minReady == 0 {
		return t, 0, false
	}
	return t, c.LastTransitionTime.Add(prm.minReady), true
}

// matchesSelector is Selector.Matches with the shared-template-labels fast
// path.
func matchesSelector(p *api.Pod, prm countParams) bool {
	if len(prm.tmpl) > 0 && api.SameMap(p.Labels, prm.tmpl) {
		return prm.selector.Matches(prm.tmpl)
	}
	return prm.selector.Matches(p.Labels)
}

func (pc *podCounts) apply(p *api.Pod, sign int32) {
	t, deadline, young := contribution(p, pc.params)
	pc.add(t, sign)
	if !young {
		return
	}
	if sign < 0 {
		delete(pc.young, p.Key())
	} else {
		pc.young[p.Key()] = deadline
	}
}

// available prunes the young pods that became available by now and returns
// the available count and the earliest instant a young pod becomes available
// (sim.Never when none is young).
func (pc *podCounts) available(now sim.Time) (int32, sim.Time) {
	next := sim.Never
	for k, d := range pc.young {
		if d < now {
			delete(pc.young, k)
			continue
		}
		next = min(next, d)
	}
	return pc.ready - int32(len(pc.young)), next
}

// recount counts rs's pods from the store.
func (c *Controller) recount(rs *api.ReplicaSet) *podCounts {
	pc := &podCounts{params: paramsOf(rs), young: map[string]sim.Time{}}
	for _, p := range c.st.Pods.ByIndex(store.IndexOwner, string(rs.UID)) {
		if ref := p.ControllerRef(); ref != nil && ref.UID == rs.UID {
			pc.apply(p, 1)
		}
	}
	return pc
}

// countsFor returns rs's incremental counts, rebuilt by a full recount when
// there are none yet or rs's selector, template labels or minReadySeconds
// changed.
func (c *Controller) countsFor(rs *api.ReplicaSet) *podCounts {
	pc := c.counts[rs.UID]
	if pc == nil || !pc.params.equal(paramsOf(rs)) {
		pc = c.recount(rs)
		c.counts[rs.UID] = pc
	}
	return pc
}

// checkCounts panics when the incremental counts of rs differ from a full
// recount (verifyCounts only).
func (c *Controller) checkCounts(rs *api.ReplicaSet) {
	pc := c.counts[rs.UID]
	if pc == nil {
		return
	}
	want := c.recount(rs)
	now := c.now()
	gotAvail, gotNext := pc.available(now)
	wantAvail, wantNext := want.available(now)
	if pc.tally != want.tally || gotAvail != wantAvail || gotNext != wantNext {
		panic(fmt.Sprintf("replicaset %s: incremental counts %+v available=%d next=%v, recount %+v available=%d next=%v",
			rs.Key(), pc.tally, gotAvail, gotNext, want.tally, wantAvail, wantNext))
	}
}

// onWrite keeps the counts up to date with every pod write and drops the
// counts of deleted ReplicaSets.
func (c *Controller) onWrite(w *store.Write) {
	if w.Verb == store.VerbEvent {
		return
	}
	switch w.Kind {
	case api.KindPod:
		if len(c.counts) == 0 {
			return
		}
		if old, ok := w.Old.(*api.Pod); ok && old != nil {
			c.countPod(old, -1)
		}
		if cur, ok := w.New.(*api.Pod); ok && cur != nil {
			c.countPod(cur, 1)
		}
	case api.KindReplicaSet:
		if w.New == nil {
			if old, ok := w.Old.(*api.ReplicaSet); ok && old != nil {
				delete(c.counts, old.UID)
			}
		}
	}
}

func (c *Controller) countPod(p *api.Pod, sign int32) {
	ref := p.ControllerRef()
	if ref == nil {
		return
	}
	if pc := c.counts[ref.UID]; pc != nil {
		pc.apply(p, sign)
	}
}
