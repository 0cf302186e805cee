package scenarios

import (
	"bytes"
	"encoding/csv"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kubesim/kubesim/controllers/deployment"
	"github.com/kubesim/kubesim/results"
	"github.com/kubesim/kubesim/sim"
	"github.com/kubesim/kubesim/sim/api"
	"github.com/kubesim/kubesim/sim/store"
)

// workloadRow is one parsed row of workloads.csv.
type workloadRow struct {
	t                                                        float64
	kind, namespace, name                                    string
	desired, current, ready, available, updated, terminating int
	revision                                                 string
}

// readWorkloads parses a run's workloads.csv.
func readWorkloads(t *testing.T, dir string) []workloadRow {
	t.Helper()
	f, err := os.Open(filepath.Join(dir, results.FileWorkloads))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) == 0 || len(recs[0]) != 11 {
		t.Fatalf("workloads.csv header %v", recs)
	}
	var rows []workloadRow
	for _, r := range recs[1:] {
		n := func(i int) int {
			v, err := strconv.Atoi(r[i])
			if err != nil {
				t.Fatalf("row %v: %v", r, err)
			}
			return v
		}
		tm, err := strconv.ParseFloat(r[0], 64)
		if err != nil {
			t.Fatalf("row %v: %v", r, err)
		}
		rows = append(rows, workloadRow{t: tm, kind: r[1], namespace: r[2], name: r[3], desired: n(4), current: n(5),
			ready: n(6), available: n(7), updated: n(8), terminating: n(9), revision: r[10]})
	}
	return rows
}

// runScenario loads, builds and runs path, writes its outputs and returns
// them with the recorder and the loaded scenario.
func runScenario(t *testing.T, path string, watch func(st *store.Store)) (*Loaded, *results.Recorder, string) {
	t.Helper()
	l, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	s, err := Build(l)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	if watch != nil {
		watch(s.Store())
	}
	rec, err := s.Run()
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "out")
	if err := rec.WriteDir(dir); err != nil {
		t.Fatal(err)
	}
	return l, rec, dir
}

// TestRolloutStrategies checks the bundled rollout-strategies scenario
// against upstream's rollout guarantees, row by row of workloads.csv. For a
// RollingUpdate with R replicas and resolved maxSurge S and maxUnavailable U,
// from the rollout's start on: current (the pods upstream's status.replicas
// counts: not terminal, not terminating) never exceeds R + S, available never
// falls below R − U, and the rollout ends with updated = ready = R. A
// Recreate rollout never has pods of the old and the new template at the same
// time, terminating old pods included.
//
// Terminating pods are in their own column: they still hold capacity, so the
// capacity a rollout borrows (current + terminating − desired) can exceed S
// while old pods run out their grace period; the test pins by how much.
func TestRolloutStrategies(t *testing.T) {
	l, rec, dir := runScenario(t, "rollout-strategies.yaml", nil)
	rolloutAt := 5 * 60.0
	// R, S, U worked out by hand from the manifests (ceil for surge, floor
	// for unavailable), and the peak of current − desired the run shows.
	want := map[string]struct {
		recreate     bool
		s, u         int
		peakSurge    int32 // current − desired: exactly S
		peakBorrowed int32 // current + terminating − desired
	}{
		"surge-25":  {s: 5, u: 5, peakSurge: 5, peakBorrowed: 15}, // + 10 old pods terminating for 10 s
		"surge-0":   {s: 0, u: 1, peakSurge: 0, peakBorrowed: 1},  // + the one old pod terminating
		"surge-100": {s: 20, u: 0, peakSurge: 20, peakBorrowed: 20},
		"recreate":  {recreate: true},
	}
	deployments := map[string]*api.Deployment{}
	for _, b := range l.Batches {
		for _, o := range b.Objects {
			if d, ok := o.(*api.Deployment); ok {
				deployments[d.Namespace] = d
			}
		}
	}
	if len(deployments) != 4 {
		t.Fatalf("%d deployments in the scenario, want 4", len(deployments))
	}
	for ns, w := range want {
		d := deployments[ns]
		if d == nil {
			t.Fatalf("no deployment in %s", ns)
		}
		if got := d.Strategy.Type == "Recreate"; got != w.recreate {
			t.Fatalf("%s: strategy %s", ns, d.Strategy.Type)
		}
		if !w.recreate {
			s, u := deployment.ResolveFenceposts(d.Strategy.MaxSurge, d.Strategy.MaxUnavailable, d.Replicas)
			if int(s) != w.s || int(u) != w.u {
				t.Fatalf("%s: resolved surge %d unavailable %d, worked out by hand %d, %d", ns, s, u, w.s, w.u)
			}
		}
	}

	rows := readWorkloads(t, dir)
	last := map[string]workloadRow{}
	for _, r := range rows {
		if r.kind != "Deployment" {
			continue
		}
		last[r.namespace] = r
		w := want[r.namespace]
		const R = 20
		if r.t < rolloutAt {
			continue
		}
		if w.recreate {
			// Old and new pods together: some updated, and some pods that
			// are not (current or terminating).
			if r.updated > 0 && r.current+r.terminating != r.updated {
				t.Errorf("recreate at %.3f: %d updated but %d current and %d terminating: old and new pods together",
					r.t, r.updated, r.current, r.terminating)
			}
			continue
		}
		if r.current > R+w.s {
			t.Errorf("%s at %.3f: %d current > R + S = %d", r.namespace, r.t, r.current, R+w.s)
		}
		if r.available < R-w.u {
			t.Errorf("%s at %.3f: %d available < R − U = %d", r.namespace, r.t, r.available, R-w.u)
		}
	}
	for ns := range want {
		r := last[ns]
		if r.updated != 20 || r.ready != 20 || r.available != 20 || r.current != 20 || r.revision != "2" {
			t.Errorf("%s ends %+v, want 20 updated, ready, available, current at revision 2", ns, r)
		}
	}

	// The summary: one complete rollout each, starting at 5m; the
	// durations order as the strategies promise.
	dur := map[string]float64{}
	for _, ws := range rec.Summary().Workloads {
		w, ok := want[ws.Namespace]
		if !ok || ws.Kind != "Deployment" {
			continue
		}
		if len(ws.Rollouts) != 1 {
			t.Fatalf("%s: %d rollouts", ws.Namespace, len(ws.Rollouts))
		}
		ro := ws.Rollouts[0]
		if ro.Outcome != results.RolloutComplete || ro.StartSeconds != 300 || ro.Revision != "2" {
			t.Errorf("%s rollout %+v", ws.Namespace, ro)
		}
		if ro.PeakSurge != w.peakSurge || ro.PeakCapacitySurge != w.peakBorrowed {
			t.Errorf("%s peak surge %d (incl. terminating %d), want %d (%d)", ws.Namespace, ro.PeakSurge,
				ro.PeakCapacitySurge, w.peakSurge, w.peakBorrowed)
		}
		minAvail := int32(20 - w.u)
		if w.recreate {
			minAvail = 0
		}
		if ro.MinAvailable != minAvail {
			t.Errorf("%s min available %d, want %d", ws.Namespace, ro.MinAvailable, minAvail)
		}
		dur[ws.Namespace] = float64(ro.DurationSeconds)
		served := float64(ro.Load.DemandServed)
		switch ws.Namespace {
		case "surge-0", "surge-100":
			// 19 or 20 ready × 100 rps >= 1800: everything served.
			if served != 1 {
				t.Errorf("%s served %v during the rollout, want all", ws.Namespace, served)
			}
		case "surge-25":
			// 15 ready serve 1500 of 1800 rps for part of the rollout.
			if served >= 1 || served < 1500.0/1800 {
				t.Errorf("surge-25 served %v, want in [5/6, 1)", served)
			}
		case "recreate":
			if served > 0.01 {
				t.Errorf("recreate served %v during the rollout, want ~0 (no pod ready)", served)
			}
		}
	}
	if !(dur["surge-100"] < dur["surge-25"] && dur["surge-25"] < dur["surge-0"]) {
		t.Errorf("durations %v: want surge-100 < surge-25 < surge-0", dur)
	}

	// The README shows this run's rollout table: keep it true.
	var out bytes.Buffer
	if err := rec.PrintSummary(&out); err != nil {
		t.Fatal(err)
	}
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	text := out.String()
	table := text[strings.Index(text, "│         Workload"):]
	for _, line := range strings.Split(strings.TrimSpace(table), "\n") {
		if !strings.Contains(string(readme), line) {
			t.Errorf("README.md lacks the line %q of the rollout table", line)
		}
	}
}

// TestStuckRolloutAndUndo: a rollout to an image that never becomes ready
// stops where upstream stops (new ReplicaSet at S + U = 5 pods, 8 old
// available = R − U), is marked ProgressDeadlineExceeded once
// progressDeadlineSeconds have passed without progress, and a rollout undo
// brings R ready replicas back.
func TestStuckRolloutAndUndo(t *testing.T) {
	var deadlineAt sim.Time = -1
	_, rec, dir := runScenario(t, "testdata/stuck-rollout.yaml", func(st *store.Store) {
		st.OnWrite(func(w *store.Write) {
			d, ok := w.New.(*api.Deployment)
			if !ok || deadlineAt >= 0 {
				return
			}
			if c := api.FindCondition(d.Status.Conditions, deployment.ConditionProgressing); c != nil &&
				c.Status == api.ConditionFalse && c.Reason == deployment.ReasonTimedOut {
				deadlineAt = w.Time
			}
		})
	})
	const R, S, U = 10, 3, 2 // 25% of 10: surge rounds up, unavailable down
	rows := readWorkloads(t, dir)
	var stalled workloadRow
	for _, r := range rows {
		if r.t < 60 {
			continue
		}
		if r.available < R-U {
			t.Errorf("at %.3f: %d available < R − U = %d", r.t, r.available, R-U)
		}
		if r.current > R+S {
			t.Errorf("at %.3f: %d current > R + S", r.t, r.current)
		}
		if r.t < 360 {
			stalled = r
		}
	}
	// Stalled from 65 s (the scaled-down old pods gone) to the undo at 6m:
	// 8 old pods available and 5 new ones never ready.
	if stalled.current != 13 || stalled.updated != 5 || stalled.ready != 8 || stalled.available != 8 || stalled.terminating != 0 {
		t.Errorf("stalled at %+v, want 13 current, 5 updated, 8 ready and available", stalled)
	}
	// progressDeadlineSeconds 120 after the last progress (the new pods
	// created at 60.03): the condition is set at the next sync after 180.03.
	if deadlineAt < sim.Time(180*time.Second) || deadlineAt > sim.Time(181*time.Second) {
		t.Errorf("ProgressDeadlineExceeded at %v, want just after 3m", deadlineAt)
	}
	end := rows[len(rows)-1]
	if end.ready != R || end.updated != R || end.available != R || end.current != R || end.revision != "3" {
		t.Errorf("after the undo: %+v, want %d ready and updated at revision 3", end, R)
	}
	ws := rec.Summary().Workloads[0]
	if len(ws.Rollouts) != 2 {
		t.Fatalf("rollouts %+v", ws.Rollouts)
	}
	bad, undo := ws.Rollouts[0], ws.Rollouts[1]
	if bad.Outcome != results.RolloutSuperseded || !bad.ProgressDeadlineExceeded || bad.MinAvailable != R-U || bad.StartSeconds != 60 {
		t.Errorf("stuck rollout %+v", bad)
	}
	if undo.Outcome != results.RolloutComplete || undo.StartSeconds != 360 || undo.ProgressDeadlineExceeded || *undo.EndSeconds > 400 {
		t.Errorf("undo %+v", undo)
	}
}

// TestDaemonSetRollout: a DaemonSet's rollout (maxUnavailable 1, maxSurge 0)
// is tracked through its ControllerRevisions: never more than one of the 3
// pods unavailable, no surge, all 3 updated at the end.
func TestDaemonSetRollout(t *testing.T) {
	_, rec, dir := runScenario(t, "testdata/daemonset-rollout.yaml", nil)
	for _, r := range readWorkloads(t, dir) {
		if r.t >= 60 && (r.available < 2 || r.current > 3) {
			t.Errorf("at %.3f: %d available, %d current; want >= 2 and <= 3", r.t, r.available, r.current)
		}
	}
	ws := rec.Summary().Workloads[0]
	if ws.Kind != "DaemonSet" || ws.Updated != 3 || ws.Ready != 3 || len(ws.Rollouts) != 1 {
		t.Fatalf("daemonset summary %+v", ws)
	}
	if ro := ws.Rollouts[0]; ro.Outcome != results.RolloutComplete || ro.MinAvailable != 2 || ro.PeakSurge != 0 || ro.StartSeconds != 60 {
		t.Errorf("rollout %+v", ro)
	}
}
