package scheduler

import (
	"github.com/kubesim/kubesim/scheduler/framework"
	"github.com/kubesim/kubesim/sim/api"
)

// Cache is the scheduler's view of the cluster: one framework.NodeInfo per node,
// kept up to date incrementally from watch events, counting assigned
// non-terminal pods (terminating ones included) and assumed pods (from Reserve
// until the bind is observed or fails) (SEMANTICS 1.7).
//
// The Cache is also the cycle's snapshot (framework.NodeInfoLister): the
// simulation is single-threaded and a cycle's decision is made in one event, so
// nothing can change underneath it. List returns the nodes in upstream's
// node-tree order (SEMANTICS 1.3); the list is rebuilt only after nodes were
// added, removed or changed zone, and each rebuild is a new slice, so a list
// handed out earlier is never modified.
type Cache struct {
	nodes map[string]*nodeItem
	pods  map[api.UID]*podState

	zones     []string
	zoneNodes map[string][]string
	list      []*framework.NodeInfo
	dirty     bool
	// rebuilds counts node-list rebuilds (tests check that unchanged node sets
	// cause none).
	rebuilds int
	// images holds the cluster-wide summary of every image name some node
	// lists; NodeInfo.ImageStates point into it.
	images map[string]*framework.ImageStateSummary
}

type nodeItem struct {
	info   *framework.NodeInfo
	zone   string
	inTree bool
}

type podState struct {
	pod     *api.Pod // the object held in the NodeInfo
	node    string
	assumed bool
}

// NewCache returns an empty cache.
func NewCache() *Cache {
	return &Cache{nodes: map[string]*nodeItem{}, pods: map[api.UID]*podState{}, zoneNodes: map[string][]string{},
		images: map[string]*framework.ImageStateSummary{}}
}

// zoneKey is upstream's zone key: region + ":\x00:" + zone (empty when the
// node has neither label).
func zoneKey(n *api.Node) string {
	region, zone := n.Labels[api.LabelRegion], n.Labels[api.LabelZone]
	if region == "" && zone == "" {
		return ""
	}
	return region + ":\x00:" + zone
}

func (c *Cache) item(name string) *nodeItem {
	it := c.nodes[name]
	if it == nil {
		it = &nodeItem{info: framework.NewNodeInfo()}
		c.nodes[name] = it
	}
	return it
}

// AddNode adds (or, if present, updates) a node.
func (c *Cache) AddNode(n *api.Node) {
	it := c.item(n.Name)
	c.updateImages(it.info, n)
	it.info.SetNode(n)
	z := zoneKey(n)
	if it.inTree && it.zone != z {
		c.treeRemove(n.Name, it.zone)
		it.inTree = false
	}
	if !it.inTree {
		it.zone = z
		c.treeAdd(n.Name, z)
		it.inTree = true
	}
}

// UpdateNode replaces a node object.
func (c *Cache) UpdateNode(n *api.Node) { c.AddNode(n) }

// RemoveNode removes a node. Pods still recorded on it stay counted on a
// node-less NodeInfo (not listed) until they go, as upstream.
func (c *Cache) RemoveNode(name string) {
	it := c.nodes[name]
	if it == nil {
		return
	}
	if it.inTree {
		c.treeRemove(name, it.zone)
		it.inTree = false
	}
	c.removeImages(it.info)
	it.info.SetNode(nil)
	if len(it.info.Pods) == 0 {
		delete(c.nodes, name)
	}
}

// updateImages replaces ni's image states with those of n, the node object
// about to be set on ni (SEMANTICS 2.7; upstream's add/removeNodeImageStates).
// It costs O(images of the old and new node object), and O(1) when n lists
// the very same Images slice as the node it replaces (an update of status
// conditions, labels or taints: objects are immutable, copies share slices).
func (c *Cache) updateImages(ni *framework.NodeInfo, n *api.Node) {
	if old := ni.Node(); old != nil && sameImages(old.Images, n.Images) {
		return
	}
	c.removeImages(ni)
	if len(n.Images) == 0 {
		return
	}
	states := make(map[string]*framework.ImageStateSummary, len(n.Images)*2)
	for _, im := range n.Images {
		for _, name := range im.Names {
			if _, dup := states[name]; dup {
				continue // a name counts once per node
			}
			st := c.images[name]
			if st == nil {
				st = &framework.ImageStateSummary{Size: im.SizeBytes}
				c.images[name] = st
			}
			st.NumNodes++
			states[name] = st
		}
	}
	ni.ImageStates = states
}

// removeImages takes ni's node out of the image summaries it is counted in,
// forgetting names no node lists any more. The order of the map walk does not
// matter: each entry is decremented once.
func (c *Cache) removeImages(ni *framework.NodeInfo) {
	for name, st := range ni.ImageStates {
		st.NumNodes--
		if st.NumNodes == 0 {
			delete(c.images, name)
		}
	}
	ni.ImageStates = nil
}

// sameImages reports whether a and b are the same slice (same backing array
// and length), hence list the same images.
func sameImages(a, b []api.ContainerImage) bool {
	return len(a) == len(b) && (len(a) == 0 || &a[0] == &b[0])
}

func (c *Cache) treeAdd(name, zone string) {
	ns, ok := c.zoneNodes[zone]
	if !ok {
		c.zones = append(c.zones, zone)
	}
	c.zoneNodes[zone] = append(ns, name)
	c.dirty = true
}

func (c *Cache) treeRemove(name, zone string) {
	ns := c.zoneNodes[zone]
	for i, n := range ns {
		if n == name {
			ns = append(ns[:i:i], ns[i+1:]...)
			break
		}
	}
	if len(ns) > 0 {
		c.zoneNodes[zone] = ns
	} else {
		delete(c.zoneNodes, zone)
		for i, z := range c.zones {
			if z == zone {
				c.zones = append(c.zones[:i:i], c.zones[i+1:]...)
				break
			}
		}
	}
	c.dirty = true
}

// refresh rebuilds the node list if the node set changed: zones in first-seen
// order, interleaved (the first node of every zone, then the second, ...).
func (c *Cache) refresh() {
	if !c.dirty {
		return
	}
	c.dirty = false
	c.rebuilds++
	n := 0
	for _, z := range c.zones {
		n += len(c.zoneNodes[z])
	}
	list := make([]*framework.NodeInfo, 0, n)
	for i := 0; len(list) < n; i++ {
		for _, z := range c.zones {
			if ns := c.zoneNodes[z]; i < len(ns) {
				list = append(list, c.nodes[ns[i]].info)
			}
		}
	}
	c.list = list
}

// List returns every node in node-tree order (framework.NodeInfoLister).
func (c *Cache) List() []*framework.NodeInfo {
	c.refresh()
	return c.list
}

// Get returns the named node's info (framework.NodeInfoLister).
func (c *Cache) Get(name string) (*framework.NodeInfo, bool) {
	it := c.nodes[name]
	if it == nil || it.info.Node() == nil {
		return nil, false
	}
	return it.info, true
}

// NumNodes returns the number of nodes.
func (c *Cache) NumNodes() int {
	c.refresh()
	return len(c.list)
}

// AddPod records an assigned pod (one with a node name). Terminal pods are not
// counted. If the pod was assumed, the assumption is confirmed (and moved if
// it was bound elsewhere).
func (c *Cache) AddPod(p *api.Pod) {
	if p.NodeName == "" {
		return
	}
	if p.IsTerminal() {
		c.RemovePod(p)
		return
	}
	if ps, ok := c.pods[p.UID]; ok {
		c.nodes[ps.node].info.RemovePod(ps.pod)
		c.cleanup(ps.node)
	}
	c.item(p.NodeName).info.AddPod(p)
	c.pods[p.UID] = &podState{pod: p, node: p.NodeName}
}

// UpdatePod records a new version of an assigned pod.
func (c *Cache) UpdatePod(p *api.Pod) { c.AddPod(p) }

// RemovePod forgets a pod (deleted, terminal, or an assumption undone).
func (c *Cache) RemovePod(p *api.Pod) {
	ps, ok := c.pods[p.UID]
	if !ok {
		return
	}
	delete(c.pods, p.UID)
	if it := c.nodes[ps.node]; it != nil {
		it.info.RemovePod(ps.pod)
		c.cleanup(ps.node)
	}
}

func (c *Cache) cleanup(name string) {
	if it := c.nodes[name]; it != nil && it.info.Node() == nil && len(it.info.Pods) == 0 {
		delete(c.nodes, name)
	}
}

// AssumePod counts p (a copy with NodeName set) on its node before the bind is
// observed.
func (c *Cache) AssumePod(p *api.Pod) {
	c.AddPod(p)
	c.pods[p.UID].assumed = true
}

// ForgetPod undoes AssumePod (the bind failed or was abandoned). It does
// nothing if the bind has been observed meanwhile.
func (c *Cache) ForgetPod(p *api.Pod) {
	if ps, ok := c.pods[p.UID]; ok && ps.assumed {
		c.RemovePod(p)
	}
}

// IsAssumed reports whether the pod is assumed and its bind not yet observed.
func (c *Cache) IsAssumed(uid api.UID) bool {
	ps, ok := c.pods[uid]
	return ok && ps.assumed
}

// NodeInfo returns the info of the named node, including a node-less one that
// still holds pods (for tests and diagnostics).
func (c *Cache) NodeInfo(name string) *framework.NodeInfo {
	if it := c.nodes[name]; it != nil {
		return it.info
	}
	return nil
}
