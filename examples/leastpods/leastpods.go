// Package leastpods is an example of an out-of-tree kubesim scheduler plugin:
// LeastPods, a score plugin that favours nodes running fewer pods. It lives
// outside scheduler/plugins and uses only kubesim's public API, as a
// researcher's own plugin would; docs/plugins.md walks through it.
//
// Use it by adding it to a registry next to the in-tree plugins and naming it
// in a KubeSchedulerConfiguration profile:
//
//	reg := plugins.NewInTreeRegistry()
//	reg[leastpods.Name] = leastpods.New
//	sim, err := scenarios.BuildWith(loaded, scenarios.BuildOptions{Registry: reg})
//
// Score returns the number of pods on the node (assigned and assumed ones,
// terminating ones included, as the scheduler cache counts them), leaving
// out pods of the namespaces in Args.IgnoreNamespaces. NormalizeScore maps
// the counts of the scored nodes, highest m, to 100 − count·100/m (integer,
// truncating), so the node with the fewest pods scores highest and the
// fullest scores 0; all 100 when every count is 0.
package leastpods

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"

	"github.com/kubesim/kubesim/scheduler/framework"
	"github.com/kubesim/kubesim/sim/api"
)

// Name is the plugin's name in the registry and in configurations.
const Name = "LeastPods"

// Args are LeastPods' arguments: the args of its pluginConfig entry.
type Args struct {
	// IgnoreNamespaces lists namespaces whose pods are not counted (e.g.
	// kube-system, for per-node agents).
	IgnoreNamespaces []string `json:"ignoreNamespaces,omitempty"`
}

// LeastPods scores nodes with fewer pods higher.
type LeastPods struct {
	ignore []string
}

// The framework finds a plugin's extension points by type assertion; these
// lines make the compiler check that LeastPods implements them.
var (
	_ framework.ScorePlugin     = &LeastPods{}
	_ framework.ScoreExtensions = &LeastPods{}
)

// New is LeastPods' factory (a framework.Factory). The scheduler passes args
// as nil when the configuration has no pluginConfig entry for LeastPods, and
// as the entry's raw JSON (json.RawMessage) otherwise, since LeastPods has no
// upstream args type; code may also pass a *Args. Unknown fields are errors,
// so that a misspelt option fails when the scheduler is built.
func New(args any, _ framework.Handle) (framework.Plugin, error) {
	var a Args
	switch v := args.(type) {
	case nil:
	case *Args:
		if v != nil {
			a = *v
		}
	case json.RawMessage:
		dec := json.NewDecoder(bytes.NewReader(v))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&a); err != nil {
			return nil, fmt.Errorf("%s: args: %w", Name, err)
		}
	default:
		return nil, fmt.Errorf("%s: want args of type *leastpods.Args or JSON, got %T", Name, args)
	}
	for i, ns := range a.IgnoreNamespaces {
		if ns == "" {
			return nil, fmt.Errorf("%s: args: ignoreNamespaces[%d]: must not be empty", Name, i)
		}
	}
	return &LeastPods{ignore: slices.Clone(a.IgnoreNamespaces)}, nil
}

// Name returns Name.
func (*LeastPods) Name() string { return Name }

// Score counts the node's pods outside the ignored namespaces. It is called
// once per feasible node, so it reads the NodeInfo and allocates nothing.
func (l *LeastPods) Score(_ *framework.CycleState, _ *api.Pod, ni *framework.NodeInfo) (int64, *framework.Status) {
	if len(l.ignore) == 0 {
		return int64(len(ni.Pods)), nil
	}
	var n int64
	for _, pi := range ni.Pods {
		if !slices.Contains(l.ignore, pi.Pod.Namespace) {
			n++
		}
	}
	return n, nil
}

// ScoreExtensions returns l: the counts need normalising to [0, 100].
func (l *LeastPods) ScoreExtensions() framework.ScoreExtensions { return l }

// NormalizeScore turns counts into scores, fewest pods highest (package
// comment). Scores outside [0, 100] after this step are an error.
func (*LeastPods) NormalizeScore(_ *framework.CycleState, _ *api.Pod, scores []framework.NodeScore) *framework.Status {
	var m int64
	for _, s := range scores {
		m = max(m, s.Score)
	}
	for i := range scores {
		if m == 0 {
			scores[i].Score = framework.MaxNodeScore
			continue
		}
		scores[i].Score = framework.MaxNodeScore - scores[i].Score*framework.MaxNodeScore/m
	}
	return nil
}
