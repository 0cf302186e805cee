package imagelocality_test

import (
	"encoding/json"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/kubesim/kubesim/scheduler"
	"github.com/kubesim/kubesim/scheduler/framework"
	"github.com/kubesim/kubesim/scheduler/plugins/imagelocality"
	"github.com/kubesim/kubesim/scheduler/plugins/internal/testutil"
	"github.com/kubesim/kubesim/sim/api"
	"github.com/kubesim/kubesim/workloads"
)

// TestFidelity scores the pending pod of copies of fidelity cases (see
// testdata/README.md) through the scheduler cache's image states and
// compares with upstream's ImageLocality scores (weight 1) on the feasible
// nodes. case-0025's pod asks for "postgres:16.1", which worker-01 lists only
// as "docker.io/library/postgres:16.1": upstream scores that 0, not 3.
func TestFidelity(t *testing.T) {
	for _, c := range []string{"case-0025", "case-0195"} {
		t.Run(c, func(t *testing.T) {
			objs, err := workloads.LoadFile("testdata/" + c + ".yaml")
			if err != nil {
				t.Fatal(err)
			}
			data, err := os.ReadFile("testdata/" + c + ".expected.json")
			if err != nil {
				t.Fatal(err)
			}
			var want struct {
				Nodes map[string]struct {
					Feasible bool
					Scores   map[string]int64
				}
			}
			if err := json.Unmarshal(data, &want); err != nil {
				t.Fatal(err)
			}
			cache := scheduler.NewCache()
			var pod *api.Pod
			for _, o := range objs {
				switch x := o.(type) {
				case *api.Node:
					cache.AddNode(x)
				case *api.Pod:
					if x.NodeName == "" {
						pod = x
					}
				}
			}
			h := testutil.NewHandle()
			h.Nodes = cache.List()
			pl, err := imagelocality.New(nil, h)
			if err != nil {
				t.Fatal(err)
			}
			il := pl.(*imagelocality.ImageLocality)
			state := framework.NewCycleState()
			il.PreScore(state, pod, h.Nodes)
			var got, exp []string
			for _, ni := range h.Nodes {
				w, ok := want.Nodes[ni.Name()]
				if !ok || !w.Feasible {
					continue
				}
				s, st := il.Score(state, pod, ni)
				if !st.IsSuccess() {
					t.Fatalf("%s: %v", ni.Name(), st)
				}
				got = append(got, ni.Name()+"="+strconv.FormatInt(s, 10))
				exp = append(exp, ni.Name()+"="+strconv.FormatInt(w.Scores[imagelocality.Name], 10))
			}
			if g, e := strings.Join(got, " "), strings.Join(exp, " "); g != e || g == "" {
				t.Fatalf("scores\n got %s\nwant %s", g, e)
			}
		})
	}
}
