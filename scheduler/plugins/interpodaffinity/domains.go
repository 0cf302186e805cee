package interpodaffinity

import (
	"github.com/kubesim/kubesim/scheduler/framework"
	"github.com/kubesim/kubesim/sim/api"
)

// noValue is the value id of a node that lacks a topology key.
const noValue int32 = -1

// domainIndex interns topology keys and, per key, label values into dense
// ids, and remembers each node's value ids, so that counting and looking up
// a topology domain indexes slices instead of hashing label strings. It
// lives as long as the plugin; a node object is immutable (an update
// replaces it), so a remembered row is valid while the node object is the
// same.
type domainIndex struct {
	keyIdx map[string]int32
	keys   []string
	values []map[string]int32 // per key id
	// byID holds the rows of NodeInfos with an ID (the scheduler cache's);
	// byNode those of others, dropped when it grows large.
	byID   []domainRow
	byNode map[*api.Node]*domainRow
}

// domainRow is one node object's value id per key id (noValue: no label).
type domainRow struct {
	node *api.Node
	vals []int32
}

// maxRowsByNode bounds byNode.
const maxRowsByNode = 4096

func newDomainIndex() *domainIndex {
	return &domainIndex{keyIdx: map[string]int32{}, byNode: map[*api.Node]*domainRow{}}
}

// key returns the id of topology key k, interning it.
func (d *domainIndex) key(k string) int32 {
	if id, ok := d.keyIdx[k]; ok {
		return id
	}
	id := int32(len(d.keys))
	d.keyIdx[k] = id
	d.keys = append(d.keys, k)
	d.values = append(d.values, map[string]int32{})
	return id
}

// row returns the row of ni's node (which must be set), filled for every
// key interned so far.
func (d *domainIndex) row(ni *framework.NodeInfo, n *api.Node) *domainRow {
	var r *domainRow
	if id := int(ni.ID); id > 0 {
		for id >= len(d.byID) {
			d.byID = append(d.byID, domainRow{})
		}
		r = &d.byID[id]
	} else {
		if r = d.byNode[n]; r == nil {
			if len(d.byNode) >= maxRowsByNode {
				clear(d.byNode)
			}
			r = &domainRow{}
			d.byNode[n] = r
		}
	}
	if r.node != n {
		r.node, r.vals = n, r.vals[:0]
	}
	for k := len(r.vals); k < len(d.keys); k++ {
		v, ok := n.Labels[d.keys[k]]
		if !ok {
			r.vals = append(r.vals, noValue)
			continue
		}
		vals := d.values[k]
		id, ok := vals[v]
		if !ok {
			id = int32(len(vals))
			vals[v] = id
		}
		r.vals = append(r.vals, id)
	}
	return r
}

// value returns ni's value id for key id k (noValue when it lacks the key).
func (d *domainIndex) value(ni *framework.NodeInfo, n *api.Node, k int32) int32 {
	if id := int(ni.ID); id > 0 && id < len(d.byID) {
		if r := &d.byID[id]; r.node == n && int(k) < len(r.vals) {
			return r.vals[k]
		}
	}
	return d.row(ni, n).vals[k]
}
