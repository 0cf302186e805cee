package random

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/kubesim/kubesim/scheduler/framework"
	tu "github.com/kubesim/kubesim/scheduler/plugins/internal/testutil"
	"github.com/kubesim/kubesim/sim"
)

func newPlugin(t testing.TB, h framework.Handle) *Random {
	t.Helper()
	pl, err := New(nil, h)
	if err != nil {
		t.Fatal(err)
	}
	return pl.(*Random)
}

// TestScoresAreTheStreamsDraws checks each Score call against the named
// stream of seed 1, run 0: one draw of IntN(101) per call, in call order.
func TestScoresAreTheStreamsDraws(t *testing.T) {
	pl := newPlugin(t, tu.NewHandle())
	want := sim.NewStream(1, 0, StreamName)
	ni := tu.NodeInfo(tu.MakeNode().Name("n").Alloc(1000, tu.Gi).Obj())
	p := tu.MakePod().Name("p").Req(100, tu.Mi).Obj()
	var seen0, seen100 bool
	for i := range 5000 {
		s, st := pl.Score(framework.NewCycleState(), p, ni)
		if !st.IsSuccess() {
			t.Fatal(st.Message())
		}
		if w := want.Int64N(101); s != w {
			t.Fatalf("draw %d: %d, want %d", i, s, w)
		}
		if s < framework.MinNodeScore || s > framework.MaxNodeScore {
			t.Fatalf("draw %d out of range: %d", i, s)
		}
		seen0 = seen0 || s == 0
		seen100 = seen100 || s == 100
	}
	if !seen0 || !seen100 {
		t.Errorf("bounds never drawn: 0 %v, 100 %v", seen0, seen100)
	}
}

// TestDeterministicPerSeed: the same seed gives the same scores, another
// seed different ones.
func TestDeterministicPerSeed(t *testing.T) {
	draws := func(seed uint64) []int64 {
		h := tu.NewHandle()
		h.Engine = sim.NewEngine(seed, 0)
		pl := newPlugin(t, h)
		ni := tu.NodeInfo(tu.MakeNode().Name("n").Alloc(1000, tu.Gi).Obj())
		out := make([]int64, 20)
		for i := range out {
			out[i], _ = pl.Score(nil, nil, ni)
		}
		return out
	}
	a, b, c := draws(7), draws(7), draws(8)
	if !equal(a, b) {
		t.Errorf("seed 7 twice: %v vs %v", a, b)
	}
	if equal(a, c) {
		t.Errorf("seeds 7 and 8 agree: %v", a)
	}
}

func equal(a, b []int64) bool {
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return len(a) == len(b)
}

// TestSpreadsUniformly places 4000 small pods on 4 identical nodes with only
// Random scoring: each node gets about a quarter (ties, 1 in 101 per pair,
// go to the first node, a bias far below the tolerance).
func TestSpreadsUniformly(t *testing.T) {
	h := tu.NewHandle()
	var nodes []*framework.NodeInfo
	for _, n := range []string{"a", "b", "c", "d"} {
		nodes = append(nodes, tu.NodeInfo(tu.MakeNode().Name(n).Alloc(1_000_000, 1000*tu.Gi).Pods(10_000).Obj()))
	}
	pl := newPlugin(t, h)
	count := map[string]int{}
	for i := range 4000 {
		got := tu.Place(t, pl, nodes, tu.MakePod().Name("p"+string(rune('0'+i%10))).Req(1, 1).Obj())
		count[got[0]]++
	}
	for _, n := range []string{"a", "b", "c", "d"} {
		if c := count[n]; c < 850 || c > 1150 {
			t.Errorf("node %s got %d of 4000 pods, want about 1000 (%v)", n, c, count)
		}
	}
}

func TestNewArgs(t *testing.T) {
	h := tu.NewHandle()
	for _, ok := range []any{nil, &Args{}, json.RawMessage(`{}`), json.RawMessage(` null `)} {
		if _, err := New(ok, h); err != nil {
			t.Errorf("%v: %v", ok, err)
		}
	}
	if _, err := New(json.RawMessage(`{"seed":3}`), h); err == nil || !strings.Contains(err.Error(), `Random: args: unknown field "seed"`) {
		t.Errorf("unknown field: %v", err)
	}
	if _, err := New(nil, nil); err == nil {
		t.Error("no handle: no error")
	}
	if _, err := New(3, h); err == nil || !strings.Contains(err.Error(), "*random.Args") {
		t.Errorf("wrong type: %v", err)
	}
}
