package scenarios

import (
	"fmt"
	"sort"

	"github.com/kubesim/kubesim/controllers"
	"github.com/kubesim/kubesim/results"
	"github.com/kubesim/kubesim/scheduler"
	"github.com/kubesim/kubesim/scheduler/framework"
	"github.com/kubesim/kubesim/sim"
	"github.com/kubesim/kubesim/sim/api"
	"github.com/kubesim/kubesim/sim/kubelet"
	"github.com/kubesim/kubesim/sim/store"
	"github.com/kubesim/kubesim/workloads/source"
)

// ApplyComponent is the name under which scenario workloads are written, as a
// user running kubectl apply.
const ApplyComponent = "kubectl"

// Simulation is a built scenario, ready to run once.
type Simulation struct {
	loaded   *Loaded
	eng      *sim.Engine
	st       *store.Store
	rec      *results.Recorder
	applyErr []error
	// kubelets and controllers are the simulation's components; the
	// failure plan and the node actions drive them (failures_run.go).
	kubelets    *kubelet.Manager
	controllers *controllers.Manager
	// players replay spec.sources (sources.go).
	players []*source.Player
}

// Engine returns the simulation's engine.
func (s *Simulation) Engine() *sim.Engine { return s.eng }

// Store returns the simulation's API store.
func (s *Simulation) Store() *store.Store { return s.st }

// Build turns a loaded scenario into a simulation: it creates the engine (seeded
// with l.Seed), the store, the recorder, the kubelets, the scheduler (with the
// scenario's KubeSchedulerConfiguration, if any) and the controllers; creates
// the cluster's objects at time 0; and schedules each workload batch at its
// time, then each action at its time (so that at equal times batches run
// first); spec.load entries are handed to the recorder.
// Build does not modify l, so one Loaded can build many simulations (seeds).
// It is BuildWith with no options.
func Build(l *Loaded) (*Simulation, error) { return BuildWith(l, BuildOptions{}) }

// BuildOptions changes how BuildWith builds a simulation. The zero value is
// what Build does.
type BuildOptions struct {
	// Registry holds the scheduler's plugin factories; nil means the in-tree
	// registry. Set it to run out-of-tree plugins: register them alongside
	// the in-tree ones (plugins.NewInTreeRegistry, then add entries), and the
	// scenario's KubeSchedulerConfiguration may name them.
	Registry framework.Registry
	// SchedulerConfig, when set, is the path of a KubeSchedulerConfiguration
	// used instead of the scenario's spec.scheduler.config (relative paths
	// are relative to the working directory, not to the scenario).
	SchedulerConfig string
	// DefaultProfile, when set, names a profile (its schedulerName) of the
	// scheduler configuration that schedules the pods of the default
	// scheduler: every pod without a schedulerName, or naming
	// "default-scheduler", is scheduled by that profile instead of the
	// configuration's default-scheduler profile. A copy of the profile
	// renamed "default-scheduler" replaces that profile (or is added when the
	// configuration has none); the profile also stays under its own name for
	// the pods that name it. Without a configuration file the only profile
	// is "default-scheduler". An unknown name is a *LoadError.
	DefaultProfile string
}

// BuildWith is Build with options: with opts.Registry set, the scenario's
// KubeSchedulerConfiguration is loaded with scheduler.LoadConfigWithRegistry
// (plugin names checked against that registry) and the scheduler's profiles
// are built from it; opts.SchedulerConfig replaces that configuration and
// opts.DefaultProfile chooses the profile of the default scheduler's pods.
func BuildWith(l *Loaded, opts BuildOptions) (*Simulation, error) {
	if err := checkReferences(l); err != nil {
		return nil, err
	}
	scfg, err := schedulerConfig(l, opts)
	if err != nil {
		return nil, err
	}
	t := l.Scenario.Spec.Timing
	eng := sim.NewEngine(l.Seed, 0)
	var sopts store.Options
	if t.WatchLatency != nil {
		sopts.WatchLatency = t.WatchLatency.Duration
	}
	st := store.New(eng, sopts)
	s := &Simulation{loaded: l, eng: eng, st: st}

	s.rec = results.NewRecorder(eng, st, results.Config{
		SampleInterval:  l.SampleInterval,
		ScenarioName:    l.Name,
		Seed:            l.Seed,
		GPUAllocation:   l.Scenario.Spec.Output.GPUAllocation,
		DisableEventLog: l.Scenario.Spec.Output.EventLog != nil && !*l.Scenario.Spec.Output.EventLog,
	})
	for i, ld := range l.Loads {
		if err := s.rec.AddLoad(ld.Kind, ld.Namespace, ld.Name, ld.Load); err != nil {
			return nil, &LoadError{Errors: []FieldError{{File: l.Path, Path: fmt.Sprintf("spec.load[%d]", i), Msg: err.Error()}}}
		}
	}
	if err := s.rec.Start(); err != nil {
		return nil, fmt.Errorf("starting the recorder: %w", err)
	}

	kcfg := kubelet.DefaultConfig()
	applyKubeletTiming(&kcfg, t.Kubelet)
	kcfg.DeviceResourceGroups = t.Kubelet.DeviceResourceGroups
	kcfg.Images = l.Images
	s.kubelets = kubelet.NewManager(eng, st, kcfg)
	s.kubelets.Start()

	if d := t.Scheduler.Cycle; d != nil {
		scfg.CycleLatency = d.Duration
	}
	if d := t.Scheduler.Bind; d != nil {
		scfg.BindLatency = d.Duration
	}
	sched, err := scheduler.New(eng, st, *scfg)
	if err != nil {
		return nil, &LoadError{Errors: []FieldError{{File: l.Path, Path: "spec.scheduler", Msg: err.Error()}}}
	}
	sched.Start()

	copts := controllers.DefaultOptions()
	if d := t.Controllers.Sync; d != nil {
		copts.SetSyncLatency(d.Duration)
	}
	applyControllerTiming(&copts, t.Controllers)
	s.controllers = controllers.Start(eng, st, copts)

	// Time 0: the cluster. Priority classes and namespaces first, then nodes,
	// then everything else, each group in file order.
	var first, rest []api.Object
	for _, o := range l.ClusterObjects {
		switch o.(type) {
		case *api.Namespace, *api.PriorityClass:
			first = append(first, o)
		default:
			rest = append(rest, o)
		}
	}
	s.apply(first, "Bootstrap")
	for _, n := range l.Nodes {
		s.apply([]api.Object{n}, "Bootstrap")
	}
	s.apply(rest, "Bootstrap")
	if err := s.startSources(); err != nil {
		return nil, err
	}
	for _, b := range l.Batches {
		objs := b.Objects
		eng.AtFunc(sim.Time(b.At), func(sim.Time) { s.apply(objs, "Apply") })
	}
	s.scheduleActions()
	s.scheduleFailures()
	return s, nil
}

// Run runs the simulation to the scenario's duration and returns the recorder
// holding its results. It fails if any workload could not be applied.
func (s *Simulation) Run() (*results.Recorder, error) {
	end := sim.Time(s.loaded.Duration)
	s.eng.Run(end)
	s.rec.Finish(end)
	s.applyErr = append(s.applyErr, s.sourceErrors()...)
	if len(s.applyErr) > 0 {
		return s.rec, fmt.Errorf("%d objects could not be applied; first: %w", len(s.applyErr), s.applyErr[0])
	}
	return s.rec, nil
}

// Close releases what the recorder holds (its event-log buffer). Call it
// after the results have been written, or when a built simulation is not run.
func (s *Simulation) Close() error { return s.rec.Close() }

// apply creates objects as kubectl apply would, each a copy so that the loaded
// scenario can build again. Missing namespaces are created first.
func (s *Simulation) apply(objs []api.Object, reason string) {
	for _, o := range objs {
		c := o.CloneObject()
		if err := s.st.EnsureNamespace(ApplyComponent, c.GetMeta().Namespace, "AutoCreate"); err != nil {
			s.applyErr = append(s.applyErr, err)
		}
		if builtinPriorityClass(s.st, c) {
			continue
		}
		if err := create(s.st, c, reason); err != nil {
			s.applyErr = append(s.applyErr, fmt.Errorf("at %v: %s %s: %w", s.eng.Now(), c.GetKind(), c.GetMeta().Key(), err))
		}
	}
}

// builtinPriorityClass reports whether o is a built-in priority class
// (system-cluster-critical, system-node-critical) that the store already
// holds with the same value and preemption policy, as a kubectl dump of a
// real cluster lists them: applying it again changes nothing, so it is
// skipped. A built-in class with another value still fails to apply.
func builtinPriorityClass(st *store.Store, o api.Object) bool {
	pc, ok := o.(*api.PriorityClass)
	if !ok || pc.Name != store.SystemClusterCritical && pc.Name != store.SystemNodeCritical {
		return false
	}
	cur, ok := st.PriorityClasses.Get("", pc.Name)
	return ok && cur.Value == pc.Value && cur.GlobalDefault == pc.GlobalDefault &&
		policyOrDefault(cur.PreemptionPolicy) == policyOrDefault(pc.PreemptionPolicy)
}

// policyOrDefault returns a preemption policy with upstream's default.
func policyOrDefault(p string) string {
	if p == "" {
		return "PreemptLowerPriority"
	}
	return p
}

// create stores an object in its kind's table.
func create(st *store.Store, o api.Object, reason string) error {
	return st.CreateObject(ApplyComponent, o, reason)
}

// checkReferences catches, before the run, references that would make an
// apply fail mid-run: priority classes that no manifest defines.
func checkReferences(l *Loaded) error {
	classes := map[string]bool{store.SystemClusterCritical: true, store.SystemNodeCritical: true}
	all := append([]api.Object(nil), l.ClusterObjects...)
	for _, b := range l.Batches {
		all = append(all, b.Objects...)
	}
	for _, a := range l.Actions {
		all = append(all, a.Objects...)
	}
	for _, o := range all {
		if pc, ok := o.(*api.PriorityClass); ok {
			classes[pc.Name] = true
		}
	}
	missing := map[string][]string{}
	for _, o := range all {
		var name string
		switch x := o.(type) {
		case *api.Pod:
			name = x.Spec.PriorityClassName
		case *api.ReplicaSet:
			name = x.Template.Spec.PriorityClassName
		case *api.Deployment:
			name = x.Template.Spec.PriorityClassName
		case *api.Job:
			name = x.Template.Spec.PriorityClassName
		case *api.StatefulSet:
			name = x.Template.Spec.PriorityClassName
		case *api.DaemonSet:
			name = x.Template.Spec.PriorityClassName
		}
		if name != "" && !classes[name] {
			missing[name] = append(missing[name], string(o.GetKind())+" "+o.GetMeta().Key())
		}
	}
	if len(missing) == 0 {
		return nil
	}
	el := &LoadError{}
	names := make([]string, 0, len(missing))
	for n := range missing {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		el.Errors = append(el.Errors, FieldError{File: l.Path, Path: "spec.workloads",
			Msg: fmt.Sprintf("priorityClassName %q (used by %v) is not defined by any manifest", n, missing[n])})
	}
	return el
}
