package framework

import (
	"github.com/kubesim/kubesim/sim/api"
)

// PodInfo is a pod as the scheduler cache holds it, with its pod
// (anti-)affinity terms compiled once (see NewPodInfo).
type PodInfo struct {
	Pod *api.Pod
	// RequiredAffinityTerms and RequiredAntiAffinityTerms are the pod's
	// required pod affinity and anti-affinity terms, compiled.
	RequiredAffinityTerms     []AffinityTerm
	RequiredAntiAffinityTerms []AffinityTerm
	// PreferredAffinityTerms and PreferredAntiAffinityTerms are the pod's
	// preferred terms with their weights, compiled.
	PreferredAffinityTerms     []WeightedAffinityTerm
	PreferredAntiAffinityTerms []WeightedAffinityTerm
	// GPUDevices are the GPU devices the pod holds on its node (bit i =
	// device i; see GPUDevices), 0 when it holds none. The NodeInfo sets it.
	GPUDevices uint32
}

// NodeInfo is the scheduler's aggregated view of one node: the node object and
// the pods assigned or assumed on it (terminal pods excluded, terminating pods
// included), with running sums kept incrementally.
type NodeInfo struct {
	node *api.Node
	// Pods are the pods on the node, in the order they were added.
	Pods []*PodInfo
	// PodsWithAffinity are the pods (of Pods) that have pod affinity or pod
	// anti-affinity; PodsWithRequiredAntiAffinity those with at least one
	// required anti-affinity term. Their order is unspecified.
	PodsWithAffinity             []*PodInfo
	PodsWithRequiredAntiAffinity []*PodInfo
	// Requested is the sum of the pods' effective requests (filters).
	Requested api.Resources
	// NonZeroRequested is the same sum with the scoring non-zero defaults for
	// cpu and memory (only MilliCPU and Memory are set).
	NonZeroRequested api.Resources
	// UsedPorts are the host ports in use.
	UsedPorts HostPortInfo
	// ImageStates maps every image name the node object lists (Node.Images,
	// names exactly as listed, not normalised) to that name's cluster-wide
	// summary. The scheduler cache maintains it as nodes are added, updated
	// and removed; the summaries are shared between the nodes listing the
	// name and kept current, so plugins must only read them. Nil when the
	// node lists no images or the NodeInfo was not built by the cache.
	ImageStates map[string]*ImageStateSummary
	// Generation increases on every change, so snapshots can skip unchanged nodes.
	Generation int64
	// ID is a small positive number the scheduler cache gives every NodeInfo
	// it holds, unique among them (reused once a NodeInfo is dropped), so
	// that plugins can keep per-node data in slices indexed by it. It is 0
	// for NodeInfos the cache did not make; a clone keeps its original's.
	ID int32
	// GPU is the node's per-device GPU state (gpu.go); nil when the node
	// advertises no GPU devices and holds no GPU pod.
	GPU *GPUDevices
}

// NewNodeInfo returns a NodeInfo holding the given pods (and no node).
func NewNodeInfo(pods ...*api.Pod) *NodeInfo {
	ni := &NodeInfo{}
	for _, p := range pods {
		ni.AddPod(p)
	}
	return ni
}

// Node returns the node, or nil when the node object is not known (yet).
func (n *NodeInfo) Node() *api.Node { return n.node }

// SetNode sets the node object.
func (n *NodeInfo) SetNode(node *api.Node) {
	n.node = node
	n.setGPUNode(node)
	n.Generation++
}

// Name returns the node's name ("" without a node).
func (n *NodeInfo) Name() string {
	if n.node == nil {
		return ""
	}
	return n.node.Name
}

// AddPod adds a pod's requests, ports and entry.
func (n *NodeInfo) AddPod(p *api.Pod) {
	pi := NewPodInfo(p)
	n.Pods = append(n.Pods, pi)
	if pi.HasPodAffinity() {
		n.PodsWithAffinity = append(n.PodsWithAffinity, pi)
	}
	if len(pi.RequiredAntiAffinityTerms) > 0 {
		n.PodsWithRequiredAntiAffinity = append(n.PodsWithRequiredAntiAffinity, pi)
	}
	n.Requested = n.Requested.Add(p.Spec.Requests)
	n.NonZeroRequested.MilliCPU += p.Spec.NonZeroMilliCPU
	n.NonZeroRequested.Memory += p.Spec.NonZeroMemory
	for _, hp := range p.Spec.HostPorts {
		n.UsedPorts.Add(hp)
	}
	n.addGPU(pi)
	n.Generation++
}

// RemovePod removes the pod with p's UID. It reports whether it was found.
func (n *NodeInfo) RemovePod(p *api.Pod) bool {
	for i, pi := range n.Pods {
		if pi.Pod.UID != p.UID {
			continue
		}
		old := pi.Pod
		last := len(n.Pods) - 1
		n.Pods[i] = n.Pods[last]
		n.Pods[last] = nil
		n.Pods = n.Pods[:last]
		n.PodsWithAffinity = removePodInfo(n.PodsWithAffinity, pi)
		n.PodsWithRequiredAntiAffinity = removePodInfo(n.PodsWithRequiredAntiAffinity, pi)
		n.Requested = n.Requested.Sub(old.Spec.Requests)
		n.NonZeroRequested.MilliCPU -= old.Spec.NonZeroMilliCPU
		n.NonZeroRequested.Memory -= old.Spec.NonZeroMemory
		for _, hp := range old.Spec.HostPorts {
			n.UsedPorts.Remove(hp)
		}
		n.removeGPU(pi)
		n.Generation++
		return true
	}
	return false
}

// Clone returns a copy that can be changed (pods added or removed) without
// affecting n: what preemption's dry runs and nominated-pod filtering use.
func (n *NodeInfo) Clone() *NodeInfo {
	c := &NodeInfo{
		node:             n.node,
		Pods:             append([]*PodInfo(nil), n.Pods...),
		Requested:        n.Requested,
		NonZeroRequested: n.NonZeroRequested,
		UsedPorts:        n.UsedPorts.Clone(),
		ImageStates:      n.ImageStates, // read-only, shared
		Generation:       n.Generation,
		ID:               n.ID,
		GPU:              n.GPU.clone(),
	}
	c.Requested.Scalar = append([]api.Scalar(nil), n.Requested.Scalar...)
	c.PodsWithAffinity = append([]*PodInfo(nil), n.PodsWithAffinity...)
	c.PodsWithRequiredAntiAffinity = append([]*PodInfo(nil), n.PodsWithRequiredAntiAffinity...)
	return c
}

// ImageStateSummary is what the scheduler knows about one image name across
// the cluster, as upstream's ImageStateSummary (SEMANTICS 2.7).
type ImageStateSummary struct {
	// Size is the image's size in bytes as listed by the first node that
	// listed the name (nodes may list slightly different sizes; upstream keeps
	// the first one while any node still lists the name).
	Size int64
	// NumNodes is the number of nodes in the cache that list the name.
	NumNodes int
}

// HostPortInfo counts host ports in use by (ip, protocol, port).
type HostPortInfo struct {
	used map[api.HostPort]int
}

// Add records one use of hp.
func (h *HostPortInfo) Add(hp api.HostPort) {
	if h.used == nil {
		h.used = map[api.HostPort]int{}
	}
	h.used[hp]++
}

// Remove forgets one use of hp.
func (h *HostPortInfo) Remove(hp api.HostPort) {
	if h.used[hp] <= 1 {
		delete(h.used, hp)
		return
	}
	h.used[hp]--
}

// Len returns the number of distinct ports in use.
func (h *HostPortInfo) Len() int { return len(h.used) }

// CheckConflict reports whether wanting hp conflicts with a used port, with
// upstream semantics: 0.0.0.0 conflicts with the same (protocol, port) on any
// IP; a specific IP conflicts with the same IP or 0.0.0.0.
func (h *HostPortInfo) CheckConflict(hp api.HostPort) bool {
	if len(h.used) == 0 {
		return false
	}
	if hp.IP == "0.0.0.0" {
		for u := range h.used {
			if u.Protocol == hp.Protocol && u.Port == hp.Port {
				return true
			}
		}
		return false
	}
	if h.used[hp] > 0 {
		return true
	}
	any := hp
	any.IP = "0.0.0.0"
	return h.used[any] > 0
}

// Clone returns an independent copy.
func (h HostPortInfo) Clone() HostPortInfo {
	if h.used == nil {
		return HostPortInfo{}
	}
	c := make(map[api.HostPort]int, len(h.used))
	for k, v := range h.used {
		c[k] = v
	}
	return HostPortInfo{used: c}
}

// removePodInfo removes pi (by identity) from list, swapping the last entry
// into its place.
func removePodInfo(list []*PodInfo, pi *PodInfo) []*PodInfo {
	for i, x := range list {
		if x == pi {
			last := len(list) - 1
			list[i] = list[last]
			list[last] = nil
			return list[:last]
		}
	}
	return list
}

// AffinityNodeLister is an optional interface of a snapshot
// (NodeInfoLister), as upstream's snapshot lists: the nodes holding at least
// one pod with pod (anti-)affinity, and those holding at least one pod with
// a required anti-affinity term, each in any order. InterPodAffinity uses it,
// when the snapshot implements it, to avoid visiting every node for pods
// without pod affinity.
type AffinityNodeLister interface {
	HavePodsWithAffinityList() []*NodeInfo
	HavePodsWithRequiredAntiAffinityList() []*NodeInfo
}

// AffinityTerm is a pod (anti-)affinity term compiled for matching pods, as
// upstream's framework.AffinityTerm: a pod matches when its namespace is
// listed in Namespaces or its namespace's labels match NamespaceSelector, and
// its labels match Selector.
type AffinityTerm struct {
	// Namespaces are the namespaces the term names, or only the owning pod's
	// namespace when the term names none and has no namespace selector.
	Namespaces []string
	// NamespaceSelector selects namespaces by label: nil selects none, an
	// empty selector selects all.
	NamespaceSelector *api.Selector
	// Selector selects pods by label (nil selects none), with the owning
	// pod's matchLabelKeys (key In [its value]) and mismatchLabelKeys (key
	// NotIn [its value]) merged in, as the API server merges them at pod
	// creation (MatchLabelKeysInPodAffinity, GA and locked on in v1.35).
	Selector    *api.Selector
	TopologyKey string
}

// Matches reports whether pod p, whose namespace has labels nsLabels (nil
// when unknown), matches the term.
func (t *AffinityTerm) Matches(p *api.Pod, nsLabels map[string]string) bool {
	for _, ns := range t.Namespaces {
		if ns == p.Namespace {
			return t.Selector.Matches(p.Labels)
		}
	}
	if t.NamespaceSelector.Matches(nsLabels) {
		return t.Selector.Matches(p.Labels)
	}
	return false
}

// WeightedAffinityTerm is a compiled preferred term with its weight.
type WeightedAffinityTerm struct {
	AffinityTerm
	Weight int32
}

// NewPodInfo returns p wrapped with its pod (anti-)affinity terms compiled.
// A pod without pod affinity costs one small allocation.
func NewPodInfo(p *api.Pod) *PodInfo {
	pi := &PodInfo{Pod: p}
	a := p.Spec.Affinity
	if a == nil {
		return pi
	}
	if pa := a.PodAffinity; pa != nil {
		pi.RequiredAffinityTerms = CompileAffinityTerms(p, pa.Required)
		pi.PreferredAffinityTerms = CompileWeightedAffinityTerms(p, pa.Preferred)
	}
	if pa := a.PodAnti; pa != nil {
		pi.RequiredAntiAffinityTerms = CompileAffinityTerms(p, pa.Required)
		pi.PreferredAntiAffinityTerms = CompileWeightedAffinityTerms(p, pa.Preferred)
	}
	return pi
}

// HasPodAffinity reports whether the pod has pod affinity or pod
// anti-affinity (required or preferred, possibly empty), upstream's test for
// NodeInfo.PodsWithAffinity.
func (pi *PodInfo) HasPodAffinity() bool {
	a := pi.Pod.Spec.Affinity
	return a != nil && (a.PodAffinity != nil || a.PodAnti != nil)
}

// CompileAffinityTerms compiles the terms of pod p (nil for none).
func CompileAffinityTerms(p *api.Pod, terms []api.PodAffinityTerm) []AffinityTerm {
	if len(terms) == 0 {
		return nil
	}
	out := make([]AffinityTerm, len(terms))
	for i := range terms {
		out[i] = compileAffinityTerm(p, &terms[i])
	}
	return out
}

// CompileWeightedAffinityTerms compiles the weighted terms of pod p (nil for
// none).
func CompileWeightedAffinityTerms(p *api.Pod, terms []api.WeightedPodAffinityTerm) []WeightedAffinityTerm {
	if len(terms) == 0 {
		return nil
	}
	out := make([]WeightedAffinityTerm, len(terms))
	for i := range terms {
		out[i] = WeightedAffinityTerm{AffinityTerm: compileAffinityTerm(p, &terms[i].Term), Weight: terms[i].Weight}
	}
	return out
}

func compileAffinityTerm(p *api.Pod, t *api.PodAffinityTerm) AffinityTerm {
	at := AffinityTerm{Namespaces: t.Namespaces, NamespaceSelector: t.NamespaceSelector, Selector: t.Selector, TopologyKey: t.TopologyKey}
	if len(t.Namespaces) == 0 && t.NamespaceSelector == nil {
		at.Namespaces = []string{p.Namespace}
	}
	if t.Selector != nil && (len(t.MatchLabelKeys) > 0 || len(t.MismatchLabelKeys) > 0) {
		reqs := append([]api.Requirement(nil), t.Selector.Requirements...)
		reqs = appendLabelKeys(reqs, t.MatchLabelKeys, api.OpIn, p.Labels)
		reqs = appendLabelKeys(reqs, t.MismatchLabelKeys, api.OpNotIn, p.Labels)
		at.Selector = &api.Selector{Requirements: reqs}
	}
	return at
}

// appendLabelKeys adds "key op [value]" for each key the pod's labels have.
func appendLabelKeys(reqs []api.Requirement, keys []string, op api.Operator, labels map[string]string) []api.Requirement {
	for _, k := range keys {
		if v, ok := labels[k]; ok {
			reqs = append(reqs, api.Requirement{Key: k, Operator: op, Values: []string{v}})
		}
	}
	return reqs
}
