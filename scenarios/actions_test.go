package scenarios

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/kubesim/kubesim/results"
	"github.com/kubesim/kubesim/sim"
	"github.com/kubesim/kubesim/sim/api"
	"github.com/kubesim/kubesim/sim/store"
	"github.com/kubesim/kubesim/workloads/traffic"
)

// TestActionErrors: every problem of the actions and loads is reported with
// its line and field path; field errors first (the timeline is replayed only
// for scenarios whose fields are valid).
func TestActionErrors(t *testing.T) {
	cases := []struct {
		file string
		want []string
	}{
		{"testdata/invalid-actions.yaml", []string{
			`testdata/invalid-actions.yaml:19: spec.actions[0].scale.kind: "Job" is not supported by scale: supported kinds are Deployment, ReplicaSet, StatefulSet`,
			`testdata/invalid-actions.yaml:19: spec.actions[0].scale.replicas: must be >= 0, got -1`,
			`testdata/invalid-actions.yaml:20: spec.actions[1].at: 11m0s is after the end of the run (spec.duration 10m0s)`,
			`testdata/invalid-actions.yaml:22: spec.actions[2]: must have exactly one of apply, scale, rolloutUndo, rolloutPause, rolloutResume, delete, cordon, uncordon, drain, maintenance; got none`,
			`testdata/invalid-actions.yaml:23: spec.actions[3]: must have exactly one verb, got rolloutPause and rolloutResume: write one action per verb`,
			`testdata/invalid-actions.yaml:27: spec.actions[4].rolloutUndo.kind: "StatefulSet" is not supported by rolloutUndo: supported kinds are Deployment`,
			`testdata/invalid-actions.yaml:27: spec.actions[4].rolloutUndo.toRevision: must be >= 0 (0 is the previous revision), got -2`,
			`testdata/invalid-actions.yaml:29: spec.actions[5].delete.kind: "Node" is not supported by delete: supported kinds are Pod, ReplicaSet, Deployment, StatefulSet, DaemonSet, Job, Service, PodDisruptionBudget`,
			`testdata/invalid-actions.yaml:31: spec.actions[6].scale.name: is required`,
			`testdata/invalid-actions.yaml:31: spec.actions[6].scale.replicas: is required`,
			`testdata/invalid-actions.yaml:33: spec.actions[7].apply.manifests: must name at least one manifest file`,
			`testdata/invalid-actions.yaml:35: spec.load[0].perReplicaRPS: must be a number > 0 (requests per second one Ready replica serves), got 0`,
			`testdata/invalid-actions.yaml:35: spec.load[0].offered: must have exactly one of constant, diurnal, series; got none`,
			`testdata/invalid-actions.yaml:36: spec.load[1].kind: "DaemonSet" cannot be offered load: supported kinds are Deployment, StatefulSet`,
			`testdata/invalid-actions.yaml:36: spec.load[1].offered.constant.rps: must be a finite number >= 0, got -5`,
			`testdata/invalid-actions.yaml:37: spec.load[2].offered.diurnal.peak: must be a finite number >= trough (2), got 1`,
			`testdata/invalid-actions.yaml:38: spec.load[3]: Deployment shop/app already has a load (spec.load[0]); a workload has one`,
			`testdata/invalid-actions.yaml:38: spec.load[3].offered: must have exactly one of constant, diurnal, series; got constant and series`,
		}},
		{"testdata/invalid-action-timeline.yaml", []string{
			`testdata/invalid-action-timeline.yaml:33: spec.actions[7].apply.manifests[1]: actions/app-v2.yaml: Deployment shop/app is already defined by spec.actions[7].apply.manifests[0] (actions/app-v2.yaml) in the same action`,
			`testdata/invalid-action-timeline.yaml:19: spec.actions[0].scale.name: Deployment shop/app does not exist at 30s: no manifest in spec.cluster, spec.workloads (at or before 30s) or an earlier apply action defines it`,
			`testdata/invalid-action-timeline.yaml:33: spec.actions[7].apply: Deployment shop/app is created by spec.workloads at 1m0s, after this action (30s): each object is created once; apply it after 1m0s to update it`,
			`testdata/invalid-action-timeline.yaml:21: spec.actions[1].apply: Deployment shop/app: spec.selector: field is immutable (it differs from the existing object's)`,
			`testdata/invalid-action-timeline.yaml:21: spec.actions[1].apply: Pod shop/debug: already exists and a Pod cannot be updated (its spec is immutable): delete it first; apply updates Deployment, ReplicaSet, StatefulSet, DaemonSet, Service, PodDisruptionBudget, Namespace`,
			`testdata/invalid-action-timeline.yaml:25: spec.actions[3].rolloutUndo: Deployment shop/app is paused at 4m0s: a paused deployment cannot be rolled back; resume it first (rolloutResume)`,
			`testdata/invalid-action-timeline.yaml:29: spec.actions[5].delete.name: Pod shop/debug does not exist at 6m0s: spec.actions[4] deleted it`,
			`testdata/invalid-action-timeline.yaml:31: spec.actions[6].scale.name: StatefulSet shop/db does not exist at 7m0s: no manifest in spec.cluster, spec.workloads (at or before 7m0s) or an earlier apply action defines it`,
			`testdata/invalid-action-timeline.yaml:35: spec.load[0].name: StatefulSet shop/nope is not defined by any manifest of the scenario`,
			`testdata/invalid-action-timeline.yaml:36: spec.load[1].offered.series.file: testdata/actions/bad.csv: traffic: line 3: time_seconds 0 is not after the previous line's 0`,
		}},
	}
	for _, tc := range cases {
		_, err := Load(tc.file)
		var le *LoadError
		if !errors.As(err, &le) {
			t.Fatalf("%s: got %v, want a *LoadError", tc.file, err)
		}
		var got []string
		for _, e := range le.Errors {
			got = append(got, e.Error())
		}
		if strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
			t.Errorf("%s:\ngot:\n%s\nwant:\n%s", tc.file, strings.Join(got, "\n"), strings.Join(tc.want, "\n"))
		}
	}
}

func TestLoadActions(t *testing.T) {
	l, err := Load("testdata/valid-actions.yaml")
	if err != nil {
		t.Fatal(err)
	}
	// Sorted by time, file order for equal times.
	var got []string
	for _, a := range l.Actions {
		got = append(got, a.At.String()+" "+a.Verb+" "+a.Path)
	}
	want := []string{
		"2m0s apply spec.actions[1]", "2m0s rolloutPause spec.actions[2]", "3m0s rolloutResume spec.actions[3]",
		"5m0s scale spec.actions[0]", "6m0s rolloutUndo spec.actions[4]", "8m0s scale spec.actions[5]",
		"10m0s delete spec.actions[6]", "11m0s delete spec.actions[7]",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("actions:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if a := l.Actions[0]; len(a.Objects) != 1 || a.Objects[0].GetKind() != api.KindDeployment {
		t.Errorf("apply objects %v", a.Objects)
	}
	if a := l.Actions[3]; a.Kind != api.KindReplicaSet || a.Namespace != "shop" || a.Name != "cache" || a.Replicas != 3 {
		t.Errorf("scale %+v", a)
	}
	if len(l.Loads) != 1 || l.Loads[0].Load.PerReplicaRPS != 50 {
		t.Fatalf("loads %+v", l.Loads)
	}
	s, ok := l.Loads[0].Load.Offered.(*traffic.Series)
	if !ok || s.Len() != 3 {
		t.Fatalf("offered %#v", l.Loads[0].Load.Offered)
	}
}

// TestActionsRun runs testdata/valid-actions.yaml and checks what each action
// did: the apply at 2m starts a rollout that the pause (same time, after it)
// holds until the resume at 3m; the undo at 6m rolls back to the first
// template; the scales take effect; the deletes cascade.
func TestActionsRun(t *testing.T) {
	l, err := Load("testdata/valid-actions.yaml")
	if err != nil {
		t.Fatal(err)
	}
	s, err := Build(l)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	st := s.Store()
	var rsCreated []sim.Time
	var kubectl []string
	st.OnWrite(func(w *store.Write) {
		if w.Kind == api.KindReplicaSet && w.Verb == store.VerbCreate && w.Component != ApplyComponent {
			rsCreated = append(rsCreated, w.Time)
		}
		if w.Component == ApplyComponent && w.Verb != store.VerbEvent && w.Time > 0 {
			kubectl = append(kubectl, w.Time.String()+" "+string(w.Verb)+" "+string(w.Kind)+" "+w.Key+" "+w.Reason)
		}
	})
	var cacheAt6m int
	s.Engine().AtFunc(sim.Time(6*time.Minute), func(sim.Time) {
		for _, p := range st.Pods.List("shop", nil) {
			if p.Labels["app"] == "cache" && !p.IsTerminal() {
				cacheAt6m++
			}
		}
	})
	rec, err := s.Run()
	if err != nil {
		t.Fatal(err)
	}
	// Two ReplicaSets made by the controller: revision 1 at once, revision
	// 2 only after the resume (the undo reuses revision 1's).
	if len(rsCreated) != 2 || rsCreated[0] > sim.Time(time.Second) || rsCreated[1] < sim.Time(3*time.Minute) {
		t.Errorf("ReplicaSets created at %v; want one at 0 and one after the resume at 3m", rsCreated)
	}
	wantKubectl := []string{
		"2m0s update Deployment shop/app Apply",
		"2m0s update Deployment shop/app PauseDeployment",
		"3m0s update Deployment shop/app ResumeDeployment",
		"5m0s update ReplicaSet shop/cache Scale",
		"6m0s update Deployment shop/app RollbackDeployment",
		"8m0s update Deployment shop/app ScaleDeployment",
		"10m0s delete Pod shop/debug Delete",
		"11m0s delete Deployment shop/app Delete",
	}
	if strings.Join(kubectl, "\n") != strings.Join(wantKubectl, "\n") {
		t.Errorf("kubectl writes:\n%s\nwant:\n%s", strings.Join(kubectl, "\n"), strings.Join(wantKubectl, "\n"))
	}
	if cacheAt6m != 3 {
		t.Errorf("%d cache pods at 6m, want 3", cacheAt6m)
	}
	// At the end the Deployment, its ReplicaSets and pods are gone; the
	// debug pod too.
	for _, p := range st.Pods.List("shop", nil) {
		if p.Labels["app"] != "cache" {
			t.Errorf("pod %s left at the end", p.Key())
		}
	}
	if n := len(st.ReplicaSets.List("shop", nil)); n != 1 {
		t.Errorf("%d ReplicaSets left, want only cache", n)
	}

	sum := rec.Summary()
	var app *results.WorkloadSummary
	for i := range sum.Workloads {
		if sum.Workloads[i].Kind == "Deployment" {
			app = &sum.Workloads[i]
		}
	}
	if app == nil || !app.Deleted || len(app.Rollouts) != 2 {
		t.Fatalf("app summary %+v", app)
	}
	r1, r2 := app.Rollouts[0], app.Rollouts[1]
	if r1.Outcome != results.RolloutComplete || r1.StartSeconds != 120 || *r1.EndSeconds < 180 || r1.Revision != "2" {
		t.Errorf("first rollout %+v", r1)
	}
	if r2.Outcome != results.RolloutComplete || r2.StartSeconds != 360 || r2.Revision != "3" {
		t.Errorf("rollback %+v", r2)
	}
	if app.Load == nil || app.Load.OfferedRequests <= 0 {
		t.Errorf("load %+v", app.Load)
	}
}

// TestApplyUpdate: applying the manifest an object was created from writes
// nothing; applying a new image updates the object in place (same UID,
// status and controller annotations kept, generation bumped); a new replica
// count alone is a spec change too.
func TestApplyUpdate(t *testing.T) {
	l, err := Load("testdata/valid-actions.yaml")
	if err != nil {
		t.Fatal(err)
	}
	s, err := Build(l)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	st := s.Store()
	s.Engine().Run(sim.Time(time.Minute))
	var writes []*store.Write
	st.OnWrite(func(w *store.Write) {
		if w.Component == ApplyComponent {
			writes = append(writes, w)
		}
	})
	v1 := l.Batches[0].Objects[0].(*api.Deployment)
	before, _ := st.Deployments.Get("shop", "app")
	if err := s.applyObject(v1); err != nil {
		t.Fatal(err)
	}
	if len(writes) != 0 {
		t.Fatalf("re-applying the same manifest wrote %d times", len(writes))
	}
	v2 := l.Actions[0].Objects[0].(*api.Deployment)
	if err := s.applyObject(v2); err != nil {
		t.Fatal(err)
	}
	after, _ := st.Deployments.Get("shop", "app")
	if len(writes) != 1 || writes[0].Reason != ReasonApply || after.UID != before.UID ||
		after.Generation != before.Generation+1 || after.Template.Hash != v2.Template.Hash ||
		after.Status.ReadyReplicas != before.Status.ReadyReplicas ||
		after.Annotations["deployment.kubernetes.io/revision"] != before.Annotations["deployment.kubernetes.io/revision"] {
		t.Fatalf("update: %d writes; before %+v\nafter %+v", len(writes), before.ObjectMeta, after.ObjectMeta)
	}
	if err := s.applyObject(v2); err != nil || len(writes) != 1 {
		t.Fatalf("re-applying v2: %v, %d writes", err, len(writes))
	}
	scaled := v2.Clone()
	scaled.Replicas = 7
	if err := s.applyObject(scaled); err != nil {
		t.Fatal(err)
	}
	if got, _ := st.Deployments.Get("shop", "app"); len(writes) != 2 || got.Replicas != 7 || got.Generation != before.Generation+2 {
		t.Fatalf("scale by apply: %d writes, replicas %d, generation %d", len(writes), got.Replicas, got.Generation)
	}
	// A Pod's spec is immutable: applying one that exists is refused.
	pod := l.Batches[0].Objects[2]
	if err := s.applyObject(pod); err == nil || !errors.Is(err, store.ErrInvalid) {
		t.Errorf("apply over an existing pod: %v", err)
	}
}

// TestActionsAfterBatchesAtEqualTimes: an action at the time of the batch
// that creates its object runs after the batch, so it finds the object.
func TestActionsAfterBatchesAtEqualTimes(t *testing.T) {
	src := `apiVersion: kubesim.io/v1alpha1
kind: Scenario
metadata: {name: same-time}
spec:
  duration: 2m
  cluster:
    nodePools:
    - {name: pool, count: 1, template: {status: {allocatable: {cpu: "8", memory: 16Gi}}}}
  actions:
  - at: 1m
    scale: {kind: Deployment, namespace: shop, name: app, replicas: 1}
  workloads:
  - at: 1m
    manifests: [actions/app-v1.yaml]
`
	l, err := Parse("testdata/same-time.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	s, err := Build(l)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := s.Run(); err != nil {
		t.Fatal(err)
	}
	if d, ok := s.Store().Deployments.Get("shop", "app"); !ok || d.Replicas != 1 || d.Generation != 2 {
		t.Fatalf("deployment %+v", d)
	}
}
