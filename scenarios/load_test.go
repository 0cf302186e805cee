package scenarios

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/kubesim/kubesim/sim/api"
)

func TestLoadValidMinimal(t *testing.T) {
	l, err := Load("testdata/valid-minimal.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if l.Name != "minimal" || l.Seed != DefaultSeed || l.Duration != 5*time.Minute || l.SampleInterval != 10*time.Second {
		t.Fatalf("defaults: name %q seed %d duration %v sample %v", l.Name, l.Seed, l.Duration, l.SampleInterval)
	}
	if len(l.Nodes) != 1 {
		t.Fatalf("%d nodes, want 1", len(l.Nodes))
	}
	n := l.Nodes[0]
	if n.Name != "small-1" || n.Labels[api.LabelHostname] != "small-1" || n.Labels[NodePoolLabel] != "small" {
		t.Fatalf("node %q labels %v", n.Name, n.Labels)
	}
	if _, ok := n.Labels[api.LabelZone]; ok {
		t.Fatal("a pool without zones must not set a zone label")
	}
	if n.Allocatable.MilliCPU != 2000 || n.Allocatable.Memory != 4<<30 || n.AllowedPods != 110 {
		t.Fatalf("allocatable %+v pods %d", n.Allocatable, n.AllowedPods)
	}
}

func TestLoadQuickstart(t *testing.T) {
	l, err := Load("quickstart.yaml")
	if err != nil {
		t.Fatal(err)
	}
	zones := map[string]int{}
	for _, n := range l.Nodes {
		zones[n.Labels[api.LabelZone]]++
	}
	if len(l.Nodes) != 6 || zones["zone-a"] != 2 || zones["zone-b"] != 2 || zones["zone-c"] != 2 {
		t.Fatalf("nodes %d, zones %v: want 6 nodes, 2 per zone", len(l.Nodes), zones)
	}
	if l.Nodes[0].Labels[api.LabelZone] != "zone-a" || l.Nodes[1].Labels[api.LabelZone] != "zone-b" {
		t.Fatal("zones are not assigned round-robin")
	}
	if len(l.Batches) != 6 || l.Batches[5].At != 10*time.Minute || len(l.Batches[5].Objects) != 4 {
		t.Fatalf("batches: %d", len(l.Batches))
	}
	if l.Images["python:3.12"] != 400<<20 {
		t.Fatalf("image catalogue: %v", l.Images)
	}
}

// TestLoadErrors checks that each bad file yields exactly the expected
// messages: file, line, field path and what is wrong.
func TestLoadErrors(t *testing.T) {
	cases := []struct {
		file string
		want []string
	}{
		{"testdata/invalid-misspelled-field.yaml", []string{
			"testdata/invalid-misspelled-field.yaml:11: spec.cluster.nodePools[0].zonez: unknown field",
		}},
		{"testdata/invalid-bad-quantity.yaml", []string{
			`testdata/invalid-bad-quantity.yaml:16: spec.workloads[0].manifests[0]: testdata/manifests/bad-quantity.yaml: document 1 (Pod default/greedy): spec.containers[0].resources.requests.cpu: invalid quantity "lots"`,
		}},
		{"testdata/invalid-many.yaml", []string{
			`testdata/invalid-many.yaml:1: apiVersion: must be "kubesim.io/v1alpha1", got "kubesim.io/v1alpha2"`,
			`testdata/invalid-many.yaml:4: metadata.name: "Many_Errors" must be lowercase letters, digits and '-' (at most 63)`,
			`testdata/invalid-many.yaml:6: spec.duration: must be a positive duration such as 1h, got "0s"`,
			`testdata/invalid-many.yaml:10: spec.cluster.nodePools[0].count: must be >= 0, got -1`,
			`testdata/invalid-many.yaml:14: spec.cluster.nodePools[1].name: duplicate pool name "a"`,
			`testdata/invalid-many.yaml:14: spec.cluster.nodePools[1].template: is required: a v1 Node with at least status.allocatable or status.capacity`,
			`testdata/invalid-many.yaml:18: spec.workloads[0].manifests: must name at least one manifest file`,
			`testdata/invalid-many.yaml:20: spec.output.sampleInterval: must be positive, got 0s`,
		}},
		{"testdata/does-not-exist.yaml", []string{
			"testdata/does-not-exist.yaml: open testdata/does-not-exist.yaml: no such file or directory",
		}},
	}
	for _, c := range cases {
		t.Run(c.file, func(t *testing.T) {
			_, err := Load(c.file)
			var le *LoadError
			if !errors.As(err, &le) {
				t.Fatalf("err = %v, want a *LoadError", err)
			}
			var got []string
			for _, fe := range le.Errors {
				got = append(got, fe.Error())
			}
			if strings.Join(got, "\n") != strings.Join(c.want, "\n") {
				t.Fatalf("errors:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(c.want, "\n"))
			}
		})
	}
}

func TestParseRejectsWorkloadNodesAndDuplicates(t *testing.T) {
	src := `apiVersion: kubesim.io/v1alpha1
kind: Scenario
metadata: {name: dup}
spec:
  duration: 1m
  workloads:
  - at: 0s
    manifests: [manifests/web.yaml]
  - at: 30s
    manifests: [manifests/web.yaml]
  - at: 2m
    manifests: [manifests/web.yaml]
`
	_, err := Parse("testdata/inline.yaml", []byte(src))
	if err == nil {
		t.Fatal("no error")
	}
	msg := err.Error()
	for _, want := range []string{
		"spec.workloads[2].at: 2m0s is after the end of the run (spec.duration 1m0s)",
	} {
		if !strings.Contains(msg, want) {
			t.Errorf("missing %q in:\n%s", want, msg)
		}
	}
	src = strings.Replace(src, "at: 2m", "at: 50s", 1)
	_, err = Parse("testdata/inline.yaml", []byte(src))
	if err == nil || !strings.Contains(err.Error(), "testdata/inline.yaml:10: spec.workloads[1].manifests[0]: manifests/web.yaml: ReplicaSet default/web is already defined by spec.workloads[0].manifests[0] (manifests/web.yaml); every object is created once") {
		t.Fatalf("duplicate object: err = %v", err)
	}
}

func TestParseBoundsSizes(t *testing.T) {
	src := `apiVersion: kubesim.io/v1alpha1
kind: Scenario
metadata: {name: huge}
spec:
  duration: 1h
  cluster:
    nodePools:
    - {name: a, count: 999999, template: {status: {allocatable: {cpu: "1"}}}}
    - {name: b, count: 2, template: {status: {allocatable: {cpu: "1"}}}}
  output: {sampleInterval: 1ns}
`
	_, err := Parse("huge.yaml", []byte(src))
	if err == nil {
		t.Fatal("no error")
	}
	for _, want := range []string{
		"huge.yaml:9: spec.cluster.nodePools[1].count: 2 nodes would take the cluster over kubesim's limit of 1000000 nodes",
		"huge.yaml:10: spec.output.sampleInterval: 1ns over 1h0m0s would be more than 10000000 samples",
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("missing %q in:\n%v", want, err)
		}
	}
}

func TestParseNeverPanicsOnGarbage(t *testing.T) {
	for _, src := range []string{"", "[]", "- a\n- b", "apiVersion: 3", "spec: {duration: forever}", "spec:\n  cluster:\n    nodePools:\n    - template: 7\n", ":\n:"} {
		if _, err := Parse("g.yaml", []byte(src)); err == nil {
			t.Errorf("%q: no error", src)
		}
	}
}
