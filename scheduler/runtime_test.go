package scheduler

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	configv1 "k8s.io/kube-scheduler/config/v1"

	"github.com/kubesim/kubesim/scheduler/framework"
	"github.com/kubesim/kubesim/sim/api"
)

func TestDefaultProfilePlugins(t *testing.T) {
	p, err := NewProfile(ProfileConfig{SchedulerName: "default-scheduler"}, fakeRegistry(), nil)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][]string{
		PointPreEnqueue: {"SchedulingGates"},
		PointQueueSort:  {"PrioritySort"},
		PointPreFilter:  {"NodeAffinity", "NodeResourcesFit"},
		PointFilter:     {"NodeUnschedulable", "NodeName", "TaintToleration", "NodeAffinity", "NodeResourcesFit"},
		PointPreScore:   {"TaintToleration", "NodeAffinity", "NodeResourcesFit", "NodeResourcesBalancedAllocation"},
		PointScore:      {"TaintToleration", "NodeAffinity", "NodeResourcesFit", "NodeResourcesBalancedAllocation"},
		PointBind:       {"DefaultBinder"},
		PointReserve:    nil,
		PointPostFilter: nil,
	}
	for point, w := range want {
		if got := p.PluginNames(point); !reflect.DeepEqual(got, w) {
			t.Errorf("%s: %v, want %v", point, got, w)
		}
	}
	for name, w := range map[string]int64{"TaintToleration": 3, "NodeAffinity": 2, "NodeResourcesFit": 1, "NodeResourcesBalancedAllocation": 1} {
		if got := p.ScoreWeight(name); got != w {
			t.Errorf("weight %s = %d, want %d", name, got, w)
		}
	}
}

func w32(v int32) *int32 { return &v }

func TestProfileMergeAndExpansion(t *testing.T) {
	p, err := NewProfile(ProfileConfig{SchedulerName: "packer", Plugins: &configv1.Plugins{
		Score: configv1.PluginSet{
			Disabled: []configv1.Plugin{{Name: "NodeResourcesBalancedAllocation"}},
			Enabled:  []configv1.Plugin{{Name: "NodeResourcesFit", Weight: w32(5)}},
		},
		Filter: configv1.PluginSet{
			Disabled: []configv1.Plugin{{Name: "*"}},
			Enabled:  []configv1.Plugin{{Name: "NodeResourcesFit"}, {Name: "TaintToleration"}},
		},
	}}, fakeRegistry(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := p.PluginNames(PointScore), []string{"NodeResourcesFit", "TaintToleration", "NodeAffinity"}; !reflect.DeepEqual(got, want) {
		t.Errorf("score %v, want %v", got, want)
	}
	if p.ScoreWeight("NodeResourcesFit") != 5 || p.ScoreWeight("TaintToleration") != 3 {
		t.Errorf("weights fit=%d taint=%d", p.ScoreWeight("NodeResourcesFit"), p.ScoreWeight("TaintToleration"))
	}
	if got, want := p.PluginNames(PointFilter), []string{"NodeResourcesFit", "TaintToleration"}; !reflect.DeepEqual(got, want) {
		t.Errorf("filter %v, want %v", got, want)
	}
	if got := p.PluginNames(PointPreScore); len(got) != 4 {
		t.Errorf("preScore %v: disabling at score must not touch preScore", got)
	}

	// Weight 0 means 1.
	p, err = NewProfile(ProfileConfig{SchedulerName: "x", Plugins: &configv1.Plugins{
		MultiPoint: configv1.PluginSet{Enabled: []configv1.Plugin{{Name: "TaintToleration", Weight: w32(0)}}},
	}}, fakeRegistry(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if p.ScoreWeight("TaintToleration") != 1 {
		t.Errorf("weight 0 gave %d", p.ScoreWeight("TaintToleration"))
	}
}

func TestProfileErrors(t *testing.T) {
	for _, tc := range []struct {
		plugins *configv1.Plugins
		want    string
	}{
		{&configv1.Plugins{Score: configv1.PluginSet{Enabled: []configv1.Plugin{{Name: "Nope"}}}}, `unknown plugin "Nope"`},
		{&configv1.Plugins{Bind: configv1.PluginSet{Enabled: []configv1.Plugin{{Name: "NodeResourcesFit"}}}}, `plugin "NodeResourcesFit" does not extend bind`},
		{&configv1.Plugins{Bind: configv1.PluginSet{Disabled: []configv1.Plugin{{Name: "*"}}}}, "at least one bind plugin"},
		{&configv1.Plugins{Filter: configv1.PluginSet{Enabled: []configv1.Plugin{{Name: "NodeName"}, {Name: "NodeName"}}}}, "already registered"},
	} {
		_, err := NewProfile(ProfileConfig{SchedulerName: "x", Plugins: tc.plugins}, fakeRegistry(), nil)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("error %v, want %q", err, tc.want)
		}
	}
}

// probe is a configurable plugin implementing every extension point.
type probe struct {
	name      string
	preFilter func(*api.Pod) (*framework.PreFilterResult, *framework.Status)
	filter    func(*api.Pod, *framework.NodeInfo) *framework.Status
	score     func(*framework.NodeInfo) int64
	normalize bool
	reserve   *framework.Status
	permit    *framework.Status
	wait      time.Duration
	calls     *[]string
}

func (p *probe) Name() string { return p.name }
func (p *probe) log(s string) {
	if p.calls != nil {
		*p.calls = append(*p.calls, p.name+"."+s)
	}
}
func (p *probe) PreFilter(_ *framework.CycleState, pod *api.Pod, _ []*framework.NodeInfo) (*framework.PreFilterResult, *framework.Status) {
	p.log("PreFilter")
	if p.preFilter != nil {
		return p.preFilter(pod)
	}
	return nil, nil
}
func (p *probe) Filter(_ *framework.CycleState, pod *api.Pod, n *framework.NodeInfo) *framework.Status {
	if p.filter != nil {
		return p.filter(pod, n)
	}
	return nil
}
func (p *probe) Score(_ *framework.CycleState, _ *api.Pod, n *framework.NodeInfo) (int64, *framework.Status) {
	if p.score != nil {
		return p.score(n), nil
	}
	return 0, nil
}
func (p *probe) ScoreExtensions() framework.ScoreExtensions {
	if p.normalize {
		return p
	}
	return nil
}
func (p *probe) NormalizeScore(_ *framework.CycleState, _ *api.Pod, s []framework.NodeScore) *framework.Status {
	for i := range s {
		s[i].Score /= 10
	}
	return nil
}
func (p *probe) Reserve(*framework.CycleState, *api.Pod, string) *framework.Status {
	p.log("Reserve")
	return p.reserve
}
func (p *probe) Unreserve(*framework.CycleState, *api.Pod, string) { p.log("Unreserve") }
func (p *probe) Permit(*framework.CycleState, *api.Pod, string) (*framework.Status, time.Duration) {
	p.log("Permit")
	return p.permit, p.wait
}

func probeWorld(t *testing.T, probes []*probe, points map[string][]string) *world {
	t.Helper()
	reg := framework.Registry{
		"PrioritySort":  noArgs(fakeSort{}),
		"DefaultBinder": func(_ any, h framework.Handle) (framework.Plugin, error) { return fakeBinder{h}, nil },
	}
	for _, p := range probes {
		reg[p.name] = func(any, framework.Handle) (framework.Plugin, error) { return p, nil }
	}
	plugins := &configv1.Plugins{}
	for _, pt := range pluginPoints(plugins) {
		for _, n := range points[pt.name] {
			pt.set.Enabled = append(pt.set.Enabled, configv1.Plugin{Name: n})
		}
	}
	w, err := newWorld(Config{Registry: reg, Profiles: []ProfileConfig{{Plugins: plugins}}})
	if err != nil {
		t.Fatal(err)
	}
	return w
}

func lastEvent(w *world, reason string) string {
	for i := len(w.events) - 1; i >= 0; i-- {
		if w.events[i].Reason == reason {
			return w.events[i].Message
		}
	}
	return ""
}

func TestPreFilterSemantics(t *testing.T) {
	var calls []string
	unsched := &probe{name: "A", calls: &calls, preFilter: func(*api.Pod) (*framework.PreFilterResult, *framework.Status) {
		return nil, framework.NewStatus(framework.Unschedulable, "A says no")
	}}
	second := &probe{name: "B", calls: &calls}
	w := probeWorld(t, []*probe{unsched, second}, map[string][]string{"preFilter": {"A", "B"}})
	for i := range 3 {
		w.addNode(makeNode(fmt.Sprint("n", i), "", 1000, gi))
	}
	w.s.Start()
	w.addPod(makePod("p", 0, 0))
	w.run(time.Millisecond)
	if strings.Join(calls, ",") != "A.PreFilter,B.PreFilter" {
		t.Fatalf("Unschedulable must not stop PreFilter: %v", calls)
	}
	if got := lastEvent(w, "FailedScheduling"); got != "0/3 nodes are available: A says no." {
		t.Fatalf("message %q", got)
	}

	// Node sets intersect; an empty intersection is UnschedulableAndUnresolvable.
	set := func(names ...string) *framework.PreFilterResult {
		m := map[string]struct{}{}
		for _, n := range names {
			m[n] = struct{}{}
		}
		return &framework.PreFilterResult{NodeNames: m}
	}
	calls = nil
	x := &probe{name: "X", calls: &calls, preFilter: func(*api.Pod) (*framework.PreFilterResult, *framework.Status) { return set("n0", "n1"), nil }}
	y := &probe{name: "Y", calls: &calls, preFilter: func(*api.Pod) (*framework.PreFilterResult, *framework.Status) { return set("n2"), nil }}
	z := &probe{name: "Z", calls: &calls}
	w = probeWorld(t, []*probe{x, y, z}, map[string][]string{"preFilter": {"X", "Y", "Z"}})
	for i := range 3 {
		w.addNode(makeNode(fmt.Sprint("n", i), "", 1000, gi))
	}
	w.s.Start()
	w.addPod(makePod("p", 0, 0))
	w.run(time.Millisecond)
	if strings.Join(calls, ",") != "X.PreFilter,Y.PreFilter" {
		t.Fatalf("empty intersection must stop PreFilter: %v", calls)
	}
	if got := lastEvent(w, "FailedScheduling"); got != "0/3 nodes are available: node(s) didn't satisfy plugin(s) [X Y] simultaneously." {
		t.Fatalf("message %q", got)
	}

	// A restriction to one node: only it is filtered; others are absent.
	only := &probe{name: "O", preFilter: func(*api.Pod) (*framework.PreFilterResult, *framework.Status) { return set("n1"), nil },
		filter: func(_ *api.Pod, n *framework.NodeInfo) *framework.Status {
			return framework.NewStatus(framework.Unschedulable, "nope on "+n.Name())
		}}
	w = probeWorld(t, []*probe{only}, map[string][]string{"preFilter": {"O"}, "filter": {"O"}})
	for i := range 3 {
		w.addNode(makeNode(fmt.Sprint("n", i), "", 1000, gi))
	}
	w.s.Start()
	w.addPod(makePod("p", 0, 0))
	w.run(time.Millisecond)
	if got := lastEvent(w, "FailedScheduling"); got != "0/3 nodes are available: 1 nope on n1, 2 node(s) didn't satisfy plugin(s) [O]." {
		t.Fatalf("message %q", got)
	}
}

func TestFitErrorHistogram(t *testing.T) {
	w, err := newWorld(Config{})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		w.addNode(makeNode(fmt.Sprint("small", i), "", 500, gi))
		n := makeNode(fmt.Sprint("tainted", i), "", 8000, 8*gi)
		n.Taints = []api.Taint{{Key: "dedicated", Value: "gpu", Effect: api.TaintNoSchedule}}
		w.addNode(n)
	}
	// Cordoned and tainted: the first filter in the profile's order,
	// NodeUnschedulable, names it.
	c := makeNode("cordoned", "", 8000, 8*gi)
	c.Unschedulable = true
	c.Taints = []api.Taint{{Key: "dedicated", Value: "gpu", Effect: api.TaintNoSchedule}}
	w.addNode(c)
	w.s.Start()
	w.addPod(makePod("p", 1000, gi))
	w.run(time.Millisecond)
	want := "0/7 nodes are available: 1 node(s) were unschedulable, 3 Insufficient cpu, 3 node(s) had untolerated taint {dedicated: gpu}."
	if got := lastEvent(w, "FailedScheduling"); got != want {
		t.Fatalf("message %q, want %q", got, want)
	}
}

func TestScoreOutOfRangeIsError(t *testing.T) {
	bad := &probe{name: "Bad", score: func(*framework.NodeInfo) int64 { return 101 }}
	w := probeWorld(t, []*probe{bad}, map[string][]string{"score": {"Bad"}})
	w.addNode(makeNode("n0", "", 1000, gi))
	w.addNode(makeNode("n1", "", 1000, gi))
	w.s.Start()
	w.addPod(makePod("p", 0, 0))
	w.run(time.Millisecond)
	want := `plugin "Bad" returns an invalid score 101, it should in the range of [0, 100] after normalizing`
	if got := lastEvent(w, "FailedScheduling"); got != want {
		t.Fatalf("message %q", got)
	}
	// Two plugins out of range on different nodes: the first in profile
	// order is named, whichever node comes first.
	late := &probe{name: "Late", score: func(n *framework.NodeInfo) int64 {
		if n.Name() == "n1" {
			return 102
		}
		return 0
	}}
	early := &probe{name: "Early", score: func(n *framework.NodeInfo) int64 {
		if n.Name() == "n0" {
			return -1
		}
		return 0
	}}
	w = probeWorld(t, []*probe{late, early}, map[string][]string{"score": {"Late", "Early"}})
	w.addNode(makeNode("n0", "", 1000, gi))
	w.addNode(makeNode("n1", "", 1000, gi))
	w.s.Start()
	w.addPod(makePod("p", 0, 0))
	w.run(time.Millisecond)
	want = `plugin "Late" returns an invalid score 102, it should in the range of [0, 100] after normalizing`
	if got := lastEvent(w, "FailedScheduling"); got != want {
		t.Fatalf("two plugins out of range: message %q", got)
	}
	// With NormalizeScore mapping into range (÷10), the same raw scores pass.
	norm := &probe{name: "Norm", normalize: true, score: func(n *framework.NodeInfo) int64 {
		if n.Name() == "n1" {
			return 900
		}
		return 101
	}}
	w = probeWorld(t, []*probe{norm}, map[string][]string{"score": {"Norm"}})
	w.addNode(makeNode("n0", "", 1000, gi))
	w.addNode(makeNode("n1", "", 1000, gi))
	w.s.Start()
	w.addPod(makePod("p", 0, 0))
	w.run(time.Second)
	if w.pod("p").NodeName != "n1" {
		t.Fatalf("bound to %q, want n1", w.pod("p").NodeName)
	}
}

func TestReserveFailureUnreserves(t *testing.T) {
	var calls []string
	ok := &probe{name: "R1", calls: &calls}
	bad := &probe{name: "R2", calls: &calls, reserve: framework.NewStatus(framework.Unschedulable, "no room")}
	w := probeWorld(t, []*probe{ok, bad}, map[string][]string{"reserve": {"R1", "R2"}})
	w.addNode(makeNode("n0", "", 1000, gi))
	w.s.Start()
	w.addPod(makePod("p", 0, 0))
	w.run(time.Millisecond)
	if got := strings.Join(calls, ","); got != "R1.Reserve,R2.Reserve,R2.Unreserve,R1.Unreserve" {
		t.Fatalf("calls %s", got)
	}
	if got := lastEvent(w, "FailedScheduling"); got != "0/1 nodes are available: 1 no room." {
		t.Fatalf("message %q", got)
	}
	if ni, _ := w.s.Cache().Get("n0"); len(ni.Pods) != 0 {
		t.Fatal("assumed pod not forgotten")
	}
}

func TestPermitWait(t *testing.T) {
	var calls []string
	gate := &probe{name: "Gate", calls: &calls, permit: framework.NewStatus(framework.Wait), wait: 10 * time.Second}
	w := probeWorld(t, []*probe{gate}, map[string][]string{"permit": {"Gate"}, "reserve": {"Gate"}})
	w.addNode(makeNode("n0", "", 1000, gi))
	w.s.Start()
	w.addPod(makePod("a", 0, 0))
	w.addPod(makePod("b", 0, 0))
	w.run(time.Second)
	h := &handle{s: w.s}
	if wp := h.GetWaitingPod(w.pod("a").UID); wp == nil || w.pod("a").NodeName != "" {
		t.Fatal("a not waiting")
	}
	// Allow a: bound BindLatency later. b times out at 10 s and is rejected.
	h.GetWaitingPod(w.pod("a").UID).Allow("Gate")
	w.run(10 * time.Millisecond)
	if w.pod("a").NodeName != "n0" {
		t.Fatal("a not bound after Allow")
	}
	w.run(10 * time.Second)
	if w.pod("b").NodeName != "" || !strings.Contains(lastEvent(w, "FailedScheduling"), "rejected due to timeout after waiting 10s at plugin Gate") {
		t.Fatalf("b: node %q, event %q", w.pod("b").NodeName, lastEvent(w, "FailedScheduling"))
	}
	if !strings.Contains(strings.Join(calls, ","), "Gate.Unreserve") {
		t.Fatal("timeout did not unreserve")
	}
}

func TestRotatingStartIndex(t *testing.T) {
	w, err := newWorld(Config{})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 200 {
		w.addNode(makeNode(fmt.Sprintf("n%03d", i), "", 100000, 1000*gi))
	}
	w.s.Start()
	w.run(time.Millisecond)
	prof := w.s.Profile("default-scheduler")
	pod := makePod("p", 1, 1)
	if _, _, st := w.s.schedulePod(prof, framework.NewCycleState(), pod); !st.IsSuccess() {
		t.Fatal(st.Message())
	}
	if w.s.nextStartNodeIndex != 100 {
		t.Fatalf("index %d after one cycle, want 100 (k=100 of 200)", w.s.nextStartNodeIndex)
	}
	w.s.schedulePod(prof, framework.NewCycleState(), pod)
	if w.s.nextStartNodeIndex != 0 {
		t.Fatalf("index %d after two cycles, want 0", w.s.nextStartNodeIndex)
	}
}
