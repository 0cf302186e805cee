package nodelifecycle

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/kubesim/kubesim/controllers/internal/script"

	"github.com/kubesim/kubesim/sim"
	"github.com/kubesim/kubesim/sim/api"
)

// unknownAt runs until the node's Ready condition is Unknown and returns
// when it became so (sim.Never if not by until).
func (h *harness) unknownAt(node string, until sim.Time) sim.Time {
	for h.eng.Now() < until {
		h.eng.Run(min(until, h.eng.Now()+sim.Time(time.Second)))
		n, _ := h.st.Nodes.GetKey(node)
		if c := api.FindCondition(n.Conditions, api.NodeReady); c != nil && c.Status == api.ConditionUnknown {
			return c.LastTransitionTime
		}
	}
	return sim.Never
}

// TestUnknownAtFirstTickAfterGrace: a renewal is seen at the first tick at
// or after it (ticks every 5 s from the controller's start); the node goes
// Unknown at the first tick at or after that + the grace period, and is
// tainted NoExecute at the tick after.
func TestUnknownAtFirstTickAfterGrace(t *testing.T) {
	for _, tc := range []struct {
		name               string
		start, first, stop float64 // controller start, first renewal, kubelet stop
		grace              time.Duration
		wantUnknown        float64
	}{
		// Renewals at 0, 10, ..., 600: the last is 600, seen at 600.
		{"renewal on a tick", 0, 0, 600, 0, 650},
		// Renewals at 3, 13, ..., 593: seen at 595; 595+50 = 645.
		{"renewal between ticks", 0, 3, 600, 0, 645},
		// Renewals at 7, ..., 597, seen at 600: 650.
		{"renewal just before a tick", 0, 7, 604.9, 0, 650},
		// Ticks at 2, 7, 12, ...; renewals at 2, ..., 592, seen at 592 (a
		// tick here, 595 with ticks from 0): Unknown at 642.
		{"controller started at 2 s", 2, 2, 600, 0, 642},
		// The pre-1.32 default of 40 s.
		{"grace 40 s", 0, 0, 600, 40 * time.Second, 640},
	} {
		t.Run(tc.name, func(t *testing.T) {
			eng := sim.NewEngine(1, 0)
			eng.Run(at(tc.start))
			h2 := newHarnessAt(eng, Config{MonitorGracePeriod: tc.grace})
			h2.eng.Run(at(tc.first))
			h2.addNode("n1", "", true)
			h2.addNode("n2", "", true)
			h2.eng.Run(at(tc.stop))
			h2.crash("n1")
			got := h2.unknownAt("n1", at(tc.wantUnknown+60))
			if got != at(tc.wantUnknown) {
				t.Fatalf("Unknown at %v, want %v", got, at(tc.wantUnknown))
			}
			h2.eng.Run(at(tc.wantUnknown + 10))
			if ta, ok := h2.noExecuteAt("n1", api.TaintNodeUnreachable); !ok || ta != at(tc.wantUnknown+5) {
				t.Fatalf("unreachable:NoExecute at %v (%v), want %v", ta, ok, at(tc.wantUnknown+5))
			}
		})
	}
}

// TestStartupGrace: a node whose kubelet wrote a lease but never posted
// Ready goes Unknown (NodeStatusNeverUpdated) 60 s after its creation, and
// is queued for the NoExecute taint in the same pass (its observed Ready
// was already Unknown). A healthy node keeps the zone out of FullDisruption.
func TestStartupGrace(t *testing.T) {
	h := newHarness(Config{})
	h.addNode("n0", "", true)
	h.eng.Run(at(1))
	script.Must(h.st.Nodes.Create("test", &api.Node{ObjectMeta: api.ObjectMeta{Name: "n1"}}, "test"))
	script.Must(h.st.Leases.Create("test", &api.Lease{ObjectMeta: api.ObjectMeta{Namespace: api.NodeLeaseNamespace, Name: "n1"},
		RenewTime: h.eng.Now(), RenewInterval: 10 * time.Second}, "test"))
	h.eng.Run(at(100))
	n, _ := h.st.Nodes.GetKey("n1")
	c := api.FindCondition(n.Conditions, api.NodeReady)
	// Seen at the 5 s tick (probe 5 s), stale at 65 s.
	if c == nil || c.Status != api.ConditionUnknown || c.Reason != ReasonNodeStatusNeverUpdated || c.LastTransitionTime != at(65) {
		t.Fatalf("Ready = %+v, want Unknown NodeStatusNeverUpdated at 65s", c)
	}
	if ta, ok := h.noExecuteAt("n1", api.TaintNodeUnreachable); !ok || ta != at(65) {
		t.Fatalf("NoExecute at %v %v, want 65s", ta, ok)
	}
	for _, typ := range []string{NodeMemoryPressure, NodeDiskPressure, NodePIDPressure} {
		if c := api.FindCondition(n.Conditions, typ); c == nil || c.Status != api.ConditionUnknown {
			t.Fatalf("%s = %+v, want Unknown", typ, c)
		}
	}
}

// TestNodeWithoutLeaseNeverStale: without a Lease no heartbeat is modelled.
func TestNodeWithoutLeaseNeverStale(t *testing.T) {
	h := newHarness(Config{})
	h.addNode("n1", "", false)
	h.eng.Run(at(3600))
	if n, _ := h.st.Nodes.GetKey("n1"); !n.IsReady() || h.writes != 0 {
		t.Fatalf("node %s, %d writes", describeNode(n), h.writes)
	}
}

// TestHealthyClusterCostsNothing: 1 000 nodes renewing their leases for
// seven days: two passes (at start, and at the tick after the nodes
// appeared), no write, and a few events per node in all.
func TestHealthyClusterCostsNothing(t *testing.T) {
	h := newHarness(Config{})
	for i := range 1000 {
		h.addNode(fmt.Sprintf("n%d", i), fmt.Sprintf("z%d", i%3), true)
	}
	h.eng.Run(at(7 * 24 * 3600))
	if p := h.c.Passes(); p > 2 {
		t.Fatalf("%d monitor passes, want ≤ 2", p)
	}
	if h.writes != 0 {
		t.Fatalf("%d writes", h.writes)
	}
	if f := h.eng.Fired(); f > 5000 {
		t.Fatalf("%d events fired", f)
	}
}

// TestSecondPassWritesNothing: after a node went Unknown and was tainted,
// another monitor pass and a sync of every key change nothing.
func TestSecondPassWritesNothing(t *testing.T) {
	h := newHarness(Config{})
	for _, n := range []string{"n1", "n2", "n3"} {
		h.addNode(n, "", true)
	}
	h.addPod("a", "n1")
	h.eng.Run(at(300))
	h.crash("n1")
	h.not(t, "n2")
	h.eng.Run(at(500))
	before := h.writes
	h.c.monitor(h.eng.Now())
	for _, n := range []string{"n1", "n2", "n3"} {
		if _, err := h.c.Reconcile(nodeKey(n)); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := h.c.Reconcile(podKey("default/a")); err != nil {
		t.Fatal(err)
	}
	h.c.taintPass(h.eng.Now())
	if h.writes != before {
		t.Fatalf("%d writes on unchanged state:\n%s", h.writes-before, strings.Join(h.log[len(h.log)-(h.writes-before):], "\n"))
	}
}

func (h *harness) not(t *testing.T, node string) {
	t.Helper()
	h.setReady(node, api.ConditionFalse, "KubeletNotReady")
}

// TestPartialDisruption: 40 of a 60-node zone down is PartialDisruption
// (40/60 ≥ 0.55); the zone is larger than 50, so it is tainted at the
// secondary rate, one node per 100 s. In a zone of 4 with 3 down the rate
// is 0: nothing is tainted.
func TestPartialDisruption(t *testing.T) {
	h := newHarness(Config{})
	for i := range 60 {
		h.addNode(fmt.Sprintf("a%02d", i), "a", true)
	}
	for i := range 4 {
		h.addNode(fmt.Sprintf("s%d", i), "small", true)
	}
	h.addNode("b0", "b", true)
	h.eng.Run(at(300))
	for i := range 40 {
		h.crash(fmt.Sprintf("a%02d", i))
	}
	for i := range 3 {
		h.crash(fmt.Sprintf("s%d", i))
	}
	h.eng.Run(at(700))
	var times []sim.Time
	for i := range 40 {
		if ta, ok := h.noExecuteAt(fmt.Sprintf("a%02d", i), api.TaintNodeUnreachable); ok {
			times = append(times, ta)
		}
	}
	// Unknown at 350; the 350 pass makes the zone Partial (its full bucket
	// gives its token to the swap and the new one starts full); queued at
	// 355, tainted at 355, 455, 555, 655.
	want := []sim.Time{at(355), at(455), at(555), at(655)}
	if fmt.Sprint(times) != fmt.Sprint(want) {
		t.Fatalf("taint times %v, want %v", times, want)
	}
	for i := range 3 {
		if _, ok := h.noExecuteAt(fmt.Sprintf("s%d", i), api.TaintNodeUnreachable); ok {
			t.Fatalf("s%d tainted in a small partially disrupted zone", i)
		}
	}
	states := fmt.Sprint(h.printZones())
	if !strings.Contains(states, `"::a" PartialDisruption rate=0.01`) || !strings.Contains(states, `"::small" PartialDisruption rate=0 `) {
		t.Fatalf("zones %s", states)
	}
}

func TestComputeZoneState(t *testing.T) {
	r, n := true, false
	for _, tc := range []struct {
		ready []bool
		bad   int
		want  ZoneState
	}{
		{[]bool{r, r, r}, 0, StateNormal},
		{[]bool{n}, 1, StateFullDisruption},
		{[]bool{n, n, n}, 3, StateFullDisruption},
		{[]bool{n, n, r}, 2, StateNormal},               // not more than 2 down
		{[]bool{n, n, n, r}, 3, StatePartialDisruption}, // 0.75
		{[]bool{n, n, n, r, r, r}, 3, StateNormal},      // 0.5 < 0.55
		{[]bool{n, n, n, n, n, n, n, n, n, n, n, r, r, r, r, r, r, r, r, r}, 11, StatePartialDisruption}, // 0.55
		{nil, 0, StateNormal},
	} {
		bad, st := ComputeZoneState(tc.ready, DefaultUnhealthyZoneThreshold)
		if bad != tc.bad || st != tc.want {
			t.Errorf("%v: %d %s, want %d %s", tc.ready, bad, st, tc.bad, tc.want)
		}
	}
}

func TestZoneKey(t *testing.T) {
	for _, tc := range []struct {
		labels map[string]string
		want   string
	}{
		{nil, ""},
		{map[string]string{api.LabelZone: "a"}, ":\x00:a"},
		{map[string]string{api.LabelZone: "a", api.LabelRegion: "r"}, "r:\x00:a"},
		{map[string]string{LabelZoneBeta: "old", LabelRegionBeta: "r"}, "r:\x00:old"},
		{map[string]string{api.LabelZone: "new", LabelZoneBeta: "old"}, ":\x00:new"},
	} {
		if got := ZoneKey(&api.Node{ObjectMeta: api.ObjectMeta{Labels: tc.labels}}); got != tc.want {
			t.Errorf("%v: %q, want %q", tc.labels, got, tc.want)
		}
	}
}

// TestBucket: burst 1, one token per 1/qps; a swap keeps nothing when the
// rate is unchanged, and drains the new bucket when the old one was empty.
func TestBucket(t *testing.T) {
	b := newBucket(0.1, 0)
	steps := []struct {
		at   float64
		want bool
	}{{0, true}, {0.1, false}, {9.9, false}, {10, true}, {25, true}, {34.9, false}, {35, true}}
	for _, s := range steps {
		if got := b.tryAccept(at(s.at)); got != s.want {
			t.Fatalf("tryAccept at %gs = %v, want %v", s.at, got, s.want)
		}
	}
	b.swap(0.1, at(36)) // unchanged
	if b.next != at(45) {
		t.Fatalf("same-rate swap changed the bucket: next %v", b.next)
	}
	b.swap(0.01, at(36)) // old empty: new drained, next token 100 s later
	if b.qps != 0.01 || b.next != at(136) {
		t.Fatalf("after swap: %+v", b)
	}
	b.swap(0, at(50))
	if b.tryAccept(at(1e6)) {
		t.Fatal("a zero-rate bucket gave a token")
	}
	b.swap(0.1, at(200)) // from the never-limiter: drained
	if b.next != at(210) {
		t.Fatalf("from zero: next %v, want 210s", b.next)
	}
	b2 := newBucket(0.1, 0)
	b2.swap(0.01, at(5)) // old full: its token is spent on the swap, new one full
	if !b2.tryAccept(at(5)) || b2.tryAccept(at(104)) || !b2.tryAccept(at(105)) {
		t.Fatalf("swap from a full bucket: %+v", b2)
	}
}
