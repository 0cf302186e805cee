package scheduler

import (
	"fmt"
	"testing"
	"time"

	"github.com/kubesim/kubesim/scheduler/framework"
	"github.com/kubesim/kubesim/sim/api"
)

// constScore scores every node 0.
type constScore struct{ name string }

func (c constScore) Name() string { return c.name }
func (constScore) Score(*framework.CycleState, *api.Pod, *framework.NodeInfo) (int64, *framework.Status) {
	return 0, nil
}
func (constScore) ScoreExtensions() framework.ScoreExtensions { return nil }

// placements schedules six small pods on five equal nodes, one at a time,
// with score plugins that score equal nodes equally, and returns the node of
// each.
func placements(t *testing.T, tieBreak string) []string {
	t.Helper()
	reg := fakeRegistry()
	for _, name := range []string{"NodeResourcesFit", "NodeResourcesBalancedAllocation"} {
		reg[name] = func(any, framework.Handle) (framework.Plugin, error) { return constScore{name}, nil }
	}
	w, err := newWorld(Config{TieBreak: tieBreak, Registry: reg})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 5 {
		w.addNode(makeNode(fmt.Sprintf("n%d", i), "a", 8000, 16*gi))
	}
	w.s.Start()
	var out []string
	for i := range 6 {
		name := fmt.Sprintf("p%d", i)
		w.addPod(makePod(name, 100, gi))
		w.run(time.Duration(i+1) * time.Second)
		out = append(out, w.pod(name).NodeName)
	}
	return out
}

// TestTieBreakPermutation: with TieBreakPermutation every tie goes to the
// same node (the first of the run's random node order), where upstream's
// random tie-break spreads the pods.
func TestTieBreakPermutation(t *testing.T) {
	perm := placements(t, TieBreakPermutation)
	for _, n := range perm {
		if n == "" || n != perm[0] {
			t.Fatalf("permutation tie-break placed the pods on %v, want one node", perm)
		}
	}
	if again := placements(t, TieBreakPermutation); fmt.Sprint(again) != fmt.Sprint(perm) {
		t.Errorf("not deterministic: %v then %v", perm, again)
	}
	random := placements(t, "")
	distinct := map[string]bool{}
	for _, n := range random {
		distinct[n] = true
	}
	if len(distinct) < 2 {
		t.Errorf("random tie-break placed every pod on %v", random)
	}
}

// TestTieBreakValidate: an unknown rule is a configuration error.
func TestTieBreakValidate(t *testing.T) {
	if _, err := newWorld(Config{TieBreak: "smallest"}); err == nil {
		t.Error("tieBreak smallest: no error")
	}
}
