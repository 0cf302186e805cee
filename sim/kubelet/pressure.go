package kubelet

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"k8s.io/apimachinery/pkg/api/resource"

	"github.com/kubesim/kubesim/sim"
	"github.com/kubesim/kubesim/sim/api"
	"github.com/kubesim/kubesim/sim/store"
)

// Node-pressure eviction (upstream's eviction manager), for memory.
//
// The node's memory.available signal is its allocatable memory plus the
// hard threshold minus the summed usage of the pods' running containers:
// upstream's allocatable already sets the threshold aside (allocatable =
// capacity − reserved − eviction threshold), so the signal crosses
// memory.available < threshold exactly when the pods use more than the
// node's allocatable memory. Usage changes only at events (a run starts or
// ends, a MemoryProfile step), and only then is the signal looked at; while
// it is crossed, or the MemoryPressure condition is still True, the manager
// runs on its monitoring grid (every Config.EvictionMonitoringInterval from
// the kubelet's start), evicting at most one pod per run.

// Reasons and messages of node-pressure eviction, as upstream's.
const (
	reasonHasInsufficientMemory  = "KubeletHasInsufficientMemory"
	messageInsufficientMemory    = "kubelet has insufficient memory available"
	reasonHasSufficientMemory    = "KubeletHasSufficientMemory"
	messageSufficientMemory      = "kubelet has sufficient memory available"
	nodeLowMessageFmt            = "The node was low on resource: %s. "
	thresholdMetMessageFmt       = "Threshold quantity: %s, available: %s. "
	containerMemoryMessageFmt    = "Container %s was using %s, request is %s, has larger consumption of %s. "
	hardEvictionGrace            = time.Second // SEMANTICS 7.6
	eventNodeHasInsufficientMem  = "NodeHasInsufficientMemory"
	eventNodeHasSufficientMemory = "NodeHasSufficientMemory"
)

// memoryCondition is the node's MemoryPressure condition as the kubelet
// reports it.
func memoryCondition(pressure bool, now sim.Time) api.Condition {
	if pressure {
		return api.Condition{Type: api.NodeMemoryPressure, Status: api.ConditionTrue, Reason: reasonHasInsufficientMemory,
			Message: messageInsufficientMemory, LastTransitionTime: now}
	}
	return api.Condition{Type: api.NodeMemoryPressure, Status: api.ConditionFalse, Reason: reasonHasSufficientMemory,
		Message: messageSufficientMemory, LastTransitionTime: now}
}

// isCritical reports whether upstream's kubelet treats the pod as critical:
// priority at least system-cluster-critical's. Critical pods are never
// evicted for node pressure and are shut down last.
func isCritical(p *api.Pod) bool { return p.Priority >= api.SystemCriticalPriority }

// setUsage sets the memory the pod's containers use and, if the node's
// signal has crossed the threshold, makes sure the eviction manager runs.
func (k *Kubelet) setUsage(ps *podState, v int64) {
	if v == ps.usage {
		return
	}
	k.memUsage += v - ps.usage
	ps.usage = v
	if k.underPressure() {
		k.armTick(k.nextTick(k.m.eng.Now()))
	}
}

// MemoryUsage returns the summed memory usage of the pods' running
// containers, in bytes.
func (k *Kubelet) MemoryUsage() int64 { return k.memUsage }

// MemoryPressure reports whether the kubelet reports the MemoryPressure
// condition.
func (k *Kubelet) MemoryPressure() bool { return k.memPressure }

// available returns the node's memory.available signal.
func (k *Kubelet) available() int64 {
	return k.allocMem + k.m.cfg.EvictionHardMemoryAvailable - k.memUsage
}

// underPressure reports whether memory.available is below the hard
// threshold.
func (k *Kubelet) underPressure() bool { return k.available() < k.m.cfg.EvictionHardMemoryAvailable }

// nextTick returns the first monitoring time at or after now.
func (k *Kubelet) nextTick(now sim.Time) sim.Time {
	iv := sim.Time(k.m.cfg.EvictionMonitoringInterval)
	if now <= k.startedAt {
		return k.startedAt
	}
	n := (now - k.startedAt + iv - 1) / iv
	return k.startedAt + n*iv
}

// armTick makes the eviction manager run at t, unless it already runs
// earlier.
func (k *Kubelet) armTick(t sim.Time) {
	if k.down {
		return
	}
	if !k.tick.IsZero() {
		if k.tickAt <= t {
			return
		}
		k.m.eng.Cancel(k.tick)
	}
	k.tickAt = t
	k.tick = k.m.eng.AtFunc(t, k.onTick)
}

// onTick is one run of the eviction manager's synchronize: observe the
// signal, update the MemoryPressure condition (it stays True for
// EvictionPressureTransitionPeriod after the signal was last crossed) and,
// under pressure, evict one pod. A kubelet process that is down does not
// run it; reconnect looks again.
func (k *Kubelet) onTick(now sim.Time) {
	k.tick = sim.Timer{}
	if k.down || k.conn == restarting {
		return
	}
	iv := k.m.cfg.EvictionMonitoringInterval
	if k.underPressure() {
		k.lastPressure = now
		if !k.memPressure {
			k.memPressure = true
			k.postMemoryPressure(now)
		}
		k.evictOne(now)
		k.armTick(later(now, iv))
		return
	}
	if !k.memPressure {
		return
	}
	if until := later(k.lastPressure, k.m.cfg.EvictionPressureTransitionPeriod); now < until {
		k.armTick(k.nextTick(until))
		return
	}
	k.memPressure = false
	k.postMemoryPressure(now)
}

// postMemoryPressure writes the MemoryPressure condition as the kubelet now
// reports it (a kubelet cut off from the API server posts it when it
// reconnects).
func (k *Kubelet) postMemoryPressure(now sim.Time) {
	if k.conn != connected {
		return
	}
	reason := eventNodeHasSufficientMemory
	if k.memPressure {
		reason = eventNodeHasInsufficientMem
	}
	k.updateNode(reason, func(n *api.Node) bool {
		c := memoryCondition(k.memPressure, now)
		if old := api.FindCondition(n.Conditions, api.NodeMemoryPressure); old != nil && old.Status == c.Status && old.Reason == c.Reason {
			return false
		}
		n.Conditions = api.SetCondition(n.Conditions, c)
		return true
	})
	if k.recording() {
		if n, ok := k.m.st.Nodes.GetKey(k.name); ok {
			k.m.st.Record(k.component, n, reason, "Node "+k.name+" status is now: "+reason)
		}
	}
}

// updateNode re-reads the node, lets mutate change a copy (it reports
// whether it did) and writes it, retrying on conflict.
func (k *Kubelet) updateNode(reason string, mutate func(*api.Node) bool) {
	for range maxAttempts {
		n, ok := k.m.st.Nodes.GetKey(k.name)
		if !ok || n.UID != k.uid {
			return
		}
		c := n.Clone()
		if !mutate(c) {
			return
		}
		_, err := k.m.st.Nodes.Update(k.component, c, reason)
		if !errors.Is(err, store.ErrConflict) {
			return
		}
	}
}

// evictOne evicts the first pod of upstream's memory ranking: pods using
// more than their memory request first, then lower priority, then larger
// usage above the request (ties: older first, then by key). Critical pods
// and pods already stopping are not candidates.
func (k *Kubelet) evictOne(now sim.Time) {
	var cands []*podState
	for _, ps := range k.pods {
		switch ps.phase {
		case phaseFinished, phaseStopping, phaseTerminating:
			continue
		}
		if ps.priority >= api.SystemCriticalPriority {
			continue
		}
		cands = append(cands, ps)
	}
	if len(cands) == 0 {
		return
	}
	victim := slices.MinFunc(cands, compareEviction)
	msg := k.evictionMessage(victim)
	if k.recording() {
		if pod, ok := k.m.st.Pods.GetKey(victim.key); ok {
			k.m.st.Record(k.component, pod, reasonEvicted, msg)
		}
	}
	grace := min(hardEvictionGrace, seconds(int32(min(victim.spec.TerminationGracePeriodSeconds, 1<<30))))
	k.stopPod(victim, now, grace, reasonEvicted, msg)
}

// compareEviction orders pods for memory-pressure eviction, first evicted
// first.
func compareEviction(a, b *podState) int {
	ea, eb := a.usage > a.spec.Requests.Memory, b.usage > b.spec.Requests.Memory
	switch {
	case ea && !eb:
		return -1
	case eb && !ea:
		return 1
	}
	if a.priority != b.priority {
		if a.priority < b.priority {
			return -1
		}
		return 1
	}
	da, db := a.usage-a.spec.Requests.Memory, b.usage-b.spec.Requests.Memory
	if da != db {
		if da > db {
			return -1
		}
		return 1
	}
	if c := compareTime(a.created, b.created); c != 0 {
		return c
	}
	return strings.Compare(a.key, b.key)
}

// evictionMessage is upstream's eviction message for memory. Usage is per
// pod, so the container sentence names the pod's first container with the
// pod's usage and request.
func (k *Kubelet) evictionMessage(ps *podState) string {
	thr := k.m.cfg.EvictionHardMemoryAvailable
	msg := fmt.Sprintf(nodeLowMessageFmt, api.ResourceMemory) +
		fmt.Sprintf(thresholdMetMessageFmt, quantity(thr), quantity(k.available()))
	if req := ps.spec.Requests.Memory; ps.usage > req && len(ps.spec.Containers) > 0 {
		msg += fmt.Sprintf(containerMemoryMessageFmt, ps.spec.Containers[0].Name, quantity(ps.usage), quantity(req), api.ResourceMemory)
	}
	return msg
}

// quantity renders bytes as Kubernetes does (binary suffixes).
func quantity(v int64) string { return resource.NewQuantity(v, resource.BinarySI).String() }
