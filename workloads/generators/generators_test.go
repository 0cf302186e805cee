package generators

import (
	"math"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kubesim/kubesim/controllers"
	"github.com/kubesim/kubesim/scheduler"
	"github.com/kubesim/kubesim/sim"
	"github.com/kubesim/kubesim/sim/api"
	"github.com/kubesim/kubesim/sim/kubelet"
	"github.com/kubesim/kubesim/sim/store"
	"github.com/kubesim/kubesim/workloads"
	"github.com/kubesim/kubesim/workloads/source"
	"github.com/kubesim/kubesim/workloads/traces"
)

func stream(seed uint64, name string) *rand.Rand { return sim.NewStream(seed, 0, name) }

// gaps draws n arrivals and returns the gaps in seconds.
func gaps(a Arrivals, n int) []float64 {
	out := make([]float64, n)
	var t time.Duration
	for i := range out {
		next := a.Next(t)
		out[i] = (next - t).Seconds()
		t = next
	}
	return out
}

func meanVar(xs []float64) (m, v float64) {
	for _, x := range xs {
		m += x
	}
	m /= float64(len(xs))
	for _, x := range xs {
		v += (x - m) * (x - m)
	}
	return m, v / float64(len(xs)-1)
}

// TestPoisson: rate 2/s over 100 000 gaps with seed 1: mean gap 0.5 s within
// 1% (≈3 standard errors) and variance 0.25 s² within 3% (exponential gaps).
func TestPoisson(t *testing.T) {
	m, v := meanVar(gaps(&Poisson{Rate: 2, Src: stream(1, "a")}, 100_000))
	if math.Abs(m-0.5) > 0.005 || math.Abs(v-0.25) > 0.0075 {
		t.Errorf("mean %v var %v", m, v)
	}
}

// TestReproducible: the same (seed, name) gives the same arrivals; another
// seed or name gives others.
func TestReproducible(t *testing.T) {
	draw := func(seed uint64, name string) []float64 {
		return gaps(&Poisson{Rate: 5, Src: stream(seed, name)}, 1000)
	}
	a, b := draw(1, "workloads/x/arrivals"), draw(1, "workloads/x/arrivals")
	for i := range a {
		if a[i] != b[i] {
			t.Fatalf("draw %d differs: %v vs %v", i, a[i], b[i])
		}
	}
	if c := draw(2, "workloads/x/arrivals"); c[0] == a[0] && c[1] == a[1] {
		t.Error("another seed gives the same draws")
	}
	if c := draw(1, "workloads/y/arrivals"); c[0] == a[0] && c[1] == a[1] {
		t.Error("another name gives the same draws")
	}
}

// TestOnOff: 10/s during 1 min on, 4 min off, 100 cycles: no arrival in an
// off window, 60 000 ± 1.5% arrivals (≈4 standard errors).
func TestOnOff(t *testing.T) {
	o := &OnOff{Rate: 10, On: time.Minute, Off: 4 * time.Minute, Src: stream(1, "burst")}
	end := 100 * 5 * time.Minute
	n := 0
	for at := o.Next(0); at < end; at = o.Next(at) {
		if at%(5*time.Minute) >= time.Minute {
			t.Fatalf("arrival at %v, in an off window", at)
		}
		n++
	}
	if math.Abs(float64(n)-60_000) > 900 {
		t.Errorf("%d arrivals, want ≈60000", n)
	}
}

// TestDiurnal: mean 1/s, amplitude 0.5, peak at 12:00, 5 days. Total ≈
// 432 000 (±1%); the hour around the peak against the hour around the trough
// ≈ (1 + 0.5·0.9971) / (1 − 0.5·0.9971) = 2.99 (cos averaged over the hour).
func TestDiurnal(t *testing.T) {
	d := &Diurnal{Mean: 1, Amplitude: 0.5, Peak: 12 * time.Hour, Src: stream(1, "day")}
	if r := d.Rate(12 * time.Hour); math.Abs(r-1.5) > 1e-12 {
		t.Errorf("rate at peak %v", r)
	}
	if r := d.Rate(0); math.Abs(r-0.5) > 1e-12 {
		t.Errorf("rate at trough %v", r)
	}
	end := 5 * 24 * time.Hour
	total, peak, trough := 0, 0, 0
	for at := d.Next(0); at < end; at = d.Next(at) {
		total++
		tod := at % (24 * time.Hour)
		switch {
		case tod >= 11*time.Hour+30*time.Minute && tod < 12*time.Hour+30*time.Minute:
			peak++
		case tod >= 23*time.Hour+30*time.Minute || tod < 30*time.Minute:
			trough++
		}
	}
	ratio := float64(peak) / float64(trough)
	if math.Abs(float64(total)-432_000) > 4320 || ratio < 2.85 || ratio > 3.13 {
		t.Errorf("total %d, peak hour %d, trough hour %d, ratio %.3f", total, peak, trough, ratio)
	}
}

// fixed is a distribution that always draws x.
type fixed float64

func (f fixed) Rand() float64 { return float64(f) }

// TestQuantity: rounding up to the step, then clamping.
func TestQuantity(t *testing.T) {
	for _, tc := range []struct {
		q    Quantity
		want int64
	}{
		{Quantity{Dist: fixed(150), Step: 100}, 200},
		{Quantity{Dist: fixed(200), Step: 100}, 200},
		{Quantity{Dist: fixed(0.2)}, 1},
		{Quantity{Dist: fixed(-3), Min: 100}, 100},
		{Quantity{Dist: fixed(math.NaN()), Min: 7}, 7},
		{Quantity{Dist: fixed(9000), Step: 1000, Max: 4000}, 4000},
		{Quantity{Min: 5}, 5},
	} {
		if got := tc.q.Sample(); got != tc.want {
			t.Errorf("%+v: %d, want %d", tc.q, got, tc.want)
		}
	}
	p := &Parametric{CPU: Quantity{Min: 1000}, Memory: Quantity{Min: 1024}, GPUs: Quantity{Dist: fixed(1)}}
	if s := p.Sample(); s != (Shape{1000, 1024, 1, 1000}) {
		t.Errorf("whole GPU by default: %+v", s)
	}
	p.GPUMilli = Quantity{Dist: fixed(2000)}
	if s := p.Sample(); s.GPUMilli != 1000 {
		t.Errorf("gpuMilli clamps to 1000: %+v", s)
	}
	p.GPUs = Quantity{Dist: fixed(4)}
	p.GPUMilli = Quantity{Dist: fixed(300)}
	if s := p.Sample(); s.GPUMilli != 1000 {
		t.Errorf("multi-GPU shapes take whole GPUs: %+v", s)
	}
	r := Shape{MilliCPU: 500, MemoryMiB: 2, GPUs: 1, GPUMilli: 300}.Requests()
	if r.MilliCPU != 500 || r.Memory != 2<<20 || r.Get(traces.ResourceGPUCount) != 1 || r.Get(traces.ResourceGPUMilli) != 300 {
		t.Errorf("requests %+v", r)
	}
}

// TestEmpirical samples the openb default pod list: 8152 rows, and 100 000
// uniform draws reproduce its mean cpu (within 2%) and its CPU-only share
// 1088/8152 = 13.35% (within 0.5 points).
func TestEmpirical(t *testing.T) {
	rows, err := LoadEmpirical(filepath.Join("..", "..", "data", "traces", traces.DatasetOpenB, traces.OpenBDefaultPods))
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 8152 {
		t.Fatalf("%d rows", len(rows))
	}
	var fileCPU float64
	for _, r := range rows {
		fileCPU += float64(r.MilliCPU)
	}
	fileCPU /= float64(len(rows))
	e := &Empirical{Rows: rows, Src: stream(1, "shapes")}
	var cpu float64
	cpuOnly := 0
	const n = 100_000
	for range n {
		s := e.Sample()
		cpu += float64(s.MilliCPU)
		if s.GPUs == 0 {
			cpuOnly++
		}
	}
	if math.Abs(cpu/n-fileCPU)/fileCPU > 0.02 || math.Abs(float64(cpuOnly)/n-1088.0/8152) > 0.005 {
		t.Errorf("mean cpu %.0f (file %.0f), cpu-only %.4f", cpu/n, fileCPU, float64(cpuOnly)/n)
	}
	// 5-column files: whole GPUs when gpu_milli is absent.
	rows, err = ReadEmpirical(strings.NewReader("cpu_milli,memory_mib,num_gpu\n1000,2048,2\n"), "s.csv")
	if err != nil || rows[0] != (Shape{1000, 2048, 2, 1000}) {
		t.Errorf("%v %v", rows, err)
	}
	for _, tc := range []struct{ in, want string }{
		{"cpu_milli\n1\n", `s.csv:1:1: missing column "memory_mib"`},
		{"cpu_milli,memory_mib\n1,x\n", `s.csv:2:3: field "memory_mib": expected an integer`},
		{"cpu_milli,memory_mib\n1,2,3\n", "s.csv:2:1: wrong number of fields"},
		{"", "empty file"},
	} {
		if _, err := ReadEmpirical(strings.NewReader(tc.in), "s.csv"); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: %v, want %q", tc.in, err, tc.want)
		}
	}
}

func newGen(t *testing.T, cfg Config) *Generator {
	t.Helper()
	g, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return g
}

// TestMix: priority weights 1:3 give "high" a 25% share (±1 point over
// 20 000 pods); owners build the right kinds; a Deployment is deleted after
// its drawn lifetime, interleaved in time order.
func TestMix(t *testing.T) {
	g := newGen(t, Config{Name: "mix", Arrivals: &Constant{Rate: 1}, Shapes: &Parametric{CPU: Quantity{Min: 100}},
		Priorities: []Weighted{{"high", 1}, {"", 3}}, Mix: stream(1, "mix"), Limit: 20_000})
	high := 0
	for e, ok := g.Next(); ok; e, ok = g.Next() {
		if e.Object.(*api.Pod).Spec.PriorityClassName == "high" {
			high++
		}
	}
	if f := float64(high) / 20_000; math.Abs(f-0.25) > 0.01 {
		t.Errorf("high share %.4f", f)
	}

	g = newGen(t, Config{Name: "own", Arrivals: &Constant{Rate: 1}, Shapes: &Parametric{CPU: Quantity{Min: 100}},
		Durations: fixed(2.5), Owners: []Owner{{Kind: DeploymentOwner, Weight: 1, Replicas: 3}}, Limit: 3})
	var log []string
	for e, ok := g.Next(); ok; e, ok = g.Next() {
		log = append(log, e.At.String()+" "+e.Op.String()+" "+string(e.Object.GetKind())+" "+e.Object.GetMeta().Name)
	}
	want := "1s create Deployment own-1|2s create Deployment own-2|3s create Deployment own-3|3.5s delete Deployment own-1|4.5s delete Deployment own-2|5.5s delete Deployment own-3"
	if got := strings.Join(log, "|"); got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}

// TestMatchesManifests: generated Pods, Jobs and Deployments equal what
// package workloads decodes from the equivalent manifests (template hashes
// aside).
func TestMatchesManifests(t *testing.T) {
	objs, err := workloads.Decode("gen.yaml", []byte(`apiVersion: v1
kind: Pod
metadata: {name: g-1, namespace: default, labels: {kubesim.io/generator: g}, annotations: {kubesim.io/run-duration: 1m30s}}
spec:
  restartPolicy: Never
  containers:
  - name: main
    image: kubesim.io/generated:latest
    resources:
      requests: {cpu: 1500m, memory: 2Gi, alibabacloud.com/gpu-count: "1", alibabacloud.com/gpu-milli: "300"}
      limits: {cpu: 1500m, memory: 2Gi, alibabacloud.com/gpu-count: "1", alibabacloud.com/gpu-milli: "300"}
---
apiVersion: batch/v1
kind: Job
metadata: {name: g-2, namespace: default, labels: {kubesim.io/generator: g}}
spec:
  template:
    metadata: {labels: {kubesim.io/generator: g}, annotations: {kubesim.io/run-duration: 1m30s}}
    spec:
      restartPolicy: Never
      containers:
      - name: main
        image: kubesim.io/generated:latest
        resources:
          requests: {cpu: 1500m, memory: 2Gi, alibabacloud.com/gpu-count: "1", alibabacloud.com/gpu-milli: "300"}
          limits: {cpu: 1500m, memory: 2Gi, alibabacloud.com/gpu-count: "1", alibabacloud.com/gpu-milli: "300"}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: g-3, namespace: default, labels: {kubesim.io/generator: g}}
spec:
  replicas: 2
  selector: {matchLabels: {app: g-3}}
  template:
    metadata: {labels: {kubesim.io/generator: g, app: g-3}}
    spec:
      containers:
      - name: main
        image: kubesim.io/generated:latest
        resources:
          requests: {cpu: 1500m, memory: 2Gi, alibabacloud.com/gpu-count: "1", alibabacloud.com/gpu-milli: "300"}
          limits: {cpu: 1500m, memory: 2Gi, alibabacloud.com/gpu-count: "1", alibabacloud.com/gpu-milli: "300"}
`))
	if err != nil {
		t.Fatal(err)
	}
	shape := &Parametric{CPU: Quantity{Min: 1500}, Memory: Quantity{Min: 2048}, GPUs: Quantity{Min: 1}, GPUMilli: Quantity{Min: 300}}
	// The i-th object of a one-kind generator is named g-i.
	nth := func(kind OwnerKind, n int) api.Object {
		g := newGen(t, Config{Name: "g", Arrivals: &Constant{Rate: 1}, Shapes: shape, Durations: fixed(90),
			Owners: []Owner{{Kind: kind, Weight: 1, Replicas: 2}}, Limit: n})
		var last api.Object
		for e, ok := g.Next(); ok; e, ok = g.Next() {
			if e.Op == source.Create {
				last = e.Object
			}
		}
		return last
	}
	got := []api.Object{nth(BarePod, 1), nth(JobOwner, 2), nth(DeploymentOwner, 3)}
	if len(got) != 3 {
		t.Fatalf("generated %d objects", len(got))
	}
	specEq := func(what string, a, b *api.PodSpec) {
		t.Helper()
		ac, bc := a.Containers[0], b.Containers[0]
		if a.RestartPolicy != b.RestartPolicy || a.RunDuration != b.RunDuration || a.SchedulerName != b.SchedulerName ||
			a.TerminationGracePeriodSeconds != b.TerminationGracePeriodSeconds || a.NonZeroMilliCPU != b.NonZeroMilliCPU ||
			ac.Name != bc.Name || ac.Image != bc.Image || ac.HasCPURequest != bc.HasCPURequest ||
			!sameResources(a.Requests, b.Requests) || !sameResources(ac.Limits, bc.Limits) {
			t.Errorf("%s spec:\n got %+v\nwant %+v", what, a, b)
		}
	}
	p, wp := got[0].(*api.Pod), objs[0].(*api.Pod)
	specEq("pod", p.Spec, wp.Spec)
	if p.Annotations[api.AnnotationRunDuration] != "1m30s" || p.Labels[LabelGenerator] != "g" {
		t.Errorf("pod meta %+v", p.ObjectMeta)
	}
	j, wj := got[1].(*api.Job), objs[1].(*api.Job)
	specEq("job", j.Template.Spec, wj.Template.Spec)
	if j.Parallelism != wj.Parallelism || *j.Completions != *wj.Completions || j.BackoffLimit != wj.BackoffLimit ||
		j.CompletionMode != wj.CompletionMode || j.PodReplacementPolicy != wj.PodReplacementPolicy ||
		!api.LabelsEqual(j.Template.Labels, wj.Template.Labels) || len(j.Selector.Requirements) != 1 ||
		j.Selector.Requirements[0].Key != wj.Selector.Requirements[0].Key {
		t.Errorf("job:\n got %+v\nwant %+v", j, wj)
	}
	d, wd := got[2].(*api.Deployment), objs[2].(*api.Deployment)
	specEq("deployment", d.Template.Spec, wd.Template.Spec)
	if d.Replicas != wd.Replicas || d.Strategy != wd.Strategy || d.RevisionHistoryLimit != wd.RevisionHistoryLimit ||
		d.ProgressDeadlineSeconds != wd.ProgressDeadlineSeconds || !api.LabelsEqual(d.Template.Labels, wd.Template.Labels) {
		t.Errorf("deployment:\n got %+v\nwant %+v", d, wd)
	}
}

func sameResources(a, b api.Resources) bool {
	if a.MilliCPU != b.MilliCPU || a.Memory != b.Memory || a.EphemeralStorage != b.EphemeralStorage || len(a.Scalar) != len(b.Scalar) {
		return false
	}
	for i := range a.Scalar {
		if a.Scalar[i] != b.Scalar[i] {
			return false
		}
	}
	return true
}

func TestNewErrors(t *testing.T) {
	for _, tc := range []struct {
		cfg  Config
		want string
	}{
		{Config{Name: "Bad_Name", Arrivals: &Constant{Rate: 1}, Shapes: &Parametric{}, Limit: 1}, `name "Bad_Name"`},
		{Config{Name: "g", Shapes: &Parametric{}, Limit: 1}, "arrivals: required"},
		{Config{Name: "g", Arrivals: &Poisson{Rate: 1}, Shapes: &Parametric{}, Limit: 1}, "no random source"},
		{Config{Name: "g", Arrivals: &Constant{Rate: -1}, Shapes: &Parametric{}, Limit: 1}, "rate must be a positive"},
		{Config{Name: "g", Arrivals: &Constant{Rate: 1}, Limit: 1}, "shapes: required"},
		{Config{Name: "g", Arrivals: &Constant{Rate: 1}, Shapes: &Parametric{}}, "limit or until"},
		{Config{Name: "g", Arrivals: &Constant{Rate: 1}, Shapes: &Parametric{}, Limit: 1, Priorities: []Weighted{{"a", 1}, {"b", 1}}}, "priorities: no random source"},
		{Config{Name: "g", Arrivals: &Constant{Rate: 1}, Shapes: &Parametric{}, Limit: 1, Owners: []Owner{{Kind: "CronJob", Weight: 1}}}, `unsupported kind "CronJob"`},
		{Config{Name: "g", Arrivals: &Diurnal{Mean: 1, Amplitude: 2, Src: stream(1, "d")}, Shapes: &Parametric{}, Limit: 1}, "amplitude"},
		{Config{Name: "g", Arrivals: &OnOff{Rate: 1, Src: stream(1, "d")}, Shapes: &Parametric{}, Limit: 1}, "on must be positive"},
		{Config{Name: "g", Arrivals: &Constant{Rate: 1}, Shapes: &Empirical{}, Limit: 1}, "no random source"},
		{Config{Name: "g", Arrivals: &Constant{Rate: 1}, Shapes: &Parametric{CPU: Quantity{Min: 5, Max: 1}}, Limit: 1}, "cpu: step, min and max"},
	} {
		if _, err := New(tc.cfg); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%+v: %v, want %q", tc.cfg, err, tc.want)
		}
	}
}

// TestEndToEnd plays a generator of Jobs and bare pods into a cluster with
// the scheduler, kubelets and controllers: 10 arrivals, one every 10 s, each
// running 60 s, all fit on two 8-core nodes; after 5 min every Job is
// complete and every bare pod has Succeeded.
func TestEndToEnd(t *testing.T) {
	eng := sim.NewEngine(1, 0)
	st := store.New(eng, store.Options{})
	kubelet.NewManager(eng, st, kubelet.DefaultConfig()).Start()
	sched, err := scheduler.New(eng, st, *scheduler.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	sched.Start()
	controllers.Start(eng, st, controllers.DefaultOptions())
	for _, name := range []string{"n1", "n2"} {
		if _, err := st.Nodes.Create("test", traces.GPUNode(name, 8000, 32<<30, 0, ""), "Bootstrap"); err != nil {
			t.Fatal(err)
		}
	}
	g := newGen(t, Config{Name: "w", Arrivals: &Constant{Rate: 0.1},
		Shapes:    &Parametric{CPU: Quantity{Min: 1000}, Memory: Quantity{Min: 1024}},
		Durations: fixed(60), Owners: []Owner{{Kind: JobOwner, Weight: 1}, {Kind: BarePod, Weight: 1}},
		Mix: eng.Rand("workloads/w/mix"), Limit: 10})
	p := source.Play(eng, st, g, "")
	eng.Run(sim.Time(5 * time.Minute))
	jobs := st.Jobs.List("default", nil)
	bare := 0
	for _, pod := range st.Pods.List("default", nil) {
		if pod.Status.Phase != api.PodSucceeded {
			t.Errorf("pod %s is %s", pod.Name, pod.Status.Phase)
		}
		if pod.ControllerRef() == nil {
			bare++
		}
	}
	for _, j := range jobs {
		if j.Status.Succeeded != 1 {
			t.Errorf("job %s: %+v", j.Name, j.Status)
		}
	}
	if len(jobs)+bare != 10 || len(jobs) == 0 || bare == 0 || p.Created() != 10 || p.Errors() != nil {
		t.Errorf("%d jobs, %d bare pods, created %d, errors %v", len(jobs), bare, p.Created(), p.Errors())
	}
}
