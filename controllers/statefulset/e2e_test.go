package statefulset_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kubesim/kubesim/controllers"
	"github.com/kubesim/kubesim/controllers/statefulset"
	"github.com/kubesim/kubesim/scheduler"
	"github.com/kubesim/kubesim/sim"
	"github.com/kubesim/kubesim/sim/api"
	"github.com/kubesim/kubesim/sim/kubelet"
	"github.com/kubesim/kubesim/sim/store"
)

// TestEndToEnd runs the StatefulSet controller with every other controller,
// the default scheduler and the kubelets. An OrderedReady set of 3 whose pods
// have a 10 s readiness delay becomes ready one pod at a time; a template
// change then replaces the pods from the highest ordinal down, each waiting
// for the previous replacement to be Ready.
//
// Hand-derived timeline (sync 10 ms, scheduling cycle 1 ms + bind 5 ms,
// image already on the node, container start 1 s, readiness probe
// initialDelaySeconds 10, grace period 5 s): a pod created at T is bound at
// T+6 ms, Running at T+1.006 s and Ready at T+11.006 s; the next pod is
// created by the sync 10 ms after that. A pod deleted at D is gone at D+5 s
// and its replacement is created 10 ms later.
func TestEndToEnd(t *testing.T) {
	eng := sim.NewEngine(1, 0)
	st := store.New(eng, store.Options{})
	var trace []string
	st.OnWrite(func(w *store.Write) {
		if w.Kind != api.KindPod || w.Verb == store.VerbEvent {
			return
		}
		name := strings.TrimPrefix(w.Key, "default/")
		at := fmt.Sprintf("%.3f", w.Time.Seconds())
		switch {
		case w.Verb == store.VerbCreate:
			p := w.New.(*api.Pod)
			trace = append(trace, at+" create "+name+" "+p.Spec.Containers[0].Image)
		case w.Verb == store.VerbDelete && w.New != nil:
			trace = append(trace, at+" terminate "+name)
		case w.Verb == store.VerbDelete:
			trace = append(trace, at+" gone "+name)
		case w.New.(*api.Pod).IsReady() && !w.Old.(*api.Pod).IsReady():
			trace = append(trace, at+" ready "+name)
		}
	})
	for _, name := range []string{"n1", "n2", "n3"} {
		r := api.Resources{MilliCPU: 4000, Memory: 8 << 30}
		n := &api.Node{ObjectMeta: api.ObjectMeta{Name: name, Labels: map[string]string{api.LabelHostname: name}},
			Capacity: r, Allocatable: r, AllowedPods: 110,
			Conditions: []api.Condition{{Type: api.NodeReady, Status: api.ConditionTrue}},
			Images:     []api.ContainerImage{{Names: []string{"docker.io/library/app:v1", "docker.io/library/app:v2"}, SizeBytes: 10 << 20}}}
		if _, err := st.Nodes.Create("test", n, "test"); err != nil {
			t.Fatal(err)
		}
	}
	kubelet.NewManager(eng, st, kubelet.DefaultConfig()).Start()
	s, err := scheduler.New(eng, st, *scheduler.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	s.Start()
	controllers.Start(eng, st, controllers.DefaultOptions())

	labels := map[string]string{"app": "web"}
	template := func(image string, hash uint32) *api.PodTemplate {
		spec := &api.PodSpec{RestartPolicy: api.RestartAlways, TerminationGracePeriodSeconds: 5,
			Containers: []api.Container{{Name: "app", Image: "app:" + image,
				Requests:       api.Resources{MilliCPU: 100},
				ReadinessProbe: &api.Probe{InitialDelaySeconds: 10, TimeoutSeconds: 1, PeriodSeconds: 10, SuccessThreshold: 1, FailureThreshold: 3}}}}
		spec.Compile()
		return &api.PodTemplate{Labels: labels, Spec: spec, Hash: hash}
	}
	set := &api.StatefulSet{ObjectMeta: api.ObjectMeta{Name: "web", Namespace: "default"}, Replicas: 3,
		Selector: api.SelectorFromMap(labels), Template: template("v1", 1), ServiceName: "web",
		PodManagementPolicy: statefulset.OrderedReady, RevisionHistoryLimit: 10,
		UpdateStrategy: api.StatefulSetUpdateStrategy{Type: statefulset.RollingUpdate}}
	if _, err := st.StatefulSets.Create("test", set, "test"); err != nil {
		t.Fatal(err)
	}
	eng.Run(sim.Time(40 * time.Second))
	want := []string{
		"0.010 create web-0 app:v1",
		"11.016 ready web-0",
		"11.026 create web-1 app:v1",
		"22.032 ready web-1",
		"22.042 create web-2 app:v1",
		"33.048 ready web-2",
	}
	if !slices.Equal(trace, want) {
		t.Fatalf("scale up:\n got %q\nwant %q", trace, want)
	}
	cur, _ := st.StatefulSets.Get("default", "web")
	if s := cur.Status; s.Replicas != 3 || s.ReadyReplicas != 3 || s.AvailableReplicas != 3 || s.CurrentRevision != s.UpdateRevision {
		t.Fatalf("status after scale up: %+v", s)
	}
	oldRev := cur.Status.CurrentRevision

	trace = nil
	upd := cur.Clone()
	upd.Template = template("v2", 2)
	upd.Generation++
	if _, err := st.StatefulSets.Update("test", upd, "test"); err != nil {
		t.Fatal(err)
	}
	eng.Run(sim.Time(100 * time.Second))
	want = []string{
		"40.010 terminate web-2",
		"45.010 gone web-2",
		"45.020 create web-2 app:v2",
		"56.026 ready web-2",
		"56.036 terminate web-1",
		"61.036 gone web-1",
		"61.046 create web-1 app:v2",
		"72.052 ready web-1",
		"72.062 terminate web-0",
		"77.062 gone web-0",
		"77.072 create web-0 app:v2",
		"88.078 ready web-0",
	}
	if !slices.Equal(trace, want) {
		t.Fatalf("rolling update:\n got %q\nwant %q", trace, want)
	}
	cur, _ = st.StatefulSets.Get("default", "web")
	if s := cur.Status; s.CurrentRevision == oldRev || s.CurrentRevision != s.UpdateRevision || s.UpdatedReplicas != 3 ||
		s.CurrentReplicas != 3 || s.ReadyReplicas != 3 || s.ObservedGeneration != 2 {
		t.Fatalf("status after the rollout: %+v", s)
	}
	if n := st.Revisions.Len(); n != 2 {
		t.Fatalf("%d revisions, want 2", n)
	}
}
