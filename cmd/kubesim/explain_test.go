package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
)

// explainCase is a fidelity case with upstream kube-scheduler v1.35.8's answer
// (see scheduler/testdata/fidelity/README.md): 4 feasible nodes scored by
// six plugins, including ImageLocality and preferred pod affinity.
const explainCase = "../../scheduler/testdata/fidelity/case-0100"

// TestExplainJSONAgreesWithUpstream runs `kubesim explain -o json` on a case
// and compares its output with upstream's answer: the exact top-level shape,
// every node's feasibility, every plugin's weighted score (absent = 0), every
// total and the best set.
func TestExplainJSONAgreesWithUpstream(t *testing.T) {
	code, out, errOut := run(t, "explain", "-f", explainCase+".yaml", "-o", "json")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var shape map[string]json.RawMessage
	if err := json.Unmarshal([]byte(out), &shape); err != nil {
		t.Fatalf("output is not JSON: %v\n%s", err, out)
	}
	if keys := sortedKeys(shape); strings.Join(keys, ",") != "best,nodes,pod" {
		t.Errorf("top-level keys = %v, want best, nodes, pod", keys)
	}
	type node struct {
		Feasible bool             `json:"feasible"`
		Reasons  []string         `json:"reasons"`
		Scores   map[string]int64 `json:"scores"`
		Total    *int64           `json:"total"`
	}
	type answer struct {
		Pod   string          `json:"pod"`
		Nodes map[string]node `json:"nodes"`
		Best  []string        `json:"best"`
	}
	var got, want answer
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(explainCase + ".expected.json")
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, &want); err != nil {
		t.Fatal(err)
	}
	if got.Pod != want.Pod {
		t.Errorf("pod = %q, want %q", got.Pod, want.Pod)
	}
	if len(got.Nodes) != len(want.Nodes) {
		t.Errorf("%d nodes, want %d", len(got.Nodes), len(want.Nodes))
	}
	for name, w := range want.Nodes {
		g, ok := got.Nodes[name]
		switch {
		case !ok:
			t.Errorf("node %s missing", name)
			continue
		case g.Feasible != w.Feasible:
			t.Errorf("node %s: feasible %t, want %t", name, g.Feasible, w.Feasible)
			continue
		case g.Reasons == nil:
			t.Errorf("node %s: reasons must be an array, even when empty", name)
		}
		if !w.Feasible {
			if g.Scores != nil || g.Total != nil {
				t.Errorf("node %s: infeasible, yet has scores %v / total", name, g.Scores)
			}
			continue
		}
		if g.Total == nil || *g.Total != *w.Total {
			t.Errorf("node %s: total %v, want %d", name, g.Total, *w.Total)
		}
		for p := range union(g.Scores, w.Scores) {
			if g.Scores[p] != w.Scores[p] {
				t.Errorf("node %s: %s %d, want %d", name, p, g.Scores[p], w.Scores[p])
			}
		}
	}
	sort.Strings(want.Best)
	if strings.Join(got.Best, ",") != strings.Join(want.Best, ",") {
		t.Errorf("best = %v, want %v", got.Best, want.Best)
	}
}

func TestExplainTable(t *testing.T) {
	code, out, errOut := run(t, "explain", "--file", explainCase+".yaml")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, want := range []string{"pod prod/metrics-w5dkrxwn9r-rzkn9: 4 nodes", "TaintToleration ×3", "Total",
		"feasible", "best: worker-03 "} {
		if !strings.Contains(out, want) {
			t.Errorf("table lacks %q:\n%s", want, out)
		}
	}
	if strings.Count(out, "│ * │") != 1 {
		t.Errorf("want exactly one best node marked *:\n%s", out)
	}
	// Deterministic: the same bytes twice.
	if _, again, _ := run(t, "explain", "--file", explainCase+".yaml"); again != out {
		t.Error("table output differs between runs")
	}
}

func TestExplainNothingFits(t *testing.T) {
	code, out, errOut := run(t, "explain", "-f", "../../scheduler/testdata/fidelity/case-0125.yaml", "-o", "json")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if !strings.Contains(out, `"best": []`) {
		t.Errorf("best must be an empty array when nothing fits:\n%.400s", out)
	}
	_, table, _ := run(t, "explain", "-f", "../../scheduler/testdata/fidelity/case-0010.yaml")
	for _, want := range []string{"InterPodAffinity: node(s) didn't match pod anti-affinity rules",
		"no feasible node: 0/5 nodes are available: 1 node(s) didn't match pod anti-affinity rules, 1 node(s) were unschedulable, 3 node(s) had untolerated taint(s)."} {
		if !strings.Contains(table, want) {
			t.Errorf("table lacks %q:\n%s", want, table)
		}
	}
}

func TestExplainBadInput(t *testing.T) {
	dir := t.TempDir()
	twoPending := filepath.Join(dir, "two.yaml")
	pod := "apiVersion: v1\nkind: Pod\nmetadata: {name: %s}\nspec: {containers: [{name: c, image: x}]}\n"
	if err := os.WriteFile(twoPending, []byte(strings.ReplaceAll(pod, "%s", "a")+"---\n"+strings.ReplaceAll(pod, "%s", "b")), 0o644); err != nil {
		t.Fatal(err)
	}
	otherScheduler := filepath.Join(dir, "other.yaml")
	if err := os.WriteFile(otherScheduler, []byte("apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec: {schedulerName: mine, containers: [{name: c, image: x}]}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"explain"}, "-f/--file is required"},
		{[]string{"explain", "-f", explainCase + ".yaml", "-o", "yaml"}, `-o/--output must be table or json, got "yaml"`},
		{[]string{"explain", "-f", filepath.Join(dir, "missing.yaml")}, "no such file"},
		{[]string{"explain", "-f", twoPending}, "exactly one pending pod (a Pod without spec.nodeName, not Succeeded or Failed); found 2 (default/a, default/b)"},
		{[]string{"explain", "-f", otherScheduler}, `has schedulerName "mine"`},
		{[]string{"explain", "-f", explainCase + ".yaml", "--config", filepath.Join(dir, "nope.yaml")}, "nope.yaml"},
	} {
		code, _, errOut := run(t, tc.args...)
		if code != exitBadInput || !strings.Contains(errOut, tc.want) {
			t.Errorf("%v: exit %d, stderr %q; want exit 2 and %q", tc.args, code, errOut, tc.want)
		}
	}
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func union(a, b map[string]int64) map[string]bool {
	out := map[string]bool{}
	for k := range a {
		out[k] = true
	}
	for k := range b {
		out[k] = true
	}
	return out
}

// TestExplainBinPackingChangesBest runs the bundled example: the default
// profile (LeastAllocated) prefers the empty node-c, a MostAllocated profile
// the fuller node-b, and the NodeResourcesFit column shows why.
// LeastAllocated: node-c (8000−1000)·100/8000 = 87 for cpu and memory alike;
// node-b (8000−7000)·100/8000 = 12. MostAllocated mirrors them.
func TestExplainBinPackingChangesBest(t *testing.T) {
	const state = "../../examples/explain/state.yaml"
	type node struct {
		Scores map[string]int64 `json:"scores"`
		Total  int64            `json:"total"`
	}
	type result struct {
		Best  []string        `json:"best"`
		Nodes map[string]node `json:"nodes"`
	}
	explain := func(args ...string) result {
		var o, e bytes.Buffer
		if code := Main(append([]string{"explain", "-f", state, "-o", "json"}, args...), &o, &e); code != 0 {
			t.Fatalf("exit %d: %s", code, e.String())
		}
		var r result
		if err := json.Unmarshal(o.Bytes(), &r); err != nil {
			t.Fatal(err)
		}
		return r
	}
	def := explain()
	packed := explain("--config", "../../examples/explain/mostallocated.yaml")
	if !reflect.DeepEqual(def.Best, []string{"node-c"}) || !reflect.DeepEqual(packed.Best, []string{"node-b"}) {
		t.Fatalf("best: default %v, MostAllocated %v; want [node-c] and [node-b]", def.Best, packed.Best)
	}
	for _, c := range []struct {
		r    result
		node string
		want int64
	}{{def, "node-c", 87}, {def, "node-b", 12}, {packed, "node-b", 87}, {packed, "node-c", 12}} {
		if got := c.r.Nodes[c.node].Scores["NodeResourcesFit"]; got != c.want {
			t.Errorf("%s NodeResourcesFit = %d, want %d", c.node, got, c.want)
		}
	}
}
