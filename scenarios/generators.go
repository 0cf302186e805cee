package scenarios

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"time"

	"gonum.org/v1/gonum/stat/distuv"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kubesim/kubesim/workloads/generators"
)

// GeneratorSpec is a spec.sources entry's synthetic workload generator
// (package workloads/generators; docs/scenario.md). Its random streams are
// named after the source, "workloads/<source name>/<quantity>" (arrivals,
// cpu, memory, gpu, gpuMilli, shapes, runDuration, mix), so adding or
// removing a source shifts no other source's draws.
type GeneratorSpec struct {
	// Arrival is the arrival process: exactly one of its fields.
	Arrival ArrivalSpec `json:"arrival"`
	// Shape draws each pod's resources: exactly one of its fields.
	Shape ShapeSpec `json:"shape"`
	// RunDuration draws each arrival's run duration (nil: pods run until
	// deleted): a bare pod or a Job's pod succeeds after it, a Deployment is
	// deleted after it.
	RunDuration *Distribution `json:"runDuration,omitempty"`
	// PriorityClasses is the priority-class mix ("" names no class).
	PriorityClasses []WeightedClass `json:"priorityClasses,omitempty"`
	// Owners is the owner mix (default: bare pods only).
	Owners []OwnerSpec `json:"owners,omitempty"`
	// Start is when arrivals start (default 0); Stop ends them (default
	// spec.duration); Limit bounds their number (0: no bound).
	Start *metav1.Duration `json:"start,omitempty"`
	Stop  *metav1.Duration `json:"stop,omitempty"`
	Limit int              `json:"limit,omitempty"`
	// Namespace of the objects (default "default").
	Namespace string `json:"namespace,omitempty"`
}

// ArrivalSpec is one arrival process; rates are arrivals per second.
type ArrivalSpec struct {
	// Poisson arrivals: exponential gaps of mean 1/rate.
	Poisson *RateSpec `json:"poisson,omitempty"`
	// Constant arrivals: exactly 1/rate apart, the first 1/rate after start.
	Constant *RateSpec `json:"constant,omitempty"`
	// OnOff arrivals: Poisson at rate during on, none during off, repeating.
	OnOff *OnOffSpec `json:"onOff,omitempty"`
	// Diurnal arrivals: Poisson at mean × (1 + amplitude × cos(2π (t − peak) / period)).
	Diurnal *DiurnalSpec `json:"diurnal,omitempty"`
}

// RateSpec is a rate in arrivals per second.
type RateSpec struct {
	Rate float64 `json:"rate"`
}

// OnOffSpec is generators.OnOff.
type OnOffSpec struct {
	Rate float64         `json:"rate"`
	On   metav1.Duration `json:"on"`
	Off  metav1.Duration `json:"off"`
}

// DiurnalSpec is generators.Diurnal.
type DiurnalSpec struct {
	Mean      float64 `json:"mean"`
	Amplitude float64 `json:"amplitude"`
	// Period of the cycle (default 24h); Peak is when in it the rate is highest.
	Period *metav1.Duration `json:"period,omitempty"`
	Peak   metav1.Duration  `json:"peak,omitempty"`
}

// ShapeSpec is how pods' resources are drawn.
type ShapeSpec struct {
	// Parametric draws each resource from its own distribution.
	Parametric *ParametricSpec `json:"parametric,omitempty"`
	// Empirical draws rows of a CSV file uniformly (generators.ReadEmpirical).
	Empirical *EmpiricalSpec `json:"empirical,omitempty"`
}

// ParametricSpec is generators.Parametric: cpu in millicores and memory in
// MiB (required), gpu a count and gpuMilli the share of a single GPU in
// thousandths (optional: no GPUs; whole GPUs).
type ParametricSpec struct {
	CPU      *QuantitySpec `json:"cpu"`
	Memory   *QuantitySpec `json:"memory"`
	GPU      *QuantitySpec `json:"gpu,omitempty"`
	GPUMilli *QuantitySpec `json:"gpuMilli,omitempty"`
}

// EmpiricalSpec names the CSV file of an empirical shape, relative to the
// scenario file.
type EmpiricalSpec struct {
	File string `json:"file"`
}

// QuantitySpec is an integer drawn from a distribution, rounded up to a
// multiple of step (default 1) and clamped to [min, max] (max 0: no upper
// bound): constant {value}, uniform {min, max}, exponential {mean}, normal
// {mean, stddev}, lognormal {median, sigma} or categorical {weights} (the
// value is the drawn index).
type QuantitySpec struct {
	Distribution string    `json:"distribution"`
	Value        float64   `json:"value,omitempty"`
	Mean         float64   `json:"mean,omitempty"`
	Stddev       float64   `json:"stddev,omitempty"`
	Median       float64   `json:"median,omitempty"`
	Sigma        float64   `json:"sigma,omitempty"`
	Weights      []float64 `json:"weights,omitempty"`
	Step         int64     `json:"step,omitempty"`
	Min          int64     `json:"min,omitempty"`
	Max          int64     `json:"max,omitempty"`
}

// Quantity distributions.
const (
	QtyConstant    = "constant"
	QtyUniform     = "uniform"
	QtyExponential = "exponential"
	QtyNormal      = "normal"
	QtyLogNormal   = "lognormal"
	QtyCategorical = "categorical"
)

// WeightedClass is one entry of the priority-class mix.
type WeightedClass struct {
	Name   string  `json:"name"`
	Weight float64 `json:"weight"`
}

// OwnerSpec is one entry of the owner mix: Pod, Job or Deployment (with
// replicas, default 1).
type OwnerSpec struct {
	Kind     string  `json:"kind"`
	Weight   float64 `json:"weight"`
	Replicas int32   `json:"replicas,omitempty"`
}

// validateGenerator checks a generator entry's fields, each error at its path.
func (l *Loaded) validateGenerator(el *errorList, path string, g *GeneratorSpec) {
	pos := func(p string, v float64) {
		if !(v > 0) || math.IsInf(v, 0) {
			el.add(p, "must be a number > 0, got %v", v)
		}
	}
	a := &g.Arrival
	switch n := countSet(a.Poisson != nil, a.Constant != nil, a.OnOff != nil, a.Diurnal != nil); {
	case n != 1:
		el.add(path+".arrival", "must set exactly one of poisson, constant, onOff, diurnal (got %d)", n)
	case a.Poisson != nil:
		pos(path+".arrival.poisson.rate", a.Poisson.Rate)
	case a.Constant != nil:
		pos(path+".arrival.constant.rate", a.Constant.Rate)
	case a.OnOff != nil:
		pos(path+".arrival.onOff.rate", a.OnOff.Rate)
		if a.OnOff.On.Duration <= 0 {
			el.add(path+".arrival.onOff.on", "must be a positive duration, got %s", a.OnOff.On.Duration)
		}
		if a.OnOff.Off.Duration < 0 {
			el.add(path+".arrival.onOff.off", "must not be negative, got %s", a.OnOff.Off.Duration)
		}
	case a.Diurnal != nil:
		pos(path+".arrival.diurnal.mean", a.Diurnal.Mean)
		if !(a.Diurnal.Amplitude >= 0 && a.Diurnal.Amplitude <= 1) {
			el.add(path+".arrival.diurnal.amplitude", "must be in [0, 1], got %v", a.Diurnal.Amplitude)
		}
		if p := a.Diurnal.Period; p != nil && p.Duration <= 0 {
			el.add(path+".arrival.diurnal.period", "must be a positive duration, got %s", p.Duration)
		}
		if a.Diurnal.Peak.Duration < 0 {
			el.add(path+".arrival.diurnal.peak", "must not be negative, got %s", a.Diurnal.Peak.Duration)
		}
	}
	s := &g.Shape
	switch n := countSet(s.Parametric != nil, s.Empirical != nil); {
	case n != 1:
		el.add(path+".shape", "must set exactly one of parametric, empirical (got %d)", n)
	case s.Parametric != nil:
		pp := path + ".shape.parametric"
		for _, q := range []struct {
			name     string
			spec     *QuantitySpec
			required bool
		}{{"cpu", s.Parametric.CPU, true}, {"memory", s.Parametric.Memory, true}, {"gpu", s.Parametric.GPU, false}, {"gpuMilli", s.Parametric.GPUMilli, false}} {
			switch {
			case q.spec != nil:
				checkQuantity(el, pp+"."+q.name, q.spec)
			case q.required:
				el.add(pp+"."+q.name, "is required")
			}
		}
	case s.Empirical.File == "":
		el.add(path+".shape.empirical.file", "is required: a CSV file with columns cpu_milli, memory_mib[, num_gpu, gpu_milli]")
	}
	if g.RunDuration != nil {
		checkDistribution(el, path+".runDuration", g.RunDuration)
	}
	for i, c := range g.PriorityClasses {
		p := fmt.Sprintf("%s.priorityClasses[%d]", path, i)
		if c.Name != "" && !dnsSubdomain(c.Name) {
			el.add(p+".name", "%q is not a priority class name", c.Name)
		}
		checkWeight(el, p+".weight", c.Weight)
	}
	for i, o := range g.Owners {
		p := fmt.Sprintf("%s.owners[%d]", path, i)
		switch generators.OwnerKind(o.Kind) {
		case generators.BarePod, generators.JobOwner:
			if o.Replicas != 0 {
				el.add(p+".replicas", "applies to kind Deployment only")
			}
		case generators.DeploymentOwner:
			if o.Replicas < 0 {
				el.add(p+".replicas", "must not be negative, got %d", o.Replicas)
			}
		case "":
			el.add(p+".kind", "is required: Pod, Job or Deployment")
		default:
			el.add(p+".kind", "%q is not supported: Pod, Job or Deployment", o.Kind)
		}
		checkWeight(el, p+".weight", o.Weight)
	}
	for _, w := range []struct {
		field string
		sum   float64
		n     int
	}{{"priorityClasses", sumClasses(g.PriorityClasses), len(g.PriorityClasses)}, {"owners", sumOwners(g.Owners), len(g.Owners)}} {
		if w.n > 0 && w.sum == 0 {
			el.add(path+"."+w.field, "the weights sum to 0")
		}
	}
	start := time.Duration(0)
	if g.Start != nil {
		start = g.Start.Duration
		if start < 0 || (l.Duration > 0 && start > l.Duration) {
			el.add(path+".start", "must be in [0, spec.duration], got %s", start)
		}
	}
	if g.Stop != nil && g.Stop.Duration <= start {
		el.add(path+".stop", "must be after start (%s), got %s", start, g.Stop.Duration)
	}
	if g.Limit < 0 {
		el.add(path+".limit", "must not be negative, got %d", g.Limit)
	}
	if g.Namespace != "" && !dnsLabel.MatchString(g.Namespace) {
		el.add(path+".namespace", "%q must be lowercase letters, digits and '-'", g.Namespace)
	}
}

func countSet(bs ...bool) int {
	n := 0
	for _, b := range bs {
		if b {
			n++
		}
	}
	return n
}

func checkWeight(el *errorList, path string, w float64) {
	if !(w >= 0) || math.IsInf(w, 0) {
		el.add(path, "must be a number >= 0, got %v", w)
	}
}

func sumClasses(cs []WeightedClass) float64 {
	s := 0.0
	for _, c := range cs {
		s += c.Weight
	}
	return s
}

func sumOwners(os []OwnerSpec) float64 {
	s := 0.0
	for _, o := range os {
		s += o.Weight
	}
	return s
}

// dnsSubdomain reports whether s is a lowercase DNS subdomain (a priority
// class name).
func dnsSubdomain(s string) bool {
	if len(s) > 253 {
		return false
	}
	for _, part := range strings.Split(s, ".") {
		if !dnsLabel.MatchString(part) {
			return false
		}
	}
	return true
}

// checkQuantity validates a quantity's distribution and parameters.
func checkQuantity(el *errorList, path string, q *QuantitySpec) {
	pos := func(field string, v float64) {
		if !(v > 0) || math.IsInf(v, 0) {
			el.add(path+"."+field, "is required for %s: a number > 0, got %v", q.Distribution, v)
		}
	}
	if q.Step < 0 || q.Min < 0 || q.Max < 0 {
		el.add(path, "step, min and max must not be negative, got %d, %d, %d", q.Step, q.Min, q.Max)
	} else if q.Max > 0 && q.Max < q.Min {
		el.add(path+".max", "must be >= min (%d), got %d", q.Min, q.Max)
	}
	switch q.Distribution {
	case QtyConstant:
		if !(q.Value >= 0) || math.IsInf(q.Value, 0) {
			el.add(path+".value", "must be a number >= 0, got %v", q.Value)
		}
	case QtyUniform:
		if q.Max <= q.Min {
			el.add(path+".max", "is required for uniform: a number > min (%d), got %d", q.Min, q.Max)
		}
	case QtyExponential:
		pos("mean", q.Mean)
	case QtyNormal:
		pos("mean", q.Mean)
		pos("stddev", q.Stddev)
	case QtyLogNormal:
		pos("median", q.Median)
		pos("sigma", q.Sigma)
	case QtyCategorical:
		sum := 0.0
		for i, w := range q.Weights {
			checkWeight(el, fmt.Sprintf("%s.weights[%d]", path, i), w)
			sum += w
		}
		if len(q.Weights) == 0 || sum == 0 {
			el.add(path+".weights", "is required for categorical: weights with a positive sum")
		}
	case "":
		el.add(path+".distribution", "is required: constant, uniform, exponential, normal, lognormal or categorical")
	default:
		el.add(path+".distribution", "%q is not supported: constant, uniform, exponential, normal, lognormal or categorical", q.Distribution)
	}
}

// fixed is a distribution that always gives one value.
type fixed float64

func (f fixed) Rand() float64 { return float64(f) }

// quantity builds a generators.Quantity drawing from src.
func quantity(q *QuantitySpec, src rand.Source) generators.Quantity {
	if q == nil {
		return generators.Quantity{}
	}
	out := generators.Quantity{Step: q.Step, Min: q.Min, Max: q.Max}
	switch q.Distribution {
	case QtyConstant:
		out.Dist = fixed(q.Value)
	case QtyUniform:
		out.Dist = distuv.Uniform{Min: float64(q.Min), Max: float64(q.Max), Src: src}
	case QtyExponential:
		out.Dist = distuv.Exponential{Rate: 1 / q.Mean, Src: src}
	case QtyNormal:
		out.Dist = distuv.Normal{Mu: q.Mean, Sigma: q.Stddev, Src: src}
	case QtyLogNormal:
		out.Dist = distuv.LogNormal{Mu: math.Log(q.Median), Sigma: q.Sigma, Src: src}
	case QtyCategorical:
		c := distuv.NewCategorical(q.Weights, src)
		out.Dist = c
	}
	return out
}

// durationRander draws seconds from a Distribution of durations.
func durationRander(d *Distribution, src rand.Source) distuv.Rander {
	switch d.Distribution {
	case DistExponential:
		return distuv.Exponential{Rate: 1 / d.Mean.Duration.Seconds(), Src: src}
	case DistWeibull:
		return distuv.Weibull{K: d.Shape, Lambda: d.Scale.Duration.Seconds(), Src: src}
	default:
		return distuv.LogNormal{Mu: math.Log(d.Median.Duration.Seconds()), Sigma: d.Sigma, Src: src}
	}
}

// generatorConfig builds the generators.Config of source name from its
// validated spec, drawing from streams rnd("workloads/<name>/<quantity>");
// rows are the empirical shape's rows (when the shape is empirical) and end
// the default stop (spec.duration).
func generatorConfig(name string, g *GeneratorSpec, rows []generators.Shape, end time.Duration, rnd func(string) *rand.Rand) generators.Config {
	stream := func(q string) rand.Source { return rnd("workloads/" + name + "/" + q) }
	cfg := generators.Config{Name: name, Namespace: g.Namespace, Limit: g.Limit, Until: end}
	if g.Start != nil {
		cfg.Start = g.Start.Duration
	}
	if g.Stop != nil {
		cfg.Until = g.Stop.Duration
	}
	switch a := g.Arrival; {
	case a.Poisson != nil:
		cfg.Arrivals = &generators.Poisson{Rate: a.Poisson.Rate, Src: stream("arrivals")}
	case a.Constant != nil:
		cfg.Arrivals = &generators.Constant{Rate: a.Constant.Rate}
	case a.OnOff != nil:
		cfg.Arrivals = &generators.OnOff{Rate: a.OnOff.Rate, On: a.OnOff.On.Duration, Off: a.OnOff.Off.Duration, Src: stream("arrivals")}
	case a.Diurnal != nil:
		d := &generators.Diurnal{Mean: a.Diurnal.Mean, Amplitude: a.Diurnal.Amplitude, Peak: a.Diurnal.Peak.Duration, Src: stream("arrivals")}
		if a.Diurnal.Period != nil {
			d.Period = a.Diurnal.Period.Duration
		}
		cfg.Arrivals = d
	}
	if p := g.Shape.Parametric; p != nil {
		cfg.Shapes = &generators.Parametric{
			CPU:      quantity(p.CPU, stream("cpu")),
			Memory:   quantity(p.Memory, stream("memory")),
			GPUs:     quantity(p.GPU, stream("gpu")),
			GPUMilli: quantity(p.GPUMilli, stream("gpuMilli")),
		}
	} else {
		cfg.Shapes = &generators.Empirical{Rows: rows, Src: stream("shapes")}
	}
	if g.RunDuration != nil {
		cfg.Durations = durationRander(g.RunDuration, stream("runDuration"))
	}
	for _, c := range g.PriorityClasses {
		cfg.Priorities = append(cfg.Priorities, generators.Weighted{Name: c.Name, Weight: c.Weight})
	}
	for _, o := range g.Owners {
		cfg.Owners = append(cfg.Owners, generators.Owner{Kind: generators.OwnerKind(o.Kind), Weight: o.Weight, Replicas: o.Replicas})
	}
	if len(cfg.Priorities) > 1 || len(cfg.Owners) > 1 {
		cfg.Mix = stream("mix")
	}
	return cfg
}
