package scheduler

import (
	"reflect"
	"unsafe"

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

	// nextID and freeIDs hand out NodeInfo IDs.
	nextID  int32
	freeIDs []int32
	// withAffinity and withRequiredAnti are the nodes holding a pod with
	// pod (anti-)affinity, and a pod with required anti-affinity
	// (framework.AffinityNodeLister).
	withAffinity, withRequiredAnti nodeList
	// groups indexes the pods by framework.PodGroup; groupList holds the
	// groups in a deterministic order (framework.PodGroupLister).
	groups     map[groupKey]*podGroup
	groupList  []*framework.PodGroup
	groupItems []*podGroup // parallel to groupList

	// table holds a row per NodeInfo, by ID, updated wherever a NodeInfo
	// changes; ids are the IDs of list, in order (framework.NodeTableLister).
	table framework.NodeTable
	ids   []int32
	// labelsVersion changes when the node list changes or a listed node's
	// labels change (framework.NodeLabelsVersioner).
	labelsVersion uint64
}

type nodeItem struct {
	info   *framework.NodeInfo
	zone   string
	inTree bool
	// pos holds the item's index in withAffinity and withRequiredAnti (-1
	// when absent).
	pos [2]int32
	// groups are the pod groups with pods on the node, with the index of the
	// node's entry in each group's Nodes.
	groups []itemGroup
}

type podState struct {
	pod     *api.Pod // the object held in the NodeInfo
	node    string
	assumed bool
	grp     *podGroup
}

// nodeList is a set of nodes kept as a slice (swap-remove), with each
// member's index in its nodeItem.
type nodeList struct {
	infos []*framework.NodeInfo
	items []*nodeItem
	which int // index into nodeItem.pos
}

// set adds or removes it.
func (l *nodeList) set(it *nodeItem, member bool) {
	pos := it.pos[l.which]
	switch {
	case member && pos < 0:
		it.pos[l.which] = int32(len(l.items))
		l.infos = append(l.infos, it.info)
		l.items = append(l.items, it)
	case !member && pos >= 0:
		last := len(l.items) - 1
		moved := l.items[last]
		l.items[pos], l.infos[pos] = moved, moved.info
		moved.pos[l.which] = pos
		l.items[last], l.infos[last] = nil, nil
		l.items, l.infos = l.items[:last], l.infos[:last]
		it.pos[l.which] = -1
	}
}

// groupKey identifies a framework.PodGroup.
type groupKey struct {
	ns     string
	labels unsafe.Pointer // the label map's identity; nil when empty
	// spec is the pod's spec when it has pod (anti-)affinity, whose
	// compiled terms the group's Info carries; nil otherwise, so that pods
	// without any (bare pods, each with its own spec) share a group.
	spec        *api.PodSpec
	terminating bool
}

// podGroup is a framework.PodGroup with its bookkeeping.
type podGroup struct {
	g     *framework.PodGroup
	key   groupKey
	items []*nodeItem // parallel to g.Nodes
	pods  int
	pos   int // index in Cache.groupList
}

// itemGroup is a group with pods on a node and the index of the node's
// entry in the group's Nodes.
type itemGroup struct {
	grp *podGroup
	pos int32
}

func keyOf(p *api.Pod) groupKey {
	k := groupKey{ns: p.Namespace, terminating: p.DeletionTimestamp != nil}
	if a := p.Spec.Affinity; a != nil && (a.PodAffinity != nil || a.PodAnti != nil) {
		k.spec = p.Spec
	}
	if len(p.Labels) > 0 {
		k.labels = reflect.ValueOf(p.Labels).UnsafePointer()
	}
	return k
}

// addToGroup counts pod pi, just added on it's NodeInfo, in its group.
func (c *Cache) addToGroup(it *nodeItem, pi *framework.PodInfo) *podGroup {
	key := keyOf(pi.Pod)
	grp := c.groups[key]
	if grp == nil {
		grp = &podGroup{key: key, pos: len(c.groupList), g: &framework.PodGroup{Namespace: pi.Pod.Namespace,
			Labels: pi.Pod.Labels, Terminating: key.terminating, Info: pi}}
		c.groups[key] = grp
		c.groupList = append(c.groupList, grp.g)
		c.groupItems = append(c.groupItems, grp)
	}
	grp.pods++
	for _, ig := range it.groups {
		if ig.grp == grp {
			grp.g.Nodes[ig.pos].Count++
			return grp
		}
	}
	it.groups = append(it.groups, itemGroup{grp: grp, pos: int32(len(grp.g.Nodes))})
	grp.g.Nodes = append(grp.g.Nodes, framework.PodGroupNode{Node: it.info, ID: it.info.ID, Count: 1})
	grp.items = append(grp.items, it)
	return grp
}

// removeFromGroup uncounts one pod of grp on it.
func (c *Cache) removeFromGroup(it *nodeItem, grp *podGroup) {
	for i, ig := range it.groups {
		if ig.grp != grp {
			continue
		}
		if grp.g.Nodes[ig.pos].Count--; grp.g.Nodes[ig.pos].Count == 0 {
			last := int32(len(grp.g.Nodes) - 1)
			if ig.pos != last {
				moved := grp.items[last]
				grp.g.Nodes[ig.pos], grp.items[ig.pos] = grp.g.Nodes[last], moved
				for j := range moved.groups {
					if moved.groups[j].grp == grp {
						moved.groups[j].pos = ig.pos
						break
					}
				}
			}
			grp.g.Nodes[last], grp.items[last] = framework.PodGroupNode{}, nil
			grp.g.Nodes, grp.items = grp.g.Nodes[:last], grp.items[:last]
			n := len(it.groups) - 1
			it.groups[i] = it.groups[n]
			it.groups[n] = itemGroup{}
			it.groups = it.groups[:n]
		}
		break
	}
	if grp.pods--; grp.pods > 0 {
		return
	}
	delete(c.groups, grp.key)
	last := len(c.groupList) - 1
	moved := c.groupItems[last]
	c.groupList[grp.pos], c.groupItems[grp.pos] = moved.g, moved
	moved.pos = grp.pos
	c.groupList[last], c.groupItems[last] = nil, nil
	c.groupList, c.groupItems = c.groupList[:last], c.groupItems[:last]
}

// syncLists updates the node's membership of the affinity node lists.
func (c *Cache) syncLists(it *nodeItem) {
	c.withAffinity.set(it, len(it.info.PodsWithAffinity) > 0)
	c.withRequiredAnti.set(it, len(it.info.PodsWithRequiredAntiAffinity) > 0)
}

// HavePodsWithAffinityList returns the nodes holding a pod with pod
// (anti-)affinity (framework.AffinityNodeLister). The slice is the cache's:
// read only, valid until the cluster changes.
func (c *Cache) HavePodsWithAffinityList() []*framework.NodeInfo { return c.withAffinity.infos }

// HavePodsWithRequiredAntiAffinityList returns the nodes holding a pod with
// required pod anti-affinity (framework.AffinityNodeLister), as
// HavePodsWithAffinityList.
func (c *Cache) HavePodsWithRequiredAntiAffinityList() []*framework.NodeInfo {
	return c.withRequiredAnti.infos
}

// PodGroups returns the cache's pod groups (framework.PodGroupLister).
func (c *Cache) PodGroups() []*framework.PodGroup { return c.groupList }

var (
	_ framework.AffinityNodeLister  = &Cache{}
	_ framework.PodGroupLister      = &Cache{}
	_ framework.NodeTableLister     = &Cache{}
	_ framework.NodeLabelsVersioner = &Cache{}
)

// NewCache returns an empty cache.
func NewCache() *Cache {
	return &Cache{nodes: map[string]*nodeItem{}, pods: map[api.UID]*podState{}, zoneNodes: map[string][]string{},
		images: map[string]*framework.ImageStateSummary{}, groups: map[groupKey]*podGroup{},
		withAffinity: nodeList{which: 0}, withRequiredAnti: nodeList{which: 1}}
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
		it = &nodeItem{info: framework.NewNodeInfo(), pos: [2]int32{-1, -1}}
		if n := len(c.freeIDs); n > 0 {
			it.info.ID = c.freeIDs[n-1]
			c.freeIDs = c.freeIDs[:n-1]
		} else {
			c.nextID++
			it.info.ID = c.nextID
		}
		c.nodes[name] = it
	}
	return it
}

// drop forgets a node item that has neither a node nor pods.
func (c *Cache) drop(name string, it *nodeItem) {
	delete(c.nodes, name)
	c.table.Clear(it.info.ID)
	c.freeIDs = append(c.freeIDs, it.info.ID)
}

// AddNode adds (or, if present, updates) a node.
func (c *Cache) AddNode(n *api.Node) {
	it := c.item(n.Name)
	c.updateImages(it.info, n)
	if old := it.info.Node(); old == nil || !sameLabels(old.Labels, n.Labels) {
		c.labelsVersion++
	}
	it.info.SetNode(n)
	c.table.Set(it.info)
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
	c.table.Set(it.info)
	c.labelsVersion++
	if len(it.info.Pods) == 0 {
		c.drop(name, it)
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
	c.labelsVersion++
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
	ids := make([]int32, len(list))
	for i, ni := range list {
		ids[i] = ni.ID
	}
	c.ids = ids
}

// NodeTable returns the cache's per-node table (framework.NodeTableLister).
func (c *Cache) NodeTable() *framework.NodeTable { return &c.table }

// ListIDs returns the IDs of List's NodeInfos, in order
// (framework.NodeTableLister). The slice is replaced, never modified, when
// the list is rebuilt.
func (c *Cache) ListIDs() []int32 {
	c.refresh()
	return c.ids
}

// NodeLabelsVersion returns a number that changes whenever the node list
// changes or a listed node gets a node object with other labels
// (framework.NodeLabelsVersioner).
func (c *Cache) NodeLabelsVersion() uint64 {
	c.refresh()
	return c.labelsVersion
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
	// keep: the GPU devices the pod already holds on this node (chosen at
	// Reserve), kept when the new version does not name its devices.
	var keep uint32
	if ps, ok := c.pods[p.UID]; ok {
		if it := c.nodes[ps.node]; it != nil && ps.node == p.NodeName && it.info.GPU != nil {
			keep = it.info.PodGPUDevices(ps.pod)
		}
		c.unplace(ps)
	}
	it := c.item(p.NodeName)
	it.info.AddPod(p)
	if keep != 0 && !framework.HasGPUIndex(p) {
		it.info.SetPodGPUDevices(p, keep)
	}
	c.table.Set(it.info)
	grp := c.addToGroup(it, it.info.Pods[len(it.info.Pods)-1])
	c.syncLists(it)
	c.pods[p.UID] = &podState{pod: p, node: p.NodeName, grp: grp}
}

// unplace takes a recorded pod off its node (the caller forgets ps).
func (c *Cache) unplace(ps *podState) {
	if it := c.nodes[ps.node]; it != nil {
		it.info.RemovePod(ps.pod)
		c.table.Set(it.info)
		c.removeFromGroup(it, ps.grp)
		c.syncLists(it)
		c.cleanup(ps.node)
	}
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
	c.unplace(ps)
}

func (c *Cache) cleanup(name string) {
	if it := c.nodes[name]; it != nil && it.info.Node() == nil && len(it.info.Pods) == 0 {
		c.drop(name, it)
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
