package interpodaffinity

import (
	"testing"

	configv1 "k8s.io/kube-scheduler/config/v1"

	"github.com/kubesim/kubesim/scheduler/framework"
	"github.com/kubesim/kubesim/scheduler/plugins/internal/testutil"
	"github.com/kubesim/kubesim/sim/api"
)

func int32p(v int32) *int32 { return &v }

// TestScore checks PreScore + Score + NormalizeScore on fourNodes (n1, n2
// in z1, n3 in z2, n4 without a zone). Raw sums are in the comments;
// normalized = int64(100 · ((raw − min) / (max − min))) in float64.
func TestScore(t *testing.T) {
	namespaces := map[string]map[string]string{
		"team-a": {"team": "a"},
		"team-b": {"team": "b"},
	}
	tests := []struct {
		name     string
		args     *configv1.InterPodAffinityArgs
		existing []*api.Pod
		pod      *api.Pod
		feasible []int // indexes of the nodes to score; nil: all
		wantSkip bool
		want     []int64
	}{
		{
			name:     "plain pod, no pod with affinity: Skip",
			existing: []*api.Pod{mkPod("db", "app", "db").on("n1")},
			pod:      mkPod("p").obj(),
			wantSkip: true,
			want:     []int64{0, 0, 0, 0},
		},
		{
			name: "preferred affinity by zone and anti-affinity by hostname",
			existing: []*api.Pod{
				mkPod("db-1", "app", "db").on("n1"),
				mkPod("db-2", "app", "db").on("n3"),
				mkPod("web", "app", "web").on("n2"),
			},
			// z1 +10, z2 +10, n2 −5: raw 10, 5, 10, 0.
			pod:  mkPod("p").prefAff(10, term(zoneKey, "app", "db")).prefAnti(5, term(hostKey, "app", "web")).obj(),
			want: []int64{100, 50, 100, 0},
		},
		{
			name: "pods on nodes that are not scored still count",
			existing: []*api.Pod{
				mkPod("db-1", "app", "db").on("n1"),
				mkPod("db-2", "app", "db").on("n3"),
				mkPod("web", "app", "web").on("n2"),
			},
			// Scoring n2, n3, n4 only: raw 5, 10, 0.
			pod:      mkPod("p").prefAff(10, term(zoneKey, "app", "db")).prefAnti(5, term(hostKey, "app", "web")).obj(),
			feasible: []int{1, 2, 3},
			want:     []int64{50, 100, 0},
		},
		{
			name:     "negative weights only",
			existing: []*api.Pod{mkPod("web", "app", "web").on("n1")},
			// z1 −10: raw −10, −10, 0, 0.
			pod:  mkPod("p").prefAnti(10, term(zoneKey, "app", "web")).obj(),
			want: []int64{0, 0, 100, 100},
		},
		{
			name: "float truncation: 100 · (29/100) is 28.999…",
			existing: []*api.Pod{
				mkPod("a", "app", "a").on("n1"),
				mkPod("b", "app", "b").on("n2"),
			},
			// raw 100, 29, 0, 0.
			pod:  mkPod("p").prefAff(100, term(hostKey, "app", "a")).prefAff(29, term(hostKey, "app", "b")).obj(),
			want: []int64{100, 28, 0, 0},
		},
		{
			name: "existing pods' required affinity: hardPodAffinityWeight 1 (default)",
			existing: []*api.Pod{
				mkPod("x", "app", "x").reqAff(term(zoneKey, "app", "web")).on("n1"),
				mkPod("y", "app", "y").prefAff(3, term(zoneKey, "app", "web")).on("n3"),
			},
			// z1 +1, z2 +3: raw 1, 1, 3, 0; 100·(1/3) = 33.3.
			pod:  mkPod("web", "app", "web").obj(),
			want: []int64{33, 33, 100, 0},
		},
		{
			name: "existing pods' required affinity: hardPodAffinityWeight 5",
			args: &configv1.InterPodAffinityArgs{HardPodAffinityWeight: int32p(5)},
			existing: []*api.Pod{
				mkPod("x", "app", "x").reqAff(term(zoneKey, "app", "web")).on("n1"),
				mkPod("y", "app", "y").prefAff(3, term(zoneKey, "app", "web")).on("n3"),
			},
			// z1 +5, z2 +3: raw 5, 5, 3, 0.
			pod:  mkPod("web", "app", "web").obj(),
			want: []int64{100, 100, 60, 0},
		},
		{
			name: "existing pods' required affinity: hardPodAffinityWeight 0 ignores it",
			args: &configv1.InterPodAffinityArgs{HardPodAffinityWeight: int32p(0)},
			existing: []*api.Pod{
				mkPod("x", "app", "x").reqAff(term(zoneKey, "app", "web")).on("n1"),
				mkPod("y", "app", "y").prefAff(3, term(zoneKey, "app", "web")).on("n3"),
			},
			// z2 +3: raw 0, 0, 3, 0.
			pod:  mkPod("web", "app", "web").obj(),
			want: []int64{0, 0, 100, 0},
		},
		{
			name: "existing pods' preferred affinity and anti-affinity towards the pod",
			existing: []*api.Pod{
				mkPod("x", "app", "x").prefAff(3, term(hostKey, "app", "web")).on("n1"),
				mkPod("y", "app", "y").prefAnti(7, term(zoneKey, "app", "web")).on("n3"),
			},
			// n1 +3, z2 −7: raw 3, 0, −7, 0; diff 10.
			pod:  mkPod("web", "app", "web").obj(),
			want: []int64{100, 70, 0, 70},
		},
		{
			name: "ignorePreferredTermsOfExistingPods and no preferred terms: Skip",
			args: &configv1.InterPodAffinityArgs{IgnorePreferredTermsOfExistingPods: true},
			existing: []*api.Pod{
				mkPod("x", "app", "x").prefAff(3, term(hostKey, "app", "web")).on("n1"),
				mkPod("y", "app", "y").prefAnti(7, term(zoneKey, "app", "web")).on("n3"),
			},
			pod:      mkPod("web", "app", "web").obj(),
			wantSkip: true,
			want:     []int64{0, 0, 0, 0},
		},
		{
			name: "ignorePreferredTermsOfExistingPods with preferred terms still counts existing pods' terms",
			args: &configv1.InterPodAffinityArgs{IgnorePreferredTermsOfExistingPods: true},
			existing: []*api.Pod{
				mkPod("x", "app", "x").prefAff(3, term(hostKey, "app", "web")).on("n1"),
				mkPod("y", "app", "y").prefAnti(7, term(zoneKey, "app", "web")).on("n3"),
			},
			pod:  mkPod("web", "app", "web").prefAff(1, term(hostKey, "app", "none")).obj(),
			want: []int64{100, 70, 0, 70},
		},
		{
			name:     "preferred terms matching nothing: Skip",
			existing: []*api.Pod{mkPod("db", "app", "db").on("n1")},
			pod:      mkPod("p").prefAff(10, term(zoneKey, "app", "cache")).obj(),
			wantSkip: true,
			want:     []int64{0, 0, 0, 0},
		},
		{
			name:     "a matching pod on a node without the topology key counts nothing: Skip",
			existing: []*api.Pod{mkPod("db", "app", "db").on("n4")},
			pod:      mkPod("p").prefAff(10, term(zoneKey, "app", "db")).obj(),
			wantSkip: true,
			want:     []int64{0, 0, 0, 0},
		},
		{
			name:     "weights cancelling to zero: counted, not skipped, all equal so all 0",
			existing: []*api.Pod{mkPod("db", "app", "db").on("n1")},
			pod:      mkPod("p").prefAff(5, term(hostKey, "app", "db")).prefAnti(5, term(hostKey, "app", "db")).obj(),
			want:     []int64{0, 0, 0, 0},
		},
		{
			name: "the pod's preferred term with a namespace selector",
			existing: []*api.Pod{
				mkPod("db-a", "app", "db").in("team-a").on("n3"),
				mkPod("db-b", "app", "db").in("team-b").on("n1"),
				mkPod("db-default", "app", "db").on("n1"),
			},
			// z2 +10: raw 0, 0, 10, 0.
			pod:  mkPod("p").prefAff(10, withNamespaceSelector(term(zoneKey, "app", "db"), map[string]string{"team": "a"})).obj(),
			want: []int64{0, 0, 100, 0},
		},
		{
			name: "an existing pod's preferred term with a namespace selector matches the pod's namespace labels",
			existing: []*api.Pod{
				mkPod("x", "app", "x").prefAff(4, withNamespaceSelector(term(hostKey, "app", "web"), map[string]string{"team": "a"})).on("n2"),
				mkPod("y", "app", "y").prefAff(4, withNamespaceSelector(term(hostKey, "app", "web"), map[string]string{"team": "b"})).on("n3"),
			},
			// n2 +4: raw 0, 4, 0, 0.
			pod:  mkPod("web", "app", "web").in("team-a").obj(),
			want: []int64{0, 100, 0, 0},
		},
		{
			name: "matchLabelKeys in a preferred term",
			existing: []*api.Pod{
				mkPod("web-v1", "app", "web", "version", "v1").on("n1"),
				mkPod("web-v2", "app", "web", "version", "v2").on("n3"),
			},
			// z2 −8 only (web-v1 has another version): raw 0, 0, −8, 0.
			pod: mkPod("web", "app", "web", "version", "v2").prefAnti(8, func() api.PodAffinityTerm {
				t := term(zoneKey, "app", "web")
				t.MatchLabelKeys = []string{"version"}
				return t
			}()).obj(),
			want: []int64{100, 100, 0, 100},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := cluster(t, fourNodes(), tt.existing, namespaces)
			var args any
			if tt.args != nil {
				args = tt.args
			}
			for _, handle := range []framework.Handle{h, indexedHandle{h}} {
				checkScores(t, newPlugin(t, args, handle), h, tt.pod, tt.feasible, tt.wantSkip, tt.want)
			}
		})
	}
}

// checkScores scores the nodes of h picked by feasible (all when nil) and
// compares the normalized scores and whether PreScore skipped.
func checkScores(t *testing.T, pl *InterPodAffinity, h *testutil.Handle, p *api.Pod, feasible []int, wantSkip bool, want []int64) {
	t.Helper()
	nodes := h.Nodes
	if feasible != nil {
		nodes = nil
		for _, i := range feasible {
			nodes = append(nodes, h.Nodes[i])
		}
	}
	state := framework.NewCycleState()
	if st := pl.PreScore(state, p, nodes); st.IsSkip() != wantSkip {
		t.Fatalf("PreScore = %v, want skip %v", st.Code(), wantSkip)
	}
	scores := scoreNodes(t, pl, framework.NewCycleState(), p, nodes)
	var got []int64
	for _, s := range scores {
		got = append(got, s.Score)
	}
	if len(got) != len(want) {
		t.Fatalf("scores %v, want %v", got, want)
	}
	for i := range got {
		if got[i] != want[i] {
			t.Errorf("scores %v, want %v", got, want)
			break
		}
	}
}

// TestRawScore checks Score's raw sums before normalisation.
func TestRawScore(t *testing.T) {
	h := cluster(t, fourNodes(), []*api.Pod{
		mkPod("db-1", "app", "db").on("n1"),
		mkPod("db-2", "app", "db").on("n3"),
		mkPod("web", "app", "web").on("n2"),
		mkPod("x", "app", "x").reqAff(term(zoneKey, "role", "p")).on("n3"),
	}, nil)
	p := mkPod("p", "role", "p").prefAff(10, term(zoneKey, "app", "db")).prefAnti(5, term(hostKey, "app", "web")).obj()
	pl := newPlugin(t, nil, h)
	state := framework.NewCycleState()
	if st := pl.PreScore(state, p, h.Nodes); !st.IsSuccess() {
		t.Fatal(st.Message())
	}
	// z1 +10, z2 +10 +1 (x's required term, hardPodAffinityWeight 1), n2 −5.
	want := []int64{10, 5, 11, 0}
	for i, ni := range h.Nodes {
		if got, _ := pl.Score(state, p, ni); got != want[i] {
			t.Errorf("%s: raw %d, want %d", ni.Name(), got, want[i])
		}
	}
}

// TestNormalizeScore checks the float min-max normalisation on its own.
func TestNormalizeScore(t *testing.T) {
	tests := []struct {
		raw, want []int64
	}{
		{[]int64{0, 29, 100}, []int64{0, 28, 100}}, // 100·0.29 = 28.999…
		{[]int64{-1, 0, 2}, []int64{0, 33, 100}},   // 100·(1/3) = 33.3
		{[]int64{-100, 0, -1, -3}, []int64{0, 100, 99, 97}},
		{[]int64{7, 7, 7}, []int64{0, 0, 0}}, // no spread: all 0
		{[]int64{-5}, []int64{0}},
	}
	pl := newPlugin(t, nil, cluster(t, nil, nil, nil))
	state := framework.NewCycleState()
	// A non-empty state, as after a PreScore that counted something.
	state.Write(preScoreStateKey, &preScoreState{scores: []keyScores{{key: zoneKey}}})
	for _, tt := range tests {
		scores := make([]framework.NodeScore, len(tt.raw))
		for i, r := range tt.raw {
			scores[i].Score = r
		}
		if st := pl.NormalizeScore(state, nil, scores); !st.IsSuccess() {
			t.Fatal(st.Message())
		}
		for i := range scores {
			if scores[i].Score != tt.want[i] {
				t.Errorf("raw %v: got %v, want %v", tt.raw, scores, tt.want)
				break
			}
		}
	}
}
