package leastpods_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/kubesim/kubesim/examples/leastpods"
	"github.com/kubesim/kubesim/scenarios"
	"github.com/kubesim/kubesim/scheduler"
	"github.com/kubesim/kubesim/scheduler/framework"
	"github.com/kubesim/kubesim/scheduler/plugins"
	"github.com/kubesim/kubesim/sim/api"
)

func node(name string, pods ...*api.Pod) *framework.NodeInfo {
	ni := framework.NewNodeInfo(pods...)
	ni.SetNode(&api.Node{ObjectMeta: api.ObjectMeta{Name: name}})
	return ni
}

func pod(ns, name string) *api.Pod {
	return &api.Pod{ObjectMeta: api.ObjectMeta{Namespace: ns, Name: name, UID: api.UID(ns + "/" + name)}, Spec: &api.PodSpec{}}
}

// TestScores: raw counts and their normalisation 100 − count·100/max.
func TestScores(t *testing.T) {
	nodes := []*framework.NodeInfo{
		node("a"),
		node("b", pod("default", "x")),
		node("c", pod("default", "y"), pod("default", "z"), pod("kube-system", "agent")),
	}
	for _, tc := range []struct {
		name string
		args any
		want []int64
	}{
		// Counts 0, 1, 3: 100, 100 − 33 = 67, 0.
		{"all pods", nil, []int64{100, 67, 0}},
		// kube-system ignored: counts 0, 1, 2: 100, 50, 0.
		{"ignoring kube-system", json.RawMessage(`{"ignoreNamespaces":["kube-system"]}`), []int64{100, 50, 0}},
	} {
		pl, err := leastpods.New(tc.args, nil)
		if err != nil {
			t.Fatal(err)
		}
		sp := pl.(framework.ScorePlugin)
		scores := make([]framework.NodeScore, len(nodes))
		for i, ni := range nodes {
			s, st := sp.Score(nil, nil, ni)
			if !st.IsSuccess() {
				t.Fatal(st.Message())
			}
			scores[i] = framework.NodeScore{Name: ni.Name(), Score: s}
		}
		sp.ScoreExtensions().NormalizeScore(nil, nil, scores)
		for i := range scores {
			if scores[i].Score != tc.want[i] {
				t.Errorf("%s: node %s scores %d, want %d", tc.name, scores[i].Name, scores[i].Score, tc.want[i])
			}
		}
	}
	// No pods anywhere: every node 100.
	scores := []framework.NodeScore{{Name: "a"}, {Name: "b"}}
	(&leastpods.LeastPods{}).NormalizeScore(nil, nil, scores)
	if scores[0].Score != 100 || scores[1].Score != 100 {
		t.Errorf("empty nodes: %v", scores)
	}
}

func TestArgs(t *testing.T) {
	if _, err := leastpods.New(&leastpods.Args{IgnoreNamespaces: []string{"kube-system"}}, nil); err != nil {
		t.Error(err)
	}
	for args, want := range map[string]string{
		`{"ignoreNamespace":["kube-system"]}`: `LeastPods: args: json: unknown field "ignoreNamespace"`,
		`{"ignoreNamespaces":[""]}`:           `ignoreNamespaces[0]: must not be empty`,
	} {
		if _, err := leastpods.New(json.RawMessage(args), nil); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: error %v, want %q", args, err, want)
		}
	}
}

// registry is the in-tree registry plus LeastPods.
func registry() framework.Registry {
	reg := plugins.NewInTreeRegistry()
	reg[leastpods.Name] = leastpods.New
	return reg
}

// TestConfig loads the configuration that selects LeastPods: only with a
// registry that knows the plugin.
func TestConfig(t *testing.T) {
	if _, err := scheduler.LoadConfig("testdata/scheduler-config.yaml"); err == nil || !strings.Contains(err.Error(), `unknown plugin "LeastPods"`) {
		t.Errorf("in-tree registry: error %v, want unknown plugin", err)
	}
	cfg, err := scheduler.LoadConfigWithRegistry("testdata/scheduler-config.yaml", registry())
	if err != nil {
		t.Fatal(err)
	}
	if raw, ok := cfg.Profiles[0].PluginArgs[leastpods.Name].(json.RawMessage); !ok || !strings.Contains(string(raw), "kube-system") {
		t.Errorf("LeastPods args %#v, want the raw JSON", cfg.Profiles[0].PluginArgs[leastpods.Name])
	}
}

// run builds and runs the scenario l with registry reg (nil: in-tree) and
// returns the nodes of web-1 and web-2.
func run(t *testing.T, l *scenarios.Loaded, reg framework.Registry) (string, string) {
	t.Helper()
	s, err := scenarios.BuildWith(l, scenarios.BuildOptions{Registry: reg})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := s.Run(); err != nil {
		t.Fatal(err)
	}
	on := func(name string) string {
		p, ok := s.Store().Pods.Get("default", name)
		if !ok {
			t.Fatalf("pod %s missing", name)
		}
		return p.NodeName
	}
	return on("web-1"), on("web-2")
}

// TestScenario runs the example scenario: with LeastPods both web pods go to
// node-1 (1, then 2 counted pods, against node-2's 3) although node-2 has
// more free cpu; the same cluster under the default profile puts them on
// node-2.
func TestScenario(t *testing.T) {
	l, err := scenarios.Load("testdata/scenario.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if w1, w2 := run(t, l, registry()); w1 != "node-1" || w2 != "node-1" {
		t.Errorf("with LeastPods: web-1 on %q, web-2 on %q, want node-1 and node-1", w1, w2)
	}

	// Without the registry, the configuration names an unknown plugin.
	if _, err := scenarios.Build(l); err == nil || !strings.Contains(err.Error(), `unknown plugin "LeastPods"`) {
		t.Errorf("Build without the registry: error %v", err)
	}

	// Control: the same scenario under the default profile.
	ctrl := *l
	ctrl.SchedulerConfig = ""
	if w1, w2 := run(t, &ctrl, nil); w1 != "node-2" || w2 != "node-2" {
		t.Errorf("default profile: web-1 on %q, web-2 on %q, want node-2 and node-2", w1, w2)
	}
}
