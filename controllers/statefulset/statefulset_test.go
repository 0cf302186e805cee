package statefulset

import (
	"errors"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kubesim/kubesim/controllers/reconciler"
	"github.com/kubesim/kubesim/sim"
	"github.com/kubesim/kubesim/sim/api"
	"github.com/kubesim/kubesim/sim/store"
)

func TestParseOrdinal(t *testing.T) {
	tests := []struct {
		name   string
		parent string
		ord    int
	}{
		{"web-0", "web", 0},
		{"web-12", "web", 12},
		{"my-app-3", "my-app", 3},
		{"a-1-2", "a-1", 2},
		{"web-007", "web", 7},
		{"-5", "", 5},
		{"web", "", -1},
		{"web-", "", -1},
		{"123", "", -1},
		{"web-1a", "", -1},
		{"web-x7k2p", "", -1},
		{"web-99999999999", "web", -1}, // does not fit an int32
		{"web-2147483647", "web", 2147483647},
	}
	for _, tc := range tests {
		parent, ord := ParseOrdinal(tc.name)
		if parent != tc.parent || ord != tc.ord {
			t.Errorf("ParseOrdinal(%q) = %q, %d; want %q, %d", tc.name, parent, ord, tc.parent, tc.ord)
		}
	}
}

func TestMaxUnavailable(t *testing.T) {
	tests := []struct {
		v        *api.IntOrPercent
		replicas int32
		want     int
	}{
		{nil, 5, 1},
		{&api.IntOrPercent{Value: 3}, 5, 3},
		{&api.IntOrPercent{Value: 3}, 2, 3},                   // not capped, as upstream
		{&api.IntOrPercent{Value: 50, IsPercent: true}, 5, 2}, // 2.5 rounded down
		{&api.IntOrPercent{Value: 25, IsPercent: true}, 4, 1},
		{&api.IntOrPercent{Value: 10, IsPercent: true}, 5, 1}, // 0.5 → 0 → at least 1
		{&api.IntOrPercent{Value: 100, IsPercent: true}, 7, 7},
		{&api.IntOrPercent{Value: 50, IsPercent: true}, 0, 1},
	}
	for _, tc := range tests {
		if got := MaxUnavailable(tc.v, tc.replicas); got != tc.want {
			t.Errorf("MaxUnavailable(%+v, %d) = %d, want %d", tc.v, tc.replicas, got, tc.want)
		}
	}
}

// fixture is a store with one StatefulSet "web" and its revisions, on which
// a test runs single reconciles directly.
type fixture struct {
	t      *testing.T
	eng    *sim.Engine
	st     *store.Store
	c      *Controller
	set    *api.StatefulSet
	v1, v2 *api.PodTemplate
	r1, r2 *api.ControllerRevision
	writes []*store.Write
}

const now = sim.Time(100 * time.Second)

// setCase configures the set of a fixture.
type setCase struct {
	replicas       int32
	policy         string
	strategy       string
	partition      int32
	maxUnavailable *api.IntOrPercent
	minReady       int32
	update         bool // the set's template is v2 (pods default to v1)
}

func newFixture(t *testing.T, sc setCase) *fixture {
	eng := sim.NewEngine(1, 0)
	st := store.New(eng, store.Options{})
	f := &fixture{t: t, eng: eng, st: st}
	eng.Run(now)
	labels := map[string]string{"app": "web"}
	mk := func(image string, hash uint32) *api.PodTemplate {
		spec := &api.PodSpec{RestartPolicy: api.RestartAlways, TerminationGracePeriodSeconds: 30,
			Containers: []api.Container{{Name: "app", Image: image}}}
		spec.Compile()
		return &api.PodTemplate{Labels: labels, Spec: spec, Hash: hash}
	}
	f.v1, f.v2 = mk("v1", 1), mk("v2", 2)
	set := &api.StatefulSet{ObjectMeta: api.ObjectMeta{Name: "web", Namespace: "default"}, Replicas: sc.replicas,
		Selector: api.SelectorFromMap(labels), Template: f.v1, ServiceName: "web", PodManagementPolicy: OrderedReady,
		UpdateStrategy:  api.StatefulSetUpdateStrategy{Type: RollingUpdate, Partition: sc.partition, MaxUnavailable: sc.maxUnavailable},
		MinReadySeconds: sc.minReady, RevisionHistoryLimit: 10}
	if sc.policy != "" {
		set.PodManagementPolicy = sc.policy
	}
	if sc.strategy != "" {
		set.UpdateStrategy.Type = sc.strategy
	}
	if sc.update {
		set.Template = f.v2
	}
	set = mustGet(st.StatefulSets.Create("test", set, "test"))
	rev := func(tmpl *api.PodTemplate, n int64) *api.ControllerRevision {
		return mustGet(st.Revisions.Create("test", &api.ControllerRevision{ObjectMeta: api.ObjectMeta{
			Name: RevisionName("web", api.TemplateHash(tmpl.Hash, 0)), Namespace: "default",
			Labels: labels, OwnerReferences: []api.OwnerReference{api.NewControllerRef(set)}}, Revision: n, Template: tmpl}, "test"))
	}
	f.r1 = rev(f.v1, 1)
	if sc.update {
		f.r2 = rev(f.v2, 2)
	}
	upd := set.Clone()
	upd.Status.CurrentRevision = f.r1.Name
	f.set = mustGet(st.StatefulSets.Update("test", upd, "test"))
	f.c = New(st, reconciler.Config{})
	st.OnWrite(func(w *store.Write) {
		if w.Component != "test" {
			f.writes = append(f.writes, w)
		}
	})
	return f
}

func mustGet[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// addPods creates pods from specs "ORD:STATE[:new]": STATE is pending,
// running (not ready), ready, young (ready 5 s ago), failed or terminating
// (ready, being deleted); pods are at revision 1 unless ":new" (revision 2).
func (f *fixture) addPods(specs ...string) {
	for _, s := range specs {
		parts := strings.Split(s, ":")
		ord, _ := strconv.Atoi(parts[0])
		rev, tmpl := f.r1, f.v1
		if len(parts) > 2 && parts[2] == "new" {
			rev, tmpl = f.r2, f.v2
		}
		name := "web-" + parts[0]
		labels := map[string]string{"app": "web", LabelPodName: name, LabelPodIndex: strconv.Itoa(ord), LabelRevision: rev.Name}
		p := &api.Pod{ObjectMeta: api.ObjectMeta{Name: name, Namespace: "default", Labels: labels,
			OwnerReferences: []api.OwnerReference{api.NewControllerRef(f.set)}}, Spec: tmpl.Spec, NodeName: "n1"}
		ready := func(at sim.Time) {
			p.Status.Conditions = []api.Condition{{Type: api.PodReady, Status: api.ConditionTrue, LastTransitionTime: at}}
		}
		switch parts[1] {
		case "pending":
			p.NodeName = ""
		case "running":
			p.Status.Phase = api.PodRunning
		case "ready", "terminating":
			p.Status.Phase = api.PodRunning
			ready(now - sim.Time(60*time.Second))
		case "young":
			p.Status.Phase = api.PodRunning
			ready(now - sim.Time(5*time.Second))
		case "failed":
			p.Status.Phase = api.PodFailed
		default:
			panic("bad state " + s)
		}
		mustGet(f.st.Pods.Create("test", p, "test"))
		if parts[1] == "terminating" {
			if err := f.st.Pods.Delete("test", "default", name, store.DeleteOptions{}, "test"); err != nil {
				panic(err)
			}
		}
	}
}

// reconcile runs one sync and returns its pod creates and deletes.
func (f *fixture) reconcile() []string {
	f.writes = nil
	if _, err := f.c.Reconcile("default/web"); err != nil {
		f.t.Fatalf("Reconcile: %v", err)
	}
	var out []string
	for _, w := range f.writes {
		if w.Kind == api.KindPod && (w.Verb == store.VerbCreate || w.Verb == store.VerbDelete) {
			out = append(out, string(w.Verb)+" "+strings.TrimPrefix(w.Key, "default/"))
		}
	}
	return out
}

// TestNextActions checks which pods one sync creates or deletes, derived by
// hand from upstream's processReplica, processCondemned and the rolling
// update step.
func TestNextActions(t *testing.T) {
	pct := func(v int32) *api.IntOrPercent { return &api.IntOrPercent{Value: v, IsPercent: true} }
	abs := func(v int32) *api.IntOrPercent { return &api.IntOrPercent{Value: v} }
	par := func(sc setCase) setCase { sc.policy = Parallel; return sc }
	tests := []struct {
		name string
		set  setCase
		pods []string
		want []string
	}{
		// OrderedReady scale up: lowest missing ordinal, only when all below are
		// Running, Ready and available.
		{"ordered: first pod", setCase{replicas: 3}, nil, []string{"create web-0"}},
		{"ordered: next after ready", setCase{replicas: 3}, []string{"0:ready"}, []string{"create web-1"}},
		{"ordered: pending blocks", setCase{replicas: 3}, []string{"0:pending"}, nil},
		{"ordered: running not ready blocks", setCase{replicas: 3}, []string{"0:running"}, nil},
		{"ordered: terminating blocks", setCase{replicas: 3}, []string{"0:ready", "1:terminating"}, nil},
		{"ordered: gap filled first", setCase{replicas: 3}, []string{"0:ready", "2:ready"}, []string{"create web-1"}},
		{"ordered: failed deleted, sync stops", setCase{replicas: 3}, []string{"0:failed", "1:ready"}, []string{"delete web-0"}},
		{"ordered: failed above ready", setCase{replicas: 3}, []string{"0:ready", "1:failed"}, []string{"delete web-1"}},
		{"ordered: minReady not yet available", setCase{replicas: 2, minReady: 10}, []string{"0:young"}, nil},
		{"ordered: minReady available", setCase{replicas: 2, minReady: 10}, []string{"0:ready"}, []string{"create web-1"}},
		// OrderedReady scale down: highest first, one at a time.
		{"ordered: scale down highest", setCase{replicas: 1}, []string{"0:ready", "1:ready", "2:ready"}, []string{"delete web-2"}},
		{"ordered: scale down waits for terminating", setCase{replicas: 1}, []string{"0:ready", "1:ready", "2:terminating"}, nil},
		{"ordered: unhealthy replica blocks scale down", setCase{replicas: 1}, []string{"0:pending", "1:ready", "2:ready"}, nil},
		{"ordered: first unhealthy condemned may go", setCase{replicas: 1}, []string{"0:ready", "1:ready", "2:pending"}, []string{"delete web-2"}},
		{"ordered: healthy highest goes before lower unhealthy", setCase{replicas: 1}, []string{"0:ready", "1:pending", "2:ready"}, []string{"delete web-2"}},
		{"ordered: unhealthy not first blocks", setCase{replicas: 1}, []string{"0:ready", "1:pending", "2:pending"}, nil},
		{"ordered: scale to zero", setCase{replicas: 0}, []string{"0:ready", "1:ready"}, []string{"delete web-1"}},
		// Parallel: everything at once.
		{"parallel: all missing", par(setCase{replicas: 3}), nil, []string{"create web-0", "create web-1", "create web-2"}},
		{"parallel: pending blocks nothing", par(setCase{replicas: 3}), []string{"0:pending"}, []string{"create web-1", "create web-2"}},
		{"parallel: failed and missing", par(setCase{replicas: 3}), []string{"0:failed", "1:ready"}, []string{"delete web-0", "create web-2"}},
		{"parallel: scale down all condemned", par(setCase{replicas: 1}), []string{"0:pending", "1:ready", "2:terminating", "3:pending"}, []string{"delete web-3", "delete web-1"}},
		// Rolling update (set at v2; pods at v1 unless :new).
		{"rolling: highest first", setCase{replicas: 4, update: true}, []string{"0:ready", "1:ready", "2:ready", "3:ready"}, []string{"delete web-3"}},
		{"rolling: partition 2, next is 2", setCase{replicas: 4, partition: 2, update: true}, []string{"0:ready", "1:ready", "2:ready", "3:ready:new"}, []string{"delete web-2"}},
		{"rolling: partition 2 done", setCase{replicas: 4, partition: 2, update: true}, []string{"0:ready", "1:ready", "2:ready:new", "3:ready:new"}, nil},
		{"rolling: partition 4 updates nothing", setCase{replicas: 4, partition: 4, update: true}, []string{"0:ready", "1:ready", "2:ready", "3:ready"}, nil},
		{"rolling: below partition made at current", setCase{replicas: 4, partition: 2, update: true}, []string{"0:ready", "2:ready", "3:ready"}, []string{"create web-1"}},
		{"rolling: waits for updated pod", setCase{replicas: 4, update: true}, []string{"0:ready", "1:ready", "2:ready", "3:running:new"}, nil},
		{"rolling: OnDelete never deletes", setCase{replicas: 2, strategy: OnDelete, update: true}, []string{"0:ready", "1:ready"}, nil},
		{"rolling: OnDelete creates at update", setCase{replicas: 2, strategy: OnDelete, update: true}, []string{"0:ready"}, []string{"create web-1"}},
		{"maxUnavailable 2", par(setCase{replicas: 4, update: true, maxUnavailable: abs(2)}), []string{"0:ready", "1:ready", "2:ready", "3:ready"}, []string{"delete web-3", "delete web-2"}},
		{"maxUnavailable 2, one unavailable", par(setCase{replicas: 4, update: true, maxUnavailable: abs(2)}), []string{"0:ready", "1:ready", "2:ready", "3:running:new"}, []string{"delete web-2"}},
		{"maxUnavailable 2, two unavailable", par(setCase{replicas: 4, update: true, maxUnavailable: abs(2)}), []string{"0:running", "1:ready", "2:ready", "3:running:new"}, nil},
		{"maxUnavailable 25% of 4", par(setCase{replicas: 4, update: true, maxUnavailable: pct(25)}), []string{"0:ready", "1:ready", "2:ready", "3:ready"}, []string{"delete web-3"}},
		{"maxUnavailable 3, partition 2", par(setCase{replicas: 4, partition: 2, update: true, maxUnavailable: abs(3)}), []string{"0:ready", "1:ready", "2:ready", "3:ready"}, []string{"delete web-3", "delete web-2"}},
		{"maxUnavailable with OrderedReady", setCase{replicas: 4, update: true, maxUnavailable: abs(2)}, []string{"0:ready", "1:ready", "2:ready", "3:ready"}, []string{"delete web-3", "delete web-2"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t, tc.set)
			f.addPods(tc.pods...)
			if got := f.reconcile(); !slices.Equal(got, tc.want) {
				t.Fatalf("got %q, want %q", got, tc.want)
			}
		})
	}
}

// TestNewPodRevision checks which revision a created pod gets: the current
// one below the partition of a RollingUpdate, the update one otherwise.
func TestNewPodRevision(t *testing.T) {
	f := newFixture(t, setCase{replicas: 4, partition: 2, update: true, policy: Parallel})
	f.reconcile()
	want := map[string]string{"web-0": f.r1.Name, "web-1": f.r1.Name, "web-2": f.r2.Name, "web-3": f.r2.Name}
	for name, rev := range want {
		p, ok := f.st.Pods.Get("default", name)
		if !ok {
			t.Fatalf("no pod %s", name)
		}
		if podRevision(p) != rev {
			t.Errorf("%s: revision %s, want %s", name, podRevision(p), rev)
		}
		wantImage := map[string]string{f.r1.Name: "v1", f.r2.Name: "v2"}[rev]
		if img := p.Spec.Containers[0].Image; img != wantImage {
			t.Errorf("%s: image %s, want %s", name, img, wantImage)
		}
	}
}

// TestPodIdentity checks a created pod's name, labels, hostname, subdomain
// and owner, with spec.ordinals.start 5, and that a lost identity label is
// restored.
func TestPodIdentity(t *testing.T) {
	f := newFixture(t, setCase{replicas: 2})
	upd := f.set.Clone()
	upd.OrdinalsStart = 5
	f.set = mustGet(f.st.StatefulSets.Update("test", upd, "test"))
	if got := f.reconcile(); !slices.Equal(got, []string{"create web-5"}) {
		t.Fatalf("got %q, want create web-5", got)
	}
	p, _ := f.st.Pods.Get("default", "web-5")
	if p.Labels[LabelPodName] != "web-5" || p.Labels[LabelPodIndex] != "5" || p.Labels["app"] != "web" ||
		p.Labels[LabelRevision] != f.r1.Name || p.Hostname != "web-5" || p.Subdomain != "web" {
		t.Fatalf("pod identity: labels %v hostname %q subdomain %q", p.Labels, p.Hostname, p.Subdomain)
	}
	if ref := p.ControllerRef(); ref == nil || ref.UID != f.set.UID || ref.Kind != api.KindStatefulSet || !ref.BlockOwnerDeletion {
		t.Fatalf("controllerRef %+v", ref)
	}
	// Make it ready without its pod-name label: the next sync restores it.
	c := p.Clone()
	c.NodeName, c.Status.Phase = "n1", api.PodRunning
	c.Status.Conditions = []api.Condition{{Type: api.PodReady, Status: api.ConditionTrue, LastTransitionTime: now}}
	c.Labels = map[string]string{"app": "web", LabelRevision: f.r1.Name}
	mustGet(f.st.Pods.Update("test", c, "test"))
	f.reconcile()
	p, _ = f.st.Pods.Get("default", "web-5")
	if p.Labels[LabelPodName] != "web-5" || p.Labels[LabelPodIndex] != "5" {
		t.Fatalf("identity not restored: %v", p.Labels)
	}
	if !slices.ContainsFunc(f.writes, func(w *store.Write) bool {
		return w.Verb == store.VerbEvent && w.Reason == ReasonSuccessfulUpdate && w.Message == "update Pod web-5 in StatefulSet web successful"
	}) {
		t.Fatal("no SuccessfulUpdate event")
	}
}

// TestAdoptAndRelease checks claiming: an orphan member matching the
// selector is adopted; a non-member name is not; an owned pod that stops
// matching is released.
func TestAdoptAndRelease(t *testing.T) {
	f := newFixture(t, setCase{replicas: 1})
	spec := f.v1.Spec
	mustGet(f.st.Pods.Create("test", &api.Pod{ObjectMeta: api.ObjectMeta{Name: "web-0", Namespace: "default",
		Labels: map[string]string{"app": "web"}}, Spec: spec}, "test"))
	mustGet(f.st.Pods.Create("test", &api.Pod{ObjectMeta: api.ObjectMeta{Name: "web-abc", Namespace: "default",
		Labels: map[string]string{"app": "web"}}, Spec: spec}, "test"))
	f.eng.Run(now) // deliver the watch events
	if got := f.reconcile(); len(got) != 0 {
		t.Fatalf("unexpected creates/deletes %q", got)
	}
	if p, _ := f.st.Pods.Get("default", "web-0"); p.ControllerRef() == nil || p.ControllerRef().UID != f.set.UID {
		t.Fatal("web-0 not adopted")
	}
	if p, _ := f.st.Pods.Get("default", "web-abc"); p.ControllerRef() != nil {
		t.Fatal("web-abc adopted")
	}
	p, _ := f.st.Pods.Get("default", "web-0")
	c := p.Clone()
	c.Labels = map[string]string{"app": "other"}
	mustGet(f.st.Pods.Update("test", c, "test"))
	// The release happens in the sync; the name is then taken by a pod the
	// set does not own, so the create fails with AlreadyExists and the sync
	// reports an error (retried with backoff), as upstream.
	if _, err := f.c.Reconcile("default/web"); !errors.Is(err, store.ErrAlreadyExists) {
		t.Fatalf("Reconcile = %v, want AlreadyExists", err)
	}
	if p, _ := f.st.Pods.Get("default", "web-0"); p.ControllerRef() != nil {
		t.Fatal("web-0 not released")
	}
	if _, err := f.c.Reconcile("default/web"); !errors.Is(err, store.ErrAlreadyExists) {
		t.Fatalf("Reconcile = %v, want AlreadyExists", err)
	}
}

// TestSecondReconcileWritesNothing checks that syncing unchanged state makes
// no write: steady, mid scale-up, mid-rollout, Parallel with pending pods.
func TestSecondReconcileWritesNothing(t *testing.T) {
	for _, tc := range []struct {
		name   string
		script []string
	}{
		{"steady", []string{"create-sts web replicas=3", "advance 1s", "up web-0 n1", "advance 1s", "up web-1 n1", "advance 1s", "up web-2 n1", "advance 1s"}},
		{"mid scale-up", []string{"create-sts web replicas=3", "advance 1s", "bind web-0 n1", "advance 1s"}},
		{"mid rollout", []string{"create-sts web replicas=2", "advance 1s", "up web-0 n1", "advance 1s", "up web-1 n1", "advance 1s", "set-image web v2", "advance 1s"}},
		{"parallel pending", []string{"create-sts db replicas=3 policy=Parallel", "advance 1s"}},
		{"min ready waiting", []string{"create-sts web replicas=2 min-ready=30", "advance 1s", "up web-0 n1", "advance 1s"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(reconciler.Config{})
			for _, l := range tc.script {
				h.run(t, l)
			}
			key := h.st.StatefulSets.List("", nil)[0].Key()
			writes := 0
			h.st.OnWrite(func(*store.Write) { writes++ })
			for i := range 2 {
				if _, err := h.c.Reconcile(key); err != nil {
					t.Fatal(err)
				}
				if writes != 0 {
					t.Fatalf("reconcile %d of unchanged state wrote %d times: %v", i+1, writes, h.log)
				}
			}
		})
	}
}

// TestMinReadyRequeue checks that a sync waiting for minReadySeconds asks to
// be requeued 1 ns after the pod becomes available, and that the next pod is
// then created.
func TestMinReadyRequeue(t *testing.T) {
	h := newHarness(reconciler.Config{})
	for _, l := range []string{"create-sts web replicas=2 min-ready=30", "advance 1s", "up web-0 n1"} {
		h.run(t, l)
	}
	readyAt := h.eng.Now()
	res, err := h.c.Reconcile("default/web")
	if err != nil {
		t.Fatal(err)
	}
	if want := 30*time.Second + 1; res.RequeueAfter != want {
		t.Fatalf("RequeueAfter = %v, want %v", res.RequeueAfter, want)
	}
	h.eng.Run(readyAt.Add(30 * time.Second))
	if _, ok := h.st.Pods.Get("default", "web-1"); ok {
		t.Fatal("web-1 created before web-0 was available")
	}
	h.eng.Run(readyAt.Add(31 * time.Second))
	p, ok := h.st.Pods.Get("default", "web-1")
	if !ok {
		t.Fatal("web-1 not created once web-0 was available")
	}
	// readyAt + 30 s + 1 ns, then the 10 ms sync.
	if want := readyAt.Add(30*time.Second + 1 + 10*time.Millisecond); p.CreationTimestamp != want {
		t.Fatalf("web-1 created at %v, want %v", p.CreationTimestamp, want)
	}
}

// TestScale checks the Scale helper: replicas and generation change once;
// the same value writes nothing; errors for a missing set and negative
// replicas.
func TestScale(t *testing.T) {
	h := newHarness(reconciler.Config{})
	h.run(t, "create-sts web replicas=1")
	writes := 0
	h.st.OnWrite(func(*store.Write) { writes++ })
	if err := Scale(h.st, "scenario", "default", "web", 4); err != nil {
		t.Fatal(err)
	}
	s, _ := h.st.StatefulSets.Get("default", "web")
	if s.Replicas != 4 || s.Generation != 2 || writes != 1 {
		t.Fatalf("replicas %d generation %d writes %d", s.Replicas, s.Generation, writes)
	}
	if err := Scale(h.st, "scenario", "default", "web", 4); err != nil || writes != 1 {
		t.Fatalf("same value: err %v, writes %d", err, writes)
	}
	if err := Scale(h.st, "scenario", "default", "nope", 1); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("missing set: %v", err)
	}
	if err := Scale(h.st, "scenario", "default", "web", -1); !errors.Is(err, store.ErrInvalid) {
		t.Fatalf("negative: %v", err)
	}
}

// TestRevisionNameCollision checks that a revision name taken by another
// object bumps status.collisionCount and names the revision with it.
func TestRevisionNameCollision(t *testing.T) {
	h := newHarness(reconciler.Config{})
	tmpl := h.template("web", "v1")
	taken := RevisionName("web", api.TemplateHash(tmpl.Hash, 0))
	mustGet(h.st.Revisions.Create("test", &api.ControllerRevision{ObjectMeta: api.ObjectMeta{Name: taken, Namespace: "default"},
		Revision: 1, Template: h.template("other", "v9")}, "test"))
	h.run(t, "create-sts web replicas=1")
	h.run(t, "advance 1s")
	s, _ := h.st.StatefulSets.Get("default", "web")
	want := RevisionName("web", api.TemplateHash(tmpl.Hash, 1))
	if s.Status.CollisionCount != 1 || s.Status.UpdateRevision != want {
		t.Fatalf("collisionCount %d updateRevision %s, want 1 and %s", s.Status.CollisionCount, s.Status.UpdateRevision, want)
	}
	if p, _ := h.st.Pods.Get("default", "web-0"); podRevision(p) != want {
		t.Fatalf("pod revision %s, want %s", podRevision(p), want)
	}
}
