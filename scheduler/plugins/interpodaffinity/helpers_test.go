package interpodaffinity

import (
	"testing"

	"github.com/kubesim/kubesim/scheduler/framework"
	"github.com/kubesim/kubesim/scheduler/plugins/internal/testutil"
	"github.com/kubesim/kubesim/sim/api"
)

const (
	zoneKey = api.LabelZone
	hostKey = api.LabelHostname
)

func newPlugin(t *testing.T, args any, h framework.Handle) *InterPodAffinity {
	t.Helper()
	pl, err := New(args, h)
	if err != nil {
		t.Fatal(err)
	}
	return pl.(*InterPodAffinity)
}

// pod is a test pod under construction: a name, a namespace, labels and
// pod (anti-)affinity terms.
type pod struct {
	name, ns string
	labels   map[string]string
	aff      *api.Affinity
}

func mkPod(name string, labels ...string) *pod {
	p := &pod{name: name, ns: "default", labels: map[string]string{}}
	for i := 0; i+1 < len(labels); i += 2 {
		p.labels[labels[i]] = labels[i+1]
	}
	return p
}

func (p *pod) in(ns string) *pod { p.ns = ns; return p }

func (p *pod) affinity() *api.Affinity {
	if p.aff == nil {
		p.aff = &api.Affinity{}
	}
	return p.aff
}

func podAff(pa **api.PodAffinity) *api.PodAffinity {
	if *pa == nil {
		*pa = &api.PodAffinity{}
	}
	return *pa
}

func (p *pod) reqAff(terms ...api.PodAffinityTerm) *pod {
	a := podAff(&p.affinity().PodAffinity)
	a.Required = append(a.Required, terms...)
	return p
}

func (p *pod) reqAnti(terms ...api.PodAffinityTerm) *pod {
	a := podAff(&p.affinity().PodAnti)
	a.Required = append(a.Required, terms...)
	return p
}

func (p *pod) prefAff(w int32, term api.PodAffinityTerm) *pod {
	a := podAff(&p.affinity().PodAffinity)
	a.Preferred = append(a.Preferred, api.WeightedPodAffinityTerm{Weight: w, Term: term})
	return p
}

func (p *pod) prefAnti(w int32, term api.PodAffinityTerm) *pod {
	a := podAff(&p.affinity().PodAnti)
	a.Preferred = append(a.Preferred, api.WeightedPodAffinityTerm{Weight: w, Term: term})
	return p
}

// on returns the pod bound to node.
func (p *pod) on(node string) *api.Pod {
	o := p.obj()
	o.NodeName = node
	return o
}

func (p *pod) obj() *api.Pod {
	o := testutil.MakePod().Name(p.name).Namespace(p.ns).Req(100, 100*testutil.Mi).Obj()
	o.Labels = p.labels
	o.Spec.Affinity = p.aff
	return o
}

// term is a pod affinity term selecting pods with key=value in the owning
// pod's namespace, over topology key tk.
func term(tk, key, value string) api.PodAffinityTerm {
	return api.PodAffinityTerm{Selector: api.SelectorFromMap(map[string]string{key: value}), TopologyKey: tk}
}

// withNamespaces sets the term's namespaces.
func withNamespaces(t api.PodAffinityTerm, ns ...string) api.PodAffinityTerm {
	t.Namespaces = ns
	return t
}

// withNamespaceSelector sets the term's namespace selector (nil map: the
// empty selector, selecting all namespaces).
func withNamespaceSelector(t api.PodAffinityTerm, labels map[string]string) api.PodAffinityTerm {
	t.NamespaceSelector = api.SelectorFromMap(labels)
	return t
}

// node returns a node named name with a hostname label and, when zone is
// non-empty, a zone label.
func node(name, zone string) *api.Node {
	w := testutil.MakeNode().Name(name).Alloc(4000, 8*testutil.Gi)
	if zone != "" {
		w = w.Label(zoneKey, zone)
	}
	return w.Obj()
}

// cluster builds a handle whose snapshot holds nodes with pods placed by
// their NodeName, plus namespaces with labels.
func cluster(t *testing.T, nodes []*api.Node, pods []*api.Pod, namespaces map[string]map[string]string) *testutil.Handle {
	t.Helper()
	h := testutil.NewHandle()
	for _, name := range api.SortedKeys(namespaces) {
		ns := &api.Namespace{ObjectMeta: api.ObjectMeta{Name: name, Labels: namespaces[name]}}
		if _, err := h.St.Namespaces.Create("test", ns, "Test"); err != nil {
			t.Fatal(err)
		}
	}
	for _, n := range nodes {
		ni := testutil.NodeInfo(n)
		for _, p := range pods {
			if p.NodeName == n.Name {
				ni.AddPod(p)
			}
		}
		h.Nodes = append(h.Nodes, ni)
	}
	return h
}

// scoreNodes runs PreScore, Score and NormalizeScore over nodes as the
// scheduler does; a skipped PreScore scores every node 0.
func scoreNodes(t *testing.T, pl *InterPodAffinity, state *framework.CycleState, p *api.Pod, nodes []*framework.NodeInfo) []framework.NodeScore {
	t.Helper()
	scores := make([]framework.NodeScore, len(nodes))
	for i, ni := range nodes {
		scores[i].Name = ni.Name()
	}
	st := pl.PreScore(state, p, nodes)
	if st.IsSkip() {
		return scores
	}
	if !st.IsSuccess() {
		t.Fatalf("PreScore: %v", st.Message())
	}
	for i, ni := range nodes {
		s, st := pl.Score(state, p, ni)
		if !st.IsSuccess() {
			t.Fatalf("Score %s: %v", ni.Name(), st.Message())
		}
		scores[i].Score = s
	}
	if st := pl.NormalizeScore(state, p, scores); !st.IsSuccess() {
		t.Fatalf("NormalizeScore: %v", st.Message())
	}
	return scores
}

// indexedHandle is a handle whose snapshot implements
// framework.AffinityNodeLister.
type indexedHandle struct {
	*testutil.Handle
}

func (h indexedHandle) SnapshotSharedLister() framework.NodeInfoLister {
	return indexedLister{h.Handle.SnapshotSharedLister()}
}

type indexedLister struct {
	framework.NodeInfoLister
}

func (l indexedLister) HavePodsWithAffinityList() []*framework.NodeInfo {
	var out []*framework.NodeInfo
	for _, ni := range l.List() {
		if len(ni.PodsWithAffinity) > 0 {
			out = append(out, ni)
		}
	}
	return out
}

func (l indexedLister) HavePodsWithRequiredAntiAffinityList() []*framework.NodeInfo {
	var out []*framework.NodeInfo
	for _, ni := range l.List() {
		if len(ni.PodsWithRequiredAntiAffinity) > 0 {
			out = append(out, ni)
		}
	}
	return out
}
