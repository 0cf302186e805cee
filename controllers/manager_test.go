package controllers

import (
	"strings"
	"testing"
	"time"

	"github.com/kubesim/kubesim/controllers/garbagecollector"
	"github.com/kubesim/kubesim/controllers/replicaset"
	"github.com/kubesim/kubesim/sim"
	"github.com/kubesim/kubesim/sim/api"
	"github.com/kubesim/kubesim/sim/store"
)

func TestDefaultOptions(t *testing.T) {
	o := DefaultOptions()
	if o.ReplicaSet != (Config{SyncLatency: 10 * time.Millisecond, Workers: 5}) ||
		o.GarbageCollector != (Config{SyncLatency: 10 * time.Millisecond, Workers: 20}) {
		t.Fatalf("DefaultOptions = %+v", o)
	}
	o.SetSyncLatency(time.Second)
	if o.ReplicaSet.SyncLatency != time.Second || o.GarbageCollector.SyncLatency != time.Second {
		t.Fatalf("SetSyncLatency: %+v", o)
	}
	err := Options{ReplicaSet: Config{SyncLatency: -1}, GarbageCollector: Config{Workers: -1}}.Validate()
	if err == nil || !strings.Contains(err.Error(), "replicaSet: syncLatency") || !strings.Contains(err.Error(), "garbageCollector: workers") {
		t.Fatalf("Validate = %v", err)
	}
}

// TestStartReplicaSetAndCollector runs both controllers: a ReplicaSet creates
// its pods; deleting it makes the collector delete them and nothing recreates
// them.
func TestStartReplicaSetAndCollector(t *testing.T) {
	eng := sim.NewEngine(7, 0)
	st := store.New(eng, store.Options{})
	m := Start(eng, st, Options{}) // zero configs: each controller's defaults
	if m.ReplicaSet.Runtime().Config().Workers != replicaset.DefaultWorkers ||
		m.GarbageCollector.Runtime().Config().Workers != garbagecollector.DefaultWorkers {
		t.Fatal("zero Options did not take the controllers' defaults")
	}
	spec := &api.PodSpec{Containers: []api.Container{{Name: "app"}}}
	spec.Compile()
	labels := map[string]string{"app": "web"}
	if _, err := st.ReplicaSets.Create("test", &api.ReplicaSet{ObjectMeta: api.ObjectMeta{Name: "web", Namespace: "default"},
		Replicas: 3, Selector: api.SelectorFromMap(labels), Template: &api.PodTemplate{Labels: labels, Spec: spec}}, "test"); err != nil {
		t.Fatal(err)
	}
	eng.Run(sim.Time(time.Second))
	if n := st.Pods.Len(); n != 3 {
		t.Fatalf("%d pods, want 3", n)
	}
	if err := st.ReplicaSets.Delete("test", "default", "web", store.DeleteOptions{}, "test"); err != nil {
		t.Fatal(err)
	}
	eng.Run(sim.Time(2 * time.Second))
	if n := st.Pods.Len(); n != 0 {
		t.Fatalf("%d pods left after the ReplicaSet was deleted, want 0", n)
	}
}
