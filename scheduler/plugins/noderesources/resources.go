package noderesources

import (
	"strings"

	"github.com/kubesim/kubesim/scheduler/framework"
	"github.com/kubesim/kubesim/sim/api"
)

// kind says where a configured resource lives in the model.
type kind uint8

const (
	kindCPU kind = iota
	kindMemory
	kindEphemeralStorage
	// kindScalar is every other resource: extended resources, hugepages and
	// also names such as "pods" that no node or pod carries as a Resources
	// amount (they are then always skipped, as upstream skips them).
	kindScalar
)

// resource is one configured scoring resource with its weight.
type resource struct {
	name   string
	weight int64
	kind   kind
}

func newResource(name string, weight int64) resource {
	r := resource{name: name, weight: weight, kind: kindScalar}
	switch name {
	case api.ResourceCPU:
		r.kind = kindCPU
	case api.ResourceMemory:
		r.kind = kindMemory
	case api.ResourceEphemeralStorage:
		r.kind = kindEphemeralStorage
	}
	return r
}

// podRequest returns the pod's request of r for scoring: with nonZero set
// the scoring defaults (100m / 200Mi for containers without a cpu / memory
// request) apply to cpu and memory; every other resource uses the real
// effective request.
func (r *resource) podRequest(s *api.PodSpec, nonZero bool) int64 {
	switch r.kind {
	case kindCPU:
		if nonZero {
			return s.NonZeroMilliCPU
		}
		return s.Requests.MilliCPU
	case kindMemory:
		if nonZero {
			return s.NonZeroMemory
		}
		return s.Requests.Memory
	case kindEphemeralStorage:
		return s.Requests.EphemeralStorage
	}
	return s.Requests.Get(r.name)
}

// podRequests returns podRequest for each resource, in order.
func podRequests(rs []resource, s *api.PodSpec, nonZero bool) []int64 {
	out := make([]int64, len(rs))
	for i := range rs {
		out[i] = rs[i].podRequest(s, nonZero)
	}
	return out
}

// allocatableRequested returns the node's allocatable amount of r and the
// amount requested once the pod is added (podReq). useRequested selects the
// real node sums for cpu and memory instead of the non-zero scoring sums.
// A scalar resource the pod does not request yields (0, 0): the caller skips
// every resource whose allocatable is 0.
func (r *resource) allocatableRequested(ni *framework.NodeInfo, node *api.Node, podReq int64, useRequested bool) (alloc, req int64) {
	switch r.kind {
	case kindCPU:
		used := ni.NonZeroRequested.MilliCPU
		if useRequested {
			used = ni.Requested.MilliCPU
		}
		return node.Allocatable.MilliCPU, used + podReq
	case kindMemory:
		used := ni.NonZeroRequested.Memory
		if useRequested {
			used = ni.Requested.Memory
		}
		return node.Allocatable.Memory, used + podReq
	case kindEphemeralStorage:
		return node.Allocatable.EphemeralStorage, ni.Requested.EphemeralStorage + podReq
	}
	if podReq == 0 {
		return 0, 0
	}
	alloc = node.Allocatable.Get(r.name)
	if alloc == 0 {
		return 0, 0
	}
	return alloc, ni.Requested.Get(r.name) + podReq
}

// isExtendedResourceName reports whether name is an extended resource in
// upstream's sense: it has a domain prefix ("example.com/foo") that is not a
// kubernetes.io one, and is not a quota "requests." name. Only extended
// resources can be ignored by ignoredResources / ignoredResourceGroups;
// hugepages and other native resources never are.
func isExtendedResourceName(name string) bool {
	return strings.Contains(name, "/") &&
		!strings.Contains(name, "kubernetes.io/") &&
		!strings.HasPrefix(name, "requests.")
}
