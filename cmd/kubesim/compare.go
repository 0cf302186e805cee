package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/spf13/cobra"
	"github.com/spf13/viper"

	"github.com/kubesim/kubesim/results/compare"
	"github.com/kubesim/kubesim/runner"
)

// experimentOptions are the flags of `kubesim compare` and `kubesim sweep`.
type experimentOptions struct {
	profiles, metrics, sets []string
	seeds, out              string
	force                   bool
	v                       *viper.Viper
	sweep                   bool
}

const compareLong = `Run the scenario once per (profile, seed), each run an independent simulation
with its own engine, several at a time, and compare the profiles: per metric
(every numeric figure of summary.json, by dotted name) and profile, n, mean,
sample standard deviation, the 95 % confidence interval of the mean (Student t),
median, min, max and the relative difference to the first profile's mean.

A profile is the schedulerName of a profile in the scenario's
KubeSchedulerConfiguration (spec.scheduler.config): in its runs, the pods of
the default scheduler are scheduled by that profile. An entry that contains a
"/" or ends in .yaml, .yml or .json is a KubeSchedulerConfiguration file that
replaces the scenario's (named by its base name; its default-scheduler
profile, or its only profile, is used). Without --profiles the scenario runs
as written, as profile "scenario".

Outputs: DIR/runs/<profile>/seed-<n>/ (each run's outputs, written atomically),
DIR/compare.csv and DIR/compare.json; a table of key metrics on stdout,
progress on stderr. Finished runs (a complete summary.json made from the same
inputs) are reused unless --force. Exit code 1 if any run fails (the failures
are listed), 2 for bad input. See docs/compare.md.`

const sweepLong = `Run the grid of scenario variants that the --set flags span (their cartesian
product, the first --set varying slowest), each cell for every profile and
seed, as compare does, and write the same outputs with one group of rows per
cell. --set PATH=V1,V2 addresses a field of the scenario YAML
(spec.cluster.nodePools[0].count=3,6,9, spec.duration=1h,2h); values are YAML
scalars. Cells are named <index>-<slug> (e.g. 1-count-6) and their runs kept in
DIR/cells/<cell>/runs/<profile>/seed-<n>/. Re-running a sweep skips the
finished runs, so an interrupted sweep resumes; --force reruns everything.
Relative differences are to the first profile of the same cell or, with one
profile, to the first cell. See docs/compare.md.`

func newCompareCommand() *cobra.Command {
	o := &experimentOptions{}
	cmd := &cobra.Command{
		Use:   "compare SCENARIO --profiles A,B,... [--seeds 42-51] [--parallel N] [--out DIR]",
		Short: "Compare scheduling profiles over many seeds, with confidence intervals",
		Long:  compareLong,
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runExperiment(cmd, o, args[0])
		},
	}
	addExperimentFlags(cmd, o)
	return cmd
}

func newSweepCommand() *cobra.Command {
	o := &experimentOptions{sweep: true}
	cmd := &cobra.Command{
		Use:   "sweep SCENARIO --set PATH=V1,V2 [--set ...] [--seeds 42-51] [--profiles A,B] [--out DIR]",
		Short: "Run a grid of scenario variants over profiles and seeds",
		Long:  sweepLong,
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runExperiment(cmd, o, args[0])
		},
	}
	addExperimentFlags(cmd, o)
	cmd.Flags().StringArrayVar(&o.sets, "set", nil, "a scenario field and its values, PATH=V1,V2,... (repeatable)")
	return cmd
}

func addExperimentFlags(cmd *cobra.Command, o *experimentOptions) {
	f := cmd.Flags()
	f.StringSliceVar(&o.profiles, "profiles", nil, "profiles to compare: schedulerNames in the scenario's scheduler config, or KubeSchedulerConfiguration files")
	f.StringVar(&o.seeds, "seeds", "", `seeds: ranges and lists, e.g. "42-51" or "1,2,7" (default: the scenario's spec.seed)`)
	f.Int("parallel", 0, "runs at once (default GOMAXPROCS)")
	f.Duration("until", 0, "simulated time of each run (overrides spec.duration), e.g. 30m")
	f.StringVar(&o.out, "out", "", "output folder (default out/<scenario name>-compare or -sweep)")
	f.StringSliceVar(&o.metrics, "metrics", nil, "metrics of the stdout table: names or globs (default: "+strings.Join(compare.DefaultMetrics, ",")+")")
	f.BoolVar(&o.force, "force", false, "rerun runs that are already finished")
	// KUBESIM_PARALLEL and KUBESIM_UNTIL, as for run.
	o.v = viper.New()
	o.v.SetEnvPrefix("KUBESIM")
	o.v.AutomaticEnv()
	_ = o.v.BindPFlag("parallel", f.Lookup("parallel"))
	_ = o.v.BindPFlag("until", f.Lookup("until"))
}

func runExperiment(cmd *cobra.Command, o *experimentOptions, scenario string) error {
	stderr := cmd.ErrOrStderr()
	plan := runner.Plan{Scenario: scenario, Out: o.out, Force: o.force, Progress: stderr}
	var err error
	if plan.Profiles, err = runner.ParseProfiles(o.profiles); err != nil {
		return badInput(err)
	}
	if o.seeds != "" {
		if plan.Seeds, err = runner.ParseSeeds(o.seeds); err != nil {
			return badInput(err)
		}
	}
	if o.sweep && len(o.sets) == 0 {
		return badInput(fmt.Errorf("sweep: at least one --set PATH=V1,V2 is required"))
	}
	for _, s := range o.sets {
		p, err := runner.ParseSet(s)
		if err != nil {
			return badInput(err)
		}
		plan.Params = append(plan.Params, p)
	}
	if plan.Parallel = o.v.GetInt("parallel"); plan.Parallel < 0 {
		return badInput(fmt.Errorf("--parallel / KUBESIM_PARALLEL: must not be negative, got %d", plan.Parallel))
	}
	if o.v.IsSet("until") {
		if plan.Until = o.v.GetDuration("until"); plan.Until <= 0 {
			return badInput(fmt.Errorf("--until / KUBESIM_UNTIL: must be a positive duration, got %q", o.v.GetString("until")))
		}
	}
	exp, err := runner.Prepare(plan)
	if err != nil {
		return badInput(err)
	}
	fmt.Fprintf(stderr, "%s: %d runs, %d at a time, into %s\n", exp.Name(), exp.Runs(), min(exp.Parallel(), exp.Runs()), exp.Out())

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() { <-ctx.Done(); stop() }() // a second interrupt kills
	res, err := exp.Run(ctx)
	if err != nil {
		return simFailure(err)
	}

	patterns := o.metrics
	if len(patterns) == 0 {
		patterns = compare.DefaultMetrics
	}
	names, unmatched := compare.SelectMetrics(res.Report, patterns)
	for _, u := range unmatched {
		fmt.Fprintf(stderr, "warning: --metrics %q matches no metric (see %s for every name)\n", u, compare.FileCSV)
	}
	out := cmd.OutOrStdout()
	if err := compare.PrintTable(out, res.Report, names); err != nil {
		return simFailure(err)
	}
	fmt.Fprintf(out, "%d runs (%d run now, %d finished before, %d failed); outputs in %s\n",
		res.Report.Planned, res.Ran, res.Reused, len(res.Failures), exp.Out())
	if len(res.Failures) == 0 {
		return nil
	}
	for _, f := range res.Failures {
		cell := ""
		if f.Cell != "" {
			cell = "cell " + f.Cell + ", "
		}
		fmt.Fprintf(stderr, "failed: %sprofile %s, seed %d: %v\n", cell, f.Profile, f.Seed, f.Err)
	}
	return simFailure(fmt.Errorf("%d of %d runs failed", len(res.Failures), res.Report.Planned))
}
