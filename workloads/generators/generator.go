package generators

import (
	"container/heap"
	"errors"
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"strconv"
	"time"

	"gonum.org/v1/gonum/stat/distuv"
	"k8s.io/apimachinery/pkg/util/validation"

	"github.com/kubesim/kubesim/sim/api"
	"github.com/kubesim/kubesim/workloads/source"
)

// OwnerKind is what each arrival creates.
type OwnerKind string

// Owner kinds.
const (
	// BarePod creates one pod. With a run duration it has restartPolicy
	// Never and succeeds after the duration; without one it runs until
	// deleted.
	BarePod OwnerKind = "Pod"
	// JobOwner creates a Job of one pod (parallelism = completions = 1,
	// restartPolicy Never) whose pod runs for the drawn duration.
	JobOwner OwnerKind = "Job"
	// DeploymentOwner creates a Deployment of Replicas pods; the drawn
	// duration is the Deployment's lifetime: it is deleted after it.
	DeploymentOwner OwnerKind = "Deployment"
)

// Owner is one entry of the owner mix.
type Owner struct {
	Kind   OwnerKind
	Weight float64
	// Replicas of a Deployment (1 when zero).
	Replicas int32
}

// Weighted is one entry of a weighted mix of names (e.g. priority classes;
// "" for none).
type Weighted struct {
	Name   string
	Weight float64
}

// Labels generated objects carry.
const (
	// LabelGenerator names the generator that made the object (and a
	// Deployment's pods).
	LabelGenerator = "kubesim.io/generator"
	// LabelApp selects a Deployment's pods: the Deployment's name.
	LabelApp = "app"
)

// Config describes a generator. Every random choice draws from a stream the
// caller gives: name them after the generator, e.g.
// engine.Rand("workloads/<name>/arrivals"), ".../shapes", ".../durations",
// ".../cpu", ".../memory", ".../durations", ".../mix": one stream per random
// quantity (two streams of the same name draw the same numbers, so sharing a
// name would correlate them). Adding a generator then shifts no other stream.
type Config struct {
	// Name prefixes object names (<name>-1, <name>-2, ...); a DNS label.
	Name string
	// Namespace of the objects ("default" when empty).
	Namespace string
	// Arrivals is the arrival process (required).
	Arrivals Arrivals
	// Shapes draws each pod's resources (required).
	Shapes Shapes
	// Durations draws run durations in seconds (nil: run until deleted); see
	// OwnerKind for what a duration means per owner. A pod's duration is the
	// kubesim.io/run-duration annotation.
	Durations distuv.Rander
	// Priorities is the priority-class mix (empty: no class).
	Priorities []Weighted
	// Owners is the owner mix (empty: bare pods only).
	Owners []Owner
	// Mix is the stream for the priority and owner mixes (required when
	// either has more than one entry).
	Mix rand.Source
	// Start is the time arrivals start from.
	Start time.Duration
	// Until stops arrivals at or after this time (0: no bound).
	Until time.Duration
	// Limit stops after this many arrivals (0: no bound). Limit or Until is
	// required.
	Limit int
	// Image of the pods' container ("kubesim.io/generated:latest" when empty).
	Image string
}

// Generator is a Source of synthetic workloads. Create one with New.
type Generator struct {
	cfg       Config
	prio      *distuv.Categorical
	owner     *distuv.Categorical
	n         int
	next      time.Duration
	more      bool
	deletions deletions
	seq       int
}

// New validates cfg and returns its generator.
func New(cfg Config) (*Generator, error) {
	var errs []error
	if msgs := validation.IsDNS1123Label(cfg.Name); len(msgs) > 0 {
		errs = append(errs, fmt.Errorf("name %q: %v", cfg.Name, msgs[0]))
	}
	if cfg.Namespace == "" {
		cfg.Namespace = "default"
	}
	if cfg.Image == "" {
		cfg.Image = "kubesim.io/generated:latest"
	}
	if cfg.Arrivals == nil {
		errs = append(errs, errors.New("arrivals: required"))
	} else if err := cfg.Arrivals.Validate(); err != nil {
		errs = append(errs, fmt.Errorf("arrivals: %w", err))
	}
	if cfg.Shapes == nil {
		errs = append(errs, errors.New("shapes: required"))
	} else if err := cfg.Shapes.Validate(); err != nil {
		errs = append(errs, fmt.Errorf("shapes: %w", err))
	}
	if cfg.Limit < 0 || cfg.Until < 0 || cfg.Start < 0 {
		errs = append(errs, errors.New("limit, until and start must not be negative"))
	}
	if cfg.Limit == 0 && cfg.Until == 0 {
		errs = append(errs, errors.New("limit or until: one is required, or the generator never ends"))
	}
	g := &Generator{cfg: cfg}
	var err error
	var pw []float64
	for _, p := range cfg.Priorities {
		pw = append(pw, p.Weight)
	}
	if g.prio, err = categorical("priorities", pw, cfg.Mix); err != nil {
		errs = append(errs, err)
	}
	var ow []float64
	for _, o := range cfg.Owners {
		ow = append(ow, o.Weight)
		switch o.Kind {
		case BarePod, JobOwner, DeploymentOwner:
		default:
			errs = append(errs, fmt.Errorf("owners: unsupported kind %q: supported kinds: Pod, Job, Deployment", o.Kind))
		}
		if o.Replicas < 0 {
			errs = append(errs, fmt.Errorf("owners: negative replicas %d", o.Replicas))
		}
	}
	if g.owner, err = categorical("owners", ow, cfg.Mix); err != nil {
		errs = append(errs, err)
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("generator %s: %w", cfg.Name, errors.Join(errs...))
	}
	g.advance(cfg.Start)
	return g, nil
}

// categorical builds a mix over weights; nil when there are fewer than two
// entries (no draw needed).
func categorical(what string, w []float64, src rand.Source) (*distuv.Categorical, error) {
	sum := 0.0
	for _, x := range w {
		if !(x >= 0) || x > 1e300 {
			return nil, fmt.Errorf("%s: weights must be non-negative numbers, got %v", what, x)
		}
		sum += x
	}
	if len(w) > 0 && sum == 0 {
		return nil, fmt.Errorf("%s: the weights sum to 0", what)
	}
	if len(w) < 2 {
		return nil, nil
	}
	if src == nil {
		return nil, fmt.Errorf("%s: %w", what, errNoSource)
	}
	c := distuv.NewCategorical(w, src)
	return &c, nil
}

// advance draws the next arrival after t.
func (g *Generator) advance(t time.Duration) {
	if g.cfg.Limit > 0 && g.n >= g.cfg.Limit {
		g.more = false
		return
	}
	g.next = g.cfg.Arrivals.Next(t)
	g.more = g.cfg.Until == 0 || g.next < g.cfg.Until
}

// Next implements source.Source: arrivals in time order, with Deployment
// deletions interleaved (a deletion due at an arrival's time comes first).
func (g *Generator) Next() (source.Event, bool) {
	if len(g.deletions) > 0 && (!g.more || g.deletions[0].At <= g.next) {
		d := heap.Pop(&g.deletions).(pending)
		return d.Event, true
	}
	if !g.more {
		return source.Event{}, false
	}
	at := g.next
	g.n++
	obj, lifetime := g.make(at)
	if lifetime > 0 {
		g.seq++
		heap.Push(&g.deletions, pending{Event: source.Event{At: add(at, lifetime), Op: source.Delete, Object: obj}, seq: g.seq})
	}
	g.advance(at)
	return source.Event{At: at, Op: source.Create, Object: obj}, true
}

// make builds the n-th object; lifetime > 0 asks for its deletion after it.
func (g *Generator) make(at time.Duration) (api.Object, time.Duration) {
	name := g.cfg.Name + "-" + strconv.Itoa(g.n)
	shape := g.cfg.Shapes.Sample()
	var dur time.Duration
	if g.cfg.Durations != nil {
		dur = seconds(g.cfg.Durations.Rand())
	}
	class := ""
	switch {
	case g.prio != nil:
		class = g.cfg.Priorities[int(g.prio.Rand())].Name
	case len(g.cfg.Priorities) == 1:
		class = g.cfg.Priorities[0].Name
	}
	owner := Owner{Kind: BarePod}
	switch {
	case g.owner != nil:
		owner = g.cfg.Owners[int(g.owner.Rand())]
	case len(g.cfg.Owners) == 1:
		owner = g.cfg.Owners[0]
	}
	meta := api.ObjectMeta{Name: name, Namespace: g.cfg.Namespace, Labels: map[string]string{LabelGenerator: g.cfg.Name}}
	switch owner.Kind {
	case JobOwner:
		tmpl := g.template(shape, class, api.RestartNever, dur, map[string]string{
			LabelGenerator: g.cfg.Name, labelJobName: name, labelLegacyJobName: name})
		return &api.Job{
			ObjectMeta:           meta,
			Parallelism:          1,
			Completions:          ptr(int32(1)),
			CompletionMode:       "NonIndexed",
			BackoffLimit:         defaultBackoffLimit,
			PodReplacementPolicy: "TerminatingOrFailed",
			Selector:             api.SelectorFromMap(map[string]string{labelJobName: name}),
			Template:             tmpl,
		}, 0
	case DeploymentOwner:
		tmpl := g.template(shape, class, api.RestartAlways, 0, map[string]string{LabelGenerator: g.cfg.Name, LabelApp: name})
		return &api.Deployment{
			ObjectMeta: meta,
			Replicas:   max(owner.Replicas, 1),
			Selector:   api.SelectorFromMap(map[string]string{LabelApp: name}),
			Template:   tmpl,
			Strategy: api.DeploymentStrategy{Type: "RollingUpdate",
				MaxSurge: api.IntOrPercent{Value: 25, IsPercent: true}, MaxUnavailable: api.IntOrPercent{Value: 25, IsPercent: true}},
			RevisionHistoryLimit:    defaultRevisionHistoryLimit,
			ProgressDeadlineSeconds: defaultProgressDeadlineSeconds,
		}, dur
	}
	policy := api.RestartAlways
	if dur > 0 {
		policy = api.RestartNever
	}
	tmpl := g.template(shape, class, policy, dur, meta.Labels)
	meta.Annotations = tmpl.Annotations
	return &api.Pod{ObjectMeta: meta, Spec: tmpl.Spec, Status: api.PodStatus{Phase: api.PodPending}}, 0
}

// Upstream defaults the objects get, as package workloads applies them.
const (
	defaultBackoffLimit            = 6
	defaultRevisionHistoryLimit    = 10
	defaultProgressDeadlineSeconds = 600
	defaultGrace                   = 30
	labelJobName                   = "batch.kubernetes.io/job-name"
	labelLegacyJobName             = "job-name"
)

func ptr[T any](v T) *T { return &v }

// template builds a compiled pod template.
func (g *Generator) template(s Shape, class string, policy api.RestartPolicy, dur time.Duration, labels map[string]string) *api.PodTemplate {
	req := s.Requests()
	spec := &api.PodSpec{
		SchedulerName:                 api.DefaultSchedulerName,
		PriorityClassName:             class,
		RestartPolicy:                 policy,
		TerminationGracePeriodSeconds: defaultGrace,
		RunDuration:                   dur,
		Containers: []api.Container{{Name: "main", Image: g.cfg.Image, Requests: req, Limits: req,
			HasCPURequest: true, HasMemoryRequest: true}},
	}
	spec.Compile()
	var ann map[string]string
	if dur > 0 {
		ann = map[string]string{api.AnnotationRunDuration: dur.String()}
	}
	h := fnv.New32a()
	fmt.Fprintf(h, "%+v|%s|%s|%v|%s", s, class, policy, dur, g.cfg.Image)
	return &api.PodTemplate{Labels: labels, Annotations: ann, Spec: spec, Hash: h.Sum32()}
}

// pending is a deletion waiting in the heap, ordered by (time, sequence).
type pending struct {
	source.Event
	seq int
}

type deletions []pending

func (d deletions) Len() int { return len(d) }
func (d deletions) Less(i, j int) bool {
	if d[i].At != d[j].At {
		return d[i].At < d[j].At
	}
	return d[i].seq < d[j].seq
}
func (d deletions) Swap(i, j int) { d[i], d[j] = d[j], d[i] }
func (d *deletions) Push(x any)   { *d = append(*d, x.(pending)) }
func (d *deletions) Pop() any {
	old := *d
	x := old[len(old)-1]
	*d = old[:len(old)-1]
	return x
}
