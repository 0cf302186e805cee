package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const (
	compareScenario = "testdata/compare/scenario.yaml"
	mostAllocated   = "testdata/compare/mostallocated.yaml"
)

// TestCompareIsDeterministic runs the same compare twice, with different
// parallelism, into two folders: compare.json, compare.csv and the table
// are byte-identical.
func TestCompareIsDeterministic(t *testing.T) {
	var jsons, csvs, tables []string
	for i, parallel := range []string{"1", "3"} {
		out := filepath.Join(t.TempDir(), "cmp")
		code, stdout, stderr := run(t, "compare", compareScenario, "--profiles", "default-scheduler,random,"+mostAllocated,
			"--seeds", "1-3", "--until", "20m", "--parallel", parallel, "--out", out)
		if code != exitOK {
			t.Fatalf("run %d: exit %d: %s", i, code, stderr)
		}
		if !strings.Contains(stderr, "compare-quickstart: 9 runs, "+parallel+" at a time") || !strings.Contains(stderr, "[9/9] ") {
			t.Errorf("run %d: stderr lacks the progress:\n%s", i, stderr)
		}
		j, err := os.ReadFile(filepath.Join(out, "compare.json"))
		if err != nil {
			t.Fatal(err)
		}
		c, err := os.ReadFile(filepath.Join(out, "compare.csv"))
		if err != nil {
			t.Fatal(err)
		}
		jsons, csvs = append(jsons, string(j)), append(csvs, string(c))
		tables = append(tables, strings.ReplaceAll(stdout, out, "OUT"))
	}
	if jsons[0] != jsons[1] {
		t.Error("compare.json differs between two identical commands")
	}
	if csvs[0] != csvs[1] {
		t.Error("compare.csv differs between two identical commands")
	}
	if tables[0] != tables[1] {
		t.Errorf("stdout differs:\n%s\n---\n%s", tables[0], tables[1])
	}
	var rep struct {
		Profiles []struct{ Name, Config string }
		Runs     struct{ Planned, Succeeded int }
		Rows     []struct {
			Profile, Metric string
			N               int
			SD              *float64 `json:"sd"`
		}
	}
	if err := json.Unmarshal([]byte(jsons[0]), &rep); err != nil {
		t.Fatal(err)
	}
	if len(rep.Profiles) != 3 || rep.Profiles[2].Name != "mostallocated" || rep.Profiles[2].Config != mostAllocated ||
		rep.Runs.Planned != 9 || rep.Runs.Succeeded != 9 {
		t.Errorf("header: %+v %+v", rep.Profiles, rep.Runs)
	}
	// The random profile's placements depend on the seed, so its figures vary.
	varied := false
	for _, r := range rep.Rows {
		if r.Profile == "random" && r.Metric == "scheduling.latency_seconds.mean" {
			varied = r.N == 3 && r.SD != nil && *r.SD > 0
		}
	}
	if !varied {
		t.Error("random: scheduling.latency_seconds.mean should vary across seeds")
	}
	for _, want := range []string{"scheduling.latency_seconds.p99", "resources.cpu.mean_utilization", "±95% CI", "base", "9 runs (9 run now, 0 finished before, 0 failed); outputs in OUT"} {
		if !strings.Contains(tables[0], want) {
			t.Errorf("stdout lacks %q:\n%s", want, tables[0])
		}
	}
}

func TestCompareMetricsFlag(t *testing.T) {
	out := filepath.Join(t.TempDir(), "cmp")
	code, stdout, stderr := run(t, "compare", compareScenario, "--until", "5m", "--out", out,
		"--metrics", "pods.total,resources.*.peak_utilization,no.such")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, want := range []string{"pods.total", "resources.cpu.peak_utilization", "resources.memory.peak_utilization", "│ scenario "} {
		if !strings.Contains(stdout, want) {
			t.Errorf("stdout lacks %q:\n%s", want, stdout)
		}
	}
	if strings.Contains(stdout, "scheduling.latency_seconds") {
		t.Errorf("stdout shows metrics not asked for:\n%s", stdout)
	}
	if !strings.Contains(stderr, `warning: --metrics "no.such" matches no metric`) {
		t.Errorf("stderr lacks the warning:\n%s", stderr)
	}
	if _, err := os.Stat(filepath.Join(out, "runs", "scenario", "seed-1", "summary.json")); err != nil {
		t.Error(err)
	}
}

// TestSweepResumes: a sweep writes one folder per cell; the same command
// again reuses every run and writes the same compare.json; --force reruns.
func TestSweepResumes(t *testing.T) {
	out := filepath.Join(t.TempDir(), "sw")
	args := []string{"sweep", compareScenario, "--set", "spec.cluster.nodePools[0].count=4,6", "--set", "spec.duration=10m",
		"--profiles", "default-scheduler,bin-packing", "--seeds", "1,2", "--out", out}
	code, stdout, stderr := run(t, args...)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if !strings.Contains(stdout, "8 runs (8 run now, 0 finished before, 0 failed)") || !strings.Contains(stdout, "0-count-4_duration-10m") {
		t.Errorf("first sweep:\n%s", stdout)
	}
	first, _ := os.ReadFile(filepath.Join(out, "compare.json"))
	for _, d := range []string{"0-count-4_duration-10m", "1-count-6_duration-10m"} {
		if _, err := os.Stat(filepath.Join(out, "cells", d, "runs", "bin-packing", "seed-2", "summary.json")); err != nil {
			t.Error(err)
		}
	}
	_, stdout, _ = run(t, args...)
	if !strings.Contains(stdout, "8 runs (0 run now, 8 finished before, 0 failed)") {
		t.Errorf("second sweep should reuse every run:\n%s", stdout)
	}
	again, _ := os.ReadFile(filepath.Join(out, "compare.json"))
	if !bytes.Equal(first, again) {
		t.Error("compare.json differs after resuming")
	}
	_, stdout, _ = run(t, append(args, "--force")...)
	if !strings.Contains(stdout, "8 runs (8 run now, 0 finished before, 0 failed)") {
		t.Errorf("--force should rerun every run:\n%s", stdout)
	}
}

// TestCompareFailuresExitOne: a file where a run's folder belongs makes
// that run fail; the exit code is 1, the failure is listed, and the
// statistics of the other runs are still written.
func TestCompareFailuresExitOne(t *testing.T) {
	out := filepath.Join(t.TempDir(), "cmp")
	if err := os.MkdirAll(filepath.Join(out, "runs", "scenario"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(out, "runs", "scenario", "seed-2"), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr := run(t, "compare", compareScenario, "--until", "5m", "--seeds", "1-3", "--out", out)
	if code != exitSimFailure {
		t.Fatalf("exit %d, want 1: %s", code, stderr)
	}
	if !strings.Contains(stdout, "3 runs (2 run now, 0 finished before, 1 failed)") {
		t.Errorf("stdout:\n%s", stdout)
	}
	for _, want := range []string{"failed: profile scenario, seed 2: ", "is not a directory", "error: 1 of 3 runs failed"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}
	data, err := os.ReadFile(filepath.Join(out, "compare.json"))
	if err != nil {
		t.Fatalf("statistics of the successful runs must still be written: %v", err)
	}
	if !strings.Contains(string(data), `"failed": [
      {
        "profile": "scenario",
        "seed": 2
      }
    ]`) {
		t.Errorf("compare.json does not list the failed run:\n%.600s", data)
	}
}

func TestCompareBadInput(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"compare"}, "accepts 1 arg"},
		{[]string{"compare", compareScenario, "--seeds", "9-3"}, `range "9-3" goes down`},
		{[]string{"compare", compareScenario, "--profiles", "nope"}, `no profile with schedulerName "nope" (profiles: default-scheduler, bin-packing, random)`},
		{[]string{"compare", compareScenario, "--profiles", "testdata/compare/missing.yaml"}, "missing.yaml"},
		{[]string{"compare", compareScenario, "--parallel", "-2"}, "must not be negative"},
		{[]string{"compare", compareScenario, "--until", "0s"}, "must be a positive duration"},
		{[]string{"compare", "testdata/compare/none.yaml"}, "none.yaml"},
		{[]string{"sweep", compareScenario}, "at least one --set"},
		{[]string{"sweep", compareScenario, "--set", "spec.seed"}, "want PATH=V1,V2"},
		{[]string{"sweep", compareScenario, "--set", "spec.cluster.nodePools[0].count=3,x"}, "cell 1-count-x"},
	} {
		code, _, stderr := run(t, tc.args...)
		if code != exitBadInput || !strings.Contains(stderr, tc.want) {
			t.Errorf("%v: exit %d, stderr %q; want exit 2 and %q", tc.args, code, stderr, tc.want)
		}
	}
}
