package scenarios

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// writeScaleScenario writes a scenario with nodes nodes in three zones and one
// ReplicaSet of pods replicas (each 100m / 128Mi, so they all fit), run long
// enough for every pod to be scheduled and running.
func writeScaleScenario(tb testing.TB, nodes, pods int) string {
	tb.Helper()
	dir := tb.TempDir()
	rs := fmt.Sprintf(`apiVersion: apps/v1
kind: ReplicaSet
metadata: {name: web, namespace: default}
spec:
  replicas: %d
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - name: app
        image: nginx:1.25
        resources: {requests: {cpu: 100m, memory: 128Mi}}
`, pods)
	sc := fmt.Sprintf(`apiVersion: kubesim.io/v1alpha1
kind: Scenario
metadata: {name: scale}
spec:
  duration: 30m
  cluster:
    nodePools:
    - name: pool
      count: %d
      zones: [a, b, c]
      template: {status: {allocatable: {cpu: "32", memory: 128Gi, pods: "110"}}}
  workloads:
  - {at: 0s, manifests: [rs.yaml]}
  output: {sampleInterval: 1m}
`, nodes)
	for name, body := range map[string]string{"rs.yaml": rs, "scale.yaml": sc} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			tb.Fatal(err)
		}
	}
	return filepath.Join(dir, "scale.yaml")
}

func benchmarkScale(b *testing.B, nodes, pods int) {
	path := writeScaleScenario(b, nodes, pods)
	l, err := Load(path)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		s, err := Build(l)
		if err != nil {
			b.Fatal(err)
		}
		rec, err := s.Run()
		if err != nil {
			b.Fatal(err)
		}
		sum := rec.Summary()
		if sum.Scheduling.Scheduled != int64(pods) {
			b.Fatalf("scheduled %d of %d pods", sum.Scheduling.Scheduled, pods)
		}
		b.ReportMetric(float64(sum.EventsFired), "events")
		_ = s.Close()
	}
	b.StopTimer()
	b.ReportMetric(float64(pods)*float64(b.N)/b.Elapsed().Seconds(), "pods/s")
}

// BenchmarkScale1kNodes10kPods: 10 000 pods created by a ReplicaSet, scheduled
// onto 1 000 nodes, started by their kubelets.
func BenchmarkScale1kNodes10kPods(b *testing.B) { benchmarkScale(b, 1000, 10000) }

// BenchmarkScale10kNodes100kPods: 100 000 pods onto 10 000 nodes, end to end
// (controllers, scheduler with the default profile, kubelets, recorder).
func BenchmarkScale10kNodes100kPods(b *testing.B) { benchmarkScale(b, 10000, 100000) }
