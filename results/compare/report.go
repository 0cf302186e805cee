package compare

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"slices"
	"sort"
	"strconv"

	"gonum.org/v1/gonum/stat"

	"github.com/kubesim/kubesim/results"
)

// Output file names, in the output folder of compare and sweep.
const (
	FileCSV  = "compare.csv"
	FileJSON = "compare.json"
)

// Group is the runs of one profile in one cell (a compare has one cell,
// named "").
type Group struct {
	Cell, Profile string
	// Baseline is the index, in the slice given to Compute, of the group
	// this group's mean is compared with (a baseline group names itself),
	// or -1 for none.
	Baseline int
	// Runs are the flattened metrics of each successful run, in seed order.
	Runs [][]Metric
}

// Row is the statistics of one metric in one group.
type Row struct {
	Cell, Profile, Metric string
	// HasBaseline tells whether the group has a baseline, BaselineCell and
	// BaselineProfile name it.
	HasBaseline                   bool
	BaselineCell, BaselineProfile string
	Stats
	// RelDiff is RelDiff(Mean, the baseline's Mean); NaN without a baseline.
	RelDiff float64
}

// Compute returns the rows of groups: cells in the order they first appear,
// then metrics by name (those any run of the cell reported), then the cell's
// groups in the order given. A group without a value for a metric gets a row
// with N = 0. A Baseline outside groups panics.
func Compute(groups []Group) []Row {
	type cellInfo struct {
		groups  []int
		metrics map[string]bool
	}
	var cellOrder []string
	cells := map[string]*cellInfo{}
	values := make([]map[string][]float64, len(groups))
	for i, g := range groups {
		if g.Baseline < -1 || g.Baseline >= len(groups) {
			panic(fmt.Sprintf("compare: group %d: baseline %d out of range", i, g.Baseline))
		}
		c, ok := cells[g.Cell]
		if !ok {
			c = &cellInfo{metrics: map[string]bool{}}
			cells[g.Cell] = c
			cellOrder = append(cellOrder, g.Cell)
		}
		c.groups = append(c.groups, i)
		values[i] = map[string][]float64{}
		for _, run := range g.Runs {
			for _, m := range run {
				values[i][m.Name] = append(values[i][m.Name], m.Value)
				c.metrics[m.Name] = true
			}
		}
	}
	tq := map[[2]float64]float64{}
	quantile := func(p, nu float64) float64 {
		k := [2]float64{p, nu}
		if v, ok := tq[k]; ok {
			return v
		}
		v := TQuantile(p, nu)
		tq[k] = v
		return v
	}
	var rows []Row
	for _, cn := range cellOrder {
		c := cells[cn]
		names := make([]string, 0, len(c.metrics))
		for n := range c.metrics {
			names = append(names, n)
		}
		sort.Strings(names)
		for _, name := range names {
			for _, gi := range c.groups {
				g := groups[gi]
				r := Row{Cell: g.Cell, Profile: g.Profile, Metric: name, Stats: describe(values[gi][name], quantile), RelDiff: math.NaN()}
				if g.Baseline >= 0 {
					b := groups[g.Baseline]
					r.HasBaseline, r.BaselineCell, r.BaselineProfile = true, b.Cell, b.Profile
					r.RelDiff = RelDiff(r.Mean, mean(values[g.Baseline][name]))
				}
				rows = append(rows, r)
			}
		}
	}
	return rows
}

// mean is Describe(xs).Mean: the mean, summed in the order given; NaN for
// no values.
func mean(xs []float64) float64 {
	if len(xs) == 0 {
		return math.NaN()
	}
	return stat.Mean(xs, nil)
}

// Profile is one compared profile: its name and, for a profile given as a
// KubeSchedulerConfiguration file, that file's path as given.
type Profile struct {
	Name   string `json:"name"`
	Config string `json:"config,omitempty"`
}

// Assignment is one scenario field a sweep cell sets: its path in the
// scenario YAML and the value, as given.
type Assignment struct {
	Path  string `json:"path"`
	Value string `json:"value"`
}

// Cell is one point of a sweep's grid.
type Cell struct {
	Name string       `json:"name"`
	Set  []Assignment `json:"set"`
}

// RunID names one run.
type RunID struct {
	Cell    string `json:"cell,omitempty"`
	Profile string `json:"profile"`
	Seed    uint64 `json:"seed"`
}

// Report is everything compare.csv and compare.json hold.
type Report struct {
	// Scenario is the scenario file as given on the command line.
	Scenario string
	Seeds    []uint64
	Profiles []Profile
	// Cells are a sweep's cells; nil for a compare (and then no cell
	// columns are written).
	Cells []Cell
	// Planned counts the runs asked for, Succeeded those that gave a summary
	// (run now or found finished); Failed names the others.
	Planned, Succeeded int
	Failed             []RunID
	Rows               []Row
}

// csvHeader returns compare.csv's header.
func (r *Report) csvHeader() []string {
	h := []string{"profile", "metric", "n", "mean", "sd", "ci95_low", "ci95_high", "ci95_half_width", "median", "min", "max"}
	if r.Cells != nil {
		h = append([]string{"cell"}, h...)
		return append(h, "baseline_cell", "baseline_profile", "rel_diff")
	}
	return append(h, "baseline", "rel_diff")
}

// WriteCSV writes compare.csv: the header, then one line per row. Floats have
// six decimals; undefined ones are empty fields.
func (r *Report) WriteCSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(r.csvHeader()); err != nil {
		return err
	}
	for _, row := range r.Rows {
		var rec []string
		if r.Cells != nil {
			rec = append(rec, row.Cell)
		}
		rec = append(rec, row.Profile, row.Metric, strconv.Itoa(row.N))
		for _, v := range []float64{row.Mean, row.SD, row.Low, row.High, row.HalfWidth, row.Median, row.Min, row.Max} {
			rec = append(rec, FormatFloat(v))
		}
		if r.Cells != nil {
			rec = append(rec, row.BaselineCell)
		}
		rec = append(rec, row.BaselineProfile, FormatFloat(row.RelDiff))
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// FormatFloat writes v with six decimals, or "" when v is NaN or infinite.
func FormatFloat(v float64) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return ""
	}
	return strconv.FormatFloat(v, 'f', 6, 64)
}

// jsonReport is compare.json's layout; field order is key order.
type jsonReport struct {
	Scenario   string        `json:"scenario"`
	Confidence results.Fixed `json:"confidence"`
	Seeds      []uint64      `json:"seeds"`
	Profiles   []Profile     `json:"profiles"`
	Cells      []Cell        `json:"cells,omitempty"`
	Runs       jsonRuns      `json:"runs"`
	Rows       []jsonRow     `json:"rows"`
}

type jsonRuns struct {
	Planned   int     `json:"planned"`
	Succeeded int     `json:"succeeded"`
	Failed    []RunID `json:"failed"`
}

type jsonRow struct {
	Cell      string         `json:"cell,omitempty"`
	Profile   string         `json:"profile"`
	Metric    string         `json:"metric"`
	N         int            `json:"n"`
	Mean      *results.Fixed `json:"mean"`
	SD        *results.Fixed `json:"sd"`
	Low       *results.Fixed `json:"ci95_low"`
	High      *results.Fixed `json:"ci95_high"`
	HalfWidth *results.Fixed `json:"ci95_half_width"`
	Median    *results.Fixed `json:"median"`
	Min       *results.Fixed `json:"min"`
	Max       *results.Fixed `json:"max"`
	Baseline  *RunGroup      `json:"baseline"`
	RelDiff   *results.Fixed `json:"rel_diff"`
}

// RunGroup names a group in compare.json: a profile, in a cell for a sweep.
type RunGroup struct {
	Cell    string `json:"cell,omitempty"`
	Profile string `json:"profile"`
}

func fixedOrNil(v float64) *results.Fixed {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return nil
	}
	f := results.Fixed(v)
	return &f
}

// WriteJSON writes compare.json: indented, keys in a fixed order, floats
// with six decimals, undefined ones null, then a newline.
func (r *Report) WriteJSON(w io.Writer) error {
	j := jsonReport{
		Scenario:   r.Scenario,
		Confidence: Confidence,
		Seeds:      r.Seeds,
		Profiles:   r.Profiles,
		Cells:      slices.Clone(r.Cells),
		Runs:       jsonRuns{Planned: r.Planned, Succeeded: r.Succeeded, Failed: r.Failed},
		Rows:       make([]jsonRow, len(r.Rows)),
	}
	if j.Seeds == nil {
		j.Seeds = []uint64{}
	}
	if j.Profiles == nil {
		j.Profiles = []Profile{}
	}
	if j.Runs.Failed == nil {
		j.Runs.Failed = []RunID{}
	}
	for i := range j.Cells {
		if j.Cells[i].Set == nil {
			j.Cells[i].Set = []Assignment{}
		}
	}
	for i, row := range r.Rows {
		jr := jsonRow{Cell: row.Cell, Profile: row.Profile, Metric: row.Metric, N: row.N,
			Mean: fixedOrNil(row.Mean), SD: fixedOrNil(row.SD), Low: fixedOrNil(row.Low), High: fixedOrNil(row.High),
			HalfWidth: fixedOrNil(row.HalfWidth), Median: fixedOrNil(row.Median), Min: fixedOrNil(row.Min),
			Max: fixedOrNil(row.Max), RelDiff: fixedOrNil(row.RelDiff)}
		if row.HasBaseline {
			jr.Baseline = &RunGroup{Cell: row.BaselineCell, Profile: row.BaselineProfile}
		}
		j.Rows[i] = jr
	}
	b, err := json.MarshalIndent(j, "", "  ")
	if err != nil {
		return err
	}
	_, err = w.Write(append(b, '\n'))
	return err
}
