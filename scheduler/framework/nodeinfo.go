package framework

import (
	"github.com/kubesim/kubesim/sim/api"
)

// PodInfo is a pod as the scheduler cache holds it.
type PodInfo struct {
	Pod *api.Pod
}

// NodeInfo is the scheduler's aggregated view of one node: the node object and
// the pods assigned or assumed on it (terminal pods excluded, terminating pods
// included), with running sums kept incrementally.
type NodeInfo struct {
	node *api.Node
	// Pods are the pods on the node, in the order they were added.
	Pods []*PodInfo
	// Requested is the sum of the pods' effective requests (filters).
	Requested api.Resources
	// NonZeroRequested is the same sum with the scoring non-zero defaults for
	// cpu and memory (only MilliCPU and Memory are set).
	NonZeroRequested api.Resources
	// UsedPorts are the host ports in use.
	UsedPorts HostPortInfo
	// Generation increases on every change, so snapshots can skip unchanged nodes.
	Generation int64
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
	n.Pods = append(n.Pods, &PodInfo{Pod: p})
	n.Requested = n.Requested.Add(p.Spec.Requests)
	n.NonZeroRequested.MilliCPU += p.Spec.NonZeroMilliCPU
	n.NonZeroRequested.Memory += p.Spec.NonZeroMemory
	for _, hp := range p.Spec.HostPorts {
		n.UsedPorts.Add(hp)
	}
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
		n.Requested = n.Requested.Sub(old.Spec.Requests)
		n.NonZeroRequested.MilliCPU -= old.Spec.NonZeroMilliCPU
		n.NonZeroRequested.Memory -= old.Spec.NonZeroMemory
		for _, hp := range old.Spec.HostPorts {
			n.UsedPorts.Remove(hp)
		}
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
		Generation:       n.Generation,
	}
	c.Requested.Scalar = append([]api.Scalar(nil), n.Requested.Scalar...)
	return c
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
