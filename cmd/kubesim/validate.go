package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/kubesim/kubesim/scenarios"
)

func newValidateCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "validate SCENARIO",
		Short: "Check a scenario and its manifests without running it",
		Long: `Decode the scenario strictly, default it, validate it and every manifest and
configuration file it names, and build the simulation without running it.
Every problem is reported with its file, line (when known) and field path.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			l, err := scenarios.Load(args[0])
			if err != nil {
				return badInput(err)
			}
			s, err := scenarios.Build(l)
			if err != nil {
				return badInput(err)
			}
			defer s.Close()
			fmt.Fprintf(cmd.OutOrStdout(), "%s: scenario %q is valid: %d nodes, %d workload batches, %s\n",
				args[0], l.Name, len(l.Nodes), len(l.Batches), l.Duration)
			return nil
		},
	}
}
