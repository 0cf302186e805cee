package kubelet

import (
	"fmt"
	"testing"
	"time"

	"github.com/kubesim/kubesim/sim"
	"github.com/kubesim/kubesim/sim/api"
	"github.com/kubesim/kubesim/sim/store"
)

// BenchmarkManager10kPods100Nodes drives 10 000 pods through the kubelets of
// 100 nodes: admission, image pulls (5 images, none cached), start, readiness
// probes for a quarter of them, completion after a run duration, and graceful
// deletion for one in ten. It reports wall time and allocations per pod;
// building the cluster and creating the pods is not timed.
func BenchmarkManager10kPods100Nodes(b *testing.B) {
	const nodes, pods = 100, 10000
	specs := make([]*api.PodSpec, 5)
	for i := range specs {
		s := &api.PodSpec{RestartPolicy: api.RestartNever, TerminationGracePeriodSeconds: 30,
			RunDuration: time.Duration(60+i*30) * time.Second,
			Containers: []api.Container{{Name: "app", Image: fmt.Sprintf("img%d:v1", i),
				Requests: api.Resources{MilliCPU: 100, Memory: 128 << 20}, HasCPURequest: true, HasMemoryRequest: true}}}
		if i == 0 {
			s.Containers[0].ReadinessProbe = &api.Probe{InitialDelaySeconds: 5, PeriodSeconds: 10, SuccessThreshold: 1}
		}
		s.Compile()
		specs[i] = s
	}
	b.ReportAllocs()
	b.ResetTimer()
	var fired uint64
	for range b.N {
		b.StopTimer()
		eng := sim.NewEngine(1, 0)
		st := store.New(eng, store.Options{})
		for i := range nodes {
			name := fmt.Sprintf("node-%03d", i)
			r := api.Resources{MilliCPU: 64000, Memory: 256 << 30}
			if _, err := st.Nodes.Create("bench", &api.Node{ObjectMeta: api.ObjectMeta{Name: name},
				Capacity: r, Allocatable: r, AllowedPods: 200}, "Create"); err != nil {
				b.Fatal(err)
			}
		}
		m := NewManager(eng, st, DefaultConfig())
		m.Start()
		eng.Run(0)
		for i := range pods {
			p := &api.Pod{ObjectMeta: api.ObjectMeta{Namespace: "default", Name: fmt.Sprintf("pod-%05d", i)},
				Spec: specs[i%len(specs)], NodeName: fmt.Sprintf("node-%03d", i%nodes)}
			if _, err := st.Pods.Create("bench", p, "Create"); err != nil {
				b.Fatal(err)
			}
			if i%10 == 0 {
				name := p.Name
				eng.AtFunc(sim.Time(30*time.Second), func(sim.Time) {
					_ = st.Pods.Delete("bench", "default", name, store.DeleteOptions{}, "Delete")
				})
			}
		}
		start := eng.Fired()
		b.StartTimer()
		eng.Run(sim.Time(time.Hour))
		fired += eng.Fired() - start
		b.StopTimer()
		if eng.Pending() != 0 {
			b.Fatalf("%d events left", eng.Pending())
		}
		if n := st.Pods.Len(); n != pods-pods/10 {
			b.Fatalf("%d pods left, want %d", n, pods-pods/10)
		}
		for _, p := range st.Pods.List("", nil) {
			if p.Status.Phase != api.PodSucceeded {
				b.Fatalf("pod %s is %s", p.Name, p.Status.Phase)
			}
		}
		b.StartTimer()
	}
	b.StopTimer()
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*pods), "ns/pod")
	b.ReportMetric(float64(fired)/float64(b.N*pods), "events/pod")
}
