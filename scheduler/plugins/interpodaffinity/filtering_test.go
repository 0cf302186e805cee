package interpodaffinity

import (
	"testing"

	"github.com/kubesim/kubesim/scheduler/framework"
	"github.com/kubesim/kubesim/sim/api"
)

// Filter verdicts in the tables: pass, or which rule failed.
const (
	pass = ""
	aff  = "A" // pod affinity, UnschedulableAndUnresolvable
	anti = "N" // pod anti-affinity, Unschedulable
	ex   = "E" // existing pods' anti-affinity, Unschedulable
	skip = "S" // PreFilter returned Skip: every node passes
)

func verdict(st *framework.Status) string {
	switch {
	case st.IsSuccess():
		return pass
	case st.Code() == framework.UnschedulableAndUnresolvable && st.Message() == ErrReasonAffinityRulesNotMatch:
		return aff
	case st.Code() == framework.Unschedulable && st.Message() == ErrReasonAntiAffinityRulesNotMatch:
		return anti
	case st.Code() == framework.Unschedulable && st.Message() == ErrReasonExistingAntiAffinityRulesNotMatch:
		return ex
	}
	return st.Code().String() + ": " + st.Message()
}

// fourNodes: n1 and n2 in zone z1, n3 in z2, n4 without a zone label.
func fourNodes() []*api.Node {
	return []*api.Node{node("n1", "z1"), node("n2", "z1"), node("n3", "z2"), node("n4", "")}
}

// runFilter runs PreFilter then Filter on every node; the verdicts are in
// node order, or [skip] when PreFilter skipped.
func runFilter(t *testing.T, h framework.Handle, nodes []*framework.NodeInfo, p *api.Pod) []string {
	t.Helper()
	pl := newPlugin(t, nil, h)
	state := framework.NewCycleState()
	_, st := pl.PreFilter(state, p, nodes)
	if st.IsSkip() {
		return []string{skip}
	}
	if !st.IsSuccess() {
		t.Fatalf("PreFilter: %v", st.Message())
	}
	var out []string
	for _, ni := range nodes {
		out = append(out, verdict(pl.Filter(state, p, ni)))
	}
	return out
}

func TestFilter(t *testing.T) {
	namespaces := map[string]map[string]string{
		"team-a": {"team": "a"},
		"team-b": {"team": "b"},
	}
	zoneDB := term(zoneKey, "app", "db")
	tests := []struct {
		name     string
		existing []*api.Pod
		pod      *api.Pod
		want     []string // n1..n4
	}{
		{
			name: "plain pod, nothing to check: Skip",
			existing: []*api.Pod{
				mkPod("db", "app", "db").on("n1"),
			},
			pod:  mkPod("p").obj(),
			want: []string{skip},
		},
		{
			name:     "required affinity: the db pod's zone passes, other zone and no zone label fail",
			existing: []*api.Pod{mkPod("db", "app", "db").on("n1")},
			pod:      mkPod("p").reqAff(zoneDB).obj(),
			want:     []string{pass, pass, aff, aff},
		},
		{
			name:     "required affinity: a matching pod in another namespace does not count",
			existing: []*api.Pod{mkPod("db", "app", "db").in("team-a").on("n1")},
			pod:      mkPod("p").reqAff(zoneDB).obj(),
			want:     []string{aff, aff, aff, aff},
		},
		{
			name: "required affinity: listed namespaces replace the pod's own",
			existing: []*api.Pod{
				mkPod("db-a", "app", "db").in("team-a").on("n3"),
				mkPod("db-default", "app", "db").on("n1"),
			},
			pod:  mkPod("p").reqAff(withNamespaces(zoneDB, "team-a")).obj(),
			want: []string{aff, aff, pass, aff},
		},
		{
			name: "required affinity: namespace selector team=a selects team-a's pods only",
			existing: []*api.Pod{
				mkPod("db-b", "app", "db").in("team-b").on("n1"),
				mkPod("db-a", "app", "db").in("team-a").on("n3"),
			},
			pod:  mkPod("p").reqAff(withNamespaceSelector(zoneDB, map[string]string{"team": "a"})).obj(),
			want: []string{aff, aff, pass, aff},
		},
		{
			name: "required affinity: namespace selector plus a listed namespace is their union",
			existing: []*api.Pod{
				mkPod("db-b", "app", "db").in("team-b").on("n1"),
				mkPod("db-a", "app", "db").in("team-a").on("n3"),
			},
			pod:  mkPod("p").reqAff(withNamespaceSelector(withNamespaces(zoneDB, "team-b"), map[string]string{"team": "a"})).obj(),
			want: []string{pass, pass, pass, aff},
		},
		{
			name:     "required affinity: the empty namespace selector selects every namespace",
			existing: []*api.Pod{mkPod("db-b", "app", "db").in("team-b").on("n3")},
			pod:      mkPod("p").reqAff(withNamespaceSelector(zoneDB, nil)).obj(),
			want:     []string{aff, aff, pass, aff},
		},
		{
			name: "required affinity: one pod must match all terms",
			existing: []*api.Pod{
				mkPod("db", "app", "db").on("n1"),
				mkPod("cache", "tier", "cache").on("n3"),
				mkPod("both", "app", "db", "tier", "cache").on("n4"),
			},
			// Only n4 hosts a pod matching both terms.
			pod:  mkPod("p").reqAff(term(hostKey, "app", "db"), term(hostKey, "tier", "cache")).obj(),
			want: []string{aff, aff, aff, pass},
		},
		{
			name:     "first pod of a group: nothing matches anywhere and the pod matches its own term",
			existing: []*api.Pod{mkPod("other", "app", "db").on("n1")},
			pod:      mkPod("web-0", "app", "web").reqAff(term(zoneKey, "app", "web")).obj(),
			want:     []string{pass, pass, pass, aff}, // the node still needs the key
		},
		{
			name:     "first pod exception needs the pod to match its own terms",
			existing: nil,
			pod:      mkPod("p", "app", "api").reqAff(term(zoneKey, "app", "web")).obj(),
			want:     []string{aff, aff, aff, aff},
		},
		{
			name:     "first pod exception does not apply once some pod matches",
			existing: []*api.Pod{mkPod("web-1", "app", "web").on("n3")},
			pod:      mkPod("web-0", "app", "web").reqAff(term(zoneKey, "app", "web")).obj(),
			want:     []string{aff, aff, pass, aff},
		},
		{
			name:     "required anti-affinity by hostname",
			existing: []*api.Pod{mkPod("web-1", "app", "web").on("n1")},
			pod:      mkPod("web-0", "app", "web").reqAnti(term(hostKey, "app", "web")).obj(),
			want:     []string{anti, pass, pass, pass},
		},
		{
			name:     "required anti-affinity by zone: nodes without the key pass",
			existing: []*api.Pod{mkPod("web-1", "app", "web").on("n2")},
			pod:      mkPod("web-0", "app", "web").reqAnti(term(zoneKey, "app", "web")).obj(),
			want:     []string{anti, anti, pass, pass},
		},
		{
			name:     "required anti-affinity with a namespace selector",
			existing: []*api.Pod{mkPod("web-a", "app", "web").in("team-a").on("n3"), mkPod("web-b", "app", "web").in("team-b").on("n1")},
			pod:      mkPod("p").reqAnti(withNamespaceSelector(term(zoneKey, "app", "web"), map[string]string{"team": "a"})).obj(),
			want:     []string{pass, pass, anti, pass},
		},
		{
			name:     "affinity is checked before anti-affinity",
			existing: []*api.Pod{mkPod("db", "app", "db").on("n1"), mkPod("web", "app", "web").on("n3")},
			pod:      mkPod("p").reqAff(zoneDB).reqAnti(term(hostKey, "app", "web")).obj(),
			want:     []string{pass, pass, aff, aff},
		},
		{
			name: "existing pod's anti-affinity by zone rejects its whole zone",
			existing: []*api.Pod{
				mkPod("db", "app", "db").reqAnti(term(zoneKey, "app", "web")).on("n1"),
			},
			pod:  mkPod("web", "app", "web").obj(),
			want: []string{ex, ex, pass, pass},
		},
		{
			name: "existing pod's anti-affinity that the pod does not match: Skip",
			existing: []*api.Pod{
				mkPod("db", "app", "db").reqAnti(term(zoneKey, "app", "web")).on("n1"),
			},
			pod:  mkPod("api", "app", "api").obj(),
			want: []string{skip},
		},
		{
			name: "existing pod's anti-affinity applies only in its own namespace by default",
			existing: []*api.Pod{
				mkPod("db", "app", "db").in("team-a").reqAnti(term(zoneKey, "app", "web")).on("n1"),
			},
			pod:  mkPod("web", "app", "web").obj(),
			want: []string{skip},
		},
		{
			name: "existing pod's anti-affinity with a namespace selector matches the pod's namespace labels",
			existing: []*api.Pod{
				mkPod("db", "app", "db").reqAnti(withNamespaceSelector(term(hostKey, "app", "web"), map[string]string{"team": "a"})).on("n3"),
			},
			pod:  mkPod("web", "app", "web").in("team-a").obj(),
			want: []string{pass, pass, ex, pass},
		},
		{
			name: "existing pod's namespace selector does not select the pod's namespace",
			existing: []*api.Pod{
				mkPod("db", "app", "db").reqAnti(withNamespaceSelector(term(hostKey, "app", "web"), map[string]string{"team": "a"})).on("n3"),
			},
			pod:  mkPod("web", "app", "web").in("team-b").obj(),
			want: []string{skip},
		},
		{
			name: "both directions: the pod's anti-affinity is checked before the existing pods'",
			existing: []*api.Pod{
				mkPod("db", "app", "db").reqAnti(term(zoneKey, "app", "web")).on("n3"),
				mkPod("web-1", "app", "web").on("n1"),
			},
			pod:  mkPod("web-0", "app", "web").reqAnti(term(hostKey, "app", "web")).obj(),
			want: []string{anti, pass, ex, pass},
		},
		{
			name: "matchLabelKeys: only pods with the same version repel",
			existing: []*api.Pod{
				mkPod("web-v1", "app", "web", "version", "v1").on("n1"),
				mkPod("web-v2", "app", "web", "version", "v2").on("n3"),
			},
			pod: mkPod("web", "app", "web", "version", "v2").reqAnti(func() api.PodAffinityTerm {
				t := term(zoneKey, "app", "web")
				t.MatchLabelKeys = []string{"version"}
				return t
			}()).obj(),
			want: []string{pass, pass, anti, pass},
		},
		{
			name: "mismatchLabelKeys: only pods of another tenant attract",
			existing: []*api.Pod{
				mkPod("web-t1", "app", "web", "tenant", "t1").on("n1"),
				mkPod("web-t2", "app", "web", "tenant", "t2").on("n3"),
			},
			pod: mkPod("p", "tenant", "t1").reqAff(func() api.PodAffinityTerm {
				t := term(zoneKey, "app", "web")
				t.MismatchLabelKeys = []string{"tenant"}
				return t
			}()).obj(),
			want: []string{aff, aff, pass, aff},
		},
		{
			name: "matchLabelKeys of an existing pod's anti-affinity use the existing pod's labels",
			existing: []*api.Pod{
				mkPod("db", "app", "db", "tenant", "t1").reqAnti(func() api.PodAffinityTerm {
					t := term(hostKey, "app", "web")
					t.MatchLabelKeys = []string{"tenant"}
					return t
				}()).on("n1"),
			},
			pod:  mkPod("web", "app", "web", "tenant", "t2").obj(),
			want: []string{skip},
		},
		{
			name: "a nil label selector matches no pod",
			existing: []*api.Pod{
				mkPod("web", "app", "web").on("n1"),
			},
			pod:  mkPod("p").reqAnti(api.PodAffinityTerm{TopologyKey: zoneKey}).obj(),
			want: []string{pass, pass, pass, pass},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := cluster(t, fourNodes(), tt.existing, namespaces)
			got := runFilter(t, h, h.Nodes, tt.pod)
			if !equalStrings(got, tt.want) {
				t.Errorf("verdicts %q, want %q", got, tt.want)
			}
			// The same with a snapshot listing the nodes with affinity pods.
			got = runFilter(t, indexedHandle{h}, h.Nodes, tt.pod)
			if !equalStrings(got, tt.want) {
				t.Errorf("with AffinityNodeLister: verdicts %q, want %q", got, tt.want)
			}
		})
	}
}

func equalStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestAddRemovePod checks that PreFilterExtensions keep the three counts in
// step with pods added to and removed from nodes (nominated pods,
// preemption), and that a cloned state is independent.
func TestAddRemovePod(t *testing.T) {
	nodes := fourNodes()
	web1 := mkPod("web-1", "app", "web").on("n1")
	db := mkPod("db", "app", "db").on("n1")
	h := cluster(t, nodes, []*api.Pod{web1, db}, nil)
	// The pod wants a db pod in its zone and no web pod in its zone.
	p := mkPod("web-0", "app", "web").reqAff(term(zoneKey, "app", "db")).reqAnti(term(zoneKey, "app", "web")).obj()
	pl := newPlugin(t, nil, h)
	state := framework.NewCycleState()
	if _, st := pl.PreFilter(state, p, h.Nodes); !st.IsSuccess() {
		t.Fatal(st.Message())
	}
	check := func(state *framework.CycleState, want ...string) {
		t.Helper()
		var got []string
		for _, ni := range h.Nodes {
			got = append(got, verdict(pl.Filter(state, p, ni)))
		}
		if !equalStrings(got, want) {
			t.Errorf("verdicts %q, want %q", got, want)
		}
	}
	// z1 has the db pod but also web-1; z2 has no db pod.
	check(state, anti, anti, aff, aff)

	before := state.Clone()
	n1, n3 := h.Nodes[0], h.Nodes[2]
	if st := pl.RemovePod(state, p, web1, n1); !st.IsSuccess() {
		t.Fatal(st.Message())
	}
	check(state, pass, pass, aff, aff)
	db2 := mkPod("db-2", "app", "db").on("n3")
	if st := pl.AddPod(state, p, db2, n3); !st.IsSuccess() {
		t.Fatal(st.Message())
	}
	check(state, pass, pass, pass, aff)
	// A pod whose required anti-affinity (by hostname) matches the incoming pod.
	guard := mkPod("guard", "app", "guard").reqAnti(term(hostKey, "app", "web")).on("n3")
	if st := pl.AddPod(state, p, guard, n3); !st.IsSuccess() {
		t.Fatal(st.Message())
	}
	check(state, pass, pass, ex, aff)
	if st := pl.RemovePod(state, p, guard, n3); !st.IsSuccess() {
		t.Fatal(st.Message())
	}
	check(state, pass, pass, pass, aff)
	// Removing the last db pods empties the affinity counts; the pod does
	// not match its own affinity term, so no first-pod exception.
	for _, x := range []struct {
		p  *api.Pod
		ni *framework.NodeInfo
	}{{db, n1}, {db2, n3}} {
		if st := pl.RemovePod(state, p, x.p, x.ni); !st.IsSuccess() {
			t.Fatal(st.Message())
		}
	}
	check(state, aff, aff, aff, aff)

	// The clone taken before the updates still has the original counts.
	check(before, anti, anti, aff, aff)

	// Without PreFilter state, AddPod is an error.
	if st := pl.AddPod(framework.NewCycleState(), p, db2, n3); st.Code() != framework.Error {
		t.Errorf("AddPod without state: %v, want Error", st.Code())
	}
}

// TestNodeInfoAffinityLists checks that NodeInfo keeps PodsWithAffinity and
// PodsWithRequiredAntiAffinity through AddPod, RemovePod and Clone.
func TestNodeInfoAffinityLists(t *testing.T) {
	plain := mkPod("plain").on("n1")
	withPref := mkPod("pref").prefAff(5, term(zoneKey, "app", "db")).on("n1")
	withAnti := mkPod("anti").reqAnti(term(hostKey, "app", "db")).on("n1")
	ni := framework.NewNodeInfo(plain, withPref, withAnti)
	names := func(list []*framework.PodInfo) []string {
		var out []string
		for _, pi := range list {
			out = append(out, pi.Pod.Name)
		}
		return out
	}
	if got := names(ni.PodsWithAffinity); !equalStrings(got, []string{"pref", "anti"}) {
		t.Errorf("PodsWithAffinity = %q", got)
	}
	if got := names(ni.PodsWithRequiredAntiAffinity); !equalStrings(got, []string{"anti"}) {
		t.Errorf("PodsWithRequiredAntiAffinity = %q", got)
	}
	c := ni.Clone()
	if !ni.RemovePod(withPref) {
		t.Fatal("pref not found")
	}
	if got := names(ni.PodsWithAffinity); !equalStrings(got, []string{"anti"}) {
		t.Errorf("after RemovePod: PodsWithAffinity = %q", got)
	}
	ni.RemovePod(withAnti)
	if len(ni.PodsWithAffinity) != 0 || len(ni.PodsWithRequiredAntiAffinity) != 0 {
		t.Errorf("after removing both: %q, %q", names(ni.PodsWithAffinity), names(ni.PodsWithRequiredAntiAffinity))
	}
	if got := names(c.PodsWithAffinity); !equalStrings(got, []string{"pref", "anti"}) {
		t.Errorf("clone changed: PodsWithAffinity = %q", got)
	}
	if got := names(c.PodsWithRequiredAntiAffinity); !equalStrings(got, []string{"anti"}) {
		t.Errorf("clone changed: PodsWithRequiredAntiAffinity = %q", got)
	}
	// Compiled terms: default namespace is the pod's own.
	pi := c.PodsWithRequiredAntiAffinity[0]
	if got := pi.RequiredAntiAffinityTerms[0].Namespaces; !equalStrings(got, []string{"default"}) {
		t.Errorf("namespaces = %q, want [default]", got)
	}
}
