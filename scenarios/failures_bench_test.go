package scenarios

import "testing"

// BenchmarkRandomFailures runs the bundled random-failures scenario: 1 000
// nodes for 7 simulated days, about 190 random crashes and 100 network
// partitions, with every controller and the recorder on. Budget: under
// 10 s of wall time per run (DESIGN.md: ≥ 100 000 × real time). The node
// lifecycle controller and the kubelets do not tick (leases renew lazily,
// monitor passes run only while a node is unhealthy), so the cost follows
// the failures, not the simulated time.
func BenchmarkRandomFailures(b *testing.B) {
	l, err := Load("random-failures.yaml")
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		s, err := Build(l)
		if err != nil {
			b.Fatal(err)
		}
		rec, err := s.Run()
		if err != nil {
			b.Fatal(err)
		}
		if len(rec.Summary().Failures) == 0 {
			b.Fatal("no failure happened")
		}
		b.ReportMetric(float64(s.Engine().Fired()), "events/op")
		s.Close()
	}
}
