package scheduler

import (
	"reflect"
	"strings"
	"testing"
	"time"

	configv1 "k8s.io/kube-scheduler/config/v1"

	"github.com/kubesim/kubesim/scheduler/framework"
)

func TestLoadConfigMinimal(t *testing.T) {
	c, err := LoadConfigWithRegistry("testdata/valid-minimal.yaml", fakeRegistry())
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Profiles) != 1 || c.Profiles[0].SchedulerName != "default-scheduler" {
		t.Fatalf("profiles %+v", c.Profiles)
	}
	d := c.withDefaults()
	if d.PodInitialBackoff != time.Second || d.PodMaxBackoff != 10*time.Second || d.PercentageOfNodesToScore != 0 {
		t.Fatalf("defaults %+v", d)
	}
}

func TestLoadConfigProfiles(t *testing.T) {
	var got any
	reg := fakeRegistry()
	reg["NodeResourcesFit"] = func(args any, _ framework.Handle) (framework.Plugin, error) {
		if args != nil {
			got = args
		}
		return fakeFit{}, nil
	}
	c, err := LoadConfigWithRegistry("testdata/valid-profiles.yaml", reg)
	if err != nil {
		t.Fatal(err)
	}
	if c.PercentageOfNodesToScore != 20 || c.PodInitialBackoff != 2*time.Second || c.PodMaxBackoff != 30*time.Second {
		t.Fatalf("globals %+v", c)
	}
	w, err := newWorld(*c)
	if err != nil {
		t.Fatal(err)
	}
	packer := w.s.Profile("packer")
	if packer == nil || w.s.Profile("default-scheduler") == nil {
		t.Fatal("profiles missing")
	}
	if *packer.percentageOfNodesToScore != 100 {
		t.Fatal("per-profile percentage lost")
	}
	if got := packer.PluginNames(PointScore); !reflect.DeepEqual(got, []string{"NodeResourcesFit", "TaintToleration", "NodeAffinity"}) {
		t.Fatalf("packer score plugins %v", got)
	}
	if packer.ScoreWeight("NodeResourcesFit") != 5 {
		t.Fatal("weight override lost")
	}
	args, ok := got.(*configv1.NodeResourcesFitArgs)
	if !ok {
		t.Fatalf("factory got %T", got)
	}
	ss := args.ScoringStrategy
	if ss.Type != configv1.RequestedToCapacityRatio || len(ss.Resources) != 2 || ss.Resources[0].Weight != 1 || ss.Resources[1].Weight != 2 ||
		len(ss.RequestedToCapacityRatio.Shape) != 2 || ss.RequestedToCapacityRatio.Shape[1].Score != 10 {
		t.Fatalf("args %+v", ss)
	}
	// Empty args of a typed plugin are defaulted.
	ba := c.Profiles[1].PluginArgs["NodeResourcesBalancedAllocation"].(*configv1.NodeResourcesBalancedAllocationArgs)
	if len(ba.Resources) != 2 || ba.Resources[0].Name != "cpu" || ba.Resources[1].Weight != 1 {
		t.Fatalf("balanced defaults %+v", ba.Resources)
	}
}

func TestLoadConfigInvalid(t *testing.T) {
	for file, want := range map[string][]string{
		"invalid-unknown-field.yaml":     {`unknown field "profiles[0].plugins.score.enabled[0].wieght"`},
		"invalid-unknown-plugin.yaml":    {`profiles[0].plugins.filter.enabled[0].name: unknown plugin "NodeResourcesFitt"`},
		"invalid-args.yaml":              {`profiles[0].pluginConfig[0].args`, `unknown field "scoringStrategy.resourcez"`},
		"invalid-duplicate-profile.yaml": {`profiles[1].schedulerName: duplicate name "a"`},
		"invalid-apiversion.yaml":        {`apiVersion: expected "kubescheduler.config.k8s.io/v1"`},
		"invalid-backoff.yaml":           {`podMaxBackoffSeconds: must be greater than or equal to podInitialBackoffSeconds`},
		"invalid-args-kind.yaml":         {`must be of kind NodeResourcesFitArgs`},
		"invalid-percentage.yaml":        {`percentageOfNodesToScore: must be in the range [0, 100]`},
	} {
		path := "testdata/" + file
		_, err := LoadConfigWithRegistry(path, fakeRegistry())
		if err == nil {
			t.Errorf("%s: no error", file)
			continue
		}
		msg := err.Error()
		if !strings.HasPrefix(msg, path+": ") {
			t.Errorf("%s: error does not name the file: %s", file, msg)
		}
		for _, w := range want {
			if !strings.Contains(msg, w) {
				t.Errorf("%s: error %q does not contain %q", file, msg, w)
			}
		}
	}
}

func TestDefaultConfig(t *testing.T) {
	c := DefaultConfig()
	if c.CycleLatency != DefaultCycleLatency || c.BindLatency != DefaultBindLatency || len(c.Profiles) != 1 ||
		c.Profiles[0].SchedulerName != "default-scheduler" || c.Registry == nil {
		t.Fatalf("%+v", c)
	}
	if _, err := LoadConfig("testdata/valid-minimal.yaml"); err != nil {
		t.Fatal(err)
	}
}

func TestNewRejectsUnknownPluginInCode(t *testing.T) {
	_, err := newWorld(Config{Profiles: []ProfileConfig{{Plugins: &configv1.Plugins{
		Score: configv1.PluginSet{Enabled: []configv1.Plugin{{Name: "Mystery"}}},
	}}}})
	if err == nil || !strings.Contains(err.Error(), `profiles[0].plugins.score.enabled[0].name: unknown plugin "Mystery"`) {
		t.Fatalf("error %v", err)
	}
}
