package kubelet

import (
	"errors"
	"fmt"
	"reflect"
	"slices"
	"time"

	"github.com/kubesim/kubesim/sim"
	"github.com/kubesim/kubesim/sim/api"
	"github.com/kubesim/kubesim/sim/store"
)

// connState says whether a kubelet talks to the API server.
type connState uint8

const (
	// connected: it watches its pods and writes their status.
	connected connState = iota
	// partitioned: a network partition cuts it off; it keeps running its
	// pods but sees and writes nothing.
	partitioned
	// restarting: the kubelet process is down; containers keep running
	// but nothing is probed, started or restarted, and nothing is seen or
	// written.
	restarting
)

// Spot reclaim: the taint a termination handler puts on the node at the
// interruption notice, and the component it writes as.
const (
	// TaintSpotInterruption is the taint aws-node-termination-handler adds
	// (with a cordon) when a spot interruption notice arrives.
	TaintSpotInterruption = "aws-node-termination-handler/spot-itn"
	// ComponentTerminationHandler names the writes of Reclaim's notice.
	ComponentTerminationHandler = "node-termination-handler"
)

// Failure hooks. A failure plan calls these at scenario times; each models
// one upstream failure and lets the control plane find out the way it does
// upstream: through the node's Lease going stale, its conditions, and its
// pods' status. Each returns an error, naming the node, when the node has
// no kubelet or the kubelet is not in a state the failure applies to.

// Crash kills the node's machine: the kubelet stops at once and its
// containers are gone, so nothing of the node writes any more. The node and
// its pods stay in the store as they were, Running and Ready, for the node
// lifecycle controller to notice: the node's Lease is written once, with
// Renewing false and RenewTime frozen at its last renewal (its renewals
// were not events, so the lease would otherwise look fresh forever).
func (m *Manager) Crash(node string) error {
	k, err := m.up("Crash", node)
	if err != nil {
		return err
	}
	k.halt(m.eng.Now())
	return nil
}

// Recover brings a crashed (or shut down) machine back: a fresh kubelet
// starts, as after a reboot. Its image cache holds only the node's
// status.images; its lease renews again from now; it posts Ready=True. It
// finds the pods still bound to the node in the store and reconciles them
// (upstream: a rebooted node's kubelet finds pods bound to it whose
// containers are gone): pods being deleted are removed; pods whose
// containers had started restart (restartCount + 1, lastState terminated
// with ContainerStatusUnknown, exit 137) under restartPolicy Always or
// OnFailure, and are Failed under Never; the others start afresh. Every pod
// goes through admission again, oldest first.
func (m *Manager) Recover(node string) error {
	k := m.kubelets[node]
	if k == nil {
		return fmt.Errorf("kubelet: Recover: no node %q", node)
	}
	if !k.down {
		return fmt.Errorf("kubelet: Recover: node %q is not down", node)
	}
	n, ok := m.st.Nodes.GetKey(node)
	if !ok || n.UID != k.uid {
		return fmt.Errorf("kubelet: Recover: node %q is no longer in the store", node)
	}
	fresh := newKubelet(m, n)
	m.kubelets[node] = fresh
	fresh.start(n, true)
	return nil
}

// Partition cuts the node off from the control plane (a network failure
// between them): the kubelet keeps running its pods, with their timers,
// restarts and probes, but it sees no store changes and writes nothing; its
// lease stops renewing as in Crash. What it would have written is kept for
// Heal.
func (m *Manager) Partition(node string) error {
	k, err := m.up("Partition", node)
	if err != nil {
		return err
	}
	if k.conn != connected {
		return fmt.Errorf("kubelet: Partition: node %q is already cut off", node)
	}
	k.disconnect(m.eng.Now(), partitioned)
	return nil
}

// Heal ends a Partition: the kubelet reconciles with what the control plane
// decided meanwhile, as its first successful syncs do upstream. Pods deleted
// from the store (evicted, replaced) are killed at once, so no duplicate
// keeps running; pods being deleted are removed once their grace period is
// over (at once if it already is); the others get the status the kubelet
// holds written (Ready again if it is); pods bound to the node meanwhile
// are admitted. The lease renews again and the node posts Ready=True.
func (m *Manager) Heal(node string) error {
	k, err := m.up("Heal", node)
	if err != nil {
		return err
	}
	if k.conn != partitioned {
		return fmt.Errorf("kubelet: Heal: node %q is not partitioned", node)
	}
	k.reconnect(m.eng.Now(), false)
	return nil
}

// RestartKubelet restarts the kubelet process of the node, down for
// downtime: containers keep running (and may exit) but nothing is probed,
// started or restarted, and nothing is seen or written; the lease has a gap
// of downtime. When the process is back it reconciles as after Heal, and
// also as a new process: probing starts over (a readiness probe needing
// several successes makes the pod not ready until it has them again; a
// failing liveness probe counts its failures afresh), and the in-memory
// back-off entries are gone, so containers waiting in CrashLoopBackOff or
// ImagePullBackOff are retried at once.
func (m *Manager) RestartKubelet(node string, downtime time.Duration) error {
	k, err := m.up("RestartKubelet", node)
	if err != nil {
		return err
	}
	if k.conn != connected {
		return fmt.Errorf("kubelet: RestartKubelet: node %q is cut off", node)
	}
	if downtime < 0 {
		return fmt.Errorf("kubelet: RestartKubelet: node %q: negative downtime %v", node, downtime)
	}
	now := m.eng.Now()
	k.disconnect(now, restarting)
	gen := k.gen
	m.eng.AtFunc(later(now, downtime), func(t sim.Time) {
		if k.gen == gen && !k.down && k.conn == restarting {
			k.reconnect(t, true)
		}
	})
	return nil
}

// Shutdown shuts the node down gracefully, as upstream's GracefulNodeShutdown
// does when systemd announces a shutdown: the node posts Ready=False (reason
// KubeletNotReady, message "node is shutting down") and admits no new pod
// (reason NodeShutdown); its regular pods are killed first, each with
// min(its terminationGracePeriodSeconds, gracePeriod −
// Config.ShutdownGracePeriodCriticalPods), then its critical pods (priority
// ≥ 2 000 000 000) with min(their grace, the critical period); each group
// waits for its slowest pod (a group with no pod does not wait). Killed
// pods are Failed with reason Terminated, message "Pod was terminated in
// response to imminent node shutdown." and a DisruptionTarget condition
// (reason TerminationByKubelet); pods that had Succeeded stay so. Then the
// machine powers off: the kubelet stops as in Crash. A gracePeriod ≤ 0
// means Config.ShutdownGracePeriod.
func (m *Manager) Shutdown(node string, gracePeriod time.Duration) error {
	k, err := m.up("Shutdown", node)
	if err != nil {
		return err
	}
	if k.shuttingDown {
		return fmt.Errorf("kubelet: Shutdown: node %q is already shutting down", node)
	}
	k.shutdown(m.eng.Now(), gracePeriod)
	return nil
}

// Reclaim models a spot (preemptible) instance reclaimed by its cloud after
// a notice. Kubernetes has no API for the notice; kubesim does what AWS's
// aws-node-termination-handler does with it: at once it cordons the node
// (spec.unschedulable) and taints it TaintSpotInterruption:NoSchedule
// (written as ComponentTerminationHandler; it does not drain), and when the
// notice ends the machine shuts down gracefully (Shutdown with
// Config.ShutdownGracePeriod). A node that crashes or shuts down before
// then is left as it is.
func (m *Manager) Reclaim(node string, notice time.Duration) error {
	k, err := m.up("Reclaim", node)
	if err != nil {
		return err
	}
	if notice < 0 {
		return fmt.Errorf("kubelet: Reclaim: node %q: negative notice %v", node, notice)
	}
	now := m.eng.Now()
	for range maxAttempts {
		n, ok := m.st.Nodes.GetKey(node)
		if !ok || n.UID != k.uid {
			break
		}
		taint := api.Taint{Key: TaintSpotInterruption, Effect: api.TaintNoSchedule}
		if n.Unschedulable && slices.ContainsFunc(n.Taints, func(t api.Taint) bool { return t.Key == taint.Key && t.Effect == taint.Effect }) {
			break
		}
		c := n.Clone()
		c.Unschedulable = true
		if !slices.ContainsFunc(n.Taints, func(t api.Taint) bool { return t.Key == taint.Key && t.Effect == taint.Effect }) {
			c.Taints = append(slices.Clip(n.Taints), taint)
		}
		stored, err := m.st.Nodes.Update(ComponentTerminationHandler, c, "SpotInterruption")
		if err == nil {
			m.st.Record(ComponentTerminationHandler, stored, "SpotInterruption",
				fmt.Sprintf("Spot interruption notice: node %s is reclaimed in %v; cordoned", node, notice))
			break
		}
		if !errors.Is(err, store.ErrConflict) {
			break
		}
	}
	m.eng.AtFunc(later(now, notice), func(t sim.Time) {
		if m.kubelets[node] == k && !k.down && !k.shuttingDown {
			k.shutdown(t, 0)
		}
	})
	return nil
}

// SetImageFailing marks an image (any spelling of its name) as failing to
// pull from now on, or as pullable again: a registry outage or a bad tag.
// Pulls already under way finish; pods retry per their image pull back-off.
func (m *Manager) SetImageFailing(image string, failing bool) {
	c := m.canonical(image)
	if failing {
		m.failing[c] = true
	} else {
		delete(m.failing, c)
	}
}

// up returns the kubelet of a node whose machine is up.
func (m *Manager) up(op, node string) (*Kubelet, error) {
	k := m.kubelets[node]
	if k == nil {
		return nil, fmt.Errorf("kubelet: %s: no node %q", op, node)
	}
	if k.down {
		return nil, fmt.Errorf("kubelet: %s: node %q is down", op, node)
	}
	return k, nil
}

// halt is the machine dying: the lease stops, everything pending is
// cancelled and the pods are forgotten without a write.
func (k *Kubelet) halt(now sim.Time) {
	k.stopLease(now)
	k.down = true
	k.shuttingDown = false
	k.gen++
	k.stop()
	k.memUsage = 0
}

// disconnect cuts the kubelet off from the API server. A restarting
// kubelet also stops probing: readiness stays as it was and only the
// containers' own exits, crashes and OOM kills still end runs.
func (k *Kubelet) disconnect(now sim.Time, state connState) {
	k.stopLease(now)
	k.conn = state
	k.gen++
	for _, ps := range k.sortedPods() {
		if ps.view == nil {
			if p, ok := k.m.st.Pods.GetKey(ps.key); ok && p.UID == ps.uid {
				ps.view = p
			}
		}
		if state == restarting && ps.phase == phaseRunning {
			ps.endAt, ps.endCause, ps.endCode = ps.iEnd, ps.iCause, ps.iCode
			ps.readyAt, ps.unreadyAt = sim.Never, sim.Never
			k.armRun(ps, now)
		}
	}
}

// reconnect is the kubelet reaching the API server again (after a
// partition, or as a restarted process when restarted is set).
func (k *Kubelet) reconnect(now sim.Time, restarted bool) {
	k.conn = connected
	k.gen++
	k.renewLease(now)
	k.postReady(now)
	for _, ps := range k.sortedPods() {
		if ps.gone {
			continue
		}
		cur, ok := k.m.st.Pods.GetKey(ps.key)
		if !ok || cur.UID != ps.uid || cur.NodeName != k.name {
			// Deleted (or replaced) while the kubelet could not see it:
			// kill its containers now.
			k.forget(ps)
			continue
		}
		k.flushView(ps, cur, now)
		if ps.gone {
			continue
		}
		if restarted {
			k.resume(ps, now)
		}
		if !ps.gone {
			k.syncPod(cur)
		}
	}
	for _, p := range k.boundPods() {
		if k.pods[p.UID] == nil {
			k.syncPod(p)
		}
	}
	if k.underPressure() || k.memPressure {
		k.armTick(k.nextTick(now))
	}
}

// flushView writes the pod status the kubelet holds, keeping what other
// components own (conditions they set, the nominated node), if it differs
// from the stored one.
func (k *Kubelet) flushView(ps *podState, cur *api.Pod, now sim.Time) {
	v := ps.view
	ps.dirty = false
	if v == nil {
		return
	}
	for range maxAttempts {
		c := cur.Clone()
		c.Status.Phase, c.Status.Reason, c.Status.Message = v.Status.Phase, v.Status.Reason, v.Status.Message
		c.Status.StartTime, c.Status.ContainerStatuses = v.Status.StartTime, v.Status.ContainerStatuses
		var own []api.Condition
		for _, cond := range v.Status.Conditions {
			switch cond.Type {
			case api.PodScheduled, api.PodInitialized, api.PodReady, api.PodContainersReady:
				own = append(own, cond)
			case api.PodDisruptionTarget:
				if cond.Reason == api.PodReasonTerminationByKubelet {
					own = append(own, cond)
				}
			}
		}
		c.Status.Conditions = setConditions(cur.Status.Conditions, now, own...)
		if reflect.DeepEqual(c.Status, cur.Status) {
			ps.view = cur
			return
		}
		stored, err := k.m.st.Pods.Update(k.component, c, "StatusSync")
		if err == nil {
			ps.view = stored
			return
		}
		if !errors.Is(err, store.ErrConflict) {
			return
		}
		var ok bool
		if cur, ok = k.m.st.Pods.GetKey(ps.key); !ok || cur.UID != ps.uid {
			return
		}
	}
}

// resume is a restarted kubelet process taking up a pod whose containers
// kept running: probing starts over and back-off entries are gone.
func (k *Kubelet) resume(ps *podState, now sim.Time) {
	ps.backoffSet = false
	if ps.x != nil {
		ps.x.pullSet = false
	}
	switch ps.phase {
	case phaseRunning:
		k.planProbes(ps, now, true)
		ready := ps.readyAt == now
		if ready != ps.isReady {
			if ready {
				k.writePod(ps, "Ready", func(c *api.Pod) { readyStatus(c, ps.info, now) })
			} else {
				k.writePod(ps, "NotReady", func(c *api.Pod) { unreadyStatus(c, ps.info, now) })
			}
			ps.isReady = ready
		}
		if !ps.gone {
			k.armRun(ps, now)
		}
	case phaseBackOff, phaseImageBackOff:
		k.m.eng.Cancel(ps.step)
		ps.step, ps.deferred = sim.Timer{}, false
		if ps.x != nil {
			ps.x.pullRetry = now
		}
		k.onStep(ps, now)
	case phaseCreating:
		if ps.deferred {
			ps.deferred = false
			k.onStep(ps, now)
		}
	}
}

// shutdown runs a graceful node shutdown from now (see Manager.Shutdown).
func (k *Kubelet) shutdown(now sim.Time, grace time.Duration) {
	cfg := &k.m.cfg
	if grace <= 0 {
		grace = cfg.ShutdownGracePeriod
	}
	critical := min(cfg.ShutdownGracePeriodCriticalPods, grace)
	k.shuttingDown = true
	k.postShuttingDown(now)
	end := k.stopGroup(now, false, grace-critical)
	k.m.eng.AtFunc(end, func(t sim.Time) {
		if k.down {
			return
		}
		end := k.stopGroup(t, true, critical)
		k.m.eng.AtFunc(end, func(t sim.Time) {
			if !k.down {
				k.halt(t)
			}
		})
	})
}

// stopGroup kills the regular (or critical) pods for a node shutdown, each
// with min(its grace, period), and returns when the slowest has stopped.
func (k *Kubelet) stopGroup(now sim.Time, critical bool, period time.Duration) sim.Time {
	end := now
	for _, ps := range k.sortedPods() {
		if ps.gone || (ps.priority >= api.SystemCriticalPriority) != critical {
			continue
		}
		grace := min(period, seconds(int32(min(ps.spec.TerminationGracePeriodSeconds, 1<<30))))
		if d := k.stopPod(ps, now, grace, reasonTerminated, messageShutdown); d > 0 {
			end = max(end, later(now, d))
		}
	}
	return end
}

// rebootPod takes up a pod bound to the node when the kubelet starts after
// a reboot (see Manager.Recover).
func (k *Kubelet) rebootPod(p *api.Pod, now sim.Time) {
	switch {
	case p.IsDeleting():
		k.deletePod(p.Key(), p.UID)
		return
	case p.IsTerminal():
		return
	}
	var started *sim.Time
	for _, cs := range p.Status.ContainerStatuses {
		if cs.StartedAt != nil {
			started = cs.StartedAt
		}
	}
	if started == nil {
		k.admit(p, now)
		return
	}
	last := &api.ContainerTermination{ExitCode: exitKilled, Reason: reasonContainerStatusUnknown, StartedAt: *started, FinishedAt: now}
	if p.Spec.RestartPolicy != api.RestartNever {
		k.admitRun(p, now, p.MaxRestarts()+1, last)
		return
	}
	for range maxAttempts {
		cur, ok := k.m.st.Pods.GetKey(p.Key())
		if !ok || cur.UID != p.UID {
			return
		}
		c := cur.Clone()
		c.Status.Phase = api.PodFailed
		cs := make([]api.ContainerStatus, len(cur.Status.ContainerStatuses))
		for i, s := range cur.Status.ContainerStatuses {
			cs[i] = api.ContainerStatus{Name: s.Name, State: api.ContainerTerminated, Reason: reasonContainerStatusUnknown,
				ExitCode: exitKilled, RestartCount: s.RestartCount, StartedAt: s.StartedAt}
		}
		c.Status.ContainerStatuses = cs
		c.Status.Conditions = setConditions(cur.Status.Conditions, now,
			api.Condition{Type: api.PodReady, Status: api.ConditionFalse, Reason: "PodFailed"},
			api.Condition{Type: api.PodContainersReady, Status: api.ConditionFalse, Reason: "PodFailed"})
		_, err := k.m.st.Pods.Update(k.component, c, reasonContainerStatusUnknown)
		if !errors.Is(err, store.ErrConflict) {
			return
		}
	}
}

// sortedPods returns the kubelet's pods in UID order.
func (k *Kubelet) sortedPods() []*podState {
	out := make([]*podState, 0, len(k.pods))
	for _, ps := range k.pods {
		out = append(out, ps)
	}
	slices.SortFunc(out, func(a, b *podState) int {
		switch {
		case a.uid < b.uid:
			return -1
		case a.uid > b.uid:
			return 1
		}
		return 0
	})
	return out
}

// postReady posts the node status of a kubelet that is up and reporting:
// Ready=True (KubeletReady) unless it is shutting down, and its
// MemoryPressure condition.
func (k *Kubelet) postReady(now sim.Time) {
	if k.shuttingDown {
		k.postShuttingDown(now)
		return
	}
	k.postNode(now, api.Condition{Type: api.NodeReady, Status: api.ConditionTrue, Reason: reasonKubeletReady,
		Message: messageKubeletReady, LastTransitionTime: now}, "NodeReady")
}

// postShuttingDown posts Ready=False for a node shutting down.
func (k *Kubelet) postShuttingDown(now sim.Time) {
	k.postNode(now, api.Condition{Type: api.NodeReady, Status: api.ConditionFalse, Reason: reasonKubeletNotReady,
		Message: messageNodeShuttingDown, LastTransitionTime: now}, "NodeNotReady")
}

// postNode writes the node's Ready condition and the kubelet's
// MemoryPressure condition if either differs from the stored ones.
func (k *Kubelet) postNode(now sim.Time, ready api.Condition, reason string) {
	if k.conn != connected {
		return
	}
	wrote := false
	k.updateNode(reason, func(n *api.Node) bool {
		changed := false
		for _, c := range []api.Condition{ready, memoryCondition(k.memPressure, now)} {
			if old := api.FindCondition(n.Conditions, c.Type); old == nil || old.Status != c.Status || old.Reason != c.Reason || old.Message != c.Message {
				n.Conditions = api.SetCondition(n.Conditions, c)
				changed = true
			}
		}
		wrote = changed
		return changed
	})
	if wrote && k.recording() {
		if n, ok := k.m.st.Nodes.GetKey(k.name); ok {
			k.m.st.Record(k.component, n, reason, "Node "+k.name+" status is now: "+reason)
		}
	}
}

// renewLease makes the node's Lease renew from now on (creating it if
// needed), writing only if it was not already renewing.
func (k *Kubelet) renewLease(now sim.Time) {
	cfg := &k.m.cfg
	interval := time.Duration(cfg.NodeLeaseDurationSeconds) * time.Second / 4
	for range maxAttempts {
		l, ok := k.m.st.Leases.Get(api.NodeLeaseNamespace, k.name)
		if !ok {
			_, err := k.m.st.Leases.Create(k.component, &api.Lease{
				ObjectMeta: api.ObjectMeta{Namespace: api.NodeLeaseNamespace, Name: k.name,
					OwnerReferences: []api.OwnerReference{{Kind: api.KindNode, Name: k.name, UID: k.uid}}},
				HolderIdentity: k.name, LeaseDurationSeconds: cfg.NodeLeaseDurationSeconds,
				AcquireTime: now, RenewTime: now, Renewing: true, RenewInterval: interval}, "NodeLease")
			if !errors.Is(err, store.ErrAlreadyExists) {
				return
			}
			continue
		}
		if l.Renewing && l.HolderIdentity == k.name && l.RenewInterval == interval && l.LeaseDurationSeconds == cfg.NodeLeaseDurationSeconds {
			return
		}
		c := l.Clone()
		if c.HolderIdentity != k.name {
			c.HolderIdentity, c.AcquireTime = k.name, now
		}
		c.LeaseDurationSeconds, c.RenewInterval = cfg.NodeLeaseDurationSeconds, interval
		c.Renewing, c.RenewTime = true, now
		_, err := k.m.st.Leases.Update(k.component, c, "NodeLease")
		if !errors.Is(err, store.ErrConflict) {
			return
		}
	}
}

// stopLease freezes the node's Lease at its last renewal.
func (k *Kubelet) stopLease(now sim.Time) {
	for range maxAttempts {
		l, ok := k.m.st.Leases.Get(api.NodeLeaseNamespace, k.name)
		if !ok || !l.Renewing {
			return
		}
		c := l.Clone()
		c.RenewTime = l.RenewTimeAt(now)
		c.Renewing = false
		_, err := k.m.st.Leases.Update(k.component, c, "LeaseRenewStopped")
		if !errors.Is(err, store.ErrConflict) {
			return
		}
	}
}
