package scheduler

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/kubesim/kubesim/scheduler/framework"
	"github.com/kubesim/kubesim/sim"
	"github.com/kubesim/kubesim/sim/api"
	"github.com/kubesim/kubesim/sim/store"
)

// TieBreakStream is the name of the random stream that breaks ties among the
// nodes with the highest score.
const TieBreakStream = "scheduler/tiebreak"

// Scheduler is the simulated kube-scheduler: it watches the store's nodes and
// pods, queues the pending pods of its profiles, and runs one scheduling cycle
// at a time on the engine, binding pods through its Bind plugins.
type Scheduler struct {
	eng      *sim.Engine
	st       *store.Store
	cfg      Config
	profiles map[string]*Profile
	order    []*Profile
	cache    *Cache
	queue    *Queue
	rng      *rand.Rand
	// ranks are the nodes' places in TieBreakPermutation's order, by node
	// table ID (drawn lazily; an entry is stale when its name differs).
	ranks    []nodeRank
	rankRand *rand.Rand

	nextStartNodeIndex int
	started            bool
	busy               bool
	cycleH             sim.Handler
	endH               sim.Handler

	waiting      map[api.UID]*waitingPod
	waitingOrder []*waitingPod

	// scratch, reused across cycles
	nodesBuf []*framework.NodeInfo
	feasible []*framework.NodeInfo
	failures []nodeFailure
	filters  []filterRef
	paths    []filterPath
	chunk    []*framework.NodeInfo
	// filterChunk's scratch
	chunkStatus []*framework.Status
	chunkWhich  []int
	alive       []int
	aliveNodes  []*framework.NodeInfo
	out         []*framework.Status
	scores      [][]framework.NodeScore
	totals      []int64
	// ID lists parallel to nodesBuf, feasible, chunk and aliveNodes
	idsBuf      []int32
	feasibleIDs []int32
	chunkIDs    []int32
	aliveIDs    []int32

	stats Stats
}

// Stats counts what the scheduler did.
type Stats struct {
	// Attempts is the number of scheduling cycles run.
	Attempts int
	// Scheduled counts successful binds; Unschedulable and Errors count
	// failed attempts by kind.
	Scheduled, Unschedulable, Errors int
}

// New builds a scheduler on eng and st from cfg (zero fields take their
// defaults). It fails if a profile cannot be built (unknown plugin, bad
// plugin args, no bind plugin, profiles with different QueueSort plugins).
// Call Start to begin watching.
func New(eng *sim.Engine, st *store.Store, cfg Config) (*Scheduler, error) {
	cfg = cfg.withDefaults()
	prefix := func(err error) error {
		if cfg.File != "" {
			return fmt.Errorf("%s: %w", cfg.File, err)
		}
		return err
	}
	if err := cfg.validate(); err != nil {
		return nil, prefix(err)
	}
	s := &Scheduler{eng: eng, st: st, cfg: cfg, profiles: map[string]*Profile{}, cache: NewCache(),
		rng: eng.Rand(TieBreakStream), waiting: map[api.UID]*waitingPod{}}
	if cfg.TieBreak == TieBreakPermutation {
		s.rankRand = eng.Rand(PermutationStream)
	}
	s.cycleH = sim.Func(s.runCycle)
	s.endH = sim.Func(s.endCycle)
	var qsName string
	for i, pc := range cfg.Profiles {
		p, err := NewProfile(pc, cfg.Registry, &handle{s: s, name: pc.SchedulerName})
		if err != nil {
			return nil, prefix(fmt.Errorf("profiles[%d] (%s): %w", i, pc.SchedulerName, err))
		}
		if i == 0 {
			qsName = p.queueSort.Name()
		} else if p.queueSort.Name() != qsName {
			return nil, prefix(fmt.Errorf("profiles[%d] (%s): plugins.queueSort: queueSort must be the same for all profiles (%q vs %q)",
				i, pc.SchedulerName, p.queueSort.Name(), qsName))
		}
		s.profiles[p.name] = p
		s.order = append(s.order, p)
	}
	s.queue = NewQueue(eng, s.order[0].queueSort.Less, cfg.PodInitialBackoff, cfg.PodMaxBackoff, cfg.PodMaxInUnschedulablePodsDuration)
	s.queue.onReady = s.kick
	return s, nil
}

// Start registers the watches and queues the pods already in the store.
// Calling it twice panics.
func (s *Scheduler) Start() {
	if s.started {
		panic("scheduler: Start called twice")
	}
	s.started = true
	s.queue.start = s.eng.Now()
	for _, n := range s.st.Nodes.List("", nil) {
		s.cache.AddNode(n)
	}
	for _, p := range s.st.Pods.List("", nil) {
		s.onPodAdd(p)
	}
	s.st.Nodes.Watch(s.onNodeEvent)
	s.st.Pods.Watch(s.onPodEvent)
	s.kick()
}

// Profile returns the profile with the given scheduler name, or nil.
func (s *Scheduler) Profile(name string) *Profile { return s.profiles[name] }

// Cache returns the scheduler's cache (read-only for callers).
func (s *Scheduler) Cache() *Cache { return s.cache }

// Queue returns the scheduling queue (read-only for callers).
func (s *Scheduler) Queue() *Queue { return s.queue }

// Stats returns the counters so far.
func (s *Scheduler) Stats() Stats { return s.stats }

// profileFor returns the profile responsible for the pod, or nil.
func (s *Scheduler) profileFor(p *api.Pod) *Profile {
	name := p.Spec.SchedulerName
	if name == "" {
		name = api.DefaultSchedulerName
	}
	return s.profiles[name]
}

// isPending reports whether the pod waits for this scheduler: unbound, not
// terminal, not being deleted, and naming one of its profiles.
func (s *Scheduler) isPending(p *api.Pod) bool {
	return p.NodeName == "" && !p.IsTerminal() && !p.IsDeleting() && s.profileFor(p) != nil
}

func nodeChanged(a, b *api.Node) bool {
	if a.Unschedulable != b.Unschedulable || a.AllowedPods != b.AllowedPods || !sameLabels(a.Labels, b.Labels) {
		return true
	}
	if !sameResources(&a.Allocatable, &b.Allocatable) || len(a.Taints) != len(b.Taints) {
		return true
	}
	for i := range a.Taints {
		x, y := &a.Taints[i], &b.Taints[i]
		if x.Key != y.Key || x.Value != y.Value || x.Effect != y.Effect {
			return true
		}
	}
	return false
}

func sameResources(a, b *api.Resources) bool {
	if a.MilliCPU != b.MilliCPU || a.Memory != b.Memory || a.EphemeralStorage != b.EphemeralStorage || len(a.Scalar) != len(b.Scalar) {
		return false
	}
	for i := range a.Scalar {
		if a.Scalar[i] != b.Scalar[i] {
			return false
		}
	}
	return true
}

func (s *Scheduler) onNodeEvent(ev store.Event[*api.Node]) {
	switch ev.Type {
	case store.Added:
		s.cache.AddNode(ev.New)
		s.queue.MoveAllToActiveOrBackoff(EventNodeAdd)
	case store.Modified:
		s.cache.UpdateNode(ev.New)
		if nodeChanged(ev.Old, ev.New) {
			s.queue.MoveAllToActiveOrBackoff(EventNodeUpdate)
		}
	case store.Deleted:
		s.cache.RemoveNode(ev.Old.Name)
	}
}

func (s *Scheduler) onPodAdd(p *api.Pod) {
	switch {
	case p.NodeName != "":
		if !p.IsTerminal() {
			s.cache.AddPod(p)
			s.queue.MoveAllToActiveOrBackoff(EventAssignedPodAdd)
		}
	case s.isPending(p):
		s.queue.Add(p, s.profileFor(p))
	}
}

func (s *Scheduler) onPodEvent(ev store.Event[*api.Pod]) {
	switch ev.Type {
	case store.Added:
		s.onPodAdd(ev.New)
	case store.Modified:
		old, p := ev.Old, ev.New
		if p.NodeName != "" {
			s.queue.Delete(p.UID)
			if p.IsTerminal() {
				if !old.IsTerminal() && old.NodeName != "" {
					s.cache.RemovePod(p)
					s.queue.MoveAllToActiveOrBackoff(EventAssignedPodDelete)
				}
				return
			}
			s.cache.UpdatePod(p)
			switch {
			case old.NodeName == "":
				s.queue.MoveAllToActiveOrBackoff(EventAssignedPodAdd)
			case !sameLabels(old.Labels, p.Labels):
				s.queue.MoveAllToActiveOrBackoff(EventAssignedPodUpdate)
			}
			return
		}
		if !s.isPending(p) {
			s.dropPending(p)
			return
		}
		if s.queue.Has(p.UID) {
			if old.Status.NominatedNodeName != "" && old.Status.NominatedNodeName != p.Status.NominatedNodeName {
				s.queue.MoveAllToActiveOrBackoff(EventAssignedPodDelete)
			}
			s.queue.Update(p)
		} else if !s.cache.IsAssumed(p.UID) {
			s.queue.Add(p, s.profileFor(p))
		}
	case store.Deleted:
		p := ev.Old
		if p.NodeName != "" {
			s.cache.RemovePod(p)
			s.queue.MoveAllToActiveOrBackoff(EventAssignedPodDelete)
			return
		}
		s.dropPending(p)
	}
}

// dropPending forgets an unbound pod that is no longer ours to schedule.
func (s *Scheduler) dropPending(p *api.Pod) {
	if wp := s.waiting[p.UID]; wp != nil {
		wp.Reject("", "pod was deleted while waiting at Permit")
	}
	had := s.queue.nominated.node[p.UID] != ""
	s.queue.Delete(p.UID)
	if had {
		s.queue.MoveAllToActiveOrBackoff(EventAssignedPodDelete)
	}
}

// kick starts a cycle now if none is running and a pod can be popped.
func (s *Scheduler) kick() {
	if !s.started || s.busy || !s.queue.CanPop() {
		return
	}
	s.busy = true
	s.eng.At(s.eng.Now(), s.cycleH)
}

func (s *Scheduler) runCycle(now sim.Time) {
	if !s.queue.CanPop() {
		s.busy = false
		return
	}
	s.scheduleOne()
	s.eng.At(now.Add(s.cfg.CycleLatency), s.endH)
}

func (s *Scheduler) endCycle(sim.Time) {
	s.busy = false
	s.kick()
}

// errNoNodesAvailable is upstream's error for an empty cluster.
var errNoNodesAvailable = errors.New("no nodes available to schedule pods")

// scheduleOne pops one pod and runs its scheduling cycle; a successful cycle
// schedules the binding cycle.
func (s *Scheduler) scheduleOne() {
	info, prof := s.queue.Pop()
	if info == nil {
		return
	}
	pod := info.Pod
	if pod.IsDeleting() || s.cache.IsAssumed(pod.UID) {
		s.queue.Done(pod.UID)
		return
	}
	s.stats.Attempts++
	state := framework.NewCycleState()
	host, fitErr, status := s.schedulePod(prof, state, pod)
	if !status.IsSuccess() {
		// Upstream v1.35: failures clear the nomination, except a FitError
		// after PostFilter, which applies the PostFilter result (nil keeps
		// the nomination; a node name, possibly "", replaces it).
		nominating := clearNomination
		if fitErr != nil && len(prof.postFilter) > 0 {
			r, ps := prof.runPostFilter(state, pod, fitErr.postFilterStatuses(s.cache.List()))
			fitErr.PostFilterMsg = ps.Message()
			nominating = r
		}
		s.handleFailure(prof, info, status, fitErr, nominating)
		return
	}
	assumed := pod.Clone()
	assumed.NodeName = host
	s.cache.AssumePod(assumed)
	// An assumed pod no longer reserves its nominated node: it is on it.
	s.queue.nominated.remove(pod.UID)
	if st := prof.runReserve(state, assumed, host); !st.IsSuccess() {
		prof.runUnreserve(state, assumed, host)
		s.cache.ForgetPod(assumed)
		s.failAtNode(prof, info, host, st)
		return
	}
	st, waitOn, timeout := prof.runPermit(state, assumed, host)
	if !st.IsSuccess() && st.Code() != framework.Wait {
		prof.runUnreserve(state, assumed, host)
		s.cache.ForgetPod(assumed)
		s.failAtNode(prof, info, host, st)
		return
	}
	b := &binding{s: s, prof: prof, state: state, info: info, assumed: assumed, host: host,
		earliest: s.eng.Now().Add(s.cfg.CycleLatency)}
	if len(waitOn) > 0 {
		s.startWaiting(b, waitOn, timeout)
		return
	}
	b.schedule(b.earliest)
}

// failAtNode handles a Reserve or Permit failure on the chosen node: a
// rejection is a FitError over that one node, anything else an error.
func (s *Scheduler) failAtNode(prof *Profile, info *framework.QueuedPodInfo, host string, st *framework.Status) {
	if !st.IsRejected() {
		s.handleFailure(prof, info, st, nil, clearNomination)
		return
	}
	fe := &FitError{NumAllNodes: 1, statuses: []nodeFailure{{name: host, status: st}},
		UnschedulablePlugins: []string{st.Plugin()}}
	s.handleFailure(prof, info, framework.NewStatus(framework.Unschedulable, fe.Error()).WithPlugin(st.Plugin()), fe, clearNomination)
}

// clearNomination is the nominating result that clears a pod's nominated
// node (upstream's clearNominatedNode).
var clearNomination = &framework.PostFilterResult{}

// handleFailure requeues the pod, records FailedScheduling, and sets the
// PodScheduled=False condition when it changed. A non-nil nominating result
// overrides the pod's nominated node (its NominatedNodeName, "" clearing it);
// nil keeps it.
func (s *Scheduler) handleFailure(prof *Profile, info *framework.QueuedPodInfo, status *framework.Status, fitErr *FitError, nominating *framework.PostFilterResult) {
	pod := info.Pod
	reason := "SchedulerError"
	var plugins []string
	msg := status.Message()
	if status.IsRejected() {
		reason = "Unschedulable"
		s.stats.Unschedulable++
		if fitErr != nil {
			plugins = fitErr.UnschedulablePlugins
			msg = fitErr.Error()
		}
		if len(plugins) == 0 {
			plugins = []string{status.Plugin()}
		}
	} else {
		s.stats.Errors++
	}
	cur, ok := s.st.Pods.Get(pod.Namespace, pod.Name)
	if !ok || cur.UID != pod.UID || cur.NodeName != "" {
		s.queue.Delete(pod.UID)
		return
	}
	info.Pod = cur
	s.queue.Requeue(info, plugins)
	nominated := ""
	if nominating != nil {
		nominated = nominating.NominatedNodeName
	}
	if nominating != nil && s.queue.Has(cur.UID) {
		if nominated != "" {
			s.queue.nominated.add(cur, nominated)
		} else {
			s.queue.nominated.remove(cur.UID)
		}
	}
	s.st.Record(prof.name, cur, "FailedScheduling", msg)
	cond := api.FindCondition(cur.Status.Conditions, api.PodScheduled)
	condChanged := cond == nil || cond.Status != api.ConditionFalse || cond.Reason != reason || cond.Message != msg
	nnnChanged := nominating != nil && cur.Status.NominatedNodeName != nominated
	if !condChanged && !nnnChanged {
		return
	}
	np := cur.Clone()
	np.Status.Conditions = api.SetCondition(cur.Status.Conditions, api.Condition{Type: api.PodScheduled,
		Status: api.ConditionFalse, Reason: reason, Message: msg, LastTransitionTime: s.eng.Now()})
	if nnnChanged {
		np.Status.NominatedNodeName = nominated
	}
	if _, err := s.st.Pods.Update(prof.name, np, reason); err == nil {
		if q := s.queue.pods[np.UID]; q != nil {
			q.info.Pod = np
		}
	}
}

// binding is one pod's binding cycle.
type binding struct {
	s        *Scheduler
	prof     *Profile
	state    *framework.CycleState
	info     *framework.QueuedPodInfo
	assumed  *api.Pod
	host     string
	earliest sim.Time
}

// schedule runs the bind BindLatency after at.
func (b *binding) schedule(at sim.Time) {
	b.s.eng.At(at.Add(b.s.cfg.BindLatency), sim.Func(b.bind))
}

// bind runs PreBind, Bind and PostBind.
func (b *binding) bind(sim.Time) {
	s, p := b.s, b.prof
	if st := p.runPreBind(b.state, b.assumed, b.host); !st.IsSuccess() {
		b.fail(st)
		return
	}
	if st := p.runBind(b.state, b.assumed, b.host); !st.IsSuccess() {
		b.fail(st)
		return
	}
	s.stats.Scheduled++
	s.st.Record(p.name, b.assumed, "Scheduled",
		fmt.Sprintf("Successfully assigned %s/%s to %s", b.assumed.Namespace, b.assumed.Name, b.host))
	p.runPostBind(b.state, b.assumed, b.host)
	s.queue.Done(b.assumed.UID)
}

// fail undoes the reservation and sends the pod back to the queue.
func (b *binding) fail(st *framework.Status) {
	b.prof.runUnreserve(b.state, b.assumed, b.host)
	b.s.cache.ForgetPod(b.assumed)
	if st.IsRejected() {
		b.s.failAtNode(b.prof, b.info, b.host, st)
		return
	}
	b.s.handleFailure(b.prof, b.info, st, nil, clearNomination)
}

// waitingPod is a pod held at Permit.
type waitingPod struct {
	b       *binding
	pending []string
	timer   sim.Timer
	done    bool
}

var _ framework.WaitingPod = &waitingPod{}

// startWaiting holds a pod at Permit until allowed, rejected or timed out.
func (s *Scheduler) startWaiting(b *binding, plugins []string, timeout time.Duration) {
	wp := &waitingPod{b: b, pending: plugins}
	s.waiting[b.assumed.UID] = wp
	s.waitingOrder = append(s.waitingOrder, wp)
	wp.timer = s.eng.After(timeout, sim.Func(func(sim.Time) {
		wp.Reject(wp.pending[0], fmt.Sprintf("rejected due to timeout after waiting %v at plugin %v", timeout, wp.pending[0]))
	}))
}

// GetPod returns the assumed pod.
func (w *waitingPod) GetPod() *api.Pod { return w.b.assumed }

// GetPendingPlugins returns the plugins that have not allowed the pod yet.
func (w *waitingPod) GetPendingPlugins() []string { return append([]string(nil), w.pending...) }

// Allow records one plugin's approval; the last one starts the bind.
func (w *waitingPod) Allow(plugin string) {
	if w.done {
		return
	}
	for i, p := range w.pending {
		if p == plugin {
			w.pending = append(w.pending[:i:i], w.pending[i+1:]...)
			break
		}
	}
	if len(w.pending) > 0 {
		return
	}
	w.finish()
	w.b.schedule(max(w.b.earliest, w.b.s.eng.Now()))
}

// Reject rejects the pod: the reservation is undone and it is requeued as
// unschedulable by plugin.
func (w *waitingPod) Reject(plugin, msg string) {
	if w.done {
		return
	}
	w.finish()
	st := framework.NewStatus(framework.Unschedulable, msg).WithPlugin(plugin)
	if plugin == "" {
		st = framework.NewStatus(framework.Error, msg)
	}
	w.b.fail(st)
}

func (w *waitingPod) finish() {
	w.done = true
	s := w.b.s
	s.eng.Cancel(w.timer)
	delete(s.waiting, w.b.assumed.UID)
	for i, x := range s.waitingOrder {
		if x == w {
			s.waitingOrder = append(s.waitingOrder[:i:i], s.waitingOrder[i+1:]...)
			break
		}
	}
}

// handle is what a profile's plugins get.
type handle struct {
	s    *Scheduler
	name string
	// filters is scratch for RunFilterPluginsWithNominatedPods.
	filters []filterRef
}

var (
	_ framework.Handle           = &handle{}
	_ framework.WaitingPodHandle = &handle{}
)

func (h *handle) SnapshotSharedLister() framework.NodeInfoLister { return h.s.cache }
func (h *handle) Store() *store.Store                            { return h.s.st }
func (h *handle) Now() sim.Time                                  { return h.s.eng.Now() }
func (h *handle) Rand(name string) *rand.Rand                    { return h.s.eng.Rand(name) }
func (h *handle) Component() string                              { return h.name }

func (h *handle) GetWaitingPod(uid api.UID) framework.WaitingPod {
	if wp := h.s.waiting[uid]; wp != nil {
		return wp
	}
	return nil
}

func (h *handle) IterateOverWaitingPods(f func(framework.WaitingPod)) {
	for _, wp := range append([]*waitingPod(nil), h.s.waitingOrder...) {
		f(wp)
	}
}
