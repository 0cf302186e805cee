package podtopologyspread

import (
	"github.com/kubesim/kubesim/scheduler/framework"
	"github.com/kubesim/kubesim/sim/api"
)

// noValue is the domain id of a node that lacks a topology key.
const noValue int32 = -1

// topology interns topology keys and their values into dense ids and
// remembers, per node object, the value id of every interned key and a slot
// for per-node caches. A node object is immutable (an update replaces it),
// so its ids never go stale; rows of replaced nodes are dropped when the
// table grows well beyond the node count. Ids are stable for the plugin's
// life, so counts indexed by them can be compared across nodes without
// looking at strings.
type topology struct {
	keys   []string
	keyIdx map[string]int32
	// values[k] interns the values of keys[k].
	values   []valueTable
	rows     map[*api.Node]*nodeRow
	nextSlot int32
	// posNodes and posRows remember the rows of the last list walked, by
	// position, so that walking the same list again needs no map lookups.
	posNodes []*api.Node
	posRows  []*nodeRow
	// byID remembers rows by NodeInfo.ID, for the cache's NodeInfos.
	byID []*nodeRow
	// listVersion changes whenever listRows returns a row different from
	// the last call's at some position, or a list of another length.
	listVersion uint64
	listLen     int
	// seen is the snapshot's labels version (framework.NodeLabelsVersioner)
	// and key count at the last listRows over the snapshot's own list:
	// while both hold, the rows are current without walking the list.
	seen     bool
	seenVer  uint64
	seenKeys int
	// idVals[k][id] is the value id of key k of the listed node whose
	// NodeInfo.ID is id: noValue when it lacks the key, notListed when no
	// listed NodeInfo has that ID. It holds for the snapshot's labels
	// version idValsVer and idValsKeys keys (idValsOK).
	idVals     [][]int32
	idValsOK   bool
	idValsVer  uint64
	idValsKeys int
}

// notListed is the idVals entry of an ID no listed NodeInfo has.
const notListed int32 = -2

type valueTable struct {
	ids   map[string]int32
	names []string
}

// nodeRow is what topology knows about one node object.
type nodeRow struct {
	node *api.Node
	// vals[k] is the node's value id for key k, or noValue.
	vals []int32
	// slot indexes the node in the per-selector count caches.
	slot int32
}

func newTopology() topology {
	return topology{keyIdx: map[string]int32{}, rows: map[*api.Node]*nodeRow{}}
}

// key returns the id of a topology key, interning it.
func (t *topology) key(k string) int32 {
	if id, ok := t.keyIdx[k]; ok {
		return id
	}
	id := int32(len(t.keys))
	t.keys = append(t.keys, k)
	t.keyIdx[k] = id
	t.values = append(t.values, valueTable{ids: map[string]int32{}})
	return id
}

// value returns the id of value v of key k, interning it.
func (t *topology) value(k int32, v string) int32 {
	vt := &t.values[k]
	if id, ok := vt.ids[v]; ok {
		return id
	}
	id := int32(len(vt.names))
	vt.names = append(vt.names, v)
	vt.ids[v] = id
	return id
}

// numValues returns how many values of key k are interned.
func (t *topology) numValues(k int32) int { return len(t.values[k].names) }

// row returns the node's row, computing the value ids of keys interned since
// it was last asked for.
func (t *topology) row(n *api.Node) *nodeRow {
	r := t.rows[n]
	if r == nil {
		r = &nodeRow{node: n, slot: t.nextSlot}
		t.nextSlot++
		t.rows[n] = r
	}
	for k := int32(len(r.vals)); k < int32(len(t.keys)); k++ {
		id := noValue
		if v, ok := n.Labels[t.keys[k]]; ok {
			id = t.value(k, v)
		}
		r.vals = append(r.vals, id)
	}
	return r
}

// prune forgets the rows of replaced nodes once they outnumber the live
// ones. Slots are handed out afresh; count caches validate their entries,
// so reused slots are safe.
func (t *topology) prune(live int) {
	if len(t.rows) > 2*live+64 {
		clear(t.rows)
		t.nextSlot = 0
		t.posNodes, t.posRows = t.posNodes[:0], t.posRows[:0]
		clear(t.byID)
		t.listVersion++
		t.seen = false
	}
}

// rowOf returns the row of the NodeInfo's node (which must be set), by the
// NodeInfo's ID when it has one: no map lookup for the cache's NodeInfos.
func (t *topology) rowOf(ni *framework.NodeInfo) *nodeRow {
	n := ni.Node()
	id := int(ni.ID)
	if id > 0 && id < len(t.byID) {
		if r := t.byID[id]; r != nil && r.node == n && len(r.vals) == len(t.keys) {
			return r
		}
	}
	r := t.row(n)
	if id > 0 {
		for id >= len(t.byID) {
			t.byID = append(t.byID, nil)
		}
		t.byID[id] = r
	}
	return r
}

// podGroups returns the snapshot's pod groups when the plugin can count
// with them: the snapshot groups its pods and nodes is its own node list.
// nodes nil means the snapshot's list.
func (pl *PodTopologySpread) podGroups(nodes []*framework.NodeInfo) ([]*framework.PodGroup, bool) {
	if pl.h == nil {
		return nil, false
	}
	lister := pl.h.SnapshotSharedLister()
	gl, ok := lister.(framework.PodGroupLister)
	if !ok {
		return nil, false
	}
	if nodes != nil {
		all := lister.List()
		if len(all) != len(nodes) || (len(all) > 0 && &all[0] != &nodes[0]) {
			return nil, false
		}
	}
	return gl.PodGroups(), true
}

// groupCounts reports whether the pods of group g count for a constraint
// with selector sel of a pod in namespace ns (countMatching's test).
func groupCounts(g *framework.PodGroup, sel *api.Selector, ns string) bool {
	return !g.Terminating && g.Namespace == ns && sel.Matches(g.Labels)
}

// listRows returns the rows of the list's nodes, aligned with it (nil where
// a NodeInfo has no node). The result is scratch space, valid until the
// next call.
func (t *topology) listRows(list []*framework.NodeInfo) []*nodeRow {
	for len(t.posRows) < len(list) {
		t.posNodes = append(t.posNodes, nil)
		t.posRows = append(t.posRows, nil)
	}
	if len(list) != t.listLen {
		t.listLen = len(list)
		t.listVersion++
	}
	rows := t.posRows[:len(list)]
	for i, ni := range list {
		n := ni.Node()
		switch {
		case n == nil:
			if rows[i] != nil {
				t.listVersion++
			}
			t.posNodes[i], rows[i] = nil, nil
		case t.posNodes[i] != n || len(rows[i].vals) != len(t.keys):
			t.posNodes[i], rows[i] = n, t.row(n)
			t.listVersion++
		}
	}
	return rows
}

// listRows is topology.listRows over nodes, without walking them when they
// are the snapshot's list and the snapshot says no label changed since the
// last walk (framework.NodeLabelsVersioner): the rows' value ids are then
// those a walk would find (a row may stand for an older node object with
// the same labels, which is all PreFilter and scoring read of it).
func (pl *PodTopologySpread) listRows(nodes []*framework.NodeInfo) []*nodeRow {
	t := &pl.topo
	var ver uint64
	ok := false
	if pl.h != nil {
		lister := pl.h.SnapshotSharedLister()
		if v, is := lister.(framework.NodeLabelsVersioner); is {
			all := lister.List()
			if len(all) == len(nodes) && (len(all) == 0 || &all[0] == &nodes[0]) {
				ver, ok = v.NodeLabelsVersion(), true
			}
		}
	}
	if ok && t.seen && t.seenVer == ver && t.seenKeys == len(t.keys) && t.listLen == len(nodes) {
		return t.posRows[:len(nodes)]
	}
	rows := t.listRows(nodes)
	t.seen, t.seenVer, t.seenKeys = ok, ver, len(t.keys)
	return rows
}

// valuesByID returns topology.idVals, brought up to date, when the snapshot
// lists its NodeInfos' IDs and versions its labels (framework.NodeTableLister
// and NodeLabelsVersioner); ok is false otherwise. The arrays are rebuilt
// only when the labels version or the interned keys change: the version
// changes whenever the list does, so a listed ID keeps its node's values.
func (pl *PodTopologySpread) valuesByID() (vals [][]int32, ok bool) {
	if pl.h == nil {
		return nil, false
	}
	lister := pl.h.SnapshotSharedLister()
	tl, isTable := lister.(framework.NodeTableLister)
	v, isVersioned := lister.(framework.NodeLabelsVersioner)
	if !isTable || !isVersioned {
		return nil, false
	}
	t := &pl.topo
	ver := v.NodeLabelsVersion()
	if t.idValsOK && t.idValsVer == ver && t.idValsKeys == len(t.keys) {
		return t.idVals, true
	}
	all := lister.List()
	rows := pl.listRows(all)
	ids := tl.ListIDs()
	size := int32(0)
	for _, id := range ids {
		size = max(size, id+1)
	}
	for len(t.idVals) < len(t.keys) {
		t.idVals = append(t.idVals, nil)
	}
	for k := range t.keys {
		vk := t.idVals[k]
		if int32(cap(vk)) < size {
			vk = make([]int32, size)
		}
		vk = vk[:size]
		for i := range vk {
			vk[i] = notListed
		}
		for i, r := range rows {
			if r != nil {
				vk[ids[i]] = r.vals[k]
			}
		}
		t.idVals[k] = vk
	}
	t.idValsOK, t.idValsVer, t.idValsKeys = true, ver, len(t.keys)
	return t.idVals, true
}

// constraint is one topology spread constraint compiled for one pod.
type constraint struct {
	key        int32 // topology key id
	hostname   bool  // the key is kubernetes.io/hostname
	maxSkew    int32
	minDomains int32
	selector   *api.Selector
	// counts caches the selector's per-node counts in the pod's namespace.
	counts *selectorCounts
	// honorAffinity and honorTaints are the inclusion policies.
	honorAffinity bool
	honorTaints   bool
	// selfMatch is 1 when the incoming pod matches the selector, else 0.
	selfMatch int32
}

// constraints compiles the pod's constraints with the given
// whenUnsatisfiable, or, when the pod declares none at all, the default
// constraints with that action and the deduced selector. It returns nil when
// there is nothing to enforce.
func (pl *PodTopologySpread) constraints(p *api.Pod, action string) []constraint {
	var out []constraint
	if own := p.Spec.TopologySpreadConstraints; len(own) > 0 {
		for i := range own {
			c := &own[i]
			if c.WhenUnsatisfiable != action {
				continue
			}
			out = append(out, pl.compile(c, withMatchLabelKeys(c.Selector, c.MatchLabelKeys, p.Labels), p))
		}
		return out
	}
	var sel *api.Selector
	for i := range pl.defaults {
		c := &pl.defaults[i]
		if c.WhenUnsatisfiable != action {
			continue
		}
		if sel == nil {
			if sel = pl.defaultSelector(p); len(sel.Requirements) == 0 {
				return nil
			}
		}
		out = append(out, pl.compile(c, sel, p))
	}
	return out
}

func (pl *PodTopologySpread) compile(c *api.TopologySpreadConstraint, sel *api.Selector, p *api.Pod) constraint {
	minDomains := c.MinDomains
	if minDomains <= 0 {
		minDomains = 1
	}
	out := constraint{
		key:           pl.topo.key(c.TopologyKey),
		hostname:      c.TopologyKey == api.LabelHostname,
		maxSkew:       c.MaxSkew,
		minDomains:    minDomains,
		selector:      sel,
		counts:        pl.counts.get(p.Namespace, sel),
		honorAffinity: c.NodeAffinityPolicy != policyIgnore,
		honorTaints:   c.NodeTaintsPolicy == policyHonor,
	}
	if sel.Matches(p.Labels) {
		out.selfMatch = 1
	}
	return out
}

// withMatchLabelKeys returns sel ANDed with "key In (value)" for every key
// of keys that the pod's labels have; sel itself when none applies. A nil
// sel (no labelSelector, matching nothing) contributes no requirement, as
// upstream's merge does.
func withMatchLabelKeys(sel *api.Selector, keys []string, podLabels map[string]string) *api.Selector {
	var reqs []api.Requirement
	for _, k := range keys {
		if v, ok := podLabels[k]; ok {
			reqs = append(reqs, api.Requirement{Key: k, Operator: api.OpIn, Values: []string{v}})
		}
	}
	if len(reqs) == 0 {
		return sel
	}
	if sel != nil {
		reqs = append(reqs, sel.Requirements...)
	}
	return &api.Selector{Requirements: reqs}
}

// defaultSelector deduces the selector of default constraints, as
// upstream's helper.DefaultSelector: the union of the selectors of the
// Services in the pod's namespace that select it, plus the selector of the
// ReplicaSet or StatefulSet named by its controller reference (looked up
// by namespace and name, as upstream's listers do). The result has no
// requirements when nothing selects the pod.
func (pl *PodTopologySpread) defaultSelector(p *api.Pod) *api.Selector {
	if pl.h == nil || pl.h.Store() == nil {
		return &api.Selector{}
	}
	st := pl.h.Store()
	var set map[string]string
	for _, svc := range st.Services.List(p.Namespace, nil) {
		if svc.Selector == nil || !svc.Selector.Matches(p.Labels) {
			continue
		}
		if set == nil {
			set = map[string]string{}
		}
		for _, r := range svc.Selector.Requirements {
			if len(r.Values) == 1 {
				set[r.Key] = r.Values[0]
			}
		}
	}
	sel := api.SelectorFromMap(set)
	ref := p.ControllerRef()
	if ref == nil {
		return sel
	}
	var owner *api.Selector
	switch ref.Kind {
	case api.KindReplicaSet:
		if rs, ok := st.ReplicaSets.Get(p.Namespace, ref.Name); ok {
			owner = rs.Selector
		}
	case api.KindStatefulSet:
		if ss, ok := st.StatefulSets.Get(p.Namespace, ref.Name); ok {
			owner = ss.Selector
		}
	}
	if owner != nil {
		sel.Requirements = append(sel.Requirements, owner.Requirements...)
	}
	return sel
}

// inclusion evaluates, at most once per node, whether the node passes the
// incoming pod's node affinity (nodeSelector and required terms) and its
// tolerations of NoSchedule/NoExecute taints, for the inclusion policies.
type inclusion struct {
	pod                     *api.Pod
	node                    *api.Node
	affinity, taints        bool
	haveAffinity, haveTaint bool
	// anyNode: the pod has no node affinity, every node passes it.
	anyNode bool
}

func newInclusion(p *api.Pod) inclusion {
	in := inclusion{pod: p}
	if len(p.Spec.NodeSelector) == 0 && (p.Spec.Affinity == nil || p.Spec.Affinity.NodeRequired == nil) {
		// Every node matches: no need to look at any.
		in.affinity, in.haveAffinity, in.anyNode = true, true, true
	}
	return in
}

// reset starts evaluating a new node.
func (in *inclusion) reset(n *api.Node) {
	in.node, in.haveAffinity, in.haveTaint = n, in.anyNode, false
}

// passes reports whether the node counts for constraint c.
func (in *inclusion) passes(c *constraint) bool {
	if c.honorAffinity {
		if !in.haveAffinity {
			in.affinity, in.haveAffinity = matchesNodeAffinity(in.pod, in.node), true
		}
		if !in.affinity {
			return false
		}
	}
	if c.honorTaints {
		if !in.haveTaint {
			in.taints, in.haveTaint = toleratesNode(in.pod, in.node), true
		}
		if !in.taints {
			return false
		}
	}
	return true
}

// matchesNodeAffinity reports whether the node satisfies the pod's
// nodeSelector and required node affinity.
func matchesNodeAffinity(p *api.Pod, n *api.Node) bool {
	if len(p.Spec.NodeSelector) > 0 {
		for k, v := range p.Spec.NodeSelector {
			if lv, ok := n.Labels[k]; !ok || lv != v {
				return false
			}
		}
	}
	if p.Spec.Affinity == nil {
		return true
	}
	return p.Spec.Affinity.NodeRequired.Matches(n.Name, n.Labels)
}

// toleratesNode reports whether the pod tolerates every NoSchedule and
// NoExecute taint of the node.
func toleratesNode(p *api.Pod, n *api.Node) bool {
	for i := range n.Taints {
		t := &n.Taints[i]
		if (t.Effect == api.TaintNoSchedule || t.Effect == api.TaintNoExecute) && !api.Tolerates(p.Spec.Tolerations, t) {
			return false
		}
	}
	return true
}

// hasAllKeys reports whether a node row has a value for every constraint's key.
func hasAllKeys(row *nodeRow, cons []constraint) bool {
	for i := range cons {
		if row.vals[cons[i].key] == noValue {
			return false
		}
	}
	return true
}

// countMatching counts the node's pods in namespace ns that are not
// terminating and match sel.
func countMatching(ni *framework.NodeInfo, sel *api.Selector, ns string) int32 {
	var n int32
	for _, pi := range ni.Pods {
		q := pi.Pod
		if q.Namespace != ns || q.DeletionTimestamp != nil {
			continue
		}
		if sel.Matches(q.Labels) {
			n++
		}
	}
	return n
}
