package noderesources

import (
	"errors"
	"fmt"
	"strings"

	configv1 "k8s.io/kube-scheduler/config/v1"

	"github.com/kubesim/kubesim/scheduler/framework"
	"github.com/kubesim/kubesim/sim/api"
)

// Name is NodeResourcesFit's name in the registry and in configurations.
const Name = "NodeResourcesFit"

const (
	preFilterStateKey framework.StateKey = "PreFilter" + Name
	preScoreStateKey  framework.StateKey = "PreScore" + Name
)

var errNoNode = errors.New("noderesources: node not found")

// Fit checks that a node has room for the pod's requests and scores nodes by
// how much of their allocatable the pod would use.
type Fit struct {
	ignored       map[string]struct{}
	ignoredGroups map[string]struct{}
	strategy      configv1.ScoringStrategyType
	resources     []resource
	shape         []shapePoint
	// leastCPUMemory: LeastAllocated over cpu and memory with these weights.
	leastCPUMemory bool
	weights        [2]int64
	// failures holds the filter statuses made so far, by insufficientBits:
	// nodes that fail alike share one (read-only) status.
	failures [1 << 8]*framework.Status
}

var (
	_ framework.PreFilterPlugin   = &Fit{}
	_ framework.TableFilterPlugin = &Fit{}
	_ framework.PreScorePlugin    = &Fit{}
	_ framework.TableScorePlugin  = &Fit{}
)

// NewFit returns NodeResourcesFit. args is nil (upstream defaults:
// LeastAllocated over cpu and memory, weight 1 each, nothing ignored) or a
// *v1.NodeResourcesFitArgs, defaulted as upstream (missing strategy →
// LeastAllocated, no resources → cpu:1 memory:1, weight 0 → 1) and validated
// (strategy type, weights in 1..100, ignored names qualified, group names
// without '/', RequestedToCapacityRatio shape present, increasing, in range).
func NewFit(args any, _ framework.Handle) (framework.Plugin, error) {
	var a *configv1.NodeResourcesFitArgs
	switch v := args.(type) {
	case nil:
	case *configv1.NodeResourcesFitArgs:
		a = v
	default:
		return nil, fmt.Errorf("%s: want args of type *v1.NodeResourcesFitArgs, got %T", Name, args)
	}
	cfg, err := compileFitArgs(a)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", Name, err)
	}
	f := &Fit{
		ignored:       cfg.ignored,
		ignoredGroups: cfg.ignoredGroups,
		strategy:      cfg.strategy,
		resources:     cfg.resources,
		shape:         cfg.shape,
	}
	if rs := f.resources; f.strategy == configv1.LeastAllocated && len(rs) == 2 && rs[0].kind == kindCPU && rs[1].kind == kindMemory {
		f.leastCPUMemory, f.weights = true, [2]int64{rs[0].weight, rs[1].weight}
	}
	return f, nil
}

// Name returns Name.
func (*Fit) Name() string { return Name }

// preFilterState is the pod's effective request and the scalar resources the
// Filter checks (ignored extended resources removed).
type preFilterState struct {
	req     api.Resources
	scalars []api.Scalar
}

// Clone returns s: the state is read-only.
func (s *preFilterState) Clone() framework.StateData { return s }

// PreFilter stores the pod's effective request (spec.Requests: containers,
// sidecars, init phases, overhead, pod-level requests) for Filter.
func (f *Fit) PreFilter(state *framework.CycleState, p *api.Pod, _ []*framework.NodeInfo) (*framework.PreFilterResult, *framework.Status) {
	s := &preFilterState{req: p.Spec.Requests, scalars: p.Spec.Requests.Scalar}
	if len(f.ignored)+len(f.ignoredGroups) > 0 {
		s.scalars = nil
		for _, sc := range p.Spec.Requests.Scalar {
			if !f.isIgnored(sc.Name) {
				s.scalars = append(s.scalars, sc)
			}
		}
	}
	state.Write(preFilterStateKey, s)
	return nil, nil
}

// isIgnored reports whether an extended resource is ignored by name or by
// the part of its name before '/'.
func (f *Fit) isIgnored(name string) bool {
	if !isExtendedResourceName(name) {
		return false
	}
	if _, ok := f.ignored[name]; ok {
		return true
	}
	prefix, _, _ := strings.Cut(name, "/")
	_, ok := f.ignoredGroups[prefix]
	return ok
}

// InsufficientResource describes one resource the node lacks for the pod.
type InsufficientResource struct {
	ResourceName string
	// Reason is the upstream Filter reason, e.g. "Insufficient cpu".
	Reason    string
	Requested int64
	Used      int64
	Capacity  int64
	// Unresolvable is set when the request exceeds the node's whole
	// allocatable, so that no preemption on the node can help.
	Unresolvable bool
}

// Fits returns what the node lacks for the pod (nil when it fits), with no
// resource ignored: what preemption and autoscaling simulations check.
func Fits(p *api.Pod, ni *framework.NodeInfo) []InsufficientResource {
	return fitsRequest(&p.Spec.Requests, p.Spec.Requests.Scalar, ni)
}

// fitsRequest checks req against the node's free allocatable, in upstream's
// order: pod count, cpu, memory, ephemeral-storage, then the given scalar
// resources (sorted by name). It allocates only when something is missing.
func fitsRequest(req *api.Resources, scalars []api.Scalar, ni *framework.NodeInfo) []InsufficientResource {
	var out []InsufficientResource
	node := ni.Node()
	if used := int64(len(ni.Pods)); used+1 > node.AllowedPods {
		out = append(out, InsufficientResource{ResourceName: api.ResourcePods, Reason: "Too many pods",
			Requested: 1, Used: used, Capacity: node.AllowedPods})
	}
	if req.MilliCPU == 0 && req.Memory == 0 && req.EphemeralStorage == 0 && len(req.Scalar) == 0 {
		return out
	}
	alloc, used := &node.Allocatable, &ni.Requested
	if req.MilliCPU > 0 && req.MilliCPU > alloc.MilliCPU-used.MilliCPU {
		out = append(out, InsufficientResource{ResourceName: api.ResourceCPU, Reason: "Insufficient cpu",
			Requested: req.MilliCPU, Used: used.MilliCPU, Capacity: alloc.MilliCPU, Unresolvable: req.MilliCPU > alloc.MilliCPU})
	}
	if req.Memory > 0 && req.Memory > alloc.Memory-used.Memory {
		out = append(out, InsufficientResource{ResourceName: api.ResourceMemory, Reason: "Insufficient memory",
			Requested: req.Memory, Used: used.Memory, Capacity: alloc.Memory, Unresolvable: req.Memory > alloc.Memory})
	}
	if req.EphemeralStorage > 0 && req.EphemeralStorage > alloc.EphemeralStorage-used.EphemeralStorage {
		out = append(out, InsufficientResource{ResourceName: api.ResourceEphemeralStorage, Reason: "Insufficient ephemeral-storage",
			Requested: req.EphemeralStorage, Used: used.EphemeralStorage, Capacity: alloc.EphemeralStorage,
			Unresolvable: req.EphemeralStorage > alloc.EphemeralStorage})
	}
	for _, sc := range scalars {
		if sc.Value == 0 {
			continue
		}
		a, u := alloc.Get(sc.Name), used.Get(sc.Name)
		if sc.Value > a-u {
			out = append(out, InsufficientResource{ResourceName: sc.Name, Reason: "Insufficient " + sc.Name,
				Requested: sc.Value, Used: u, Capacity: a, Unresolvable: sc.Value > a})
		}
	}
	return out
}

// Filter fails a node that lacks any requested resource, with every reason
// collected. The status is UnschedulableAndUnresolvable when some request
// exceeds the node's whole allocatable, else Unschedulable (preemption might
// help). "Too many pods" alone is Unschedulable.
func (f *Fit) Filter(state *framework.CycleState, _ *api.Pod, ni *framework.NodeInfo) *framework.Status {
	if ni.Node() == nil {
		return framework.AsStatus(errNoNode)
	}
	d, err := state.Read(preFilterStateKey)
	if err != nil {
		return framework.AsStatus(fmt.Errorf("%s: reading %q from cycle state: %w", Name, preFilterStateKey, err))
	}
	s, ok := d.(*preFilterState)
	if !ok {
		return framework.AsStatus(fmt.Errorf("%s: cycle state %q has type %T", Name, preFilterStateKey, d))
	}
	return f.filterWith(s, ni)
}

// insufficientBits is fitsRequest for a request without scalar resources
// as a bit set: bit 2k for the k-th of pods, cpu, memory and
// ephemeral-storage when it is insufficient, and bit 2k+1 when the request
// also exceeds the node's whole allocatable (never for pods).
func insufficientBits(req *api.Resources, ni *framework.NodeInfo) uint {
	var bits uint
	node := ni.Node()
	if int64(len(ni.Pods))+1 > node.AllowedPods {
		bits |= 1
	}
	if req.MilliCPU == 0 && req.Memory == 0 && req.EphemeralStorage == 0 {
		return bits
	}
	alloc, used := &node.Allocatable, &ni.Requested
	check := func(k uint, r, a, u int64) {
		if r > 0 && r > a-u {
			bits |= 1 << (2 * k)
			if r > a {
				bits |= 1 << (2*k + 1)
			}
		}
	}
	check(1, req.MilliCPU, alloc.MilliCPU, used.MilliCPU)
	check(2, req.Memory, alloc.Memory, used.Memory)
	check(3, req.EphemeralStorage, alloc.EphemeralStorage, used.EphemeralStorage)
	return bits
}

// filterWith is Filter with the cycle state read. Without scalar requests
// the status depends only on which resources are insufficient, and nodes
// that fail alike share one status.
func (f *Fit) filterWith(s *preFilterState, ni *framework.NodeInfo) *framework.Status {
	if len(s.scalars) == 0 {
		bits := insufficientBits(&s.req, ni)
		if bits == 0 {
			return nil
		}
		if st := f.failures[bits]; st != nil {
			return st
		}
		st := failureStatus(fitsRequest(&s.req, nil, ni))
		f.failures[bits] = st
		return st
	}
	return failureStatus(fitsRequest(&s.req, s.scalars, ni))
}

// failureStatus is Filter's status for the insufficient resources ins (nil
// when there are none).
func failureStatus(ins []InsufficientResource) *framework.Status {
	if len(ins) == 0 {
		return nil
	}
	code := framework.Unschedulable
	reasons := make([]string, len(ins))
	for i := range ins {
		reasons[i] = ins[i].Reason
		if ins[i].Unresolvable {
			code = framework.UnschedulableAndUnresolvable
		}
	}
	return framework.NewStatus(code, reasons...)
}

// FilterNodes is Filter over many nodes.
func (f *Fit) FilterNodes(state *framework.CycleState, p *api.Pod, nodes []*framework.NodeInfo, statuses []*framework.Status) {
	d, _ := state.Read(preFilterStateKey)
	s, ok := d.(*preFilterState)
	if !ok {
		for i, ni := range nodes {
			statuses[i] = f.Filter(state, p, ni)
		}
		return
	}
	req := &s.req
	simple := len(s.scalars) == 0
	for i, ni := range nodes {
		node := ni.Node()
		if node == nil {
			statuses[i] = framework.AsStatus(errNoNode)
			continue
		}
		// The common case, a node with room for everything, decided inline.
		alloc, used := &node.Allocatable, &ni.Requested
		if simple && int64(len(ni.Pods)) < node.AllowedPods &&
			(req.MilliCPU <= 0 || req.MilliCPU <= alloc.MilliCPU-used.MilliCPU) &&
			(req.Memory <= 0 || req.Memory <= alloc.Memory-used.Memory) &&
			(req.EphemeralStorage <= 0 || req.EphemeralStorage <= alloc.EphemeralStorage-used.EphemeralStorage) {
			statuses[i] = nil
			continue
		}
		statuses[i] = f.filterWith(s, ni)
	}
}

// FilterTable is FilterNodes reading the node table: for a pod without
// scalar requests, a node with room for everything is decided from its row.
func (f *Fit) FilterTable(state *framework.CycleState, p *api.Pod, t *framework.NodeTable, ids []int32, nodes []*framework.NodeInfo, statuses []*framework.Status) {
	d, _ := state.Read(preFilterStateKey)
	s, ok := d.(*preFilterState)
	if !ok || len(s.scalars) != 0 {
		f.FilterNodes(state, p, nodes, statuses)
		return
	}
	// A request ≤ 0 always fits: make its bound unreachable instead.
	cpu, mem, eph := s.req.MilliCPU, s.req.Memory, s.req.EphemeralStorage
	rows := t.Rows
	for i, id := range ids {
		r := &rows[id]
		if r.Flags&framework.NodeMissing == 0 && r.FreePods >= 1 &&
			(cpu <= 0 || cpu <= r.AllocMilliCPU-r.ReqMilliCPU) &&
			(mem <= 0 || mem <= r.AllocMemory-r.ReqMemory) &&
			(eph <= 0 || eph <= r.FreeEphemeral) {
			statuses[i] = nil
			continue
		}
		if r.Flags&framework.NodeMissing != 0 {
			statuses[i] = framework.AsStatus(errNoNode)
			continue
		}
		statuses[i] = f.filterWith(s, nodes[i])
	}
}

// preScoreState holds the pod's scoring request per configured resource.
type preScoreState struct {
	podRequests []int64
}

// Clone returns s: the state is read-only.
func (s *preScoreState) Clone() framework.StateData { return s }

// PreScore stores the pod's scoring requests (non-zero cpu/memory, real
// requests for the rest) for Score. It never skips.
func (f *Fit) PreScore(state *framework.CycleState, p *api.Pod, _ []*framework.NodeInfo) *framework.Status {
	state.Write(preScoreStateKey, &preScoreState{podRequests: podRequests(f.resources, p.Spec, true)})
	return nil
}

// Score rates the node with the configured strategy, in [0, 100].
func (f *Fit) Score(state *framework.CycleState, p *api.Pod, ni *framework.NodeInfo) (int64, *framework.Status) {
	node := ni.Node()
	if node == nil {
		return 0, framework.AsStatus(errNoNode)
	}
	var reqs []int64
	if d, err := state.Read(preScoreStateKey); err == nil {
		s, ok := d.(*preScoreState)
		if !ok {
			return 0, framework.AsStatus(fmt.Errorf("%s: cycle state %q has type %T", Name, preScoreStateKey, d))
		}
		reqs = s.podRequests
	} else {
		reqs = podRequests(f.resources, p.Spec, true)
	}
	return f.score(ni, node, reqs), nil
}

// ScoreNodes is Score over many nodes.
func (f *Fit) ScoreNodes(state *framework.CycleState, p *api.Pod, nodes []*framework.NodeInfo, scores []framework.NodeScore) *framework.Status {
	var reqs []int64
	if d, err := state.Read(preScoreStateKey); err == nil {
		s, ok := d.(*preScoreState)
		if !ok {
			return framework.AsStatus(fmt.Errorf("%s: cycle state %q has type %T", Name, preScoreStateKey, d))
		}
		reqs = s.podRequests
	} else {
		reqs = podRequests(f.resources, p.Spec, true)
	}
	if f.leastCPUMemory {
		cpu, mem := reqs[0], reqs[1]
		for i, ni := range nodes {
			node := ni.Node()
			if node == nil {
				return framework.AsStatus(errNoNode)
			}
			scores[i].Score = leastCPUMemory(node, ni, cpu, mem, f.weights)
		}
		return nil
	}
	for i, ni := range nodes {
		node := ni.Node()
		if node == nil {
			return framework.AsStatus(errNoNode)
		}
		scores[i].Score = f.score(ni, node, reqs)
	}
	return nil
}

// ScoreTable is ScoreNodes reading the node table, for the default
// strategy (LeastAllocated over cpu and memory).
func (f *Fit) ScoreTable(state *framework.CycleState, p *api.Pod, t *framework.NodeTable, ids []int32, nodes []*framework.NodeInfo, scores []framework.NodeScore) *framework.Status {
	if !f.leastCPUMemory {
		return f.ScoreNodes(state, p, nodes, scores)
	}
	var reqs []int64
	if d, err := state.Read(preScoreStateKey); err == nil {
		s, ok := d.(*preScoreState)
		if !ok {
			return framework.AsStatus(fmt.Errorf("%s: cycle state %q has type %T", Name, preScoreStateKey, d))
		}
		reqs = s.podRequests
	} else {
		reqs = podRequests(f.resources, p.Spec, true)
	}
	cpu, mem, w := reqs[0], reqs[1], f.weights
	rows := t.Rows
	even := w == [2]int64{1, 1}
	for i, id := range ids {
		r := &rows[id]
		if r.Flags&framework.NodeMissing != 0 {
			return framework.AsStatus(errNoNode)
		}
		cr, mr, ca, ma := r.NonZeroMilliCPU+cpu, r.NonZeroMemory+mem, r.AllocMilliCPU, r.AllocMemory
		if even && uint64(ca-1) < maxNoDivCapacity && uint64(ma-1) < maxNoDivCapacity &&
			uint64(cr) <= uint64(ca) && uint64(mr) <= uint64(ma) {
			// The common case, inline: both scores are in [0, 100], so
			// halving their sum is a shift.
			scores[i].Score = (leastQuotient(cr, ca) + leastQuotient(mr, ma)) >> 1
			continue
		}
		var total, weights int64
		if a := r.AllocMilliCPU; a != 0 {
			total += leastScoreNoDiv(r.NonZeroMilliCPU+cpu, a) * w[0]
			weights += w[0]
		}
		if a := r.AllocMemory; a != 0 {
			total += leastScoreNoDiv(r.NonZeroMemory+mem, a) * w[1]
			weights += w[1]
		}
		if weights != 0 {
			total /= weights
		}
		scores[i].Score = total
	}
	return nil
}

// leastCPUMemory is score for LeastAllocated over cpu and memory (in this
// order, with weights w), the default, without the per-resource switches.
func leastCPUMemory(node *api.Node, ni *framework.NodeInfo, cpu, mem int64, w [2]int64) int64 {
	var total, weights int64
	if a := node.Allocatable.MilliCPU; a != 0 {
		total += leastRequestedScore(ni.NonZeroRequested.MilliCPU+cpu, a) * w[0]
		weights += w[0]
	}
	if a := node.Allocatable.Memory; a != 0 {
		total += leastRequestedScore(ni.NonZeroRequested.Memory+mem, a) * w[1]
		weights += w[1]
	}
	if weights == 0 {
		return 0
	}
	return total / weights
}

// score is the weighted average of the per-resource scores over resources
// with non-zero allocatable (and, for scalar resources, requested by the
// pod). RequestedToCapacityRatio only averages resources scoring > 0 and
// rounds the float quotient; the other strategies divide integers.
func (f *Fit) score(ni *framework.NodeInfo, node *api.Node, podReqs []int64) int64 {
	var total, weights int64
	for i := range f.resources {
		r := &f.resources[i]
		alloc, req := r.allocatableRequested(ni, node, podReqs[i], false)
		if alloc == 0 {
			continue
		}
		var s int64
		switch f.strategy {
		case configv1.MostAllocated:
			s = mostRequestedScore(req, alloc)
		case configv1.RequestedToCapacityRatio:
			if s = f.shapeScore(req, alloc); s <= 0 {
				continue
			}
		default:
			s = leastRequestedScore(req, alloc)
		}
		total += s * r.weight
		weights += r.weight
	}
	if weights == 0 {
		return 0
	}
	if f.strategy == configv1.RequestedToCapacityRatio {
		return roundHalfAway(float64(total) / float64(weights))
	}
	return total / weights
}

// ScoreExtensions returns nil: Fit's scores are already in [0, 100].
func (*Fit) ScoreExtensions() framework.ScoreExtensions { return nil }
