package compare

import (
	"io"
	"math"
	"path"
	"sort"
	"strconv"

	"github.com/olekukonko/tablewriter"
	"github.com/olekukonko/tablewriter/tw"
)

// DefaultMetrics are the metrics the table shows unless told otherwise: how
// fast pods are scheduled and started, how many never are, how full the
// cluster is and what it costs.
var DefaultMetrics = []string{
	"scheduling.latency_seconds.mean",
	"scheduling.latency_seconds.p99",
	"scheduling.unscheduled",
	"startup_latency_seconds.p99",
	"peaks.pending",
	"resources.cpu.mean_utilization",
	"resources.memory.mean_utilization",
	"nodes.node_hours",
}

// SelectMetrics returns the metric names of r's rows that match patterns,
// in pattern order (names matching one pattern in name order, each name
// once), and the patterns that matched nothing. A pattern is a metric name
// or a path.Match glob ("resources.*.mean_utilization"; "*" does not cross
// "/", and a malformed pattern matches only itself).
func SelectMetrics(r *Report, patterns []string) (names, unmatched []string) {
	var all []string
	seen := map[string]bool{}
	for _, row := range r.Rows {
		if !seen[row.Metric] {
			seen[row.Metric] = true
			all = append(all, row.Metric)
		}
	}
	chosen := map[string]bool{}
	for _, p := range patterns {
		var hits []string
		for _, name := range all {
			if ok, err := path.Match(p, name); (err == nil && ok) || name == p {
				hits = append(hits, name)
			}
		}
		if len(hits) == 0 {
			unmatched = append(unmatched, p)
		}
		sort.Strings(hits)
		for _, h := range hits {
			if !chosen[h] {
				chosen[h] = true
				names = append(names, h)
			}
		}
	}
	return names, unmatched
}

// PrintTable writes a table of the metrics to w: per metric, one line per
// group (cell and profile) with n, the mean and its 95 % confidence
// half-width, sd, median, min, max and the relative difference to the
// baseline in percent. Figures are rounded to three decimals (very large
// ones in scientific notation); undefined ones show as "-".
func PrintTable(w io.Writer, r *Report, metrics []string) error {
	cols := []string{"Metric"}
	aligns := []tw.Align{tw.AlignLeft}
	if r.Cells != nil {
		cols = append(cols, "Cell")
		aligns = append(aligns, tw.AlignLeft)
	}
	cols = append(cols, "Profile", "n", "Mean", "±95% CI", "SD", "Median", "Min", "Max", "Δ mean")
	aligns = append(aligns, tw.AlignLeft, tw.AlignRight, tw.AlignRight, tw.AlignRight, tw.AlignRight,
		tw.AlignRight, tw.AlignRight, tw.AlignRight, tw.AlignRight)
	t := tablewriter.NewTable(w,
		tablewriter.WithHeaderAutoFormat(tw.Off),
		tablewriter.WithHeaderAlignment(tw.AlignCenter),
		tablewriter.WithRowAlignmentConfig(tw.CellAlignment{PerColumn: aligns}),
	)
	header := make([]any, len(cols))
	for i, c := range cols {
		header[i] = c
	}
	t.Header(header...)
	for _, m := range metrics {
		for _, row := range r.Rows {
			if row.Metric != m {
				continue
			}
			rec := []any{m}
			if r.Cells != nil {
				rec = append(rec, row.Cell)
			}
			rec = append(rec, row.Profile, strconv.Itoa(row.N), human(row.Mean), human(row.HalfWidth), human(row.SD),
				human(row.Median), human(row.Min), human(row.Max), relPercent(row))
			if err := t.Append(rec...); err != nil {
				return err
			}
		}
	}
	return t.Render()
}

// human formats a figure for the table.
func human(v float64) string {
	switch {
	case math.IsNaN(v) || math.IsInf(v, 0):
		return "-"
	case math.Abs(v) >= 1e7:
		return strconv.FormatFloat(v, 'e', 3, 64)
	}
	return strconv.FormatFloat(v, 'f', 3, 64)
}

// relPercent renders a row's relative difference as a signed percentage;
// "base" for a baseline row.
func relPercent(row Row) string {
	if row.HasBaseline && row.BaselineCell == row.Cell && row.BaselineProfile == row.Profile {
		return "base"
	}
	if math.IsNaN(row.RelDiff) {
		return "-"
	}
	s := strconv.FormatFloat(100*row.RelDiff, 'f', 1, 64)
	if row.RelDiff >= 0 {
		s = "+" + s
	}
	return s + "%"
}
