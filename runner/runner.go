package runner

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strconv"
	"sync"
	"time"

	"github.com/kubesim/kubesim/results"
	"github.com/kubesim/kubesim/results/compare"
	"github.com/kubesim/kubesim/scenarios"
)

// FileRun is the file in each run folder that records what the run was made
// from; a finished run is only reused when it matches.
const FileRun = "run.json"

// Plan is what to run.
type Plan struct {
	// Scenario is the scenario file.
	Scenario string
	// Profiles are the compared policies (ParseProfiles); empty means the
	// scenario as written, named ScenarioProfile.
	Profiles []Profile
	// Seeds are the seeds of every (cell, profile); empty means the
	// scenario's spec.seed. They override spec.seed, also one set by Params.
	Seeds []uint64
	// Params make a sweep: the cells are Grid(Params). Empty makes a
	// compare (one cell, the scenario as written).
	Params []Param
	// Until, when positive, overrides the scenario's duration.
	Until time.Duration
	// Out is the output folder; "" means out/<scenario name>-compare or
	// out/<scenario name>-sweep.
	Out string
	// Parallel is how many runs go at once; 0 or less means GOMAXPROCS.
	Parallel int
	// Force reruns finished runs.
	Force bool
	// Progress receives one line per run as it ends (nil: discarded). It
	// carries no information that reaches a file.
	Progress io.Writer
}

// Experiment is a checked plan, ready to run.
type Experiment struct {
	plan     Plan
	name     string
	cells    []preparedCell
	profiles []Profile
	seeds    []uint64
	sweep    bool
	configs  map[string]string // config file → sha256 of its bytes
}

type preparedCell struct {
	Cell
	data []byte // the scenario YAML with the cell's fields set
	hash string
	// schedulerConfig is the scenario's spec.scheduler.config, resolved.
	schedulerConfig string
}

// Prepare checks a plan: it reads the scenario, builds each cell's scenario
// and loads it, and checks every profile against every cell's scheduler
// configuration. Every error is bad input; nothing has run yet.
func Prepare(p Plan) (*Experiment, error) {
	data, err := os.ReadFile(p.Scenario)
	if err != nil {
		return nil, err
	}
	base, err := scenarios.Parse(p.Scenario, data)
	if err != nil {
		return nil, err
	}
	if p.Until < 0 {
		return nil, fmt.Errorf("until must be positive, got %s", p.Until)
	}
	e := &Experiment{plan: p, name: base.Name, sweep: len(p.Params) > 0, profiles: p.Profiles, seeds: p.Seeds,
		configs: map[string]string{}}
	if len(e.profiles) == 0 {
		e.profiles = []Profile{{Name: ScenarioProfile}}
	}
	if len(e.seeds) == 0 {
		e.seeds = []uint64{base.Seed}
	}
	if e.plan.Out == "" {
		kind := "compare"
		if e.sweep {
			kind = "sweep"
		}
		e.plan.Out = filepath.Join("out", base.Name+"-"+kind)
	}
	if e.plan.Parallel <= 0 {
		e.plan.Parallel = runtime.GOMAXPROCS(0)
	}
	cells, err := Grid(p.Params)
	if err != nil {
		return nil, err
	}
	var errs []error
	for _, c := range cells {
		where := p.Scenario
		if c.Name != "" {
			where = fmt.Sprintf("cell %s", c.Name)
		}
		cd, err := applySet(data, c.Set)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", where, err))
			continue
		}
		l, err := scenarios.Parse(p.Scenario, cd)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", where, err))
			continue
		}
		sum := sha256.Sum256(cd)
		pc := preparedCell{Cell: c, data: cd, hash: hex.EncodeToString(sum[:]), schedulerConfig: l.SchedulerConfig}
		for _, prof := range e.profiles {
			if err := scenarios.CheckOptions(l, buildOptions(prof)); err != nil {
				errs = append(errs, fmt.Errorf("%s: profile %s: %w", where, prof.Name, err))
			}
			for _, f := range []string{prof.Config, l.SchedulerConfig} {
				if _, done := e.configs[f]; f != "" && !done {
					b, err := os.ReadFile(f)
					if err != nil {
						errs = append(errs, err)
						continue
					}
					s := sha256.Sum256(b)
					e.configs[f] = hex.EncodeToString(s[:])
				}
			}
		}
		e.cells = append(e.cells, pc)
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return e, nil
}

func buildOptions(p Profile) scenarios.BuildOptions {
	return scenarios.BuildOptions{SchedulerConfig: p.Config, DefaultProfile: p.SchedulerProfile}
}

// Name is the scenario's name.
func (e *Experiment) Name() string { return e.name }

// Out is the output folder.
func (e *Experiment) Out() string { return e.plan.Out }

// Runs is the number of runs: cells × profiles × seeds.
func (e *Experiment) Runs() int { return len(e.cells) * len(e.profiles) * len(e.seeds) }

// Parallel is how many runs go at once.
func (e *Experiment) Parallel() int { return e.plan.Parallel }

// Failure is a run that gave no summary.
type Failure struct {
	compare.RunID
	Err error
}

// Result is what an experiment gave.
type Result struct {
	// Report holds the statistics, as written to compare.csv and
	// compare.json.
	Report *compare.Report
	// Ran counts the runs simulated now, Reused the finished ones found.
	Ran, Reused int
	// Failures are the runs that failed, in run order.
	Failures []Failure
}

// job is one run.
type job struct {
	cell    *preparedCell
	profile Profile
	seed    uint64
	dir     string
}

// outcome is one run's result.
type outcome struct {
	metrics []compare.Metric
	reused  bool
	events  uint64
	err     error
}

// Run runs every run not finished yet, Parallel at a time, then writes
// compare.csv and compare.json and returns the result. Failed runs are in
// Result.Failures, not an error; the error is for outputs that could not be
// written, or ctx's when it was cancelled: then no new run starts, the runs
// under way finish and are kept, and no statistics are written.
func (e *Experiment) Run(ctx context.Context) (*Result, error) {
	var jobs []job
	for ci := range e.cells {
		c := &e.cells[ci]
		for _, p := range e.profiles {
			for _, s := range e.seeds {
				jobs = append(jobs, job{cell: c, profile: p, seed: s, dir: e.runDir(c, p, s)})
			}
		}
	}
	outcomes := make([]outcome, len(jobs))
	progress := e.plan.Progress
	if progress == nil {
		progress = io.Discard
	}
	var (
		mu   sync.Mutex
		done int
		wg   sync.WaitGroup
	)
	next := make(chan int)
	for w := 0; w < min(e.plan.Parallel, len(jobs)); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				outcomes[i] = e.runOne(jobs[i])
				mu.Lock()
				done++
				fmt.Fprintf(progress, "[%d/%d] %s: %s\n", done, len(jobs), jobs[i].label(), outcomes[i].describe())
				mu.Unlock()
			}
		}()
	}
	cancelled := false
	for i := range jobs {
		select {
		case next <- i:
			continue
		case <-ctx.Done():
			cancelled = true
		}
		break
	}
	close(next)
	wg.Wait()
	if cancelled {
		return nil, fmt.Errorf("interrupted: the finished runs are kept in %s; run again to resume: %w", e.plan.Out, ctx.Err())
	}

	res := &Result{}
	rep := &compare.Report{Scenario: e.plan.Scenario, Seeds: e.seeds, Planned: len(jobs)}
	for _, p := range e.profiles {
		rep.Profiles = append(rep.Profiles, compare.Profile{Name: p.Name, Config: p.Config})
	}
	if e.sweep {
		rep.Cells = []compare.Cell{}
		for _, c := range e.cells {
			rep.Cells = append(rep.Cells, compare.Cell{Name: c.Name, Set: c.Set})
		}
	}
	groups := make([]compare.Group, 0, len(e.cells)*len(e.profiles))
	i := 0
	for ci := range e.cells {
		for pi, p := range e.profiles {
			g := compare.Group{Cell: e.cells[ci].Name, Profile: p.Name, Baseline: e.baseline(ci, pi)}
			for range e.seeds {
				o, j := outcomes[i], jobs[i]
				i++
				if o.err != nil {
					res.Failures = append(res.Failures, Failure{RunID: j.id(), Err: o.err})
					rep.Failed = append(rep.Failed, j.id())
					continue
				}
				if o.reused {
					res.Reused++
				} else {
					res.Ran++
				}
				rep.Succeeded++
				g.Runs = append(g.Runs, o.metrics)
			}
			groups = append(groups, g)
		}
	}
	rep.Rows = compare.Compute(groups)
	res.Report = rep
	if err := os.MkdirAll(e.plan.Out, 0o755); err != nil {
		return res, err
	}
	if err := writeFileAtomic(filepath.Join(e.plan.Out, compare.FileCSV), rep.WriteCSV); err != nil {
		return res, err
	}
	if err := writeFileAtomic(filepath.Join(e.plan.Out, compare.FileJSON), rep.WriteJSON); err != nil {
		return res, err
	}
	return res, nil
}

// baseline returns the index of the group that group (cell ci, any
// profile) is compared with: the first profile of the same cell or, with a
// single profile, the first cell.
func (e *Experiment) baseline(ci, _ int) int {
	if len(e.profiles) == 1 {
		return 0
	}
	return ci * len(e.profiles)
}

// runDir is a run's folder.
func (e *Experiment) runDir(c *preparedCell, p Profile, seed uint64) string {
	dir := e.plan.Out
	if e.sweep {
		dir = filepath.Join(dir, "cells", c.Name)
	}
	return filepath.Join(dir, "runs", p.Name, "seed-"+strconv.FormatUint(seed, 10))
}

func (j job) id() compare.RunID {
	return compare.RunID{Cell: j.cell.Name, Profile: j.profile.Name, Seed: j.seed}
}

func (j job) label() string {
	s := j.profile.Name + " seed " + strconv.FormatUint(j.seed, 10)
	if j.cell.Name != "" {
		s = j.cell.Name + " " + s
	}
	return s
}

func (o outcome) describe() string {
	switch {
	case o.err != nil:
		return "FAILED: " + o.err.Error()
	case o.reused:
		return "finished before, reused"
	}
	return fmt.Sprintf("done, %d events", o.events)
}

// runRecord is run.json: what a run was made from.
type runRecord struct {
	Scenario       string               `json:"scenario"`
	ScenarioSHA256 string               `json:"scenario_sha256"`
	Set            []compare.Assignment `json:"set"`
	Profile        string               `json:"profile"`
	// SchedulerProfile and Config are the Profile's fields.
	SchedulerProfile string `json:"scheduler_profile"`
	Config           string `json:"config"`
	// ConfigSHA256 hashes the scheduler configuration in effect ("" for
	// none).
	ConfigSHA256 string `json:"config_sha256"`
	Seed         uint64 `json:"seed"`
	Until        string `json:"until"`
}

func (e *Experiment) record(j job) []byte {
	cfg := j.profile.Config
	if cfg == "" {
		cfg = j.cell.schedulerConfig
	}
	r := runRecord{Scenario: e.plan.Scenario, ScenarioSHA256: j.cell.hash, Set: j.cell.Set, Profile: j.profile.Name,
		SchedulerProfile: j.profile.SchedulerProfile, Config: j.profile.Config, ConfigSHA256: e.configs[cfg],
		Seed: j.seed}
	if r.Set == nil {
		r.Set = []compare.Assignment{}
	}
	if e.plan.Until > 0 {
		r.Until = e.plan.Until.String()
	}
	b, _ := json.MarshalIndent(r, "", "  ") // plain strings and numbers: cannot fail
	return append(b, '\n')
}

// finished returns the metrics of a finished run in dir: one whose
// summary.json is valid and whose run.json is record.
func finished(dir string, record []byte) ([]compare.Metric, bool) {
	got, err := os.ReadFile(filepath.Join(dir, FileRun))
	if err != nil || !bytes.Equal(got, record) {
		return nil, false
	}
	data, err := os.ReadFile(filepath.Join(dir, results.FileSummary))
	if err != nil {
		return nil, false
	}
	ms, err := compare.Flatten(data)
	if err != nil {
		return nil, false
	}
	return ms, true
}

// runOne makes one run, or reads it back when it is finished.
func (e *Experiment) runOne(j job) (o outcome) {
	record := e.record(j)
	if !e.plan.Force {
		if ms, ok := finished(j.dir, record); ok {
			return outcome{metrics: ms, reused: true}
		}
	}
	l, err := scenarios.Parse(e.plan.Scenario, j.cell.data)
	if err != nil {
		return outcome{err: err}
	}
	l.Seed = j.seed
	if e.plan.Until > 0 {
		l.Duration = e.plan.Until
	}
	s, err := scenarios.BuildWith(l, buildOptions(j.profile))
	if err != nil {
		return outcome{err: err}
	}
	defer s.Close()
	defer func() {
		if r := recover(); r != nil {
			o = outcome{err: fmt.Errorf("simulation failed at %v: %v\n%s", s.Engine().Now(), r, debug.Stack())}
		}
	}()
	rec, err := s.Run()
	if err != nil {
		return outcome{err: err}
	}
	var sum bytes.Buffer
	if err := rec.Summary().WriteJSON(&sum); err != nil {
		return outcome{err: err}
	}
	ms, err := compare.Flatten(sum.Bytes())
	if err != nil {
		return outcome{err: err}
	}
	if err := os.MkdirAll(filepath.Dir(j.dir), 0o755); err != nil {
		return outcome{err: err}
	}
	err = results.AtomicDir(j.dir, func(tmp string) error {
		if err := rec.WriteFiles(tmp); err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(tmp, FileRun), record, 0o644)
	})
	if err != nil {
		return outcome{err: err}
	}
	return outcome{metrics: ms, events: s.Engine().Fired()}
}

// writeFileAtomic writes path through a temporary file in the same folder,
// synced and renamed over path, so that path is always complete.
func writeFileAtomic(path string, write func(io.Writer) error) (err error) {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
		}
	}()
	if err := write(f); err != nil {
		return err
	}
	if err := f.Sync(); err != nil {
		return err
	}
	if err := f.Chmod(0o644); err != nil {
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(f.Name(), path)
}
