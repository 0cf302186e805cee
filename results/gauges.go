package results

import (
	"slices"
	"strings"

	"github.com/kubesim/kubesim/sim"
	"github.com/kubesim/kubesim/sim/api"
)

// resVec is a resource vector over cpu, memory and the extra resources seen so
// far (indexed by gauges.extraIndex, in order of first sight).
type resVec struct {
	cpu, mem int64
	extra    []int64
}

// gauges is the cluster's current state, kept up to date write by write.
type gauges struct {
	pending, running  int64
	nodes, nodesReady int64
	peakNodes         int64
	// nodeSeconds integrates the node count over virtual time up to
	// lastNodeChange.
	nodeSeconds    float64
	lastNodeChange sim.Time

	requested, allocatable resVec

	extraNames []string       // extra resource names in order of first sight
	extraIndex map[string]int // name → index into extraNames and resVec.extra
}

func newGauges() gauges { return gauges{extraIndex: map[string]int{}} }

// index returns the slot of an extra resource, adding it if new.
func (g *gauges) index(name string) int {
	if i, ok := g.extraIndex[name]; ok {
		return i
	}
	i := len(g.extraNames)
	g.extraNames = append(g.extraNames, name)
	g.extraIndex[name] = i
	g.requested.extra = append(g.requested.extra, 0)
	g.allocatable.extra = append(g.allocatable.extra, 0)
	return i
}

// add adds sign·res to v.
func (g *gauges) add(v *resVec, res *api.Resources, sign int64) {
	v.cpu += sign * res.MilliCPU
	v.mem += sign * res.Memory
	if res.EphemeralStorage != 0 {
		i := g.index(api.ResourceEphemeralStorage)
		v.extra[i] += sign * res.EphemeralStorage
	}
	for _, s := range res.Scalar {
		i := g.index(s.Name)
		v.extra[i] += sign * s.Value
	}
}

// advanceNodeTime integrates the node count up to now.
func (g *gauges) advanceNodeTime(now sim.Time) {
	if now > g.lastNodeChange {
		g.nodeSeconds += float64(g.nodes) * now.Sub(g.lastNodeChange).Seconds()
		g.lastNodeChange = now
	}
}

// podCounted reports whether a pod's requests count as requested: bound to a
// node and not terminal.
func podCounted(p *api.Pod) bool { return p.NodeName != "" && !p.IsTerminal() }

// podGauges adds (sign 1) or removes (sign -1) p's contribution to the gauges.
func (r *Recorder) podGauges(p *api.Pod, sign int64) {
	switch p.Status.Phase {
	case api.PodPending:
		r.g.pending += sign
	case api.PodRunning:
		r.g.running += sign
	}
	if podCounted(p) && p.Spec != nil {
		r.g.add(&r.g.requested, &p.Spec.Requests, sign)
	}
}

// nodeDelta replaces old's contribution to the gauges with new's (either may be
// nil: a create or a removal).
func (r *Recorder) nodeDelta(old, new *api.Node, now sim.Time) {
	if (old == nil) != (new == nil) {
		r.g.advanceNodeTime(now)
	}
	if old != nil {
		r.g.nodes--
		if old.IsReady() {
			r.g.nodesReady--
		}
		r.g.add(&r.g.allocatable, &old.Allocatable, -1)
	}
	if new != nil {
		r.g.nodes++
		if new.IsReady() {
			r.g.nodesReady++
		}
		r.g.add(&r.g.allocatable, &new.Allocatable, 1)
	}
	r.g.peakNodes = max(r.g.peakNodes, r.g.nodes)
}

// sample is one row of timeseries.csv.
type sample struct {
	t                          sim.Time
	pending, running, nodesRdy int64
	requested, allocatable     resVec
}

// takeSample records the gauges at now. Its cost is O(resources).
func (r *Recorder) takeSample(now sim.Time) {
	s := sample{t: now, pending: r.g.pending, running: r.g.running, nodesRdy: r.g.nodesReady,
		requested: r.g.requested, allocatable: r.g.allocatable}
	s.requested.extra = slices.Clone(r.g.requested.extra)
	s.allocatable.extra = slices.Clone(r.g.allocatable.extra)
	r.samples = append(r.samples, s)
}

// resourceColumn is one resource as outputs show it.
type resourceColumn struct {
	name string
	unit string
	// at returns the requested and allocatable amounts of the resource in s.
	at func(s *sample) (req, alloc int64)
}

// columns returns cpu, memory and then the extra resources in name order.
func (r *Recorder) columns() []resourceColumn {
	cols := []resourceColumn{
		{name: api.ResourceCPU, unit: "millicores", at: func(s *sample) (int64, int64) { return s.requested.cpu, s.allocatable.cpu }},
		{name: api.ResourceMemory, unit: "bytes", at: func(s *sample) (int64, int64) { return s.requested.mem, s.allocatable.mem }},
	}
	names := slices.Clone(r.g.extraNames)
	slices.Sort(names)
	for _, name := range names {
		i := r.g.extraIndex[name]
		cols = append(cols, resourceColumn{name: name, unit: resourceUnit(name), at: func(s *sample) (int64, int64) {
			var req, alloc int64
			if i < len(s.requested.extra) {
				req, alloc = s.requested.extra[i], s.allocatable.extra[i]
			}
			return req, alloc
		}})
	}
	return cols
}

// resourceUnit names the unit of a resource other than cpu.
func resourceUnit(name string) string {
	if name == api.ResourceMemory || name == api.ResourceEphemeralStorage || strings.HasPrefix(name, "hugepages-") {
		return "bytes"
	}
	return "units"
}
