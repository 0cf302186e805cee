// Package gpushare implements GpuShare, the GPU-sharing plugin of the FGD
// paper's simulator (Weng et al., "Beware of Fragmentation: Scheduling
// GPU-Sharing Workloads with Fragmentation Gradient Descent", USENIX ATC '23;
// its artefact's "Open-Gpu-Share" plugin), and the device helpers the
// paper's score policies (FGD, GpuPacking, GpuClustering, DotProd,
// GpuBestFit, GpuRandom) share.
//
// Model (Alibaba GPU trace, framework.ResourceGPUCount / ResourceGPUMilli):
// a node advertises N devices of 1000 milli each; a pod asks for Count
// devices with Milli each (requests gpu-count = Count, gpu-milli =
// Count·Milli). A sharing pod (one device, < 1000 milli) needs one device
// with at least Milli free; any other GPU pod needs Count entirely free
// devices. CPU and memory are NodeResourcesFit's business; profiles that
// share GPUs must make NodeResourcesFit ignore the alibabacloud.com group
// (ignoredResourceGroups), since the node-level sums of gpu-count do not
// describe sharing.
//
// Where the state lives: each pod's devices are recorded on its PodInfo in
// the scheduler cache (framework.PodInfo.GPUDevices) and summed per device
// on the NodeInfo (framework.NodeInfo.GPU), updated incrementally as pods are
// assumed, bound and removed. A pod's devices come from its
// framework.AnnotationGPUIndex annotation ("3", "0-1-2-3") when it has a
// valid one; otherwise the NodeInfo places it by the default rule (best fit
// for a sharing pod, lowest free devices otherwise). At Reserve the chosen
// devices replace that placement and are written into the assumed pod's
// annotation; PreBind writes the annotation to the pod in the store (reason
// ReasonGPUAssigned, one store update), so the bound pod names its devices
// and the choice survives every later update of the pod. The cache also
// keeps a pod's devices across updates that do not name them, so a profile
// without PreBind stays consistent.
//
// Which rule picks the devices: each policy's own Reserve (Assign with
// PriorityPolicy) overrides GpuShare's configured DeviceSelection (best,
// worst or random; PriorityDefault) regardless of plugin order.
//
// Filter and PreFilter allocate nothing on success; Filter does not need
// PreFilter (which only skips Filter for pods without a GPU request).
package gpushare

import (
	"errors"
	"fmt"
	"math/rand/v2"

	"github.com/kubesim/kubesim/scheduler/framework"
	"github.com/kubesim/kubesim/scheduler/plugins/internal/research"
	"github.com/kubesim/kubesim/sim/api"
)

// Name is the plugin's name in the registry and in configurations.
const Name = "GpuShare"

// Filter and Reserve failure reasons.
const (
	// ErrReasonNoGPU: the node has no GPU device (unresolvable).
	ErrReasonNoGPU = "node(s) had no GPU devices"
	// ErrReasonTooFewGPUs: the node has fewer devices than the pod asks
	// for (unresolvable).
	ErrReasonTooFewGPUs = "node(s) had fewer GPU devices than requested"
	// ErrReasonNoDevice: no device (set of devices) has enough free.
	ErrReasonNoDevice = "node(s) didn't have a free GPU device for the request"
)

// Filter's rejections, built once: a Status is never changed once its
// plugin is set (WithPlugin with the same name writes nothing), so they are
// shared by every cycle and every run, and Filter allocates nothing.
var (
	statusNoGPU      = framework.NewStatus(framework.UnschedulableAndUnresolvable, ErrReasonNoGPU).WithPlugin(Name)
	statusTooFewGPUs = framework.NewStatus(framework.UnschedulableAndUnresolvable, ErrReasonTooFewGPUs).WithPlugin(Name)
	statusNoDevice   = framework.NewStatus(framework.Unschedulable, ErrReasonNoDevice).WithPlugin(Name)
)

// ReasonGPUAssigned is the reason of PreBind's store update.
const ReasonGPUAssigned = "GPUDevicesAssigned"

// Device selection rules of Args.DeviceSelection (the artefact's
// gpuSelMethod values).
const (
	SelectBest   = "best"
	SelectWorst  = "worst"
	SelectRandom = "random"
)

// StreamName is the random stream of the "random" selection.
const StreamName = Name

// Args are GpuShare's arguments.
type Args struct {
	// DeviceSelection is the rule that picks a pod's devices when no
	// policy in the profile picks them: "best" (default), "worst" or
	// "random" (see BestFit, WorstFit, RandomFit).
	DeviceSelection string `json:"deviceSelection,omitempty"`
}

// GpuShare filters nodes by per-device GPU capacity and assigns devices.
type GpuShare struct {
	h   framework.Handle
	sel string
	rng *rand.Rand
}

var (
	_ framework.PreFilterPlugin = &GpuShare{}
	_ framework.FilterPlugin    = &GpuShare{}
	_ framework.ReservePlugin   = &GpuShare{}
	_ framework.PreBindPlugin   = &GpuShare{}
)

// New returns GpuShare. args is nil, a *Args or the JSON of Args (strict).
// h may be nil only for filtering (Reserve and PreBind need it).
func New(args any, h framework.Handle) (framework.Plugin, error) {
	a, err := research.DecodeArgs[Args](Name, args)
	if err != nil {
		return nil, err
	}
	g := &GpuShare{h: h, sel: a.DeviceSelection}
	switch g.sel {
	case "":
		g.sel = SelectBest
	case SelectBest, SelectWorst:
	case SelectRandom:
		if h == nil {
			return nil, errors.New(Name + ": deviceSelection random needs a framework handle")
		}
		g.rng = h.Rand(StreamName)
	default:
		return nil, fmt.Errorf("%s: deviceSelection: unsupported value %q: supported values are %q, %q, %q",
			Name, a.DeviceSelection, SelectBest, SelectWorst, SelectRandom)
	}
	return g, nil
}

// Name returns Name.
func (*GpuShare) Name() string { return Name }

// PreFilter returns Skip for a pod without a GPU request, so that Filter
// does not run for it.
func (*GpuShare) PreFilter(_ *framework.CycleState, p *api.Pod, _ []*framework.NodeInfo) (*framework.PreFilterResult, *framework.Status) {
	if framework.PodGPURequest(p).IsZero() {
		return nil, framework.NewStatus(framework.Skip)
	}
	return nil, nil
}

// Filter admits a node when the pod's GPU request fits its free devices
// (Devices.Fits). A node without devices, or with fewer than the pod asks
// for, is UnschedulableAndUnresolvable; one without room now is
// Unschedulable.
func (*GpuShare) Filter(_ *framework.CycleState, p *api.Pod, ni *framework.NodeInfo) *framework.Status {
	r := framework.PodGPURequest(p)
	if r.IsZero() {
		return nil
	}
	g := ni.GPU
	switch {
	case g == nil || g.Count == 0:
		return statusNoGPU
	case r.Count > g.Count:
		return statusTooFewGPUs
	}
	if r.IsShared() {
		for i := 0; i < g.Count; i++ {
			if g.Free(i) >= r.Milli {
				return nil
			}
		}
	} else {
		n := 0
		for i := 0; i < g.Count; i++ {
			if g.Used[i] == 0 {
				if n++; n == r.Count {
					return nil
				}
			}
		}
	}
	return statusNoDevice
}

// Reserve picks the pod's devices with the configured DeviceSelection, at
// PriorityDefault (a policy's own choice wins; see Assign).
func (g *GpuShare) Reserve(state *framework.CycleState, p *api.Pod, nodeName string) *framework.Status {
	return Assign(g.h, state, p, nodeName, PriorityDefault, g.choose)
}

func (g *GpuShare) choose(d *Devices, r framework.GPURequest) uint32 {
	switch g.sel {
	case SelectWorst:
		return WorstFit(d, r)
	case SelectRandom:
		return RandomFit(d, r, g.rng)
	}
	return BestFit(d, r)
}

// Unreserve releases the pod's devices (Release).
func (g *GpuShare) Unreserve(state *framework.CycleState, p *api.Pod, nodeName string) {
	Release(g.h, state, p, nodeName)
}

// PreBind writes the pod's AnnotationGPUIndex (set at Reserve) to the pod in
// the store, unless it is there already. A pod without a GPU request, or
// without devices, is left alone. The pod must still be the same unbound
// pod (same UID); any store failure is an Error status.
func (g *GpuShare) PreBind(_ *framework.CycleState, p *api.Pod, nodeName string) *framework.Status {
	idx, ok := p.Annotations[framework.AnnotationGPUIndex]
	if !ok || framework.PodGPURequest(p).IsZero() {
		return nil
	}
	if g.h == nil {
		return framework.AsStatus(errors.New(Name + ": PreBind needs a framework handle"))
	}
	st := g.h.Store()
	cur, found := st.Pods.Get(p.Namespace, p.Name)
	switch {
	case !found:
		return framework.AsStatus(fmt.Errorf("%s: pod %s not found", Name, p.Key()))
	case cur.UID != p.UID:
		return framework.AsStatus(fmt.Errorf("%s: pod %s was replaced (uid %s, want %s)", Name, p.Key(), cur.UID, p.UID))
	case cur.Annotations[framework.AnnotationGPUIndex] == idx:
		return nil
	}
	np := cur.Clone()
	np.Annotations = withAnnotation(cur.Annotations, framework.AnnotationGPUIndex, idx)
	if _, err := st.Pods.Update(g.h.Component(), np, ReasonGPUAssigned); err != nil {
		return framework.AsStatus(fmt.Errorf("%s: writing devices of pod %s (node %s): %w", Name, p.Key(), nodeName, err))
	}
	return nil
}
