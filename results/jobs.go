package results

import (
	"io"
	"strconv"

	"github.com/olekukonko/tablewriter/tw"

	"github.com/kubesim/kubesim/sim"
	"github.com/kubesim/kubesim/sim/api"
)

// Job outcomes in JobSummary.Outcome.
const (
	JobComplete = "Complete"
	JobFailed   = "Failed"
	JobRunning  = "Running"
	JobDeleted  = "Deleted"
)

// jobRec is what the recorder keeps of one Job (by UID: a Job deleted and
// created again under its name is another record).
type jobRec struct {
	namespace, name string
	created         sim.Time
	start           *sim.Time
	finish          *sim.Time // completionTime, or the Failed condition's time
	outcome         string
	succeeded       int32
	failed          int32
}

// jobTracker follows Jobs through their writes.
type jobTracker struct {
	byUID map[api.UID]*jobRec
	order []*jobRec
}

func (jt *jobTracker) observe(oldJ, newJ *api.Job, now sim.Time) {
	j := newJ
	if j == nil {
		j = oldJ
	}
	if j == nil {
		return
	}
	if jt.byUID == nil {
		jt.byUID = map[api.UID]*jobRec{}
	}
	rec := jt.byUID[j.UID]
	if rec == nil {
		rec = &jobRec{namespace: j.Namespace, name: j.Name, created: j.CreationTimestamp, outcome: JobRunning}
		jt.byUID[j.UID] = rec
		jt.order = append(jt.order, rec)
	}
	if newJ == nil {
		if rec.outcome == JobRunning {
			rec.outcome = JobDeleted
		}
		return
	}
	st := &newJ.Status
	rec.succeeded, rec.failed = st.Succeeded, st.Failed
	if st.StartTime != nil && rec.start == nil {
		t := *st.StartTime
		rec.start = &t
	}
	if rec.outcome != JobRunning {
		return
	}
	if c := api.FindCondition(st.Conditions, "Complete"); c != nil && c.Status == api.ConditionTrue {
		rec.outcome = JobComplete
		t := c.LastTransitionTime
		if st.CompletionTime != nil {
			t = *st.CompletionTime
		}
		rec.finish = &t
	} else if c := api.FindCondition(st.Conditions, "Failed"); c != nil && c.Status == api.ConditionTrue {
		rec.outcome = JobFailed
		t := c.LastTransitionTime
		rec.finish = &t
	}
}

// JobSummary is one Job's figures. Times are seconds since the start of the
// run; Start, Finish and Duration are null while they have not happened.
type JobSummary struct {
	Namespace      string `json:"namespace"`
	Name           string `json:"name"`
	CreatedSeconds Fixed  `json:"created_seconds"`
	// StartSeconds is status.startTime: when the controller first acted.
	StartSeconds *Fixed `json:"start_seconds"`
	// FinishSeconds is status.completionTime for a Complete Job, or when the
	// Failed condition was set.
	FinishSeconds *Fixed `json:"finish_seconds"`
	// DurationSeconds is the completion time: finish − start.
	DurationSeconds *Fixed `json:"duration_seconds"`
	// Outcome is Complete, Failed, Running (at the end of the run) or Deleted
	// (removed before finishing).
	Outcome   string `json:"outcome"`
	Succeeded int32  `json:"succeeded"`
	Failed    int32  `json:"failed"`
}

// JobsSummary is every Job of the run and the figures across them.
type JobsSummary struct {
	Count    int `json:"count"`
	Complete int `json:"complete"`
	Failed   int `json:"failed"`
	// MakespanSeconds is from the first Job's creation to the last finish,
	// over the finished Jobs (0 when none finished).
	MakespanSeconds Fixed `json:"makespan_seconds"`
	// MeanDurationSeconds is the mean finish − start of the finished Jobs.
	MeanDurationSeconds Fixed        `json:"mean_duration_seconds"`
	Jobs                []JobSummary `json:"jobs"`
}

func (jt *jobTracker) summary() JobsSummary {
	out := JobsSummary{Jobs: []JobSummary{}}
	var firstCreated, lastFinish sim.Time
	var durations float64
	finished := 0
	for i, rec := range jt.order {
		js := JobSummary{Namespace: rec.namespace, Name: rec.name, CreatedSeconds: Fixed(rec.created.Seconds()),
			Outcome: rec.outcome, Succeeded: rec.succeeded, Failed: rec.failed}
		if rec.start != nil {
			v := Fixed(rec.start.Seconds())
			js.StartSeconds = &v
		}
		if i == 0 || rec.created < firstCreated {
			firstCreated = rec.created
		}
		if rec.finish != nil {
			v := Fixed(rec.finish.Seconds())
			js.FinishSeconds = &v
			if rec.start != nil {
				d := Fixed(rec.finish.Sub(*rec.start).Seconds())
				js.DurationSeconds = &d
				durations += float64(d)
			}
			finished++
			lastFinish = max(lastFinish, *rec.finish)
		}
		switch rec.outcome {
		case JobComplete:
			out.Complete++
		case JobFailed:
			out.Failed++
		}
		out.Jobs = append(out.Jobs, js)
	}
	out.Count = len(jt.order)
	if finished > 0 {
		out.MakespanSeconds = Fixed(lastFinish.Sub(firstCreated).Seconds())
		out.MeanDurationSeconds = Fixed(durations / float64(finished))
	}
	return out
}

// printJobs writes the Jobs table when the run had Jobs.
func (s *Summary) printJobs(w io.Writer) error {
	if s.Jobs.Count == 0 {
		return nil
	}
	t := newTable(w, tw.AlignLeft, tw.AlignLeft, tw.AlignRight, tw.AlignRight, tw.AlignRight, tw.AlignRight, tw.AlignRight)
	t.Header("Job", "Outcome", "Start (s)", "Finish (s)", "Duration (s)", "Succeeded", "Failed")
	opt := func(v *Fixed) string {
		if v == nil {
			return "-"
		}
		return fixed(float64(*v), 3)
	}
	for _, j := range s.Jobs.Jobs {
		if err := t.Append(j.Namespace+"/"+j.Name, j.Outcome, opt(j.StartSeconds), opt(j.FinishSeconds), opt(j.DurationSeconds),
			strconv.Itoa(int(j.Succeeded)), strconv.Itoa(int(j.Failed))); err != nil {
			return err
		}
	}
	if err := t.Render(); err != nil {
		return err
	}
	_, err := io.WriteString(w, "jobs "+strconv.Itoa(s.Jobs.Count)+": "+strconv.Itoa(s.Jobs.Complete)+" complete, "+
		strconv.Itoa(s.Jobs.Failed)+" failed; makespan "+fixed(float64(s.Jobs.MakespanSeconds), 3)+" s, mean duration "+
		fixed(float64(s.Jobs.MeanDurationSeconds), 3)+" s\n")
	return err
}
