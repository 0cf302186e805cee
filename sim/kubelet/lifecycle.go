package kubelet

import (
	"fmt"
	"strings"
	"time"

	"github.com/kubesim/kubesim/sim"
	"github.com/kubesim/kubesim/sim/api"
)

// phase is where an admitted pod is in the kubelet's lifecycle.
type phase uint8

const (
	phasePulling     phase = iota // waiting for image pulls
	phaseCreating                 // init containers and container creation
	phaseRunning                  // containers running
	phaseBackOff                  // containers exited, waiting to restart
	phaseFinished                 // Succeeded; nothing runs
	phaseTerminating              // deletion requested while running
)

// podState is the kubelet's record of one admitted pod.
type podState struct {
	k         *Kubelet
	key       string
	namespace string
	name      string
	uid       api.UID
	spec      *api.PodSpec
	info      *specInfo

	phase   phase
	gone    bool // forgotten: pending pulls skip it
	counted bool // its requests are in Kubelet.used

	pendingPulls int
	initDone     sim.Time // when the last init container finished (phaseCreating on)
	runStart     sim.Time // when the current containers started
	exitedAt     sim.Time // when they last exited (phaseBackOff)
	restarts     int32
	deadline     sim.Time // deletion deadline (phaseTerminating)

	// CrashLoopBackOff entry, as upstream's flowcontrol.Backoff for the
	// pod's containers (which exit and restart together).
	backoff     time.Duration
	backoffLast sim.Time
	backoffSet  bool

	step  sim.Timer // creating → running → exit → restart
	ready sim.Timer // readiness
	kill  sim.Timer // deletion deadline
}

// The pod's timers fire through these views of podState, so arming one
// allocates nothing.
type (
	stepEvent  podState
	readyEvent podState
	killEvent  podState
)

// Fire runs the pod's next lifecycle step.
func (e *stepEvent) Fire(now sim.Time) { ps := (*podState)(e); ps.k.onStep(ps, now) }

// Fire makes the pod's containers ready.
func (e *readyEvent) Fire(now sim.Time) { ps := (*podState)(e); ps.k.onReady(ps, now) }

// Fire removes the terminating pod at its deadline.
func (e *killEvent) Fire(sim.Time) { ps := (*podState)(e); ps.k.deletePod(ps.key, ps.uid) }

// forget drops a pod: its timers are cancelled, its requests released.
func (k *Kubelet) forget(ps *podState) {
	if ps.gone {
		return
	}
	ps.gone = true
	k.cancelTimers(ps)
	k.m.eng.Cancel(ps.kill)
	k.release(ps)
	k.m.releaseSpec(ps.spec)
	delete(k.pods, ps.uid)
}

// release takes the pod's requests out of what admission counts.
func (k *Kubelet) release(ps *podState) {
	if ps.counted {
		ps.counted = false
		k.used = k.used.Sub(ps.spec.Requests)
		k.count--
	}
}

func (k *Kubelet) cancelTimers(ps *podState) {
	k.m.eng.Cancel(ps.step)
	k.m.eng.Cancel(ps.ready)
	ps.step, ps.ready = sim.Timer{}, sim.Timer{}
}

// ensureImages asks for every image the pod's containers need that the node
// has not cached, and starts the pod once none is missing.
func (k *Kubelet) ensureImages(ps *podState, now sim.Time) {
	rec := k.m.recording()
	var pod *api.Pod
	if rec {
		pod, _ = k.m.st.Pods.GetKey(ps.key)
	}
	for _, img := range ps.info.images {
		switch {
		case k.hasImage(img.canon):
			if rec {
				k.m.st.Record(k.component, pod, "Pulled", fmt.Sprintf("Container image %q already present on machine", img.display))
			}
		case !img.repeat:
			if rec {
				k.m.st.Record(k.component, pod, "Pulling", fmt.Sprintf("Pulling image %q", img.display))
			}
			ps.pendingPulls++
			k.requestPull(ps, img.canon, img.display, now)
		}
	}
	if ps.pendingPulls == 0 {
		k.scheduleStart(ps, now)
	}
}

// scheduleStart runs the init containers one after another and then creates
// the regular containers: the pod starts (len(init)+1) start latencies later.
func (k *Kubelet) scheduleStart(ps *podState, now sim.Time) {
	lat := k.m.cfg.ContainerStartLatency
	ps.phase = phaseCreating
	ps.initDone = now.Add(time.Duration(len(ps.spec.InitContainers)) * lat)
	ps.step = k.m.eng.At(ps.initDone.Add(lat), (*stepEvent)(ps))
}

// onStep advances the pod from its current phase.
func (k *Kubelet) onStep(ps *podState, now sim.Time) {
	ps.step = sim.Timer{}
	switch ps.phase {
	case phaseCreating:
		k.run(ps, now, "Started")
	case phaseRunning:
		k.exited(ps, now)
	case phaseBackOff:
		k.backoffNext(ps, ps.exitedAt, now)
		ps.restarts++
		k.run(ps, now, "Restarted")
	}
}

// run starts (or restarts) the pod's containers now: the pod is Running,
// ready at once or when its readiness probes pass, and due to exit after its
// run duration.
func (k *Kubelet) run(ps *podState, now sim.Time, reason string) {
	ps.phase = phaseRunning
	ps.runStart = now
	readyAt := later(now, ps.info.readyDelay)
	ready := readyAt == now
	start := now
	if !k.writePod(ps, reason, func(c *api.Pod) { runningStatus(c, ps, &start, ready, now) }) {
		return
	}
	if !ready {
		ps.ready = k.m.eng.At(readyAt, (*readyEvent)(ps))
	}
	if d := ps.spec.RunDuration; d > 0 {
		ps.step = k.m.eng.At(later(now, d), (*stepEvent)(ps))
	}
}

// onReady marks the running pod's containers ready.
func (k *Kubelet) onReady(ps *podState, now sim.Time) {
	ps.ready = sim.Timer{}
	if ps.phase != phaseRunning {
		return
	}
	k.writePod(ps, "Ready", func(c *api.Pod) { readyStatus(c, ps.info, now) })
}

// exited handles the containers' successful exit: the pod succeeds, or under
// restartPolicy Always restarts now or after its CrashLoopBackOff delay.
func (k *Kubelet) exited(ps *podState, now sim.Time) {
	k.m.eng.Cancel(ps.ready)
	ps.ready = sim.Timer{}
	policy := ps.spec.RestartPolicy
	if policy != api.RestartNever && policy != api.RestartOnFailure {
		ps.exitedAt = now
		if !k.inBackoff(ps, now) {
			k.backoffNext(ps, now, now)
			ps.restarts++
			k.run(ps, now, "Restarted")
			return
		}
		ps.phase = phaseBackOff
		delay := ps.backoff
		if !k.writePod(ps, "BackOff", func(c *api.Pod) { backoffStatus(c, ps.info, now) }) {
			return
		}
		if k.m.recording() {
			if pod, ok := k.m.st.Pods.GetKey(ps.key); ok {
				for i := range ps.spec.Containers {
					k.m.st.Record(k.component, pod, "BackOff", fmt.Sprintf("Back-off restarting failed container %s in pod %s_%s(%s)",
						ps.spec.Containers[i].Name, ps.name, ps.namespace, ps.uid))
				}
			}
		}
		ps.step = k.m.eng.At(later(now, delay), (*stepEvent)(ps))
		return
	}
	ps.phase = phaseFinished
	k.release(ps)
	k.writePod(ps, "Completed", func(c *api.Pod) { succeededStatus(c, now) })
}

// inBackoff is upstream's IsInBackOffSince for containers that exited at
// exitedAt, asked at the moment of the exit: a back-off entry exists and has
// not expired (the containers ran at most RestartBackoffReset since the last
// restart).
func (k *Kubelet) inBackoff(ps *podState, exitedAt sim.Time) bool {
	return ps.backoffSet && exitedAt.Sub(ps.backoffLast) <= k.m.cfg.RestartBackoffReset && ps.backoff > 0
}

// backoffNext is upstream's Backoff.Next at a restart: a new or expired entry
// starts at the initial delay, an existing one doubles up to the cap.
func (k *Kubelet) backoffNext(ps *podState, exitedAt, now sim.Time) {
	cfg := &k.m.cfg
	if !ps.backoffSet || exitedAt.Sub(ps.backoffLast) > cfg.RestartBackoffReset {
		ps.backoff = cfg.RestartBackoffInitial
	} else {
		ps.backoff = min(2*ps.backoff, cfg.RestartBackoffMax)
	}
	ps.backoffLast = now
	ps.backoffSet = true
}

// terminate handles a deletion request: a pod with running containers is
// removed at the deadline (shortened deadlines are honoured), any other at
// once.
func (k *Kubelet) terminate(ps *podState, deadline, now sim.Time) {
	switch ps.phase {
	case phaseTerminating:
		if deadline >= ps.deadline {
			return
		}
	case phaseRunning:
		k.cancelTimers(ps)
		ps.phase = phaseTerminating
		if k.m.recording() {
			if pod, ok := k.m.st.Pods.GetKey(ps.key); ok {
				for i := range ps.spec.Containers {
					k.m.st.Record(k.component, pod, "Killing", "Stopping container "+ps.spec.Containers[i].Name)
				}
			}
		}
	default:
		k.deletePod(ps.key, ps.uid)
		return
	}
	ps.deadline = deadline
	k.m.eng.Cancel(ps.kill)
	if deadline <= now {
		k.deletePod(ps.key, ps.uid)
		return
	}
	ps.kill = k.m.eng.At(deadline, (*killEvent)(ps))
}

// readyTime returns when a pod whose containers started at start becomes
// ready: at once without probes, else when its slowest probed container's
// readiness probe has passed successThreshold times, the first success at
// initialDelaySeconds after start (or when the startup probe first succeeds,
// if later) and the rest one period apart.
func readyTime(spec *api.PodSpec, start sim.Time) sim.Time {
	at := start
	for i := range spec.Containers {
		c := &spec.Containers[i]
		t := start
		if sp := c.StartupProbe; sp != nil {
			t = start.Add(seconds(sp.InitialDelaySeconds))
		}
		if rp := c.ReadinessProbe; rp != nil {
			t = max(t, start.Add(seconds(rp.InitialDelaySeconds)))
			period := rp.PeriodSeconds
			if period <= 0 {
				period = 10
			}
			if succ := rp.SuccessThreshold; succ > 1 {
				t = t.Add(time.Duration(succ-1) * seconds(period))
			}
		}
		at = max(at, t)
	}
	return at
}

func seconds(s int32) time.Duration { return time.Duration(s) * time.Second }

// Pod status builders. Each gets a fresh copy of the stored pod and replaces
// (never modifies) its shared slices.

// admittedStatus is the status of an admitted pod whose containers are being
// created: StartTime set, containers Waiting (ContainerCreating), not ready.
func admittedStatus(c *api.Pod, si *specInfo, startTime *sim.Time, now sim.Time) {
	spec := c.Spec
	c.Status.Phase = api.PodPending
	c.Status.Reason, c.Status.Message = "", ""
	c.Status.StartTime = startTime
	cs := make([]api.ContainerStatus, len(spec.Containers))
	for i := range spec.Containers {
		cs[i] = api.ContainerStatus{Name: spec.Containers[i].Name, State: api.ContainerWaiting, Reason: "ContainerCreating"}
	}
	c.Status.ContainerStatuses = cs
	initialized := api.Condition{Type: api.PodInitialized, Status: api.ConditionTrue, LastTransitionTime: now}
	if len(spec.InitContainers) > 0 {
		initialized = api.Condition{Type: api.PodInitialized, Status: api.ConditionFalse, Reason: "ContainersNotInitialized",
			Message: si.uninitialized, LastTransitionTime: now}
	}
	unready := si.unready
	c.Status.Conditions = setConditions(c.Status.Conditions, now,
		initialized,
		api.Condition{Type: api.PodReady, Status: api.ConditionFalse, Reason: "ContainersNotReady", Message: unready},
		api.Condition{Type: api.PodContainersReady, Status: api.ConditionFalse, Reason: "ContainersNotReady", Message: unready},
		api.Condition{Type: api.PodScheduled, Status: api.ConditionTrue},
	)
}

// runningStatus is the status of a pod whose containers have just started.
func runningStatus(c *api.Pod, ps *podState, start *sim.Time, ready bool, now sim.Time) {
	spec := c.Spec
	c.Status.Phase = api.PodRunning
	cs := make([]api.ContainerStatus, len(spec.Containers))
	for i := range spec.Containers {
		ct := &spec.Containers[i]
		cs[i] = api.ContainerStatus{Name: ct.Name, State: api.ContainerRunning, Started: true, StartedAt: start,
			RestartCount: ps.restarts, Ready: ready || (ct.ReadinessProbe == nil && ct.StartupProbe == nil)}
	}
	c.Status.ContainerStatuses = cs
	readyConds := readyConditions(ps.info, ready)
	c.Status.Conditions = setConditions(c.Status.Conditions, now,
		api.Condition{Type: api.PodInitialized, Status: api.ConditionTrue, LastTransitionTime: ps.initDone},
		readyConds[0], readyConds[1])
}

// readyStatus marks every container and the pod ready.
func readyStatus(c *api.Pod, si *specInfo, now sim.Time) {
	cs := make([]api.ContainerStatus, len(c.Status.ContainerStatuses))
	for i, s := range c.Status.ContainerStatuses {
		s.Ready = true
		cs[i] = s
	}
	c.Status.ContainerStatuses = cs
	r := readyConditions(si, true)
	c.Status.Conditions = setConditions(c.Status.Conditions, now, r[0], r[1])
}

// backoffStatus is the status of a pod whose containers exited and wait to
// be restarted: Running phase, containers Waiting in CrashLoopBackOff.
func backoffStatus(c *api.Pod, si *specInfo, now sim.Time) {
	cs := make([]api.ContainerStatus, len(c.Status.ContainerStatuses))
	for i, s := range c.Status.ContainerStatuses {
		cs[i] = api.ContainerStatus{Name: s.Name, State: api.ContainerWaiting, Reason: "CrashLoopBackOff", RestartCount: s.RestartCount}
	}
	c.Status.ContainerStatuses = cs
	r := readyConditions(si, false)
	c.Status.Conditions = setConditions(c.Status.Conditions, now, r[0], r[1])
}

// succeededStatus is the status of a pod whose containers all exited 0 and
// will not restart.
func succeededStatus(c *api.Pod, now sim.Time) {
	c.Status.Phase = api.PodSucceeded
	cs := make([]api.ContainerStatus, len(c.Status.ContainerStatuses))
	for i, s := range c.Status.ContainerStatuses {
		cs[i] = api.ContainerStatus{Name: s.Name, State: api.ContainerTerminated, Reason: "Completed",
			RestartCount: s.RestartCount, StartedAt: s.StartedAt}
	}
	c.Status.ContainerStatuses = cs
	c.Status.Conditions = setConditions(c.Status.Conditions, now,
		api.Condition{Type: api.PodReady, Status: api.ConditionFalse, Reason: "PodCompleted"},
		api.Condition{Type: api.PodContainersReady, Status: api.ConditionFalse, Reason: "PodCompleted"})
}

// readyConditions returns the Ready and ContainersReady conditions for a pod
// whose containers are all ready (or not).
func readyConditions(si *specInfo, ready bool) [2]api.Condition {
	if ready {
		return [2]api.Condition{
			{Type: api.PodReady, Status: api.ConditionTrue},
			{Type: api.PodContainersReady, Status: api.ConditionTrue},
		}
	}
	msg := si.unready
	return [2]api.Condition{
		{Type: api.PodReady, Status: api.ConditionFalse, Reason: "ContainersNotReady", Message: msg},
		{Type: api.PodContainersReady, Status: api.ConditionFalse, Reason: "ContainersNotReady", Message: msg},
	}
}

// setConditions returns a new list with each of set added or replaced. A
// condition whose status does not change keeps its LastTransitionTime; a
// changed or new one gets its own LastTransitionTime, or now when that is 0.
// The input list is not modified.
func setConditions(cs []api.Condition, now sim.Time, set ...api.Condition) []api.Condition {
	out := make([]api.Condition, len(cs), len(cs)+len(set))
	copy(out, cs)
	for _, c := range set {
		if c.LastTransitionTime == 0 {
			c.LastTransitionTime = now
		}
		if old := api.FindCondition(out, c.Type); old != nil {
			if old.Status == c.Status {
				c.LastTransitionTime = old.LastTransitionTime
			}
			*old = c
			continue
		}
		out = append(out, c)
	}
	return out
}

// nameList renders container names as upstream's condition messages do:
// "[a b]".
func nameList(cs []api.Container) string {
	var b strings.Builder
	b.WriteByte('[')
	for i := range cs {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(cs[i].Name)
	}
	b.WriteByte(']')
	return b.String()
}
