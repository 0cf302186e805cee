package results

import (
	"strconv"
	"testing"

	"github.com/kubesim/kubesim/sim/api"
	"github.com/kubesim/kubesim/sim/store"
)

// benchLifecycle drives b.N pods through create, bind, run, ready and
// removal, each write observed by the recorder.
func benchLifecycle(b *testing.B, cfg Config, record bool) {
	w := newWorld(b, cfg)
	if record {
		if err := w.rec.Start(); err != nil {
			b.Fatal(err)
		}
		defer w.rec.Close()
	}
	w.node("n", api.Resources{MilliCPU: 1 << 40, Memory: 1 << 50})
	sp := spec(api.Resources{MilliCPU: 100, Memory: mi}.Set(gpu, 1))
	zero := int64(0)
	names := make([]string, b.N)
	for i := range names {
		names[i] = "p-" + strconv.Itoa(i)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for _, name := range names {
		p, err := w.st.Pods.Create("bench", &api.Pod{ObjectMeta: api.ObjectMeta{Name: name, Namespace: "default"}, Spec: sp}, "")
		if err != nil {
			b.Fatal(err)
		}
		c := p.Clone()
		c.NodeName = "n"
		p, _ = w.st.Pods.Update("bench", c, "")
		c = p.Clone()
		c.Status.Phase = api.PodRunning
		c.Status.Conditions = []api.Condition{{Type: api.PodReady, Status: api.ConditionTrue}}
		w.st.Pods.Update("bench", c, "")
		w.st.Pods.Delete("bench", "default", name, store.DeleteOptions{GracePeriodSeconds: &zero}, "")
	}
}

// BenchmarkPodLifecycle is the store's and the recorder's cost per pod (four
// writes); subtract BenchmarkPodLifecycleBaseline for the recorder's share.
func BenchmarkPodLifecycle(b *testing.B) { benchLifecycle(b, Config{}, true) }

// BenchmarkPodLifecycleNoEventLog is the same without events.jsonl.
func BenchmarkPodLifecycleNoEventLog(b *testing.B) {
	benchLifecycle(b, Config{DisableEventLog: true}, true)
}

// BenchmarkPodLifecycleBaseline is the store alone, no recorder.
func BenchmarkPodLifecycleBaseline(b *testing.B) { benchLifecycle(b, Config{}, false) }

// BenchmarkSample takes samples with 10 000 pods bound: the cost must not
// depend on the number of pods.
func BenchmarkSample(b *testing.B) {
	w := newWorld(b, Config{DisableEventLog: true})
	if err := w.rec.Start(); err != nil {
		b.Fatal(err)
	}
	w.node("n", api.Resources{MilliCPU: 1 << 40, Memory: 1 << 50}.Set(gpu, 1<<20))
	sp := spec(api.Resources{MilliCPU: 100, Memory: mi}.Set(gpu, 1))
	for i := range 10000 {
		p, _ := w.st.Pods.Create("bench", &api.Pod{ObjectMeta: api.ObjectMeta{Name: "p-" + strconv.Itoa(i), Namespace: "default"}, Spec: sp}, "")
		c := p.Clone()
		c.NodeName = "n"
		w.st.Pods.Update("bench", c, "")
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		w.rec.takeSample(w.eng.Now())
	}
}
