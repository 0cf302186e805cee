// Package random implements Random, a research score plugin and a baseline:
// every feasible node gets a score drawn uniformly from [0, 100].
//
// The draws come from the seeded stream Handle.Rand(StreamName), so a run is
// reproducible for a given seed. The plugin draws one number per Score call,
// and the scheduler calls Score for the feasible nodes in the order it found
// them (the snapshot's node order from the cycle's rotating start index), so
// which node gets which draw depends on that order: adding a node, or a node
// becoming infeasible, shifts every later draw. Each profile that enables
// Random gets its own copy of the stream (the same sequence).
package random

import (
	"fmt"
	"math/rand/v2"

	"github.com/kubesim/kubesim/scheduler/framework"
	"github.com/kubesim/kubesim/scheduler/plugins/internal/research"
	"github.com/kubesim/kubesim/sim/api"
)

// Name is the plugin's name in the registry and in configurations.
const Name = "Random"

// StreamName is the name of the random stream the plugin draws from.
const StreamName = "Random"

// Args are Random's arguments. It has no options; the type exists so that a
// pluginConfig entry for Random is checked strictly (any field is an error).
type Args struct{}

// Random scores each node uniformly at random in [0, 100].
type Random struct {
	rng *rand.Rand
}

var _ framework.ScorePlugin = &Random{}

// New returns Random. args is nil, a *Args or the JSON of Args (an empty
// object); h must provide the random stream.
func New(args any, h framework.Handle) (framework.Plugin, error) {
	if _, err := research.DecodeArgs[Args](Name, args); err != nil {
		return nil, err
	}
	if h == nil {
		return nil, fmt.Errorf("%s: needs a framework.Handle for its random stream", Name)
	}
	return &Random{rng: h.Rand(StreamName)}, nil
}

// Name returns Name.
func (*Random) Name() string { return Name }

// Score draws a uniform integer in [0, 100] (MinNodeScore..MaxNodeScore).
func (r *Random) Score(*framework.CycleState, *api.Pod, *framework.NodeInfo) (int64, *framework.Status) {
	return r.rng.Int64N(framework.MaxNodeScore + 1), nil
}

// ScoreExtensions returns nil: scores are already in [0, 100].
func (*Random) ScoreExtensions() framework.ScoreExtensions { return nil }
