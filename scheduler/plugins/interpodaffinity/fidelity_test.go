package interpodaffinity

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/kubesim/kubesim/scheduler/framework"
	"github.com/kubesim/kubesim/scheduler/plugins/internal/testutil"
	"github.com/kubesim/kubesim/sim/api"
	"github.com/kubesim/kubesim/workloads"
)

// expectedNode is one node of a fidelity case's expected answer.
type expectedNode struct {
	Feasible bool             `json:"feasible"`
	Reasons  []string         `json:"reasons"`
	Plugin   string           `json:"plugin"`
	Code     string           `json:"code"`
	Scores   map[string]int64 `json:"scores"`
}

// TestFidelityCases runs the plugin alone on copies of fidelity cases
// (testdata/README.md) and checks it against upstream's answers: on every
// node that upstream found feasible or rejected with InterPodAffinity, the
// Filter verdict, reason and code; over upstream's feasible nodes, the
// weighted score 2 × normalized.
func TestFidelityCases(t *testing.T) {
	files, err := filepath.Glob("testdata/case-*.yaml.gz")
	if err != nil || len(files) == 0 {
		t.Fatalf("no cases: %v", err)
	}
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), ".yaml.gz")
		t.Run(name, func(t *testing.T) { runFidelityCase(t, f, "testdata/"+name+".expected.json") })
	}
}

func runFidelityCase(t *testing.T, yamlGz, expectedPath string) {
	zr, err := os.Open(yamlGz)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	gz, err := gzip.NewReader(zr)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if _, err := io.Copy(&buf, gz); err != nil {
		t.Fatal(err)
	}
	objs, err := workloads.Decode(yamlGz, buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(expectedPath)
	if err != nil {
		t.Fatal(err)
	}
	var exp struct {
		Nodes map[string]expectedNode `json:"nodes"`
	}
	if err := json.Unmarshal(raw, &exp); err != nil {
		t.Fatal(err)
	}

	h := testutil.NewHandle()
	infos := map[string]*framework.NodeInfo{}
	var names []string
	var pending *api.Pod
	for _, o := range objs {
		switch x := o.(type) {
		case *api.Namespace:
			if _, ok := h.St.Namespaces.Get("", x.Name); !ok {
				if _, err := h.St.Namespaces.Create("test", x, "Test"); err != nil {
					t.Fatal(err)
				}
			}
		case *api.Node:
			infos[x.Name] = testutil.NodeInfo(x)
			names = append(names, x.Name)
		}
	}
	for _, o := range objs {
		p, ok := o.(*api.Pod)
		switch {
		case !ok || p.IsTerminal():
		case p.NodeName == "":
			pending = p
		default:
			infos[p.NodeName].AddPod(p)
		}
	}
	sort.Strings(names)
	for _, n := range names {
		h.Nodes = append(h.Nodes, infos[n])
	}
	pl := newPlugin(t, nil, h)

	state := framework.NewCycleState()
	_, pfs := pl.PreFilter(state, pending, h.Nodes)
	if !pfs.IsSuccess() && !pfs.IsSkip() {
		t.Fatalf("PreFilter: %v", pfs.Message())
	}
	var feasible []*framework.NodeInfo
	for _, n := range names {
		e := exp.Nodes[n]
		if e.Feasible {
			feasible = append(feasible, infos[n])
		}
		if !e.Feasible && e.Plugin != Name {
			continue
		}
		var st *framework.Status
		if !pfs.IsSkip() {
			st = pl.Filter(state, pending, infos[n])
		}
		wantCode, wantMsg := "Success", ""
		if !e.Feasible {
			wantCode, wantMsg = e.Code, strings.Join(e.Reasons, ", ")
		}
		if st.Code().String() != wantCode || st.Message() != wantMsg {
			t.Errorf("%s: Filter = %v %q, want %s %q", n, st.Code(), st.Message(), wantCode, wantMsg)
		}
	}
	if len(feasible) == 0 {
		return
	}
	scores := scoreNodes(t, pl, state, pending, feasible)
	for _, s := range scores {
		if want := exp.Nodes[s.Name].Scores[Name]; 2*s.Score != want {
			t.Errorf("%s: weighted score %d, want %d", s.Name, 2*s.Score, want)
		}
	}
}
