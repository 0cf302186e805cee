package drain

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/kubesim/kubesim/sim"
	"github.com/kubesim/kubesim/sim/api"
	"github.com/kubesim/kubesim/sim/store"
)

// MaintenanceOptions tune a rolling maintenance.
type MaintenanceOptions struct {
	// Drain are the options of each node's drain (its OnDone is ignored: use
	// OnNodeDone).
	Drain Options
	// RebootDelay is how long a drained node stays cordoned before it is
	// uncordoned (the simulated reboot or upgrade); 0 uncordons at once. The
	// node's kubelet keeps running: the reboot is only a wait.
	RebootDelay time.Duration
	// OnNodeDone, when set, is called after each node's drain.
	OnNodeDone func(Result)
	// OnDone, when set, is called once when the maintenance has finished.
	OnDone func(MaintenanceResult)
}

// MaintenanceResult is what a rolling maintenance did.
type MaintenanceResult struct {
	// Started and Finished are the virtual times of the start and the end.
	Started, Finished sim.Time
	// Nodes holds one drain result per node handled, in order.
	Nodes []Result
	// Err is nil when every node was drained and uncordoned; otherwise the
	// first failed drain's error, after which no further node was touched
	// (the failed node stays cordoned).
	Err error
}

// Maintenance is a running rolling maintenance. Create it with
// StartMaintenance.
type Maintenance struct {
	st        *store.Store
	component string
	nodes     []string
	opts      MaintenanceOptions
	res       MaintenanceResult
	current   *Drainer
	done      bool
}

// StartMaintenance drains nodes one at a time on behalf of component: drain
// the node (Start), wait RebootDelay, uncordon it, and go on with the next,
// beginning in an engine event at the current virtual time. A failed drain
// stops the maintenance.
func StartMaintenance(st *store.Store, component string, nodes []string, opts MaintenanceOptions) *Maintenance {
	m := &Maintenance{st: st, component: component, nodes: slices.Clone(nodes), opts: opts}
	m.res.Started = st.Now()
	st.Engine().AtFunc(st.Now(), func(now sim.Time) { m.next(now, 0) })
	return m
}

// Done reports whether the maintenance has finished.
func (m *Maintenance) Done() bool { return m.done }

// Current returns the drain in progress (or the last one), nil before the first.
func (m *Maintenance) Current() *Drainer { return m.current }

// Result returns what the maintenance did so far (final once Done).
func (m *Maintenance) Result() MaintenanceResult {
	r := m.res
	r.Nodes = slices.Clone(r.Nodes)
	return r
}

// next starts the drain of nodes[i], or finishes.
func (m *Maintenance) next(now sim.Time, i int) {
	if i == len(m.nodes) {
		m.finish(now, nil)
		return
	}
	o := m.opts.Drain
	o.OnDone = func(r Result) { m.drained(i, r) }
	m.current = Start(m.st, m.component, m.nodes[i], o)
}

// drained handles the end of nodes[i]'s drain.
func (m *Maintenance) drained(i int, r Result) {
	m.res.Nodes = append(m.res.Nodes, r)
	if m.opts.OnNodeDone != nil {
		m.opts.OnNodeDone(r)
	}
	if r.Err != nil {
		m.finish(r.Finished, fmt.Errorf("maintenance stopped at node %s: %w", r.Node, r.Err))
		return
	}
	m.st.Engine().AtFunc(r.Finished.Add(m.opts.RebootDelay), func(now sim.Time) {
		if err := Uncordon(m.st, m.component, m.nodes[i]); err != nil {
			m.finish(now, fmt.Errorf("maintenance stopped at node %s: %w", m.nodes[i], err))
			return
		}
		m.next(now, i+1)
	})
}

func (m *Maintenance) finish(now sim.Time, err error) {
	m.done = true
	m.res.Finished = now
	m.res.Err = err
	if m.opts.OnDone != nil {
		m.opts.OnDone(m.Result())
	}
}

// PoolNodes returns the names of the nodes whose labels sel matches (every
// node for an empty selector, none for nil), sorted by name: the order a
// rolling maintenance of a node pool takes.
func PoolNodes(st *store.Store, sel *api.Selector) []string {
	if sel == nil {
		return nil
	}
	var out []string
	for _, n := range st.Nodes.List("", sel) {
		out = append(out, n.Name)
	}
	slices.SortFunc(out, strings.Compare)
	return out
}
