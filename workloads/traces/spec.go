package traces

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"strings"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kubesim/kubesim/sim/api"
	"github.com/kubesim/kubesim/workloads/source"
)

// Dataset names: the directories under data/traces.
const (
	DatasetOpenB = "alibaba-gpu-v2023"
	DatasetDLRM  = "alibaba-dlrm-v2025"
	DatasetPAI   = "alibaba-pai-v2020"
)

// Spec is a trace source as a scenario file names it (the proposed
// spec.sources[].trace; see the package documentation for the YAML).
type Spec struct {
	// Dataset is DatasetOpenB, DatasetDLRM or DatasetPAI.
	Dataset string `json:"dataset"`
	// File is the trace file: an openb pod list, the DLRM CSV, or the PAI
	// machine list (whose header is read from the .header file beside it).
	// Relative paths are resolved against the directory given to Open.
	File string `json:"file"`
	// Nodes is an openb node list whose nodes the cluster gets (openb only;
	// optional).
	Nodes string `json:"nodes,omitempty"`
	// Mode is recorded (default), compressed or arrival.
	Mode Mode `json:"mode,omitempty"`
	// Factor divides times in compressed mode.
	Factor float64 `json:"factor,omitempty"`
	// Start is the trace time that becomes virtual time 0 (recorded and
	// compressed modes).
	Start metav1.Duration `json:"start,omitempty"`
	// Interval separates arrivals in arrival mode.
	Interval metav1.Duration `json:"interval,omitempty"`
	// Limit keeps the first Limit items (0: all).
	Limit int `json:"limit,omitempty"`
	// Shuffle names the random stream that permutes arrivals (arrival mode
	// only); empty keeps file order.
	Shuffle string `json:"shuffle,omitempty"`
	// Inflate, when positive (arrival mode, openb with Nodes), resamples the
	// pods after shuffling until they request Inflate × the nodes' GPU
	// capacity (ReplayOptions.Inflate; 1.3 in the FGD paper).
	Inflate float64 `json:"inflate,omitempty"`
	// InflateStream names the random stream of the resampling (required
	// with Inflate).
	InflateStream string `json:"inflateStream,omitempty"`
	// PriorityClasses "qos" maps QoS classes to the QoSPriorityClasses
	// (created at time 0 before the pods); empty maps none.
	PriorityClasses string `json:"priorityClasses,omitempty"`
	// Namespace of the pods (default "default").
	Namespace string `json:"namespace,omitempty"`
	// Cap is how DLRM max_instance_per_node is enforced: slots (default) or
	// none; DLRM only.
	Cap CapMode `json:"cap,omitempty"`
}

// Opened is a trace ready to replay.
type Opened struct {
	// Nodes are the trace's nodes (openb with Nodes set, PAI), in file order.
	Nodes []*api.Node
	// Source replays the trace's pods (empty for PAI).
	Source *source.Slice
	// NodeResources are extra resources every node that should host the
	// trace's pods must advertise (DLRM's slot resources under CapSlots).
	NodeResources []api.Scalar
	// Objects are the trace's objects in file order, before shuffling,
	// inflation and Limit (read only): what a policy's view of the target
	// workload (FGD's typical pods) is computed from.
	Objects []api.Object
}

// Open reads the trace a Spec names and prepares its replay. Relative paths
// are resolved against dir. stream returns a named random stream (the
// engine's Rand); it is called only when Shuffle is set.
func Open(spec Spec, dir string, stream func(name string) *rand.Rand) (*Opened, error) {
	resolve := func(p string) string {
		if p == "" || filepath.IsAbs(p) {
			return p
		}
		return filepath.Join(dir, p)
	}
	if spec.File == "" {
		return nil, errors.New("traces: file: required value")
	}
	opts := ReplayOptions{Mode: spec.Mode, Factor: spec.Factor, Start: spec.Start.Duration,
		Interval: spec.Interval.Duration, Limit: spec.Limit}
	if spec.Shuffle != "" {
		if stream == nil {
			return nil, errors.New("traces: shuffle needs a random stream")
		}
		opts.Shuffle = stream(spec.Shuffle)
	}
	if spec.Inflate != 0 && (spec.Dataset != DatasetOpenB || spec.Nodes == "") {
		return nil, errors.New("traces: inflate: needs the " + DatasetOpenB + " dataset with nodes (the GPU capacity)")
	}
	if spec.Inflate != 0 && spec.InflateStream == "" {
		return nil, errors.New("traces: inflateStream: required with inflate")
	}
	popts := PodOptions{Namespace: spec.Namespace}
	switch spec.PriorityClasses {
	case "":
	case "qos":
		m, pcs := QoSPriorityClasses()
		popts.PriorityClasses = m
		for _, pc := range pcs {
			opts.Prelude = append(opts.Prelude, pc)
		}
	default:
		return nil, fmt.Errorf("traces: priorityClasses: unsupported value %q: supported values: \"qos\"", spec.PriorityClasses)
	}
	if spec.Cap != "" && spec.Dataset != DatasetDLRM {
		return nil, fmt.Errorf("traces: cap: only the %s dataset has per-node caps", DatasetDLRM)
	}
	out := &Opened{}
	switch spec.Dataset {
	case DatasetOpenB:
		if spec.Nodes != "" {
			nodes, err := LoadOpenBNodes(resolve(spec.Nodes))
			if err != nil {
				return nil, err
			}
			for i := range nodes {
				out.Nodes = append(out.Nodes, nodes[i].Node())
			}
		}
		pods, err := LoadOpenBPods(resolve(spec.File))
		if err != nil {
			return nil, err
		}
		items := OpenBItems(pods, NewPodConverter(popts))
		if spec.Inflate != 0 {
			var capacity int64
			for _, n := range out.Nodes {
				capacity += n.Allocatable.Get(ResourceGPUMilli)
			}
			if stream == nil {
				return nil, errors.New("traces: inflate needs a random stream")
			}
			opts.Inflate = &Inflation{Ratio: spec.Inflate, Capacity: capacity, Rand: stream(spec.InflateStream)}
		}
		out.Objects = itemObjects(items)
		src, err := Replay(items, opts)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", spec.File, err)
		}
		out.Source = src
	case DatasetDLRM:
		if spec.Nodes != "" {
			return nil, errors.New("traces: nodes: the DLRM trace publishes no node list; give the cluster node pools labelled " + LabelDLRMRole)
		}
		recs, err := LoadDLRM(resolve(spec.File))
		if err != nil {
			return nil, err
		}
		conv, err := NewDLRMConverter(recs, DLRMOptions{PodOptions: popts, Cap: spec.Cap})
		if err != nil {
			return nil, err
		}
		items := DLRMItems(recs, conv)
		out.Objects = itemObjects(items)
		src, err := Replay(items, opts)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", spec.File, err)
		}
		out.Source = src
		out.NodeResources = conv.SlotCapacity()
	case DatasetPAI:
		path := resolve(spec.File)
		machines, err := LoadPAI(path, strings.TrimSuffix(path, filepath.Ext(path))+".header")
		if err != nil {
			return nil, err
		}
		for i := range machines {
			out.Nodes = append(out.Nodes, machines[i].Node())
		}
		out.Source = source.NewSlice(nil)
	default:
		return nil, fmt.Errorf("traces: dataset: unsupported value %q: supported values: %q, %q, %q", spec.Dataset, DatasetOpenB, DatasetDLRM, DatasetPAI)
	}
	return out, nil
}

// itemObjects returns the items' objects, in order.
func itemObjects(items []Item) []api.Object {
	out := make([]api.Object, len(items))
	for i := range items {
		out[i] = items[i].Object
	}
	return out
}
