package job_test

import (
	"testing"
	"time"

	"github.com/kubesim/kubesim/controllers"
	"github.com/kubesim/kubesim/controllers/job"
	"github.com/kubesim/kubesim/scheduler"
	"github.com/kubesim/kubesim/sim"
	"github.com/kubesim/kubesim/sim/api"
	"github.com/kubesim/kubesim/sim/kubelet"
	"github.com/kubesim/kubesim/sim/store"
)

// TestJobEndToEnd runs a Job of 6 completions, parallelism 2, whose pods run
// for 1 min, on one node with scheduler, kubelet and every controller.
//
// Hand derivation (default latencies: controller sync 10 ms, scheduling
// cycle 1 ms, bind 5 ms, container start 1 s, image already on the node):
//
//	wave 1: the Job's creation is synced at 0.010 s: pods A, B created.
//	        A is bound at 0.010+0.001+0.005 = 0.016 s, B one cycle later at
//	        0.017 s; each runs 1 s later (1.016, 1.017) and succeeds 60 s
//	        after that: 61.016 s and 61.017 s.
//	        The Job's status writes (0.010 s; ready=2 at 2.027 s, after the
//	        batched sync of the pods' Running at 1.017 s) queue batched syncs;
//	        A's success at 61.016 s queues a sync for 62.016 s, which runs at
//	        62.026 s, sees both successes and creates C, D.
//	wave 2: C, D bound at 62.032 and 62.033 s, succeed at 123.032 and
//	        123.033 s; sync at 124.042 s creates E, F.
//	wave 3: E, F bound at 124.048 and 124.049 s, succeed at 185.048 and
//	        185.049 s; the sync at 186.058 s sees six successes and no active
//	        pod: SuccessCriteriaMet and Complete, completionTime 186.058 s.
//
// So startTime = 0.010 s and the makespan (completionTime − startTime) is
// 186.048 s: three waves of 61 s plus 1 s batching, 10 ms sync and 6 ms
// scheduling each.
func TestJobEndToEnd(t *testing.T) {
	eng := sim.NewEngine(1, 0)
	st := store.New(eng, store.Options{})
	r := api.Resources{MilliCPU: 4000, Memory: 8 << 30}
	node := &api.Node{ObjectMeta: api.ObjectMeta{Name: "n1", Labels: map[string]string{api.LabelHostname: "n1"}},
		Capacity: r, Allocatable: r, AllowedPods: 110,
		Images: []api.ContainerImage{{Names: []string{"busybox:latest"}, SizeBytes: 1 << 20}}}
	if _, err := st.Nodes.Create("test", node, ""); err != nil {
		t.Fatal(err)
	}
	kubelet.NewManager(eng, st, kubelet.DefaultConfig()).Start()
	s, err := scheduler.New(eng, st, *scheduler.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	s.Start()
	controllers.Start(eng, st, controllers.DefaultOptions())

	spec := &api.PodSpec{RestartPolicy: api.RestartNever, TerminationGracePeriodSeconds: 30, RunDuration: time.Minute,
		Containers: []api.Container{{Name: "work", Image: "busybox:latest", Requests: api.Resources{MilliCPU: 500, Memory: 64 << 20},
			HasCPURequest: true, HasMemoryRequest: true}}}
	spec.Compile()
	labels := map[string]string{"batch.kubernetes.io/job-name": "batch"}
	six := int32(6)
	j := &api.Job{ObjectMeta: api.ObjectMeta{Name: "batch", Namespace: "default"},
		Parallelism: 2, Completions: &six, BackoffLimit: 6, CompletionMode: "NonIndexed", PodReplacementPolicy: "TerminatingOrFailed",
		Selector: api.SelectorFromMap(labels),
		Template: &api.PodTemplate{Labels: labels, Annotations: map[string]string{api.AnnotationRunDuration: "1m"}, Spec: spec}}
	if _, err := st.Jobs.Create("test", j, "test"); err != nil {
		t.Fatal(err)
	}
	eng.Run(sim.Time(10 * time.Minute))

	got, _ := st.Jobs.Get("default", "batch")
	if !job.IsFinished(got) || got.Status.Succeeded != 6 || got.Status.Failed != 0 || got.Status.Active != 0 {
		t.Fatalf("status %+v", got.Status)
	}
	ms := func(x float64) sim.Time { return sim.Time(x * float64(time.Millisecond)) }
	if got.Status.StartTime == nil || *got.Status.StartTime != ms(10) {
		t.Fatalf("startTime %v, want 10ms", got.Status.StartTime)
	}
	if got.Status.CompletionTime == nil || *got.Status.CompletionTime != ms(186058) {
		t.Fatalf("completionTime %v, want 3m6.058s", got.Status.CompletionTime)
	}
	if d := got.Status.CompletionTime.Sub(*got.Status.StartTime); d != 186048*time.Millisecond {
		t.Fatalf("makespan %v", d)
	}
	if n := st.Pods.Len(); n != 6 {
		t.Fatalf("%d pods, want the 6 succeeded pods kept", n)
	}
}
