package scenarios

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/kubesim/kubesim/sim"
	"github.com/kubesim/kubesim/sim/api"
	"github.com/kubesim/kubesim/sim/store"
)

// TestQuickstartOutcomes runs the bundled quickstart and asserts what a user
// should see: the web replicas come up in seconds, the batch pods queue when
// the cluster is full and all finish within the hour, and no node is ever
// given more than it has.
func TestQuickstartOutcomes(t *testing.T) {
	l, err := Load("quickstart.yaml")
	if err != nil {
		t.Fatal(err)
	}
	s, err := Build(l)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	st := s.Store()

	// Invariant, checked at every binding: the pods bound to a node never
	// request more than its allocatable.
	var violations []string
	st.OnWrite(func(w *store.Write) {
		p, ok := w.New.(*api.Pod)
		if !ok || p.NodeName == "" || (w.Old != nil && w.Old.(*api.Pod).NodeName != "") {
			return
		}
		n, _ := st.Nodes.Get("", p.NodeName)
		var sum api.Resources
		for _, q := range st.Pods.ByIndex(store.IndexNode, p.NodeName) {
			if !q.IsTerminal() {
				sum = sum.Add(q.Spec.Requests)
			}
		}
		if sum.MilliCPU > n.Allocatable.MilliCPU || sum.Memory > n.Allocatable.Memory {
			violations = append(violations, p.Key()+" on "+p.NodeName)
		}
	})

	rec, err := s.Run()
	if err != nil {
		t.Fatal(err)
	}
	if len(violations) > 0 {
		t.Fatalf("nodes over-committed by bindings: %v", violations)
	}

	var web, batch int
	for _, p := range st.Pods.List("default", nil) {
		switch p.Labels["app"] {
		case "web":
			web++
			if p.Status.Phase != api.PodRunning || !p.IsReady() {
				t.Errorf("web pod %s: phase %s ready %v at the end", p.Name, p.Status.Phase, p.IsReady())
			}
			// Pull 70Mi at 50Mi/s (1.4 s) + start 1 s + readiness delay 5 s,
			// plus scheduling: Ready well within 10 s.
			ready := api.FindCondition(p.Status.Conditions, api.PodReady)
			if ready == nil || ready.LastTransitionTime > sim.Time(10*time.Second) {
				t.Errorf("web pod %s ready at %v, want within 10s", p.Name, ready)
			}
		case "batch":
			batch++
			if p.Status.Phase != api.PodSucceeded {
				t.Errorf("batch pod %s ended %s, want Succeeded", p.Name, p.Status.Phase)
			}
		}
	}
	if web != 10 || batch != 20 {
		t.Fatalf("web %d batch %d, want 10 and 20", web, batch)
	}

	sum := rec.Summary()
	if sum.Pods.Failed != 0 || sum.Scheduling.Unscheduled != 0 || sum.Scheduling.Scheduled != 30 {
		t.Fatalf("failed %d unscheduled %d scheduled %d", sum.Pods.Failed, sum.Scheduling.Unscheduled, sum.Scheduling.Scheduled)
	}
	// The cluster has 24 cores, the web pods take 5 and the batch pods ask
	// for 41 more: some must have waited for earlier ones to finish.
	if sum.Scheduling.Failures == 0 || float64(sum.Scheduling.Latency.Max) < 60 {
		t.Fatalf("no batch pod waited: %d failed attempts, max scheduling latency %vs",
			sum.Scheduling.Failures, sum.Scheduling.Latency.Max)
	}
}

// TestBundledScenariosAreDeterministic runs every bundled scenario twice and
// compares the output bytes.
func TestBundledScenariosAreDeterministic(t *testing.T) {
	files, err := filepath.Glob("*.yaml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no bundled scenarios found: %v", err)
	}
	for _, f := range files {
		t.Run(f, func(t *testing.T) {
			a := runToDir(t, f)
			b := runToDir(t, f)
			for _, name := range []string{"summary.json", "pods.csv", "timeseries.csv", "events.jsonl", "workloads.csv"} {
				x, err1 := os.ReadFile(filepath.Join(a, name))
				y, err2 := os.ReadFile(filepath.Join(b, name))
				if err1 != nil || err2 != nil {
					t.Fatalf("%s: %v %v", name, err1, err2)
				}
				if len(x) == 0 || !bytes.Equal(x, y) {
					t.Fatalf("%s differs between two runs of %s (or is empty)", name, f)
				}
			}
		})
	}
}

func runToDir(t *testing.T, path string) string {
	t.Helper()
	l, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	s, err := Build(l)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	rec, err := s.Run()
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "out")
	if err := rec.WriteDir(dir); err != nil {
		t.Fatal(err)
	}
	return dir
}

func TestSeedChangesTieBreaksNotOutcomes(t *testing.T) {
	l, err := Load("quickstart.yaml")
	if err != nil {
		t.Fatal(err)
	}
	l.Seed = 2
	s, err := Build(l)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	rec, err := s.Run()
	if err != nil {
		t.Fatal(err)
	}
	if sum := rec.Summary(); sum.Seed != 2 || sum.Scheduling.Scheduled != 30 {
		t.Fatalf("seed %d scheduled %d", sum.Seed, sum.Scheduling.Scheduled)
	}
}
