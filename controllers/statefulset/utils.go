package statefulset

import (
	"math"
	"strconv"
	"time"

	"github.com/kubesim/kubesim/sim"
	"github.com/kubesim/kubesim/sim/api"
)

// ParseOrdinal splits a StatefulSet pod name "<parent>-<ordinal>" as
// upstream's regular expression "(.*)-([0-9]+)$" does: the parent is
// everything before the last "-" that is followed only by digits. A name
// without such a suffix has parent "" and ordinal -1; a suffix that does not
// fit an int32 keeps its parent and has ordinal -1.
func ParseOrdinal(name string) (parent string, ordinal int) {
	i := len(name)
	for i > 0 && name[i-1] >= '0' && name[i-1] <= '9' {
		i--
	}
	if i == len(name) || i == 0 || name[i-1] != '-' {
		return "", -1
	}
	parent = name[:i-1]
	n, err := strconv.ParseInt(name[i:], 10, 32)
	if err != nil {
		return parent, -1
	}
	return parent, int(n)
}

// ordinalOf returns a pod's ordinal (-1 when its name has none).
func ordinalOf(p *api.Pod) int {
	_, ord := ParseOrdinal(p.Name)
	return ord
}

// isMemberOf reports whether the pod's name makes it a member of set.
func isMemberOf(set *api.StatefulSet, p *api.Pod) bool {
	parent, _ := ParseOrdinal(p.Name)
	return parent == set.Name
}

// PodName returns the name of the set's pod with the given ordinal.
func PodName(set *api.StatefulSet, ordinal int) string {
	return set.Name + "-" + strconv.Itoa(ordinal)
}

// startOrdinal and endOrdinal bound the set's ordinals (inclusive).
func startOrdinal(set *api.StatefulSet) int { return int(set.OrdinalsStart) }
func endOrdinal(set *api.StatefulSet) int   { return startOrdinal(set) + int(set.Replicas) - 1 }

// identityMatches reports whether the pod carries its identity (upstream
// checks the name, namespace and pod-name label; the pod-index label is set
// along with it).
func identityMatches(set *api.StatefulSet, p *api.Pod) bool {
	parent, ord := ParseOrdinal(p.Name)
	return ord >= 0 && parent == set.Name && p.Namespace == set.Namespace && p.Labels[LabelPodName] == p.Name
}

// isRunningAndReady reports phase Running with the Ready condition True.
func isRunningAndReady(p *api.Pod) bool {
	return p.Status.Phase == api.PodRunning && p.IsReady()
}

// isAvailable reports whether the pod is Ready and has been for longer than
// minReadySeconds (upstream's IsPodAvailable: strictly longer).
func isAvailable(p *api.Pod, minReadySeconds int32, now sim.Time) bool {
	c := api.FindCondition(p.Status.Conditions, api.PodReady)
	if c == nil || c.Status != api.ConditionTrue {
		return false
	}
	return minReadySeconds == 0 || c.LastTransitionTime.Add(time.Duration(minReadySeconds)*time.Second) < now
}

// isTerminating reports a requested deletion.
func isTerminating(p *api.Pod) bool { return p.DeletionTimestamp != nil }

// isUnavailable reports a pod (nil: not created yet) that does not count as
// available for a rolling update: missing, not Running and Ready, not yet
// available for minReadySeconds, or terminating.
func isUnavailable(p *api.Pod, minReadySeconds int32, now sim.Time) bool {
	return p == nil || !isRunningAndReady(p) || isTerminating(p) || !isAvailable(p, minReadySeconds, now)
}

// podRevision returns the name of the revision the pod was made from.
func podRevision(p *api.Pod) string { return p.Labels[LabelRevision] }

// MaxUnavailable resolves a rolling update's maxUnavailable against the
// replica count as upstream's getStatefulSetMaxUnavailable: 1 when unset, a
// percentage rounded down, and never less than 1.
func MaxUnavailable(v *api.IntOrPercent, replicas int32) int {
	if v == nil {
		return 1
	}
	n := int(v.Value)
	if v.IsPercent {
		n = int(math.Floor(float64(v.Value) * float64(replicas) / 100))
	}
	return max(n, 1)
}

// Revision name length limit: upstream's ControllerRevisionName keeps at most
// 223 characters of the prefix.
const maxRevisionPrefix = 223

// RevisionName returns the name of the set's ControllerRevision for a hash:
// "<set>-<hash>".
func RevisionName(set string, hash string) string {
	if len(set) > maxRevisionPrefix {
		set = set[:maxRevisionPrefix]
	}
	return set + "-" + hash
}
