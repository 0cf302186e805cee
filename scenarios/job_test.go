package scenarios

import (
	"testing"

	"github.com/kubesim/kubesim/results"
)

// TestJobFigures runs a Job of 6 one-minute completions, 2 at a time, on one
// node, and checks its figures against the chain worked out by hand:
//
//	0.010    the Job controller's first sync (10 ms): startTime, pods 1-2
//	+0.006   scheduled (1 ms cycle + 5 ms bind); +0.1 s pull (5Mi at 50Mi/s);
//	+1 s     containers start at 1.116; they finish at 61.116
//	+1 s     the controller batches pod-triggered syncs (1 s), +10 ms: pods
//	         3-4 created at 62.126, running at 63.132/63.133 (image cached),
//	         done at 123.132/123.133; pods 5-6 created at 124.142, done at
//	         185.148 and 185.149
//	186.158  pod 5's success at 185.148 queues a sync 1 s later (pod 6's, at
//	         185.149, joins the same batch); it writes Complete at
//	         186.148 + 10 ms; completionTime is that write's time.
func TestJobFigures(t *testing.T) {
	_, rec, _ := runScenario(t, "testdata/valid-job.yaml", nil)
	js := rec.Summary().Jobs
	if js.Count != 1 || js.Complete != 1 || js.Failed != 0 || len(js.Jobs) != 1 {
		t.Fatalf("jobs %+v", js)
	}
	j := js.Jobs[0]
	if j.Outcome != results.JobComplete || j.Succeeded != 6 || j.Failed != 0 {
		t.Fatalf("job %+v", j)
	}
	if j.StartSeconds == nil || *j.StartSeconds != 0.010 {
		t.Errorf("start %v, want 0.010", j.StartSeconds)
	}
	if j.FinishSeconds == nil || *j.FinishSeconds != 186.158 {
		t.Errorf("finish %v, want 186.158", j.FinishSeconds)
	}
	if j.DurationSeconds == nil || *j.DurationSeconds != 186.148 {
		t.Errorf("duration %v, want 186.148", j.DurationSeconds)
	}
	if js.MakespanSeconds != 186.158 || js.MeanDurationSeconds != 186.148 {
		t.Errorf("makespan %v mean duration %v, want 186.158 and 186.148", js.MakespanSeconds, js.MeanDurationSeconds)
	}
}
