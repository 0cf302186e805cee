package deployment

import (
	"fmt"
	"hash/fnv"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kubesim/kubesim/controllers/internal/script"

	"github.com/kubesim/kubesim/controllers/reconciler"
	"github.com/kubesim/kubesim/sim"
	"github.com/kubesim/kubesim/sim/api"
	"github.com/kubesim/kubesim/sim/store"
)

// harness is a store with only the Deployment controller running; the test
// plays the ReplicaSet controller by writing ReplicaSet status directly
// (settle), so that rollout steps are exact and traces short.
type harness struct {
	t   testing.TB
	eng *sim.Engine
	st  *store.Store
	dc  *Controller
	log []string
	// writes counts the controller's store writes (not events).
	writes int
}

func newHarness(t testing.TB) *harness {
	eng := sim.NewEngine(1, 0)
	st := store.New(eng, store.Options{})
	h := &harness{t: t, eng: eng, st: st}
	st.OnWrite(func(w *store.Write) {
		if w.Component != Component {
			return
		}
		if w.Verb != store.VerbEvent {
			h.writes++
		}
		h.log = append(h.log, describeWrite(w))
	})
	h.dc = New(st, reconciler.Config{})
	return h
}

func describeWrite(w *store.Write) string {
	s := fmt.Sprintf("%s %s %s %s", script.Clock(w.Time), w.Verb, w.Kind, w.Key)
	if w.Verb == store.VerbEvent {
		return s + " " + w.Reason + ": " + w.Message
	}
	s += " " + w.Reason
	switch o := w.New.(type) {
	case *api.ReplicaSet:
		s += " " + describeRS(o)
	case *api.Deployment:
		s += " " + describeDeploy(o)
	}
	return s
}

func describeRS(rs *api.ReplicaSet) string {
	return fmt.Sprintf("spec=%d rev=%s desired=%s max=%s status=%d/%d/%d",
		rs.Replicas, rs.Annotations[AnnotationRevision], rs.Annotations[AnnotationDesiredReplicas],
		rs.Annotations[AnnotationMaxReplicas], rs.Status.Replicas, rs.Status.ReadyReplicas, rs.Status.AvailableReplicas)
}

func describeDeploy(d *api.Deployment) string {
	s := d.Status
	out := fmt.Sprintf("rev=%s gen=%d/%d replicas=%d updated=%d ready=%d available=%d unavailable=%d",
		d.Annotations[AnnotationRevision], s.ObservedGeneration, d.Generation, s.Replicas, s.UpdatedReplicas,
		s.ReadyReplicas, s.AvailableReplicas, s.UnavailableReplicas)
	if s.CollisionCount > 0 {
		out += fmt.Sprintf(" collisions=%d", s.CollisionCount)
	}
	for _, c := range s.Conditions {
		out += fmt.Sprintf(" %s=%s/%s@%s", c.Type, c.Status, c.Reason, script.Clock(c.LastUpdateTime))
	}
	return out
}

// templateFor returns a template running image, hashed by its image so
// that equal images make equal templates.
func templateFor(app, image string, probe *api.Probe) *api.PodTemplate {
	spec := &api.PodSpec{RestartPolicy: api.RestartAlways, TerminationGracePeriodSeconds: 30,
		Containers: []api.Container{{Name: "app", Image: image, ReadinessProbe: probe,
			Requests: api.Resources{MilliCPU: 100, Memory: 64 << 20}, HasCPURequest: true, HasMemoryRequest: true}}}
	spec.Compile()
	f := fnv.New32a()
	_, _ = f.Write([]byte(app + "/" + image))
	return &api.PodTemplate{Labels: map[string]string{"app": app}, Spec: spec, Hash: f.Sum32()}
}

// deploySpec describes a Deployment for newDeployment.
type deploySpec struct {
	name           string
	replicas       int32
	image          string
	strategy       string
	surge, unavail api.IntOrPercent
	minReady       int32
	deadline       int32
	history        int32
	probe          *api.Probe
}

func pct(v int32) api.IntOrPercent { return api.IntOrPercent{Value: v, IsPercent: true} }
func abs(v int32) api.IntOrPercent { return api.IntOrPercent{Value: v} }

// newDeployment builds a Deployment with upstream defaults for unset fields.
func newDeployment(s deploySpec) *api.Deployment {
	if s.strategy == "" {
		s.strategy = StrategyRollingUpdate
	}
	if s.surge == (api.IntOrPercent{}) && s.unavail == (api.IntOrPercent{}) && s.strategy == StrategyRollingUpdate {
		s.surge, s.unavail = pct(25), pct(25)
	}
	if s.deadline == 0 {
		s.deadline = 600
	}
	if s.history == 0 {
		s.history = 10
	}
	if s.image == "" {
		s.image = "app:v1"
	}
	d := &api.Deployment{
		ObjectMeta:              api.ObjectMeta{Name: s.name, Namespace: "default"},
		Replicas:                s.replicas,
		Selector:                api.SelectorFromMap(map[string]string{"app": s.name}),
		Template:                templateFor(s.name, s.image, s.probe),
		MinReadySeconds:         s.minReady,
		RevisionHistoryLimit:    s.history,
		ProgressDeadlineSeconds: s.deadline,
		Strategy:                api.DeploymentStrategy{Type: s.strategy},
	}
	if s.strategy == StrategyRollingUpdate {
		d.Strategy.MaxSurge, d.Strategy.MaxUnavailable = s.surge, s.unavail
	}
	return d
}

func (h *harness) create(d *api.Deployment) {
	h.t.Helper()
	if _, err := h.st.Deployments.Create("test", d, "test"); err != nil {
		h.t.Fatal(err)
	}
}

func (h *harness) deploy(name string) *api.Deployment {
	h.t.Helper()
	d, ok := h.st.Deployments.Get("default", name)
	if !ok {
		h.t.Fatalf("no deployment %s", name)
	}
	return d
}

// setImage updates the Deployment's template, as kubectl set image does.
func (h *harness) setImage(name, image string) {
	h.t.Helper()
	d := h.deploy(name).Clone()
	d.Template = templateFor(name, image, d.Template.Spec.Containers[0].ReadinessProbe)
	d.Generation++
	if _, err := h.st.Deployments.Update("test", d, "test"); err != nil {
		h.t.Fatal(err)
	}
}

// advance runs the engine for d and returns the controller's writes.
func (h *harness) advance(d time.Duration) []string {
	h.log = nil
	h.eng.Run(h.eng.Now().Add(d))
	return h.log
}

// rsList returns the Deployment's ReplicaSets, oldest first.
func (h *harness) rsList(name string) []*api.ReplicaSet {
	d := h.deploy(name)
	var out []*api.ReplicaSet
	for _, rs := range h.st.ReplicaSets.ByIndex(store.IndexOwner, string(d.UID)) {
		out = append(out, rs)
	}
	slices.SortFunc(out, compareByCreation)
	return out
}

// settle plays the ReplicaSet controller: every ReplicaSet's status becomes
// replicas = ready = available = spec.replicas, with observedGeneration =
// generation, except that a ReplicaSet whose image is a key of avail has at
// most that many ready and available pods (0: its pods never get ready).
func (h *harness) settle(avail map[string]int32) {
	h.t.Helper()
	for _, rs := range h.st.ReplicaSets.List("", nil) {
		st := api.ReplicaSetStatus{Replicas: rs.Replicas, FullyLabeledReplicas: rs.Replicas,
			ReadyReplicas: rs.Replicas, AvailableReplicas: rs.Replicas, ObservedGeneration: rs.Generation}
		if n, ok := avail[rs.Template.Spec.Containers[0].Image]; ok {
			st.ReadyReplicas, st.AvailableReplicas = min(n, rs.Replicas), min(n, rs.Replicas)
		}
		if st == rs.Status {
			continue
		}
		upd := rs.Clone()
		upd.Status = st
		if _, err := h.st.ReplicaSets.Update("test", upd, "test"); err != nil {
			h.t.Fatal(err)
		}
	}
}

// sizes returns "image:spec" of the Deployment's ReplicaSets, oldest first.
func (h *harness) sizes(name string) string {
	var parts []string
	for _, rs := range h.rsList(name) {
		parts = append(parts, fmt.Sprintf("%s:%d", rs.Template.Spec.Containers[0].Image, rs.Replicas))
	}
	return strings.Join(parts, " ")
}
