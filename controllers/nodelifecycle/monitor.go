package nodelifecycle

import (
	"fmt"
	"slices"
	"time"

	"github.com/kubesim/kubesim/sim"
	"github.com/kubesim/kubesim/sim/api"
	"github.com/kubesim/kubesim/sim/store"
)

// nodeHealth is what the controller remembers of a node between passes
// (upstream's nodeHealthData).
type nodeHealth struct {
	// probe is the controller-local time of the node's last heartbeat: a
	// change of its Ready condition, or a Lease renewal, observed at a tick.
	probe sim.Time
	// readyTransition is when the controller saw the Ready condition change.
	readyTransition sim.Time
	// ready is the Ready condition as last seen (or written); nil if none.
	ready *api.Condition
	// renew is the lease renew time last seen; hasLease says one was seen.
	renew    sim.Time
	hasLease bool
}

// monitor is one monitor pass at a tick (upstream's monitorNodeHealth).
func (c *Controller) monitor(now sim.Time) {
	c.monitorAt, c.monitorTimer = sim.Never, sim.Timer{}
	c.lastPass = now
	c.passes++
	nodes := c.st.Nodes.List("", nil)

	// Classify: new nodes, new zones, deleted nodes.
	present := make(map[string]bool, len(nodes))
	var added []*api.Node
	for _, n := range nodes {
		present[n.Name] = true
		if !c.known[n.Name] {
			added = append(added, n)
		} else if z := c.zones[ZoneKey(n)]; z == nil || z.state == "" {
			c.addZone(n, now)
		}
	}
	rec := c.st.Recording()
	for _, n := range added {
		if rec {
			c.st.Record(Component, n, EventRegisteredNode, fmt.Sprintf("Node %s event: Registered Node %s in Controller", n.Name, n.Name))
		}
		c.known[n.Name] = true
		c.addZone(n, now)
		c.markNodeAsReachable(n)
	}
	for _, name := range sortedKeys(c.known) {
		if present[name] {
			continue
		}
		if rec {
			c.st.Record(Component, &api.Node{ObjectMeta: api.ObjectMeta{Name: name}}, EventRemovingNode,
				fmt.Sprintf("Node %s event: Removing Node %s from Controller", name, name))
		}
		delete(c.known, name)
		delete(c.health, name)
	}

	// Health of every node, and the Ready status per zone.
	zoneReady := map[string][]bool{}
	for _, n := range nodes {
		observed, current, ok := c.updateHealth(n, now)
		if !ok {
			continue
		}
		if _, excluded := n.Labels[LabelExcludeDisruption]; !excluded {
			k := ZoneKey(n)
			zoneReady[k] = append(zoneReady[k], current != nil && current.Status == api.ConditionTrue)
		}
		if current == nil {
			continue
		}
		c.processTaintBasedEviction(n, observed)
		if current.Status != api.ConditionTrue && observed.Status == api.ConditionTrue {
			c.st.Record(Component, n, EventNodeNotReady, fmt.Sprintf("Node %s status is now: %s", n.Name, EventNodeNotReady))
			_ = c.markPodsNotReady(c.st.Pods.ByIndex(store.IndexNode, n.Name), n.Name)
		}
	}
	c.handleDisruption(zoneReady, nodes, now)

	// The next pass: the earliest tick at which a node goes stale.
	next := sim.Never
	for _, n := range nodes {
		next = min(next, c.staleTick(n, now))
	}
	c.scheduleMonitor(next)
	c.scheduleTaintPass(c.nextTaintTry())
}

// updateHealth is upstream's tryUpdateNodeHealth: it refreshes the node's
// probe time from its Ready condition and Lease, and sets its Ready,
// MemoryPressure, DiskPressure and PIDPressure conditions Unknown when no
// heartbeat came for the grace period. It returns the Ready condition as
// observed at the start of the pass (a placeholder Unknown one if the node
// has none) and as it is now (nil if none).
func (c *Controller) updateHealth(n *api.Node, now sim.Time) (api.Condition, *api.Condition, bool) {
	h := c.health[n.Name]
	cur := api.FindCondition(n.Conditions, api.NodeReady)
	var observed api.Condition
	grace := c.cfg.MonitorGracePeriod
	if cur == nil {
		observed = api.Condition{Type: api.NodeReady, Status: api.ConditionUnknown, LastTransitionTime: n.CreationTimestamp}
		grace = c.cfg.StartupGracePeriod
		if h == nil {
			h = &nodeHealth{probe: n.CreationTimestamp, readyTransition: n.CreationTimestamp}
		}
	} else {
		observed = *cur
	}
	var saved *api.Condition
	if h != nil {
		saved = h.ready
	}
	switch {
	case h == nil, saved == nil && cur != nil, saved != nil && cur == nil:
		nh := &nodeHealth{probe: now, readyTransition: now}
		if h != nil {
			nh.renew, nh.hasLease = h.renew, h.hasLease
		}
		h = nh
	case saved != nil && cur != nil && *saved != *cur:
		// The kubelet posted a new status: a heartbeat.
		if saved.LastTransitionTime != cur.LastTransitionTime || saved.Status != cur.Status {
			h.readyTransition = now
		}
		h.probe = now
	}
	h.ready = cloneCondition(cur)
	c.health[n.Name] = h

	// A lease renewal seen at a tick refreshes the probe time. Passes only
	// run at ticks where something may have changed, so a renewal is dated
	// at the first tick at or after it, as a pass at every tick would see it.
	if l, ok := c.st.Leases.Get(api.NodeLeaseNamespace, n.Name); ok {
		switch r := l.RenewTimeAt(now); {
		case !h.hasLease:
			h.hasLease, h.renew = true, r
			h.probe = max(h.probe, now)
		case h.renew < r:
			h.renew = r
			h.probe = max(h.probe, c.tick(r))
		}
	}

	if !c.judged(n) || now < h.probe.Add(grace) {
		return observed, cur, true
	}
	// No heartbeat for the grace period: every kubelet-owned condition
	// becomes Unknown.
	cl := n.Clone()
	conds := slices.Clone(n.Conditions)
	for _, typ := range []string{api.NodeReady, NodeMemoryPressure, NodeDiskPressure, NodePIDPressure} {
		if x := api.FindCondition(conds, typ); x == nil {
			conds = append(conds, api.Condition{Type: typ, Status: api.ConditionUnknown, Reason: ReasonNodeStatusNeverUpdated,
				Message: MessageNodeStatusNeverUpdated, LastTransitionTime: now})
		} else if x.Status != api.ConditionUnknown {
			x.Status, x.Reason, x.Message, x.LastTransitionTime = api.ConditionUnknown, ReasonNodeStatusUnknown, MessageNodeStatusUnknown, now
		}
	}
	cl.Conditions = conds
	next := api.FindCondition(conds, api.NodeReady)
	if *next == observed {
		return observed, cur, true
	}
	if _, err := c.st.Nodes.Update(Component, cl, reasonUpdateStatus); err != nil {
		// A concurrent write: the pass after its watch event looks again.
		return observed, cur, false
	}
	h.ready = cloneCondition(next)
	h.readyTransition = now
	return observed, next, true
}

// judged reports whether the node's heartbeat is modelled: it has a Lease
// in kube-node-lease. Status heartbeats (the kubelet's periodic status
// posts) are not simulated, so a node without a Lease is never found stale.
func (c *Controller) judged(n *api.Node) bool {
	_, ok := c.st.Leases.Get(api.NodeLeaseNamespace, n.Name)
	return ok
}

// staleTick returns the first monitor tick after now at which the node
// will have gone a grace period without a heartbeat, given its Lease as it
// is (sim.Never if it never will, or is already Unknown).
func (c *Controller) staleTick(n *api.Node, now sim.Time) sim.Time {
	h := c.health[n.Name]
	n, ok := c.st.Nodes.GetKey(n.Name)
	if h == nil || !ok {
		return sim.Never
	}
	cur := api.FindCondition(n.Conditions, api.NodeReady)
	if cur != nil && cur.Status == api.ConditionUnknown {
		return sim.Never
	}
	l, ok := c.st.Leases.Get(api.NodeLeaseNamespace, n.Name)
	if !ok {
		return sim.Never
	}
	grace := c.cfg.MonitorGracePeriod
	if cur == nil {
		grace = c.cfg.StartupGracePeriod
	}
	stale := c.tick(h.probe.Add(grace))
	if l.Renewing && l.RenewInterval > 0 {
		if l.RenewInterval <= grace {
			// Every renewal comes within the grace period of the last.
			return sim.Never
		}
		// The next renewal is seen at the first tick after it: look again
		// then if the node is not stale before.
		stale = min(stale, c.tick(l.RenewTimeAt(now).Add(l.RenewInterval)))
	}
	if stale <= now {
		stale = c.tick(now + 1)
	}
	return stale
}

func cloneCondition(c *api.Condition) *api.Condition {
	if c == nil {
		return nil
	}
	x := *c
	return &x
}

// processTaintBasedEviction is upstream's processTaintBaseEviction, on the
// Ready condition as observed at the start of the pass.
func (c *Controller) processTaintBasedEviction(n *api.Node, observed api.Condition) {
	cur, ok := c.st.Nodes.GetKey(n.Name)
	if !ok || cur.UID != n.UID {
		return
	}
	switch observed.Status {
	case api.ConditionFalse:
		if hasTaint(cur.Taints, api.TaintNodeUnreachable, api.TaintNoExecute) {
			_, _ = c.swapTaints(cur, []api.Taint{notReadyNoExecute}, []api.Taint{unreachableNoExecute}, reasonSwapNoExecute)
		} else {
			c.markNodeForTainting(cur, api.ConditionFalse)
		}
	case api.ConditionUnknown:
		if hasTaint(cur.Taints, api.TaintNodeNotReady, api.TaintNoExecute) {
			_, _ = c.swapTaints(cur, []api.Taint{unreachableNoExecute}, []api.Taint{notReadyNoExecute}, reasonSwapNoExecute)
		} else {
			c.markNodeForTainting(cur, api.ConditionUnknown)
		}
	case api.ConditionTrue:
		c.markNodeAsReachable(cur)
	}
}

// markNodeForTainting queues the node in its zone for the NoExecute taint
// its Ready status calls for (re-queuing it if it lacks that taint).
func (c *Controller) markNodeForTainting(n *api.Node, status api.ConditionStatus) {
	z := c.zones[ZoneKey(n)]
	if z == nil {
		return
	}
	if status == api.ConditionFalse && !hasTaint(n.Taints, api.TaintNodeNotReady, api.TaintNoExecute) ||
		status == api.ConditionUnknown && !hasTaint(n.Taints, api.TaintNodeUnreachable, api.TaintNoExecute) {
		if z.set[n.Name] && !z.queuedNode(n.Name) {
			// Processed earlier, yet the taint is missing: queue it again.
			z.remove(n.Name)
		}
	}
	c.seq++
	z.add(n.Name, n.UID, c.eng.Now(), c.seq)
}

// queuedNode reports whether node waits in the queue (not only in the set).
func (z *zone) queuedNode(node string) bool {
	for i := range z.queue {
		if z.queue[i].node == node {
			return true
		}
	}
	return false
}

// markNodeAsReachable removes the NoExecute not-ready and unreachable
// taints and drops the node from its zone's queue.
func (c *Controller) markNodeAsReachable(n *api.Node) {
	var del []api.Taint
	for _, t := range []api.Taint{unreachableNoExecute, notReadyNoExecute} {
		if hasTaint(n.Taints, t.Key, t.Effect) {
			del = append(del, t)
		}
	}
	if len(del) > 0 {
		_, _ = c.swapTaints(n, nil, del, reasonUntaint)
	}
	if z := c.zones[ZoneKey(n)]; z != nil {
		z.remove(n.Name)
	}
}

// addZone starts tracking the node's zone if it is new.
func (c *Controller) addZone(n *api.Node, now sim.Time) {
	k := ZoneKey(n)
	if z, ok := c.zones[k]; ok {
		if z.state == "" {
			z.state = StateInitial
		}
		return
	}
	c.zones[k] = newZone(k, c.cfg.EvictionRate, now)
}

// handleDisruption is upstream's handleDisruption: it computes each zone's
// state and sets the zones' tainting rates; when every zone is fully
// disrupted it removes every NoExecute taint and stops tainting, and when
// leaving that mode it restarts every node's grace period.
func (c *Controller) handleDisruption(zoneReady map[string][]bool, nodes []*api.Node, now sim.Time) {
	newStates := map[string]ZoneState{}
	allAreFull := true
	for _, k := range sortedKeys(zoneReady) {
		_, st := ComputeZoneState(zoneReady[k], c.cfg.UnhealthyZoneThreshold)
		if st != StateFullDisruption {
			allAreFull = false
		}
		newStates[k] = st
		if z := c.zones[k]; z.state == "" {
			z.state = StateInitial
		}
	}
	allWasFull := true
	for _, k := range sortedKeys(c.zones) {
		z := c.zones[k]
		if z.state == "" {
			continue
		}
		if _, ok := zoneReady[k]; !ok {
			z.state = "" // no longer counted; its queue stays
			continue
		}
		if z.state != StateFullDisruption {
			allWasFull = false
		}
	}
	if allAreFull && allWasFull {
		return
	}
	counted := func(yield func(*zone) bool) {
		for _, k := range sortedKeys(c.zones) {
			if z := c.zones[k]; z.state != "" && !yield(z) {
				return
			}
		}
	}
	switch {
	case allAreFull:
		// Every zone lost every node: the control plane is the likelier
		// culprit. Untaint everything and stop tainting.
		for _, n := range nodes {
			if cur, ok := c.st.Nodes.GetKey(n.Name); ok {
				c.markNodeAsReachable(cur)
			}
		}
		for z := range counted {
			z.limiter.swap(0, now)
			z.state = StateFullDisruption
		}
	case allWasFull:
		for _, n := range nodes {
			if h := c.health[n.Name]; h != nil {
				h.probe, h.readyTransition = now, now
			}
		}
		for z := range counted {
			c.setZoneRate(z, len(zoneReady[z.key]), newStates[z.key], now)
			z.state = newStates[z.key]
		}
	default:
		for z := range counted {
			if st := newStates[z.key]; st != z.state {
				c.setZoneRate(z, len(zoneReady[z.key]), st, now)
				z.state = st
			}
		}
	}
}

// setZoneRate sets a zone's tainting rate for its new state: the primary
// rate when Normal or FullDisruption, the secondary rate when partially
// disrupted and larger than the large-cluster threshold, else 0.
func (c *Controller) setZoneRate(z *zone, size int, st ZoneState, now sim.Time) {
	switch st {
	case StateNormal, StateFullDisruption:
		z.limiter.swap(c.cfg.EvictionRate, now)
	case StatePartialDisruption:
		if int32(size) > c.cfg.LargeClusterThreshold {
			z.limiter.swap(c.cfg.SecondaryEvictionRate, now)
		} else {
			z.limiter.swap(0, now)
		}
	}
}

// nextTaintTry returns when the first zone queue can next make progress.
func (c *Controller) nextTaintTry() sim.Time {
	next := sim.Never
	for _, z := range c.zones {
		next = min(next, z.nextTry())
	}
	return next
}

// taintPass is upstream's doNoExecuteTaintingPass at one pass tick: each
// zone's queue is tried in order, one token per node.
func (c *Controller) taintPass(now sim.Time) {
	c.taintAt, c.taintTimer = sim.Never, sim.Timer{}
	for _, k := range sortedKeys(c.zones) {
		z := c.zones[k]
		for len(z.queue) > 0 {
			if !z.limiter.tryAccept(now) {
				break
			}
			head := z.queue[0]
			if now < head.processAt {
				break
			}
			done, retry := c.taintNode(head.node)
			z.queue = z.queue[1:]
			if !done {
				head.processAt = now.Add(retry + 1)
				z.insert(head)
			}
		}
	}
	c.scheduleTaintPass(c.nextTaintTry())
}

// taintNode applies the NoExecute taint a queued node's Ready status calls
// for, removing the opposite one. It reports whether the node is done with,
// or else after how long to retry.
func (c *Controller) taintNode(name string) (bool, time.Duration) {
	n, ok := c.st.Nodes.GetKey(name)
	if !ok {
		return true, 0
	}
	rc := api.FindCondition(n.Conditions, api.NodeReady)
	if rc == nil {
		return false, retryDelay
	}
	var add, opposite api.Taint
	switch rc.Status {
	case api.ConditionFalse:
		add, opposite = notReadyNoExecute, unreachableNoExecute
	case api.ConditionUnknown:
		add, opposite = unreachableNoExecute, notReadyNoExecute
	default:
		return true, 0
	}
	if _, err := c.swapTaints(n, []api.Taint{add}, []api.Taint{opposite}, reasonTaintNoExec); err != nil {
		return false, 0
	}
	return true, 0
}

// retryDelay is how long a queued node without a Ready condition waits
// before it is tried again (upstream: 50 ms).
const retryDelay = 50 * time.Millisecond
