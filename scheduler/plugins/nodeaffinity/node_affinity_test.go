package nodeaffinity

import (
	"maps"
	"slices"
	"testing"

	v1 "k8s.io/api/core/v1"
	configv1 "k8s.io/kube-scheduler/config/v1"

	"github.com/kubesim/kubesim/scheduler/framework"
	tu "github.com/kubesim/kubesim/scheduler/plugins/internal/testutil"
	"github.com/kubesim/kubesim/sim/api"
)

func newPlugin(t *testing.T, args any) *NodeAffinity {
	t.Helper()
	pl, err := New(args, nil)
	if err != nil {
		t.Fatal(err)
	}
	return pl.(*NodeAffinity)
}

func TestFilter(t *testing.T) {
	node := tu.MakeNode().Name("n1").Label("zone", "a").Label("gen", "5").Obj()
	added := &configv1.NodeAffinityArgs{AddedAffinity: &v1.NodeAffinity{
		RequiredDuringSchedulingIgnoredDuringExecution: &v1.NodeSelector{NodeSelectorTerms: []v1.NodeSelectorTerm{{
			MatchExpressions: []v1.NodeSelectorRequirement{{Key: "zone", Operator: v1.NodeSelectorOpIn, Values: []string{"b"}}},
		}}},
	}}
	tests := []struct {
		name string
		args any
		pod  *api.Pod
		want string // "" = success
	}{
		{"nothing required", nil, tu.MakePod().Name("p").Obj(), ""},
		{"nodeSelector matches", nil, tu.MakePod().Name("p").NodeSelector(map[string]string{"zone": "a"}).Obj(), ""},
		{"nodeSelector value differs", nil, tu.MakePod().Name("p").NodeSelector(map[string]string{"zone": "b"}).Obj(), ErrReasonPod},
		{"nodeSelector empty value needs the label", nil, tu.MakePod().Name("p").NodeSelector(map[string]string{"disk": ""}).Obj(), ErrReasonPod},
		{"required In matches", nil, tu.MakePod().Name("p").Required(tu.Term(tu.In("zone", "a", "c"))).Obj(), ""},
		{"required terms are ORed", nil, tu.MakePod().Name("p").Required(tu.Term(tu.In("zone", "x")), tu.Term(tu.In("gen", "5"))).Obj(), ""},
		{"required expressions are ANDed", nil, tu.MakePod().Name("p").Required(tu.Term(tu.In("zone", "a"), tu.In("gen", "4"))).Obj(), ErrReasonPod},
		{"Gt compares integers", nil, tu.MakePod().Name("p").Required(tu.Term(api.Requirement{Key: "gen", Operator: api.OpGt, Values: []string{"4"}})).Obj(), ""},
		{"NotIn with absent key matches", nil, tu.MakePod().Name("p").Required(tu.Term(api.Requirement{Key: "gpu", Operator: api.OpNotIn, Values: []string{"x"}})).Obj(), ""},
		{"required with no terms matches nothing", nil, tu.MakePod().Name("p").Required().Obj(), ErrReasonPod},
		{"empty term matches nothing", nil, tu.MakePod().Name("p").Required(api.NodeSelectorTerm{}).Obj(), ErrReasonPod},
		{"matchFields name", nil, tu.MakePod().Name("p").Required(tu.NameTerm("n1")).Obj(), ""},
		{"matchFields other name", nil, tu.MakePod().Name("p").Required(tu.NameTerm("n2")).Obj(), ErrReasonPod},
		{"nodeSelector and affinity both needed", nil, tu.MakePod().Name("p").NodeSelector(map[string]string{"zone": "a"}).
			Required(tu.Term(tu.In("gen", "9"))).Obj(), ErrReasonPod},
		{"addedAffinity enforced first", added, tu.MakePod().Name("p").Obj(), ErrReasonEnforced},
	}
	for _, tc := range tests {
		pl := newPlugin(t, tc.args)
		st := pl.Filter(framework.NewCycleState(), tc.pod, tu.NodeInfo(node))
		if tc.want == "" {
			if !st.IsSuccess() {
				t.Errorf("%s: %v", tc.name, st.Message())
			}
			continue
		}
		if st.Code() != framework.UnschedulableAndUnresolvable || st.Message() != tc.want {
			t.Errorf("%s: got %v %q, want UnschedulableAndUnresolvable %q", tc.name, st.Code(), st.Message(), tc.want)
		}
	}
}

func TestPreFilter(t *testing.T) {
	two := api.NodeSelectorTerm{MatchFields: []api.Requirement{
		{Key: "metadata.name", Operator: api.OpIn, Values: []string{"a", "b"}},
		{Key: "metadata.name", Operator: api.OpIn, Values: []string{"b", "c"}},
	}}
	conflict := api.NodeSelectorTerm{MatchFields: []api.Requirement{
		{Key: "metadata.name", Operator: api.OpIn, Values: []string{"a"}},
		{Key: "metadata.name", Operator: api.OpIn, Values: []string{"b"}},
	}}
	tests := []struct {
		name      string
		pod       *api.Pod
		wantCode  framework.Code
		wantNames []string // nil = all nodes
	}{
		{"nothing to do", tu.MakePod().Name("p").Obj(), framework.Skip, nil},
		{"nodeSelector only", tu.MakePod().Name("p").NodeSelector(map[string]string{"zone": "a"}).Obj(), framework.Success, nil},
		{"label terms only", tu.MakePod().Name("p").Required(tu.Term(tu.In("zone", "a"))).Obj(), framework.Success, nil},
		{"one name", tu.MakePod().Name("p").Required(tu.NameTerm("n1")).Obj(), framework.Success, []string{"n1"}},
		{"intersection within a term", tu.MakePod().Name("p").Required(two).Obj(), framework.Success, []string{"b"}},
		{"union across terms", tu.MakePod().Name("p").Required(tu.NameTerm("x"), tu.NameTerm("a", "y")).Obj(), framework.Success, []string{"a", "x", "y"}},
		{"a term without names allows all", tu.MakePod().Name("p").Required(tu.NameTerm("x"), tu.Term(tu.In("zone", "a"))).Obj(), framework.Success, nil},
		{"conflicting names", tu.MakePod().Name("p").Required(conflict).Obj(), framework.UnschedulableAndUnresolvable, nil},
	}
	pl := newPlugin(t, nil)
	for _, tc := range tests {
		res, st := pl.PreFilter(framework.NewCycleState(), tc.pod, nil)
		if st.Code() != tc.wantCode {
			t.Errorf("%s: code %v, want %v", tc.name, st.Code(), tc.wantCode)
			continue
		}
		if tc.wantCode == framework.UnschedulableAndUnresolvable && st.Message() != ErrReasonConflict {
			t.Errorf("%s: message %q", tc.name, st.Message())
		}
		var got []string
		if !res.AllNodes() {
			got = slices.Sorted(maps.Keys(res.NodeNames))
		}
		if !slices.Equal(got, tc.wantNames) {
			t.Errorf("%s: names %v, want %v", tc.name, got, tc.wantNames)
		}
	}
}

func TestScore(t *testing.T) {
	nodes := []*api.Node{
		tu.MakeNode().Name("n1").Label("zone", "a").Label("disk", "ssd").Obj(),
		tu.MakeNode().Name("n2").Label("zone", "a").Obj(),
		tu.MakeNode().Name("n3").Label("disk", "ssd").Label("gpu", "t4").Obj(),
		tu.MakeNode().Name("n4").Obj(),
	}
	pod := tu.MakePod().Name("p").
		Preferred(2, tu.Term(tu.In("zone", "a"))).
		Preferred(5, tu.Term(tu.In("disk", "ssd"))).
		Preferred(0, tu.Term(api.Requirement{Key: "zone", Operator: api.OpExists})).
		Preferred(9, api.NodeSelectorTerm{}).Obj()
	added := &configv1.NodeAffinityArgs{AddedAffinity: &v1.NodeAffinity{
		PreferredDuringSchedulingIgnoredDuringExecution: []v1.PreferredSchedulingTerm{
			{Weight: 3, Preference: v1.NodeSelectorTerm{MatchExpressions: []v1.NodeSelectorRequirement{{Key: "gpu", Operator: v1.NodeSelectorOpExists}}}},
			{Weight: 0, Preference: v1.NodeSelectorTerm{MatchExpressions: []v1.NodeSelectorRequirement{{Key: "zone", Operator: v1.NodeSelectorOpExists}}}},
		},
	}}
	tests := []struct {
		name    string
		args    any
		pod     *api.Pod
		skip    bool
		wantRaw []int64
		want    []int64
	}{
		// Raw: n1 2+5 = 7, n2 2, n3 5, n4 0 (weight-0 and empty terms count
		// nothing). Normalised by max 7: 100, 100·2/7 = 28, 100·5/7 = 71, 0.
		{"pod terms", nil, pod, false, []int64{7, 2, 5, 0}, []int64{100, 28, 71, 0}},
		// addedAffinity adds 3 on n3 (gpu): raw 7, 2, 8, 0; max 8:
		// 100·7/8 = 87, 100·2/8 = 25, 100, 0.
		{"pod and added terms", added, pod, false, []int64{7, 2, 8, 0}, []int64{87, 25, 100, 0}},
		// Only the added term: raw 0, 0, 3, 0 → 0, 0, 100, 0.
		{"added terms only", added, tu.MakePod().Name("q").Obj(), false, []int64{0, 0, 3, 0}, []int64{0, 0, 100, 0}},
		{"no preferred terms skips", nil, tu.MakePod().Name("q").Obj(), true, nil, nil},
	}
	for _, tc := range tests {
		pl := newPlugin(t, tc.args)
		state := framework.NewCycleState()
		st := pl.PreScore(state, tc.pod, nil)
		if st.IsSkip() != tc.skip {
			t.Errorf("%s: PreScore %v, want skip=%v", tc.name, st.Code(), tc.skip)
		}
		if tc.skip {
			continue
		}
		var raw []int64
		var scores []framework.NodeScore
		for _, n := range nodes {
			s, st := pl.Score(state, tc.pod, tu.NodeInfo(n))
			if !st.IsSuccess() {
				t.Fatalf("%s: %v", tc.name, st)
			}
			raw = append(raw, s)
			scores = append(scores, framework.NodeScore{Name: n.Name, Score: s})
		}
		pl.ScoreExtensions().NormalizeScore(state, tc.pod, scores)
		var got []int64
		for _, s := range scores {
			got = append(got, s.Score)
		}
		if !slices.Equal(raw, tc.wantRaw) || !slices.Equal(got, tc.want) {
			t.Errorf("%s: raw %v normalized %v, want %v %v", tc.name, raw, got, tc.wantRaw, tc.want)
		}
	}
}

func TestNewValidatesArgs(t *testing.T) {
	term := func(reqs ...v1.NodeSelectorRequirement) *configv1.NodeAffinityArgs {
		return &configv1.NodeAffinityArgs{AddedAffinity: &v1.NodeAffinity{
			RequiredDuringSchedulingIgnoredDuringExecution: &v1.NodeSelector{NodeSelectorTerms: []v1.NodeSelectorTerm{{MatchExpressions: reqs}}},
		}}
	}
	fields := func(reqs ...v1.NodeSelectorRequirement) *configv1.NodeAffinityArgs {
		return &configv1.NodeAffinityArgs{AddedAffinity: &v1.NodeAffinity{
			RequiredDuringSchedulingIgnoredDuringExecution: &v1.NodeSelector{NodeSelectorTerms: []v1.NodeSelectorTerm{{MatchFields: reqs}}},
		}}
	}
	tests := []struct {
		name string
		args any
		ok   bool
	}{
		{"nil", nil, true},
		{"typed nil", (*configv1.NodeAffinityArgs)(nil), true},
		{"empty args", &configv1.NodeAffinityArgs{}, true},
		{"valid", term(v1.NodeSelectorRequirement{Key: "zone", Operator: v1.NodeSelectorOpIn, Values: []string{"a"}}), true},
		{"wrong type", &configv1.NodeResourcesFitArgs{}, false},
		{"bad operator", term(v1.NodeSelectorRequirement{Key: "zone", Operator: "Near", Values: []string{"a"}}), false},
		{"In without values", term(v1.NodeSelectorRequirement{Key: "zone", Operator: v1.NodeSelectorOpIn}), false},
		{"Exists with values", term(v1.NodeSelectorRequirement{Key: "zone", Operator: v1.NodeSelectorOpExists, Values: []string{"a"}}), false},
		{"Gt not an integer", term(v1.NodeSelectorRequirement{Key: "gen", Operator: v1.NodeSelectorOpGt, Values: []string{"five"}}), false},
		{"bad key", term(v1.NodeSelectorRequirement{Key: "-bad-", Operator: v1.NodeSelectorOpExists}), false},
		{"field with two values", fields(v1.NodeSelectorRequirement{Key: "metadata.name", Operator: v1.NodeSelectorOpIn, Values: []string{"a", "b"}}), false},
		{"field Exists", fields(v1.NodeSelectorRequirement{Key: "metadata.name", Operator: v1.NodeSelectorOpExists, Values: []string{"a"}}), false},
		{"unknown field", fields(v1.NodeSelectorRequirement{Key: "spec.podCIDR", Operator: v1.NodeSelectorOpIn, Values: []string{"a"}}), false},
		{"field NotIn", fields(v1.NodeSelectorRequirement{Key: "metadata.name", Operator: v1.NodeSelectorOpNotIn, Values: []string{"a"}}), true},
	}
	for _, tc := range tests {
		_, err := New(tc.args, nil)
		if (err == nil) != tc.ok {
			t.Errorf("%s: err = %v, want ok=%v", tc.name, err, tc.ok)
		}
	}
}

func TestAddedFieldNotIn(t *testing.T) {
	pl := newPlugin(t, &configv1.NodeAffinityArgs{AddedAffinity: &v1.NodeAffinity{
		RequiredDuringSchedulingIgnoredDuringExecution: &v1.NodeSelector{NodeSelectorTerms: []v1.NodeSelectorTerm{{
			MatchFields: []v1.NodeSelectorRequirement{{Key: "metadata.name", Operator: v1.NodeSelectorOpNotIn, Values: []string{"n1"}}},
		}}},
	}})
	pod := tu.MakePod().Name("p").Obj()
	if st := pl.Filter(framework.NewCycleState(), pod, tu.NodeInfo(tu.MakeNode().Name("n1").Obj())); st.Message() != ErrReasonEnforced {
		t.Errorf("n1: %v", st.Message())
	}
	if st := pl.Filter(framework.NewCycleState(), pod, tu.NodeInfo(tu.MakeNode().Name("n2").Obj())); !st.IsSuccess() {
		t.Errorf("n2: %v", st.Message())
	}
	// addedAffinity alone means PreFilter must not Skip.
	if _, st := pl.PreFilter(framework.NewCycleState(), pod, nil); st.IsSkip() {
		t.Error("PreFilter skipped despite addedAffinity")
	}
}

// TestPerNodeCallsDoNotAllocate: Filter and Score on a passing node allocate
// nothing, including matchFields and Gt requirements.
func TestPerNodeCallsDoNotAllocate(t *testing.T) {
	pl := newPlugin(t, nil)
	ni := tu.NodeInfo(tu.MakeNode().Name("n1").Label("zone", "a").Label("gen", "5").Obj())
	pod := tu.MakePod().Name("p").NodeSelector(map[string]string{"zone": "a"}).
		Required(api.NodeSelectorTerm{
			MatchExpressions: []api.Requirement{{Key: "gen", Operator: api.OpGt, Values: []string{"4"}}},
			MatchFields:      []api.Requirement{{Key: "metadata.name", Operator: api.OpIn, Values: []string{"n0", "n1"}}},
		}).
		Preferred(3, tu.Term(tu.In("zone", "a"))).Obj()
	state := framework.NewCycleState()
	if n := testing.AllocsPerRun(1000, func() {
		if st := pl.Filter(state, pod, ni); st != nil {
			t.Fatal(st.Message())
		}
		if s, _ := pl.Score(state, pod, ni); s != 3 {
			t.Fatal(s)
		}
	}); n != 0 {
		t.Errorf("%v allocations per node, want 0", n)
	}
}
