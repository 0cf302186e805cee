package kubelet

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/kubesim/kubesim/sim"
	"github.com/kubesim/kubesim/sim/api"
	"github.com/kubesim/kubesim/sim/store"
)

// world is an engine, a store and a started kubelet manager, with every
// write and event logged.
type world struct {
	t   testing.TB
	eng *sim.Engine
	st  *store.Store
	m   *Manager
	log []string
	// history of each pod's states as written, by key.
	pods map[string][]podSnap
}

// podSnap is one written state of a pod.
type podSnap struct {
	at       sim.Time
	phase    api.PodPhase
	ready    bool
	restarts int32
	deleted  bool
	pod      *api.Pod
}

func newWorld(t testing.TB, cfg Config) *world {
	w := newWorldUnstarted(t, cfg)
	w.m.Start()
	return w
}

// newWorldUnstarted is newWorld without Manager.Start.
func newWorldUnstarted(t testing.TB, cfg Config) *world {
	return newWorldLatency(t, cfg, 0)
}

// newWorldLatency is newWorldUnstarted with a store watch latency.
func newWorldLatency(t testing.TB, cfg Config, latency time.Duration) *world {
	eng := sim.NewEngine(1, 0)
	st := store.New(eng, store.Options{WatchLatency: latency})
	w := &world{t: t, eng: eng, st: st, pods: map[string][]podSnap{}}
	st.OnWrite(func(wr *store.Write) {
		w.log = append(w.log, fmt.Sprintf("%v %s %s %s %s %s %s", wr.Time, wr.Component, wr.Verb, wr.Kind, wr.Key, wr.Reason, wr.Message))
		if wr.Kind != api.KindPod || wr.Verb == store.VerbEvent {
			return
		}
		if wr.New == nil {
			w.pods[wr.Key] = append(w.pods[wr.Key], podSnap{at: wr.Time, deleted: true})
			return
		}
		p := wr.New.(*api.Pod)
		w.pods[wr.Key] = append(w.pods[wr.Key], podSnap{at: wr.Time, phase: p.Status.Phase, ready: p.IsReady(),
			restarts: p.MaxRestarts(), pod: p})
	})
	w.m = NewManager(eng, st, cfg)
	return w
}

func secs(s float64) sim.Time { return sim.Time(s * float64(time.Second)) }

// at runs the engine up to t and then calls f.
func (w *world) at(t sim.Time, f func()) {
	w.t.Helper()
	w.eng.Run(t)
	f()
}

func (w *world) run(t sim.Time) { w.eng.Run(t) }

type nodeOpt func(*api.Node)

func withImages(names ...string) nodeOpt {
	return func(n *api.Node) {
		for _, name := range names {
			n.Images = append(n.Images, api.ContainerImage{Names: []string{name}, SizeBytes: 10 * MiB})
		}
	}
}

func withPods(max int64) nodeOpt { return func(n *api.Node) { n.AllowedPods = max } }

func withConditions(cs ...api.Condition) nodeOpt { return func(n *api.Node) { n.Conditions = cs } }

func (w *world) addNode(name string, milliCPU int64, opts ...nodeOpt) *api.Node {
	w.t.Helper()
	r := api.Resources{MilliCPU: milliCPU, Memory: 16 << 30, EphemeralStorage: 100 << 30}
	n := &api.Node{ObjectMeta: api.ObjectMeta{Name: name, Labels: map[string]string{api.LabelHostname: name}},
		Capacity: r, Allocatable: r}
	for _, o := range opts {
		o(n)
	}
	n, err := w.st.Nodes.Create("test", n, "Create")
	if err != nil {
		w.t.Fatal(err)
	}
	return n
}

// specOf builds and compiles a spec with one container per image.
func specOf(milliCPU int64, images ...string) *api.PodSpec {
	s := &api.PodSpec{RestartPolicy: api.RestartAlways, TerminationGracePeriodSeconds: 30}
	for i, img := range images {
		s.Containers = append(s.Containers, api.Container{Name: fmt.Sprintf("c%d", i), Image: img,
			Requests: api.Resources{MilliCPU: milliCPU}, HasCPURequest: milliCPU > 0})
	}
	s.Compile()
	return s
}

func (w *world) addPod(name, node string, spec *api.PodSpec) *api.Pod {
	w.t.Helper()
	p := &api.Pod{ObjectMeta: api.ObjectMeta{Namespace: "default", Name: name}, Spec: spec, NodeName: node}
	p, err := w.st.Pods.Create("test", p, "Create")
	if err != nil {
		w.t.Fatal(err)
	}
	return p
}

func (w *world) deletePod(name string, grace *int64) {
	w.t.Helper()
	if err := w.st.Pods.Delete("test", "default", name, store.DeleteOptions{GracePeriodSeconds: grace}, "Delete"); err != nil {
		w.t.Fatal(err)
	}
}

// firstTime returns when the pod was first written in a state matching ok.
func (w *world) firstTime(name string, ok func(podSnap) bool) sim.Time {
	for _, s := range w.pods["default/"+name] {
		if ok(s) {
			return s.at
		}
	}
	return sim.Never
}

func isPhase(ph api.PodPhase) func(podSnap) bool {
	return func(s podSnap) bool { return !s.deleted && s.phase == ph }
}

func isReady(s podSnap) bool   { return !s.deleted && s.ready }
func isDeleted(s podSnap) bool { return s.deleted }

func (w *world) wantTime(what, name string, ok func(podSnap) bool, want sim.Time) {
	w.t.Helper()
	if got := w.firstTime(name, ok); got != want {
		w.t.Errorf("%s %s at %v, want %v\nlog:\n%s", name, what, got, want, strings.Join(w.log, "\n"))
	}
}

func (w *world) pod(name string) *api.Pod {
	w.t.Helper()
	p, ok := w.st.Pods.Get("default", name)
	if !ok {
		w.t.Fatalf("pod %s not found", name)
	}
	return p
}

// events returns the logged recorded events whose line contains substr.
func (w *world) events(substr string) []string {
	var out []string
	for _, l := range w.log {
		if strings.Contains(l, " event ") && strings.Contains(l, substr) {
			out = append(out, l)
		}
	}
	return out
}
