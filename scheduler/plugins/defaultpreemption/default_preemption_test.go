package defaultpreemption

import (
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	configv1 "k8s.io/kube-scheduler/config/v1"

	"github.com/kubesim/kubesim/scheduler/framework"
	"github.com/kubesim/kubesim/scheduler/plugins/internal/testutil"
	"github.com/kubesim/kubesim/scheduler/plugins/noderesources"
	"github.com/kubesim/kubesim/sim"
	"github.com/kubesim/kubesim/sim/api"
	"github.com/kubesim/kubesim/sim/store"
)

const gi = testutil.Gi

// fakeHandle is a testutil.Handle with preemption support: it runs the given
// PreFilter and Filter plugins and knows the nominated pods.
type fakeHandle struct {
	*testutil.Handle
	preFilters []framework.PreFilterPlugin
	filters    []framework.FilterPlugin
	nominated  map[string][]*api.Pod
}

var _ framework.PreemptionHandle = &fakeHandle{}

func newFakeHandle(t testing.TB) *fakeHandle {
	fit, err := noderesources.NewFit(nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	return &fakeHandle{Handle: testutil.NewHandle(), preFilters: []framework.PreFilterPlugin{fit.(framework.PreFilterPlugin)},
		filters: []framework.FilterPlugin{fit.(framework.FilterPlugin)}, nominated: map[string][]*api.Pod{}}
}

func (h *fakeHandle) RunPreFilterExtensionAddPod(*framework.CycleState, *api.Pod, *api.Pod, *framework.NodeInfo) *framework.Status {
	return nil
}

func (h *fakeHandle) RunPreFilterExtensionRemovePod(*framework.CycleState, *api.Pod, *api.Pod, *framework.NodeInfo) *framework.Status {
	return nil
}

// RunFilterPluginsWithNominatedPods runs the filters once with the
// higher-or-equal priority nominated pods added, then once without.
func (h *fakeHandle) RunFilterPluginsWithNominatedPods(state *framework.CycleState, p *api.Pod, ni *framework.NodeInfo) *framework.Status {
	run := func(ni *framework.NodeInfo) *framework.Status {
		for _, f := range h.filters {
			if st := f.Filter(state, p, ni); !st.IsSuccess() {
				return st.WithPlugin(f.Name())
			}
		}
		return nil
	}
	var add []*api.Pod
	for _, np := range h.nominated[ni.Name()] {
		if np.UID != p.UID && np.Priority >= p.Priority {
			add = append(add, np)
		}
	}
	if len(add) > 0 {
		c := ni.Clone()
		for _, np := range add {
			c.AddPod(np)
		}
		if st := run(c); !st.IsSuccess() {
			return st
		}
	}
	return run(ni)
}

func (h *fakeHandle) NominatedPodsForNode(node string) []*api.Pod { return h.nominated[node] }

// prefilter runs the PreFilter plugins into a new cycle state.
func (h *fakeHandle) prefilter(t testing.TB, p *api.Pod) *framework.CycleState {
	state := framework.NewCycleState()
	for _, pf := range h.preFilters {
		if _, st := pf.PreFilter(state, p, nil); !st.IsSuccess() {
			t.Fatalf("PreFilter %s: %v", pf.Name(), st.Message())
		}
	}
	return state
}

// pod is a pod of priority prio requesting cpu millicores, started at
// start seconds (never started when start < 0).
func pod(name string, prio int32, cpu int64, start float64, labels ...string) *api.Pod {
	p := testutil.MakePod().Name(name).Priority(prio).Req(cpu, 0).Obj()
	p.Spec.Priority = &prio // what the store's admission resolves
	if start >= 0 {
		t := sim.Time(start * float64(time.Second))
		p.Status.StartTime = &t
	}
	if len(labels) > 0 {
		p.Labels = map[string]string{}
		for i := 0; i+1 < len(labels); i += 2 {
			p.Labels[labels[i]] = labels[i+1]
		}
	}
	return p
}

func pdb(name string, allowed int32, matchLabels map[string]string) *api.PodDisruptionBudget {
	return &api.PodDisruptionBudget{ObjectMeta: api.ObjectMeta{Name: name, Namespace: "default"},
		Selector: api.SelectorFromMap(matchLabels), Status: api.PodDisruptionBudgetStatus{DisruptionsAllowed: allowed}}
}

func names(ps []*api.Pod) string {
	var out []string
	for _, p := range ps {
		out = append(out, p.Name)
	}
	return strings.Join(out, ",")
}

// TestSelectVictimsOnNode checks victim selection on a 4000m node. Expected
// victims are derived by hand: remove every lower-priority pod, check the
// preemptor fits, then re-add PDB violators first and each group by priority
// desc / start asc, keeping each that still fits.
func TestSelectVictimsOnNode(t *testing.T) {
	app := map[string]string{"app": "a"}
	tests := []struct {
		name       string
		preemptor  *api.Pod
		pods       []*api.Pod
		nominated  []*api.Pod
		pdbs       []*api.PodDisruptionBudget
		victims    string
		violations int
		code       framework.Code
		msg        string
	}{
		{
			// Without p1,p2,p4 the node uses 1000m; re-adding p2 (prio 20)
			// gives 2000+2000 = 4000: fits; p1 (prio 10, started first)
			// would need 5000: victim; p4 likewise.
			name:      "reprieve by priority then start time",
			preemptor: pod("hi", 100, 2000, -1),
			pods: []*api.Pod{pod("p1", 10, 1000, 1), pod("p2", 20, 1000, 5), pod("p3", 200, 1000, 0),
				pod("p4", 10, 1000, 3)},
			victims: "p1,p4",
		},
		{
			// Equal priority: the earlier-started p1 is more important and
			// is reprieved first; the later p2 is the victim.
			name:      "equal priority: latest started is the victim",
			preemptor: pod("hi", 100, 1000, -1),
			pods:      []*api.Pod{pod("p2", 10, 2000, 7), pod("p1", 10, 2000, 2)},
			victims:   "p2",
		},
		{
			// A pod never started counts as starting now (100 s): it is
			// less important than one started at 50 s.
			name:      "unstarted pod counts as starting now",
			preemptor: pod("hi", 100, 1000, -1),
			pods:      []*api.Pod{pod("new", 10, 2000, -1), pod("old", 10, 2000, 50)},
			victims:   "new",
		},
		{
			name:      "no lower-priority pod",
			preemptor: pod("hi", 100, 1000, -1),
			pods:      []*api.Pod{pod("p1", 100, 4000, 0)},
			code:      framework.UnschedulableAndUnresolvable,
			msg:       ErrReasonNoVictims,
		},
		{
			// p3 (prio 200) keeps 1000m: 1000+3500 > 4000 even with every
			// lower-priority pod gone.
			name:      "does not fit without all victims",
			preemptor: pod("hi", 100, 3500, -1),
			pods:      []*api.Pod{pod("p1", 10, 3000, 0), pod("p3", 200, 1000, 0)},
			code:      framework.Unschedulable,
			msg:       "Insufficient cpu",
		},
		{
			// A pod of priority 150 ≥ 100 nominated here holds 2000m in
			// filtering: p1 comes back (1000+2000+1000 = 4000 fits); p2
			// would make 5000, p5 6000: victims.
			name:      "nominated higher-priority pod reserves room",
			preemptor: pod("hi", 100, 1000, -1),
			pods:      []*api.Pod{pod("p1", 10, 1000, 1), pod("p2", 10, 1000, 2), pod("p5", 10, 2000, 3)},
			nominated: []*api.Pod{pod("nom", 150, 2000, -1)},
			victims:   "p2,p5",
		},
		{
			// Sorted p1 (start 1), p2 (start 2); the PDB allows 1: p1 uses
			// it, p2 violates. Violators are reprieved first: p2 fits back
			// (1000+1000), so p1 is the victim and nothing is violated.
			name:      "pdb violators reprieved first",
			preemptor: pod("hi", 100, 1000, -1),
			pods:      []*api.Pod{pod("p1", 10, 1000, 1, "app", "a"), pod("p2", 10, 1000, 2, "app", "a"), pod("x", 200, 2000, 0)},
			pdbs:      []*api.PodDisruptionBudget{pdb("budget", 1, app)},
			victims:   "p1",
		},
		{
			// Same pods without a PDB: p1 is reprieved, p2 is the victim.
			name:      "same without pdb",
			preemptor: pod("hi", 100, 1000, -1),
			pods:      []*api.Pod{pod("p1", 10, 1000, 1, "app", "a"), pod("p2", 10, 1000, 2, "app", "a"), pod("x", 200, 2000, 0)},
			victims:   "p2",
		},
		{
			// disruptionsAllowed 0: both victims violate; victims sorted by
			// importance.
			name:       "pdb exhausted counts violations",
			preemptor:  pod("hi", 100, 3000, -1),
			pods:       []*api.Pod{pod("p2", 10, 2000, 2, "app", "a"), pod("p1", 20, 2000, 1, "app", "a")},
			pdbs:       []*api.PodDisruptionBudget{pdb("budget", 0, app)},
			victims:    "p1,p2",
			violations: 2,
		},
		{
			// One violating (p1, labelled) and one not (q): the victims are
			// re-sorted by importance after the two passes.
			name:       "mixed victims resorted",
			preemptor:  pod("hi", 100, 4000, -1),
			pods:       []*api.Pod{pod("q", 30, 2000, 5), pod("p1", 10, 2000, 1, "app", "a")},
			pdbs:       []*api.PodDisruptionBudget{pdb("budget", 0, app), pdb("empty-selector", 0, nil)},
			victims:    "q,p1",
			violations: 1,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newFakeHandle(t)
			h.Engine.Run(sim.Time(100 * time.Second))
			node := testutil.MakeNode().Name("n1").Alloc(4000, 16*gi).Obj()
			ni := testutil.NodeInfo(node, tc.pods...)
			h.nominated["n1"] = tc.nominated
			state := h.prefilter(t, tc.preemptor)
			victims, nv, st := selectVictimsOnNode(h, state, tc.preemptor, ni.Clone(), tc.pdbs, h.Now())
			if st.Code() != tc.code || (tc.msg != "" && st.Message() != tc.msg) {
				t.Fatalf("status %v %q, want %v %q", st.Code(), st.Message(), tc.code, tc.msg)
			}
			if got := names(victims); got != tc.victims || nv != tc.violations {
				t.Fatalf("victims %q (%d violations), want %q (%d)", got, nv, tc.victims, tc.violations)
			}
			if len(ni.Pods) != len(tc.pods) {
				t.Fatalf("the original NodeInfo was changed")
			}
		})
	}
}

// TestPickOneNodeForPreemption checks each tie-break rule in turn.
func TestPickOneNodeForPreemption(t *testing.T) {
	now := sim.Time(1000 * time.Second)
	c := func(node string, violations int, victims ...*api.Pod) *candidate {
		return &candidate{node: node, victims: victims, numPDBViolations: violations}
	}
	minP := int32(math.MinInt32)
	tests := []struct {
		name  string
		cands []*candidate
		want  string
	}{
		{"single", []*candidate{c("a", 3, pod("x", 5, 1, 0))}, "a"},
		{"fewest pdb violations first",
			[]*candidate{c("a", 1, pod("x", 1, 1, 0)), c("b", 0, pod("y", 50, 1, 0))}, "b"},
		{"lowest highest-priority victim",
			[]*candidate{c("a", 0, pod("x", 20, 1, 0)), c("b", 0, pod("y", 10, 1, 0), pod("z", 10, 1, 0), pod("w", 9, 1, 0))}, "b"},
		// Highest victim 10 on both; sums 10+2^31+5+2^31 vs 10+2^31+1+2^31.
		{"smallest priority sum",
			[]*candidate{c("a", 0, pod("x", 10, 1, 0), pod("y", 5, 1, 0)), c("b", 0, pod("z", 10, 1, 0), pod("w", 1, 1, 0))}, "b"},
		// Priorities shift by 2^31 so that more victims cost more: a's
		// second victim at MinInt32 adds 0, like b's two.
		{"fewest victims",
			[]*candidate{c("a", 0, pod("x", 10, 1, 0), pod("y", minP, 1, 0), pod("z", minP, 1, 0)),
				c("b", 0, pod("u", 10, 1, 0), pod("v", minP, 1, 0))}, "b"},
		// Earliest start among highest-priority victims: a 30 s (the 90 s
		// pod has lower priority), b 60 s: b started later, wins.
		{"latest start of highest-priority victims",
			[]*candidate{c("a", 0, pod("x", 10, 1, 30), pod("y", 5, 1, 90)), c("b", 0, pod("z", 10, 1, 60), pod("w", 5, 1, 1))}, "b"},
		// Unstarted counts as now (1000 s), later than 60 s.
		{"unstarted victim counts as now",
			[]*candidate{c("a", 0, pod("x", 10, 1, 60)), c("b", 0, pod("y", 10, 1, -1))}, "b"},
		{"full tie takes the first",
			[]*candidate{c("a", 0, pod("x", 10, 1, 60)), c("b", 0, pod("y", 10, 1, 60)), c("c", 0, pod("z", 10, 1, 60))}, "a"},
		// Rule order: fewer violations beats everything after it.
		{"rules apply in order",
			[]*candidate{c("a", 0, pod("x", 900, 1, 0), pod("y", 900, 1, 0)), c("b", 1, pod("z", 1, 1, 0))}, "a"},
	}
	for _, tc := range tests {
		if got := pickOneNodeForPreemption(tc.cands, now); got.node != tc.want {
			t.Errorf("%s: picked %s, want %s", tc.name, got.node, tc.want)
		}
	}
}

func TestFilterPodsWithPDBViolation(t *testing.T) {
	app := map[string]string{"app": "a"}
	other := pod("o", 1, 1, 0, "app", "a")
	other.Namespace = "other"
	pods := []*api.Pod{pod("p1", 1, 1, 0, "app", "a"), pod("nolabels", 1, 1, 0), other, pod("p2", 1, 1, 0, "app", "a"),
		pod("p3", 1, 1, 0, "app", "a")}
	empty := pdb("empty", 0, nil)
	empty.Selector = &api.Selector{}
	v, nv := filterPodsWithPDBViolation(pods, []*api.PodDisruptionBudget{pdb("b", 1, app), empty, {ObjectMeta: api.ObjectMeta{Namespace: "default"}}})
	if names(v) != "p2,p3" || names(nv) != "p1,nolabels,o" {
		t.Fatalf("violating %q, non-violating %q", names(v), names(nv))
	}
	// p1 is already in the budget's disruptedPods: the API server has
	// counted its eviction, so it does not use the one allowed disruption
	// again; p2 takes it and only p3 violates.
	counted := pdb("b", 1, app)
	counted.Status.DisruptedPods = map[string]sim.Time{"p1": 0}
	v, nv = filterPodsWithPDBViolation(pods, []*api.PodDisruptionBudget{counted})
	if names(v) != "p3" || names(nv) != "p1,nolabels,o,p2" {
		t.Fatalf("with p1 disrupted: violating %q, non-violating %q", names(v), names(nv))
	}
}

func TestNumCandidatesAndArgs(t *testing.T) {
	i32 := func(v int32) *int32 { return &v }
	for _, tc := range []struct {
		pct, abs *int32
		n, want  int32
	}{
		{nil, nil, 50, 50},       // max(5, 100) capped at 50
		{nil, nil, 5000, 500},    // max(500, 100)
		{nil, nil, 1500, 150},    // max(150, 100)
		{nil, nil, 200, 100},     // max(20, 100)
		{i32(0), i32(3), 10, 3},  // absolute only
		{i32(50), i32(0), 9, 4},  // 9·50/100 = 4 (truncated)
		{i32(100), i32(1), 7, 7}, // all
	} {
		pl, err := New(&configv1.DefaultPreemptionArgs{MinCandidateNodesPercentage: tc.pct, MinCandidateNodesAbsolute: tc.abs}, nil)
		if err != nil {
			t.Fatal(err)
		}
		if got := pl.(*DefaultPreemption).calculateNumCandidates(tc.n); got != tc.want {
			t.Errorf("pct %v abs %v n %d: %d, want %d", tc.pct, tc.abs, tc.n, got, tc.want)
		}
	}
	for _, tc := range []struct {
		args any
		want string
	}{
		{&configv1.DefaultPreemptionArgs{MinCandidateNodesPercentage: i32(101)}, "minCandidateNodesPercentage: Invalid value: 101: not in valid range [0, 100]"},
		{&configv1.DefaultPreemptionArgs{MinCandidateNodesAbsolute: i32(-1)}, "minCandidateNodesAbsolute: Invalid value: -1: not in valid range [0, inf)"},
		{&configv1.DefaultPreemptionArgs{MinCandidateNodesPercentage: i32(0), MinCandidateNodesAbsolute: i32(0)},
			"[minCandidateNodesPercentage: Invalid value: 0: cannot be zero at the same time as minCandidateNodesAbsolute, " +
				"minCandidateNodesAbsolute: Invalid value: 0: cannot be zero at the same time as minCandidateNodesPercentage]"},
		{&configv1.NodeResourcesFitArgs{}, "DefaultPreemption: got args of type *v1.NodeResourcesFitArgs, want *DefaultPreemptionArgs"},
	} {
		_, err := New(tc.args, nil)
		if err == nil || err.Error() != tc.want {
			t.Errorf("New(%+v) error %v, want %q", tc.args, err, tc.want)
		}
	}
}

// world is a fake handle over a store holding nodes and pods, with the
// plugin built on it.
type world struct {
	*fakeHandle
	pl    *DefaultPreemption
	nodes []*framework.NodeInfo
}

func newWorld(t *testing.T, nodes int, pods map[string][]*api.Pod) *world {
	h := newFakeHandle(t)
	w := &world{fakeHandle: h}
	for i := range nodes {
		name := fmt.Sprintf("n%d", i+1)
		node := testutil.MakeNode().Name(name).Alloc(2000, 16*gi).Obj()
		ni := testutil.NodeInfo(node)
		for _, p := range pods[name] {
			p.NodeName = name
			p.Spec.TerminationGracePeriodSeconds = 30
			created, err := h.St.Pods.Create("test", p, "")
			if err != nil {
				t.Fatal(err)
			}
			ni.AddPod(created)
		}
		w.nodes = append(w.nodes, ni)
	}
	h.Nodes = w.nodes
	pl, err := New(nil, h)
	if err != nil {
		t.Fatal(err)
	}
	w.pl = pl.(*DefaultPreemption)
	return w
}

// postFilter runs PostFilter for a new pending pod p whose filter statuses
// are Insufficient cpu (Unschedulable) on every node.
func (w *world) postFilter(t *testing.T, p *api.Pod) (*framework.PostFilterResult, *framework.Status) {
	created, err := w.St.Pods.Create("test", p, "")
	if err != nil {
		t.Fatal(err)
	}
	m := framework.NodeToStatus{}
	for _, ni := range w.nodes {
		m[ni.Name()] = framework.NewStatus(framework.Unschedulable, "Insufficient cpu")
	}
	return w.pl.PostFilter(w.prefilter(t, created), created, m)
}

func TestPostFilter(t *testing.T) {
	t.Run("preempts on the best node", func(t *testing.T) {
		w := newWorld(t, 3, map[string][]*api.Pod{
			"n1": {pod("a1", 50, 2000, 0)},
			"n2": {pod("b1", 10, 1000, 0), pod("b2", 10, 1000, 0)},
			"n3": {pod("c1", 20, 2000, 0)},
		})
		nom := pod("lownom", 5, 500, -1)
		nom.Status.NominatedNodeName = "n3"
		if _, err := w.St.Pods.Create("test", nom, ""); err != nil {
			t.Fatal(err)
		}
		w.nominated["n3"] = []*api.Pod{nom}
		var writes []string
		w.St.OnWrite(func(wr *store.Write) {
			writes = append(writes, fmt.Sprintf("%s %s %s %s %s", wr.Component, wr.Verb, wr.Key, wr.Reason, wr.Message))
		})
		hi := pod("hi", 100, 2000, -1)
		// Highest victim: n1 50, n2 10, n3 20 → n2 loses (10)... n2's two
		// prio-10 victims sum more than n3's one prio-20 victim, but rule 2
		// (lowest highest priority) comes first: n2.
		r, st := w.postFilter(t, hi)
		if !st.IsSuccess() || r == nil || r.NominatedNodeName != "n2" {
			t.Fatalf("result %+v, status %v %q", r, st.Code(), st.Message())
		}
		want := []string{
			"test create default/hi  ",
			"default-scheduler update default/b1 Preempted ",
			"default-scheduler delete default/b1 Preempted ",
			"default-scheduler event default/b1 Preempted Preempted by pod uid-hi on node n2",
			"default-scheduler update default/b2 Preempted ",
			"default-scheduler delete default/b2 Preempted ",
			"default-scheduler event default/b2 Preempted Preempted by pod uid-hi on node n2",
		}
		if strings.Join(writes, "\n") != strings.Join(want, "\n") {
			t.Fatalf("writes:\n%s\nwant:\n%s", strings.Join(writes, "\n"), strings.Join(want, "\n"))
		}
		b1, _ := w.St.Pods.Get("default", "b1")
		c := api.FindCondition(b1.Status.Conditions, api.PodDisruptionTarget)
		if !b1.IsDeleting() || *b1.DeletionTimestamp != sim.Time(30*time.Second) || c == nil || c.Reason != ReasonPreemptionByScheduler ||
			c.Message != "default-scheduler: preempting to accommodate a higher priority pod" {
			t.Fatalf("b1 %+v, condition %+v", b1.ObjectMeta, c)
		}
		if !terminatingByPreemption(b1) {
			t.Fatal("b1 not terminating by preemption")
		}
	})
	t.Run("clears lower-priority nominations on the chosen node", func(t *testing.T) {
		w := newWorld(t, 1, map[string][]*api.Pod{"n1": {pod("a1", 10, 2000, 0)}})
		low, same := pod("low", 5, 100, -1), pod("same", 100, 100, -1)
		for _, p := range []*api.Pod{low, same} {
			p.Status.NominatedNodeName = "n1"
			if _, err := w.St.Pods.Create("test", p, ""); err != nil {
				t.Fatal(err)
			}
		}
		w.nominated["n1"] = []*api.Pod{low, same}
		r, st := w.postFilter(t, pod("hi", 100, 1000, -1))
		if !st.IsSuccess() || r.NominatedNodeName != "n1" {
			t.Fatalf("result %+v, status %q", r, st.Message())
		}
		if p, _ := w.St.Pods.Get("default", "low"); p.Status.NominatedNodeName != "" {
			t.Fatal("lower-priority nomination kept")
		}
		if p, _ := w.St.Pods.Get("default", "same"); p.Status.NominatedNodeName != "n1" {
			t.Fatal("equal-priority nomination cleared")
		}
	})
	t.Run("preemptionPolicy Never", func(t *testing.T) {
		w := newWorld(t, 2, map[string][]*api.Pod{"n1": {pod("a1", 10, 2000, 0)}})
		hi := pod("hi", 100, 1000, -1)
		hi.Spec.PreemptionPolicy = api.PreemptNever
		r, st := w.postFilter(t, hi)
		if r != nil || st.Code() != framework.Unschedulable || st.Message() != "preemption: not eligible due to preemptionPolicy=Never." {
			t.Fatalf("result %+v, status %v %q", r, st.Code(), st.Message())
		}
		if a1, _ := w.St.Pods.Get("default", "a1"); a1.IsDeleting() {
			t.Fatal("a1 preempted")
		}
	})
	t.Run("no victims anywhere", func(t *testing.T) {
		w := newWorld(t, 3, map[string][]*api.Pod{"n1": {pod("a1", 100, 2000, 0)}, "n2": {pod("b1", 200, 2000, 0)}})
		// n3 is UnschedulableAndUnresolvable: not a potential node.
		created, _ := w.St.Pods.Create("test", pod("hi", 100, 3000, -1), "")
		m := framework.NodeToStatus{
			"n1": framework.NewStatus(framework.Unschedulable, "Insufficient cpu"),
			"n2": framework.NewStatus(framework.Unschedulable, "Insufficient cpu"),
			"n3": framework.NewStatus(framework.UnschedulableAndUnresolvable, "node(s) didn't match Pod's node affinity/selector"),
		}
		r, st := w.pl.PostFilter(w.prefilter(t, created), created, m)
		want := "preemption: 0/3 nodes are available: 1 Preemption is not helpful for scheduling, 2 No preemption victims found for incoming pod."
		if r == nil || r.NominatedNodeName != "" || st.Code() != framework.Unschedulable || st.Message() != want {
			t.Fatalf("result %+v, status %v %q", r, st.Code(), st.Message())
		}
	})
	t.Run("waits for terminating victims on its nominated node", func(t *testing.T) {
		w := newWorld(t, 2, map[string][]*api.Pod{"n1": {pod("a1", 10, 2000, 0)}, "n2": {pod("b1", 10, 2000, 0)}})
		a1, _ := w.St.Pods.Get("default", "a1")
		dying := a1.Clone()
		dt := sim.Time(30 * time.Second)
		dying.DeletionTimestamp = &dt
		dying.Status.Conditions = []api.Condition{{Type: api.PodDisruptionTarget, Status: api.ConditionTrue, Reason: ReasonPreemptionByScheduler}}
		w.nodes[0] = testutil.NodeInfo(w.nodes[0].Node(), dying)
		hi := pod("hi", 100, 1000, -1)
		hi.Status.NominatedNodeName = "n1"
		r, st := w.postFilter(t, hi)
		if r != nil || st.Message() != "preemption: not eligible due to a terminating pod on the nominated node." {
			t.Fatalf("result %+v, status %q", r, st.Message())
		}
	})
	t.Run("pdb steers to another node", func(t *testing.T) {
		w := newWorld(t, 2, map[string][]*api.Pod{
			"n1": {pod("a1", 10, 2000, 0, "app", "db")},
			"n2": {pod("b1", 20, 2000, 0)},
		})
		if _, err := w.St.PDBs.Create("test", pdb("db", 0, map[string]string{"app": "db"}), ""); err != nil {
			t.Fatal(err)
		}
		// Without the PDB, n1 (victim priority 10 < 20) would win.
		r, st := w.postFilter(t, pod("hi", 100, 1000, -1))
		if !st.IsSuccess() || r.NominatedNodeName != "n2" {
			t.Fatalf("result %+v, status %q", r, st.Message())
		}
	})
}

func TestDeterministicOffset(t *testing.T) {
	// With minCandidateNodesAbsolute 1 and equal nodes, the node examined
	// first wins; the offset comes from the "DefaultPreemption" stream, so
	// two identical worlds choose the same node, and several seeds spread.
	choose := func(seed uint64) string {
		h := newFakeHandle(t)
		h.Engine = sim.NewEngine(seed, 0)
		h.St = store.New(h.Engine, store.Options{})
		w := &world{fakeHandle: h}
		for i := range 5 {
			name := fmt.Sprintf("n%d", i+1)
			p := pod("v"+name, 1, 2000, 0)
			p.NodeName = name
			created, _ := h.St.Pods.Create("test", p, "")
			w.nodes = append(w.nodes, testutil.NodeInfo(testutil.MakeNode().Name(name).Alloc(2000, gi).Obj(), created))
		}
		h.Nodes = w.nodes
		one := int32(1)
		pl, err := New(&configv1.DefaultPreemptionArgs{MinCandidateNodesAbsolute: &one, MinCandidateNodesPercentage: new(int32)}, h)
		if err != nil {
			t.Fatal(err)
		}
		w.pl = pl.(*DefaultPreemption)
		r, st := w.postFilter(t, pod("hi", 100, 1000, -1))
		if !st.IsSuccess() {
			t.Fatal(st.Message())
		}
		return r.NominatedNodeName
	}
	seen := map[string]bool{}
	for seed := range uint64(8) {
		a, b := choose(seed), choose(seed)
		if a != b {
			t.Fatalf("seed %d: %s then %s", seed, a, b)
		}
		seen[a] = true
	}
	if len(seen) < 2 {
		t.Fatalf("offset never moves: %v", seen)
	}
}
