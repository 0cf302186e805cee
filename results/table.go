package results

import (
	"errors"
	"fmt"
	"io"
	"strconv"

	"github.com/olekukonko/tablewriter"
	"github.com/olekukonko/tablewriter/tw"
)

// PrintSummary writes a human-readable summary of the run to w (for stdout):
// a header line, then tables of pods by phase, scheduling and startup
// latencies, mean and peak utilization per resource, and, when a workload
// rolled out or was offered load, a table of its rollouts (duration, minimum
// available, peak surge, demand served). It fails before Finish.
func (r *Recorder) PrintSummary(w io.Writer) error {
	if r.summary == nil {
		return errors.New("results: PrintSummary before Finish")
	}
	return r.summary.Print(w)
}

// Print writes s as PrintSummary does.
func (s *Summary) Print(w io.Writer) error {
	name := s.Scenario
	if name == "" {
		name = "(unnamed)"
	}
	if _, err := fmt.Fprintf(w, "scenario %s, seed %d: %s s simulated, %d events, %d nodes (peak %d), %s node-hours\n",
		name, s.Seed, fixed(float64(s.DurationSeconds), 3), s.EventsFired, s.Nodes.Final, s.Nodes.Peak,
		fixed(float64(s.Nodes.NodeHours), 3)); err != nil {
		return err
	}

	p := s.Pods
	phases := newTable(w, tw.AlignLeft, tw.AlignRight)
	phases.Header("Phase", "Pods")
	for _, row := range []struct {
		phase string
		n     int64
	}{{"Pending", p.Pending}, {"Running", p.Running}, {"Succeeded", p.Succeeded}, {"Failed", p.Failed},
		{"Unknown", p.Unknown}, {"Deleted", p.Deleted}, {"Total", p.Total}} {
		if err := phases.Append(row.phase, strconv.FormatInt(row.n, 10)); err != nil {
			return err
		}
	}
	if err := phases.Render(); err != nil {
		return err
	}

	lat := newTable(w, tw.AlignLeft, tw.AlignRight, tw.AlignRight, tw.AlignRight, tw.AlignRight, tw.AlignRight, tw.AlignRight)
	lat.Header("Latency (s)", "Pods", "p50", "p90", "p99", "Mean", "Max")
	for _, row := range []struct {
		name string
		l    LatencyStats
	}{{"scheduling", s.Scheduling.Latency}, {"startup", s.StartupLatency}} {
		l := row.l
		if err := lat.Append(row.name, strconv.Itoa(l.Count), fixed(float64(l.P50), 3), fixed(float64(l.P90), 3),
			fixed(float64(l.P99), 3), fixed(float64(l.Mean), 3), fixed(float64(l.Max), 3)); err != nil {
			return err
		}
	}
	if err := lat.Render(); err != nil {
		return err
	}
	if _, err := fmt.Fprintf(w, "scheduling attempts %d, failures %d; %d pods scheduled, %d never\n",
		s.Scheduling.Attempts, s.Scheduling.Failures, s.Scheduling.Scheduled, s.Scheduling.Unscheduled); err != nil {
		return err
	}

	util := newTable(w, tw.AlignLeft, tw.AlignRight, tw.AlignRight, tw.AlignRight)
	util.Header("Resource", "Mean util", "Peak util", "Allocatable")
	for _, rs := range s.Resources {
		if err := util.Append(rs.Resource, percent(float64(rs.MeanUtilization)), percent(float64(rs.PeakUtilization)),
			strconv.FormatInt(rs.FinalAllocatable, 10)+" "+rs.Unit); err != nil {
			return err
		}
	}
	if err := util.Render(); err != nil {
		return err
	}
	if err := s.printWorkloads(w); err != nil {
		return err
	}
	if err := s.printJobs(w); err != nil {
		return err
	}
	return s.printFailures(w)
}

// newTable returns a table writing to w with the given column alignments and
// headers kept as written.
func newTable(w io.Writer, aligns ...tw.Align) *tablewriter.Table {
	return tablewriter.NewTable(w,
		tablewriter.WithHeaderAutoFormat(tw.Off),
		tablewriter.WithHeaderAlignment(tw.AlignCenter),
		tablewriter.WithRowAlignmentConfig(tw.CellAlignment{PerColumn: aligns}),
	)
}

func fixed(v float64, decimals int) string { return strconv.FormatFloat(v, 'f', decimals, 64) }

// percent renders a fraction of 1 as a percentage with one decimal.
func percent(v float64) string { return fixed(100*v, 1) + "%" }
