package podtopologyspread

import (
	"encoding/json"
	"os"
	"testing"

	"github.com/kubesim/kubesim/scheduler/framework"
	tu "github.com/kubesim/kubesim/scheduler/plugins/internal/testutil"
	"github.com/kubesim/kubesim/sim/api"
	"github.com/kubesim/kubesim/workloads"
)

// expected is the part of a case's expected.json this test reads.
type expected struct {
	Nodes map[string]struct {
		Feasible bool             `json:"feasible"`
		Plugin   string           `json:"plugin"`
		Scores   map[string]int64 `json:"scores"`
	} `json:"nodes"`
}

// TestFidelityCases replays the copied upstream cases (testdata/README.md):
// nodes upstream rejected with PodTopologySpread must fail Filter, feasible
// nodes must pass, and over the feasible nodes 2 × the normalized score must
// equal upstream's weighted PodTopologySpread score.
func TestFidelityCases(t *testing.T) {
	for _, c := range []string{"case-0100", "case-0175"} {
		t.Run(c, func(t *testing.T) {
			objs, err := workloads.LoadFile("testdata/" + c + ".yaml")
			if err != nil {
				t.Fatal(err)
			}
			raw, err := os.ReadFile("testdata/" + c + ".expected.json")
			if err != nil {
				t.Fatal(err)
			}
			var exp expected
			if err := json.Unmarshal(raw, &exp); err != nil {
				t.Fatal(err)
			}
			h := tu.NewHandle()
			var nodes []*framework.NodeInfo
			byName := map[string]*framework.NodeInfo{}
			var pending *api.Pod
			var bound []*api.Pod
			for _, o := range objs {
				var err error
				switch v := o.(type) {
				case *api.Namespace:
					if _, ok := h.St.Namespaces.Get("", v.Name); !ok {
						_, err = h.St.Namespaces.Create("test", v, "test")
					}
				case *api.Service:
					_, err = h.St.Services.Create("test", v, "test")
				case *api.ReplicaSet:
					_, err = h.St.ReplicaSets.Create("test", v, "test")
				case *api.StatefulSet:
					_, err = h.St.StatefulSets.Create("test", v, "test")
				case *api.Node:
					ni := tu.NodeInfo(v)
					nodes = append(nodes, ni)
					byName[v.Name] = ni
				case *api.Pod:
					if v.NodeName == "" {
						pending = v
					} else if !v.IsTerminal() { // terminal pods never reach the cache
						bound = append(bound, v)
					}
				}
				if err != nil {
					t.Fatal(err)
				}
			}
			for _, p := range bound {
				byName[p.NodeName].AddPod(p)
			}
			pl := newPlugin(t, nil, h, nodes)

			state := framework.NewCycleState()
			_, st := pl.PreFilter(state, pending, nodes)
			var feasible []*framework.NodeInfo
			for _, ni := range nodes {
				e := exp.Nodes[ni.Name()]
				if e.Feasible {
					feasible = append(feasible, ni)
				}
				if st.IsSkip() {
					if e.Plugin == Name {
						t.Errorf("%s: PreFilter skipped, upstream rejected with %s", ni.Name(), Name)
					}
					continue
				}
				fs := pl.Filter(state, pending, ni)
				if e.Plugin == Name && fs.IsSuccess() {
					t.Errorf("%s: Filter passed, upstream rejected", ni.Name())
				}
				if e.Feasible && !fs.IsSuccess() {
					t.Errorf("%s: Filter %q, upstream feasible", ni.Name(), fs.Message())
				}
			}
			if len(feasible) < 2 {
				t.Fatalf("only %d feasible nodes", len(feasible))
			}
			_, norm := scoreAll(t, pl, pending, feasible)
			for i, ni := range feasible {
				if got, want := 2*norm[i], exp.Nodes[ni.Name()].Scores[Name]; got != want {
					t.Errorf("%s: weighted score %d, upstream %d", ni.Name(), got, want)
				}
			}
		})
	}
}
