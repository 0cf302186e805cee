package runner

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kubesim/kubesim/results"
	"github.com/kubesim/kubesim/results/compare"
)

var scenario = filepath.Join(testdata, "scenario.yaml")

func prepare(t *testing.T, p Plan) *Experiment {
	t.Helper()
	e, err := Prepare(p)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func mustRun(t *testing.T, e *Experiment) *Result {
	t.Helper()
	res, err := e.Run(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// rowsOf returns a profile's rows of compare.csv without the profile column.
func rowsOf(t *testing.T, csv []byte, profile string) []string {
	t.Helper()
	var out []string
	for _, line := range strings.Split(string(csv), "\n") {
		if rest, ok := strings.CutPrefix(line, profile+","); ok {
			// Drop the trailing baseline and rel_diff, which name the first profile.
			out = append(out, rest)
		}
	}
	if len(out) == 0 {
		t.Fatalf("no rows for %s", profile)
	}
	return out
}

// TestProfileEqualsItsFile runs the scenario's bin-packing profile (made the
// default-scheduler profile by BuildOptions.DefaultProfile) and the same
// policy as a whole configuration file: every figure of every seed agrees,
// and differs from the default profile's.
func TestProfileEqualsItsFile(t *testing.T) {
	out := t.TempDir()
	e := prepare(t, Plan{Scenario: scenario, Out: out, Seeds: []uint64{1, 2}, Until: 20 * time.Minute,
		Profiles: mustProfiles(t, "default-scheduler", "bin-packing", filepath.Join(testdata, "mostallocated.yaml"))})
	res := mustRun(t, e)
	if res.Ran != 6 || res.Reused != 0 || len(res.Failures) != 0 || res.Report.Succeeded != 6 {
		t.Fatalf("ran %d reused %d failures %v", res.Ran, res.Reused, res.Failures)
	}
	csv, err := os.ReadFile(filepath.Join(out, compare.FileCSV))
	if err != nil {
		t.Fatal(err)
	}
	packed, file, def := rowsOf(t, csv, "bin-packing"), rowsOf(t, csv, "mostallocated"), rowsOf(t, csv, "default-scheduler")
	if strings.Join(packed, "\n") != strings.Join(file, "\n") {
		t.Errorf("bin-packing and mostallocated.yaml differ:\n%s\n---\n%s", strings.Join(packed, "\n"), strings.Join(file, "\n"))
	}
	if strings.Join(packed, "\n") == strings.Join(def, "\n") {
		t.Error("bin-packing gives the same figures as default-scheduler: the profile was not applied")
	}
	for _, dir := range []string{"runs/default-scheduler/seed-1", "runs/bin-packing/seed-2", "runs/mostallocated/seed-1"} {
		for _, f := range []string{results.FileSummary, results.FilePods, FileRun} {
			if _, err := os.Stat(filepath.Join(out, dir, f)); err != nil {
				t.Errorf("%s/%s: %v", dir, f, err)
			}
		}
	}
}

func mustProfiles(t *testing.T, entries ...string) []Profile {
	t.Helper()
	ps, err := ParseProfiles(entries)
	if err != nil {
		t.Fatal(err)
	}
	return ps
}

// TestResumeAndForce: a second run reuses every finished run and writes the
// same bytes; a changed input reruns; Force reruns everything.
func TestResumeAndForce(t *testing.T) {
	out := t.TempDir()
	plan := Plan{Scenario: scenario, Out: out, Seeds: []uint64{3, 4}, Until: 15 * time.Minute, Parallel: 2,
		Params:   []Param{{Path: "spec.cluster.nodePools[0].count", Values: []string{"4", "6"}}},
		Profiles: mustProfiles(t, "random")}
	first := mustRun(t, prepare(t, plan))
	if first.Ran != 4 {
		t.Fatalf("first: ran %d, want 4", first.Ran)
	}
	json1, _ := os.ReadFile(filepath.Join(out, compare.FileJSON))

	again := mustRun(t, prepare(t, plan))
	if again.Ran != 0 || again.Reused != 4 {
		t.Fatalf("again: ran %d reused %d, want 0 and 4", again.Ran, again.Reused)
	}
	json2, _ := os.ReadFile(filepath.Join(out, compare.FileJSON))
	if !bytes.Equal(json1, json2) {
		t.Error("compare.json from reused runs differs from the first")
	}

	plan.Until = 16 * time.Minute // a different input: every run.json differs
	if changed := mustRun(t, prepare(t, plan)); changed.Ran != 4 {
		t.Errorf("changed until: ran %d, want 4", changed.Ran)
	}
	plan.Force = true
	if forced := mustRun(t, prepare(t, plan)); forced.Ran != 4 || forced.Reused != 0 {
		t.Errorf("force: ran %d reused %d, want 4 and 0", forced.Ran, forced.Reused)
	}
	for _, cell := range []string{"0-count-4", "1-count-6"} {
		if _, err := os.Stat(filepath.Join(out, "cells", cell, "runs", "random", "seed-3", results.FileSummary)); err != nil {
			t.Error(err)
		}
	}
	assertNoPartialFolders(t, out)
}

// assertNoPartialFolders checks that no temporary folder or file is left
// and that every run folder is complete.
func assertNoPartialFolders(t *testing.T, out string) {
	t.Helper()
	filepath.WalkDir(out, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			t.Error(err)
			return nil
		}
		if strings.HasPrefix(d.Name(), ".") {
			t.Errorf("left behind: %s", p)
		}
		if d.IsDir() && strings.HasPrefix(d.Name(), "seed-") {
			for _, f := range []string{results.FileSummary, FileRun} {
				if _, err := os.Stat(filepath.Join(p, f)); err != nil {
					t.Errorf("incomplete run folder: %v", err)
				}
			}
		}
		return nil
	})
}

// TestFailedRunsAreListed: a file where one run's folder belongs makes
// that run fail (its outputs cannot be written); the other runs succeed, the
// statistics cover them, and the failure is listed.
func TestFailedRunsAreListed(t *testing.T) {
	out := t.TempDir()
	cell := "1-count-6"
	blocked := filepath.Join(out, "cells", cell, "runs", ScenarioProfile, "seed-2")
	if err := os.MkdirAll(filepath.Dir(blocked), 0o755); err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Dir(blocked), "seed-2", "not a folder")
	e := prepare(t, Plan{Scenario: scenario, Out: out, Seeds: []uint64{1, 2}, Until: 5 * time.Minute,
		Params: []Param{{Path: "spec.cluster.nodePools[0].count", Values: []string{"4", "6"}}}})
	res := mustRun(t, e)
	if len(res.Failures) != 1 || res.Report.Succeeded != 3 || res.Report.Planned != 4 {
		t.Fatalf("failures %v, succeeded %d of %d; want 1 failure of 4", res.Failures, res.Report.Succeeded, res.Report.Planned)
	}
	f := res.Failures[0]
	if f.RunID != (compare.RunID{Cell: cell, Profile: ScenarioProfile, Seed: 2}) || !strings.Contains(f.Err.Error(), "is not a directory") {
		t.Errorf("failure %+v: %v", f.RunID, f.Err)
	}
	if len(res.Report.Failed) != 1 || res.Report.Failed[0] != f.RunID {
		t.Errorf("report failed = %+v", res.Report.Failed)
	}
	for _, r := range res.Report.Rows {
		if r.Metric == "pods.total" && r.Cell == cell && r.N != 1 {
			t.Errorf("cell %s: n = %d, want 1 (one of two runs failed)", cell, r.N)
		}
	}
	if _, err := os.Stat(filepath.Join(out, compare.FileJSON)); err != nil {
		t.Error(err)
	}
	os.Remove(blocked)
	assertNoPartialFolders(t, out)
}

// TestInterrupted: a cancelled context starts no more runs, writes no
// statistics and leaves only complete run folders.
func TestInterrupted(t *testing.T) {
	out := t.TempDir()
	e := prepare(t, Plan{Scenario: scenario, Out: out, Seeds: []uint64{1, 2, 3, 4, 5, 6}, Until: 5 * time.Minute, Parallel: 1})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := e.Run(ctx); err == nil || !strings.Contains(err.Error(), "interrupted") {
		t.Fatalf("err %v, want interrupted", err)
	}
	if _, err := os.Stat(filepath.Join(out, compare.FileJSON)); !os.IsNotExist(err) {
		t.Errorf("compare.json written after an interruption: %v", err)
	}
	assertNoPartialFolders(t, out)
}

func TestPrepareErrors(t *testing.T) {
	for _, tc := range []struct {
		plan Plan
		want []string
	}{
		{Plan{Scenario: scenario, Profiles: []Profile{{Name: "nope", SchedulerProfile: "nope"}}},
			[]string{"profile nope", `no profile with schedulerName "nope" (profiles: default-scheduler, bin-packing, random)`}},
		{Plan{Scenario: scenario, Params: []Param{{Path: "spec.cluster.nodePools[0].count", Values: []string{"2", "-1"}}}},
			[]string{"cell 1-count--1", "spec.cluster.nodePools[0].count"}},
		{Plan{Scenario: scenario, Params: []Param{{Path: "spec.cluster.nodePools[3].count", Values: []string{"2"}}}},
			[]string{"cell 0-count-2", "no [3]"}},
		{Plan{Scenario: filepath.Join(testdata, "missing.yaml")}, []string{"no such file"}},
	} {
		_, err := Prepare(tc.plan)
		for _, w := range tc.want {
			if err == nil || !strings.Contains(err.Error(), w) {
				t.Errorf("Prepare: err %v, want %q", err, w)
			}
		}
	}
}

func TestDefaults(t *testing.T) {
	e := prepare(t, Plan{Scenario: scenario})
	if e.Out() != filepath.Join("out", "compare-quickstart-compare") || e.Runs() != 1 || e.Parallel() < 1 {
		t.Errorf("out %s runs %d parallel %d", e.Out(), e.Runs(), e.Parallel())
	}
	e = prepare(t, Plan{Scenario: scenario, Params: []Param{{Path: "spec.seed", Values: []string{"1", "2"}}}})
	if e.Out() != filepath.Join("out", "compare-quickstart-sweep") || e.Runs() != 2 {
		t.Errorf("sweep: out %s runs %d", e.Out(), e.Runs())
	}
}

// BenchmarkCompare runs a compare of two profiles over four seeds (eight
// quickstart-sized simulations, 20 simulated minutes each).
func BenchmarkCompare(b *testing.B) {
	ps, err := ParseProfiles([]string{"default-scheduler", "random"})
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		e, err := Prepare(Plan{Scenario: scenario, Out: b.TempDir(), Seeds: []uint64{1, 2, 3, 4}, Until: 20 * time.Minute, Profiles: ps})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := e.Run(context.Background()); err != nil {
			b.Fatal(err)
		}
	}
}
