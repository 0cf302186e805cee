// Package testutil builds pods, nodes, NodeInfos and a framework.Handle for
// the in-tree plugins' tests, in the shape of upstream's
// pkg/scheduler/testing wrappers: MakePod().Name("p").Req(500, 1<<30).Obj().
//
// Builders allocate a fresh spec per pod and call PodSpec.Compile in Obj, so
// derived fields (effective requests, non-zero scoring requests, host ports)
// are filled in exactly as the decoder fills them.
package testutil

import (
	"math/rand/v2"
	"strconv"

	"github.com/kubesim/kubesim/scheduler/framework"
	"github.com/kubesim/kubesim/sim"
	"github.com/kubesim/kubesim/sim/api"
	"github.com/kubesim/kubesim/sim/store"
)

// Byte sizes for readable fixtures.
const (
	Mi int64 = 1 << 20
	Gi int64 = 1 << 30
)

// PodWrapper builds a pod.
type PodWrapper struct {
	pod  api.Pod
	spec api.PodSpec
}

// MakePod starts a pod in namespace "default" with an empty spec.
func MakePod() *PodWrapper {
	return &PodWrapper{pod: api.Pod{ObjectMeta: api.ObjectMeta{Namespace: "default"}}}
}

// Name sets the name (and a UID derived from it, unless one is set).
func (w *PodWrapper) Name(n string) *PodWrapper {
	w.pod.Name = n
	if w.pod.UID == "" {
		w.pod.UID = api.UID("uid-" + n)
	}
	return w
}

// Namespace sets the namespace.
func (w *PodWrapper) Namespace(ns string) *PodWrapper { w.pod.Namespace = ns; return w }

// UID sets the UID.
func (w *PodWrapper) UID(u string) *PodWrapper { w.pod.UID = api.UID(u); return w }

// Priority sets the resolved priority.
func (w *PodWrapper) Priority(p int32) *PodWrapper { w.pod.Priority = p; return w }

// NodeName sets spec.nodeName.
func (w *PodWrapper) NodeName(n string) *PodWrapper { w.pod.NodeName = n; return w }

// Req adds a container requesting cpu millicores and mem bytes (both keys
// present, so an explicit 0 stays 0 in scoring).
func (w *PodWrapper) Req(milliCPU, mem int64) *PodWrapper {
	w.spec.Containers = append(w.spec.Containers, api.Container{
		Name:             "c" + strconv.Itoa(len(w.spec.Containers)),
		Requests:         api.Resources{MilliCPU: milliCPU, Memory: mem},
		HasCPURequest:    true,
		HasMemoryRequest: true,
	})
	return w
}

// NoReq adds a container that requests nothing (BestEffort; scoring uses the
// non-zero defaults 100m / 200Mi for it).
func (w *PodWrapper) NoReq() *PodWrapper {
	w.spec.Containers = append(w.spec.Containers, api.Container{Name: "c" + strconv.Itoa(len(w.spec.Containers))})
	return w
}

// ReqRes adds a container with the given requests; cpu and memory keys count
// as present only when non-zero.
func (w *PodWrapper) ReqRes(r api.Resources) *PodWrapper {
	w.spec.Containers = append(w.spec.Containers, api.Container{
		Name:             "c" + strconv.Itoa(len(w.spec.Containers)),
		Requests:         r,
		HasCPURequest:    r.MilliCPU != 0,
		HasMemoryRequest: r.Memory != 0,
	})
	return w
}

// Ext adds an extended (or any named) resource request to the last
// container, adding a container without cpu/memory requests if there is none.
func (w *PodWrapper) Ext(name string, v int64) *PodWrapper {
	if len(w.spec.Containers) == 0 {
		w.NoReq()
	}
	c := &w.spec.Containers[len(w.spec.Containers)-1]
	c.Requests = c.Requests.Set(name, v)
	return w
}

// InitReq adds a regular (non-sidecar) init container requesting cpu and mem.
func (w *PodWrapper) InitReq(milliCPU, mem int64) *PodWrapper {
	w.spec.InitContainers = append(w.spec.InitContainers, api.Container{
		Name:             "i" + strconv.Itoa(len(w.spec.InitContainers)),
		Requests:         api.Resources{MilliCPU: milliCPU, Memory: mem},
		HasCPURequest:    true,
		HasMemoryRequest: true,
	})
	return w
}

// Overhead sets spec.overhead.
func (w *PodWrapper) Overhead(r api.Resources) *PodWrapper { w.spec.Overhead = r; return w }

// NodeSelector sets spec.nodeSelector.
func (w *PodWrapper) NodeSelector(m map[string]string) *PodWrapper { w.spec.NodeSelector = m; return w }

// Required sets the required node affinity.
func (w *PodWrapper) Required(terms ...api.NodeSelectorTerm) *PodWrapper {
	w.affinity().NodeRequired = &api.NodeSelector{Terms: terms}
	return w
}

// Preferred adds a preferred node affinity term.
func (w *PodWrapper) Preferred(weight int32, term api.NodeSelectorTerm) *PodWrapper {
	a := w.affinity()
	a.NodePreferred = append(a.NodePreferred, api.PreferredTerm{Weight: weight, Term: term})
	return w
}

func (w *PodWrapper) affinity() *api.Affinity {
	if w.spec.Affinity == nil {
		w.spec.Affinity = &api.Affinity{}
	}
	return w.spec.Affinity
}

// Toleration adds a toleration.
func (w *PodWrapper) Toleration(key string, op api.TolerationOperator, value string, effect api.TaintEffect) *PodWrapper {
	w.spec.Tolerations = append(w.spec.Tolerations, api.Toleration{Key: key, Operator: op, Value: value, Effect: effect})
	return w
}

// Gates sets spec.schedulingGates.
func (w *PodWrapper) Gates(g ...string) *PodWrapper { w.spec.SchedulingGates = g; return w }

// Obj compiles the spec and returns the pod.
func (w *PodWrapper) Obj() *api.Pod {
	spec := w.spec
	spec.Compile()
	p := w.pod
	p.Spec = &spec
	return &p
}

// In is a node-label requirement "key In (values)".
func In(key string, values ...string) api.Requirement {
	return api.Requirement{Key: key, Operator: api.OpIn, Values: values}
}

// Term is a node selector term of label expressions.
func Term(exprs ...api.Requirement) api.NodeSelectorTerm {
	return api.NodeSelectorTerm{MatchExpressions: exprs}
}

// NameTerm is a node selector term "metadata.name In (names)".
func NameTerm(names ...string) api.NodeSelectorTerm {
	return api.NodeSelectorTerm{MatchFields: []api.Requirement{{Key: "metadata.name", Operator: api.OpIn, Values: names}}}
}

// NodeWrapper builds a node.
type NodeWrapper struct{ node api.Node }

// MakeNode starts a node that allows 110 pods (the kubelet default).
func MakeNode() *NodeWrapper { return &NodeWrapper{node: api.Node{AllowedPods: 110}} }

// Name sets the name and the kubernetes.io/hostname label.
func (w *NodeWrapper) Name(n string) *NodeWrapper {
	w.node.Name = n
	w.node.UID = api.UID("uid-" + n)
	return w.Label(api.LabelHostname, n)
}

// Label sets a label.
func (w *NodeWrapper) Label(k, v string) *NodeWrapper {
	m := make(map[string]string, len(w.node.Labels)+1)
	for lk, lv := range w.node.Labels {
		m[lk] = lv
	}
	m[k] = v
	w.node.Labels = m
	return w
}

// Alloc sets allocatable (and capacity) cpu millicores and memory bytes.
func (w *NodeWrapper) Alloc(milliCPU, mem int64) *NodeWrapper {
	w.node.Allocatable.MilliCPU, w.node.Allocatable.Memory = milliCPU, mem
	w.node.Capacity = w.node.Allocatable
	return w
}

// AllocRes sets one allocatable resource by name (cpu, memory,
// ephemeral-storage or an extended resource).
func (w *NodeWrapper) AllocRes(name string, v int64) *NodeWrapper {
	w.node.Allocatable = w.node.Allocatable.Set(name, v)
	w.node.Capacity = w.node.Allocatable
	return w
}

// Pods sets allocatable pods.
func (w *NodeWrapper) Pods(n int64) *NodeWrapper { w.node.AllowedPods = n; return w }

// Taint adds a taint.
func (w *NodeWrapper) Taint(key, value string, effect api.TaintEffect) *NodeWrapper {
	w.node.Taints = append(w.node.Taints, api.Taint{Key: key, Value: value, Effect: effect})
	return w
}

// Unschedulable marks the node spec.unschedulable (cordoned).
func (w *NodeWrapper) Unschedulable() *NodeWrapper { w.node.Unschedulable = true; return w }

// Obj returns the node.
func (w *NodeWrapper) Obj() *api.Node { n := w.node; return &n }

// NodeInfo returns a NodeInfo for node holding pods.
func NodeInfo(node *api.Node, pods ...*api.Pod) *framework.NodeInfo {
	ni := framework.NewNodeInfo(pods...)
	ni.SetNode(node)
	return ni
}

// Handle is a framework.Handle over a fresh engine and store.
type Handle struct {
	Engine *sim.Engine
	St     *store.Store
	Nodes  []*framework.NodeInfo
}

var _ framework.Handle = &Handle{}

// NewHandle returns a handle with a new engine (seed 1, run 0) and store.
func NewHandle() *Handle {
	eng := sim.NewEngine(1, 0)
	return &Handle{Engine: eng, St: store.New(eng, store.Options{})}
}

// SnapshotSharedLister lists h.Nodes.
func (h *Handle) SnapshotSharedLister() framework.NodeInfoLister { return lister(h.Nodes) }

// Store returns the store.
func (h *Handle) Store() *store.Store { return h.St }

// Now returns the engine's time.
func (h *Handle) Now() sim.Time { return h.Engine.Now() }

// Rand returns the engine's named stream.
func (h *Handle) Rand(name string) *rand.Rand { return h.Engine.Rand(name) }

// Component returns "default-scheduler".
func (h *Handle) Component() string { return api.DefaultSchedulerName }

type lister []*framework.NodeInfo

func (l lister) List() []*framework.NodeInfo { return l }

func (l lister) Get(name string) (*framework.NodeInfo, bool) {
	for _, n := range l {
		if n.Name() == name {
			return n, true
		}
	}
	return nil, false
}
