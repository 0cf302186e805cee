package main

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/viper"
)

// Exit codes.
const (
	exitOK         = 0
	exitSimFailure = 1
	exitBadInput   = 2
)

// Version is kubesim's version.
const Version = "0.1.0-dev"

// exitError carries an exit code out of a cobra command.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }

func badInput(err error) error { return &exitError{code: exitBadInput, err: err} }
func simFailure(err error) error {
	return &exitError{code: exitSimFailure, err: err}
}

// Main runs the CLI with args and returns the exit code. Only main exits.
func Main(args []string, stdout, stderr io.Writer) int {
	v := viper.New()
	v.SetEnvPrefix("KUBESIM")
	v.SetEnvKeyReplacer(strings.NewReplacer("-", "_"))
	v.AutomaticEnv()

	root := &cobra.Command{
		Use:           "kubesim",
		Short:         "kubesim simulates a Kubernetes cluster in virtual time",
		Long:          "kubesim is a discrete-event simulator of a Kubernetes cluster: scheduler, controllers and kubelets\nbehave like upstream Kubernetes v1.35, driven by a virtual clock.",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetArgs(args)
	root.SetOut(stdout)
	root.SetErr(stderr)
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return badInput(err) })
	root.AddCommand(newRunCommand(v), newValidateCommand(), newExplainCommand(), newCompareCommand(), newSweepCommand(),
		newVersionCommand())

	err := root.Execute()
	if err == nil {
		return exitOK
	}
	var ee *exitError
	if errors.As(err, &ee) {
		fmt.Fprintln(stderr, "error:", ee.err)
		return ee.code
	}
	// cobra's own errors: unknown command, wrong number of arguments.
	fmt.Fprintln(stderr, "error:", err)
	return exitBadInput
}

func newVersionCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print kubesim's version",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			fmt.Fprintf(cmd.OutOrStdout(), "kubesim %s (Kubernetes v1.35 semantics)\n", Version)
			return nil
		},
	}
}
