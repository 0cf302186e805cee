package replicaset

import (
	"math"
	"sort"
	"strconv"

	"github.com/kubesim/kubesim/sim"
	"github.com/kubesim/kubesim/sim/api"
)

// PodsToDelete returns the n pods of active that upstream's ReplicaSet
// controller deletes first on scale-down (n ≤ len(active)). When every pod
// goes, active is returned in its own order unsorted, as upstream. related is
// the pool that ranks co-location: each pod's rank is the number of active
// pods of related on its node (pods without a node count together). now is
// the reference time of the logarithmic age buckets. active is not modified.
func PodsToDelete(active, related []*api.Pod, n int, now sim.Time) []*api.Pod {
	if n >= len(active) {
		n = len(active)
		return active[:n:n]
	}
	onNode := make(map[string]int, len(related))
	for _, p := range related {
		if isActive(p) {
			onNode[p.NodeName]++
		}
	}
	keys := make([]rankKey, len(active))
	for i, p := range active {
		keys[i] = newRankKey(p, onNode[p.NodeName])
	}
	idx := make([]int, len(active))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return keys[idx[a]].less(&keys[idx[b]], now) })
	out := make([]*api.Pod, n)
	for i := range out {
		out[i] = active[idx[i]]
	}
	return out
}

// rankKey is what the deletion order compares, extracted once per pod.
type rankKey struct {
	assigned  bool
	phase     int
	ready     bool
	cost      int32
	rank      int
	readyAt   sim.Time
	restarts  int32 // regular containers
	sidecarRs int32 // restartable init containers
	created   sim.Time
	uid       api.UID
}

func newRankKey(p *api.Pod, rank int) rankKey {
	k := rankKey{
		assigned: p.NodeName != "",
		phase:    phaseOrdinal(p.Status.Phase),
		ready:    p.IsReady(),
		cost:     deletionCost(p.Annotations),
		rank:     rank,
		created:  p.CreationTimestamp,
		uid:      p.UID,
	}
	if c := api.FindCondition(p.Status.Conditions, api.PodReady); c != nil && c.Status == api.ConditionTrue {
		k.readyAt = c.LastTransitionTime
	}
	k.restarts, k.sidecarRs = maxRestarts(p)
	return k
}

// less reports whether the pod of a should be deleted before the pod of b:
// the first rule on which they differ decides.
//  1. unassigned before assigned;
//  2. phase Pending < Unknown < Running;
//  3. not ready before ready;
//  4. lower pod-deletion-cost first;
//  5. higher co-location rank first;
//  6. both ready: more recently ready first, by log2 buckets of the time
//     since ready, equal buckets broken by the smaller UID;
//  7. more container restarts first (regular containers, then sidecars);
//  8. newer first, by log2 buckets of age, equal buckets by the smaller UID.
func (a *rankKey) less(b *rankKey, now sim.Time) bool {
	if a.assigned != b.assigned {
		return !a.assigned
	}
	if a.phase != b.phase {
		return a.phase < b.phase
	}
	if a.ready != b.ready {
		return !a.ready
	}
	if a.cost != b.cost {
		return a.cost < b.cost
	}
	if a.rank != b.rank {
		return a.rank > b.rank
	}
	if a.ready && b.ready && a.readyAt != b.readyAt {
		return logOrder(a.readyAt, b.readyAt, a.uid, b.uid, now)
	}
	if a.restarts != b.restarts {
		return a.restarts > b.restarts
	}
	if a.sidecarRs != b.sidecarRs {
		return a.sidecarRs > b.sidecarRs
	}
	if a.created != b.created {
		return logOrder(a.created, b.created, a.uid, b.uid, now)
	}
	return false
}

// logOrder orders two different timestamps newest first on a logarithmic
// scale: the bucket of t is floor(log2(now−t in ns)), −1 when t is not before
// now; the smaller bucket goes first, equal buckets go by the smaller UID.
func logOrder(t1, t2 sim.Time, uid1, uid2 api.UID, now sim.Time) bool {
	r1, r2 := logBucket(now-t1), logBucket(now-t2)
	if r1 == r2 {
		return uid1 < uid2
	}
	return r1 < r2
}

// logBucket returns floor(log2(d)) computed in float64 as upstream does, or −1
// for d ≤ 0.
func logBucket(d sim.Time) int64 {
	if d <= 0 {
		return -1
	}
	return int64(math.Log2(float64(d)))
}

// phaseOrdinal ranks phases for deletion: Pending (and any other) 0, Unknown
// 1, Running 2.
func phaseOrdinal(p api.PodPhase) int {
	switch p {
	case api.PodUnknown:
		return 1
	case api.PodRunning:
		return 2
	}
	return 0
}

// deletionCost parses the pod-deletion-cost annotation: an int32, 0 when
// absent or invalid.
func deletionCost(ann map[string]string) int32 {
	v, ok := ann[api.AnnotationPodDeletionCost]
	if !ok {
		return 0
	}
	n, err := strconv.ParseInt(v, 10, 32)
	if err != nil {
		return 0
	}
	return int32(n)
}

// maxRestarts returns the highest restart count of the pod's regular
// containers and of its sidecars (statuses named like a restartable init
// container of the spec).
func maxRestarts(p *api.Pod) (regular, sidecar int32) {
	for _, cs := range p.Status.ContainerStatuses {
		if isSidecarName(p.Spec, cs.Name) {
			sidecar = max(sidecar, cs.RestartCount)
		} else {
			regular = max(regular, cs.RestartCount)
		}
	}
	return regular, sidecar
}

func isSidecarName(s *api.PodSpec, name string) bool {
	if s == nil {
		return false
	}
	for i := range s.InitContainers {
		if s.InitContainers[i].Name == name && s.InitContainers[i].IsSidecar() {
			return true
		}
	}
	return false
}

// isActive reports whether a pod counts towards replicas: not terminal and not
// terminating.
func isActive(p *api.Pod) bool { return !p.IsTerminal() && p.DeletionTimestamp == nil }
