package job

import (
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/kubesim/kubesim/sim"
	"github.com/kubesim/kubesim/sim/api"
)

// noIndex is the completion index of a pod that has none (or an invalid one).
const noIndex = -1

// completionIndex returns the pod's completion index annotation, or noIndex.
func completionIndex(p *api.Pod) int {
	v, ok := p.Annotations[CompletionIndexKey]
	if !ok {
		return noIndex
	}
	i, err := strconv.Atoi(v)
	if err != nil || i < 0 {
		return noIndex
	}
	return i
}

// validIndex reports whether ix is a completion index of a Job with the given
// completions.
func validIndex(ix int, completions int32) bool { return ix != noIndex && ix < int(completions) }

// FormatIndexes renders a set of indexes in upstream's completedIndexes form:
// every run of two or more consecutive indexes as "first-last", single ones
// alone, joined by commas ("1,3-5,7"). The set is given as a sorted,
// duplicate-free slice.
func FormatIndexes(ix []int) string {
	var b strings.Builder
	for i := 0; i < len(ix); {
		j := i
		for j+1 < len(ix) && ix[j+1] == ix[j]+1 {
			j++
		}
		if b.Len() > 0 {
			b.WriteByte(',')
		}
		b.WriteString(strconv.Itoa(ix[i]))
		if j > i {
			b.WriteByte('-')
			b.WriteString(strconv.Itoa(ix[j]))
		}
		i = j + 1
	}
	return b.String()
}

// ParseIndexes reads a completedIndexes string, keeping the indexes below
// completions (malformed parts are skipped, as upstream does), sorted and
// without duplicates.
func ParseIndexes(s string, completions int32) []int {
	var out []int
	if s == "" {
		return nil
	}
	for _, part := range strings.Split(s, ",") {
		first, last, isRange := strings.Cut(part, "-")
		a, err := strconv.Atoi(first)
		if err != nil || a < 0 {
			continue
		}
		b := a
		if isRange {
			if b, err = strconv.Atoi(last); err != nil || b < a {
				continue
			}
		}
		for i := a; i <= b && i < int(completions); i++ {
			out = append(out, i)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// firstPendingIndexes returns up to count of the lowest indexes below
// completions that are not in nonPending (a set).
func firstPendingIndexes(nonPending map[int]bool, count int, completions int32) []int {
	var out []int
	for i := 0; i < int(completions) && len(out) < count; i++ {
		if !nonPending[i] {
			out = append(out, i)
		}
	}
	return out
}

// activePodsForRemoval returns the active pods to delete: for an Indexed Job
// first those with an invalid index and all but one of each repeated index
// (keeping the most advanced), then, while fewer than rmAtLeast, the first of
// the rest in upstream's ActivePods order (not yet scheduled, Pending, not
// ready, ... first).
func activePodsForRemoval(j *api.Job, pods []*api.Pod, rmAtLeast int) []*api.Pod {
	var rm, left []*api.Pod
	if j.CompletionMode == CompletionModeIndexed && j.Completions != nil {
		byIndex := map[int][]*api.Pod{}
		var order []int
		for _, p := range pods {
			ix := completionIndex(p)
			if !validIndex(ix, *j.Completions) {
				rm = append(rm, p)
				continue
			}
			if _, seen := byIndex[ix]; !seen {
				order = append(order, ix)
			}
			byIndex[ix] = append(byIndex[ix], p)
		}
		slices.Sort(order)
		for _, ix := range order {
			same := byIndex[ix]
			sortActivePods(same)
			rm = append(rm, same[:len(same)-1]...)
			left = append(left, same[len(same)-1])
		}
	} else {
		left = slices.Clone(pods)
	}
	if len(rm) < rmAtLeast {
		sortActivePods(left)
		rm = append(rm, left[:min(rmAtLeast-len(rm), len(left))]...)
	}
	return rm
}

// sortActivePods orders pods as upstream's controller.ActivePods: unassigned
// before assigned, Pending < Unknown < Running, not ready before ready, more
// recently ready first, more restarts first, newer first; equal pods by name.
func sortActivePods(pods []*api.Pod) {
	sort.SliceStable(pods, func(a, b int) bool { return activeLess(pods[a], pods[b]) })
}

func activeLess(a, b *api.Pod) bool {
	if (a.NodeName == "") != (b.NodeName == "") {
		return a.NodeName == ""
	}
	if pa, pb := phaseOrdinal(a.Status.Phase), phaseOrdinal(b.Status.Phase); pa != pb {
		return pa < pb
	}
	if a.IsReady() != b.IsReady() {
		return !a.IsReady()
	}
	if a.IsReady() {
		ra, rb := readyTime(a), readyTime(b)
		if ra != rb {
			return ra > rb
		}
	}
	if ma, mb := a.MaxRestarts(), b.MaxRestarts(); ma != mb {
		return ma > mb
	}
	if a.CreationTimestamp != b.CreationTimestamp {
		return a.CreationTimestamp > b.CreationTimestamp
	}
	return a.Name < b.Name
}

func phaseOrdinal(p api.PodPhase) int {
	switch p {
	case api.PodUnknown:
		return 1
	case api.PodRunning:
		return 2
	}
	return 0
}

func readyTime(p *api.Pod) sim.Time {
	if c := api.FindCondition(p.Status.Conditions, api.PodReady); c != nil {
		return c.LastTransitionTime
	}
	return 0
}
