package results

import (
	"bytes"
	"strconv"
	"strings"
	"testing"

	"github.com/kubesim/kubesim/sim/api"
	"github.com/kubesim/kubesim/sim/store"
	"github.com/kubesim/kubesim/workloads/traffic"
)

func tmpl(hash uint32, sp *api.PodSpec) *api.PodTemplate {
	return &api.PodTemplate{Labels: map[string]string{"app": "web"}, Spec: sp, Hash: hash}
}

func (w *world) deployment(name string, replicas int32, t *api.PodTemplate, minReady int32) *api.Deployment {
	d, err := w.st.Deployments.Create("kubectl", &api.Deployment{ObjectMeta: api.ObjectMeta{Name: name, Namespace: "default"},
		Replicas: replicas, Template: t, MinReadySeconds: minReady}, "")
	w.must(err)
	return d
}

func (w *world) updateDeployment(name string, f func(d *api.Deployment)) {
	d, _ := w.st.Deployments.Get("default", name)
	c := d.Clone()
	f(c)
	_, err := w.st.Deployments.Update("kubectl", c, "")
	w.must(err)
}

func (w *world) ownedRS(name string, d *api.Deployment, t *api.PodTemplate, replicas int32) *api.ReplicaSet {
	rs, err := w.st.ReplicaSets.Create("deployment-controller", &api.ReplicaSet{
		ObjectMeta: api.ObjectMeta{Name: name, Namespace: "default",
			OwnerReferences: []api.OwnerReference{{Kind: api.KindDeployment, Name: d.Name, UID: d.UID, Controller: true}}},
		Replicas: replicas, Template: t}, "")
	w.must(err)
	return rs
}

func (w *world) deleteGracefully(name string) {
	w.must(w.st.Pods.Delete("replicaset-controller", "default", name, store.DeleteOptions{}, "SuccessfulDelete"))
}

func (w *world) remove(name string) {
	zero := int64(0)
	w.must(w.st.Pods.Delete("kubelet", "default", name, store.DeleteOptions{GracePeriodSeconds: &zero}, ""))
}

// readyPod creates a pod of owner bound to node-1 and, if ready, Ready now.
func (w *world) boundPod(name string, owner *api.ReplicaSet, sp *api.PodSpec, ready bool) {
	w.pod("replicaset-controller", name, owner, sp)
	w.bind(name, "node-1")
	w.run(name)
	if ready {
		w.setReady(name, true)
	}
}

// rollout scripts a Deployment web (2 replicas, template hash 100) rolled to
// template 200 at t = 10, offered 100 rps at 50 rps per ready replica:
//
//	0   Deployment, RS web-a; 1: a1, a2 created and running; 2: both Ready
//	10  template → 200 (rollout starts)     11  RS web-b, b1 running
//	13  b1 Ready                            14  a1 terminating; b2 running
//	16  b2 Ready; a2 terminating            20  a1 removed
//	22  a2 removed: complete
//
// The run ends at 30.
func rollout(t *testing.T) *world {
	w := newWorld(t, Config{DisableEventLog: true})
	w.must(w.rec.AddLoad(api.KindDeployment, "default", "web", traffic.Load{Offered: traffic.Constant{RPS: 100}, PerReplicaRPS: 50}))
	w.must(w.rec.Start())
	sp := spec(api.Resources{MilliCPU: 100})
	var d *api.Deployment
	var a, b *api.ReplicaSet
	w.at(0, func() {
		w.node("node-1", api.Resources{MilliCPU: 4000, Memory: 8 * gi})
		d = w.deployment("web", 2, tmpl(100, sp), 0)
		w.updateDeployment("web", func(d *api.Deployment) { d.Annotations = map[string]string{AnnotationRevision: "1"} })
		a = w.ownedRS("web-a", d, tmpl(100, sp), 2)
	})
	w.at(1, func() { w.boundPod("a1", a, sp, false); w.boundPod("a2", a, sp, false) })
	w.at(2, func() { w.setReady("a1", true); w.setReady("a2", true) })
	w.at(10, func() { w.updateDeployment("web", func(d *api.Deployment) { d.Template = tmpl(200, sp) }) })
	w.at(11, func() {
		b = w.ownedRS("web-b", d, tmpl(200, sp), 1)
		w.updateDeployment("web", func(d *api.Deployment) { d.Annotations = map[string]string{AnnotationRevision: "2"} })
		w.boundPod("b1", b, sp, false)
	})
	w.at(13, func() { w.setReady("b1", true) })
	w.at(14, func() { w.deleteGracefully("a1"); w.boundPod("b2", b, sp, false) })
	w.at(16, func() { w.setReady("b2", true); w.deleteGracefully("a2") })
	w.at(20, func() { w.remove("a1") })
	w.at(22, func() { w.remove("a2") })
	w.eng.Run(sec(30))
	w.rec.Finish(sec(30))
	return w
}

func TestWorkloadsRolloutByHand(t *testing.T) {
	w := rollout(t)
	var buf bytes.Buffer
	w.must(w.rec.writeWorkloads(&buf))
	// One row per instant: the state after all of that instant's writes.
	want := WorkloadsHeader + "\n" +
		"0.000,Deployment,default,web,2,0,0,0,0,0,1\n" +
		"1.000,Deployment,default,web,2,2,0,0,2,0,1\n" +
		"2.000,Deployment,default,web,2,2,2,2,2,0,1\n" +
		"10.000,Deployment,default,web,2,2,2,2,0,0,1\n" + // the template changed: web-a is old
		"11.000,Deployment,default,web,2,3,2,2,1,0,2\n" +
		"13.000,Deployment,default,web,2,3,3,3,1,0,2\n" +
		"14.000,Deployment,default,web,2,3,2,2,2,1,2\n" + // a1 terminating: no longer current (a2, b1, b2)
		"16.000,Deployment,default,web,2,2,2,2,2,2,2\n" + // b2 Ready, a2 terminating: b1, b2 current
		"20.000,Deployment,default,web,2,2,2,2,2,1,2\n" +
		"22.000,Deployment,default,web,2,2,2,2,2,0,2\n"
	if buf.String() != want {
		t.Errorf("workloads.csv:\n%s\nwant:\n%s", buf.String(), want)
	}

	s := w.rec.Summary()
	if len(s.Workloads) != 1 {
		t.Fatalf("workloads %+v", s.Workloads)
	}
	ws := s.Workloads[0]
	if ws.Kind != "Deployment" || ws.Desired != 2 || ws.Ready != 2 || ws.Updated != 2 || ws.Current != 2 || len(ws.Rollouts) != 1 {
		t.Fatalf("workload %+v", ws)
	}
	ro := ws.Rollouts[0]
	// Start 10, complete 22; available never below 2; current peaks at 3
	// (surge 1, from 11 to 14); current + terminating peaks at 4 (14 and 16).
	if ro.Outcome != RolloutComplete || ro.StartSeconds != 10 || ro.EndSeconds == nil || *ro.EndSeconds != 22 ||
		ro.DurationSeconds != 12 || ro.MinAvailable != 2 || ro.PeakSurge != 1 || ro.PeakCapacitySurge != 2 || ro.Revision != "2" {
		t.Errorf("rollout %+v", ro)
	}
	// Ready is 0 on [0, 2) and >= 2 (100 rps of capacity) after: the run is
	// offered 3000 requests and serves 2800; below desired 2 s (ready 0
	// and 1 at 1, both < 2 until 2); the worst shortfall is the full 100
	// rps. The rollout [10, 22) is offered and served 1200.
	checkLoad(t, "run", ws.Load, LoadSummary{OfferedRequests: 3000, ServedRequests: 2800, DemandServed: 2800.0 / 3000,
		SecondsBelowDesired: 2, WorstShortfallRPS: 100})
	checkLoad(t, "rollout", ro.Load, LoadSummary{OfferedRequests: 1200, ServedRequests: 1200, DemandServed: 1})

	buf.Reset()
	w.must(s.printWorkloads(&buf))
	for _, part := range []string{"Deployment default/web", "complete", "12.000", "100.0%", "93.3%"} {
		if !strings.Contains(buf.String(), part) {
			t.Errorf("table lacks %q:\n%s", part, buf.String())
		}
	}
}

func checkLoad(t *testing.T, what string, got *LoadSummary, want LoadSummary) {
	t.Helper()
	if got == nil {
		t.Errorf("%s: no load figures", what)
		return
	}
	if !near(float64(got.OfferedRequests), float64(want.OfferedRequests)) || !near(float64(got.ServedRequests), float64(want.ServedRequests)) ||
		!near(float64(got.DemandServed), float64(want.DemandServed)) || !near(float64(got.SecondsBelowDesired), float64(want.SecondsBelowDesired)) ||
		!near(float64(got.WorstShortfallRPS), float64(want.WorstShortfallRPS)) {
		t.Errorf("%s load %+v, want %+v", what, *got, want)
	}
}

// TestWorkloadsMinReadySeconds: with minReadySeconds 5 a pod Ready at 2 is
// available at 7, without any write at 7.
func TestWorkloadsMinReadySeconds(t *testing.T) {
	w := newWorld(t, Config{DisableEventLog: true})
	w.must(w.rec.Start())
	sp := spec(api.Resources{MilliCPU: 100})
	w.at(0, func() {
		w.node("node-1", api.Resources{MilliCPU: 4000, Memory: 8 * gi})
		d := w.deployment("web", 1, tmpl(1, sp), 5)
		rs := w.ownedRS("web-a", d, tmpl(1, sp), 1)
		w.boundPod("p", rs, sp, false)
	})
	w.at(2, func() { w.setReady("p", true) })
	w.at(4, func() {
		w.updatePod("kubelet", "p", "", func(p *api.Pod) { p.Status.ContainerStatuses[0].RestartCount = 0 })
	})
	w.eng.Run(sec(10))
	w.rec.Finish(sec(10))
	var buf bytes.Buffer
	w.must(w.rec.writeWorkloads(&buf))
	want := WorkloadsHeader + "\n" +
		"0.000,Deployment,default,web,1,1,0,0,1,0,\n" +
		"2.000,Deployment,default,web,1,1,1,0,1,0,\n" +
		"7.000,Deployment,default,web,1,1,1,1,1,0,\n"
	if buf.String() != want {
		t.Errorf("workloads.csv:\n%s\nwant:\n%s", buf.String(), want)
	}
}

// TestWorkloadsStatefulSet: a StatefulSet's pods are updated when their
// controller-revision-hash names a ControllerRevision of the current template.
//
//	0  db (1 replica, template 300), revision db-aaa; db-0 (db-aaa) Ready
//	5  template → 400: rollout; db-0 is old      6  revision db-bbb
//	7  db-0 terminating   8 removed             9  db-0 (db-bbb) created   10 Ready
func TestWorkloadsStatefulSet(t *testing.T) {
	w := newWorld(t, Config{DisableEventLog: true})
	w.must(w.rec.AddLoad(api.KindStatefulSet, "default", "db", traffic.Load{Offered: traffic.Constant{RPS: 10}, PerReplicaRPS: 10}))
	w.must(w.rec.Start())
	sp := spec(api.Resources{MilliCPU: 100})
	var set *api.StatefulSet
	revision := func(name string, hash uint32) {
		_, err := w.st.Revisions.Create("statefulset-controller", &api.ControllerRevision{
			ObjectMeta: api.ObjectMeta{Name: name, Namespace: "default",
				OwnerReferences: []api.OwnerReference{{Kind: api.KindStatefulSet, Name: "db", UID: set.UID, Controller: true}}},
			Revision: 1, Template: tmpl(hash, sp)}, "")
		w.must(err)
	}
	member := func(rev string) {
		p := &api.Pod{ObjectMeta: api.ObjectMeta{Name: "db-0", Namespace: "default", Labels: map[string]string{LabelRevisionHash: rev},
			OwnerReferences: []api.OwnerReference{{Kind: api.KindStatefulSet, Name: "db", UID: set.UID, Controller: true}}}, Spec: sp}
		_, err := w.st.Pods.Create("statefulset-controller", p, "")
		w.must(err)
		w.bind("db-0", "node-1")
		w.run("db-0")
	}
	w.at(0, func() {
		w.node("node-1", api.Resources{MilliCPU: 4000, Memory: 8 * gi})
		var err error
		set, err = w.st.StatefulSets.Create("kubectl", &api.StatefulSet{ObjectMeta: api.ObjectMeta{Name: "db", Namespace: "default"},
			Replicas: 1, Template: tmpl(300, sp)}, "")
		w.must(err)
		revision("db-aaa", 300)
		member("db-aaa")
		w.setReady("db-0", true)
	})
	w.at(5, func() {
		c := set.Clone()
		c.Template = tmpl(400, sp)
		_, err := w.st.StatefulSets.Update("kubectl", c, "")
		w.must(err)
	})
	w.at(6, func() { revision("db-bbb", 400) })
	w.at(7, func() { w.deleteGracefully("db-0") })
	w.at(8, func() { w.remove("db-0") })
	w.at(9, func() { member("db-bbb") })
	w.at(10, func() { w.setReady("db-0", true) })
	w.eng.Run(sec(20))
	w.rec.Finish(sec(20))
	var buf bytes.Buffer
	w.must(w.rec.writeWorkloads(&buf))
	want := WorkloadsHeader + "\n" +
		"0.000,StatefulSet,default,db,1,1,1,1,1,0,\n" +
		"5.000,StatefulSet,default,db,1,1,1,1,0,0,\n" +
		"7.000,StatefulSet,default,db,1,0,0,0,0,1,\n" + // db-0 terminating: not current
		"8.000,StatefulSet,default,db,1,0,0,0,0,0,\n" +
		"9.000,StatefulSet,default,db,1,1,0,0,1,0,\n" +
		"10.000,StatefulSet,default,db,1,1,1,1,1,0,\n"
	if buf.String() != want {
		t.Errorf("workloads.csv:\n%s\nwant:\n%s", buf.String(), want)
	}
	ro := w.rec.Summary().Workloads[0].Rollouts
	if len(ro) != 1 || ro[0].Outcome != RolloutComplete || ro[0].DurationSeconds != 5 || ro[0].MinAvailable != 0 || ro[0].PeakSurge != 0 {
		t.Errorf("rollouts %+v", ro)
	}
	// 10 rps, one replica of 10: nothing served on [7, 10) = 30 of 200.
	checkLoad(t, "run", w.rec.Summary().Workloads[0].Load, LoadSummary{OfferedRequests: 200, ServedRequests: 170,
		DemandServed: 0.85, SecondsBelowDesired: 3, WorstShortfallRPS: 10})
}

// TestWorkloadsSupersededAndDeadline: a rollout whose template changes again
// is superseded; the Deployment's ProgressDeadlineExceeded condition is
// noted; a rollout the run does not see end is in progress.
func TestWorkloadsSupersededAndDeadline(t *testing.T) {
	w := newWorld(t, Config{DisableEventLog: true})
	w.must(w.rec.Start())
	sp := spec(api.Resources{MilliCPU: 100})
	w.at(0, func() {
		w.node("node-1", api.Resources{MilliCPU: 4000, Memory: 8 * gi})
		d := w.deployment("web", 1, tmpl(1, sp), 0)
		rs := w.ownedRS("web-a", d, tmpl(1, sp), 1)
		w.boundPod("p", rs, sp, true)
	})
	w.at(5, func() { w.updateDeployment("web", func(d *api.Deployment) { d.Template = tmpl(2, sp) }) })
	w.at(8, func() {
		w.updateDeployment("web", func(d *api.Deployment) {
			d.Status.Conditions = []api.Condition{{Type: "Progressing", Status: api.ConditionFalse, Reason: "ProgressDeadlineExceeded"}}
		})
	})
	w.at(9, func() { w.updateDeployment("web", func(d *api.Deployment) { d.Template = tmpl(3, sp) }) })
	w.eng.Run(sec(20))
	w.rec.Finish(sec(20))
	ro := w.rec.Summary().Workloads[0].Rollouts
	if len(ro) != 2 {
		t.Fatalf("rollouts %+v", ro)
	}
	if ro[0].Outcome != RolloutSuperseded || !ro[0].ProgressDeadlineExceeded || ro[0].DurationSeconds != 4 || *ro[0].EndSeconds != 9 {
		t.Errorf("first rollout %+v", ro[0])
	}
	if ro[1].Outcome != RolloutInProgress || ro[1].ProgressDeadlineExceeded || ro[1].EndSeconds != nil || ro[1].DurationSeconds != 11 {
		t.Errorf("second rollout %+v", ro[1])
	}
}

func TestAddLoadMisuse(t *testing.T) {
	w := newWorld(t, Config{DisableEventLog: true})
	load := traffic.Load{Offered: traffic.Constant{RPS: 1}, PerReplicaRPS: 1}
	if err := w.rec.AddLoad(api.KindDaemonSet, "default", "x", load); err == nil {
		t.Error("load on a DaemonSet accepted")
	}
	w.must(w.rec.AddLoad(api.KindDeployment, "default", "x", load))
	if err := w.rec.AddLoad(api.KindDeployment, "default", "x", load); err == nil {
		t.Error("second load accepted")
	}
	w.must(w.rec.Start())
	defer w.rec.Close()
	if err := w.rec.AddLoad(api.KindStatefulSet, "default", "y", load); err == nil {
		t.Error("AddLoad after Start accepted")
	}
}

// TestWorkloadsInstantRevert: writes at one instant that leave the counts as
// they were make no row.
func TestWorkloadsInstantRevert(t *testing.T) {
	w := newWorld(t, Config{DisableEventLog: true})
	w.must(w.rec.Start())
	sp := spec(api.Resources{MilliCPU: 100})
	w.at(0, func() {
		w.node("node-1", api.Resources{MilliCPU: 4000, Memory: 8 * gi})
		d := w.deployment("web", 1, tmpl(1, sp), 0)
		rs := w.ownedRS("web-a", d, tmpl(1, sp), 1)
		w.boundPod("p", rs, sp, true)
	})
	w.at(3, func() { w.setReady("p", false); w.setReady("p", true) })
	w.at(4, func() { w.setReady("p", false) })
	w.eng.Run(sec(10))
	w.rec.Finish(sec(10))
	var buf bytes.Buffer
	w.must(w.rec.writeWorkloads(&buf))
	want := WorkloadsHeader + "\n" +
		"0.000,Deployment,default,web,1,1,1,1,1,0,\n" +
		"4.000,Deployment,default,web,1,1,0,0,1,0,\n"
	if buf.String() != want {
		t.Errorf("workloads.csv:\n%s\nwant:\n%s", buf.String(), want)
	}
}

// BenchmarkPodLifecycleOwned is BenchmarkPodLifecycleNoEventLog for pods of
// a ReplicaSet: the workload tracker's cost per pod (five writes: create,
// bind, run, ready, removal) on top of the rest of the recorder.
func BenchmarkPodLifecycleOwned(b *testing.B) {
	w := newWorld(b, Config{DisableEventLog: true})
	w.must(w.rec.Start())
	defer w.rec.Close()
	w.node("node-1", api.Resources{MilliCPU: 1 << 40, Memory: 1 << 50})
	sp := spec(api.Resources{MilliCPU: 100, Memory: mi})
	rs, err := w.st.ReplicaSets.Create("kubectl", &api.ReplicaSet{ObjectMeta: api.ObjectMeta{Name: "web", Namespace: "default"},
		Replicas: 1, Template: tmpl(1, sp)}, "")
	w.must(err)
	names := make([]string, b.N)
	for i := range names {
		names[i] = "p-" + strconv.Itoa(i)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for _, name := range names {
		w.boundPod(name, rs, sp, true)
		w.remove(name)
	}
}
