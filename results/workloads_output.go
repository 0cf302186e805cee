package results

import (
	"bufio"
	"io"
	"strconv"

	"github.com/olekukonko/tablewriter/tw"

	"github.com/kubesim/kubesim/sim"
	"github.com/kubesim/kubesim/workloads/traffic"
)

// FileWorkloads is the per-workload count history.
const FileWorkloads = "workloads.csv"

// WorkloadsHeader is workloads.csv's header line.
const WorkloadsHeader = "time,kind,namespace,name,desired,current,ready,available,updated,terminating,revision"

// WorkloadSummary is one workload object (one UID) of the run: its counts at
// the end, its rollouts and, when it was offered load, the load figures of the
// whole run.
type WorkloadSummary struct {
	Kind      string `json:"kind"`
	Namespace string `json:"namespace"`
	Name      string `json:"name"`
	// Desired, Current, Ready, Available and Updated are the counts at the
	// end of the run, as in workloads.csv's last row for the workload.
	Desired   int32 `json:"desired"`
	Current   int32 `json:"current"`
	Ready     int32 `json:"ready"`
	Available int32 `json:"available"`
	Updated   int32 `json:"updated"`
	// Deleted is set when the workload object was deleted during the run.
	Deleted bool `json:"deleted"`
	// Rollouts are the rollouts (pod template changes), in time order.
	Rollouts []RolloutSummary `json:"rollouts"`
	// Load is the offered load's figures over the whole run (from the
	// workload's creation), or nil when it was offered none.
	Load *LoadSummary `json:"load,omitempty"`
}

// RolloutSummary is one rollout: it starts when the workload's pod template
// changes and completes when updated = ready = available = desired and no pod
// of another template remains.
type RolloutSummary struct {
	// Revision is the Deployment's revision annotation when the rollout
	// ended (or at the end of the run); "" for other kinds.
	Revision string `json:"revision"`
	// Outcome is complete, superseded (the template changed again first),
	// deleted (the workload was deleted first) or in-progress (the run ended
	// first).
	Outcome      string `json:"outcome"`
	StartSeconds Fixed  `json:"start_seconds"`
	// EndSeconds is when the rollout completed, was superseded or deleted;
	// null while in progress.
	EndSeconds *Fixed `json:"end_seconds"`
	// DurationSeconds is end − start, or the end of the run − start for a
	// rollout still in progress.
	DurationSeconds Fixed `json:"duration_seconds"`
	// ProgressDeadlineExceeded is set when the Deployment's Progressing
	// condition turned False with reason ProgressDeadlineExceeded during
	// the rollout.
	ProgressDeadlineExceeded bool `json:"progress_deadline_exceeded"`
	// MinAvailable is the fewest available pods, and PeakSurge the largest
	// current − desired (the controller's surge; terminating pods excluded,
	// as upstream counts), at any moment of the rollout (its start included).
	// PeakCapacitySurge is the largest current + terminating − desired: the
	// capacity the rollout borrowed, since terminating pods still hold it.
	MinAvailable      int32 `json:"min_available"`
	PeakSurge         int32 `json:"peak_surge"`
	PeakCapacitySurge int32 `json:"peak_capacity_surge"`
	// Load is the offered load's figures during the rollout, or nil.
	Load *LoadSummary `json:"load,omitempty"`
}

// LoadSummary is what a workload was offered and served (package traffic).
type LoadSummary struct {
	// OfferedRequests and ServedRequests are integrals of rps over seconds.
	OfferedRequests Fixed `json:"offered_requests"`
	ServedRequests  Fixed `json:"served_requests"`
	// DemandServed is served / offered, a fraction of 1 (1 when nothing was
	// offered).
	DemandServed Fixed `json:"demand_served"`
	// SecondsBelowDesired is how long fewer pods were Ready than desired.
	SecondsBelowDesired Fixed `json:"seconds_below_desired"`
	// WorstShortfallRPS is the largest offered − served rate at any moment.
	WorstShortfallRPS Fixed `json:"worst_shortfall_rps"`
}

func loadSummary(t traffic.Totals) *LoadSummary {
	return &LoadSummary{
		OfferedRequests:     Fixed(t.Offered),
		ServedRequests:      Fixed(t.Served),
		DemandServed:        Fixed(t.DemandServed()),
		SecondsBelowDesired: Fixed(t.BelowDesired.Seconds()),
		WorstShortfallRPS:   Fixed(t.WorstShortfall),
	}
}

// workloadSummaries builds the per-workload part of the summary, in the order
// the workloads were first seen.
func (wt *workloadTracker) workloadSummaries(until sim.Time) []WorkloadSummary {
	out := make([]WorkloadSummary, 0, len(wt.wls))
	for _, wl := range wt.wls {
		c := wl.counts
		ws := WorkloadSummary{Kind: string(wl.kind), Namespace: wl.namespace, Name: wl.name,
			Desired: c.desired, Current: c.current, Ready: c.ready, Available: c.available, Updated: c.updated,
			Deleted: wl.deleted, Rollouts: []RolloutSummary{}}
		for _, ro := range wl.rollouts {
			rs := RolloutSummary{Revision: ro.revision, Outcome: ro.outcome, StartSeconds: Fixed(ro.start.Seconds()),
				ProgressDeadlineExceeded: ro.deadlineExceeded, MinAvailable: ro.minAvailable, PeakSurge: ro.peakSurge,
				PeakCapacitySurge: ro.peakCapacitySurge}
			end := until
			if ro.end != unset {
				e := Fixed(ro.end.Seconds())
				rs.EndSeconds = &e
				end = ro.end
			}
			rs.DurationSeconds = Fixed(end.Sub(ro.start).Seconds())
			if ro.hasLoad {
				rs.Load = loadSummary(ro.load)
			}
			ws.Rollouts = append(ws.Rollouts, rs)
		}
		if wl.load != nil {
			ws.Load = loadSummary(wl.load.tracker.Totals(until))
		}
		out = append(out, ws)
	}
	return out
}

// writeWorkloads writes workloads.csv: one row per change of a workload's
// counts, in time order.
func (r *Recorder) writeWorkloads(w io.Writer) error {
	bw := bufio.NewWriter(w)
	bw.WriteString(WorkloadsHeader + "\n")
	var b []byte
	for i := range r.wl.rows {
		row := &r.wl.rows[i]
		if row.dropped {
			continue
		}
		wl := r.wl.wls[row.wl]
		b = appendTime(b[:0], row.t)
		for _, s := range []string{string(wl.kind), wl.namespace, wl.name} {
			b = append(b, ',')
			b = appendCSVField(b, s)
		}
		c := &row.c
		for _, v := range []int32{c.desired, c.current, c.ready, c.available, c.updated, c.terminating} {
			b = append(b, ',')
			b = strconv.AppendInt(b, int64(v), 10)
		}
		b = append(b, ',')
		b = appendCSVField(b, c.revision)
		b = append(b, '\n')
		bw.Write(b)
	}
	return bw.Flush()
}

// printWorkloads writes the rollout and load table: one row per rollout of
// every workload that had one, and one per workload offered load without a
// rollout. It writes nothing when there is no such workload.
func (s *Summary) printWorkloads(w io.Writer) error {
	var rows [][]string
	for _, ws := range s.Workloads {
		name := ws.Kind + " " + ws.Namespace + "/" + ws.Name
		served := func(l *LoadSummary) string {
			if l == nil {
				return "-"
			}
			return percent(float64(l.DemandServed))
		}
		for i, ro := range ws.Rollouts {
			outcome := ro.Outcome
			if ro.ProgressDeadlineExceeded {
				outcome += " (deadline exceeded)"
			}
			rows = append(rows, []string{name, strconv.Itoa(i + 1), outcome, fixed(float64(ro.DurationSeconds), 3),
				strconv.Itoa(int(ro.MinAvailable)), strconv.Itoa(int(ro.PeakSurge)), strconv.Itoa(int(ro.PeakCapacitySurge)),
				served(ro.Load), served(ws.Load)})
		}
		if len(ws.Rollouts) == 0 && ws.Load != nil {
			rows = append(rows, []string{name, "-", "-", "-", "-", "-", "-", "-", served(ws.Load)})
		}
	}
	if len(rows) == 0 {
		return nil
	}
	t := newTable(w, tw.AlignLeft, tw.AlignRight, tw.AlignLeft, tw.AlignRight, tw.AlignRight, tw.AlignRight, tw.AlignRight, tw.AlignRight)
	t.Header("Workload", "Rollout", "Outcome", "Duration (s)", "Min avail", "Peak surge", "Peak incl. terminating", "Served (rollout)", "Served (run)")
	for _, row := range rows {
		if err := t.Append(row); err != nil {
			return err
		}
	}
	return t.Render()
}
