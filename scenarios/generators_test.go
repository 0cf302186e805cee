package scenarios

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kubesim/kubesim/sim/api"
	"github.com/kubesim/kubesim/workloads/generators"
)

// generatorScenario is a scenario of one 16-core node and the generator
// source "gen" whose body is gen (indented under generator:).
func generatorScenario(t *testing.T, gen string) string {
	t.Helper()
	var b strings.Builder
	b.WriteString(`apiVersion: kubesim.io/v1alpha1
kind: Scenario
metadata: {name: gen}
spec:
  duration: 10m
  cluster:
    nodePools:
    - name: pool
      count: 1
      template:
        status:
          allocatable: {cpu: "16", memory: 64Gi, pods: "110"}
  sources:
  - name: gen
    generator:
`)
	for _, line := range strings.Split(strings.TrimSpace(gen), "\n") {
		b.WriteString("      " + line + "\n")
	}
	p := filepath.Join(t.TempDir(), "s.yaml")
	if err := os.WriteFile(p, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestGeneratorSourceConstantRate: constant arrivals of rate r from start
// to stop come at start + k/r for every k >= 1 with start + k/r < stop.
func TestGeneratorSourceConstantRate(t *testing.T) {
	shape := `
shape:
  parametric:
    cpu: {distribution: constant, value: 100}
    memory: {distribution: uniform, min: 64, max: 256, step: 64}
`
	for _, tc := range []struct {
		name      string
		gen       string
		pods, job int
	}{
		// 0.1/s from 30s to 90s: arrivals at 40, 50, 60, 70, 80 s (90 is
		// the stop, excluded).
		{"start-stop", "arrival: {constant: {rate: 0.1}}\nstart: 30s\nstop: 90s", 5, 0},
		// 0.5/s, limit 3: arrivals at 2, 4, 6 s.
		{"limit", "arrival: {constant: {rate: 0.5}}\nlimit: 3", 3, 0},
		// No stop or limit: until spec.duration, 10m at one a minute:
		// arrivals at 1..9 min (10 min is the end).
		{"until-duration", "arrival: {constant: {rate: 0.016666666666666666}}", 9, 0},
		// Jobs: one pod each, each running 30s; 0.05/s until 100s: arrivals
		// at 20, 40, 60, 80 s, all done by 110 s.
		{"jobs", "arrival: {constant: {rate: 0.05}}\nstop: 100s\nowners: [{kind: Job, weight: 1}]\nrunDuration: {distribution: exponential, mean: 30s}", 4, 4},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l, err := Load(generatorScenario(t, tc.gen+shape))
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
			st := s.Store()
			pods := 0
			for _, p := range st.Pods.List("default", nil) {
				if p.Labels[generators.LabelGenerator] != "gen" {
					continue
				}
				pods++
				if p.NodeName != "pool-1" {
					t.Errorf("pod %s not bound", p.Name)
				}
				if p.Spec.Requests.MilliCPU != 100 || p.Spec.Requests.Memory%(64<<20) != 0 {
					t.Errorf("pod %s requests %+v", p.Name, p.Spec.Requests)
				}
			}
			jobs := st.Jobs.List("default", nil)
			if pods != tc.pods || len(jobs) != tc.job {
				t.Errorf("%d pods, %d jobs: want %d, %d", pods, len(jobs), tc.pods, tc.job)
			}
			for _, j := range jobs {
				if c := api.FindCondition(j.Status.Conditions, "Complete"); c == nil || c.Status != api.ConditionTrue {
					t.Errorf("job %s not complete: %+v", j.Name, j.Status)
				}
			}
		})
	}
}

// TestGeneratorSourceErrors: every bad field is reported at its path.
func TestGeneratorSourceErrors(t *testing.T) {
	ok := `
arrival: {poisson: {rate: 1}}
shape: {parametric: {cpu: {distribution: constant, value: 100}, memory: {distribution: constant, value: 64}}}
`
	for _, tc := range []struct {
		name, gen string
		want      []string
	}{
		{"unknown field", strings.Replace(ok, "poisson: {rate", "poisson: {rat", 1),
			[]string{"spec.sources[0].generator.arrival.poisson.rat: unknown field"}},
		{"unknown arrival", strings.Replace(ok, "poisson:", "poison:", 1),
			[]string{"spec.sources[0].generator.arrival.poison: unknown field"}},
		{"two arrivals", strings.Replace(ok, "{poisson: {rate: 1}}", "{poisson: {rate: 1}, constant: {rate: 1}}", 1),
			[]string{"spec.sources[0].generator.arrival: must set exactly one"}},
		{"zero rate", strings.Replace(ok, "rate: 1", "rate: 0", 1),
			[]string{"spec.sources[0].generator.arrival.poisson.rate: must be a number > 0"}},
		{"bad distribution", strings.Replace(ok, "distribution: constant, value: 100", "distribution: zipf", 1),
			[]string{`spec.sources[0].generator.shape.parametric.cpu.distribution: "zipf" is not supported`}},
		{"lognormal without sigma", strings.Replace(ok, "distribution: constant, value: 100", "distribution: lognormal, median: 100", 1),
			[]string{"spec.sources[0].generator.shape.parametric.cpu.sigma: is required for lognormal"}},
		{"no memory", strings.Replace(ok, ", memory: {distribution: constant, value: 64}", "", 1),
			[]string{"spec.sources[0].generator.shape.parametric.memory: is required"}},
		{"uniform max", strings.Replace(ok, "distribution: constant, value: 64", "distribution: uniform, min: 64", 1),
			[]string{"spec.sources[0].generator.shape.parametric.memory.max: is required for uniform"}},
		{"run duration", ok + "runDuration: {distribution: lognormal, sigma: 1}",
			[]string{"spec.sources[0].generator.runDuration.median: is required for lognormal"}},
		{"owner kind", ok + "owners: [{kind: Pod, weight: 1}, {kind: CronJob, weight: 1}]",
			[]string{`spec.sources[0].generator.owners[1].kind: "CronJob" is not supported`}},
		{"weights", ok + "priorityClasses: [{name: high, weight: -1}]",
			[]string{"spec.sources[0].generator.priorityClasses[0].weight: must be a number >= 0"}},
		{"stop before start", ok + "start: 5m\nstop: 1m",
			[]string{"spec.sources[0].generator.stop: must be after start"}},
		{"empirical file", "arrival: {constant: {rate: 1}}\nshape: {empirical: {file: missing.csv}}",
			[]string{"spec.sources[0].generator.shape.empirical.file: generators: open"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Load(generatorScenario(t, tc.gen))
			if err == nil {
				t.Fatal("loaded")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q\nwant it to contain %q", err, w)
				}
			}
		})
	}
}

// TestGeneratorSourceStreams: a generator's draws depend on its own name
// only: adding a source before it changes none of its pods.
func TestGeneratorSourceStreams(t *testing.T) {
	gen := `
arrival: {poisson: {rate: 0.1}}
shape: {parametric: {cpu: {distribution: lognormal, median: 500, sigma: 1}, memory: {distribution: exponential, mean: 512}}}
runDuration: {distribution: exponential, mean: 1m}
`
	shapes := func(path string) map[string]string {
		l, err := Load(path)
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
		out := map[string]string{}
		for _, p := range s.Store().Pods.List("default", nil) {
			if p.Labels[generators.LabelGenerator] == "gen" {
				out[p.Name] = fmt.Sprintf("%s %d %d", p.Annotations[api.AnnotationRunDuration], p.Spec.Requests.MilliCPU, p.Spec.Requests.Memory)
			}
		}
		return out
	}
	alone := generatorScenario(t, gen)
	data, err := os.ReadFile(alone)
	if err != nil {
		t.Fatal(err)
	}
	other := strings.Replace(string(data), "  sources:\n", `  sources:
  - name: other
    generator:
      arrival: {poisson: {rate: 0.2}}
      shape: {parametric: {cpu: {distribution: exponential, mean: 300}, memory: {distribution: constant, value: 64}}}
`, 1)
	both := filepath.Join(t.TempDir(), "both.yaml")
	if err := os.WriteFile(both, []byte(other), 0o644); err != nil {
		t.Fatal(err)
	}
	a, b := shapes(alone), shapes(both)
	if len(a) < 30 || len(a) != len(b) {
		t.Fatalf("%d pods alone, %d with another source", len(a), len(b))
	}
	for name, v := range a {
		if b[name] != v {
			t.Errorf("%s: %s alone, %s with another source", name, v, b[name])
		}
	}
}
