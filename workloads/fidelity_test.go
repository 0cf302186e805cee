package workloads

import (
	"path/filepath"
	"testing"

	"github.com/kubesim/kubesim/sim/api"
)

// TestFidelityCases decodes the copies of the project's fidelity cases in
// testdata/fidelity: real `kubectl get -o yaml` output must be accepted.
func TestFidelityCases(t *testing.T) {
	files, err := filepath.Glob("testdata/fidelity/case-*.yaml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no fidelity cases: %v", err)
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			objs, err := LoadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			kinds := map[api.Kind]int{}
			pending := 0
			for _, o := range objs {
				kinds[o.GetKind()]++
				if p, ok := o.(*api.Pod); ok && p.NodeName == "" {
					pending++
				}
			}
			if kinds[api.KindNode] == 0 || kinds[api.KindPod] == 0 || kinds[api.KindNamespace] == 0 {
				t.Errorf("kinds = %v", kinds)
			}
			if pending != 1 {
				t.Errorf("%d pods without a node, want exactly 1", pending)
			}
		})
	}
}

// TestFidelitySidecarPod checks the pending pod of case-0010 (a sidecar without
// a cpu request next to a 500m / 1Gi container) against hand-computed values.
func TestFidelitySidecarPod(t *testing.T) {
	objs, err := LoadFile("testdata/fidelity/case-0010.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var pod *api.Pod
	var node *api.Node
	for _, o := range objs {
		switch x := o.(type) {
		case *api.Pod:
			if x.Key() == "team-b/catalog-xwbhdvnnt6-bs9d4" {
				pod = x
			}
		case *api.Node:
			if node == nil {
				node = x
			}
		}
	}
	if pod == nil {
		t.Fatal("pending pod not found")
	}
	s := pod.Spec
	// 500m + sidecar 0; 1Gi + 256Mi.
	if s.Requests.MilliCPU != 500 || s.Requests.Memory != gi+256*mi {
		t.Errorf("Requests = %+v", s.Requests)
	}
	// The sidecar has no cpu request: 100m non-zero default for scoring.
	if s.NonZeroMilliCPU != 600 || s.NonZeroMemory != gi+256*mi {
		t.Errorf("NonZero = %d / %d", s.NonZeroMilliCPU, s.NonZeroMemory)
	}
	if pod.Status.Phase != api.PodPending || len(pod.Spec.Affinity.PodAnti.Required) != 1 || len(s.Tolerations) != 3 {
		t.Errorf("pod = %+v", pod)
	}
	if node.AllowedPods != 110 || node.Allocatable.MilliCPU == 0 || !node.IsReady() && len(node.Conditions) == 0 {
		t.Errorf("node = %+v", node)
	}
}
