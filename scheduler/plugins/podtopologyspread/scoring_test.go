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

// Weights used below: ln(size + 2).
//   ln 3 = 1.098612, ln 4 = 1.386294, ln 5 = 1.609438, ln 6 = 1.791759.

// threeNodes: n1, n2 in zone a, n3 in zone b; foo=bar pods 2 on n1, 1 on
// n2, 1 on n3 (zone a 3, zone b 1); plus a foo=bar pod in another namespace
// and a terminating one on n3, which never count.
func threeNodes() []*framework.NodeInfo {
	foo := labels("foo", "bar")
	return cluster([]*api.Node{
		mkNode("n1", zone, "a").Obj(), mkNode("n2", zone, "a").Obj(), mkNode("n3", zone, "b").Obj(),
	}, []*api.Pod{
		mkPod("p1", "n1", foo), mkPod("p2", "n1", foo), mkPod("p3", "n2", foo), mkPod("p4", "n3", foo),
		mkPod("o1", "n3", foo, inNamespace("other")), mkPod("t1", "n3", foo, terminating),
	})
}

func TestScore(t *testing.T) {
	foo := labels("foo", "bar")
	sa := string(corev1.ScheduleAnyway)
	noZone := tu.NodeInfo(mkNode("n4").Obj())
	tests := []struct {
		name     string
		pod      *api.Pod
		filtered []int // indexes into threeNodes + noZone (3)
		raw      []int64
		want     []int64
	}{
		{
			// Domains a, b: w = ln 4. raw = round(count·w + (1−1)):
			// n1, n2: round(3·1.386294) = round(4.158883) = 4; n3: round(1.386294) = 1.
			// max 4, min 1: n1, n2 100·(4+1−4)/4 = 25; n3 100·(4+1−1)/4 = 100.
			name: "zone", pod: mkPod("in", "", foo, withSpread(spread(1, zone, sa, sel("foo", "bar")))),
			filtered: []int{0, 1, 2}, raw: []int64{4, 4, 1}, want: []int64{25, 25, 100},
		},
		{
			// Three hosts: w = ln 5; counts 2, 1, 1 on the nodes themselves.
			// n1 round(2·1.609438 + 1) = round(4.218876) = 4; n2, n3 round(2.609438) = 3.
			// max 4, min 3: n1 100·(4+3−4)/4 = 75; n2, n3 100·(4+3−3)/4 = 100.
			name: "hostname maxSkew 2", pod: mkPod("in", "", foo, withSpread(spread(2, host, sa, sel("foo", "bar")))),
			filtered: []int{0, 1, 2}, raw: []int64{4, 3, 3}, want: []int64{75, 100, 100},
		},
		{
			// n4 has no zone: with the pod's own constraints it is ignored
			// (score 0) and adds no domain; the rest is the "zone" case.
			name: "ignored node", pod: mkPod("in", "", foo, withSpread(spread(1, zone, sa, sel("foo", "bar")))),
			filtered: []int{0, 1, 2, 3}, raw: []int64{4, 4, 1, 0}, want: []int64{25, 25, 100, 0},
		},
		{
			// Only zone a is among the filtered nodes: w = ln 3, count a = 3
			// over all nodes: round(3·1.098612) = round(3.295837) = 3 on both;
			// max = min = 3: 100·(3+3−3)/3 = 100.
			name: "domains from filtered nodes", pod: mkPod("in", "", foo, withSpread(spread(1, zone, sa, sel("foo", "bar")))),
			filtered: []int{0, 1}, raw: []int64{3, 3}, want: []int64{100, 100},
		},
		{
			// The selector matches nothing: every raw score is 0, max 0 → 100.
			name: "max zero", pod: mkPod("in", "", foo, withSpread(spread(1, zone, sa, sel("foo", "none")))),
			filtered: []int{0, 1, 2}, raw: []int64{0, 0, 0}, want: []int64{100, 100, 100},
		},
		{
			// Zone w = ln 4, maxSkew 1; hostname w = ln 5, maxSkew 3:
			// n1 round(3·1.386294 + 2·1.609438 + 2) = round(9.377759) = 9;
			// n2 round(4.158883 + 1.609438 + 2) = round(7.768321) = 8;
			// n3 round(1.386294 + 1.609438 + 2) = round(4.995732) = 5.
			// max 9, min 5: n1 100·5/9 = 55; n2 100·6/9 = 66; n3 100·9/9 = 100.
			name: "zone and hostname", pod: mkPod("in", "", foo, withSpread(spread(1, zone, sa, sel("foo", "bar")), spread(3, host, sa, sel("foo", "bar")))),
			filtered: []int{0, 1, 2}, raw: []int64{9, 8, 5}, want: []int64{55, 66, 100},
		},
	}
	for _, tc := range tests {
		all := append(threeNodes(), noZone)
		var filtered []*framework.NodeInfo
		for _, i := range tc.filtered {
			filtered = append(filtered, all[i])
		}
		pl := newPlugin(t, nil, nil, all)
		raw, got := scoreAll(t, pl, tc.pod, filtered)
		if fmt.Sprint(raw) != fmt.Sprint(tc.raw) || fmt.Sprint(got) != fmt.Sprint(tc.want) {
			t.Errorf("%s: raw %v normalized %v, want %v %v", tc.name, raw, got, tc.raw, tc.want)
		}
	}
}

func TestScoreInclusionPolicy(t *testing.T) {
	// n1 (zone a), n2 (zone a, tainted), n3 (zone b); matching pods: 2 on
	// n2, 1 on n3. n2 is not a scored node, but its pods count for zone a
	// unless nodeTaintsPolicy Honor excludes it.
	foo := labels("foo", "bar")
	nodes := cluster([]*api.Node{
		mkNode("n1", zone, "a").Obj(),
		mkNode("n2", zone, "a").Taint("dedicated", "x", api.TaintNoSchedule).Obj(),
		mkNode("n3", zone, "b").Obj(),
	}, []*api.Pod{mkPod("p1", "n2", foo), mkPod("p2", "n2", foo), mkPod("p3", "n3", foo)})
	filtered := []*framework.NodeInfo{nodes[0], nodes[2]}
	sa := string(corev1.ScheduleAnyway)
	tests := []struct {
		name      string
		c         api.TopologySpreadConstraint
		raw, want []int64
	}{
		// a 2, b 1, w = ln 4: n1 round(2.772589) = 3, n3 round(1.386294) = 1;
		// max 3, min 1: n1 100·(3+1−3)/3 = 33, n3 100·3/3 = 100.
		{"taints Ignore", spread(1, zone, sa, sel("foo", "bar")), []int64{3, 1}, []int64{33, 100}},
		// a 0, b 1: n1 0, n3 1; max 1, min 0: n1 100·1/1 = 100, n3 100·0/1 = 0.
		{"taints Honor", spread(1, zone, sa, sel("foo", "bar"), taintsPolicy(policyHonor)), []int64{0, 1}, []int64{100, 0}},
	}
	for _, tc := range tests {
		pl := newPlugin(t, nil, nil, nodes)
		raw, got := scoreAll(t, pl, mkPod("in", "", foo, withSpread(tc.c)), filtered)
		if fmt.Sprint(raw) != fmt.Sprint(tc.raw) || fmt.Sprint(got) != fmt.Sprint(tc.want) {
			t.Errorf("%s: raw %v normalized %v, want %v %v", tc.name, raw, got, tc.raw, tc.want)
		}
	}
}

func TestScoreSystemDefaultsService(t *testing.T) {
	// n1, n2 in zone a, n3 in zone b, n4 without a zone. app=web pods: 1
	// on n1, 2 on n2, 1 on n4, and one in another namespace on n3. The
	// Service web selects app=web in "default".
	web := labels("app", "web")
	nodes := cluster([]*api.Node{
		mkNode("n1", zone, "a").Obj(), mkNode("n2", zone, "a").Obj(), mkNode("n3", zone, "b").Obj(), mkNode("n4").Obj(),
	}, []*api.Pod{
		mkPod("w1", "n1", web), mkPod("w2", "n2", web), mkPod("w3", "n2", web), mkPod("w4", "n4", web),
		mkPod("o1", "n3", web, inNamespace("other")),
	})
	h := tu.NewHandle()
	if _, err := h.St.Services.Create("test", &api.Service{ObjectMeta: api.ObjectMeta{Name: "web", Namespace: "default"}, Selector: sel("app", "web")}, "test"); err != nil {
		t.Fatal(err)
	}
	pl := newPlugin(t, nil, h, nodes)
	// System defaults: nodes missing the zone are not ignored. Hostname
	// (maxSkew 3): 4 nodes, w = ln 6 = 1.791759. Zone (maxSkew 5): domains
	// a, b and "" (n4), w = ln 5 = 1.609438; counts a 3, b 0, "" 1.
	// n1: 1·1.791759 + 2 + 3·1.609438 + 4 = 12.620073 → 13
	// n2: 2·1.791759 + 2 + 3·1.609438 + 4 = 14.411833 → 14
	// n3: 0 + 2 + 0 + 4 = 6
	// n4: 1·1.791759 + 2 (no zone label: no zone term) = 3.791759 → 4
	// max 14, min 4: n1 100·5/14 = 35; n2 100·4/14 = 28; n3 100·12/14 = 85; n4 100·14/14 = 100.
	raw, got := scoreAll(t, pl, mkPod("in", "", web), nodes)
	if want := []int64{13, 14, 6, 4}; fmt.Sprint(raw) != fmt.Sprint(want) {
		t.Errorf("raw %v, want %v", raw, want)
	}
	if want := []int64{35, 28, 85, 100}; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("normalized %v, want %v", got, want)
	}
	// A pod nothing selects gets no default constraints.
	if raw, _ := scoreAll(t, pl, mkPod("lone", "", labels("app", "other")), nodes); raw != nil {
		t.Errorf("unselected pod scored %v, want Skip", raw)
	}
}

func TestScoreSystemDefaultsReplicaSet(t *testing.T) {
	// The ReplicaSet web-abc selects app=web,pod-template-hash=abc: the
	// old-hash pods on n2 do not count.
	cur := labels("app", "web", "pod-template-hash", "abc")
	old := labels("app", "web", "pod-template-hash", "old")
	nodes := cluster([]*api.Node{
		mkNode("n1", zone, "a").Obj(), mkNode("n2", zone, "a").Obj(), mkNode("n3", zone, "b").Obj(),
	}, []*api.Pod{mkPod("c1", "n1", cur), mkPod("o1", "n2", old), mkPod("o2", "n2", old)})
	h := tu.NewHandle()
	rs := &api.ReplicaSet{ObjectMeta: api.ObjectMeta{Name: "web-abc", Namespace: "default"}, Selector: sel("app", "web", "pod-template-hash", "abc")}
	if _, err := h.St.ReplicaSets.Create("test", rs, "test"); err != nil {
		t.Fatal(err)
	}
	ss := &api.StatefulSet{ObjectMeta: api.ObjectMeta{Name: "db", Namespace: "default"}, Selector: sel("app", "db")}
	if _, err := h.St.StatefulSets.Create("test", ss, "test"); err != nil {
		t.Fatal(err)
	}
	pl := newPlugin(t, nil, h, nodes)
	// Hostname w = ln 5 = 1.609438 (3 nodes); zone w = ln 4 = 1.386294 (a, b); zone a 1, b 0.
	// n1: 1.609438 + 2 + 1.386294 + 4 = 8.995732 → 9
	// n2: 0 + 2 + 1.386294 + 4 = 7.386294 → 7
	// n3: 2 + 4 = 6
	// max 9, min 6: n1 100·6/9 = 66; n2 100·8/9 = 88; n3 100·9/9 = 100.
	raw, got := scoreAll(t, pl, mkPod("in", "", cur, ownedBy(api.KindReplicaSet, "web-abc")), nodes)
	if want := []int64{9, 7, 6}; fmt.Sprint(raw) != fmt.Sprint(want) {
		t.Errorf("raw %v, want %v", raw, want)
	}
	if want := []int64{66, 88, 100}; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("normalized %v, want %v", got, want)
	}
	// A StatefulSet's selector is used the same way: no app=db pods, so
	// every raw score is (3−1) + (5−1) = 6 and every node gets 100·6/6 = 100.
	raw, got = scoreAll(t, pl, mkPod("db-0", "", labels("app", "db"), ownedBy(api.KindStatefulSet, "db")), nodes)
	if fmt.Sprint(raw) != "[6 6 6]" || fmt.Sprint(got) != "[100 100 100]" {
		t.Errorf("StatefulSet pod: raw %v normalized %v", raw, got)
	}
	// An owner that does not exist contributes nothing.
	if raw, _ := scoreAll(t, pl, mkPod("x", "", cur, ownedBy(api.KindReplicaSet, "gone")), nodes); raw != nil {
		t.Errorf("missing owner scored %v, want Skip", raw)
	}
}

func TestScoreListDefaultsRequireAllKeys(t *testing.T) {
	// With List defaults, nodes missing a key are ignored, unlike System.
	web := labels("app", "web")
	nodes := cluster([]*api.Node{mkNode("n1", zone, "a").Obj(), mkNode("n2").Obj()},
		[]*api.Pod{mkPod("w1", "n1", web)})
	h := tu.NewHandle()
	if _, err := h.St.Services.Create("test", &api.Service{ObjectMeta: api.ObjectMeta{Name: "web", Namespace: "default"}, Selector: sel("app", "web")}, "test"); err != nil {
		t.Fatal(err)
	}
	args := &configv1.PodTopologySpreadArgs{DefaultingType: configv1.ListDefaulting, DefaultConstraints: []corev1.TopologySpreadConstraint{
		{MaxSkew: 1, TopologyKey: zone, WhenUnsatisfiable: corev1.ScheduleAnyway},
	}}
	pl := newPlugin(t, args, h, nodes)
	// Zone a only: w = ln 3; n1 round(1·1.098612) = 1; max = min = 1 → 100. n2 ignored → 0.
	raw, got := scoreAll(t, pl, mkPod("in", "", web), nodes)
	if fmt.Sprint(raw) != "[1 0]" || fmt.Sprint(got) != "[100 0]" {
		t.Errorf("raw %v normalized %v, want [1 0] [100 0]", raw, got)
	}
}
