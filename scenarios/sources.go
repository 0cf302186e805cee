package scenarios

import (
	"fmt"
	"strings"

	"github.com/kubesim/kubesim/scheduler"
	"github.com/kubesim/kubesim/scheduler/plugins/fgd"
	"github.com/kubesim/kubesim/sim"
	"github.com/kubesim/kubesim/sim/api"
	"github.com/kubesim/kubesim/sim/store"
	"github.com/kubesim/kubesim/workloads/generators"
	"github.com/kubesim/kubesim/workloads/source"
	"github.com/kubesim/kubesim/workloads/traces"
)

// SourceSpec is one entry of spec.sources: a published trace replayed into
// the cluster (package workloads/traces; docs/traces.md), or a synthetic
// workload generator (package workloads/generators; generators.go). The
// trace's nodes (trace.nodes) join the cluster at time 0, after the node
// pools and the cluster manifests; its pods arrive as the replay mode says.
type SourceSpec struct {
	// Name names the source (a DNS label, unique); its random streams are
	// conventionally named after it ("workloads/<name>/order").
	Name string `json:"name"`
	// Trace is the trace to replay (traces.Spec; relative paths are
	// relative to the scenario file).
	Trace *traces.Spec `json:"trace,omitempty"`
	// Generator generates a synthetic workload (exactly one of trace and
	// generator).
	Generator *GeneratorSpec `json:"generator,omitempty"`
	// TryOnce gives every pod of the source a single scheduling attempt: a
	// pod whose attempt fails (PodScheduled=False, reason Unschedulable) is
	// deleted at once by the source, as the FGD paper's simulator deletes
	// a pod it could not place, so the scheduler never retries it (trace
	// sources only).
	TryOnce bool `json:"tryOnce,omitempty"`
}

// ReasonTriedOnce is the reason of a TryOnce source's deletion of a pod that
// failed its scheduling attempt.
const ReasonTriedOnce = "TriedOnce"

// LoadedSource is a validated spec.sources entry.
type LoadedSource struct {
	Name    string
	Trace   traces.Spec
	TryOnce bool
	// Objects are the trace's objects in file order (before shuffling and
	// inflation); empty for a generator.
	Objects []api.Object
	// Generator is the generator entry (nil for a trace); Shapes the rows
	// of its empirical shape file.
	Generator *GeneratorSpec
	Shapes    []generators.Shape
}

// validateSources checks the entries' own fields.
func (l *Loaded) validateSources(el *errorList) {
	seen := map[string]bool{}
	for i, s := range l.Scenario.Spec.Sources {
		path := fmt.Sprintf("spec.sources[%d]", i)
		switch {
		case s.Name == "":
			el.add(path+".name", "is required")
		case !dnsLabel.MatchString(s.Name):
			el.add(path+".name", "%q must be lowercase letters, digits and '-'", s.Name)
		case seen[s.Name]:
			el.add(path+".name", "duplicate source name %q", s.Name)
		}
		seen[s.Name] = true
		switch {
		case s.Trace == nil && s.Generator == nil:
			el.add(path, "must set one of trace, generator")
		case s.Trace != nil && s.Generator != nil:
			el.add(path, "must set only one of trace, generator")
		case s.Generator != nil:
			if s.TryOnce {
				el.add(path+".tryOnce", "applies to trace sources only")
			}
			l.validateGenerator(el, path+".generator", s.Generator)
		}
	}
	for i, g := range l.Scenario.Spec.Timing.Kubelet.DeviceResourceGroups {
		if g == "" || strings.Contains(g, "/") {
			el.add(fmt.Sprintf("spec.timing.kubelet.deviceResourceGroups[%d]", i), "must be a resource group such as alibabacloud.com, got %q", g)
		}
	}
	switch tb := l.Scenario.Spec.Scheduler.TieBreak; tb {
	case "", scheduler.TieBreakRandom, scheduler.TieBreakPermutation:
	default:
		el.add("spec.scheduler.tieBreak", "unsupported value %q: supported values are %q, %q", tb, scheduler.TieBreakRandom, scheduler.TieBreakPermutation)
	}
	if from := l.Scenario.Spec.Scheduler.TypicalPodsFrom; from != "" && !seen[from] {
		el.add("spec.scheduler.typicalPodsFrom", "%q is not the name of a spec.sources entry", from)
	}
}

// loadSources opens every trace (to check it and take its nodes, which
// record files as the cluster's) and computes the FGD typical pods when
// spec.scheduler.typicalPodsFrom asks for them.
func (l *Loaded) loadSources(el *errorList, record func(o api.Object, path, file string) bool) {
	streams := sim.NewEngine(l.Seed, 0)
	for i, s := range l.Scenario.Spec.Sources {
		if s.Generator != nil {
			l.loadGenerator(el, i, s, streams)
			continue
		}
		if s.Trace == nil {
			continue
		}
		path := fmt.Sprintf("spec.sources[%d].trace", i)
		op, err := traces.Open(*s.Trace, l.Dir, streams.Rand)
		if err != nil {
			el.add(path, "%v", err)
			continue
		}
		for _, n := range op.Nodes {
			if record(n, path+".nodes", s.Trace.Nodes) {
				l.Nodes = append(l.Nodes, n)
			}
		}
		l.Sources = append(l.Sources, LoadedSource{Name: s.Name, Trace: *s.Trace, TryOnce: s.TryOnce, Objects: op.Objects})
	}
	from := l.Scenario.Spec.Scheduler.TypicalPodsFrom
	for _, s := range l.Sources {
		if s.Name != from {
			continue
		}
		var shapes []fgd.PodShape
		for _, o := range s.Objects {
			if p, ok := o.(*api.Pod); ok {
				shapes = append(shapes, fgd.ShapeOf(p))
			}
		}
		l.TypicalPods = fgd.TypicalPods(shapes, fgd.TypicalOptions{})
		if len(l.TypicalPods) == 0 {
			el.add("spec.scheduler.typicalPodsFrom", "source %q has no pods to compute typical pods from", from)
		}
	}
}

// loadGenerator reads a generator's empirical shape file and checks that
// generators.New accepts its configuration.
func (l *Loaded) loadGenerator(el *errorList, i int, s SourceSpec, streams *sim.Engine) {
	path := fmt.Sprintf("spec.sources[%d].generator", i)
	ls := LoadedSource{Name: s.Name, Generator: s.Generator}
	if e := s.Generator.Shape.Empirical; e != nil {
		rows, err := generators.LoadEmpirical(l.resolve(e.File))
		if err != nil {
			el.add(path+".shape.empirical.file", "%v", err)
			return
		}
		ls.Shapes = rows
	}
	if _, err := generators.New(generatorConfig(s.Name, s.Generator, ls.Shapes, l.Duration, streams.Rand)); err != nil {
		el.add(path, "%v", err)
		return
	}
	l.Sources = append(l.Sources, ls)
}

// withTypicalPods gives every profile's FGD plugin l.TypicalPods (when set).
func withTypicalPods(c *scheduler.Config, tps []fgd.TypicalPodSpec) {
	if len(tps) == 0 {
		return
	}
	for i := range c.Profiles {
		args := make(map[string]any, len(c.Profiles[i].PluginArgs)+1)
		for k, v := range c.Profiles[i].PluginArgs {
			args[k] = v
		}
		args[fgd.Name] = &fgd.Args{TypicalPods: tps}
		c.Profiles[i].PluginArgs = args
	}
}

// startSources replays every source into the store from time 0: each trace
// is opened again with the run's own random streams (its seed), its pods
// played by source.Play as ApplyComponent, and a TryOnce source's failed
// pods deleted.
func (s *Simulation) startSources() error {
	for i, ls := range s.loaded.Sources {
		if ls.Generator != nil {
			g, err := generators.New(generatorConfig(ls.Name, ls.Generator, ls.Shapes, s.loaded.Duration, s.eng.Rand))
			if err != nil {
				return &LoadError{Errors: []FieldError{{File: s.loaded.Path, Path: fmt.Sprintf("spec.sources[%d].generator", i), Msg: err.Error()}}}
			}
			s.players = append(s.players, source.Play(s.eng, s.st, g, ApplyComponent))
			continue
		}
		op, err := traces.Open(ls.Trace, s.loaded.Dir, s.eng.Rand)
		if err != nil {
			return &LoadError{Errors: []FieldError{{File: s.loaded.Path, Path: fmt.Sprintf("spec.sources[%d].trace", i), Msg: err.Error()}}}
		}
		if ls.TryOnce {
			keys := make(map[string]bool, op.Source.Len())
			for _, e := range op.Source.Events() {
				if e.Op == source.Create && e.Object.GetKind() == api.KindPod {
					keys[e.Object.GetMeta().Key()] = true
				}
			}
			s.deleteFailed(keys)
		}
		s.players = append(s.players, source.Play(s.eng, s.st, op.Source, ApplyComponent))
	}
	return nil
}

// deleteFailed deletes every pod of keys whose scheduling attempt failed
// (PodScheduled=False, reason Unschedulable, still unbound), once.
func (s *Simulation) deleteFailed(keys map[string]bool) {
	s.st.Pods.Watch(func(e store.Event[*api.Pod]) {
		p := e.Object()
		key := p.Key()
		if !keys[key] {
			return
		}
		if e.Type == store.Deleted || p.NodeName != "" {
			delete(keys, key)
			return
		}
		c := api.FindCondition(p.Status.Conditions, api.PodScheduled)
		if c == nil || c.Status != api.ConditionFalse || c.Reason != reasonUnschedulable {
			return
		}
		delete(keys, key)
		if err := s.st.Pods.Delete(ApplyComponent, p.Namespace, p.Name, store.DeleteOptions{UID: p.UID}, ReasonTriedOnce); err != nil {
			s.applyErr = append(s.applyErr, fmt.Errorf("at %v: deleting pod %s after its failed attempt: %w", s.eng.Now(), key, err))
		}
	})
}

// sourceErrors returns the players' failed writes.
func (s *Simulation) sourceErrors() []error {
	var out []error
	for _, p := range s.players {
		out = append(out, p.Errors()...)
	}
	return out
}

// reasonUnschedulable is the PodScheduled=False reason of a pod that no
// node fits (upstream's v1.PodReasonUnschedulable).
const reasonUnschedulable = "Unschedulable"
