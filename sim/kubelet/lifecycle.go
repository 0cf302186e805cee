package kubelet

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/kubesim/kubesim/sim"
	"github.com/kubesim/kubesim/sim/api"
)

// phase is where an admitted pod is in the kubelet's lifecycle.
type phase uint8

const (
	phasePulling      phase = iota // waiting for image pulls
	phaseImageBackOff              // a pull failed; waiting to retry
	phaseCreating                  // init containers and container creation
	phaseRunning                   // containers running
	phaseBackOff                   // containers exited, waiting to restart
	phaseFinished                  // Succeeded or Failed; nothing runs
	phaseTerminating               // deletion requested while running
	phaseStopping                  // the kubelet kills the pod (eviction, shutdown)
)

// endCause is what ends a run of the pod's containers.
type endCause uint8

const (
	endNone     endCause = iota
	endExit              // the run duration elapsed
	endCrash             // a crash drawn from the crash model
	endOOM               // memory usage above the limit
	endLiveness          // liveness probe failures reached the threshold
	endStartup           // startup probe failures reached the threshold
)

// Exit codes and container termination reasons, as container runtimes and
// upstream's kubelet report them.
const (
	exitKilled      = 137 // 128 + SIGKILL
	reasonCompleted = "Completed"
	reasonError     = "Error"
	reasonOOMKilled = "OOMKilled"
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
	bh        *Behavior // nil: no kubesim.io behaviour annotations
	priority  int32
	created   sim.Time

	phase   phase
	gone    bool // forgotten: pending pulls skip it
	counted bool // its requests are in Kubelet.used
	// gpuMask and gpuMilli are the GPU devices the pod holds and its milli
	// on each (GPU-sharing admission; counted with counted).
	gpuMask  uint32
	gpuMilli int64
	isReady  bool // the kubelet reports the containers ready
	deferred bool // a step came due while the kubelet process was down

	pendingPulls int
	initDone     sim.Time // when the last init container finished (phaseCreating on)
	runStart     sim.Time // when the current containers started
	exitedAt     sim.Time // when they last exited (phaseBackOff)
	restarts     int32
	deadline     sim.Time // deletion deadline (phaseTerminating)
	lastTerm     *api.ContainerTermination

	// The current run's plan (plan.go): when it ends and why, split into
	// what the containers decide (i*: exit, crash, OOM) and what the probes
	// add; and when readiness flips.
	iEnd, endAt        sim.Time
	iCause, endCause   endCause
	iCode, endCode     int32
	readyAt, unreadyAt sim.Time
	startupAt          sim.Time // when the startup probes last succeeded
	readyNext          bool     // the ready timer's next flip is to ready

	// Memory: the current run's profile (nil: the request), the index of
	// its next step and the usage counted in Kubelet.memUsage.
	mem    MemoryProfile
	memIdx int
	usage  int64

	// CrashLoopBackOff entry, as upstream's flowcontrol.Backoff for the
	// pod's containers (which exit and restart together).
	backoff     time.Duration
	backoffLast sim.Time
	backoffSet  bool

	// x holds what few pods need (image pull back-off, kubelet-initiated
	// kills), allocated on first use.
	x *podExtra

	// view is the pod as the kubelet last wrote (or, cut off from the API
	// server, would have written) it; dirty says the API server has not seen
	// it yet.
	view  *api.Pod
	dirty bool

	step  sim.Timer // creating → running → exit → restart; pull retries; stops
	ready sim.Timer // readiness flips
	kill  sim.Timer // deletion deadline
	memT  sim.Timer // next memory usage step
}

// podExtra is the part of a podState that only some pods need.
type podExtra struct {
	rng *rand.Rand // the pod's random stream

	// Image pull back-off entry and the retry it waits for.
	pullBackoff time.Duration
	pullLast    sim.Time
	pullSet     bool
	pullRetry   sim.Time
	pullImage   string

	// Set while the kubelet itself kills the pod (phaseStopping).
	stopReason, stopMessage string
	stopWasRunning          bool
}

// extra returns the pod's podExtra, allocating it on first use.
func (ps *podState) extra() *podExtra {
	if ps.x == nil {
		ps.x = &podExtra{}
	}
	return ps.x
}

// The pod's timers fire through these views of podState, so arming one
// allocates nothing.
type (
	stepEvent  podState
	readyEvent podState
	killEvent  podState
	memEvent   podState
)

// Fire runs the pod's next lifecycle step.
func (e *stepEvent) Fire(now sim.Time) { ps := (*podState)(e); ps.k.onStep(ps, now) }

// Fire flips the pod's readiness.
func (e *readyEvent) Fire(now sim.Time) { ps := (*podState)(e); ps.k.onReady(ps, now) }

// Fire removes the terminating pod at its deadline.
func (e *killEvent) Fire(sim.Time) { ps := (*podState)(e); ps.k.deletePod(ps.key, ps.uid) }

// Fire applies the pod's next memory usage step.
func (e *memEvent) Fire(now sim.Time) { ps := (*podState)(e); ps.k.onMemStep(ps, now) }

// rand returns the pod's random stream, named after the pod so that it does
// not depend on other pods or nodes.
func (ps *podState) rand() *rand.Rand {
	x := ps.extra()
	if x.rng == nil {
		x.rng = ps.k.m.eng.Rand("kubelet/pod/" + ps.namespace + "/" + ps.name)
	}
	return x.rng
}

// forget drops a pod: its timers are cancelled, its requests and memory
// released.
func (k *Kubelet) forget(ps *podState) {
	if ps.gone {
		return
	}
	ps.gone = true
	k.cancelTimers(ps)
	k.m.eng.Cancel(ps.kill)
	k.setUsage(ps, 0)
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
		k.accountGPU(ps.gpuMask, ps.gpuMilli, -1)
	}
}

func (k *Kubelet) cancelTimers(ps *podState) {
	k.m.eng.Cancel(ps.step)
	k.m.eng.Cancel(ps.ready)
	k.m.eng.Cancel(ps.memT)
	ps.step, ps.ready, ps.memT = sim.Timer{}, sim.Timer{}, sim.Timer{}
}

// ensureImages asks for every image the pod's containers need that the node
// has not cached, and starts the pod once none is missing. An image marked
// as failing fails the whole attempt (see pullFailed).
func (k *Kubelet) ensureImages(ps *podState, now sim.Time) {
	rec := k.recording()
	var pod *api.Pod
	if rec {
		pod, _ = k.m.st.Pods.GetKey(ps.key)
	}
	if len(k.m.failing) > 0 {
		for _, img := range ps.info.images {
			if !k.hasImage(img.canon) && k.m.failing[img.canon] {
				if rec {
					k.m.st.Record(k.component, pod, "Pulling", fmt.Sprintf("Pulling image %q", img.display))
				}
				k.pullFailed(ps, img.display, now)
				return
			}
		}
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

// pullFailed handles a failed pull attempt (ErrImagePull): the next attempt
// waits for the image back-off (Config.ImagePullBackoffInitial doubling to
// ImagePullBackoffMax). The pod worker, retrying a failed sync every
// Config.PodWorkerBackOff, finds the pod in back-off at its first retry and
// shows ImagePullBackOff until the next attempt.
func (k *Kubelet) pullFailed(ps *podState, display string, now sim.Time) {
	cfg, x := &k.m.cfg, ps.extra()
	if !x.pullSet || now.Sub(x.pullLast) > 2*cfg.ImagePullBackoffMax {
		x.pullBackoff = cfg.ImagePullBackoffInitial
	} else {
		x.pullBackoff = min(2*x.pullBackoff, cfg.ImagePullBackoffMax)
	}
	x.pullLast, x.pullSet = now, true
	ps.phase = phaseImageBackOff
	x.pullImage = display
	x.pullRetry = later(now, x.pullBackoff)
	if !k.writePod(ps, "ErrImagePull", func(c *api.Pod) { waitingStatus(c, ps, "ErrImagePull", now) }) {
		return
	}
	if k.recording() {
		if pod, ok := k.m.st.Pods.GetKey(ps.key); ok {
			k.m.st.Record(k.component, pod, "Failed", fmt.Sprintf("Failed to pull image %q: rpc error: code = NotFound desc = failed to pull and unpack image %q: not found", display, display))
			k.m.st.Record(k.component, pod, "Failed", "Error: ErrImagePull")
		}
	}
	next := x.pullRetry
	if show := later(now, cfg.PodWorkerBackOff); show < next {
		next = show
	}
	ps.step = k.m.eng.At(next, (*stepEvent)(ps))
}

// pullStep is a pull back-off step: show ImagePullBackOff, or try again.
func (k *Kubelet) pullStep(ps *podState, now sim.Time) {
	x := ps.extra()
	if now < x.pullRetry {
		if !k.writePod(ps, "ImagePullBackOff", func(c *api.Pod) { waitingStatus(c, ps, "ImagePullBackOff", now) }) {
			return
		}
		if k.recording() {
			if pod, ok := k.m.st.Pods.GetKey(ps.key); ok {
				k.m.st.Record(k.component, pod, "BackOff", fmt.Sprintf("Back-off pulling image %q", x.pullImage))
				k.m.st.Record(k.component, pod, "Failed", "Error: ImagePullBackOff")
			}
		}
		ps.step = k.m.eng.At(x.pullRetry, (*stepEvent)(ps))
		return
	}
	ps.phase = phasePulling
	k.ensureImages(ps, now)
}

// scheduleStart runs the init containers one after another and then creates
// the regular containers: the pod starts (len(init)+1) start latencies later.
func (k *Kubelet) scheduleStart(ps *podState, now sim.Time) {
	lat := k.m.cfg.ContainerStartLatency
	ps.phase = phaseCreating
	ps.initDone = now.Add(time.Duration(len(ps.spec.InitContainers)) * lat)
	ps.step = k.m.eng.At(ps.initDone.Add(lat), (*stepEvent)(ps))
}

// onStep advances the pod from its current phase. While the kubelet
// process is down (RestartKubelet) nothing creates or restarts containers:
// the step waits for it.
func (k *Kubelet) onStep(ps *podState, now sim.Time) {
	ps.step = sim.Timer{}
	if k.conn == restarting && ps.phase != phaseRunning && ps.phase != phaseStopping {
		ps.deferred = true
		return
	}
	switch ps.phase {
	case phaseImageBackOff:
		k.pullStep(ps, now)
	case phaseCreating:
		k.run(ps, now, "Started")
	case phaseRunning:
		k.ended(ps, now)
	case phaseBackOff:
		k.backoffNext(ps, ps.exitedAt, now)
		ps.restarts++
		k.run(ps, now, "Restarted")
	case phaseStopping:
		k.finishStop(ps, now)
	}
}

// run starts (or restarts) the pod's containers now: the pod is Running,
// ready at once or when its readiness probes pass, and due to end when the
// plan says.
func (k *Kubelet) run(ps *podState, now sim.Time, reason string) {
	ps.phase = phaseRunning
	ps.runStart = now
	k.planRun(ps, now)
	ready := ps.readyAt == now
	start := now
	if !k.writePod(ps, reason, func(c *api.Pod) { runningStatus(c, ps, &start, ready, now) }) {
		return
	}
	ps.isReady = ready
	k.setUsage(ps, ps.memAt(0))
	k.armRun(ps, now)
	k.armMemory(ps)
}

// armRun arms the readiness and end timers of the running pod.
func (k *Kubelet) armRun(ps *podState, now sim.Time) {
	k.m.eng.Cancel(ps.ready)
	k.m.eng.Cancel(ps.step)
	ps.ready, ps.step = sim.Timer{}, sim.Timer{}
	switch {
	case !ps.isReady && ps.readyAt < ps.endAt && ps.readyAt < sim.Never:
		ps.readyNext = true
		ps.ready = k.m.eng.At(ps.readyAt, (*readyEvent)(ps))
	case ps.isReady && ps.unreadyAt < ps.endAt && ps.unreadyAt < sim.Never:
		ps.readyNext = false
		ps.ready = k.m.eng.At(ps.unreadyAt, (*readyEvent)(ps))
	}
	if ps.endAt < sim.Never {
		ps.step = k.m.eng.At(max(ps.endAt, now), (*stepEvent)(ps))
	}
}

// onReady flips the running pod's readiness: ready when its readiness probes
// have passed, not ready when they have failed failureThreshold times.
func (k *Kubelet) onReady(ps *podState, now sim.Time) {
	ps.ready = sim.Timer{}
	if ps.phase != phaseRunning {
		return
	}
	if ps.readyNext {
		if !k.writePod(ps, "Ready", func(c *api.Pod) { readyStatus(c, ps.info, now) }) {
			return
		}
		ps.isReady = true
		if ps.unreadyAt < ps.endAt && ps.unreadyAt < sim.Never {
			ps.readyNext = false
			ps.ready = k.m.eng.At(ps.unreadyAt, (*readyEvent)(ps))
		}
		return
	}
	if k.recording() {
		if pod, ok := k.m.st.Pods.GetKey(ps.key); ok {
			k.m.st.Record(k.component, pod, "Unhealthy", "Readiness probe failed: kubesim: probe marked as failing")
		}
	}
	if k.writePod(ps, "NotReady", func(c *api.Pod) { unreadyStatus(c, ps.info, now) }) {
		ps.isReady = false
	}
}

// onMemStep applies the running pod's next memory usage step.
func (k *Kubelet) onMemStep(ps *podState, now sim.Time) {
	ps.memT = sim.Timer{}
	if ps.phase != phaseRunning && ps.phase != phaseTerminating {
		return
	}
	k.setUsage(ps, ps.mem[ps.memIdx].Bytes)
	ps.memIdx++
	k.armMemory(ps)
}

// armMemory arms the timer of the pod's next memory usage step, if it comes
// before the run ends.
func (k *Kubelet) armMemory(ps *podState) {
	if ps.memIdx >= len(ps.mem) {
		return
	}
	at := later(ps.runStart, ps.mem[ps.memIdx].After)
	if at >= ps.endAt || at == sim.Never {
		return
	}
	ps.memT = k.m.eng.At(at, (*memEvent)(ps))
}

// stopContainers accounts for the pod's containers having stopped: no more
// readiness flips or memory steps, and no memory used.
func (k *Kubelet) stopContainers(ps *podState) {
	k.m.eng.Cancel(ps.ready)
	k.m.eng.Cancel(ps.memT)
	ps.ready, ps.memT = sim.Timer{}, sim.Timer{}
	ps.isReady = false
	k.setUsage(ps, 0)
}

// ended handles the end of a run: the containers exited (run duration or
// crash), were OOM-killed, or were killed after failing their liveness or
// startup probes. By restartPolicy they restart (Always; OnFailure after a
// non-zero exit), now or after their CrashLoopBackOff delay, or the pod
// finishes: Succeeded when the exit code is 0, else Failed.
func (k *Kubelet) ended(ps *podState, now sim.Time) {
	code, reason := ps.endCode, reasonCompleted
	switch ps.endCause {
	case endOOM:
		reason = reasonOOMKilled
	case endLiveness, endStartup:
		k.recordProbeKill(ps)
	}
	if code != 0 && reason == reasonCompleted {
		reason = reasonError
	}
	k.stopContainers(ps)
	policy := ps.spec.RestartPolicy
	if policy != api.RestartNever && (policy != api.RestartOnFailure || code != 0) {
		ps.lastTerm = &api.ContainerTermination{ExitCode: code, Reason: reason, StartedAt: ps.runStart, FinishedAt: now}
		ps.exitedAt = now
		if k.conn == restarting {
			// Nobody restarts it before the kubelet process is back.
			ps.phase, ps.deferred = phaseBackOff, true
			k.writePod(ps, "BackOff", func(c *api.Pod) { backoffStatus(c, ps, now) })
			return
		}
		if !k.inBackoff(ps, now) {
			k.backoffNext(ps, now, now)
			ps.restarts++
			k.run(ps, now, "Restarted")
			return
		}
		ps.phase = phaseBackOff
		delay := ps.backoff
		if !k.writePod(ps, "BackOff", func(c *api.Pod) { backoffStatus(c, ps, now) }) {
			return
		}
		if k.recording() {
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
	phase := api.PodSucceeded
	if code != 0 {
		phase = api.PodFailed
	}
	k.writePod(ps, reason, func(c *api.Pod) { finishedStatus(c, phase, code, reason, now) })
}

// recordProbeKill records upstream's events for a container killed after
// failing its liveness or startup probe.
func (k *Kubelet) recordProbeKill(ps *podState) {
	if !k.recording() {
		return
	}
	pod, ok := k.m.st.Pods.GetKey(ps.key)
	if !ok {
		return
	}
	kind := "Liveness"
	if ps.endCause == endStartup {
		kind = "Startup"
	}
	for i := range ps.spec.Containers {
		c := &ps.spec.Containers[i]
		if (kind == "Liveness" && c.LivenessProbe == nil) || (kind == "Startup" && c.StartupProbe == nil) {
			continue
		}
		k.m.st.Record(k.component, pod, "Unhealthy", kind+" probe failed: kubesim: probe marked as failing")
		k.m.st.Record(k.component, pod, "Killing", fmt.Sprintf("Container %s failed %s probe, will be restarted", c.Name, strings.ToLower(kind)))
	}
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
// once. A pod the kubelet is already killing finishes that first.
func (k *Kubelet) terminate(ps *podState, deadline, now sim.Time) {
	switch ps.phase {
	case phaseStopping:
		return // finishStop deletes it
	case phaseTerminating:
		if deadline >= ps.deadline {
			return
		}
	case phaseRunning:
		k.m.eng.Cancel(ps.step)
		k.m.eng.Cancel(ps.ready)
		ps.step, ps.ready = sim.Timer{}, sim.Timer{}
		ps.phase = phaseTerminating
		if k.recording() {
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

// stopPod makes the kubelet kill the pod itself (node-pressure eviction,
// graceful node shutdown): its containers get grace to stop (the whole of
// it, the worst case, as for deletions), then the pod is Failed with reason
// and message and a DisruptionTarget condition. A pod with nothing running
// stops at once; a finished pod is left as it is. It returns how long the
// stop takes.
func (k *Kubelet) stopPod(ps *podState, now sim.Time, grace time.Duration, reason, message string) time.Duration {
	switch ps.phase {
	case phaseFinished, phaseStopping:
		return 0
	}
	x := ps.extra()
	switch ps.phase {
	case phaseTerminating:
		grace = min(grace, ps.deadline.Sub(now))
		k.m.eng.Cancel(ps.kill)
		ps.kill = sim.Timer{}
		x.stopWasRunning = true
	case phaseRunning:
		x.stopWasRunning = true
	default:
		x.stopWasRunning = false
		grace = 0
	}
	grace = max(grace, 0)
	k.cancelTimers(ps)
	ps.phase = phaseStopping
	x.stopReason, x.stopMessage = reason, message
	if x.stopWasRunning && k.recording() {
		if pod, ok := k.m.st.Pods.GetKey(ps.key); ok {
			for i := range ps.spec.Containers {
				k.m.st.Record(k.component, pod, "Killing", "Stopping container "+ps.spec.Containers[i].Name)
			}
		}
	}
	if grace == 0 {
		k.finishStop(ps, now)
		return 0
	}
	ps.step = k.m.eng.At(later(now, grace), (*stepEvent)(ps))
	return grace
}

// finishStop ends a kubelet-initiated kill: the containers are gone and the
// pod is Failed (a pod deleted meanwhile is then removed).
func (k *Kubelet) finishStop(ps *podState, now sim.Time) {
	x := ps.extra()
	if x.stopWasRunning {
		ps.lastTerm = &api.ContainerTermination{ExitCode: exitKilled, Reason: reasonError, StartedAt: ps.runStart, FinishedAt: now}
	}
	k.stopContainers(ps)
	ps.phase = phaseFinished
	k.release(ps)
	if !k.writePod(ps, x.stopReason, func(c *api.Pod) { stoppedStatus(c, ps, now) }) {
		return
	}
	if k.conn == connected {
		if p, ok := k.m.st.Pods.GetKey(ps.key); ok && p.UID == ps.uid && p.IsDeleting() {
			k.deletePod(ps.key, ps.uid)
		}
	}
}

func seconds(s int32) time.Duration { return time.Duration(s) * time.Second }

// Pod status builders. Each gets a fresh copy of the stored pod and replaces
// (never modifies) its shared slices.

// admittedStatus is the status of an admitted pod whose containers are being
// created: StartTime set, containers Waiting (ContainerCreating), not ready.
// A pod whose containers ran before (a rebooted node) stays Running.
func admittedStatus(c *api.Pod, ps *podState, startTime *sim.Time, now sim.Time) {
	spec, si := c.Spec, ps.info
	if ps.restarts == 0 {
		c.Status.Phase = api.PodPending
	}
	c.Status.Reason, c.Status.Message = "", ""
	c.Status.StartTime = startTime
	cs := make([]api.ContainerStatus, len(spec.Containers))
	for i := range spec.Containers {
		cs[i] = api.ContainerStatus{Name: spec.Containers[i].Name, State: api.ContainerWaiting, Reason: "ContainerCreating",
			RestartCount: ps.restarts, LastTermination: ps.lastTerm}
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

// waitingStatus is the status of an admitted pod whose containers wait for
// their image with the given reason (ErrImagePull, ImagePullBackOff).
func waitingStatus(c *api.Pod, ps *podState, reason string, now sim.Time) {
	spec := c.Spec
	cs := make([]api.ContainerStatus, len(spec.Containers))
	for i := range spec.Containers {
		cs[i] = api.ContainerStatus{Name: spec.Containers[i].Name, State: api.ContainerWaiting, Reason: reason,
			RestartCount: ps.restarts, LastTermination: ps.lastTerm}
	}
	c.Status.ContainerStatuses = cs
}

// runningStatus is the status of a pod whose containers have just started.
func runningStatus(c *api.Pod, ps *podState, start *sim.Time, ready bool, now sim.Time) {
	spec := c.Spec
	c.Status.Phase = api.PodRunning
	cs := make([]api.ContainerStatus, len(spec.Containers))
	for i := range spec.Containers {
		ct := &spec.Containers[i]
		cs[i] = api.ContainerStatus{Name: ct.Name, State: api.ContainerRunning, Started: true, StartedAt: start,
			RestartCount: ps.restarts, Ready: ready || (ct.ReadinessProbe == nil && ct.StartupProbe == nil),
			LastTermination: ps.lastTerm}
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

// unreadyStatus marks the containers with readiness probes, and the pod,
// not ready.
func unreadyStatus(c *api.Pod, si *specInfo, now sim.Time) {
	cs := make([]api.ContainerStatus, len(c.Status.ContainerStatuses))
	for i, s := range c.Status.ContainerStatuses {
		if i < len(c.Spec.Containers) && c.Spec.Containers[i].ReadinessProbe != nil {
			s.Ready = false
		}
		cs[i] = s
	}
	c.Status.ContainerStatuses = cs
	r := readyConditions(si, false)
	c.Status.Conditions = setConditions(c.Status.Conditions, now, r[0], r[1])
}

// backoffStatus is the status of a pod whose containers exited and wait to
// be restarted: Running phase, containers Waiting in CrashLoopBackOff.
func backoffStatus(c *api.Pod, ps *podState, now sim.Time) {
	cs := make([]api.ContainerStatus, len(c.Status.ContainerStatuses))
	for i, s := range c.Status.ContainerStatuses {
		cs[i] = api.ContainerStatus{Name: s.Name, State: api.ContainerWaiting, Reason: "CrashLoopBackOff", RestartCount: s.RestartCount,
			LastTermination: ps.lastTerm}
	}
	c.Status.ContainerStatuses = cs
	r := readyConditions(ps.info, false)
	c.Status.Conditions = setConditions(c.Status.Conditions, now, r[0], r[1])
}

// finishedStatus is the status of a pod whose containers all exited and
// will not restart: Succeeded after exit 0, else Failed.
func finishedStatus(c *api.Pod, phase api.PodPhase, code int32, reason string, now sim.Time) {
	c.Status.Phase = phase
	cs := make([]api.ContainerStatus, len(c.Status.ContainerStatuses))
	for i, s := range c.Status.ContainerStatuses {
		cs[i] = api.ContainerStatus{Name: s.Name, State: api.ContainerTerminated, Reason: reason, ExitCode: code,
			RestartCount: s.RestartCount, StartedAt: s.StartedAt, LastTermination: s.LastTermination}
	}
	c.Status.ContainerStatuses = cs
	cond := "PodCompleted"
	if phase == api.PodFailed {
		cond = "PodFailed"
	}
	c.Status.Conditions = setConditions(c.Status.Conditions, now,
		api.Condition{Type: api.PodReady, Status: api.ConditionFalse, Reason: cond},
		api.Condition{Type: api.PodContainersReady, Status: api.ConditionFalse, Reason: cond})
}

// stoppedStatus is the status of a pod the kubelet killed: Failed (unless
// it had Succeeded) with the stop's reason and message and a
// DisruptionTarget condition, its containers terminated.
func stoppedStatus(c *api.Pod, ps *podState, now sim.Time) {
	if c.Status.Phase != api.PodSucceeded {
		c.Status.Phase = api.PodFailed
	}
	x := ps.extra()
	c.Status.Reason, c.Status.Message = x.stopReason, x.stopMessage
	cs := make([]api.ContainerStatus, len(c.Status.ContainerStatuses))
	for i, s := range c.Status.ContainerStatuses {
		n := api.ContainerStatus{Name: s.Name, State: api.ContainerTerminated, RestartCount: s.RestartCount, StartedAt: s.StartedAt}
		if x.stopWasRunning {
			n.ExitCode, n.Reason = exitKilled, reasonError
		} else {
			n.ExitCode, n.Reason, n.LastTermination = exitKilled, reasonContainerStatusUnknown, s.LastTermination
		}
		cs[i] = n
	}
	c.Status.ContainerStatuses = cs
	c.Status.Conditions = setConditions(c.Status.Conditions, now,
		api.Condition{Type: api.PodDisruptionTarget, Status: api.ConditionTrue, Reason: api.PodReasonTerminationByKubelet, Message: x.stopMessage},
		api.Condition{Type: api.PodReady, Status: api.ConditionFalse, Reason: "PodFailed"},
		api.Condition{Type: api.PodContainersReady, Status: api.ConditionFalse, Reason: "PodFailed"})
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
