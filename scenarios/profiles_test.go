package scenarios

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kubesim/kubesim/scheduler"
	"github.com/kubesim/kubesim/sim"
)

func TestUseAsDefaultProfile(t *testing.T) {
	cfg := func(names ...string) *scheduler.Config {
		c := &scheduler.Config{}
		for _, n := range names {
			c.Profiles = append(c.Profiles, scheduler.ProfileConfig{SchedulerName: n, PluginArgs: map[string]any{"from": n}})
		}
		return c
	}
	// describe renders each profile as schedulerName<-the profile it came from.
	describe := func(c *scheduler.Config) string {
		var parts []string
		for _, p := range c.Profiles {
			parts = append(parts, p.SchedulerName+"<-"+p.PluginArgs["from"].(string))
		}
		return strings.Join(parts, " ")
	}
	for _, tc := range []struct {
		name     string
		profiles []string
		use      string
		want     string
		err      string
	}{
		{"replaces the default in place", []string{"default-scheduler", "packer", "other"}, "packer",
			"default-scheduler<-packer packer<-packer other<-other", ""},
		{"added when there is no default", []string{"packer", "other"}, "other",
			"packer<-packer other<-other default-scheduler<-other", ""},
		{"default-scheduler is a no-op", []string{"default-scheduler", "packer"}, "default-scheduler",
			"default-scheduler<-default-scheduler packer<-packer", ""},
		{"empty is a no-op", []string{"packer"}, "", "packer<-packer", ""},
		{"unknown", []string{"default-scheduler", "packer"}, "nope", "",
			`no profile with schedulerName "nope" (profiles: default-scheduler, packer)`},
	} {
		c := cfg(tc.profiles...)
		err := useAsDefaultProfile(c, tc.use)
		switch {
		case tc.err != "":
			if err == nil || err.Error() != tc.err {
				t.Errorf("%s: err %v, want %q", tc.name, err, tc.err)
			}
		case err != nil:
			t.Errorf("%s: %v", tc.name, err)
		case describe(c) != tc.want:
			t.Errorf("%s: got %s, want %s", tc.name, describe(c), tc.want)
		}
	}
}

// profileScenario writes a scenario of two 4-CPU nodes, a scheduler
// configuration with a default profile (LeastAllocated: spreads) and a
// "bin-packing" profile (MostAllocated: packs), and two 1-CPU pods without a
// schedulerName arriving one after the other.
func profileScenario(t *testing.T) *Loaded {
	t.Helper()
	dir := t.TempDir()
	files := map[string]string{
		"scheduler.yaml": `apiVersion: kubescheduler.config.k8s.io/v1
kind: KubeSchedulerConfiguration
percentageOfNodesToScore: 100
profiles:
- schedulerName: default-scheduler
- schedulerName: bin-packing
  pluginConfig:
  - name: NodeResourcesFit
    args:
      scoringStrategy:
        type: MostAllocated
        resources: [{name: cpu, weight: 1}, {name: memory, weight: 1}]
`,
		"a.yaml": "apiVersion: v1\nkind: Pod\nmetadata: {name: a, namespace: default}\nspec: {containers: [{name: c, image: x, resources: {requests: {cpu: '1', memory: 1Gi}}}]}\n",
		"b.yaml": "apiVersion: v1\nkind: Pod\nmetadata: {name: b, namespace: default}\nspec: {containers: [{name: c, image: x, resources: {requests: {cpu: '1', memory: 1Gi}}}]}\n",
		"scenario.yaml": `apiVersion: kubesim.io/v1alpha1
kind: Scenario
metadata: {name: profiles}
spec:
  duration: 1m
  cluster:
    nodePools:
    - name: pool
      count: 2
      template:
        status:
          allocatable: {cpu: "4", memory: 16Gi, pods: "110"}
  scheduler: {config: scheduler.yaml}
  workloads:
  - {at: 1s, manifests: [a.yaml]}
  - {at: 2s, manifests: [b.yaml]}
`,
	}
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	l, err := Load(filepath.Join(dir, "scenario.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// TestDefaultProfileOption: with the stock default profile the second pod
// goes to the empty node (LeastAllocated); with DefaultProfile
// "bin-packing" it joins the first (MostAllocated), and so it does with that
// profile given as a configuration file of its own.
func TestDefaultProfileOption(t *testing.T) {
	l := profileScenario(t)
	packed := filepath.Join(t.TempDir(), "packed.yaml")
	data, err := os.ReadFile(l.SchedulerConfig)
	if err != nil {
		t.Fatal(err)
	}
	// The same configuration without its stock default profile: bin-packing
	// renamed default-scheduler.
	only := strings.Replace(string(data), "- schedulerName: default-scheduler\n- schedulerName: bin-packing\n", "- schedulerName: default-scheduler\n", 1)
	if err := os.WriteFile(packed, []byte(only), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name     string
		opts     BuildOptions
		together bool
	}{
		{"scenario default", BuildOptions{}, false},
		{"bin-packing as default", BuildOptions{DefaultProfile: "bin-packing"}, true},
		{"configuration file", BuildOptions{SchedulerConfig: packed}, true},
		{"file and its default", BuildOptions{SchedulerConfig: packed, DefaultProfile: "default-scheduler"}, true},
	} {
		s, err := BuildWith(l, tc.opts)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		s.Engine().Run(sim.Time(l.Duration))
		a, _ := s.Store().Pods.Get("default", "a")
		b, _ := s.Store().Pods.Get("default", "b")
		if a == nil || b == nil || a.NodeName == "" || b.NodeName == "" {
			t.Fatalf("%s: pods not scheduled: %v %v", tc.name, a, b)
		}
		if got := a.NodeName == b.NodeName; got != tc.together {
			t.Errorf("%s: a on %s, b on %s; want together=%t", tc.name, a.NodeName, b.NodeName, tc.together)
		}
		s.Close()
	}
}

func TestCheckOptions(t *testing.T) {
	l := profileScenario(t)
	if err := CheckOptions(l, BuildOptions{DefaultProfile: "bin-packing"}); err != nil {
		t.Errorf("bin-packing: %v", err)
	}
	err := CheckOptions(l, BuildOptions{DefaultProfile: "nope"})
	if err == nil || !strings.Contains(err.Error(), `spec.scheduler.config: no profile with schedulerName "nope" (profiles: default-scheduler, bin-packing)`) {
		t.Errorf("unknown profile: %v", err)
	}
	err = CheckOptions(l, BuildOptions{SchedulerConfig: filepath.Join(l.Dir, "missing.yaml")})
	if err == nil || !strings.Contains(err.Error(), "missing.yaml") {
		t.Errorf("missing file: %v", err)
	}
	if _, err := BuildWith(l, BuildOptions{DefaultProfile: "nope"}); err == nil {
		t.Error("BuildWith with an unknown profile must fail")
	}
}
