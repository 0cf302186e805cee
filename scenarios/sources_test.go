package scenarios

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kubesim/kubesim/scheduler/plugins/fgd"
	"github.com/kubesim/kubesim/sim/store"
)

var rewriteTypicalPods = flag.Bool("rewrite-typical-pods", false, "rewrite fgd/typical-pods-default.csv")

// fgdTypicalPodsFile holds the FGD typical pods of the openb default trace.
const fgdTypicalPodsFile = "fgd/typical-pods-default.csv"

// TestFGDTypicalPodsFile: the checked-in typical pods are what
// spec.scheduler.typicalPodsFrom computes from the default trace (the
// artefact's GetTypicalPods: CPU pods included, 95 % popularity, step 1).
// Regenerate with: go test ./scenarios -run TestFGDTypicalPodsFile -rewrite-typical-pods
func TestFGDTypicalPodsFile(t *testing.T) {
	l, err := Load(fgdScenario)
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := fgd.WriteTypicalPodsCSV(&b, l.TypicalPods); err != nil {
		t.Fatal(err)
	}
	if *rewriteTypicalPods {
		if err := os.WriteFile(fgdTypicalPodsFile, b.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(fgdTypicalPodsFile)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(b.Bytes(), want) {
		t.Errorf("%s is stale; rerun with -rewrite-typical-pods", fgdTypicalPodsFile)
	}
	if n := len(l.TypicalPods); n != 35 {
		t.Errorf("%d typical pods, want 35", n)
	}
}

// writeScenario writes a scenario file into a temporary directory.
func writeScenario(t *testing.T, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "s.yaml")
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestSourcesValidation: every bad spec.sources field is reported at once
// with its path.
func TestSourcesValidation(t *testing.T) {
	p := writeScenario(t, `apiVersion: kubesim.io/v1alpha1
kind: Scenario
metadata: {name: bad}
spec:
  duration: 1m
  scheduler: {typicalPodsFrom: nope, tieBreak: smallest}
  timing: {kubelet: {deviceResourceGroups: [alibabacloud.com/gpu-count]}}
  sources:
  - name: a
    trace: {dataset: alibaba-gpu-v2023, file: missing.csv}
  - name: a
  - name: Bad_Name
    trace: {dataset: nope, file: x.csv}
`)
	_, err := Load(p)
	if err == nil {
		t.Fatal("no error")
	}
	for _, want := range []string{
		`spec.sources[1].name: duplicate source name "a"`,
		`spec.sources[1]: must set one of trace, generator`,
		`spec.sources[2].name: "Bad_Name" must be lowercase`,
		`spec.scheduler.typicalPodsFrom: "nope" is not the name of a spec.sources entry`,
		`spec.scheduler.tieBreak: unsupported value "smallest"`,
		`spec.timing.kubelet.deviceResourceGroups[0]: must be a resource group`,
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("missing %q in:\n%v", want, err)
		}
	}
}

// TestTraceSourceEndToEnd: 40 openb pods arrive one per second on the
// 1,213 GPU nodes; sharing pods are admitted by device; the pods that fit
// no node (none here) would be deleted; every pod runs.
func TestTraceSourceEndToEnd(t *testing.T) {
	root, err := filepath.Abs("../data/traces/alibaba-gpu-v2023")
	if err != nil {
		t.Fatal(err)
	}
	p := writeScenario(t, `apiVersion: kubesim.io/v1alpha1
kind: Scenario
metadata: {name: trace}
spec:
  duration: 2m
  timing: {kubelet: {deviceResourceGroups: [alibabacloud.com]}}
  scheduler: {config: `+filepath.Join(mustAbs(t, "fgd"), "scheduler.yaml")+`, typicalPodsFrom: openb}
  output: {gpuAllocation: true}
  sources:
  - name: openb
    tryOnce: true
    trace:
      dataset: alibaba-gpu-v2023
      file: `+filepath.Join(root, "openb_pod_list_gpushare100.csv")+`
      nodes: `+filepath.Join(root, "openb_node_list_gpu_node.csv")+`
      mode: arrival
      interval: 1s
      limit: 40
`)
	l, err := Load(p)
	if err != nil {
		t.Fatal(err)
	}
	if len(l.Nodes) != 1213 || len(l.Sources) != 1 {
		t.Fatalf("%d nodes, %d sources", len(l.Nodes), len(l.Sources))
	}
	s, err := BuildWith(l, BuildOptions{DefaultProfile: "gpu-packing"})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	rec, err := s.Run()
	if err != nil {
		t.Fatal(err)
	}
	sum := rec.Summary()
	if sum.Pods.Total != 40 || sum.Pods.Running != 40 || sum.GPUAllocation.PodsTried != 40 || sum.GPUAllocation.PodsAllocated != 40 {
		t.Errorf("pods %+v, gpu %+v", sum.Pods, *sum.GPUAllocation)
	}
}

func mustAbs(t *testing.T, p string) string {
	t.Helper()
	a, err := filepath.Abs(p)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// TestDumpWithBuiltinPriorityClasses: a kubectl dump lists the built-in
// priority classes; applying them again with the same value is skipped;
// another value is rejected when the manifest is decoded.
func TestDumpWithBuiltinPriorityClasses(t *testing.T) {
	dump := mustAbs(t, "../workloads/testdata/kubectl-dump.yaml")
	scenario := func(manifest string) string {
		return `apiVersion: kubesim.io/v1alpha1
kind: Scenario
metadata: {name: dump}
spec:
  duration: 1m
  cluster: {manifests: [` + manifest + `]}
`
	}
	l, err := Load(writeScenario(t, scenario(dump)))
	if err != nil {
		t.Fatal(err)
	}
	s, err := Build(l)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := s.Run(); err != nil {
		t.Fatalf("the dump does not apply: %v", err)
	}
	if pc, _ := s.Store().PriorityClasses.Get("", store.SystemClusterCritical); pc.Value != store.SystemClusterCriticalValue {
		t.Errorf("system-cluster-critical: %+v", pc)
	}

	other := filepath.Join(t.TempDir(), "pc.yaml")
	if err := os.WriteFile(other, []byte(`apiVersion: scheduling.k8s.io/v1
kind: PriorityClass
metadata: {name: system-node-critical}
value: 5
`), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(writeScenario(t, scenario(other))); err == nil || !strings.Contains(err.Error(), "must be 2000001000 for the built-in class") {
		t.Errorf("a built-in class with another value loaded: %v", err)
	}
}
