package scheduler

import (
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/kubesim/kubesim/sim/api"
)

func withImages(n *api.Node, imgs ...api.ContainerImage) *api.Node {
	c := n.Clone()
	c.Images = imgs
	return c
}

func img(size int64, names ...string) api.ContainerImage {
	return api.ContainerImage{Names: names, SizeBytes: size}
}

// imageStates renders the cache's cluster-wide image summaries, sorted.
func imageStates(c *Cache) string {
	var out []string
	for name, st := range c.images {
		out = append(out, fmt.Sprintf("%s=%d/%d", name, st.Size, st.NumNodes))
	}
	sort.Strings(out)
	return strings.Join(out, " ")
}

// nodeImages renders one node's image states, sorted; each must point at the
// cache's summary for the name.
func nodeImages(t *testing.T, c *Cache, name string) string {
	t.Helper()
	ni := c.NodeInfo(name)
	if ni == nil {
		return "<none>"
	}
	var out []string
	for n, st := range ni.ImageStates {
		if c.images[n] != st {
			t.Errorf("node %s: state of %s is not the cache's", name, n)
		}
		out = append(out, fmt.Sprintf("%s=%d/%d", n, st.Size, st.NumNodes))
	}
	sort.Strings(out)
	return strings.Join(out, " ")
}

func TestCacheImageStates(t *testing.T) {
	c := NewCache()
	a := withImages(makeNode("a", "", 1000, gi),
		img(300, "docker.io/library/nginx@sha256:1", "docker.io/library/nginx:1.25"),
		img(50, "registry.k8s.io/pause:3.10"))
	b := withImages(makeNode("b", "", 1000, gi),
		img(301, "docker.io/library/nginx:1.25"), // same name, another size
		img(70, "busybox:1.36", "busybox:1.36"))  // a name listed twice counts once
	c.AddNode(a)
	c.AddNode(b)
	c.AddNode(makeNode("c", "", 1000, gi)) // no images

	// Sizes come from the first node listing the name; names are kept as
	// listed (no normalisation).
	if got, want := imageStates(c), "busybox:1.36=70/1 docker.io/library/nginx:1.25=300/2 docker.io/library/nginx@sha256:1=300/1 registry.k8s.io/pause:3.10=50/1"; got != want {
		t.Fatalf("after adds:\n got %s\nwant %s", got, want)
	}
	if got, want := nodeImages(t, c, "b"), "busybox:1.36=70/1 docker.io/library/nginx:1.25=300/2"; got != want {
		t.Fatalf("node b: %s, want %s", got, want)
	}
	if ni, _ := c.Get("c"); ni.ImageStates != nil {
		t.Fatalf("node without images has states %v", ni.ImageStates)
	}

	// An update that keeps the Images slice changes nothing; the node's map
	// is the same one.
	before := c.NodeInfo("a").ImageStates
	a2 := a.Clone()
	a2.Unschedulable = true
	c.UpdateNode(a2)
	if fmt.Sprintf("%p", c.NodeInfo("a").ImageStates) != fmt.Sprintf("%p", before) || imageStates(c) != "busybox:1.36=70/1 docker.io/library/nginx:1.25=300/2 docker.io/library/nginx@sha256:1=300/1 registry.k8s.io/pause:3.10=50/1" {
		t.Fatalf("unchanged images rebuilt: %s", imageStates(c))
	}

	// An update with new images: pause is forgotten (no node lists it), redis
	// arrives, nginx stays on two nodes with its first size.
	a3 := withImages(a2, img(310, "docker.io/library/nginx:1.25"), img(120, "redis:7"))
	c.UpdateNode(a3)
	if got, want := imageStates(c), "busybox:1.36=70/1 docker.io/library/nginx:1.25=300/2 redis:7=120/1"; got != want {
		t.Fatalf("after update:\n got %s\nwant %s", got, want)
	}
	if got, want := nodeImages(t, c, "a"), "docker.io/library/nginx:1.25=300/2 redis:7=120/1"; got != want {
		t.Fatalf("node a: %s, want %s", got, want)
	}
	// The summaries are shared and current: b sees nginx on two nodes.
	if st := c.NodeInfo("b").ImageStates["docker.io/library/nginx:1.25"]; st.NumNodes != 2 {
		t.Fatalf("node b sees nginx on %d nodes", st.NumNodes)
	}

	// Removing a node (even one that keeps pods as a node-less info) takes
	// it out of the counts.
	p := makePod("p", 100, gi)
	p.NodeName = "a"
	c.AddPod(p)
	c.RemoveNode("a")
	if got, want := imageStates(c), "busybox:1.36=70/1 docker.io/library/nginx:1.25=300/1"; got != want {
		t.Fatalf("after removing a:\n got %s\nwant %s", got, want)
	}
	if ni := c.NodeInfo("a"); ni == nil || ni.ImageStates != nil {
		t.Fatalf("node-less info of a: %+v", ni)
	}
	// Once the first reporter is gone the size stays until no node lists the
	// name; then a new reporter sets it afresh.
	c.RemoveNode("b")
	if got := imageStates(c); got != "" {
		t.Fatalf("after removing b: %q, want none", got)
	}
	c.AddNode(a3)
	if got, want := nodeImages(t, c, "a"), "docker.io/library/nginx:1.25=310/1 redis:7=120/1"; got != want {
		t.Fatalf("re-added a: %s, want %s", got, want)
	}
}

// TestCacheImageStatesClone checks that a NodeInfo clone (preemption dry
// runs) shares the read-only image states.
func TestCacheImageStatesClone(t *testing.T) {
	c := NewCache()
	c.AddNode(withImages(makeNode("a", "", 1000, gi), img(5, "x:1")))
	ni, _ := c.Get("a")
	cl := ni.Clone()
	cl.AddPod(makePod("p", 1, 1))
	if got := cl.ImageStates["x:1"]; got == nil || got != ni.ImageStates["x:1"] {
		t.Fatalf("clone image state %+v", got)
	}
}
