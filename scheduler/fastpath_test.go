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

// The cycle's fast paths (batch Filter/Score, the cache's pod groups and
// affinity node lists) must give exactly what the plain per-node, per-pod
// paths give. These tests run both over the same randomised clusters.

// plainLister hides the cache's optional interfaces.
type plainLister struct{ c *Cache }

func (l plainLister) List() []*framework.NodeInfo                 { return l.c.List() }
func (l plainLister) Get(name string) (*framework.NodeInfo, bool) { return l.c.Get(name) }

// testHandle is a plugin handle over a cache, with or without its fast
// interfaces.
type testHandle struct {
	eng    *sim.Engine
	st     *store.Store
	lister framework.NodeInfoLister
}

func (h *testHandle) SnapshotSharedLister() framework.NodeInfoLister { return h.lister }
func (h *testHandle) Store() *store.Store                            { return h.st }
func (h *testHandle) Now() sim.Time                                  { return h.eng.Now() }
func (h *testHandle) Rand(name string) *rand.Rand                    { return h.eng.Rand(name) }
func (h *testHandle) Component() string                              { return api.DefaultSchedulerName }

// fastCluster builds a random cluster in a cache: nodes over zones (some
// without a zone, some tainted), pods of templates with pod (anti-)affinity,
// in two namespaces, some terminating, some with their own label maps. It
// returns the templates for incoming pods too.
type fastCluster struct {
	eng   *sim.Engine
	st    *store.Store
	cache *Cache
	pods  []*api.Pod
	tmpls []*api.Pod
}

func sel(kv ...string) *api.Selector {
	m := map[string]string{}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return api.SelectorFromMap(m)
}

func newFastCluster(t *testing.T, seed uint64) *fastCluster {
	t.Helper()
	r := rand.New(rand.NewPCG(seed, 7))
	eng := sim.NewEngine(seed, 0)
	st := store.New(eng, store.Options{})
	fc := &fastCluster{eng: eng, st: st, cache: NewCache()}
	for _, name := range []string{"web", "db"} {
		rs := &api.ReplicaSet{ObjectMeta: api.ObjectMeta{Name: name, Namespace: "default"}, Selector: sel("app", name)}
		if _, err := st.ReplicaSets.Create("test", rs, "Test"); err != nil {
			t.Fatal(err)
		}
	}
	const nodes = 40
	for i := range nodes {
		zone := fmt.Sprintf("z%d", i%3)
		if i%11 == 5 {
			zone = ""
		}
		n := makeNode(fmt.Sprintf("n%02d", i), zone, 8000, 32*gi)
		if i%9 == 0 {
			n.Taints = []api.Taint{{Key: "k", Value: "v", Effect: api.TaintNoSchedule}}
		}
		if i%4 == 0 {
			n.Labels["rack"] = fmt.Sprintf("r%d", i%5)
		}
		if i%16 == 8 { // in a rack, without a hostname label
			delete(n.Labels, api.LabelHostname)
		}
		fc.cache.AddNode(n)
	}
	specs := []func(*api.PodSpec){
		nil,
		func(s *api.PodSpec) {
			s.Affinity = &api.Affinity{PodAnti: &api.PodAffinity{Required: []api.PodAffinityTerm{{Selector: sel("app", "web"), TopologyKey: api.LabelHostname}}}}
		},
		func(s *api.PodSpec) {
			s.Affinity = &api.Affinity{PodAffinity: &api.PodAffinity{
				Required:  []api.PodAffinityTerm{{Selector: sel("app", "db"), TopologyKey: api.LabelZone}},
				Preferred: []api.WeightedPodAffinityTerm{{Weight: 7, Term: api.PodAffinityTerm{Selector: sel("tier", "a"), TopologyKey: "rack"}}}}}
		},
		func(s *api.PodSpec) {
			s.Affinity = &api.Affinity{PodAnti: &api.PodAffinity{Preferred: []api.WeightedPodAffinityTerm{{Weight: 30,
				Term: api.PodAffinityTerm{Selector: sel("app", "web"), TopologyKey: api.LabelZone}}}}}
		},
		func(s *api.PodSpec) {
			s.Affinity = &api.Affinity{PodAnti: &api.PodAffinity{Required: []api.PodAffinityTerm{{Selector: sel("tier", "b"),
				TopologyKey: api.LabelZone, Namespaces: []string{"default", "other"}}}}}
		},
	}
	labelSets := []map[string]string{{"app": "web", "tier": "a"}, {"app": "db", "tier": "b"}, {"app": "web"}, {"tier": "a"}, nil}
	type tmpl struct {
		labels map[string]string
		spec   *api.PodSpec
		ns     string
	}
	var tmpls []tmpl
	for i, ls := range labelSets {
		for j, edit := range specs {
			spec := &api.PodSpec{Containers: []api.Container{{Name: "c", Requests: api.Resources{MilliCPU: 100, Memory: gi / 8},
				HasCPURequest: true, HasMemoryRequest: true}}}
			if edit != nil {
				edit(spec)
			}
			spec.Compile()
			ns := "default"
			if (i+j)%4 == 3 {
				ns = "other"
			}
			tmpls = append(tmpls, tmpl{ls, spec, ns})
		}
	}
	for i := range 300 {
		tp := tmpls[r.IntN(len(tmpls))]
		labels := tp.labels
		if r.IntN(10) == 0 && labels != nil {
			labels = map[string]string{}
			for k, v := range tp.labels {
				labels[k] = v
			}
		}
		p := &api.Pod{ObjectMeta: api.ObjectMeta{Name: fmt.Sprintf("e%d", i), Namespace: tp.ns, UID: api.UID(fmt.Sprintf("e%d", i)),
			Labels: labels}, Spec: tp.spec, NodeName: fmt.Sprintf("n%02d", r.IntN(nodes))}
		if r.IntN(15) == 0 {
			now := sim.Time(0)
			p.DeletionTimestamp = &now
		}
		fc.cache.AddPod(p)
		fc.pods = append(fc.pods, p)
	}
	for _, tp := range tmpls {
		p := &api.Pod{ObjectMeta: api.ObjectMeta{Name: "in", Namespace: tp.ns, UID: "in", Labels: tp.labels}, Spec: tp.spec}
		fc.tmpls = append(fc.tmpls, p)
	}
	// Incoming pods with spread constraints, default spreading (owned by a
	// ReplicaSet) and a node selector.
	spread := &api.PodSpec{Containers: []api.Container{{Name: "c"}}, TopologySpreadConstraints: []api.TopologySpreadConstraint{
		{MaxSkew: 1, TopologyKey: api.LabelZone, WhenUnsatisfiable: "DoNotSchedule", Selector: sel("app", "web"), MinDomains: 1, NodeAffinityPolicy: "Honor", NodeTaintsPolicy: "Ignore"},
		{MaxSkew: 2, TopologyKey: api.LabelHostname, WhenUnsatisfiable: "ScheduleAnyway", Selector: sel("tier", "a"), MinDomains: 1, NodeAffinityPolicy: "Honor", NodeTaintsPolicy: "Ignore"},
		{MaxSkew: 1, TopologyKey: "rack", WhenUnsatisfiable: "ScheduleAnyway", Selector: sel("app", "web"), MinDomains: 1, NodeAffinityPolicy: "Ignore", NodeTaintsPolicy: "Ignore"},
	}, NodeSelector: map[string]string{}}
	spread.Compile()
	fc.tmpls = append(fc.tmpls, &api.Pod{ObjectMeta: api.ObjectMeta{Name: "in", Namespace: "default", UID: "in", Labels: map[string]string{"app": "web"}}, Spec: spread})
	for _, name := range []string{"web", "db"} {
		p := &api.Pod{ObjectMeta: api.ObjectMeta{Name: "in", Namespace: "default", UID: "in", Labels: map[string]string{"app": name},
			OwnerReferences: []api.OwnerReference{{Kind: api.KindReplicaSet, Name: name, Controller: true}}}, Spec: tmpls[0].spec}
		fc.tmpls = append(fc.tmpls, p)
	}
	sp := *spread
	sp.NodeSelector = map[string]string{"rack": "r0"}
	sp.Compile()
	fc.tmpls = append(fc.tmpls, &api.Pod{ObjectMeta: api.ObjectMeta{Name: "in", Namespace: "default", UID: "in", Labels: map[string]string{"app": "web"}}, Spec: &sp})
	honor := *spread
	honor.TopologySpreadConstraints = append([]api.TopologySpreadConstraint(nil), spread.TopologySpreadConstraints...)
	honor.TopologySpreadConstraints[0].NodeTaintsPolicy = "Honor"
	honor.Compile()
	// The same spread pod again (PreFilter's remembered domains), then with
	// the taints honoured.
	fc.tmpls = append(fc.tmpls, fc.tmpls[len(fc.tmpls)-4],
		&api.Pod{ObjectMeta: api.ObjectMeta{Name: "in", Namespace: "default", UID: "in", Labels: map[string]string{"tier": "a"}}, Spec: &honor})
	return fc
}

// pluginPair builds a plugin twice: over the cache and over plainLister.
func (fc *fastCluster) pluginPair(t *testing.T, name string) (fast, plain framework.Plugin) {
	t.Helper()
	f := plugins.NewInTreeRegistry()[name]
	var err error
	if fast, err = f(nil, &testHandle{eng: fc.eng, st: fc.st, lister: fc.cache}); err != nil {
		t.Fatal(err)
	}
	if plain, err = f(nil, &testHandle{eng: fc.eng, st: fc.st, lister: plainLister{fc.cache}}); err != nil {
		t.Fatal(err)
	}
	return fast, plain
}

type statusView struct {
	Code    framework.Code
	Reasons []string
}

func view(st *framework.Status) statusView { return statusView{st.Code(), st.Reasons()} }

// TestFastPathsAgree compares, for InterPodAffinity and PodTopologySpread
// and every incoming pod, PreFilter, Filter, FilterNodes, PreScore, Score,
// ScoreNodes and NormalizeScore over the cache's groups with the plain
// per-pod path, before and after pods and nodes go.
func TestFastPathsAgree(t *testing.T) {
	for seed := range uint64(4) {
		fc := newFastCluster(t, seed)
		for round := range 2 {
			for _, name := range []string{"InterPodAffinity", "PodTopologySpread"} {
				fast, plain := fc.pluginPair(t, name)
				for i, p := range fc.tmpls {
					where := fmt.Sprintf("seed %d round %d %s pod %d", seed, round, name, i)
					comparePlugins(t, where, fc.cache.List(), p, fast, plain)
				}
			}
			// Remove a third of the pods and a node holding pods, then compare again.
			for i, p := range fc.pods {
				if i%3 == round {
					fc.cache.RemovePod(p)
				}
			}
			fc.cache.RemoveNode("n03")
			checkGroups(t, fc.cache)
		}
	}
}

func comparePlugins(t *testing.T, where string, nodes []*framework.NodeInfo, p *api.Pod, fast, plain framework.Plugin) {
	t.Helper()
	sf, sp := framework.NewCycleState(), framework.NewCycleState()
	_, stf := fast.(framework.PreFilterPlugin).PreFilter(sf, p, nodes)
	_, stp := plain.(framework.PreFilterPlugin).PreFilter(sp, p, nodes)
	if !reflect.DeepEqual(view(stf), view(stp)) {
		t.Fatalf("%s: PreFilter %v, plain %v", where, view(stf), view(stp))
	}
	var feasible []*framework.NodeInfo
	if stf.IsSuccess() {
		batch := make([]*framework.Status, len(nodes))
		fast.(framework.BatchFilterPlugin).FilterNodes(sf, p, nodes, batch)
		for j, ni := range nodes {
			a := view(fast.(framework.FilterPlugin).Filter(sf, p, ni))
			b := view(plain.(framework.FilterPlugin).Filter(sp, p, ni))
			if !reflect.DeepEqual(a, b) || !reflect.DeepEqual(a, view(batch[j])) {
				t.Fatalf("%s node %s: Filter %v, plain %v, batch %v", where, ni.Name(), a, b, view(batch[j]))
			}
			if a.Code == framework.Success {
				feasible = append(feasible, ni)
			}
		}
	} else {
		feasible = nodes
	}
	if len(feasible) == 0 {
		return
	}
	stf = fast.(framework.PreScorePlugin).PreScore(sf, p, feasible)
	stp = plain.(framework.PreScorePlugin).PreScore(sp, p, feasible)
	if !reflect.DeepEqual(view(stf), view(stp)) {
		t.Fatalf("%s: PreScore %v, plain %v", where, view(stf), view(stp))
	}
	if !stf.IsSuccess() {
		return
	}
	scores := func(pl framework.Plugin, state *framework.CycleState) []framework.NodeScore {
		out := make([]framework.NodeScore, len(feasible))
		for j, ni := range feasible {
			sc, st := pl.(framework.ScorePlugin).Score(state, p, ni)
			if !st.IsSuccess() {
				t.Fatalf("%s: Score: %s", where, st.Message())
			}
			out[j] = framework.NodeScore{Name: ni.Name(), Score: sc}
		}
		return out
	}
	a, b := scores(fast, sf), scores(plain, sp)
	if !reflect.DeepEqual(a, b) {
		t.Fatalf("%s: Score %v, plain %v", where, a, b)
	}
	if bs, ok := fast.(framework.BatchScorePlugin); ok {
		c := make([]framework.NodeScore, len(feasible))
		for j, ni := range feasible {
			c[j].Name = ni.Name()
		}
		if st := bs.ScoreNodes(sf, p, feasible, c); !st.IsSuccess() || !reflect.DeepEqual(a, c) {
			t.Fatalf("%s: ScoreNodes %v (%v), Score %v", where, c, st, a)
		}
	}
	fast.(framework.ScorePlugin).ScoreExtensions().NormalizeScore(sf, p, a)
	plain.(framework.ScorePlugin).ScoreExtensions().NormalizeScore(sp, p, b)
	if !reflect.DeepEqual(a, b) {
		t.Fatalf("%s: NormalizeScore %v, plain %v", where, a, b)
	}
}

// checkGroups recomputes the cache's pod groups and affinity node lists
// from its NodeInfos and compares.
func checkGroups(t *testing.T, c *Cache) {
	t.Helper()
	type key struct {
		g  *framework.PodGroup
		ni *framework.NodeInfo
	}
	got := map[key]int32{}
	pods := 0
	for _, g := range c.PodGroups() {
		n := 0
		for _, gn := range g.Nodes {
			if gn.Count <= 0 {
				t.Fatalf("group %v: count %d", g.Labels, gn.Count)
			}
			if gn.ID != gn.Node.ID {
				t.Fatalf("group %v: entry id %d for NodeInfo %d", g.Labels, gn.ID, gn.Node.ID)
			}
			got[key{g, gn.Node}] += gn.Count
			n += int(gn.Count)
		}
		if n == 0 {
			t.Fatalf("empty group %v", g.Labels)
		}
		pods += n
	}
	want := map[key]int32{}
	withAff, withAnti := map[*framework.NodeInfo]bool{}, map[*framework.NodeInfo]bool{}
	for _, it := range c.nodes {
		ni := it.info
		for _, pi := range ni.Pods {
			ps := c.pods[pi.Pod.UID]
			if ps.grp.key != keyOf(pi.Pod) {
				t.Fatalf("pod %s in the wrong group", pi.Pod.Name)
			}
			want[key{ps.grp.g, ni}]++
		}
		withAff[ni] = len(ni.PodsWithAffinity) > 0
		withAnti[ni] = len(ni.PodsWithRequiredAntiAffinity) > 0
	}
	if !reflect.DeepEqual(got, want) || pods != len(c.pods) {
		t.Fatalf("groups disagree with the NodeInfos (%d pods grouped, %d cached)", pods, len(c.pods))
	}
	for _, l := range []struct {
		list []*framework.NodeInfo
		want map[*framework.NodeInfo]bool
	}{{c.HavePodsWithAffinityList(), withAff}, {c.HavePodsWithRequiredAntiAffinityList(), withAnti}} {
		n := 0
		for _, ni := range l.list {
			if !l.want[ni] {
				t.Fatalf("node %s listed wrongly", ni.Name())
			}
			n++
		}
		for _, in := range l.want {
			if in {
				n--
			}
		}
		if n != 0 {
			t.Fatalf("affinity node list misses nodes")
		}
	}
}

// TestBatchPluginsAgree checks FilterNodes and ScoreNodes of every default
// batch plugin against Filter and Score, for a few pods over a random cluster.
func TestBatchPluginsAgree(t *testing.T) {
	fc := newFastCluster(t, 9)
	nodes := fc.cache.List()
	for name, f := range plugins.NewInTreeRegistry() {
		pl, err := f(nil, &testHandle{eng: fc.eng, st: fc.st, lister: fc.cache})
		if err != nil {
			continue // needs args
		}
		bf, isBF := pl.(framework.BatchFilterPlugin)
		bs, isBS := pl.(framework.BatchScorePlugin)
		if !isBF && !isBS {
			continue
		}
		for i, p := range fc.tmpls {
			state := framework.NewCycleState()
			if pf, ok := pl.(framework.PreFilterPlugin); ok {
				if _, st := pf.PreFilter(state, p, nodes); !st.IsSuccess() {
					continue
				}
			}
			if isBF {
				batch := make([]*framework.Status, len(nodes))
				bf.FilterNodes(state, p, nodes, batch)
				for j, ni := range nodes {
					if a, b := view(bf.Filter(state, p, ni)), view(batch[j]); !reflect.DeepEqual(a, b) {
						t.Fatalf("%s pod %d node %s: Filter %v, FilterNodes %v", name, i, ni.Name(), a, b)
					}
				}
			}
			if isBS {
				if ps, ok := pl.(framework.PreScorePlugin); ok {
					if st := ps.PreScore(state, p, nodes); !st.IsSuccess() {
						continue
					}
				}
				batch := make([]framework.NodeScore, len(nodes))
				if st := bs.ScoreNodes(state, p, nodes, batch); !st.IsSuccess() {
					t.Fatalf("%s: ScoreNodes: %s", name, st.Message())
				}
				for j, ni := range nodes {
					if sc, _ := bs.Score(state, p, ni); sc != batch[j].Score {
						t.Fatalf("%s pod %d node %s: Score %d, ScoreNodes %d", name, i, ni.Name(), sc, batch[j].Score)
					}
				}
			}
		}
	}
}
