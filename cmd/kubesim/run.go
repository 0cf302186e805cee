package main

import (
	"fmt"
	"path/filepath"
	"runtime/debug"

	"github.com/spf13/cobra"
	"github.com/spf13/viper"

	"github.com/kubesim/kubesim/results"
	"github.com/kubesim/kubesim/scenarios"
)

func newRunCommand(v *viper.Viper) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "run SCENARIO",
		Short: "Run a scenario and write its outputs",
		Long: `Run a scenario to its end (spec.duration, or --until) and write its outputs
into the output folder: summary.json, pods.csv, timeseries.csv, events.jsonl.
The folder is written completely or not at all. A summary table goes to stdout.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runScenario(cmd, v, args[0])
		},
	}
	f := cmd.Flags()
	f.Uint64("seed", 0, "seed for every random stream (overrides spec.seed)")
	f.Duration("until", 0, "simulated time to run (overrides spec.duration), e.g. 30m")
	f.String("out", "", "output folder (default out/<scenario name>)")
	f.Bool("narrate", false, "print the story of the run to stdout as it goes: one sentence per decision (the content of events.jsonl)")
	for _, name := range []string{"seed", "until", "out", "narrate"} {
		_ = v.BindPFlag(name, f.Lookup(name))
	}
	return cmd
}

func runScenario(cmd *cobra.Command, v *viper.Viper, path string) (err error) {
	l, err := scenarios.Load(path)
	if err != nil {
		return badInput(err)
	}
	if v.IsSet("seed") {
		seed, cerr := toUint64(v.Get("seed"))
		if cerr != nil {
			return badInput(fmt.Errorf("--seed / KUBESIM_SEED: %v", cerr))
		}
		l.Seed = seed
	}
	if v.IsSet("until") {
		d := v.GetDuration("until")
		if d <= 0 {
			return badInput(fmt.Errorf("--until / KUBESIM_UNTIL: must be a positive duration, got %q", v.GetString("until")))
		}
		l.Duration = d
	}
	out := v.GetString("out")
	if out == "" {
		out = filepath.Join("out", l.Name)
	}
	s, err := scenarios.Build(l)
	if err != nil {
		return badInput(err)
	}
	defer s.Close()
	var narrator *results.Narrator
	if v.GetBool("narrate") {
		narrator = results.NewNarrator(s.Store(), cmd.OutOrStdout())
	}
	defer func() {
		if r := recover(); r != nil {
			fmt.Fprintf(cmd.ErrOrStderr(), "%s\n", debug.Stack())
			err = simFailure(fmt.Errorf("simulation failed at %v: %v", s.Engine().Now(), r))
		}
	}()
	res, err := s.Run()
	if narrator != nil {
		if nerr := narrator.Flush(); nerr != nil && err == nil {
			err = nerr
		}
	}
	if err != nil {
		return simFailure(err)
	}
	if err := res.WriteDir(out); err != nil {
		return simFailure(fmt.Errorf("writing outputs: %w", err))
	}
	if err := res.PrintSummary(cmd.OutOrStdout()); err != nil {
		return simFailure(err)
	}
	fmt.Fprintf(cmd.OutOrStdout(), "simulated %s in %s events; outputs in %s\n", l.Duration, formatCount(s.Engine().Fired()), out)
	return nil
}

func toUint64(x any) (uint64, error) {
	switch t := x.(type) {
	case uint64:
		return t, nil
	case string:
		var n uint64
		if _, err := fmt.Sscan(t, &n); err != nil {
			return 0, fmt.Errorf("not a non-negative integer: %q", t)
		}
		return n, nil
	case int:
		if t < 0 {
			return 0, fmt.Errorf("must not be negative: %d", t)
		}
		return uint64(t), nil
	}
	return 0, fmt.Errorf("not an integer: %v", x)
}

func formatCount(n uint64) string {
	s := fmt.Sprint(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
