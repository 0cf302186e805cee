// Package gpurandom implements GpuRandom, the FGD paper's random baseline
// (the artefact's RandomScore with "random" device selection): one feasible
// node, drawn uniformly at random, scores 100 and every other node 0; a
// sharing pod gets a fitting device drawn uniformly at random.
//
// It differs from the Random research plugin (package random), which draws
// an independent score in [0, 100] for every node: with GpuRandom the
// placement is uniform over the feasible nodes whatever the other scorers'
// ties.
//
// Randomness: PreScore draws the node index from the stream StreamName,
// Reserve draws devices from the stream DeviceStreamName (separate, so that
// device draws do not shift node draws). Without PreScore (not enabled, or
// a cycle with one feasible node) every node scores 0 and the scheduler's
// own uniform tie-break chooses. Score allocates nothing.
package gpurandom

import (
	"errors"
	"math/rand/v2"

	"github.com/kubesim/kubesim/scheduler/framework"
	"github.com/kubesim/kubesim/scheduler/plugins/gpushare"
	"github.com/kubesim/kubesim/scheduler/plugins/internal/research"
	"github.com/kubesim/kubesim/sim/api"
)

// Name is the plugin's name in the registry and in configurations.
const Name = "GpuRandom"

// Random streams.
const (
	// StreamName is the stream of node draws.
	StreamName = Name
	// DeviceStreamName is the stream of device draws.
	DeviceStreamName = Name + "/devices"
)

const preScoreStateKey framework.StateKey = "PreScore" + Name

// Args are GpuRandom's arguments: none.
type Args struct{}

// GpuRandom places pods on a uniformly random feasible node and device.
type GpuRandom struct {
	h            framework.Handle
	nodes, devis *rand.Rand
}

var (
	_ framework.PreScorePlugin = &GpuRandom{}
	_ framework.ScorePlugin    = &GpuRandom{}
	_ framework.ReservePlugin  = &GpuRandom{}
)

// New returns GpuRandom (args nil, *Args or empty JSON); h is required
// (random streams).
func New(args any, h framework.Handle) (framework.Plugin, error) {
	if _, err := research.DecodeArgs[Args](Name, args); err != nil {
		return nil, err
	}
	if h == nil {
		return nil, errors.New(Name + ": needs a framework.Handle for its random streams")
	}
	return &GpuRandom{h: h, nodes: h.Rand(StreamName), devis: h.Rand(DeviceStreamName)}, nil
}

// Name returns Name.
func (*GpuRandom) Name() string { return Name }

// chosen is the node drawn in PreScore.
type chosen struct{ ni *framework.NodeInfo }

func (c *chosen) Clone() framework.StateData { d := *c; return &d }

// PreScore draws one of the nodes uniformly.
func (g *GpuRandom) PreScore(state *framework.CycleState, _ *api.Pod, nodes []*framework.NodeInfo) *framework.Status {
	if len(nodes) == 0 {
		return nil
	}
	state.Write(preScoreStateKey, &chosen{ni: nodes[g.nodes.IntN(len(nodes))]})
	return nil
}

// Score returns 100 for the node drawn in PreScore, 0 otherwise.
func (*GpuRandom) Score(state *framework.CycleState, _ *api.Pod, ni *framework.NodeInfo) (int64, *framework.Status) {
	if d, err := state.Read(preScoreStateKey); err == nil && d.(*chosen).ni == ni {
		return framework.MaxNodeScore, nil
	}
	return framework.MinNodeScore, nil
}

// ScoreExtensions returns nil.
func (*GpuRandom) ScoreExtensions() framework.ScoreExtensions { return nil }

// Reserve picks the pod's devices with gpushare.RandomFit.
func (g *GpuRandom) Reserve(state *framework.CycleState, p *api.Pod, nodeName string) *framework.Status {
	return gpushare.Assign(g.h, state, p, nodeName, gpushare.PriorityPolicy,
		func(d *gpushare.Devices, r framework.GPURequest) uint32 { return gpushare.RandomFit(d, r, g.devis) })
}

// Unreserve releases the pod's devices.
func (g *GpuRandom) Unreserve(state *framework.CycleState, p *api.Pod, nodeName string) {
	gpushare.Release(g.h, state, p, nodeName)
}
