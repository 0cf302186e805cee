package podtopologyspread

import (
	"fmt"
	"testing"

	corev1 "k8s.io/api/core/v1"
	configv1 "k8s.io/kube-scheduler/config/v1"

	"github.com/kubesim/kubesim/scheduler/framework"
	tu "github.com/kubesim/kubesim/scheduler/plugins/internal/testutil"
	"github.com/kubesim/kubesim/sim/api"
)

// Short codes for expected Filter results.
const (
	S = framework.Success
	U = framework.Unschedulable
	X = framework.UnschedulableAndUnresolvable
)

// fourNodes is the basic fixture: zone a = {a1, a2}, zone b = {b1, b2};
// pods foo=bar on a1, a2 and b1. b2 holds only pods that must not count: a
// foo=baz pod, a foo=bar pod in another namespace, and a terminating
// foo=bar pod. Counts: zone a 2, zone b 1; hosts a1 1, a2 1, b1 1, b2 0.
func fourNodes() []*framework.NodeInfo {
	nodes := []*api.Node{
		mkNode("a1", zone, "a").Obj(), mkNode("a2", zone, "a").Obj(),
		mkNode("b1", zone, "b").Obj(), mkNode("b2", zone, "b").Obj(),
	}
	foo := labels("foo", "bar")
	pods := []*api.Pod{
		mkPod("p1", "a1", foo), mkPod("p2", "a2", foo), mkPod("p3", "b1", foo),
		mkPod("q1", "b2", labels("foo", "baz")),
		mkPod("r1", "b2", foo, inNamespace("other")),
		mkPod("t1", "b2", foo, terminating),
	}
	return cluster(nodes, pods)
}

// runFilter runs PreFilter over nodes and Filter on each; it returns the
// codes and fails on a wrong reason.
func runFilter(t *testing.T, pl *PodTopologySpread, p *api.Pod, nodes []*framework.NodeInfo) []framework.Code {
	t.Helper()
	state := framework.NewCycleState()
	if _, st := pl.PreFilter(state, p, nodes); !st.IsSuccess() {
		t.Fatalf("PreFilter: %v %v", st.Code(), st.Message())
	}
	return filterCodes(t, pl, state, p, nodes)
}

func filterCodes(t *testing.T, pl *PodTopologySpread, state *framework.CycleState, p *api.Pod, nodes []*framework.NodeInfo) []framework.Code {
	t.Helper()
	var out []framework.Code
	for _, ni := range nodes {
		st := pl.Filter(state, p, ni)
		switch st.Code() {
		case U:
			if st.Message() != ErrReasonConstraintsNotMatch {
				t.Errorf("%s: reason %q", ni.Name(), st.Message())
			}
		case X:
			if st.Message() != ErrReasonNodeLabelNotMatch {
				t.Errorf("%s: reason %q", ni.Name(), st.Message())
			}
		}
		out = append(out, st.Code())
	}
	return out
}

func TestFilter(t *testing.T) {
	foo := labels("foo", "bar")
	fooSel := sel("foo", "bar")
	dns := string(corev1.DoNotSchedule)
	tests := []struct {
		name string
		pod  *api.Pod
		want []framework.Code // a1 a2 b1 b2
	}{
		// min = 1 (zone b); zone a: 2+1-1 = 2 > 1; zone b: 1+1-1 = 1.
		{"zone maxSkew 1", mkPod("in", "", foo, withSpread(spread(1, zone, dns, fooSel))), []framework.Code{U, U, S, S}},
		// The pod does not match its own selector: zone a: 2+0-1 = 1.
		{"no self match", mkPod("in", "", labels("foo", "x"), withSpread(spread(1, zone, dns, fooSel))), []framework.Code{S, S, S, S}},
		// zone a: 2+1-1 = 2 ≤ 2.
		{"zone maxSkew 2", mkPod("in", "", foo, withSpread(spread(2, zone, dns, fooSel))), []framework.Code{S, S, S, S}},
		// min = 0 on b2 (its pods do not count): 1+1-0 = 2 > 1 on a1, a2, b1.
		{"hostname maxSkew 1", mkPod("in", "", foo, withSpread(spread(1, host, dns, fooSel))), []framework.Code{U, U, U, S}},
		// 2 domains < minDomains 3, so the global min is 0: a 2+1 = 3, b 1+1 = 2, both > 1.
		{"minDomains above domains", mkPod("in", "", foo, withSpread(spread(1, zone, dns, fooSel, minDomains(3)))), []framework.Code{U, U, U, U}},
		// 2 domains ≥ minDomains 2: min stays 1, as without minDomains.
		{"minDomains met", mkPod("in", "", foo, withSpread(spread(1, zone, dns, fooSel, minDomains(2)))), []framework.Code{U, U, S, S}},
		// Both constraints must hold: zone rejects a1, a2; hostname rejects b1.
		{"zone and hostname", mkPod("in", "", foo, withSpread(spread(1, zone, dns, fooSel), spread(1, host, dns, fooSel))), []framework.Code{U, U, U, S}},
		// A nil labelSelector matches nothing: every count and selfMatch is 0.
		{"no selector", mkPod("in", "", foo, withSpread(spread(1, host, dns, nil))), []framework.Code{S, S, S, S}},
		// ScheduleAnyway constraints do not filter.
		{"ScheduleAnyway only", mkPod("in", "", foo, withSpread(spread(1, host, string(corev1.ScheduleAnyway), fooSel))), []framework.Code{S, S, S, S}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			nodes := fourNodes()
			pl := newPlugin(t, nil, nil, nodes)
			state := framework.NewCycleState()
			_, st := pl.PreFilter(state, tc.pod, nodes)
			if st.IsSkip() {
				for _, c := range tc.want {
					if c != S {
						t.Fatalf("PreFilter skipped, want %v", tc.want)
					}
				}
				return
			}
			if got := filterCodes(t, pl, state, tc.pod, nodes); fmt.Sprint(got) != fmt.Sprint(tc.want) {
				t.Errorf("codes %v, want %v", got, tc.want)
			}
		})
	}
}

func TestFilterMissingLabel(t *testing.T) {
	nodes := fourNodes()
	nodes = append(nodes, cluster([]*api.Node{mkNode("x1").Obj()}, nil)...)
	p := mkPod("in", "", labels("foo", "bar"), withSpread(spread(1, zone, string(corev1.DoNotSchedule), sel("foo", "bar"))))
	// x1 has no zone: it neither counts nor passes.
	got := runFilter(t, newPlugin(t, nil, nil, nodes), p, nodes)
	if want := []framework.Code{U, U, S, S, X}; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("codes %v, want %v", got, want)
	}
}

// policyNodes: a1 (zone a) with 3 app=web pods, b1 (zone b) with 1, c1
// (zone c, tainted dedicated=x:NoSchedule) with none.
func policyNodes() []*framework.NodeInfo {
	web := labels("app", "web")
	return cluster([]*api.Node{
		mkNode("a1", zone, "a").Obj(),
		mkNode("b1", zone, "b").Obj(),
		mkNode("c1", zone, "c").Taint("dedicated", "x", api.TaintNoSchedule).Obj(),
	}, []*api.Pod{mkPod("w1", "a1", web), mkPod("w2", "a1", web), mkPod("w3", "a1", web), mkPod("w4", "b1", web)})
}

func TestFilterInclusionPolicies(t *testing.T) {
	web := labels("app", "web")
	webSel := sel("app", "web")
	dns := string(corev1.DoNotSchedule)
	abOnly := func(p *api.Pod) {
		p.Spec.Affinity = &api.Affinity{NodeRequired: &api.NodeSelector{Terms: []api.NodeSelectorTerm{tu.Term(tu.In(zone, "a", "b"))}}}
	}
	tolerates := func(p *api.Pod) {
		p.Spec.Tolerations = []api.Toleration{{Key: "dedicated", Operator: api.TolerationOpExists}}
	}
	tests := []struct {
		name string
		pod  *api.Pod
		want []framework.Code // a1 b1 c1
	}{
		// Honor: c1 fails the pod's affinity and is not counted; domains
		// {a: 3, b: 1}, min 1: a1 3+1-1 = 3 > 1, b1 1+1-1 = 1, c1 (no
		// domain, count 0) 0+1-1 = 0.
		{"affinity Honor", mkPod("in", "", web, abOnly, withSpread(spread(1, zone, dns, webSel))), []framework.Code{U, S, S}},
		// Ignore: domains {a: 3, b: 1, c: 0}, min 0: b1 1+1-0 = 2 > 1.
		{"affinity Ignore", mkPod("in", "", web, abOnly, withSpread(spread(1, zone, dns, webSel, affinityPolicy(policyIgnore)))), []framework.Code{U, U, S}},
		// Taints Ignore (default): c1 counts, min 0.
		{"taints Ignore", mkPod("in", "", web, withSpread(spread(1, zone, dns, webSel))), []framework.Code{U, U, S}},
		// Taints Honor: c1's untolerated taint excludes it, min 1.
		{"taints Honor", mkPod("in", "", web, withSpread(spread(1, zone, dns, webSel, taintsPolicy(policyHonor)))), []framework.Code{U, S, S}},
		// Taints Honor, tolerated: c1 counts again, min 0.
		{"taints Honor tolerated", mkPod("in", "", web, tolerates, withSpread(spread(1, zone, dns, webSel, taintsPolicy(policyHonor)))), []framework.Code{U, U, S}},
	}
	for _, tc := range tests {
		nodes := policyNodes()
		if got := runFilter(t, newPlugin(t, nil, nil, nodes), tc.pod, nodes); fmt.Sprint(got) != fmt.Sprint(tc.want) {
			t.Errorf("%s: codes %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestFilterMatchLabelKeys(t *testing.T) {
	// a1: two app=web,version=v1 pods; b1: one app=web,version=v2 pod.
	nodes := cluster([]*api.Node{mkNode("a1", zone, "a").Obj(), mkNode("b1", zone, "b").Obj()}, []*api.Pod{
		mkPod("v1a", "a1", labels("app", "web", "version", "v1")),
		mkPod("v1b", "a1", labels("app", "web", "version", "v1")),
		mkPod("v2a", "b1", labels("app", "web", "version", "v2")),
	})
	in := labels("app", "web", "version", "v2")
	dns := string(corev1.DoNotSchedule)
	tests := []struct {
		name string
		c    api.TopologySpreadConstraint
		want []framework.Code // a1 b1
	}{
		// Selector app=web: a 2, b 1, min 1: a1 2+1-1 = 2 > 1.
		{"without", spread(1, zone, dns, sel("app", "web")), []framework.Code{U, S}},
		// Merged app=web AND version In (v2): a 0, b 1, min 0: b1 1+1-0 = 2 > 1.
		{"version", spread(1, zone, dns, sel("app", "web"), matchLabelKeys("version")), []framework.Code{S, U}},
		// A key the pod lacks adds nothing.
		{"absent key", spread(1, zone, dns, sel("app", "web"), matchLabelKeys("track")), []framework.Code{U, S}},
	}
	for _, tc := range tests {
		p := mkPod("in", "", in, withSpread(tc.c))
		if got := runFilter(t, newPlugin(t, nil, nil, nodes), p, nodes); fmt.Sprint(got) != fmt.Sprint(tc.want) {
			t.Errorf("%s: codes %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestPreFilterSkip(t *testing.T) {
	nodes := fourNodes()
	h := tu.NewHandle()
	if _, err := h.St.Services.Create("test", &api.Service{ObjectMeta: api.ObjectMeta{Name: "svc", Namespace: "default"}, Selector: sel("foo", "bar")}, "test"); err != nil {
		t.Fatal(err)
	}
	pl := newPlugin(t, nil, h, nodes)
	// System defaults are ScheduleAnyway: nothing to filter, even for a
	// pod a Service selects.
	p := mkPod("in", "", labels("foo", "bar"))
	if _, st := pl.PreFilter(framework.NewCycleState(), p, nodes); !st.IsSkip() {
		t.Errorf("system defaults: PreFilter %v, want Skip", st.Code())
	}
}

func TestFilterListDefaults(t *testing.T) {
	// List defaults: zone DoNotSchedule maxSkew 1. The ReplicaSet web-abc
	// selects app=web; its pods: 2 on a1, 1 on b1.
	nodes := cluster([]*api.Node{mkNode("a1", zone, "a").Obj(), mkNode("b1", zone, "b").Obj()}, []*api.Pod{
		mkPod("w1", "a1", labels("app", "web")), mkPod("w2", "a1", labels("app", "web")), mkPod("w3", "b1", labels("app", "web")),
	})
	h := tu.NewHandle()
	rs := &api.ReplicaSet{ObjectMeta: api.ObjectMeta{Name: "web-abc", Namespace: "default"}, Selector: sel("app", "web")}
	if _, err := h.St.ReplicaSets.Create("test", rs, "test"); err != nil {
		t.Fatal(err)
	}
	args := &configv1.PodTopologySpreadArgs{DefaultingType: configv1.ListDefaulting, DefaultConstraints: []corev1.TopologySpreadConstraint{
		{MaxSkew: 1, TopologyKey: zone, WhenUnsatisfiable: corev1.DoNotSchedule},
	}}
	pl := newPlugin(t, args, h, nodes)
	// a 2, b 1, min 1: a1 2+1-1 = 2 > 1.
	owned := mkPod("in", "", labels("app", "web"), ownedBy(api.KindReplicaSet, "web-abc"))
	if got, want := runFilter(t, pl, owned, nodes), []framework.Code{U, S}; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("owned pod: codes %v, want %v", got, want)
	}
	// Nothing selects an unowned pod: no default constraint applies.
	if _, st := pl.PreFilter(framework.NewCycleState(), mkPod("lone", "", labels("app", "web")), nodes); !st.IsSkip() {
		t.Errorf("unowned pod: PreFilter %v, want Skip", st.Code())
	}
	// A pod with its own constraints ignores the defaults (hostname maxSkew
	// 5 never rejects here).
	own := mkPod("own", "", labels("app", "web"), ownedBy(api.KindReplicaSet, "web-abc"),
		withSpread(spread(5, host, string(corev1.DoNotSchedule), sel("app", "web"))))
	if got, want := runFilter(t, pl, own, nodes), []framework.Code{S, S}; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("own constraints: codes %v, want %v", got, want)
	}
}

func TestAddRemovePod(t *testing.T) {
	foo := labels("foo", "bar")
	dns := string(corev1.DoNotSchedule)
	hostPod := mkPod("in", "", foo, withSpread(spread(1, host, dns, sel("foo", "bar"))))
	zonePod := mkPod("in", "", foo, withSpread(spread(1, zone, dns, sel("foo", "bar"))))
	zoneMin3 := mkPod("in", "", foo, withSpread(spread(1, zone, dns, sel("foo", "bar"), minDomains(3))))
	nodes := fourNodes()
	a1, b1, b2 := nodes[0], nodes[2], nodes[3]
	z1 := tu.NodeInfo(mkNode("z1", zone, "z").Obj()) // not in the PreFilter list
	type op struct {
		add bool
		pod *api.Pod
		on  *framework.NodeInfo
	}
	tests := []struct {
		name string
		pod  *api.Pod
		ops  []op
		want []framework.Code // a1 a2 b1 b2
	}{
		// Hosts 1 1 1 0 → b2 becomes 1: min 1, everyone 1+1-1 = 1.
		{"add raises the min", hostPod, []op{{true, mkPod("n", "b2", foo), b2}}, []framework.Code{S, S, S, S}},
		// Hosts 1 1 1 0 → a1 0: a1 and b2 0+1-0 = 1, a2 and b1 2.
		{"remove", hostPod, []op{{false, nodes[0].Pods[0].Pod, a1}}, []framework.Code{S, U, U, S}},
		// Other namespace and non-matching pods change nothing.
		{"unrelated adds", hostPod, []op{{true, mkPod("n", "b2", foo, inNamespace("other")), b2}, {true, mkPod("n2", "b2", labels("foo", "x")), b2}}, []framework.Code{U, U, U, S}},
		// Zones a 2, b 1 → b 2: min 2, a 2+1-2 = 1.
		{"zone add", zonePod, []op{{true, mkPod("n", "b1", foo), b1}}, []framework.Code{S, S, S, S}},
		// Zones a 2, b 1 → a 1 → a 2 again: the min goes 1, 1, 1.
		{"remove then add", zonePod, []op{{false, nodes[0].Pods[0].Pod, a1}, {true, mkPod("n", "a1", foo), a1}}, []framework.Code{U, U, S, S}},
		// minDomains 3 with 2 domains: min 0, all rejected. Adding a pod in
		// new zone z makes 3 domains {a 2, b 1, z 1}: min 1, b 1+1-1 = 1.
		{"new domain meets minDomains", zoneMin3, []op{{true, mkPod("n", "z1", foo), z1}}, []framework.Code{U, U, S, S}},
	}
	for _, tc := range tests {
		pl := newPlugin(t, nil, nil, nodes)
		state := framework.NewCycleState()
		if _, st := pl.PreFilter(state, tc.pod, nodes); !st.IsSuccess() {
			t.Fatal(st.Message())
		}
		before := filterCodes(t, pl, state, tc.pod, nodes)
		clone := state.Clone()
		for _, o := range tc.ops {
			var st *framework.Status
			if o.add {
				st = pl.AddPod(clone, tc.pod, o.pod, o.on)
			} else {
				st = pl.RemovePod(clone, tc.pod, o.pod, o.on)
			}
			if !st.IsSuccess() {
				t.Fatalf("%s: %v", tc.name, st.Message())
			}
		}
		if got := filterCodes(t, pl, clone, tc.pod, nodes); fmt.Sprint(got) != fmt.Sprint(tc.want) {
			t.Errorf("%s: codes %v, want %v", tc.name, got, tc.want)
		}
		if after := filterCodes(t, pl, state, tc.pod, nodes); fmt.Sprint(after) != fmt.Sprint(before) {
			t.Errorf("%s: the original state changed: %v, was %v", tc.name, after, before)
		}
	}
}

// TestMinTracking checks the incrementally kept minimum against a rescan
// over a long sequence of ±1 updates.
func TestMinTracking(t *testing.T) {
	s := &preFilterState{
		cons:    []constraint{{minDomains: 1}},
		counts:  [][]int32{{3, unregistered, 1, 1, 4}},
		domains: []int32{4},
		min:     []int32{0},
		atMin:   []int32{0},
	}
	s.recomputeMin(0)
	if s.min[0] != 1 || s.atMin[0] != 2 {
		t.Fatalf("min %d×%d, want 1×2", s.min[0], s.atMin[0])
	}
	seq := []struct{ v, d int32 }{{2, 1}, {3, 1}, {3, 1}, {2, 1}, {1, 1}, {6, 1}, {0, -1}, {0, -1}, {0, -1}, {4, 1}, {6, -1}, {6, 1}, {6, 1}}
	for i, u := range seq {
		s.update(0, u.v, u.d)
		got, at := s.min[0], s.atMin[0]
		s.recomputeMin(0)
		if got != s.min[0] || at != s.atMin[0] {
			t.Fatalf("step %d: incremental min %d×%d, rescan %d×%d", i, got, at, s.min[0], s.atMin[0])
		}
	}
}
