package kubelet

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/kubesim/kubesim/sim"
	"github.com/kubesim/kubesim/sim/api"
	"github.com/kubesim/kubesim/sim/store"
)

// defaultMaxPods is the kubelet's default maxPods, used when a Node's
// AllowedPods is unset (0).
const defaultMaxPods = 110

// Reasons and messages the kubelet writes, as upstream.
const (
	reasonKubeletReady  = "KubeletReady"
	messageKubeletReady = "kubelet is posting ready status"
	rejectedPrefix      = "Pod was rejected: "

	reasonNodeShutdown           = "NodeShutdown"
	messageNodeShutdownRejected  = "Pod was rejected as the node is shutting down."
	reasonEvicted                = "Evicted"
	nodeConditionMessageFmt      = "The node had condition: %s. "
	reasonKubeletNotReady        = "KubeletNotReady"
	messageNodeShuttingDown      = "node is shutting down"
	reasonTerminated             = "Terminated"
	messageShutdown              = "Pod was terminated in response to imminent node shutdown."
	reasonContainerStatusUnknown = "ContainerStatusUnknown"
)

// Kubelet is the simulated kubelet of one node. It exists while its Node does;
// Manager.Kubelet returns it for inspection.
type Kubelet struct {
	m         *Manager
	name      string
	uid       api.UID
	component string

	// pods holds, by UID, the admitted pods the kubelet still follows: from
	// admission until the store forgets them.
	pods map[api.UID]*podState
	// used and count are the requests and number of admitted, not finished
	// pods: what admission checks a new pod against.
	used  api.Resources
	count int64
	// gpuUsed is each GPU device's milli used by the admitted, unfinished
	// pods (GPU-sharing admission, devices.go).
	gpuUsed [MaxGPUDevices]int64

	images map[string]struct{} // canonical names of cached images
	pulls  map[string]*pull    // queued or running pulls by canonical name
	queue  []*pull             // pulls waiting for the serial puller
	active *pull               // the serial puller's running pull

	// startedAt is when this kubelet process started: the origin of the
	// eviction manager's monitoring grid.
	startedAt sim.Time
	// conn says whether the kubelet talks to the API server (failures.go).
	conn connState
	// down is set once the machine has died (Crash, or the end of a
	// Shutdown): nothing runs until Recover starts a fresh kubelet.
	down bool
	// shuttingDown is set during a graceful node shutdown.
	shuttingDown bool
	// gen counts disconnections, so that a scheduled reconnection of an
	// earlier one does nothing.
	gen uint64

	// Node-pressure eviction (pressure.go).
	allocMem     int64 // the node's allocatable memory
	memUsage     int64 // summed memory usage of the pods' running containers
	memPressure  bool  // the MemoryPressure condition as the kubelet reports it
	lastPressure sim.Time
	tick         sim.Timer
	tickAt       sim.Time
}

func newKubelet(m *Manager, n *api.Node) *Kubelet {
	k := &Kubelet{m: m, name: n.Name, uid: n.UID, component: "kubelet/" + n.Name,
		pods: map[api.UID]*podState{}, images: map[string]struct{}{}, pulls: map[string]*pull{}}
	for _, img := range n.Images {
		for _, name := range img.Names {
			k.images[m.canonical(name)] = struct{}{}
		}
	}
	return k
}

// NodeName returns the name of the kubelet's node.
func (k *Kubelet) NodeName() string { return k.name }

// HasImage reports whether the image (any spelling of its name) is cached on
// the node.
func (k *Kubelet) HasImage(name string) bool { return k.hasImage(k.m.canonical(name)) }

// ActivePods returns how many admitted pods have not finished.
func (k *Kubelet) ActivePods() int64 { return k.count }

// Allocated returns the summed requests of the admitted pods that have not
// finished, as admission counts them.
func (k *Kubelet) Allocated() api.Resources { return k.used }

// start registers the node's readiness, renews its lease and takes up the
// pods already bound to it, oldest first. A rebooted kubelet (Recover) finds
// those pods' containers gone: see rebootPod.
func (k *Kubelet) start(n *api.Node, rebooted bool) {
	now := k.m.eng.Now()
	k.startedAt = now
	k.allocMem = n.Allocatable.Memory
	k.renewLease(now)
	if rebooted {
		k.postReady(now)
	} else if api.FindCondition(n.Conditions, api.NodeReady) == nil {
		k.registerReady()
	}
	for _, p := range k.boundPods() {
		if rebooted {
			k.rebootPod(p, now)
		} else {
			k.syncPod(p)
		}
	}
}

// boundPods returns the stored pods bound to the node, oldest first, as the
// kubelet's HandlePodAdditions sorts them.
func (k *Kubelet) boundPods() []*api.Pod {
	pods := k.m.st.Pods.ByIndex(store.IndexNode, k.name)
	slices.SortStableFunc(pods, func(a, b *api.Pod) int {
		if c := compareTime(a.CreationTimestamp, b.CreationTimestamp); c != 0 {
			return c
		}
		return strings.Compare(a.Key(), b.Key())
	})
	return pods
}

// registerReady posts Ready=True, as a kubelet's first status update does.
func (k *Kubelet) registerReady() {
	for range maxAttempts {
		n, ok := k.m.st.Nodes.GetKey(k.name)
		if !ok || n.UID != k.uid || api.FindCondition(n.Conditions, api.NodeReady) != nil {
			return
		}
		c := n.Clone()
		now := k.m.eng.Now()
		c.Conditions = api.SetCondition(n.Conditions, api.Condition{Type: api.NodeReady,
			Status: api.ConditionTrue, Reason: reasonKubeletReady, Message: messageKubeletReady,
			LastTransitionTime: now})
		if api.FindCondition(c.Conditions, api.NodeMemoryPressure) == nil {
			c.Conditions = api.SetCondition(c.Conditions, memoryCondition(false, now))
		}
		_, err := k.m.st.Nodes.Update(k.component, c, "NodeReady")
		if !errors.Is(err, store.ErrConflict) {
			return
		}
	}
}

// stop cancels everything the kubelet has pending; its pods stay in the store
// as they are.
func (k *Kubelet) stop() {
	uids := make([]api.UID, 0, len(k.pods))
	for uid := range k.pods {
		uids = append(uids, uid)
	}
	slices.Sort(uids)
	for _, uid := range uids {
		k.forget(k.pods[uid])
	}
	k.stopPulls()
	k.m.eng.Cancel(k.tick)
	k.tick = sim.Timer{}
}

// podDeleted forgets a pod the store no longer holds.
func (k *Kubelet) podDeleted(p *api.Pod) {
	if ps := k.pods[p.UID]; ps != nil {
		k.forget(ps)
	}
}

// syncPod brings the kubelet's view of the pod ev (as an event reported it)
// up to date with the store. Events can be stale (the pod may have changed or
// gone since), so it reads the stored pod and acts only if it is still the
// same pod.
func (k *Kubelet) syncPod(ev *api.Pod) {
	ps := k.pods[ev.UID]
	var key string
	if ps != nil {
		key = ps.key
	} else {
		key = ev.Key()
	}
	p, ok := k.m.st.Pods.GetKey(key)
	if !ok || p.UID != ev.UID || p.NodeName != k.name {
		return
	}
	now := k.m.eng.Now()
	if ps == nil {
		switch {
		case p.IsDeleting():
			// Nothing of it runs here: remove it at once.
			k.deletePod(key, p.UID)
		case p.IsTerminal():
			// Finished before this kubelet saw it: nothing to run.
		default:
			k.admit(p, now)
		}
		return
	}
	if p.IsDeleting() {
		k.terminate(ps, *p.DeletionTimestamp, now)
	}
}

// admit runs admission for a newly seen pod and, if it fits, starts its
// lifecycle.
func (k *Kubelet) admit(p *api.Pod, now sim.Time) { k.admitRun(p, now, 0, nil) }

// admitRun is admit for a pod whose earlier containers may have run on this
// node before (a reboot): restarts and last are what its status shows.
func (k *Kubelet) admitRun(p *api.Pod, now sim.Time, restarts int32, last *api.ContainerTermination) {
	node, ok := k.m.st.Nodes.GetKey(k.name)
	if !ok || node.UID != k.uid {
		return
	}
	spec := p.Spec
	gpuMask, gpuMilli, reason, msg := k.admissionCheck(p, node)
	if reason != "" {
		k.reject(p, reason, msg)
		return
	}
	ps := &podState{k: k, key: p.Key(), uid: p.UID, spec: spec, info: k.m.acquire(spec), namespace: p.Namespace, name: p.Name,
		priority: p.Priority, created: p.CreationTimestamp, restarts: restarts, lastTerm: last,
		gpuMask: gpuMask, gpuMilli: gpuMilli}
	if len(p.Annotations) > 0 {
		b, err := ParseBehavior(p.Annotations)
		if err != nil && k.recording() {
			k.m.st.Record(k.component, p, "FailedKubesimAnnotation", err.Error())
		}
		ps.bh = b
	}
	k.pods[ps.uid] = ps
	ps.counted = true
	k.used = k.used.Add(spec.Requests)
	k.count++
	k.accountGPU(gpuMask, gpuMilli, 1)
	ps.phase = phasePulling
	startTime := now
	if p.Status.StartTime != nil {
		startTime = *p.Status.StartTime
	}
	if !k.writePod(ps, "Admitted", func(c *api.Pod) { admittedStatus(c, ps, &startTime, now) }) {
		return
	}
	k.ensureImages(ps, now)
}

// admissionCheck runs the kubelet's admit handlers that kubesim models, in
// upstream's registration order: the eviction manager (memory pressure), the
// device plugins' allocation (GPU sharing, when Config.DeviceResourceGroups
// delegates it: devices.go), resource fit, the node shutdown manager. It
// returns the first rejection's reason and message, or "" when the pod is
// admitted, with the GPU devices and milli per device the pod then holds.
func (k *Kubelet) admissionCheck(p *api.Pod, node *api.Node) (gpuMask uint32, gpuMilli int64, reason, msg string) {
	if k.memPressure && !isCritical(p) && p.Spec.IsBestEffort() &&
		!api.Tolerates(p.Spec.Tolerations, &api.Taint{Key: api.TaintNodeMemoryPressure, Effect: api.TaintNoSchedule}) {
		return 0, 0, reasonEvicted, fmt.Sprintf(nodeConditionMessageFmt, "[MemoryPressure]")
	}
	if k.m.gpuShared() {
		if gpuMask, gpuMilli, reason, msg = k.deviceFit(p, node); reason != "" {
			return 0, 0, reason, msg
		}
	}
	if reason, msg := k.fit(p.Spec.Requests, node); reason != "" {
		return 0, 0, reason, rejectedPrefix + msg
	}
	if k.shuttingDown {
		return 0, 0, reasonNodeShutdown, messageNodeShutdownRejected
	}
	return gpuMask, gpuMilli, "", ""
}

// reject sets a pod that does not fit Failed, as upstream's rejectPod does,
// and reports the event.
func (k *Kubelet) reject(p *api.Pod, reason, msg string) {
	for range maxAttempts {
		cur, ok := k.m.st.Pods.GetKey(p.Key())
		if !ok || cur.UID != p.UID {
			return
		}
		c := cur.Clone()
		c.Status.Phase = api.PodFailed
		c.Status.Reason = reason
		c.Status.Message = msg
		_, err := k.m.st.Pods.Update(k.component, c, reason)
		if err == nil {
			k.m.st.Record(k.component, c, reason, strings.TrimPrefix(msg, rejectedPrefix))
			return
		}
		if !errors.Is(err, store.ErrConflict) {
			return
		}
	}
}

// fit checks a pod's requests against what the node has left, in upstream's
// order (pod count, cpu, memory, ephemeral storage, extended resources by
// name), and returns the first shortfall's reason and message, or "" when the
// pod fits. Extended resources the node does not list are ignored, as
// upstream's kubelet admission drops them, and so are those of the groups
// Config.DeviceResourceGroups delegates to a device plugin.
func (k *Kubelet) fit(req api.Resources, node *api.Node) (reason, msg string) {
	allowed := node.AllowedPods
	if allowed <= 0 {
		allowed = defaultMaxPods
	}
	if k.count+1 > allowed {
		return insufficient(api.ResourcePods, 1, k.count, allowed)
	}
	alloc := &node.Allocatable
	check := func(r, used, capacity int64) bool { return r > 0 && r > capacity-used }
	if check(req.MilliCPU, k.used.MilliCPU, alloc.MilliCPU) {
		return insufficient(api.ResourceCPU, req.MilliCPU, k.used.MilliCPU, alloc.MilliCPU)
	}
	if check(req.Memory, k.used.Memory, alloc.Memory) {
		return insufficient(api.ResourceMemory, req.Memory, k.used.Memory, alloc.Memory)
	}
	if check(req.EphemeralStorage, k.used.EphemeralStorage, alloc.EphemeralStorage) {
		return insufficient(api.ResourceEphemeralStorage, req.EphemeralStorage, k.used.EphemeralStorage, alloc.EphemeralStorage)
	}
	for _, s := range req.Scalar {
		capacity := alloc.Get(s.Name)
		if capacity == 0 && isExtendedResource(s.Name) || k.m.delegated(s.Name) {
			continue
		}
		if used := k.used.Get(s.Name); check(s.Value, used, capacity) {
			return insufficient(s.Name, s.Value, used, capacity)
		}
	}
	return "", ""
}

// insufficient returns upstream's admission reason and message for a resource
// shortfall.
func insufficient(resource string, requested, used, capacity int64) (reason, msg string) {
	return "OutOf" + resource, fmt.Sprintf("Node didn't have enough resource: %s, requested: %d, used: %d, capacity: %d",
		resource, requested, used, capacity)
}

// isExtendedResource reports whether a resource name is an extended resource:
// domain-qualified and outside the kubernetes.io domains.
func isExtendedResource(name string) bool {
	i := strings.IndexByte(name, '/')
	if i < 0 || strings.HasPrefix(name, "requests.") {
		return false
	}
	domain := name[:i]
	return domain != "kubernetes.io" && !strings.HasSuffix(domain, ".kubernetes.io")
}

// maxAttempts bounds the re-read-and-retry loop of a write that meets a
// resourceVersion conflict.
const maxAttempts = 5

// writePod re-reads the pod, applies mutate to a copy and updates it, retrying
// on conflict. If the pod is gone (or replaced by another with its name) the
// kubelet forgets it and writePod returns false. A kubelet cut off from the
// API server applies mutate to its own view of the pod instead, written when
// it reconnects.
func (k *Kubelet) writePod(ps *podState, reason string, mutate func(*api.Pod)) bool {
	if k.conn != connected {
		if ps.view == nil {
			return true
		}
		c := ps.view.Clone()
		mutate(c)
		ps.view = c
		ps.dirty = true
		return true
	}
	for range maxAttempts {
		cur, ok := k.m.st.Pods.GetKey(ps.key)
		if !ok || cur.UID != ps.uid {
			k.forget(ps)
			return false
		}
		c := cur.Clone()
		mutate(c)
		stored, err := k.m.st.Pods.Update(k.component, c, reason)
		if err == nil {
			ps.view = stored
			return true
		}
		if !errors.Is(err, store.ErrConflict) {
			k.forget(ps)
			return false
		}
	}
	return false
}

// deletePod removes the pod from the store with grace 0 (the kubelet's final
// delete once its containers have stopped) and forgets it. Cut off from the
// API server, the kubelet only forgets it: it deletes the pod when it
// reconnects and finds it still terminating.
func (k *Kubelet) deletePod(key string, uid api.UID) {
	if ps := k.pods[uid]; ps != nil {
		k.forget(ps)
	}
	if k.conn != connected {
		return
	}
	ns, name, _ := strings.Cut(key, "/")
	zero := int64(0)
	_ = k.m.st.Pods.Delete(k.component, ns, name, store.DeleteOptions{GracePeriodSeconds: &zero, UID: uid}, "Terminated")
}

// recording reports whether recorded events reach anyone: the store has
// write hooks and the kubelet can reach the API server.
func (k *Kubelet) recording() bool { return k.conn == connected && k.m.st.Recording() }

func compareTime(a, b sim.Time) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
