package podtopologyspread

import (
	"testing"

	configv1 "k8s.io/kube-scheduler/config/v1"

	"github.com/kubesim/kubesim/scheduler/framework"
	tu "github.com/kubesim/kubesim/scheduler/plugins/internal/testutil"
	"github.com/kubesim/kubesim/sim"
	"github.com/kubesim/kubesim/sim/api"
)

// Label keys used by the fixtures.
const (
	zone = api.LabelZone
	host = api.LabelHostname
)

// labels builds a label map from key, value pairs.
func labels(kv ...string) map[string]string {
	m := make(map[string]string, len(kv)/2)
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return m
}

// sel is a matchLabels selector.
func sel(kv ...string) *api.Selector { return api.SelectorFromMap(labels(kv...)) }

// mkPod returns a pod in namespace "default" with labels, bound to node
// (empty: pending); opts adjust it after its spec is compiled.
func mkPod(name, node string, lbls map[string]string, opts ...func(*api.Pod)) *api.Pod {
	p := tu.MakePod().Name(name).NodeName(node).Req(100, 100*tu.Mi).Obj()
	p.Labels = lbls
	for _, o := range opts {
		o(p)
	}
	return p
}

// withSpread sets the pod's topology spread constraints.
func withSpread(cs ...api.TopologySpreadConstraint) func(*api.Pod) {
	return func(p *api.Pod) { p.Spec.TopologySpreadConstraints = cs }
}

func inNamespace(ns string) func(*api.Pod) { return func(p *api.Pod) { p.Namespace = ns } }

func terminating(p *api.Pod) { t := sim.Time(1); p.DeletionTimestamp = &t }

func ownedBy(kind api.Kind, name string) func(*api.Pod) {
	return func(p *api.Pod) {
		p.OwnerReferences = []api.OwnerReference{{Kind: kind, Name: name, UID: api.UID("uid-" + name), Controller: true}}
	}
}

// spread is a constraint with upstream defaults (minDomains 1, Honor/Ignore).
func spread(maxSkew int32, key, when string, s *api.Selector, opts ...func(*api.TopologySpreadConstraint)) api.TopologySpreadConstraint {
	c := api.TopologySpreadConstraint{MaxSkew: maxSkew, TopologyKey: key, WhenUnsatisfiable: when, Selector: s,
		MinDomains: 1, NodeAffinityPolicy: policyHonor, NodeTaintsPolicy: policyIgnore}
	for _, o := range opts {
		o(&c)
	}
	return c
}

func minDomains(n int32) func(*api.TopologySpreadConstraint) {
	return func(c *api.TopologySpreadConstraint) { c.MinDomains = n }
}

func affinityPolicy(p string) func(*api.TopologySpreadConstraint) {
	return func(c *api.TopologySpreadConstraint) { c.NodeAffinityPolicy = p }
}

func taintsPolicy(p string) func(*api.TopologySpreadConstraint) {
	return func(c *api.TopologySpreadConstraint) { c.NodeTaintsPolicy = p }
}

func matchLabelKeys(keys ...string) func(*api.TopologySpreadConstraint) {
	return func(c *api.TopologySpreadConstraint) { c.MatchLabelKeys = keys }
}

// mkNode returns a node with the hostname label and extra labels.
func mkNode(name string, kv ...string) *tu.NodeWrapper {
	w := tu.MakeNode().Name(name).Alloc(4000, 16*tu.Gi)
	for i := 0; i+1 < len(kv); i += 2 {
		w = w.Label(kv[i], kv[i+1])
	}
	return w
}

// cluster builds NodeInfos for nodes, placing each pod on the node it names.
func cluster(nodes []*api.Node, pods []*api.Pod) []*framework.NodeInfo {
	out := make([]*framework.NodeInfo, len(nodes))
	for i, n := range nodes {
		out[i] = tu.NodeInfo(n)
		for _, p := range pods {
			if p.NodeName == n.Name {
				out[i].AddPod(p)
			}
		}
	}
	return out
}

// newPlugin builds the plugin over a handle listing nodes.
func newPlugin(t *testing.T, args *configv1.PodTopologySpreadArgs, h *tu.Handle, nodes []*framework.NodeInfo) *PodTopologySpread {
	t.Helper()
	if h == nil {
		h = tu.NewHandle()
	}
	h.Nodes = nodes
	var a any
	if args != nil {
		a = args
	}
	pl, err := New(a, h)
	if err != nil {
		t.Fatal(err)
	}
	return pl.(*PodTopologySpread)
}

// scoreAll runs PreScore, Score and NormalizeScore over filtered; it returns
// the raw and the normalised scores (nil, nil on Skip).
func scoreAll(t *testing.T, pl *PodTopologySpread, p *api.Pod, filtered []*framework.NodeInfo) (raw, norm []int64) {
	t.Helper()
	state := framework.NewCycleState()
	st := pl.PreScore(state, p, filtered)
	if st.IsSkip() {
		return nil, nil
	}
	if !st.IsSuccess() {
		t.Fatalf("PreScore: %v", st.Message())
	}
	scores := make([]framework.NodeScore, len(filtered))
	for i, ni := range filtered {
		s, st := pl.Score(state, p, ni)
		if !st.IsSuccess() {
			t.Fatalf("Score(%s): %v", ni.Name(), st.Message())
		}
		scores[i] = framework.NodeScore{Name: ni.Name(), Score: s}
		raw = append(raw, s)
	}
	if st := pl.NormalizeScore(state, p, scores); !st.IsSuccess() {
		t.Fatalf("NormalizeScore: %v", st.Message())
	}
	for _, s := range scores {
		norm = append(norm, s.Score)
	}
	return raw, norm
}
