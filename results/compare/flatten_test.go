package compare

import (
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/kubesim/kubesim/results"
)

func render(ms []Metric) string {
	var b strings.Builder
	for _, m := range ms {
		fmt.Fprintf(&b, "%s %s\n", m.Name, FormatFloat(m.Value))
	}
	return b.String()
}

// TestFlattenSummaryJSON flattens a summary.json (a copy of package results'
// golden one): every numeric figure, by dotted path, sorted; seed and
// strings left out.
func TestFlattenSummaryJSON(t *testing.T) {
	data, err := os.ReadFile("testdata/summary.json")
	if err != nil {
		t.Fatal(err)
	}
	ms, err := Flatten(data)
	if err != nil {
		t.Fatal(err)
	}
	got := render(ms)
	golden(t, "flatten.golden.txt", []byte(got))
	for _, want := range []string{
		"scheduling.latency_seconds.p99 11.000000\n",
		"resources.cpu.mean_utilization 0.375000\n",
		"resources.nvidia.com/gpu.peak_requested 1.000000\n",
		"workloads.ReplicaSet/default/web.ready 1.000000\n",
		"nodes.node_hours 0.033333\n",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("flattened summary lacks %q", want)
		}
	}
	for _, bad := range []string{"seed ", "scenario", ".unit", "web.deleted"} {
		if strings.Contains(got, bad) {
			t.Errorf("flattened summary holds %q, which is not a figure", bad)
		}
	}
}

func TestFlattenNaming(t *testing.T) {
	doc := `{"seed": 3, "a": {"b": 1.5, "c": "text", "d": true, "e": null},
	  "list": [{"v": 1}, {"v": 2}],
	  "workloads": [{"kind": "Node", "name": "n", "x": 4},
	                {"kind": "Deployment", "namespace": "ns", "name": "web",
	                 "rollouts": [{"duration_seconds": 9, "end_seconds": null}]}],
	  "resources": [{"resource": "cpu", "mean_utilization": 0.5}]}`
	ms, err := Flatten([]byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	want := `a.b 1.500000
list.0.v 1.000000
list.1.v 2.000000
resources.cpu.mean_utilization 0.500000
workloads.Deployment/ns/web.rollouts.0.duration_seconds 9.000000
workloads.Node/n.x 4.000000
`
	if got := render(ms); got != want {
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
	}
}

func TestFlattenErrors(t *testing.T) {
	for _, doc := range []string{``, `[1]`, `{"a": `, `{"r": [{"resource": "x", "v": 1}, {"resource": "x", "v": 2}]}`} {
		if _, err := Flatten([]byte(doc)); err == nil || !strings.HasPrefix(err.Error(), "compare: ") {
			t.Errorf("Flatten(%q): err %v, want a compare: error", doc, err)
		}
	}
}

func TestFlattenSummaryStruct(t *testing.T) {
	s := &results.Summary{Scenario: "s", Seed: 9, EventsFired: 12,
		Resources: []results.ResourceSummary{{Resource: "cpu", MeanUtilization: 0.25}}}
	ms, err := FlattenSummary(s)
	if err != nil {
		t.Fatal(err)
	}
	got := render(ms)
	for _, want := range []string{"events_fired 12.000000\n", "resources.cpu.mean_utilization 0.250000\n"} {
		if !strings.Contains(got, want) {
			t.Errorf("lacks %q:\n%s", want, got)
		}
	}
}

func BenchmarkFlatten(b *testing.B) {
	data, err := os.ReadFile("testdata/summary.json")
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Flatten(data); err != nil {
			b.Fatal(err)
		}
	}
}
