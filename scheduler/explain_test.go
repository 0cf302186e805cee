package scheduler_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/kubesim/kubesim/scheduler"
	"github.com/kubesim/kubesim/sim"
	"github.com/kubesim/kubesim/sim/api"
	"github.com/kubesim/kubesim/sim/store"
	"github.com/kubesim/kubesim/workloads"
)

// node and boundPod are manifest snippets for the tests below.
const (
	nodeTmpl = "apiVersion: v1\nkind: Node\nmetadata: {name: NAME, labels: {kubernetes.io/hostname: NAME}}\nstatus: {capacity: {cpu: \"4\", memory: 8Gi, pods: \"110\"}}\n---\n"
	podTmpl  = "apiVersion: v1\nkind: Pod\nmetadata: {name: NAME, namespace: NS}\nspec: {NODE containers: [{name: c, image: x, resources: {requests: {cpu: CPU, memory: 1Gi}}}]}\nstatus: {phase: PHASE}\n---\n"
)

func nodeYAML(name string) string { return strings.ReplaceAll(nodeTmpl, "NAME", name) }

func podYAML(ns, name, node, cpu, phase string) string {
	r := strings.NewReplacer("NAME", name, "NS", ns, "CPU", cpu, "PHASE", phase, "NODE ", map[bool]string{true: "", false: "nodeName: " + node + ", "}[node == ""])
	return r.Replace(podTmpl)
}

func decode(t *testing.T, manifest string) []api.Object {
	t.Helper()
	objs, err := workloads.Decode("state.yaml", []byte(manifest))
	if err != nil {
		t.Fatal(err)
	}
	return objs
}

func explainState(t *testing.T, manifest string) *scheduler.Explanation {
	t.Helper()
	st, pod, err := scheduler.BuildState(decode(t, manifest))
	if err != nil {
		t.Fatal(err)
	}
	e, err := scheduler.Explain(st, nil, pod)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// TestExplainTerminalPodsAndSingleNode: a Succeeded pod's requests do not
// count, and the only feasible node is still scored.
func TestExplainTerminalPodsAndSingleNode(t *testing.T) {
	e := explainState(t, nodeYAML("a")+nodeYAML("b")+
		podYAML("default", "done", "a", "4", "Succeeded")+ // terminal: invisible
		podYAML("default", "busy", "b", "4", "Running")+ // fills b
		podYAML("team", "new", "", "1", "Pending"))
	if e.Pod != "team/new" {
		t.Errorf("pod = %s", e.Pod)
	}
	a, b := e.Nodes["a"], e.Nodes["b"]
	if !a.Feasible || b.Feasible || strings.Join(b.Reasons, ",") != "Insufficient cpu" || b.Plugin != "NodeResourcesFit" {
		t.Fatalf("a = %+v, b = %+v", a, b)
	}
	// NodeResourcesFit LeastAllocated on a: cpu (4000-1000)*100/4000 = 75,
	// memory (8-1)*100/8 = 87 (truncated); (75+87)/2 = 81.
	if a.Scores["NodeResourcesFit"] != 81 || a.Total == 0 {
		t.Errorf("single feasible node not scored: %+v", a.Scores)
	}
	if strings.Join(e.Best, ",") != "a" {
		t.Errorf("best = %v", e.Best)
	}
	sum := int64(0)
	for _, s := range a.Scores {
		sum += s
	}
	if sum != a.Total {
		t.Errorf("total %d is not the sum of %v", a.Total, a.Scores)
	}
}

// TestExplainNominatedPods: a higher-priority pod nominated to a node
// reserves its room there, as in the scheduling cycle.
func TestExplainNominatedPods(t *testing.T) {
	st := store.New(sim.NewEngine(0, 0), store.Options{})
	objs := decode(t, nodeYAML("a")+nodeYAML("b")+`apiVersion: scheduling.k8s.io/v1
kind: PriorityClass
metadata: {name: high}
value: 1000
---
apiVersion: v1
kind: Pod
metadata: {name: preemptor, namespace: default}
spec: {priorityClassName: high, containers: [{name: c, image: x, resources: {requests: {cpu: "3"}}}]}
status: {phase: Pending, nominatedNodeName: a}
---
`+podYAML("default", "new", "", "2", "Pending"))
	var pod *api.Pod
	for _, o := range objs {
		var err error
		switch x := o.(type) {
		case *api.Node:
			_, err = st.Nodes.Create("test", x, "")
		case *api.PriorityClass:
			_, err = st.PriorityClasses.Create("test", x, "")
		case *api.Pod:
			_, err = st.Pods.Create("test", x, "")
			pod = x
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	pending := st.Engine().Pending()
	e, err := scheduler.Explain(st, nil, pod)
	if err != nil {
		t.Fatal(err)
	}
	if st.Engine().Pending() != pending {
		t.Errorf("Explain scheduled %d engine events; it must only read", st.Engine().Pending()-pending)
	}
	if a := e.Nodes["a"]; a.Feasible || strings.Join(a.Reasons, ",") != "Insufficient cpu" {
		t.Errorf("a (3 of 4 cpus nominated) = %+v, want Insufficient cpu", a)
	}
	if !e.Nodes["b"].Feasible || strings.Join(e.Best, ",") != "b" {
		t.Errorf("b = %+v, best %v", e.Nodes["b"], e.Best)
	}
}

// TestExplainPreFilterRestriction: nodes a PreFilter plugin leaves out get
// upstream's "didn't satisfy plugin(s)" reason.
func TestExplainPreFilterRestriction(t *testing.T) {
	e := explainState(t, nodeYAML("a")+nodeYAML("b")+`apiVersion: v1
kind: Pod
metadata: {name: ds-pod}
spec:
  affinity:
    nodeAffinity:
      requiredDuringSchedulingIgnoredDuringExecution:
        nodeSelectorTerms: [{matchFields: [{key: metadata.name, operator: In, values: [b]}]}]
  containers: [{name: c, image: x}]
`)
	if a := e.Nodes["a"]; a.Feasible || strings.Join(a.Reasons, ",") != "node(s) didn't satisfy plugin(s) [NodeAffinity]" || a.Plugin != "NodeAffinity" {
		t.Errorf("a = %+v", a)
	}
	if !e.Nodes["b"].Feasible || strings.Join(e.Best, ",") != "b" {
		t.Errorf("b = %+v, best %v", e.Nodes["b"], e.Best)
	}
}

func TestExplainJSONShape(t *testing.T) {
	e := explainState(t, nodeYAML("b")+nodeYAML("a")+podYAML("default", "busy", "b", "4", "Running")+podYAML("default", "p", "", "1", "Pending"))
	data, err := json.Marshal(e)
	if err != nil {
		t.Fatal(err)
	}
	s := string(data)
	for _, want := range []string{
		`{"pod":"default/p","nodes":{"a":{"feasible":true,"reasons":[],"scores":{`,
		`"b":{"feasible":false,"reasons":["Insufficient cpu"]}},"best":["a"]}`,
	} {
		if !strings.Contains(s, want) {
			t.Errorf("JSON lacks %s:\n%s", want, s)
		}
	}
	none := explainState(t, nodeYAML("a")+podYAML("default", "big", "", "8", "Pending"))
	if data, _ := json.Marshal(none); !strings.HasSuffix(string(data), `"best":[]}`) || none.Message != "0/1 nodes are available: 1 Insufficient cpu." {
		t.Errorf("nothing fits: %s, message %q", data, none.Message)
	}
}

func TestBuildState(t *testing.T) {
	st, pod, err := scheduler.BuildState(decode(t, podYAML("team-x", "p", "", "1", "Pending")+`apiVersion: v1
kind: Namespace
metadata: {name: default, labels: {env: prod}}
---
apiVersion: v1
kind: Pod
metadata: {name: old, namespace: team-y}
spec: {nodeName: n1, priorityClassName: gold, priority: 500, containers: [{name: c, image: x}]}
---
`+nodeYAML("n1")))
	if err != nil {
		t.Fatal(err)
	}
	if pod.Key() != "team-x/p" || pod.NodeName != "" {
		t.Errorf("pending pod = %s on %q", pod.Key(), pod.NodeName)
	}
	for _, ns := range []string{"team-x", "team-y"} {
		if n, ok := st.Namespaces.Get("", ns); !ok || n.Labels["kubernetes.io/metadata.name"] != ns {
			t.Errorf("implied namespace %s = %+v", ns, n)
		}
	}
	if d, _ := st.Namespaces.Get("", "default"); d.Labels["env"] != "prod" {
		t.Errorf("default namespace labels = %v, want the state's", d.Labels)
	}
	if pc, ok := st.PriorityClasses.Get("", "gold"); !ok || pc.Value != 500 {
		t.Errorf("implied priority class = %+v", pc)
	}
	if old, _ := st.Pods.Get("team-y", "old"); old.Priority != 500 {
		t.Errorf("bound pod priority = %d", old.Priority)
	}

	for _, tc := range []struct{ manifest, want string }{
		{nodeYAML("n1"), "exactly one pending pod (a Pod without spec.nodeName, not Succeeded or Failed); found none"},
		{podYAML("default", "a", "", "1", "Pending") + podYAML("default", "b", "", "1", "Pending") + podYAML("default", "c", "", "1", "Failed"),
			"found 2 (default/a, default/b)"},
		{podYAML("default", "a", "", "1", "Pending") + "apiVersion: v1\nkind: Pod\nmetadata: {name: b}\nspec: {nodeName: n1, priorityClassName: gold, containers: [{name: c, image: x}]}\n",
			`Pod default/b: spec.priorityClassName "gold" names a PriorityClass the state does not define, and spec.priority is not set`},
	} {
		_, _, err := scheduler.BuildState(decode(t, tc.manifest))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("BuildState error %v, want %q", err, tc.want)
		}
	}
}

func TestExplainUnknownScheduler(t *testing.T) {
	st, pod, err := scheduler.BuildState(decode(t, "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec: {schedulerName: mine, containers: [{name: c, image: x}]}\n"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := scheduler.Explain(st, nil, pod); !errors.Is(err, scheduler.ErrNoProfile) || !strings.Contains(err.Error(), `"mine"`) {
		t.Errorf("err = %v", err)
	}
}

// TestCompareCaseReportsDifferences checks the fidelity harness itself: each
// kind of disagreement is one readable line.
func TestCompareCaseReportsDifferences(t *testing.T) {
	want := &expectedCase{Pod: "ns/p", Best: []string{"b", "a"}, Nodes: map[string]expectedNode{
		"a": {Feasible: true, Scores: map[string]int64{"NodeResourcesFit": 50, "ImageLocality": 0}, Total: 50},
		"b": {Feasible: true, Scores: map[string]int64{"NodeResourcesFit": 40, "TaintToleration": 10}, Total: 50},
		"c": {Feasible: false, Reasons: []string{"node(s) were unschedulable"}, Plugin: "NodeUnschedulable"},
		"d": {Feasible: true},
	}}
	got := &scheduler.Explanation{Pod: "ns/p", Best: []string{"a"}, Nodes: map[string]*scheduler.NodeExplanation{
		"a": {Feasible: true, Scores: map[string]int64{"NodeResourcesFit": 50, "PodTopologySpread": 0}, Total: 50},
		"b": {Feasible: true, Scores: map[string]int64{"NodeResourcesFit": 40, "PodTopologySpread": 6}, Total: 46},
		"c": {Feasible: true},
		"e": {Feasible: true},
	}}
	diffs := compareCase(want, got)
	wantDiffs := []string{
		"node b: PodTopologySpread 6, want 0",
		"node b: TaintToleration 0, want 10",
		"node b: total 46, want 50",
		`node c: feasible true, want false (got reasons [] by -; upstream ["node(s) were unschedulable"] by NodeUnschedulable)`,
		"node d: missing",
		"node e: not in upstream's answer",
		"best: [a], want [a b]",
	}
	if strings.Join(diffs, "\n") != strings.Join(wantDiffs, "\n") {
		t.Errorf("diffs:\n%s\nwant:\n%s", strings.Join(diffs, "\n"), strings.Join(wantDiffs, "\n"))
	}
}
