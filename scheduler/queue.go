package scheduler

import (
	"time"

	"github.com/kubesim/kubesim/scheduler/framework"
	"github.com/kubesim/kubesim/sim"
	"github.com/kubesim/kubesim/sim/api"
)

// ClusterEvent is a change in the cluster that may make pods rejected earlier
// schedulable (the simulator's approximation of upstream's queueing hints,
// SEMANTICS 1.6).
type ClusterEvent int

// Cluster events the queue reacts to.
const (
	EventNodeAdd ClusterEvent = iota
	// EventNodeUpdate: allocatable, pod capacity, labels, taints or
	// unschedulable changed.
	EventNodeUpdate
	// EventAssignedPodAdd and EventAssignedPodUpdate: a pod was bound, or a
	// bound pod's labels changed.
	EventAssignedPodAdd
	EventAssignedPodUpdate
	// EventAssignedPodDelete: a bound pod was deleted or became terminal (or a
	// nominated pod left a node).
	EventAssignedPodDelete
	// EventUnschedulableTimeout is the periodic leftover flush (a wildcard).
	EventUnschedulableTimeout
	numClusterEvents
)

var eventNames = [...]string{"NodeAdd", "NodeUpdate", "AssignedPodAdd", "AssignedPodUpdate", "AssignedPodDelete", "UnschedulableTimeout"}

func (e ClusterEvent) String() string { return eventNames[e] }

// pluginEvents says which events can make a pod rejected by an in-tree plugin
// schedulable. Plugins not listed react to every event.
var pluginEvents = map[string][]ClusterEvent{
	"SchedulingGates":   {},
	"NodeUnschedulable": {EventNodeAdd, EventNodeUpdate},
	"NodeName":          {EventNodeAdd, EventNodeUpdate},
	"TaintToleration":   {EventNodeAdd, EventNodeUpdate},
	"NodeAffinity":      {EventNodeAdd, EventNodeUpdate},
	"NodePorts":         {EventNodeAdd, EventNodeUpdate, EventAssignedPodDelete},
	"NodeResourcesFit":  {EventNodeAdd, EventNodeUpdate, EventAssignedPodDelete},
	"PodTopologySpread": {EventNodeAdd, EventNodeUpdate, EventAssignedPodAdd, EventAssignedPodUpdate, EventAssignedPodDelete},
	"InterPodAffinity":  {EventNodeAdd, EventNodeUpdate, EventAssignedPodAdd, EventAssignedPodUpdate, EventAssignedPodDelete},
}

func pluginCares(plugin string, ev ClusterEvent) bool {
	if ev == EventUnschedulableTimeout {
		return true
	}
	evs, ok := pluginEvents[plugin]
	if !ok {
		return true
	}
	for _, e := range evs {
		if e == ev {
			return true
		}
	}
	return false
}

// Where a queued pod is.
const (
	inNone = iota
	inActive
	inBackoff
	inErrBackoff
	inUnschedulable
	inFlight
)

// queuedPod is the queue's record of one pod.
type queuedPod struct {
	info    *framework.QueuedPodInfo
	profile *Profile
	where   int
	heapIdx int
	unsIdx  int
	gated   bool
	popSeq  uint64 // the queue's event sequence when the pod was popped
}

// podHeap is a binary heap of queued pods that keeps each pod's index.
type podHeap struct {
	items []*queuedPod
	less  func(a, b *queuedPod) bool
}

func (h *podHeap) len() int { return len(h.items) }

func (h *podHeap) push(p *queuedPod) {
	p.heapIdx = len(h.items)
	h.items = append(h.items, p)
	h.up(p.heapIdx)
}

func (h *podHeap) peek() *queuedPod {
	if len(h.items) == 0 {
		return nil
	}
	return h.items[0]
}

func (h *podHeap) pop() *queuedPod {
	p := h.items[0]
	h.remove(0)
	return p
}

func (h *podHeap) remove(i int) {
	n := len(h.items) - 1
	p := h.items[i]
	if i != n {
		h.swap(i, n)
	}
	h.items[n] = nil
	h.items = h.items[:n]
	if i != n {
		if !h.down(i) {
			h.up(i)
		}
	}
	p.heapIdx = -1
}

func (h *podHeap) fix(i int) {
	if !h.down(i) {
		h.up(i)
	}
}

func (h *podHeap) swap(i, j int) {
	h.items[i], h.items[j] = h.items[j], h.items[i]
	h.items[i].heapIdx = i
	h.items[j].heapIdx = j
}

func (h *podHeap) up(i int) {
	for i > 0 {
		p := (i - 1) / 2
		if !h.less(h.items[i], h.items[p]) {
			break
		}
		h.swap(i, p)
		i = p
	}
}

func (h *podHeap) down(i0 int) bool {
	i := i0
	n := len(h.items)
	for {
		l := 2*i + 1
		if l >= n {
			break
		}
		m := l
		if r := l + 1; r < n && h.less(h.items[r], h.items[l]) {
			m = r
		}
		if !h.less(h.items[m], h.items[i]) {
			break
		}
		h.swap(i, m)
		i = m
	}
	return i > i0
}

// Queue is the scheduling queue (SEMANTICS 1.6): activeQ ordered by the
// QueueSort plugin; backoffQ as two heaps (plugin rejections and errors)
// ordered by backoff expiry, truncated to whole seconds, then like activeQ;
// and the unschedulable pool. Pods move back on relevant cluster events and
// after PodMaxInUnschedulablePodsDuration (checked every 30 s). An idle
// scheduler pops the head of the rejection backoff heap even before its
// backoff expires (SchedulerPopFromBackoffQ). Timers are engine events, armed
// only while there is something to wait for.
type Queue struct {
	eng        *sim.Engine
	less       func(a, b *framework.QueuedPodInfo) bool
	initial    time.Duration
	max        time.Duration
	maxUnsched time.Duration
	start      sim.Time

	active     podHeap
	backoff    podHeap
	errBackoff podHeap
	unsched    []*queuedPod
	// unschedNonGated counts the pool's pods the leftover flush can move.
	unschedNonGated int
	pods            map[api.UID]*queuedPod
	seq             uint64

	eventSeq  uint64
	lastEvent [numClusterEvents]uint64

	backoffTimer   sim.Timer
	backoffAt      sim.Time
	unschedTimer   sim.Timer
	unschedArmedAt sim.Time

	// onReady is called when a pod becomes poppable.
	onReady func()

	nominated *nominator
}

// NewQueue returns an empty queue ordered by less (the QueueSort plugin's),
// with the given backoff bounds and unschedulable-pool limit.
func NewQueue(eng *sim.Engine, less func(a, b *framework.QueuedPodInfo) bool, initial, maxBackoff, maxUnsched time.Duration) *Queue {
	q := &Queue{eng: eng, less: less, initial: initial, max: maxBackoff, maxUnsched: maxUnsched,
		start: eng.Now(), pods: map[api.UID]*queuedPod{}, nominated: newNominator()}
	q.active.less = func(a, b *queuedPod) bool { return less(a.info, b.info) }
	q.backoff.less = func(a, b *queuedPod) bool {
		ea, eb := q.backoffExpiry(a.info), q.backoffExpiry(b.info)
		if ea != eb {
			return ea < eb
		}
		return less(a.info, b.info)
	}
	q.errBackoff.less = func(a, b *queuedPod) bool {
		ea, eb := q.backoffExpiry(a.info), q.backoffExpiry(b.info)
		if ea != eb {
			return ea < eb
		}
		return a.info.Seq < b.info.Seq
	}
	return q
}

// BackoffDuration returns the backoff a pod gets after its latest failure:
// count = ConsecutiveErrorsCount if positive, else UnschedulableCount;
// min(initial·2^(count−1), max); 0 for count 0.
func (q *Queue) BackoffDuration(info *framework.QueuedPodInfo) time.Duration {
	count := info.UnschedulableCount
	if info.ConsecutiveErrorsCount > 0 {
		count = info.ConsecutiveErrorsCount
	}
	if count <= 0 || q.max <= 0 {
		return 0
	}
	shift := count - 1
	if shift >= 62 || q.initial > q.max>>uint(shift) {
		return q.max
	}
	return q.initial << uint(shift)
}

// truncSecond truncates t down to a whole second.
func truncSecond(t sim.Time) sim.Time { return t - t%sim.Time(time.Second) }

// backoffExpiry is the time the pod's backoff ends, truncated to the second;
// -1 when the pod has no backoff.
func (q *Queue) backoffExpiry(info *framework.QueuedPodInfo) sim.Time {
	d := q.BackoffDuration(info)
	if d == 0 {
		return -1
	}
	return truncSecond(info.Timestamp.Add(d))
}

// isBackingOff reports whether the pod is still backing off: its expiry is at
// or after now truncated to the second.
func (q *Queue) isBackingOff(info *framework.QueuedPodInfo) bool {
	e := q.backoffExpiry(info)
	return e >= 0 && e >= truncSecond(q.eng.Now())
}

// Add queues a new pending pod for profile p. PreEnqueue rejections park it
// in the unschedulable pool as gated.
func (q *Queue) Add(pod *api.Pod, p *Profile) {
	if _, ok := q.pods[pod.UID]; ok {
		q.Update(pod)
		return
	}
	q.seq++
	qp := &queuedPod{info: &framework.QueuedPodInfo{Pod: pod, Timestamp: q.eng.Now(), Seq: q.seq}, profile: p, heapIdx: -1}
	q.pods[pod.UID] = qp
	if pod.Status.NominatedNodeName != "" {
		q.nominated.add(pod, pod.Status.NominatedNodeName)
	}
	q.moveToActive(qp)
}

// moveToActive runs PreEnqueue and puts the pod in activeQ, or in the
// unschedulable pool as gated.
func (q *Queue) moveToActive(qp *queuedPod) {
	q.detach(qp)
	if s := qp.profile.runPreEnqueue(qp.info.Pod); !s.IsSuccess() {
		qp.gated = true
		qp.info.UnschedulablePlugins = []string{s.Plugin()}
		q.addUnsched(qp)
		return
	}
	qp.gated = false
	qp.where = inActive
	q.active.push(qp)
	q.ready()
}

func (q *Queue) ready() {
	if q.onReady != nil {
		q.onReady()
	}
}

// moveToBackoff puts a pod in the backoff heap matching why it failed.
func (q *Queue) moveToBackoff(qp *queuedPod) {
	q.detach(qp)
	if len(qp.info.UnschedulablePlugins) == 0 {
		qp.where = inErrBackoff
		q.errBackoff.push(qp)
	} else {
		qp.where = inBackoff
		q.backoff.push(qp)
		q.ready()
	}
	q.armBackoff()
}

// requeue sends a pod to backoffQ if it is still backing off, else activeQ.
func (q *Queue) requeue(qp *queuedPod) {
	if q.isBackingOff(qp.info) {
		q.moveToBackoff(qp)
		return
	}
	q.moveToActive(qp)
}

func (q *Queue) addUnsched(qp *queuedPod) {
	qp.where = inUnschedulable
	qp.unsIdx = len(q.unsched)
	q.unsched = append(q.unsched, qp)
	if !qp.gated {
		q.unschedNonGated++
		q.armUnsched(qp.info.Timestamp)
	}
}

// leftPool accounts for a pod leaving the unschedulable pool and cancels the
// leftover-flush timer when no movable pod remains.
func (q *Queue) leftPool(qp *queuedPod) {
	if qp.gated {
		return
	}
	q.unschedNonGated--
	if q.unschedNonGated == 0 {
		q.eng.Cancel(q.unschedTimer)
		q.unschedTimer = sim.Timer{}
	}
}

// detach removes a pod from whichever structure holds it.
func (q *Queue) detach(qp *queuedPod) {
	switch qp.where {
	case inActive:
		q.active.remove(qp.heapIdx)
	case inBackoff:
		q.backoff.remove(qp.heapIdx)
	case inErrBackoff:
		q.errBackoff.remove(qp.heapIdx)
	case inUnschedulable:
		last := len(q.unsched) - 1
		i := qp.unsIdx
		// Keep insertion order: shift (the pool is scanned in order).
		copy(q.unsched[i:], q.unsched[i+1:])
		q.unsched[last] = nil
		q.unsched = q.unsched[:last]
		for j := i; j < last; j++ {
			q.unsched[j].unsIdx = j
		}
		q.leftPool(qp)
	}
	qp.where = inNone
}

// Update records a new version of a queued (not yet bound) pod. A gated pod
// is re-checked by PreEnqueue; an unschedulable pod whose spec or labels
// changed is moved back (after its backoff).
func (q *Queue) Update(pod *api.Pod) {
	qp, ok := q.pods[pod.UID]
	if !ok {
		return
	}
	old := qp.info.Pod
	qp.info.Pod = pod
	if pod.Status.NominatedNodeName != old.Status.NominatedNodeName {
		q.nominated.remove(pod.UID)
		if pod.Status.NominatedNodeName != "" {
			q.nominated.add(pod, pod.Status.NominatedNodeName)
		}
	} else if pod.Status.NominatedNodeName != "" {
		q.nominated.update(pod)
	}
	switch qp.where {
	case inActive:
		q.active.fix(qp.heapIdx)
	case inBackoff:
		q.backoff.fix(qp.heapIdx)
	case inErrBackoff:
		q.errBackoff.fix(qp.heapIdx)
	case inUnschedulable:
		if qp.gated {
			q.moveToActive(qp)
		} else if old.Spec != pod.Spec || !sameLabels(old.Labels, pod.Labels) {
			q.requeue(qp)
		}
	}
}

func sameLabels(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

// Delete forgets a pod (deleted, bound or no longer ours).
func (q *Queue) Delete(uid api.UID) {
	qp, ok := q.pods[uid]
	if !ok {
		return
	}
	q.detach(qp)
	delete(q.pods, uid)
	q.nominated.remove(uid)
}

// Has reports whether the queue holds the pod (in any structure, or in flight).
func (q *Queue) Has(uid api.UID) bool {
	_, ok := q.pods[uid]
	return ok
}

// CanPop reports whether Pop would return a pod.
func (q *Queue) CanPop() bool { return q.active.len() > 0 || q.backoff.len() > 0 }

// Pop returns the next pod to schedule: the head of activeQ, or, when activeQ
// is empty, the head of the rejection backoff heap. It returns nil when
// neither has a pod. The pod is in flight until Done or Requeue.
func (q *Queue) Pop() (*framework.QueuedPodInfo, *Profile) {
	var qp *queuedPod
	switch {
	case q.active.len() > 0:
		qp = q.active.pop()
	case q.backoff.len() > 0:
		qp = q.backoff.pop()
		q.armBackoff()
	default:
		return nil, nil
	}
	qp.where = inFlight
	qp.popSeq = q.eventSeq
	qp.info.Attempts++
	if qp.info.InitialAttemptTimestamp == nil {
		t := q.eng.Now()
		qp.info.InitialAttemptTimestamp = &t
	}
	return qp.info, qp.profile
}

// Done forgets a pod whose scheduling succeeded.
func (q *Queue) Done(uid api.UID) { q.Delete(uid) }

// Requeue returns an in-flight pod after a failed attempt. plugins are the
// rejecting plugins (empty for an error). A rejected pod goes to the
// unschedulable pool unless a relevant cluster event happened while it was in
// flight; an error goes to the error backoff heap (or activeQ if its backoff
// already ended).
func (q *Queue) Requeue(info *framework.QueuedPodInfo, plugins []string) {
	qp, ok := q.pods[info.Pod.UID]
	if !ok || qp.where != inFlight {
		return
	}
	if len(plugins) > 0 {
		info.UnschedulableCount++
		info.ConsecutiveErrorsCount = 0
	} else {
		info.ConsecutiveErrorsCount++
	}
	info.UnschedulablePlugins = plugins
	info.Timestamp = q.eng.Now()
	if len(plugins) == 0 || q.eventSinceFor(qp.popSeq, plugins) {
		q.requeue(qp)
		return
	}
	q.addUnsched(qp)
}

func (q *Queue) eventSinceFor(seq uint64, plugins []string) bool {
	for ev := ClusterEvent(0); ev < numClusterEvents; ev++ {
		if q.lastEvent[ev] <= seq {
			continue
		}
		for _, pl := range plugins {
			if pluginCares(pl, ev) {
				return true
			}
		}
	}
	return false
}

// MoveAllToActiveOrBackoff reacts to a cluster event: unschedulable
// (non-gated) pods rejected by a plugin that cares about ev move to backoffQ
// if still backing off, else to activeQ.
func (q *Queue) MoveAllToActiveOrBackoff(ev ClusterEvent) {
	q.eventSeq++
	q.lastEvent[ev] = q.eventSeq
	if len(q.unsched) == 0 {
		return
	}
	var move []*queuedPod
	for _, qp := range q.unsched {
		if qp.gated {
			continue
		}
		for _, pl := range qp.info.UnschedulablePlugins {
			if pluginCares(pl, ev) {
				move = append(move, qp)
				break
			}
		}
	}
	q.moveAll(move)
}

func (q *Queue) moveAll(move []*queuedPod) {
	if len(move) == 0 {
		return
	}
	// Detach all at once (one compaction), then requeue in pool order.
	keep := q.unsched[:0]
	moving := make(map[*queuedPod]bool, len(move))
	for _, qp := range move {
		moving[qp] = true
	}
	for _, qp := range q.unsched {
		if moving[qp] {
			qp.where = inNone
			q.leftPool(qp)
			continue
		}
		qp.unsIdx = len(keep)
		keep = append(keep, qp)
	}
	for i := len(keep); i < len(q.unsched); i++ {
		q.unsched[i] = nil
	}
	q.unsched = keep
	for _, qp := range move {
		q.requeue(qp)
	}
}

// armBackoff arms the flush timer for the earliest backoff expiry: the flush
// runs on whole seconds and moves pods whose expiry is before the current
// second, so a pod expiring at E moves at E+1s.
func (q *Queue) armBackoff() {
	next := sim.Never
	for _, h := range []*podHeap{&q.backoff, &q.errBackoff} {
		if p := h.peek(); p != nil {
			t := q.backoffExpiry(p.info) + sim.Time(time.Second)
			if now := q.eng.Now(); t <= now {
				t = truncSecond(now) + sim.Time(time.Second)
			}
			next = min(next, t)
		}
	}
	if next == sim.Never {
		q.eng.Cancel(q.backoffTimer)
		q.backoffTimer = sim.Timer{}
		return
	}
	if !q.backoffTimer.IsZero() && q.backoffAt == next {
		return
	}
	q.eng.Cancel(q.backoffTimer)
	q.backoffAt = next
	q.backoffTimer = q.eng.At(next, sim.Func(q.flushBackoff))
}

// flushBackoff moves every pod whose backoff completed to activeQ.
func (q *Queue) flushBackoff(sim.Time) {
	q.backoffTimer = sim.Timer{}
	for _, h := range []*podHeap{&q.backoff, &q.errBackoff} {
		for h.len() > 0 && !q.isBackingOff(h.peek().info) {
			qp := h.pop()
			qp.where = inActive
			q.active.push(qp)
		}
	}
	q.armBackoff()
	if q.active.len() > 0 {
		q.ready()
	}
}

// armUnsched makes sure the leftover flush runs at the first 30 s tick (ticks
// are counted from the queue's start) at which a pod that entered the pool at
// ts has been there longer than maxUnsched.
func (q *Queue) armUnsched(ts sim.Time) {
	period := sim.Time(UnschedulableFlushPeriod)
	due := ts.Add(q.maxUnsched) - q.start
	tick := q.start + (due/period+1)*period
	if !q.unschedTimer.IsZero() && q.unschedArmedAt <= tick {
		return
	}
	q.eng.Cancel(q.unschedTimer)
	q.unschedArmedAt = tick
	q.unschedTimer = q.eng.At(tick, sim.Func(q.flushUnsched))
}

// flushUnsched moves pods that stayed in the pool longer than maxUnsched.
func (q *Queue) flushUnsched(now sim.Time) {
	q.unschedTimer = sim.Timer{}
	q.eventSeq++
	q.lastEvent[EventUnschedulableTimeout] = q.eventSeq
	var move []*queuedPod
	oldest := sim.Never
	for _, qp := range q.unsched {
		if qp.gated {
			continue
		}
		if now.Sub(qp.info.Timestamp) > q.maxUnsched {
			move = append(move, qp)
		} else {
			oldest = min(oldest, qp.info.Timestamp)
		}
	}
	q.moveAll(move)
	if oldest != sim.Never {
		q.armUnsched(oldest)
	}
}

// QueueLengths returns how many pods are in activeQ, backoffQ (both heaps) and
// the unschedulable pool.
func (q *Queue) QueueLengths() (active, backoff, unschedulable int) {
	return q.active.len(), q.backoff.len() + q.errBackoff.len(), len(q.unsched)
}

// where returns the structure holding a pod (for tests).
func (q *Queue) where(uid api.UID) int {
	if qp, ok := q.pods[uid]; ok {
		return qp.where
	}
	return inNone
}

// nominator tracks pods nominated to nodes by preemption.
type nominator struct {
	byNode map[string][]*api.Pod
	node   map[api.UID]string
}

func newNominator() *nominator {
	return &nominator{byNode: map[string][]*api.Pod{}, node: map[api.UID]string{}}
}

func (n *nominator) add(p *api.Pod, node string) {
	n.remove(p.UID)
	n.node[p.UID] = node
	n.byNode[node] = append(n.byNode[node], p)
}

func (n *nominator) update(p *api.Pod) {
	node, ok := n.node[p.UID]
	if !ok {
		return
	}
	for i, x := range n.byNode[node] {
		if x.UID == p.UID {
			n.byNode[node][i] = p
		}
	}
}

func (n *nominator) remove(uid api.UID) {
	node, ok := n.node[uid]
	if !ok {
		return
	}
	delete(n.node, uid)
	ps := n.byNode[node]
	for i, x := range ps {
		if x.UID == uid {
			ps = append(ps[:i:i], ps[i+1:]...)
			break
		}
	}
	if len(ps) == 0 {
		delete(n.byNode, node)
	} else {
		n.byNode[node] = ps
	}
}

// forNode returns the pods nominated to node.
func (n *nominator) forNode(node string) []*api.Pod { return n.byNode[node] }

// empty reports whether no pod is nominated anywhere.
func (n *nominator) empty() bool { return len(n.node) == 0 }
