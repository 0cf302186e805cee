package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"

	"github.com/olekukonko/tablewriter"
	"github.com/olekukonko/tablewriter/tw"
	"github.com/spf13/cobra"

	"github.com/kubesim/kubesim/scheduler"
	"github.com/kubesim/kubesim/workloads"
)

// explainOptions are the flags of `kubesim explain`.
type explainOptions struct {
	file, config, output string
}

func newExplainCommand() *cobra.Command {
	var o explainOptions
	cmd := &cobra.Command{
		Use:   "explain -f STATE.yaml [--config CFG.yaml] [-o table|json]",
		Short: "Show how the scheduler rates every node for one pending pod",
		Long: `Load a cluster state (Kubernetes YAML as kubectl get -o yaml writes it: Nodes, bound
Pods, Namespaces, ReplicaSets, StatefulSets, Services, PriorityClasses, PDBs, and exactly
one pending Pod without spec.nodeName) and evaluate that pod on every node, as the profile
of its schedulerName in the scheduler configuration (default: the default profile) would,
without sampling: each node's feasibility and the first failing filter's reasons, each
score plugin's weighted score on the feasible nodes, their total, and the best nodes.

-o json prints {"pod": "NS/NAME", "nodes": {"NODE": {"feasible": true, "reasons": [],
"scores": {"Plugin": N}, "total": N}}, "best": ["NODE"]}; -o table (the default) prints
one row per node, best marked with "*".`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runExplain(cmd.OutOrStdout(), o)
		},
	}
	f := cmd.Flags()
	f.StringVarP(&o.file, "file", "f", "", "the cluster state (YAML or JSON manifests)")
	f.StringVar(&o.config, "config", "", "a KubeSchedulerConfiguration (default: the default profile)")
	f.StringVarP(&o.output, "output", "o", "table", "output format: table or json")
	return cmd
}

func runExplain(w io.Writer, o explainOptions) error {
	if o.file == "" {
		return badInput(errors.New("explain: -f/--file is required"))
	}
	if o.output != "table" && o.output != "json" {
		return badInput(fmt.Errorf("explain: -o/--output must be table or json, got %q", o.output))
	}
	objs, err := workloads.LoadFile(o.file)
	if err != nil {
		return badInput(err)
	}
	var cfg *scheduler.Config
	if o.config != "" {
		if cfg, err = scheduler.LoadConfig(o.config); err != nil {
			return badInput(err)
		}
	}
	st, pod, err := scheduler.BuildState(objs)
	if err != nil {
		return badInput(fmt.Errorf("%s: %w", o.file, err))
	}
	e, err := scheduler.Explain(st, cfg, pod)
	if errors.Is(err, scheduler.ErrNoProfile) {
		return badInput(err)
	}
	if err != nil {
		return simFailure(err)
	}
	if o.output == "json" {
		data, err := json.MarshalIndent(e, "", "  ")
		if err != nil {
			return simFailure(err)
		}
		_, err = fmt.Fprintf(w, "%s\n", data)
		return err
	}
	return printExplanation(w, e)
}

// printExplanation renders an explanation as a table: one row per node
// (feasible ones by total, highest first, then the others, each by name),
// one column per score plugin with its weighted score, the total, and the
// verdict; best nodes marked with "*".
func printExplanation(w io.Writer, e *scheduler.Explanation) error {
	if _, err := fmt.Fprintf(w, "pod %s: %d nodes\n", e.Pod, len(e.Nodes)); err != nil {
		return err
	}
	names := append([]string(nil), e.NodeOrder...)
	sort.Slice(names, func(i, j int) bool {
		a, b := e.Nodes[names[i]], e.Nodes[names[j]]
		if a.Feasible != b.Feasible {
			return a.Feasible
		}
		if a.Feasible && a.Total != b.Total {
			return a.Total > b.Total
		}
		return names[i] < names[j]
	})
	best := map[string]bool{}
	for _, n := range e.Best {
		best[n] = true
	}
	header := []string{"", "Node"}
	aligns := []tw.Align{tw.AlignLeft, tw.AlignLeft}
	for _, p := range e.ScorePlugins {
		header = append(header, fmt.Sprintf("%s ×%d", p, e.Weights[p]))
		aligns = append(aligns, tw.AlignRight)
	}
	header = append(header, "Total", "Verdict")
	aligns = append(aligns, tw.AlignRight, tw.AlignLeft)
	t := tablewriter.NewTable(w,
		tablewriter.WithHeaderAutoFormat(tw.Off),
		tablewriter.WithHeaderAlignment(tw.AlignCenter),
		tablewriter.WithRowAlignmentConfig(tw.CellAlignment{PerColumn: aligns}),
	)
	t.Header(toAny(header)...)
	for _, name := range names {
		n := e.Nodes[name]
		mark := ""
		if best[name] {
			mark = "*"
		}
		row := []string{mark, name}
		for _, p := range e.ScorePlugins {
			switch s, ok := n.Scores[p]; {
			case !n.Feasible:
				row = append(row, "")
			case !ok:
				row = append(row, "-") // skipped at PreScore
			default:
				row = append(row, strconv.FormatInt(s, 10))
			}
		}
		if n.Feasible {
			row = append(row, strconv.FormatInt(n.Total, 10), "feasible")
		} else {
			verdict := strings.Join(n.Reasons, ", ")
			if n.Plugin != "" {
				verdict = n.Plugin + ": " + verdict
			}
			row = append(row, "", verdict)
		}
		if err := t.Append(toAny(row)...); err != nil {
			return err
		}
	}
	if err := t.Render(); err != nil {
		return err
	}
	if len(e.Best) == 0 {
		msg := e.Message
		if msg == "" {
			msg = "no node fits"
		}
		_, err := fmt.Fprintf(w, "no feasible node: %s\n", msg)
		return err
	}
	_, err := fmt.Fprintf(w, "best: %s (* in the table; upstream picks one of them at random)\n", strings.Join(e.Best, ", "))
	return err
}

func toAny(s []string) []any {
	out := make([]any, len(s))
	for i, v := range s {
		out[i] = v
	}
	return out
}
