package nodelifecycle

import (
	"time"

	"github.com/kubesim/kubesim/sim"
	"github.com/kubesim/kubesim/sim/api"
)

// ZoneState is the disruption state of a zone, as upstream's.
type ZoneState string

// Zone states. Initial is a zone's state until the first monitor pass that
// counts its nodes.
const (
	StateInitial           ZoneState = "Initial"
	StateNormal            ZoneState = "Normal"
	StateFullDisruption    ZoneState = "FullDisruption"
	StatePartialDisruption ZoneState = "PartialDisruption"
)

// Labels read from nodes.
const (
	// LabelExcludeDisruption excludes a node from zone-state computation.
	LabelExcludeDisruption = "node.kubernetes.io/exclude-disruption"
	// LabelZoneBeta and LabelRegionBeta are the deprecated zone labels,
	// read when the topology.kubernetes.io ones are absent.
	LabelZoneBeta   = "failure-domain.beta.kubernetes.io/zone"
	LabelRegionBeta = "failure-domain.beta.kubernetes.io/region"
)

// ZoneKey returns the key a node's zone is tracked under, as upstream's
// GetZoneKey: "" for a node with neither a region nor a zone label, else
// region + ":\x00:" + zone.
func ZoneKey(n *api.Node) string {
	zone, ok := n.Labels[api.LabelZone]
	if !ok {
		zone = n.Labels[LabelZoneBeta]
	}
	region, ok := n.Labels[api.LabelRegion]
	if !ok {
		region = n.Labels[LabelRegionBeta]
	}
	if region == "" && zone == "" {
		return ""
	}
	return region + ":\x00:" + zone
}

// ComputeZoneState returns the number of not-Ready nodes of a zone and its
// state, from the Ready status of each of its nodes (ready[i]): no node
// Ready and at least one not → FullDisruption; more than 2 not Ready and
// at least threshold of them → PartialDisruption; else Normal.
func ComputeZoneState(ready []bool, threshold float64) (int, ZoneState) {
	readyNodes, notReady := 0, 0
	for _, r := range ready {
		if r {
			readyNodes++
		} else {
			notReady++
		}
	}
	switch {
	case readyNodes == 0 && notReady > 0:
		return notReady, StateFullDisruption
	case notReady > 2 && float32(notReady)/float32(notReady+readyNodes) >= float32(threshold):
		return notReady, StatePartialDisruption
	default:
		return notReady, StateNormal
	}
}

// bucket is a token bucket of burst 1 (upstream's flowcontrol token bucket
// with EvictionRateLimiterBurst): a token is available from next on; taking
// it makes the next one available 1/qps later. qps ≤ 0 never gives a token.
type bucket struct {
	qps  float64
	next sim.Time
}

func newBucket(qps float64, now sim.Time) bucket {
	if qps <= 0 {
		return bucket{qps: 0, next: sim.Never}
	}
	return bucket{qps: qps, next: now}
}

func (b *bucket) interval() time.Duration { return time.Duration(float64(time.Second) / b.qps) }

// tryAccept takes a token if one is available at now.
func (b *bucket) tryAccept(now sim.Time) bool {
	if b.qps <= 0 || now < b.next {
		return false
	}
	b.next = now.Add(b.interval())
	return true
}

// swap replaces the bucket with one of the new rate, as upstream's
// SwapLimiter: nothing if the rate is unchanged; a new full bucket, drained
// at once if the old one had no token to give.
func (b *bucket) swap(qps float64, now sim.Time) {
	if qps <= 0 {
		qps = 0
	}
	if b.qps == qps {
		return
	}
	nb := newBucket(qps, now)
	if qps > 0 && !b.tryAccept(now) {
		nb.tryAccept(now)
	}
	*b = nb
}

// queued is a node waiting to be NoExecute-tainted.
type queued struct {
	node      string
	uid       api.UID
	processAt sim.Time
	seq       uint64
}

// zone is one zone's state and its rate-limited tainting queue (upstream's
// RateLimitedTimedQueue: a node is added once and stays in the set after it
// has been processed, until it is removed when the node is Ready again).
type zone struct {
	key     string
	state   ZoneState
	limiter bucket
	queue   []queued // ordered by (processAt, seq)
	set     map[string]bool
}

func newZone(key string, qps float64, now sim.Time) *zone {
	return &zone{key: key, state: StateInitial, limiter: newBucket(qps, now), set: map[string]bool{}}
}

// add queues a node unless it is in the set; it reports whether it did.
func (z *zone) add(node string, uid api.UID, now sim.Time, seq uint64) bool {
	if z.set[node] {
		return false
	}
	z.set[node] = true
	z.insert(queued{node: node, uid: uid, processAt: now, seq: seq})
	return true
}

func (z *zone) insert(q queued) {
	i := len(z.queue)
	for i > 0 && (z.queue[i-1].processAt > q.processAt || (z.queue[i-1].processAt == q.processAt && z.queue[i-1].seq > q.seq)) {
		i--
	}
	z.queue = append(z.queue, queued{})
	copy(z.queue[i+1:], z.queue[i:])
	z.queue[i] = q
}

// remove drops a node from the queue and the set, so that it can be added
// again; it reports whether the node was in the set.
func (z *zone) remove(node string) bool {
	if !z.set[node] {
		return false
	}
	delete(z.set, node)
	z.dropQueued(node)
	return true
}

func (z *zone) dropQueued(node string) {
	for i := range z.queue {
		if z.queue[i].node == node {
			z.queue = append(z.queue[:i], z.queue[i+1:]...)
			return
		}
	}
}

// nextTry returns when the zone's queue can next make progress: the first
// pass at or after the time its bucket gives a token, or sim.Never.
func (z *zone) nextTry() sim.Time {
	if len(z.queue) == 0 || z.limiter.qps <= 0 {
		return sim.Never
	}
	return z.limiter.next
}
