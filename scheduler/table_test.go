package scheduler

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"testing"

	"github.com/kubesim/kubesim/scheduler/framework"
	"github.com/kubesim/kubesim/scheduler/plugins"
	"github.com/kubesim/kubesim/sim"
	"github.com/kubesim/kubesim/sim/api"
	"github.com/kubesim/kubesim/sim/store"
)

// The cache's node table must always equal what its NodeInfos say, and the
// plugins' table paths must give what Filter and Score give.

// tableCluster is a random cluster exercising every table flag: cordoned
// nodes, NoSchedule / NoExecute / PreferNoSchedule taints, images, host
// ports, full nodes, small allowed pod counts and ephemeral storage.
func tableCluster(t *testing.T, r *rand.Rand, c *Cache, nodes int) []*api.Pod {
	t.Helper()
	for i := range nodes {
		c.AddNode(tableNode(r, i))
	}
	var pods []*api.Pod
	for i := range 6 * nodes {
		p := tablePod(r, fmt.Sprintf("e%d", i))
		p.NodeName = fmt.Sprintf("n%02d", r.IntN(nodes))
		c.AddPod(p)
		pods = append(pods, p)
	}
	return pods
}

func tableNode(r *rand.Rand, i int) *api.Node {
	n := makeNode(fmt.Sprintf("n%02d", i), fmt.Sprintf("z%d", i%3), int64(1000+r.IntN(4)*1000), int64(1+r.IntN(4))*gi)
	switch r.IntN(12) { // a resource without allocatable: scores' edge cases
	case 0:
		n.Allocatable.MilliCPU = 0
	case 1:
		n.Allocatable.Memory = 0
	}
	n.AllowedPods = int64(2 + r.IntN(10))
	n.Allocatable.EphemeralStorage = int64(r.IntN(3)) * gi
	n.Unschedulable = r.IntN(6) == 0
	for _, e := range []api.TaintEffect{api.TaintNoSchedule, api.TaintNoExecute, api.TaintPreferNoSchedule} {
		if r.IntN(5) == 0 {
			n.Taints = append(n.Taints, api.Taint{Key: "k" + string(e), Value: "v", Effect: e})
		}
	}
	if r.IntN(3) == 0 {
		n.Images = []api.ContainerImage{{Names: []string{"img:1"}, SizeBytes: 500 << 20}}
	}
	return n
}

func tablePod(r *rand.Rand, name string) *api.Pod {
	p := makePod(name, int64(r.IntN(5))*300, int64(r.IntN(4))*gi/4)
	spec := *p.Spec
	spec.Containers = append([]api.Container(nil), spec.Containers...)
	c := &spec.Containers[0]
	c.Image = "img:1"
	if r.IntN(4) == 0 {
		c.Ports = []api.ContainerPort{{ContainerPort: 80, HostPort: int32(8000 + r.IntN(3)), Protocol: "TCP"}}
	}
	if r.IntN(4) == 0 {
		c.Requests.EphemeralStorage = int64(r.IntN(3)) * gi / 2
	}
	if r.IntN(8) == 0 {
		c.Requests.Scalar = []api.Scalar{{Name: "example.com/gadget", Value: 1}}
	}
	switch r.IntN(6) {
	case 0:
		spec.Tolerations = []api.Toleration{{Operator: api.TolerationOpExists}}
	case 1:
		spec.Tolerations = []api.Toleration{{Key: "k" + string(api.TaintPreferNoSchedule), Operator: api.TolerationOpExists}}
	}
	spec.Compile()
	p.Spec = &spec
	if r.IntN(10) == 0 {
		p.NodeName = "n01"
	}
	return p
}

// checkTable compares every row of the cache's table with a row computed
// afresh from its NodeInfo, and ListIDs with List.
func checkTable(t *testing.T, c *Cache, where string) {
	t.Helper()
	var fresh framework.NodeTable
	for name, it := range c.nodes {
		fresh.Set(it.info)
		id := it.info.ID
		if got, want := c.table.Rows[id], fresh.Rows[id]; got != want {
			t.Fatalf("%s: node %s row %+v, want %+v", where, name, got, want)
		}
		if got, want := c.table.Names[id], fresh.Names[id]; got != want {
			t.Fatalf("%s: node %s name %q, want %q", where, name, got, want)
		}
	}
	for _, id := range c.freeIDs {
		if c.table.Rows[id].Flags != framework.NodeMissing || c.table.Names[id] != "" {
			t.Fatalf("%s: free id %d has a row", where, id)
		}
	}
	list, ids := c.List(), c.ListIDs()
	if len(list) != len(ids) {
		t.Fatalf("%s: %d ids for %d nodes", where, len(ids), len(list))
	}
	for i, ni := range list {
		if ids[i] != ni.ID {
			t.Fatalf("%s: ids[%d] = %d, want %d", where, i, ids[i], ni.ID)
		}
	}
}

// TestNodeTableFollowsCache changes a cache at random (pods added, updated
// and removed, nodes updated, cordoned, removed while holding pods, added
// again) and checks the table after every step.
func TestNodeTableFollowsCache(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 5))
	c := NewCache()
	pods := tableCluster(t, r, c, 20)
	checkTable(t, c, "start")
	for step := range 400 {
		where := fmt.Sprintf("step %d", step)
		switch r.IntN(6) {
		case 0:
			p := tablePod(r, fmt.Sprintf("s%d", step))
			p.NodeName = fmt.Sprintf("n%02d", r.IntN(22))
			if r.IntN(2) == 0 {
				c.AssumePod(p)
			} else {
				c.AddPod(p)
			}
			pods = append(pods, p)
		case 1:
			if len(pods) > 0 {
				k := r.IntN(len(pods))
				c.RemovePod(pods[k])
				pods = append(pods[:k], pods[k+1:]...)
			}
		case 2:
			if len(pods) > 0 {
				p := pods[r.IntN(len(pods))].Clone()
				p.NodeName = fmt.Sprintf("n%02d", r.IntN(20))
				c.UpdatePod(p)
			}
		case 3:
			c.UpdateNode(tableNode(r, r.IntN(22)))
		case 4:
			before := c.NodeLabelsVersion()
			name := fmt.Sprintf("n%02d", r.IntN(22))
			c.RemoveNode(name)
			if c.NodeInfo(name) != nil && c.NodeLabelsVersion() == before {
				t.Fatalf("%s: removing %s kept the labels version", where, name)
			}
		case 5:
			ni := c.NodeInfo(fmt.Sprintf("n%02d", r.IntN(20)))
			if ni == nil || ni.Node() == nil {
				continue
			}
			// A status-only update keeps the labels version; a label change does not.
			before := c.NodeLabelsVersion()
			n := *ni.Node()
			n.Unschedulable = !n.Unschedulable
			c.UpdateNode(&n)
			if c.NodeLabelsVersion() != before {
				t.Fatalf("%s: cordoning changed the labels version", where)
			}
			m := n
			m.Labels = map[string]string{api.LabelHostname: n.Name, api.LabelZone: n.Labels[api.LabelZone], "rack": fmt.Sprint(step)}
			c.UpdateNode(&m)
			if c.NodeLabelsVersion() == before {
				t.Fatalf("%s: a label change kept the labels version", where)
			}
		}
		checkTable(t, c, where)
	}
}

// TestTablePluginsAgree checks FilterTable and ScoreTable of every default
// plugin that has them against Filter and Score, over random clusters and
// pods that exercise every flag and fallback.
func TestTablePluginsAgree(t *testing.T) {
	for seed := range uint64(3) {
		r := rand.New(rand.NewPCG(seed, 11))
		c := NewCache()
		tableCluster(t, r, c, 30)
		eng := sim.NewEngine(seed, 0)
		st := store.New(eng, store.Options{})
		h := &testHandle{eng: eng, st: st, lister: c}
		nodes, ids, table := c.List(), c.ListIDs(), c.NodeTable()
		var incoming []*api.Pod
		for i := range 40 {
			incoming = append(incoming, tablePod(r, fmt.Sprintf("in%d", i)))
		}
		for name, f := range plugins.NewInTreeRegistry() {
			pl, err := f(nil, h)
			if err != nil {
				continue // needs args
			}
			tf, isTF := pl.(framework.TableFilterPlugin)
			ts, isTS := pl.(framework.TableScorePlugin)
			ff, isFF := pl.(framework.FlagFilterPlugin)
			if !isTF && !isTS && !isFF {
				continue
			}
			for i, p := range incoming {
				where := fmt.Sprintf("seed %d %s pod %d", seed, name, i)
				state := framework.NewCycleState()
				if pf, ok := pl.(framework.PreFilterPlugin); ok {
					if _, s := pf.PreFilter(state, p, nodes); !s.IsSuccess() {
						continue
					}
				}
				if isTF {
					got := make([]*framework.Status, len(nodes))
					tf.FilterTable(state, p, table, ids, nodes, got)
					for j, ni := range nodes {
						if a, b := view(tf.Filter(state, p, ni)), view(got[j]); !reflect.DeepEqual(a, b) {
							t.Fatalf("%s node %s: Filter %v, FilterTable %v", where, ni.Name(), a, b)
						}
					}
				}
				if isFF {
					if flags, ok := ff.FilterFlags(state, p); ok {
						for j, ni := range nodes {
							if st := ff.Filter(state, p, ni); table.Rows[ids[j]].Flags&flags == 0 && !st.IsSuccess() {
								t.Fatalf("%s node %s: flags %b outside %b, yet Filter %v", where, ni.Name(), table.Rows[ids[j]].Flags, flags, view(st))
							}
						}
					}
				}
				if isTS {
					if ps, ok := pl.(framework.PreScorePlugin); ok {
						if s := ps.PreScore(state, p, nodes); !s.IsSuccess() {
							continue
						}
					}
					got := make([]framework.NodeScore, len(nodes))
					if s := ts.ScoreTable(state, p, table, ids, nodes, got); !s.IsSuccess() {
						t.Fatalf("%s: ScoreTable: %s", where, s.Message())
					}
					for j, ni := range nodes {
						if sc, _ := ts.Score(state, p, ni); sc != got[j].Score {
							t.Fatalf("%s node %s: Score %d, ScoreTable %d", where, ni.Name(), sc, got[j].Score)
						}
					}
				}
			}
		}
	}
}

// TestChunkedFilteringAgrees checks findFeasible, which filters chunks of
// nodes plugin by plugin (flag filters in one pass over the rows), against
// the reference: every node in turn from the rotating start, each filter in
// profile order until the first failure, stopping at the number of
// feasible nodes wanted. Feasible nodes, failed nodes, their statuses and
// plugins must be the same, over random clusters, pods and start indexes.
func TestChunkedFilteringAgrees(t *testing.T) {
	for seed := range uint64(4) {
		r := rand.New(rand.NewPCG(seed, 13))
		eng := sim.NewEngine(seed, 0)
		st := store.New(eng, store.Options{})
		s, err := New(eng, st, Config{PercentageOfNodesToScore: 5})
		if err != nil {
			t.Fatal(err)
		}
		const n = 150 // over 100, so that filtering stops at 100 feasible nodes
		for i := range n {
			node := tableNode(r, i)
			node.Name = fmt.Sprintf("n%03d", i)
			s.cache.AddNode(node)
		}
		for i := range 4 * n {
			p := tablePod(r, fmt.Sprintf("e%d", i))
			p.NodeName = fmt.Sprintf("n%03d", r.IntN(n))
			s.cache.AddPod(p)
		}
		prof := s.Profile(api.DefaultSchedulerName)
		nodes, ids := s.cache.List(), s.cache.ListIDs()
		for i := range 60 {
			where := fmt.Sprintf("seed %d pod %d", seed, i)
			p := tablePod(r, fmt.Sprintf("in%d", i))
			if r.IntN(8) == 0 {
				p.NodeName = fmt.Sprintf("n%03d", r.IntN(n))
			}
			state := framework.NewCycleState()
			if _, st, _ := prof.runPreFilter(state, p, nodes); !st.IsSuccess() {
				continue
			}
			var filters []filterRef
			for _, pl := range prof.filter {
				if !state.SkipFilterPlugins.Has(pl.Name()) {
					filters = append(filters, filterRef{pl})
				}
			}
			start := r.IntN(n)
			want := s.numFeasibleNodesToFind(prof, n)
			var refFeasible []string
			type failure struct {
				node, plugin string
				st           statusView
			}
			var refFailures []failure
			for k := 0; k < n && len(refFeasible) < want; k++ {
				ni := nodes[(start+k)%n]
				if st, j := runFilterRun(filters, state, p, ni); st != nil {
					refFailures = append(refFailures, failure{ni.Name(), filters[j].pl.Name(), view(st)})
				} else {
					refFeasible = append(refFeasible, ni.Name())
				}
			}
			s.nextStartNodeIndex = start
			feasible, feasibleIDs, failures, st := s.findFeasible(prof, filters, state, p, nodes, ids)
			if !st.IsSuccess() {
				t.Fatalf("%s: %s", where, st.Message())
			}
			var gotFeasible []string
			for k, ni := range feasible {
				if feasibleIDs[k] != ni.ID {
					t.Fatalf("%s: feasible node %s with id %d, want %d", where, ni.Name(), feasibleIDs[k], ni.ID)
				}
				gotFeasible = append(gotFeasible, ni.Name())
			}
			var gotFailures []failure
			for _, nf := range failures {
				gotFailures = append(gotFailures, failure{nf.name, nf.status.Plugin(), view(nf.status)})
			}
			if !reflect.DeepEqual(gotFeasible, refFeasible) {
				t.Fatalf("%s: feasible %v, want %v", where, gotFeasible, refFeasible)
			}
			if !reflect.DeepEqual(gotFailures, refFailures) {
				t.Fatalf("%s: failures %v, want %v", where, gotFailures, refFailures)
			}
		}
	}
}
