// Package research holds what kubesim's research score plugins (Random,
// BestFit, WorstFit, FirstFit, DotProduct) share: strict decoding of their
// own args types from a KubeSchedulerConfiguration's pluginConfig, and the
// compiled list of scoring resources with the amounts a node and a pod have
// of each.
//
// Units are the model's: cpu in millicores, memory and ephemeral-storage in
// bytes, extended resources in their own integer units. Nothing here
// allocates on a per-node path.
package research

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math/bits"

	configv1 "k8s.io/kube-scheduler/config/v1"
	kjson "sigs.k8s.io/json"

	"github.com/kubesim/kubesim/scheduler/framework"
	"github.com/kubesim/kubesim/sim/api"
)

// DecodeArgs returns a research plugin's args as a fresh *T: the zero T for
// nil, a copy of *v for a *T (the zero T for a nil pointer), and for a
// json.RawMessage (what the scheduler passes for plugins without an upstream
// args type) the JSON decoded strictly: an unknown or duplicate field is an
// error naming the plugin and the field. Any other type is an error.
func DecodeArgs[T any](plugin string, args any) (*T, error) {
	out := new(T)
	switch v := args.(type) {
	case nil:
		return out, nil
	case *T:
		if v != nil {
			*out = *v
		}
		return out, nil
	case json.RawMessage:
		raw := bytes.TrimSpace(v)
		if len(raw) == 0 || string(raw) == "null" {
			return out, nil
		}
		strict, err := kjson.UnmarshalStrict(raw, out, kjson.DisallowUnknownFields, kjson.DisallowDuplicateFields)
		if err != nil {
			return nil, fmt.Errorf("%s: decoding args: %w", plugin, err)
		}
		if len(strict) > 0 {
			errs := make([]error, len(strict))
			for i, e := range strict {
				errs[i] = fmt.Errorf("%s: args: %w", plugin, e)
			}
			return nil, errors.Join(errs...)
		}
		return out, nil
	default:
		return nil, fmt.Errorf("%s: want args of type %T or JSON (json.RawMessage), got %T", plugin, out, args)
	}
}

// kind says where a resource lives in the model.
type kind uint8

const (
	kindCPU kind = iota
	kindMemory
	kindEphemeralStorage
	kindScalar
)

// Resource is one scoring resource with its weight (1..100).
type Resource struct {
	Name   string
	Weight int64
	kind   kind
}

// DefaultResources are the scoring resources when none are configured: cpu
// and memory, weight 1 each (as upstream's NodeResourcesFit).
func DefaultResources() []configv1.ResourceSpec {
	return []configv1.ResourceSpec{{Name: api.ResourceCPU, Weight: 1}, {Name: api.ResourceMemory, Weight: 1}}
}

// CompileResources validates resource specs (an empty list means
// DefaultResources; weight 0 means 1) and reports every problem at once:
// a missing name, a repeated name, "pods" (not a Resources amount), or a
// weight outside 1..100. Error fields are prefixed with field ("resources").
func CompileResources(plugin, field string, specs []configv1.ResourceSpec) ([]Resource, error) {
	if len(specs) == 0 {
		specs = DefaultResources()
	}
	var errs []error
	seen := map[string]bool{}
	out := make([]Resource, 0, len(specs))
	for i, s := range specs {
		path := fmt.Sprintf("%s: %s[%d]", plugin, field, i)
		switch {
		case s.Name == "":
			errs = append(errs, fmt.Errorf("%s.name: required", path))
		case s.Name == api.ResourcePods:
			errs = append(errs, fmt.Errorf("%s.name: %q cannot be scored", path, s.Name))
		case seen[s.Name]:
			errs = append(errs, fmt.Errorf("%s.name: duplicate value %q", path, s.Name))
		}
		seen[s.Name] = true
		w := s.Weight
		if w == 0 {
			w = 1
		}
		if w < 1 || w > 100 {
			errs = append(errs, fmt.Errorf("%s.weight: invalid value %d: must be in 1..100 (0 means 1)", path, s.Weight))
		}
		r := Resource{Name: s.Name, Weight: w, kind: kindScalar}
		switch s.Name {
		case api.ResourceCPU:
			r.kind = kindCPU
		case api.ResourceMemory:
			r.kind = kindMemory
		case api.ResourceEphemeralStorage:
			r.kind = kindEphemeralStorage
		}
		out = append(out, r)
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return out, nil
}

// IsScalar reports whether r is an extended (or other non-native) resource:
// such a resource is skipped for a pod that does not request it.
func (r *Resource) IsScalar() bool { return r.kind == kindScalar }

// PodRequest returns the pod's scoring request of r: for cpu and memory the
// non-zero request (100m / 200Mi for a container without a request, as
// NodeResourcesFit scores), for every other resource the effective request.
func (r *Resource) PodRequest(s *api.PodSpec) int64 {
	switch r.kind {
	case kindCPU:
		return s.NonZeroMilliCPU
	case kindMemory:
		return s.NonZeroMemory
	case kindEphemeralStorage:
		return s.Requests.EphemeralStorage
	}
	return s.Requests.Get(r.Name)
}

// PodRequests returns PodRequest for each resource, in order.
func PodRequests(rs []Resource, s *api.PodSpec) []int64 {
	out := make([]int64, len(rs))
	for i := range rs {
		out[i] = rs[i].PodRequest(s)
	}
	return out
}

// Allocatable returns the node's allocatable amount of r.
func (r *Resource) Allocatable(node *api.Node) int64 {
	switch r.kind {
	case kindCPU:
		return node.Allocatable.MilliCPU
	case kindMemory:
		return node.Allocatable.Memory
	case kindEphemeralStorage:
		return node.Allocatable.EphemeralStorage
	}
	return node.Allocatable.Get(r.Name)
}

// Used returns what the pods on the node already request of r, counted as
// PodRequest counts the pod (non-zero sums for cpu and memory).
func (r *Resource) Used(ni *framework.NodeInfo) int64 {
	switch r.kind {
	case kindCPU:
		return ni.NonZeroRequested.MilliCPU
	case kindMemory:
		return ni.NonZeroRequested.Memory
	case kindEphemeralStorage:
		return ni.Requested.EphemeralStorage
	}
	return ni.Requested.Get(r.Name)
}

// Skip reports whether r takes no part in scoring a pod requesting podReq of
// it on a node with alloc of it: the node has none, or r is an extended
// resource the pod does not request (as upstream's resource scorers skip).
func (r *Resource) Skip(podReq, alloc int64) bool {
	return alloc <= 0 || (r.kind == kindScalar && podReq == 0)
}

// Leftover returns the node's allocatable amount of r and what would be left
// of it once the pod (requesting podReq) is placed, never below 0; ok is
// false when r is skipped (see Skip).
func (r *Resource) Leftover(ni *framework.NodeInfo, node *api.Node, podReq int64) (alloc, left int64, ok bool) {
	alloc = r.Allocatable(node)
	if r.Skip(podReq, alloc) {
		return 0, 0, false
	}
	return alloc, max(alloc-r.Used(ni)-podReq, 0), true
}

// MulDiv returns a·b/c truncated, for non-negative a, b and positive c, with
// a 128-bit intermediate product so that byte amounts scaled by large factors
// cannot overflow. The quotient must fit in an int64.
func MulDiv(a, b, c int64) int64 {
	hi, lo := bits.Mul64(uint64(a), uint64(b))
	if hi == 0 {
		return int64(lo / uint64(c))
	}
	q, _ := bits.Div64(hi, lo, uint64(c))
	return int64(q)
}

// PodRequestsState is per-cycle state holding the pod's requests per
// configured resource and, per resource, the largest allocatable among the
// nodes being scored (0 when no node has it).
type PodRequestsState struct {
	Requests []int64
	MaxAlloc []int64
}

// Clone returns s: the state is read-only after PreScore.
func (s *PodRequestsState) Clone() framework.StateData { return s }

// NewPodRequestsState computes the pod's requests and the largest
// allocatable of each resource over nodes (nodes without a node object are
// ignored).
func NewPodRequestsState(rs []Resource, p *api.Pod, nodes []*framework.NodeInfo) *PodRequestsState {
	s := &PodRequestsState{Requests: PodRequests(rs, p.Spec), MaxAlloc: make([]int64, len(rs))}
	for _, ni := range nodes {
		node := ni.Node()
		if node == nil {
			continue
		}
		for i := range rs {
			s.MaxAlloc[i] = max(s.MaxAlloc[i], rs[i].Allocatable(node))
		}
	}
	return s
}

// ReadState returns the *PodRequestsState under key, nil when there is none
// (Score called without PreScore), or an error when the key holds another type.
func ReadState(state *framework.CycleState, key framework.StateKey) (*PodRequestsState, error) {
	d, err := state.Read(key)
	if err != nil {
		return nil, nil
	}
	s, ok := d.(*PodRequestsState)
	if !ok {
		return nil, fmt.Errorf("cycle state %q has type %T", key, d)
	}
	return s, nil
}

// LeftoverScore is the score BestFit and WorstFit share: per resource the
// room the pod leaves on the node, left_r, as a share of scale_r (the largest
// allocatable among the scored nodes, from the PreScore state; the node's own
// allocatable without one), weighted and averaged. WorstFit scores
// left_r·100/scale_r, BestFit its complement 100 − left_r·100/scale_r.
func LeftoverScore(plugin string, state *framework.CycleState, key framework.StateKey, rs []Resource, p *api.Pod, ni *framework.NodeInfo, bestFit bool) (int64, *framework.Status) {
	node := ni.Node()
	if node == nil {
		return 0, framework.AsStatus(fmt.Errorf("%s: node not found", plugin))
	}
	s, err := ReadState(state, key)
	if err != nil {
		return 0, framework.AsStatus(fmt.Errorf("%s: %w", plugin, err))
	}
	var total, weights int64
	for i := range rs {
		r := &rs[i]
		var req, scale int64
		if s != nil {
			req, scale = s.Requests[i], s.MaxAlloc[i]
		} else {
			req = r.PodRequest(p.Spec)
		}
		alloc, left, ok := r.Leftover(ni, node, req)
		if !ok {
			continue
		}
		share := MulDiv(left, framework.MaxNodeScore, max(scale, alloc))
		if bestFit {
			share = framework.MaxNodeScore - share
		}
		total += share * r.Weight
		weights += r.Weight
	}
	if weights == 0 {
		return 0, nil
	}
	return total / weights, nil
}
