package deployment_test

import (
	"hash/fnv"
	"testing"
	"time"

	"github.com/kubesim/kubesim/controllers"
	"github.com/kubesim/kubesim/controllers/deployment"
	"github.com/kubesim/kubesim/scheduler"
	"github.com/kubesim/kubesim/sim"
	"github.com/kubesim/kubesim/sim/api"
	"github.com/kubesim/kubesim/sim/kubelet"
	"github.com/kubesim/kubesim/sim/store"
)

// cluster is an engine, a store, four 4-CPU nodes with kubelets, the default
// scheduler and every controller.
type cluster struct {
	t   *testing.T
	eng *sim.Engine
	st  *store.Store
}

func at(s float64) sim.Time { return sim.Time(s * float64(time.Second)) }

func newCluster(t *testing.T) *cluster {
	eng := sim.NewEngine(1, 0)
	st := store.New(eng, store.Options{})
	for _, name := range []string{"n1", "n2", "n3", "n4"} {
		r := api.Resources{MilliCPU: 4000, Memory: 8 << 30}
		n := &api.Node{ObjectMeta: api.ObjectMeta{Name: name, Labels: map[string]string{api.LabelHostname: name}},
			Capacity: r, Allocatable: r, AllowedPods: 110}
		if _, err := st.Nodes.Create("test", n, ""); err != nil {
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
	return &cluster{t: t, eng: eng, st: st}
}

// template runs image; a never-ready image has a readiness probe that
// first succeeds after a day.
func template(image string, neverReady bool) *api.PodTemplate {
	c := api.Container{Name: "app", Image: image, Requests: api.Resources{MilliCPU: 200, Memory: 128 << 20},
		HasCPURequest: true, HasMemoryRequest: true}
	if neverReady {
		c.ReadinessProbe = &api.Probe{InitialDelaySeconds: 86400, PeriodSeconds: 10, TimeoutSeconds: 1, SuccessThreshold: 1, FailureThreshold: 3}
	}
	spec := &api.PodSpec{RestartPolicy: api.RestartAlways, TerminationGracePeriodSeconds: 30, Containers: []api.Container{c}}
	spec.Compile()
	h := fnv.New32a()
	_, _ = h.Write([]byte(image))
	return &api.PodTemplate{Labels: map[string]string{"app": "web"}, Spec: spec, Hash: h.Sum32()}
}

func (c *cluster) create(replicas, deadline int32, strategy string) {
	d := &api.Deployment{
		ObjectMeta: api.ObjectMeta{Name: "web", Namespace: "default"},
		Replicas:   replicas, Selector: api.SelectorFromMap(map[string]string{"app": "web"}),
		Template: template("app:v1", false), RevisionHistoryLimit: 10, ProgressDeadlineSeconds: deadline,
		Strategy: api.DeploymentStrategy{Type: strategy},
	}
	if strategy == deployment.StrategyRollingUpdate {
		d.Strategy.MaxSurge = api.IntOrPercent{Value: 25, IsPercent: true}
		d.Strategy.MaxUnavailable = api.IntOrPercent{Value: 25, IsPercent: true}
	}
	if _, err := c.st.Deployments.Create("test", d, "test"); err != nil {
		c.t.Fatal(err)
	}
}

func (c *cluster) setTemplate(t *api.PodTemplate) {
	d, _ := c.st.Deployments.Get("default", "web")
	upd := d.Clone()
	upd.Template = t
	upd.Generation++
	if _, err := c.st.Deployments.Update("test", upd, "test"); err != nil {
		c.t.Fatal(err)
	}
}

func (c *cluster) deploy() *api.Deployment {
	d, _ := c.st.Deployments.Get("default", "web")
	return d
}

// counts returns the web pods that are active (neither finished nor being
// deleted), those of them that are Ready, and per image the pods that have
// not finished (terminating ones included).
func (c *cluster) counts() (active, ready int32, unfinished map[string]int32) {
	unfinished = map[string]int32{}
	for _, p := range c.st.Pods.List("default", nil) {
		if p.IsTerminal() {
			continue
		}
		unfinished[p.Spec.Containers[0].Image]++
		if p.DeletionTimestamp != nil {
			continue
		}
		active++
		if p.IsReady() {
			ready++
		}
	}
	return active, ready, unfinished
}

func (c *cluster) expectDone(image string, replicas int32) {
	c.t.Helper()
	d := c.deploy()
	s := d.Status
	if s.UpdatedReplicas != replicas || s.ReadyReplicas != replicas || s.AvailableReplicas != replicas ||
		s.Replicas != replicas || s.ObservedGeneration != d.Generation {
		c.t.Fatalf("status %+v", s)
	}
	if cond := api.FindCondition(s.Conditions, deployment.ConditionProgressing); cond == nil || cond.Reason != deployment.ReasonNewRSAvailable {
		c.t.Fatalf("Progressing %+v", cond)
	}
	if _, ready, unfinished := c.counts(); ready != replicas || unfinished[image] != replicas || len(unfinished) != 1 {
		c.t.Fatalf("ready %d, pods %v", ready, unfinished)
	}
}

// TestEndToEndRollingUpdate rolls 10 replicas to a new image: it finishes
// with updated = ready = 10, and at every store write there are at most
// R+S = 13 active pods and at least R−U = 8 ready ones.
func TestEndToEndRollingUpdate(t *testing.T) {
	c := newCluster(t)
	c.create(10, 600, deployment.StrategyRollingUpdate)
	c.eng.Run(at(60))
	c.expectDone("app:v1", 10)

	var maxActive, minReady int32 = 0, 1 << 30
	checking := true
	c.st.OnWrite(func(*store.Write) {
		if !checking {
			return
		}
		active, ready, _ := c.counts()
		maxActive, minReady = max(maxActive, active), min(minReady, ready)
	})
	c.setTemplate(template("app:v2", false))
	c.eng.Run(at(300))
	checking = false
	c.expectDone("app:v2", 10)
	t.Logf("active pods peaked at %d, ready pods fell to %d", maxActive, minReady)
	if maxActive > 13 || minReady < 8 {
		t.Fatalf("active pods peaked at %d (bound 13), ready fell to %d (bound 8)", maxActive, minReady)
	}
	if maxActive != 13 || minReady != 8 {
		t.Fatalf("the rollout did not use its budget: peak %d, low %d", maxActive, minReady)
	}
}

// TestEndToEndProgressDeadlineAndRollback rolls to an image that never gets
// Ready: the rollout stops at R−U = 8 available pods, Progressing turns
// False/ProgressDeadlineExceeded one sync after progressDeadlineSeconds past
// the last progress, and RollbackTo restores 10 ready pods of the old image.
func TestEndToEndProgressDeadlineAndRollback(t *testing.T) {
	c := newCluster(t)
	c.create(10, 60, deployment.StrategyRollingUpdate)
	c.eng.Run(at(60))
	c.expectDone("app:v1", 10)

	var lastProgress, timedOutAt sim.Time
	c.st.OnWrite(func(w *store.Write) {
		if w.Kind != api.KindDeployment || w.Verb != store.VerbUpdate || w.Component != deployment.Component {
			return
		}
		cond := api.FindCondition(w.New.(*api.Deployment).Status.Conditions, deployment.ConditionProgressing)
		switch {
		case cond == nil:
		case cond.Reason == deployment.ReasonReplicaSetUpdated:
			lastProgress = cond.LastUpdateTime
		case cond.Reason == deployment.ReasonTimedOut && timedOutAt == 0:
			timedOutAt = w.Time
			if cond.Status != api.ConditionFalse || cond.LastUpdateTime != w.Time {
				t.Errorf("timed-out condition %+v", cond)
			}
		}
	})
	c.setTemplate(template("app:v2", true))
	c.eng.Run(at(400))
	d := c.deploy()
	if d.Status.AvailableReplicas != 8 || d.Status.UpdatedReplicas != 5 || d.Status.Replicas != 13 {
		t.Fatalf("stuck rollout status %+v", d.Status)
	}
	if _, ready, _ := c.counts(); ready != 8 {
		t.Fatalf("%d ready pods, want 8", ready)
	}
	want := lastProgress.Add(60*time.Second + deployment.DefaultConfig().SyncLatency + 1)
	t.Logf("last progress %v, timed out at %v", lastProgress, timedOutAt)
	if lastProgress == 0 || timedOutAt != want {
		t.Fatalf("timed out at %v, want %v (last progress %v)", timedOutAt, want, lastProgress)
	}
	if cond := api.FindCondition(d.Status.Conditions, deployment.ConditionAvailable); cond == nil || cond.Status != api.ConditionTrue {
		t.Fatalf("Available %+v: 8 ≥ 10 − 2 is minimum availability", cond)
	}

	if err := deployment.RollbackTo(c.st, "test", "default", "web", 0); err != nil {
		t.Fatal(err)
	}
	c.eng.Run(at(600))
	c.expectDone("app:v1", 10)
	if rev := c.deploy().Annotations[deployment.AnnotationRevision]; rev != "3" {
		t.Fatalf("revision after rollback %q, want 3", rev)
	}
}

// TestEndToEndRecreate: old and new pods never run at the same time.
func TestEndToEndRecreate(t *testing.T) {
	c := newCluster(t)
	c.create(6, 600, deployment.StrategyRecreate)
	c.eng.Run(at(60))
	c.expectDone("app:v1", 6)
	overlap := false
	c.st.OnWrite(func(*store.Write) {
		if _, _, u := c.counts(); u["app:v1"] > 0 && u["app:v2"] > 0 {
			overlap = true
		}
	})
	c.setTemplate(template("app:v2", false))
	c.eng.Run(at(300))
	c.expectDone("app:v2", 6)
	if overlap {
		t.Fatal("old and new pods ran at the same time")
	}
}
