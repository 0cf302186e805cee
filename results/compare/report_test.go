package compare

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// golden compares got with testdata/name, or rewrites it with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs (rerun with -update after review):\n got:\n%s\nwant:\n%s", name, got, want)
	}
}

// runs builds the runs of one group: one map of metric values per run.
func runs(perRun ...map[string]float64) [][]Metric {
	out := make([][]Metric, len(perRun))
	for i, m := range perRun {
		for _, name := range []string{"x", "y", "z"} { // fixed order
			if v, ok := m[name]; ok {
				out[i] = append(out[i], Metric{Name: name, Value: v})
			}
		}
	}
	return out
}

// handReport is two profiles over five seeds with hand-computed figures:
//
//	x: a = 1..5   → mean 3, sd 1.581139, h 1.963243 (t(0.975,4) = 2.776445)
//	   b = 2..10 step 2 → mean 6, sd 3.162278, h 3.926486; +100 % over a
//	y: a = 0 ×5   → mean 0, sd 0, h 0
//	   b = 1 ×5   → mean 1; relative difference undefined (a's mean is 0)
//	z: only b's first run → a: n 0, all null; b: n 1, sd and interval null
func handReport() *Report {
	a := runs(
		map[string]float64{"x": 1, "y": 0}, map[string]float64{"x": 2, "y": 0}, map[string]float64{"x": 3, "y": 0},
		map[string]float64{"x": 4, "y": 0}, map[string]float64{"x": 5, "y": 0})
	b := runs(
		map[string]float64{"x": 2, "y": 1, "z": 0.25}, map[string]float64{"x": 4, "y": 1}, map[string]float64{"x": 6, "y": 1},
		map[string]float64{"x": 8, "y": 1}, map[string]float64{"x": 10, "y": 1})
	rows := Compute([]Group{{Profile: "a", Baseline: 0, Runs: a}, {Profile: "b", Baseline: 0, Runs: b}})
	return &Report{
		Scenario:  "hand.yaml",
		Seeds:     []uint64{1, 2, 3, 4, 5},
		Profiles:  []Profile{{Name: "a"}, {Name: "b", Config: "configs/b.yaml"}},
		Planned:   10,
		Succeeded: 10,
		Rows:      rows,
	}
}

func TestReportGolden(t *testing.T) {
	r := handReport()
	var c, j bytes.Buffer
	if err := r.WriteCSV(&c); err != nil {
		t.Fatal(err)
	}
	if err := r.WriteJSON(&j); err != nil {
		t.Fatal(err)
	}
	golden(t, "compare.golden.csv", c.Bytes())
	golden(t, "compare.golden.json", j.Bytes())
	// The hand-computed figures, independently of the golden files.
	for _, want := range []string{
		"a,x,5,3.000000,1.581139,1.036757,4.963243,1.963243,3.000000,1.000000,5.000000,a,0.000000",
		"b,x,5,6.000000,3.162278,2.073514,9.926486,3.926486,6.000000,2.000000,10.000000,a,1.000000",
		"a,y,5,0.000000,0.000000,0.000000,0.000000,0.000000,0.000000,0.000000,0.000000,a,0.000000",
		"b,y,5,1.000000,0.000000,1.000000,1.000000,0.000000,1.000000,1.000000,1.000000,a,",
		"a,z,0,,,,,,,,,a,",
		"b,z,1,0.250000,,,,,0.250000,0.250000,0.250000,a,",
	} {
		if !strings.Contains(c.String(), want+"\n") {
			t.Errorf("compare.csv lacks %q", want)
		}
	}
}

// TestSweepReportGolden checks the sweep layout: a cell column, baselines
// naming cell and profile, rows grouped by cell.
func TestSweepReportGolden(t *testing.T) {
	one := func(x float64) [][]Metric { return [][]Metric{{{Name: "x", Value: x}}, {{Name: "x", Value: x + 2}}} }
	groups := []Group{
		{Cell: "0-count-3", Profile: "p", Baseline: 0, Runs: one(1)}, // 1, 3: mean 2
		{Cell: "1-count-6", Profile: "p", Baseline: 0, Runs: one(3)}, // 3, 5: mean 4, +100 %
	}
	r := &Report{
		Scenario: "s.yaml", Seeds: []uint64{7, 8}, Profiles: []Profile{{Name: "p"}},
		Cells: []Cell{
			{Name: "0-count-3", Set: []Assignment{{Path: "spec.cluster.nodePools[0].count", Value: "3"}}},
			{Name: "1-count-6", Set: []Assignment{{Path: "spec.cluster.nodePools[0].count", Value: "6"}}},
		},
		Planned: 5, Succeeded: 4, Failed: []RunID{{Cell: "1-count-6", Profile: "p", Seed: 9}},
		Rows: Compute(groups),
	}
	var c, j bytes.Buffer
	if err := r.WriteCSV(&c); err != nil {
		t.Fatal(err)
	}
	if err := r.WriteJSON(&j); err != nil {
		t.Fatal(err)
	}
	golden(t, "sweep.golden.csv", c.Bytes())
	golden(t, "sweep.golden.json", j.Bytes())
	// 1, 3: sd √2, h = 12.706205.
	if want := "1-count-6,p,x,2,4.000000,1.414214,-8.706205,16.706205,12.706205,4.000000,3.000000,5.000000,0-count-3,p,1.000000\n"; !strings.Contains(c.String(), want) {
		t.Errorf("sweep csv lacks %q:\n%s", want, c.String())
	}
}

func TestComputeOrder(t *testing.T) {
	m := func(names ...string) [][]Metric {
		var run []Metric
		for _, n := range names {
			run = append(run, Metric{Name: n, Value: 1})
		}
		return [][]Metric{run}
	}
	rows := Compute([]Group{
		{Cell: "c1", Profile: "zeta", Baseline: -1, Runs: m("b", "a")},
		{Cell: "c1", Profile: "alpha", Baseline: -1, Runs: m("c")},
		{Cell: "c0", Profile: "zeta", Baseline: -1, Runs: m("a")},
	})
	var got []string
	for _, r := range rows {
		got = append(got, r.Cell+"/"+r.Metric+"/"+r.Profile)
	}
	// Cells in first-appearance order, metrics by name (per cell), profiles as given.
	want := "c1/a/zeta c1/a/alpha c1/b/zeta c1/b/alpha c1/c/zeta c1/c/alpha c0/a/zeta"
	if strings.Join(got, " ") != want {
		t.Errorf("order:\n got  %s\n want %s", strings.Join(got, " "), want)
	}
	if rows[0].HasBaseline || f6(rows[0].RelDiff) != "NaN" {
		t.Errorf("no baseline: got %+v", rows[0])
	}
}

func TestComputeBadBaselinePanics(t *testing.T) {
	defer func() {
		if r := recover(); r == nil || !strings.HasPrefix(r.(string), "compare: ") {
			t.Errorf("want a compare: panic, got %v", r)
		}
	}()
	Compute([]Group{{Baseline: 1}})
}

func TestPrintTable(t *testing.T) {
	r := handReport()
	names, unmatched := SelectMetrics(r, []string{"y", "nope", "[xz]", "x"})
	if strings.Join(names, ",") != "y,x,z" || strings.Join(unmatched, ",") != "nope" {
		t.Fatalf("SelectMetrics = %v, unmatched %v; want [y x z], [nope]", names, unmatched)
	}
	var b bytes.Buffer
	if err := PrintTable(&b, r, names); err != nil {
		t.Fatal(err)
	}
	golden(t, "table.golden.txt", b.Bytes())
	for _, want := range []string{"±95% CI", "│ +100.0% │", "│    base │", "1.963", "3.926"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("table lacks %q:\n%s", want, b.String())
		}
	}
}

func BenchmarkCompute(b *testing.B) {
	// 6 profiles × 10 seeds × 200 metrics: a typical research compare.
	groups := make([]Group, 6)
	for g := range groups {
		groups[g] = Group{Profile: string(rune('a' + g)), Baseline: 0}
		for s := 0; s < 10; s++ {
			run := make([]Metric, 200)
			for m := range run {
				run[m] = Metric{Name: "metric." + strings.Repeat("x", m%7) + string(rune('a'+m%26)) + string(rune('a'+m/26)), Value: float64(g*s + m)}
			}
			groups[g].Runs = append(groups[g].Runs, run)
		}
	}
	b.ReportAllocs()
	for b.Loop() {
		Compute(groups)
	}
}
