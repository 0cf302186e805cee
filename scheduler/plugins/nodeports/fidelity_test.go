package nodeports_test

import (
	"encoding/json"
	"os"
	"testing"

	"github.com/kubesim/kubesim/scheduler"
	"github.com/kubesim/kubesim/scheduler/framework"
	"github.com/kubesim/kubesim/scheduler/plugins/nodeports"
	"github.com/kubesim/kubesim/sim/api"
	"github.com/kubesim/kubesim/workloads"
)

// TestFidelity filters the pending pod of a copy of fidelity case-0195 (see
// testdata/README.md) through the scheduler cache's used ports: upstream
// rejects worker-03 with NodePorts; every node that upstream rejected with a
// later filter (NodeResourcesFit) or found feasible must pass.
func TestFidelity(t *testing.T) {
	objs, err := workloads.LoadFile("testdata/case-0195.yaml")
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile("testdata/case-0195.expected.json")
	if err != nil {
		t.Fatal(err)
	}
	var want struct {
		Nodes map[string]struct {
			Feasible bool
			Plugin   string
		}
	}
	if err := json.Unmarshal(data, &want); err != nil {
		t.Fatal(err)
	}
	cache := scheduler.NewCache()
	for _, o := range objs {
		if n, ok := o.(*api.Node); ok {
			cache.AddNode(n)
		}
	}
	var pod *api.Pod
	for _, o := range objs {
		if p, ok := o.(*api.Pod); ok {
			if p.NodeName == "" {
				pod = p
			} else {
				cache.AddPod(p) // terminal pods are not counted
			}
		}
	}
	pl, err := nodeports.New(nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	np := pl.(*nodeports.NodePorts)
	state := framework.NewCycleState()
	if _, s := np.PreFilter(state, pod, cache.List()); !s.IsSuccess() {
		t.Fatalf("PreFilter: %v", s)
	}
	rejected := 0
	for _, ni := range cache.List() {
		w, ok := want.Nodes[ni.Name()]
		if !ok {
			t.Fatalf("no expectation for %s", ni.Name())
		}
		s := np.Filter(state, pod, ni)
		switch {
		case w.Plugin == nodeports.Name:
			rejected++
			if s.Code() != framework.Unschedulable || s.Reasons()[0] != nodeports.ErrReason {
				t.Errorf("%s: Filter = %v, upstream rejects it", ni.Name(), s)
			}
		case w.Feasible || w.Plugin == "NodeResourcesFit":
			if !s.IsSuccess() {
				t.Errorf("%s: Filter = %v, upstream passes it", ni.Name(), s)
			}
		}
	}
	if rejected != 1 {
		t.Fatalf("%d NodePorts rejections in the expectations, want 1", rejected)
	}
}
