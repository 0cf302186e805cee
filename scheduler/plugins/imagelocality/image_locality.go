// Package imagelocality implements ImageLocality: a Score that favours nodes
// that already hold the pod's container images, scaled down for images that
// are on many nodes anyway (SEMANTICS 2.7).
//
// For each init and regular container whose image the node lists, the score
// adds int64(float64(size) × (numNodes / totalNodes)): size is the image's
// size in bytes, numNodes the number of nodes listing the image and
// totalNodes the number of nodes in the snapshot. The sum is clamped to
// [23 MiB, 1000 MiB × number of containers] and mapped linearly onto
// [0, 100], truncating. There is no NormalizeScore.
//
// Image names are compared as upstream compares them: the node's names
// exactly as Node.Images lists them, the pod's with ":latest" appended when
// there is no tag after the last "/". No registry normalisation happens, so
// a pod asking for "nginx:1.25.3" does not match a node listing only
// "docker.io/library/nginx:1.25.3" (upstream v1.35 gives such a node 0 for
// it; api.NormalizeImage, the runtime's view, is deliberately not used).
//
// The node images are those of the node objects (Node.Images, from node
// manifests): the simulated kubelets keep their own image caches and do not
// report pulled images in the node status, so images pulled during a run do
// not raise ImageLocality scores.
package imagelocality

import (
	"fmt"
	"strings"

	"github.com/kubesim/kubesim/scheduler/framework"
	"github.com/kubesim/kubesim/sim/api"
)

// Name is the plugin's name in the registry and in configurations.
const Name = "ImageLocality"

// Score thresholds in bytes (upstream's: about the 90th-percentile range of
// compressed image sizes in registries).
const (
	mb int64 = 1024 * 1024
	// minThreshold is the sum below which a node scores 0.
	minThreshold int64 = 23 * mb
	// maxContainerThreshold, times the number of containers, is the sum at
	// and above which a node scores 100.
	maxContainerThreshold int64 = 1000 * mb
)

const preScoreStateKey framework.StateKey = "PreScore" + Name

// ImageLocality scores nodes by the pod's images already present.
type ImageLocality struct {
	h framework.Handle
}

var (
	_ framework.PreScorePlugin   = &ImageLocality{}
	_ framework.TableScorePlugin = &ImageLocality{}
)

// New returns the plugin. It takes no arguments: args must be nil.
func New(args any, h framework.Handle) (framework.Plugin, error) {
	if args != nil {
		return nil, fmt.Errorf("%s: takes no args, got %T", Name, args)
	}
	return &ImageLocality{h: h}, nil
}

// Name returns Name.
func (*ImageLocality) Name() string { return Name }

// preScoreState is the pod's image names, normalised, one per init and
// regular container (duplicates kept: each container counts), and the number
// of nodes in the snapshot.
type preScoreState struct {
	images     []string
	totalNodes int
}

// Clone returns s: the state is read-only.
func (s *preScoreState) Clone() framework.StateData { return s }

// PreScore normalises the pod's image names once and counts the snapshot's
// nodes, so that Score does neither per node. It never skips (upstream has
// no PreScore: every node is scored, 0 when it holds none of the images).
func (pl *ImageLocality) PreScore(state *framework.CycleState, p *api.Pod, _ []*framework.NodeInfo) *framework.Status {
	state.Write(preScoreStateKey, pl.newState(p))
	return nil
}

func (pl *ImageLocality) newState(p *api.Pod) *preScoreState {
	s := &preScoreState{
		images:     make([]string, 0, len(p.Spec.InitContainers)+len(p.Spec.Containers)),
		totalNodes: len(pl.h.SnapshotSharedLister().List()),
	}
	for i := range p.Spec.InitContainers {
		s.images = append(s.images, normalizedImageName(p.Spec.InitContainers[i].Image))
	}
	for i := range p.Spec.Containers {
		s.images = append(s.images, normalizedImageName(p.Spec.Containers[i].Image))
	}
	return s
}

// Score returns the node's image locality score in [0, 100].
func (pl *ImageLocality) Score(state *framework.CycleState, p *api.Pod, ni *framework.NodeInfo) (int64, *framework.Status) {
	var s *preScoreState
	if d, err := state.Read(preScoreStateKey); err == nil {
		var ok bool
		if s, ok = d.(*preScoreState); !ok {
			return 0, framework.AsStatus(fmt.Errorf("%s: cycle state %q has type %T", Name, preScoreStateKey, d))
		}
	} else {
		s = pl.newState(p) // called without PreScore: compute here
	}
	return calculatePriority(sumImageScores(ni, s), len(s.images)), nil
}

// ScoreNodes is Score over many nodes.
func (pl *ImageLocality) ScoreNodes(state *framework.CycleState, p *api.Pod, nodes []*framework.NodeInfo, scores []framework.NodeScore) *framework.Status {
	d, err := state.Read(preScoreStateKey)
	s, ok := d.(*preScoreState)
	if err != nil || !ok {
		for i, ni := range nodes {
			sc, st := pl.Score(state, p, ni)
			if !st.IsSuccess() {
				return st
			}
			scores[i].Score = sc
		}
		return nil
	}
	// A node listing no image sums 0, which scores calculatePriority(0, n).
	none := calculatePriority(0, len(s.images))
	for i, ni := range nodes {
		if len(ni.ImageStates) == 0 {
			scores[i].Score = none
			continue
		}
		scores[i].Score = calculatePriority(sumImageScores(ni, s), len(s.images))
	}
	return nil
}

// ScoreTable is ScoreNodes reading the node table: only nodes listing
// images are looked at.
func (pl *ImageLocality) ScoreTable(state *framework.CycleState, p *api.Pod, t *framework.NodeTable, ids []int32, nodes []*framework.NodeInfo, scores []framework.NodeScore) *framework.Status {
	d, err := state.Read(preScoreStateKey)
	s, ok := d.(*preScoreState)
	if err != nil || !ok {
		return pl.ScoreNodes(state, p, nodes, scores)
	}
	none := calculatePriority(0, len(s.images))
	rows := t.Rows
	for i, id := range ids {
		if rows[id].Flags&framework.NodeImages == 0 {
			scores[i].Score = none
			continue
		}
		scores[i].Score = calculatePriority(sumImageScores(nodes[i], s), len(s.images))
	}
	return nil
}

// ScoreExtensions returns nil: the scores are already in [0, 100].
func (*ImageLocality) ScoreExtensions() framework.ScoreExtensions { return nil }

// sumImageScores sums the spread-scaled sizes of the pod's images that the
// node lists, once per container.
func sumImageScores(ni *framework.NodeInfo, s *preScoreState) int64 {
	if len(ni.ImageStates) == 0 {
		return 0
	}
	var sum int64
	for _, name := range s.images {
		if st, ok := ni.ImageStates[name]; ok {
			sum += scaledImageScore(st, s.totalNodes)
		}
	}
	return sum
}

// scaledImageScore is the image's size scaled by the fraction of nodes that
// hold it, in float64 and in upstream's order (the fraction first), then
// truncated, so that results agree with upstream to the byte.
func scaledImageScore(st *framework.ImageStateSummary, totalNodes int) int64 {
	spread := float64(st.NumNodes) / float64(totalNodes)
	return int64(float64(st.Size) * spread)
}

// calculatePriority clamps sum to [minThreshold, maxContainerThreshold ×
// numContainers] and maps it linearly onto [0, MaxNodeScore], truncating.
func calculatePriority(sum int64, numContainers int) int64 {
	maxThreshold := maxContainerThreshold * int64(numContainers)
	if sum < minThreshold {
		sum = minThreshold
	} else if sum > maxThreshold {
		sum = maxThreshold
	}
	return framework.MaxNodeScore * (sum - minThreshold) / (maxThreshold - minThreshold)
}

// normalizedImageName appends ":latest" to a name with no tag after its last
// "/" (upstream's rule; a digest-only reference "repo@sha256:…" counts as
// tagged). It allocates only for untagged names.
func normalizedImageName(name string) string {
	if strings.LastIndexByte(name, ':') <= strings.LastIndexByte(name, '/') {
		return name + ":latest"
	}
	return name
}
