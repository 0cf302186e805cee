package replicaset

import (
	"fmt"
	"testing"

	"github.com/kubesim/kubesim/controllers/internal/script"

	"github.com/kubesim/kubesim/sim"
	"github.com/kubesim/kubesim/sim/api"
)

// BenchmarkScaleUp500 measures creating 500 pods for one ReplicaSet through
// the controller (one burst) and the syncs that observe them.
func BenchmarkScaleUp500(b *testing.B) {
	for b.Loop() {
		h := newHarness()
		labels := map[string]string{"app": "web"}
		script.Must(h.st.ReplicaSets.Create("test", &api.ReplicaSet{ObjectMeta: api.ObjectMeta{Name: "web", Namespace: "default"},
			Replicas: 500, Selector: api.SelectorFromMap(labels), Template: &api.PodTemplate{Labels: labels, Spec: testSpec()}}, "test"))
		h.eng.Run(sim.Time(1e9))
		if h.st.Pods.Len() != 500 {
			b.Fatal("not scaled")
		}
	}
}

// BenchmarkPodsToDelete1000 ranks 1000 ready pods on 100 nodes to delete 500.
func BenchmarkPodsToDelete1000(b *testing.B) {
	var pods []*api.Pod
	for i := range 1000 {
		pods = append(pods, rankPod{name: fmt.Sprint("p", i), uid: fmt.Sprintf("u%04d", i), node: fmt.Sprint("n", i%100),
			phase: api.PodRunning, readyAt: sim.Time(i) * sec, created: sim.Time(i) * sec}.pod())
	}
	for b.Loop() {
		PodsToDelete(pods, pods, 500, 5000*sec)
	}
}
