package scheduler

import (
	"strings"
	"testing"

	"github.com/kubesim/kubesim/sim/api"
)

func names(c *Cache) string {
	var out []string
	for _, ni := range c.List() {
		out = append(out, ni.Name())
	}
	return strings.Join(out, ",")
}

func TestNodeOrderInterleavesZones(t *testing.T) {
	c := NewCache()
	for _, n := range []struct{ name, zone string }{
		{"a1", "A"}, {"a2", "A"}, {"b1", "B"}, {"c1", "C"}, {"b2", "B"}, {"a3", "A"},
	} {
		c.AddNode(makeNode(n.name, n.zone, 1000, gi))
	}
	if got, want := names(c), "a1,b1,c1,a2,b2,a3"; got != want {
		t.Fatalf("order %s, want %s", got, want)
	}
	c.RemoveNode("b1")
	if got, want := names(c), "a1,b2,c1,a2,a3"; got != want {
		t.Fatalf("after removing b1: %s, want %s", got, want)
	}
	// A zone emptied and seen again goes to the end of the zone order.
	c.RemoveNode("c1")
	c.AddNode(makeNode("c2", "C", 1000, gi))
	if got, want := names(c), "a1,b2,c2,a2,a3"; got != want {
		t.Fatalf("after re-adding zone C: %s, want %s", got, want)
	}
	// Region is part of the zone key; nodes without labels share the "" zone.
	r := makeNode("r1", "A", 1000, gi)
	r.Labels[api.LabelRegion] = "west"
	c.AddNode(r)
	c.AddNode(makeNode("x1", "", 1000, gi))
	if got, want := names(c), "a1,b2,c2,r1,x1,a2,a3"; got != want {
		t.Fatalf("with region and unlabelled: %s, want %s", got, want)
	}
}

func TestCacheIncremental(t *testing.T) {
	c := NewCache()
	c.AddNode(makeNode("n1", "", 4000, 8*gi))
	c.AddNode(makeNode("n2", "", 4000, 8*gi))
	c.List()
	rebuilds := c.rebuilds

	p := makePod("p", 1000, gi)
	p.NodeName = "n1"
	c.AddPod(p)
	ni, _ := c.Get("n1")
	if ni.Requested.MilliCPU != 1000 || len(ni.Pods) != 1 {
		t.Fatalf("after add: %+v", ni.Requested)
	}
	// Assume a second pod, then observe its bind: counted once.
	q := makePod("q", 500, gi)
	aq := q.Clone()
	aq.NodeName = "n1"
	c.AssumePod(aq)
	if !c.IsAssumed(q.UID) || ni.Requested.MilliCPU != 1500 {
		t.Fatalf("assumed: %v %d", c.IsAssumed(q.UID), ni.Requested.MilliCPU)
	}
	bound := q.Clone()
	bound.NodeName = "n1"
	c.AddPod(bound)
	if c.IsAssumed(q.UID) || ni.Requested.MilliCPU != 1500 || len(ni.Pods) != 2 {
		t.Fatalf("confirmed: %v %d %d", c.IsAssumed(q.UID), ni.Requested.MilliCPU, len(ni.Pods))
	}
	// Forget after confirmation is a no-op.
	c.ForgetPod(bound)
	if ni.Requested.MilliCPU != 1500 {
		t.Fatal("forget removed a bound pod")
	}
	// An assumption that fails is forgotten.
	r := makePod("r", 700, gi)
	r.NodeName = "n2"
	c.AssumePod(r)
	c.ForgetPod(r)
	if n2, _ := c.Get("n2"); n2.Requested.MilliCPU != 0 || len(n2.Pods) != 0 {
		t.Fatal("forgotten pod still counted")
	}
	// Terminating pods count; terminal ones do not.
	term := p.Clone()
	ts := api.ObjectMeta{}.CreationTimestamp
	term.DeletionTimestamp = &ts
	c.UpdatePod(term)
	if ni.Requested.MilliCPU != 1500 {
		t.Fatal("terminating pod not counted")
	}
	done := term.Clone()
	done.Status.Phase = api.PodSucceeded
	c.UpdatePod(done)
	if ni.Requested.MilliCPU != 500 || len(ni.Pods) != 1 {
		t.Fatalf("terminal pod still counted: %d", ni.Requested.MilliCPU)
	}
	// Pod changes do not rebuild the node list.
	c.List()
	if c.rebuilds != rebuilds {
		t.Fatalf("node list rebuilt %d times for pod changes", c.rebuilds-rebuilds)
	}
	// A removed node with pods keeps them on a node-less info, not listed.
	c.RemoveNode("n1")
	if _, ok := c.Get("n1"); ok || c.NodeInfo("n1") == nil || names(c) != "n2" {
		t.Fatal("removed node still listed or its pods lost")
	}
	c.RemovePod(bound)
	if c.NodeInfo("n1") != nil {
		t.Fatal("empty node-less info kept")
	}
}

func TestNumFeasibleNodesToFind(t *testing.T) {
	for _, tc := range []struct {
		pct, n, want int32
	}{
		{0, 50, 50},     // fewer than 100 nodes: all
		{0, 100, 100},   // 50% of 100 = 50 < 100 → 100
		{0, 1000, 420},  // 50 − 8 = 42%
		{0, 5000, 500},  // 50 − 40 = 10%
		{0, 6000, 300},  // 50 − 48 = 2% → 5%
		{30, 1000, 300}, // explicit percentage
		{100, 5000, 5000},
		{1, 5000, 100}, // 50 < 100 → 100
	} {
		if got := NumFeasibleNodesToFind(tc.pct, tc.n); got != tc.want {
			t.Errorf("NumFeasibleNodesToFind(%d, %d) = %d, want %d", tc.pct, tc.n, got, tc.want)
		}
	}
}

// TestPodGroupsShareAffinityFreeSpecs checks the grouping key: pods without
// pod (anti-)affinity share a group whatever their specs, while a pod with
// some is grouped by its spec (its compiled terms).
func TestPodGroupsShareAffinityFreeSpecs(t *testing.T) {
	c := NewCache()
	c.AddNode(makeNode("n1", "A", 64000, 64*gi))
	c.AddNode(makeNode("n2", "B", 64000, 64*gi))
	add := func(name, node string, anti bool) {
		p := makePod(name, 100, gi)
		p.NodeName = node
		if anti {
			p.Spec.Affinity = &api.Affinity{PodAnti: &api.PodAffinity{Required: []api.PodAffinityTerm{{TopologyKey: api.LabelHostname}}}}
		}
		c.AddPod(p)
	}
	add("bare-1", "n1", false)
	add("bare-2", "n2", false)
	add("bare-3", "n1", false)
	add("anti-1", "n1", true)
	add("anti-2", "n2", true)
	groups := c.PodGroups()
	if len(groups) != 3 {
		t.Fatalf("%d groups, want 3 (one for the bare pods, one per anti-affinity spec)", len(groups))
	}
	bare := groups[0]
	if bare.Info.Pod.Name != "bare-1" {
		t.Fatalf("first group made by %s, want bare-1", bare.Info.Pod.Name)
	}
	counts := map[string]int32{}
	for _, gn := range bare.Nodes {
		counts[gn.Node.Name()] = gn.Count
	}
	if counts["n1"] != 2 || counts["n2"] != 1 {
		t.Fatalf("bare group counts %v, want n1:2 n2:1", counts)
	}
	for _, g := range groups[1:] {
		if len(g.Nodes) != 1 || g.Nodes[0].Count != 1 || len(g.Info.RequiredAntiAffinityTerms) != 1 {
			t.Fatalf("anti-affinity group of %s: %+v", g.Info.Pod.Name, g.Nodes)
		}
	}
	c.RemovePod(&api.Pod{ObjectMeta: api.ObjectMeta{Name: "bare-1", Namespace: "default", UID: "uid-bare-1"}, NodeName: "n1"})
	if got := len(c.PodGroups()); got != 3 {
		t.Fatalf("after removing bare-1: %d groups, want 3 (bare-2 and bare-3 remain)", got)
	}
}
