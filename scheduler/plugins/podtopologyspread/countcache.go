package podtopologyspread

import (
	"strings"

	"github.com/kubesim/kubesim/scheduler/framework"
	"github.com/kubesim/kubesim/sim/api"
)

// maxCachedSelectors bounds the count cache; the least recently used
// selector is dropped beyond it.
const maxCachedSelectors = 64

// countCache remembers, per (namespace, selector), how many pods of each
// node match, so that a pod of a workload that was just scheduled does not
// make the next one recount every pod of every node. An entry is valid for
// one NodeInfo (by identity) at one Generation: NodeInfo.Generation changes
// whenever a pod is added or removed (a changed pod is removed and added
// again), and clones are other NodeInfos. It is a pure cache: results are
// the same with or without it.
type countCache struct {
	entries map[string]*selectorCounts
	tick    uint64
}

// selectorCounts holds one selector's per-node counts, indexed by the
// node's topology slot.
type selectorCounts struct {
	ns    string
	sel   *api.Selector
	nodes []cachedCount
	used  uint64
}

type cachedCount struct {
	ni  *framework.NodeInfo
	gen int64
	n   int32
}

func newCountCache() countCache { return countCache{entries: map[string]*selectorCounts{}} }

// get returns the counts of sel in namespace ns (nil for a nil selector,
// which matches nothing).
func (c *countCache) get(ns string, sel *api.Selector) *selectorCounts {
	if sel == nil {
		return nil
	}
	key := selectorKey(ns, sel)
	c.tick++
	if e := c.entries[key]; e != nil {
		e.used = c.tick
		return e
	}
	if len(c.entries) >= maxCachedSelectors {
		var oldest string
		at := c.tick
		for k, e := range c.entries {
			// Ticks are unique, so map order cannot matter.
			if e.used < at {
				oldest, at = k, e.used
			}
		}
		delete(c.entries, oldest)
	}
	e := &selectorCounts{ns: ns, sel: sel, used: c.tick}
	c.entries[key] = e
	return e
}

// selectorKey spells a namespace and a selector's requirements, in order.
func selectorKey(ns string, sel *api.Selector) string {
	var b strings.Builder
	b.WriteString(ns)
	for _, r := range sel.Requirements {
		b.WriteByte(0)
		b.WriteString(r.Key)
		b.WriteByte(1)
		b.WriteString(string(r.Operator))
		for _, v := range r.Values {
			b.WriteByte(1)
			b.WriteString(v)
		}
	}
	return b.String()
}

// count returns the number of the node's pods in the namespace that are not
// terminating and match the selector, from the cache when still valid.
func (s *selectorCounts) count(ni *framework.NodeInfo, slot int32) int32 {
	if s == nil {
		return 0
	}
	if int(slot) >= len(s.nodes) {
		n := max(int(slot)+1, 2*len(s.nodes), 64)
		s.nodes = append(s.nodes, make([]cachedCount, n-len(s.nodes))...)
	}
	e := &s.nodes[slot]
	if e.ni == ni && e.gen == ni.Generation {
		return e.n
	}
	n := countMatching(ni, s.sel, s.ns)
	*e = cachedCount{ni: ni, gen: ni.Generation, n: n}
	return n
}
