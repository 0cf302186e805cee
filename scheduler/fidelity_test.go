package scheduler_test

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/kubesim/kubesim/scheduler"
	"github.com/kubesim/kubesim/workloads"
)

// expectedCase is the part of a case-NNNN.expected.json the fidelity test
// compares (see testdata/fidelity/README.md).
type expectedCase struct {
	Release string                  `json:"release"`
	Pod     string                  `json:"pod"`
	Nodes   map[string]expectedNode `json:"nodes"`
	Best    []string                `json:"best"`
	// Message is upstream's FitError message, present when nothing fits.
	Message string `json:"message"`
}

type expectedNode struct {
	Feasible bool             `json:"feasible"`
	Reasons  []string         `json:"reasons"`
	Plugin   string           `json:"plugin"`
	Scores   map[string]int64 `json:"scores"`
	Total    int64            `json:"total"`
}

// TestFidelity runs Explain on every case of testdata/fidelity and compares
// it with upstream kube-scheduler's answers: each node's feasibility, each
// score plugin's weighted score (absent counts as 0), each total and the best
// set. A failing case reports every difference, per node and per plugin.
func TestFidelity(t *testing.T) {
	files, err := filepath.Glob("testdata/fidelity/case-*.yaml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no fidelity cases in testdata/fidelity: %v", err)
	}
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), ".yaml")
		t.Run(name, func(t *testing.T) {
			want := readExpected(t, strings.TrimSuffix(f, ".yaml")+".expected.json")
			got := explainFile(t, f)
			if diffs := compareCase(want, got); len(diffs) > 0 {
				t.Errorf("%s (%s) disagrees with upstream %s in %d place(s):\n  %s", name, want.Pod, want.Release, len(diffs), strings.Join(diffs, "\n  "))
			}
		})
	}
}

// TestFidelityReasons checks what TestFidelity leaves out, upstream's
// wording: each infeasible node's reasons and the plugin that gave them, and
// the "0/N nodes are available" message when nothing fits.
func TestFidelityReasons(t *testing.T) {
	files, err := filepath.Glob("testdata/fidelity/case-*.yaml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no fidelity cases in testdata/fidelity: %v", err)
	}
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), ".yaml")
		t.Run(name, func(t *testing.T) {
			want := readExpected(t, strings.TrimSuffix(f, ".yaml")+".expected.json")
			got := explainFile(t, f)
			var diffs []string
			for _, n := range sortedKeys(want.Nodes) {
				w, g := want.Nodes[n], got.Nodes[n]
				if w.Feasible || g == nil || g.Feasible {
					continue // feasibility is TestFidelity's
				}
				if strings.Join(g.Reasons, "; ") != strings.Join(w.Reasons, "; ") || g.Plugin != w.Plugin {
					diffs = append(diffs, fmt.Sprintf("node %s: %s %q, want %s %q", n, orNone(g.Plugin), g.Reasons, orNone(w.Plugin), w.Reasons))
				}
			}
			if want.Message != "" && got.Message != want.Message {
				diffs = append(diffs, fmt.Sprintf("message %q,\n    want %q", got.Message, want.Message))
			}
			if len(diffs) > 0 {
				t.Errorf("%s (%s): %d wording difference(s) from upstream:\n  %s", name, want.Pod, len(diffs), strings.Join(diffs, "\n  "))
			}
		})
	}
}

// explainFile loads a state file and explains its pending pod with the
// default configuration.
func explainFile(t *testing.T, path string) *scheduler.Explanation {
	t.Helper()
	objs, err := workloads.LoadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	st, pod, err := scheduler.BuildState(objs)
	if err != nil {
		t.Fatal(err)
	}
	e, err := scheduler.Explain(st, nil, pod)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func readExpected(t *testing.T, path string) *expectedCase {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var want expectedCase
	if err := json.Unmarshal(data, &want); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return &want
}

// compareCase lists the differences between upstream's answer and ours, one
// line each: the pod, the node set, per node feasibility, per plugin score
// and total, and the best set.
func compareCase(want *expectedCase, got *scheduler.Explanation) []string {
	var diffs []string
	add := func(format string, a ...any) { diffs = append(diffs, fmt.Sprintf(format, a...)) }
	if got.Pod != want.Pod {
		add("pod: got %s, want %s", got.Pod, want.Pod)
	}
	for _, n := range sortedKeys(want.Nodes) {
		w := want.Nodes[n]
		g, ok := got.Nodes[n]
		if !ok {
			add("node %s: missing", n)
			continue
		}
		if g.Feasible != w.Feasible {
			add("node %s: feasible %t, want %t (got reasons %q by %s; upstream %q by %s)",
				n, g.Feasible, w.Feasible, g.Reasons, orNone(g.Plugin), w.Reasons, orNone(w.Plugin))
			continue
		}
		if !w.Feasible {
			continue
		}
		plugins := map[string]bool{}
		for p := range w.Scores {
			plugins[p] = true
		}
		for p := range g.Scores {
			plugins[p] = true
		}
		for _, p := range sortedKeys(plugins) {
			if gs, ws := g.Scores[p], w.Scores[p]; gs != ws {
				add("node %s: %s %d, want %d", n, p, gs, ws)
			}
		}
		if g.Total != w.Total {
			add("node %s: total %d, want %d", n, g.Total, w.Total)
		}
	}
	for _, n := range sortedKeys(got.Nodes) {
		if _, ok := want.Nodes[n]; !ok {
			add("node %s: not in upstream's answer", n)
		}
	}
	best := append([]string(nil), want.Best...)
	sort.Strings(best)
	if strings.Join(got.Best, ",") != strings.Join(best, ",") {
		add("best: %v, want %v", got.Best, best)
	}
	return diffs
}

func orNone(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
