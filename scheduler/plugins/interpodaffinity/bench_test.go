package interpodaffinity

import (
	"strconv"
	"testing"

	"github.com/kubesim/kubesim/scheduler/framework"
	"github.com/kubesim/kubesim/scheduler/plugins/internal/testutil"
	"github.com/kubesim/kubesim/sim/api"
)

// benchCluster is 5 000 nodes in 10 zones with 10 pods each (apps a0..a49,
// every tenth pod with required anti-affinity by hostname against its own
// app) and a pod with required anti-affinity by hostname and preferred
// affinity by zone.
func benchCluster(b *testing.B) (*testutil.Handle, *api.Pod) {
	h := testutil.NewHandle()
	for i := range 5000 {
		n := node("n"+strconv.Itoa(i), "z"+strconv.Itoa(i%10))
		ni := testutil.NodeInfo(n)
		for j := range 10 {
			app := "a" + strconv.Itoa((i*10+j)%50)
			p := mkPod("p-"+strconv.Itoa(i)+"-"+strconv.Itoa(j), "app", app)
			if j == 0 {
				p = p.reqAnti(term(hostKey, "app", app))
			}
			ni.AddPod(p.on(n.Name))
		}
		h.Nodes = append(h.Nodes, ni)
	}
	p := mkPod("web", "app", "a7").reqAnti(term(hostKey, "app", "a7")).prefAff(10, term(zoneKey, "app", "a3")).obj()
	return h, p
}

// BenchmarkCycle measures one cycle of the plugin: PreFilter over all nodes,
// Filter on 500 of them, PreScore, Score and NormalizeScore on those 500.
func BenchmarkCycle(b *testing.B) {
	h, p := benchCluster(b)
	pl, err := New(nil, h)
	if err != nil {
		b.Fatal(err)
	}
	ipa := pl.(*InterPodAffinity)
	feasible := h.Nodes[:500]
	scores := make([]framework.NodeScore, len(feasible))
	b.ReportAllocs()
	for b.Loop() {
		state := framework.NewCycleState()
		ipa.PreFilter(state, p, h.Nodes)
		for _, ni := range feasible {
			ipa.Filter(state, p, ni)
		}
		ipa.PreScore(state, p, feasible)
		for i, ni := range feasible {
			scores[i].Score, _ = ipa.Score(state, p, ni)
		}
		ipa.NormalizeScore(state, p, scores)
	}
}

// TestNoAllocsPerNode checks that Filter and Score do not allocate.
func TestNoAllocsPerNode(t *testing.T) {
	h := cluster(t, fourNodes(), []*api.Pod{
		mkPod("db", "app", "db").reqAnti(term(zoneKey, "app", "web")).on("n3"),
		mkPod("web-1", "app", "web").on("n1"),
	}, nil)
	p := mkPod("web-0", "app", "web").reqAff(term(zoneKey, "app", "web")).reqAnti(term(hostKey, "app", "web")).
		prefAff(3, term(zoneKey, "app", "web")).obj()
	pl := newPlugin(t, nil, h)
	state := framework.NewCycleState()
	if _, st := pl.PreFilter(state, p, h.Nodes); !st.IsSuccess() {
		t.Fatal(st.Message())
	}
	if st := pl.PreScore(state, p, h.Nodes); !st.IsSuccess() {
		t.Fatal(st.Message())
	}
	ni := h.Nodes[1]
	if n := testing.AllocsPerRun(100, func() { pl.Filter(state, p, ni) }); n != 0 {
		t.Errorf("Filter allocates %v times", n)
	}
	if n := testing.AllocsPerRun(100, func() { pl.Score(state, p, ni) }); n != 0 {
		t.Errorf("Score allocates %v times", n)
	}
}

// BenchmarkPlainPod measures the plugin's whole cycle for a pod without pod
// affinity on 5 000 nodes of 10 plain pods each, one node in 100 holding a
// pod with required anti-affinity that does not match it.
func BenchmarkPlainPod(b *testing.B) {
	h := testutil.NewHandle()
	for i := range 5000 {
		n := node("n"+strconv.Itoa(i), "z"+strconv.Itoa(i%10))
		ni := testutil.NodeInfo(n)
		for j := range 10 {
			p := mkPod("p-"+strconv.Itoa(i)+"-"+strconv.Itoa(j), "app", "a"+strconv.Itoa(j))
			if j == 0 && i%100 == 0 {
				p = p.reqAnti(term(hostKey, "app", "db"))
			}
			ni.AddPod(p.on(n.Name))
		}
		h.Nodes = append(h.Nodes, ni)
	}
	p := mkPod("web", "app", "web").obj()
	l := indexedLister{h.SnapshotSharedLister()}
	static := staticHandle{Handle: h, withAffinity: l.HavePodsWithAffinityList(), withAnti: l.HavePodsWithRequiredAntiAffinityList()}
	for _, bc := range []struct {
		name string
		h    framework.Handle
	}{{"scan", h}, {"AffinityNodeLister", static}} {
		b.Run(bc.name, func(b *testing.B) {
			pl, err := New(nil, bc.h)
			if err != nil {
				b.Fatal(err)
			}
			ipa := pl.(*InterPodAffinity)
			b.ReportAllocs()
			for b.Loop() {
				state := framework.NewCycleState()
				ipa.PreFilter(state, p, h.Nodes)
				ipa.PreScore(state, p, h.Nodes[:500])
			}
		})
	}
}

// staticHandle is a handle whose snapshot returns precomputed
// AffinityNodeLister lists, as a cache maintaining them would.
type staticHandle struct {
	*testutil.Handle
	withAffinity, withAnti []*framework.NodeInfo
}

func (h staticHandle) SnapshotSharedLister() framework.NodeInfoLister {
	return staticLister{h.Handle.SnapshotSharedLister(), h}
}

type staticLister struct {
	framework.NodeInfoLister
	h staticHandle
}

func (l staticLister) HavePodsWithAffinityList() []*framework.NodeInfo { return l.h.withAffinity }

func (l staticLister) HavePodsWithRequiredAntiAffinityList() []*framework.NodeInfo {
	return l.h.withAnti
}
