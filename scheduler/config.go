package scheduler

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"sort"
	"strings"
	"time"

	configv1 "k8s.io/kube-scheduler/config/v1"
	kjson "sigs.k8s.io/json"
	"sigs.k8s.io/yaml"

	"github.com/kubesim/kubesim/scheduler/framework"
	"github.com/kubesim/kubesim/sim/api"
)

// Defaults of Config, as upstream where upstream has one.
const (
	// DefaultCycleLatency is the virtual time one scheduling cycle takes.
	DefaultCycleLatency = time.Millisecond
	// DefaultBindLatency is the virtual time from the end of a cycle to the
	// bind's store write.
	DefaultBindLatency = 5 * time.Millisecond
	// DefaultPodInitialBackoff and DefaultPodMaxBackoff bound the backoff.
	DefaultPodInitialBackoff = time.Second
	DefaultPodMaxBackoff     = 10 * time.Second
	// DefaultPodMaxInUnschedulablePodsDuration is how long a pod stays in the
	// unschedulable pool before the periodic flush moves it back.
	DefaultPodMaxInUnschedulablePodsDuration = 5 * time.Minute
	// UnschedulableFlushPeriod is how often that flush runs.
	UnschedulableFlushPeriod = 30 * time.Second
)

// Config configures a Scheduler. The zero value is usable: one profile,
// "default-scheduler", with the default plugins, and the defaults below for
// every zero field.
type Config struct {
	// File is the configuration file the config was loaded from ("" when built
	// in code); error messages name it.
	File string
	// Profiles are the scheduling profiles. Empty means one default profile.
	Profiles []ProfileConfig
	// PercentageOfNodesToScore is the global percentage of nodes to find
	// feasible before scoring (0..100; 0 = adaptive, the default).
	PercentageOfNodesToScore int32
	// PodInitialBackoff (default 1 s) and PodMaxBackoff (default 10 s) bound
	// the per-pod backoff after failed attempts.
	PodInitialBackoff time.Duration
	PodMaxBackoff     time.Duration
	// PodMaxInUnschedulablePodsDuration (default 5 min) is the longest a pod
	// waits in the unschedulable pool without a relevant cluster event.
	PodMaxInUnschedulablePodsDuration time.Duration
	// CycleLatency is the virtual time one scheduling cycle takes: the next
	// cycle starts that long after the previous one. Unlike the other fields,
	// zero means zero; DefaultConfig and LoadConfig set it to 1 ms.
	CycleLatency time.Duration
	// BindLatency is the virtual time from the end of a cycle (or from
	// Permit's approval) until PreBind, Bind and PostBind run. Zero means
	// zero; DefaultConfig and LoadConfig set it to 5 ms.
	BindLatency time.Duration
	// Registry holds the plugin factories; nil means the in-tree registry.
	Registry framework.Registry
	// TieBreak is how the host is chosen among the nodes with the highest
	// score: TieBreakRandom (""; upstream) or TieBreakPermutation.
	TieBreak string
}

// Tie-break rules of Config.TieBreak.
const (
	// TieBreakRandom picks uniformly among the best nodes (stream
	// TieBreakStream), as upstream's selectHost.
	TieBreakRandom = "random"
	// TieBreakPermutation picks the best node that comes first in a random
	// order of the nodes drawn once per run (stream PermutationStream): the
	// FGD paper's simulator, whose patched scheduler takes the smallest node
	// name among ties after prefixing the names with a random permutation
	// index, so that ties keep going to the same nodes.
	TieBreakPermutation = "permutation"
	// PermutationStream draws the node order of TieBreakPermutation.
	PermutationStream = "scheduler/node-order"
)

// ProfileConfig is one scheduling profile, as a KubeSchedulerProfile says it.
type ProfileConfig struct {
	// SchedulerName is the spec.schedulerName of the pods this profile
	// schedules ("default-scheduler" when empty and there is one profile).
	SchedulerName string
	// PercentageOfNodesToScore overrides the global value when set.
	PercentageOfNodesToScore *int32
	// Plugins are the plugin sets as written in the configuration (nil: none);
	// they are merged with the default plugins as upstream does.
	Plugins *configv1.Plugins
	// PluginArgs maps a plugin name to its arguments: a defaulted
	// *configv1.XxxArgs for plugins that have an upstream args type, else the
	// raw JSON (json.RawMessage). Plugins without an entry get nil.
	PluginArgs map[string]any
}

// withDefaults returns c with every zero field set to its default.
func (c Config) withDefaults() Config {
	if c.PodInitialBackoff == 0 {
		c.PodInitialBackoff = DefaultPodInitialBackoff
	}
	if c.PodMaxBackoff == 0 {
		c.PodMaxBackoff = DefaultPodMaxBackoff
	}
	if c.PodMaxInUnschedulablePodsDuration == 0 {
		c.PodMaxInUnschedulablePodsDuration = DefaultPodMaxInUnschedulablePodsDuration
	}
	if c.Registry == nil {
		c.Registry = defaultRegistry()
	}
	if len(c.Profiles) == 0 {
		c.Profiles = []ProfileConfig{{SchedulerName: api.DefaultSchedulerName}}
	}
	if len(c.Profiles) == 1 && c.Profiles[0].SchedulerName == "" {
		c.Profiles = []ProfileConfig{c.Profiles[0]}
		c.Profiles[0].SchedulerName = api.DefaultSchedulerName
	}
	return c
}

// validate checks c (after withDefaults) and returns every problem at once.
func (c *Config) validate() error {
	var errs []error
	add := func(format string, a ...any) { errs = append(errs, fmt.Errorf(format, a...)) }
	if c.PercentageOfNodesToScore < 0 || c.PercentageOfNodesToScore > 100 {
		add("percentageOfNodesToScore: must be in the range [0, 100], got %d", c.PercentageOfNodesToScore)
	}
	if c.PodInitialBackoff <= 0 {
		add("podInitialBackoffSeconds: must be greater than 0")
	}
	if c.PodMaxBackoff < c.PodInitialBackoff {
		add("podMaxBackoffSeconds: must be greater than or equal to podInitialBackoffSeconds")
	}
	if c.CycleLatency < 0 || c.BindLatency < 0 || c.PodMaxInUnschedulablePodsDuration < 0 {
		add("latencies and durations must not be negative")
	}
	if c.TieBreak != "" && c.TieBreak != TieBreakRandom && c.TieBreak != TieBreakPermutation {
		add("tieBreak: unsupported value %q: supported values are %q, %q", c.TieBreak, TieBreakRandom, TieBreakPermutation)
	}
	names := map[string]int{}
	for i := range c.Profiles {
		p := &c.Profiles[i]
		path := fmt.Sprintf("profiles[%d]", i)
		if p.SchedulerName == "" {
			add("%s.schedulerName: required when there are several profiles", path)
		} else if j, dup := names[p.SchedulerName]; dup {
			add("%s.schedulerName: duplicate name %q (also profiles[%d])", path, p.SchedulerName, j)
		} else {
			names[p.SchedulerName] = i
		}
		if v := p.PercentageOfNodesToScore; v != nil && (*v < 0 || *v > 100) {
			add("%s.percentageOfNodesToScore: must be in the range [0, 100], got %d", path, *v)
		}
		errs = append(errs, validatePluginNames(path, p.Plugins, c.Registry)...)
		var unknown []string
		for name := range p.PluginArgs {
			if _, ok := c.Registry[name]; !ok {
				unknown = append(unknown, name)
			}
		}
		sort.Strings(unknown)
		for _, name := range unknown {
			add("%s.pluginConfig: unknown plugin %q", path, name)
		}
	}
	return errors.Join(errs...)
}

// pluginPoints lists a Plugins' sets with their YAML field names, in upstream
// order.
func pluginPoints(p *configv1.Plugins) []struct {
	name string
	set  *configv1.PluginSet
} {
	return []struct {
		name string
		set  *configv1.PluginSet
	}{
		{"preEnqueue", &p.PreEnqueue}, {"queueSort", &p.QueueSort}, {"preFilter", &p.PreFilter},
		{"filter", &p.Filter}, {"postFilter", &p.PostFilter}, {"preScore", &p.PreScore},
		{"score", &p.Score}, {"reserve", &p.Reserve}, {"permit", &p.Permit},
		{"preBind", &p.PreBind}, {"bind", &p.Bind}, {"postBind", &p.PostBind},
		{"multiPoint", &p.MultiPoint},
	}
}

func validatePluginNames(path string, p *configv1.Plugins, reg framework.Registry) []error {
	if p == nil {
		return nil
	}
	var errs []error
	for _, pt := range pluginPoints(p) {
		for j, e := range pt.set.Enabled {
			f := fmt.Sprintf("%s.plugins.%s.enabled[%d]", path, pt.name, j)
			if _, ok := reg[e.Name]; !ok {
				errs = append(errs, fmt.Errorf("%s.name: unknown plugin %q (known: %s)", f, e.Name, strings.Join(registryNames(reg), ", ")))
			}
			if e.Weight != nil && *e.Weight < 0 {
				errs = append(errs, fmt.Errorf("%s.weight: must not be negative, got %d", f, *e.Weight))
			}
		}
	}
	return errs
}

// LoadConfig reads a KubeSchedulerConfiguration (kubescheduler.config.k8s.io/v1)
// from a YAML file: decoded strictly (unknown or duplicate fields are errors),
// defaulted and validated as upstream, plugin arguments decoded into the
// typed v1 args structs and defaulted, plugin names checked against the
// in-tree registry. Every error names the file and the field. Zero durations
// in the result are the defaults (CycleLatency 1 ms, BindLatency 5 ms).
func LoadConfig(path string) (*Config, error) { return LoadConfigWithRegistry(path, nil) }

// LoadConfigWithRegistry is LoadConfig with plugin names checked against reg
// (nil: the in-tree registry), which the returned Config keeps; use it when
// out-of-tree plugins are registered.
func LoadConfigWithRegistry(path string, reg framework.Registry) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return ParseConfig(path, data, reg)
}

// DefaultConfig returns the default configuration with every default filled
// in: one "default-scheduler" profile with the default plugins of the
// in-tree registry, adaptive percentageOfNodesToScore, 1 s / 10 s backoff,
// 5 min unschedulable limit, 1 ms cycles and 5 ms binds.
func DefaultConfig() *Config {
	c := Config{CycleLatency: DefaultCycleLatency, BindLatency: DefaultBindLatency}.withDefaults()
	return &c
}

// ParseConfig is LoadConfig on data already read; name is used in errors.
func ParseConfig(name string, data []byte, reg framework.Registry) (*Config, error) {
	fail := func(err error) (*Config, error) { return nil, fmt.Errorf("%s: %w", name, err) }
	j, err := yaml.YAMLToJSON(data)
	if err != nil {
		return fail(err)
	}
	var kc configv1.KubeSchedulerConfiguration
	strict, err := kjson.UnmarshalStrict(j, &kc, kjson.DisallowUnknownFields, kjson.DisallowDuplicateFields)
	if err != nil {
		return fail(err)
	}
	if len(strict) > 0 {
		return fail(errors.Join(strict...))
	}
	if want := configv1.SchemeGroupVersion.String(); kc.APIVersion != want {
		return fail(fmt.Errorf("apiVersion: expected %q, got %q", want, kc.APIVersion))
	}
	if kc.Kind != "KubeSchedulerConfiguration" {
		return fail(fmt.Errorf("kind: expected \"KubeSchedulerConfiguration\", got %q", kc.Kind))
	}
	if len(kc.Extenders) > 0 {
		return fail(errors.New("extenders: scheduler extenders are not supported by kubesim"))
	}
	c := &Config{File: name, Registry: reg, CycleLatency: DefaultCycleLatency, BindLatency: DefaultBindLatency}
	if v := kc.PercentageOfNodesToScore; v != nil {
		c.PercentageOfNodesToScore = *v
	}
	if v := kc.PodInitialBackoffSeconds; v != nil {
		if *v <= 0 {
			return fail(fmt.Errorf("podInitialBackoffSeconds: must be greater than 0, got %d", *v))
		}
		c.PodInitialBackoff = time.Duration(*v) * time.Second
	}
	if v := kc.PodMaxBackoffSeconds; v != nil {
		if *v <= 0 {
			return fail(fmt.Errorf("podMaxBackoffSeconds: must be greater than 0, got %d", *v))
		}
		c.PodMaxBackoff = time.Duration(*v) * time.Second
	}
	var errs []error
	for i, kp := range kc.Profiles {
		p := ProfileConfig{PercentageOfNodesToScore: kp.PercentageOfNodesToScore, Plugins: kp.Plugins}
		if kp.SchedulerName != nil {
			p.SchedulerName = *kp.SchedulerName
			if p.SchedulerName == "" {
				errs = append(errs, fmt.Errorf("profiles[%d].schedulerName: must not be empty", i))
			}
		}
		args, aerrs := decodePluginConfig(fmt.Sprintf("profiles[%d]", i), kp.PluginConfig)
		errs = append(errs, aerrs...)
		p.PluginArgs = args
		c.Profiles = append(c.Profiles, p)
	}
	if err := errors.Join(errs...); err != nil {
		return fail(err)
	}
	d := c.withDefaults()
	if err := d.validate(); err != nil {
		return fail(err)
	}
	c.Registry = d.Registry
	c.Profiles = d.Profiles
	return c, nil
}

// argsTypes maps plugin names to constructors of their upstream v1 args type.
var argsTypes = map[string]func() any{
	"DefaultPreemption":               func() any { return &configv1.DefaultPreemptionArgs{} },
	"InterPodAffinity":                func() any { return &configv1.InterPodAffinityArgs{} },
	"NodeResourcesFit":                func() any { return &configv1.NodeResourcesFitArgs{} },
	"NodeResourcesBalancedAllocation": func() any { return &configv1.NodeResourcesBalancedAllocationArgs{} },
	"PodTopologySpread":               func() any { return &configv1.PodTopologySpreadArgs{} },
	"VolumeBinding":                   func() any { return &configv1.VolumeBindingArgs{} },
	"NodeAffinity":                    func() any { return &configv1.NodeAffinityArgs{} },
	"DynamicResources":                func() any { return &configv1.DynamicResourcesArgs{} },
}

// decodePluginConfig decodes each pluginConfig entry's args strictly into its
// typed struct and defaults it.
func decodePluginConfig(path string, pcs []configv1.PluginConfig) (map[string]any, []error) {
	if len(pcs) == 0 {
		return nil, nil
	}
	out := make(map[string]any, len(pcs))
	var errs []error
	for j, pc := range pcs {
		f := fmt.Sprintf("%s.pluginConfig[%d]", path, j)
		if pc.Name == "" {
			errs = append(errs, fmt.Errorf("%s.name: required", f))
			continue
		}
		if _, dup := out[pc.Name]; dup {
			errs = append(errs, fmt.Errorf("%s.name: repeated config for plugin %s", f, pc.Name))
			continue
		}
		raw := bytes.TrimSpace(pc.Args.Raw)
		mk, typed := argsTypes[pc.Name]
		if !typed {
			if len(raw) == 0 || string(raw) == "null" {
				out[pc.Name] = nil
			} else {
				out[pc.Name] = json.RawMessage(raw)
			}
			continue
		}
		args := mk()
		if len(raw) > 0 && string(raw) != "null" {
			strict, err := kjson.UnmarshalStrict(raw, args, kjson.DisallowUnknownFields, kjson.DisallowDuplicateFields)
			if err != nil {
				errs = append(errs, fmt.Errorf("%s.args: decoding args for plugin %s: %w", f, pc.Name, err))
				continue
			}
			if len(strict) > 0 {
				for _, e := range strict {
					errs = append(errs, fmt.Errorf("%s.args: %w", f, e))
				}
				continue
			}
			if err := checkArgsKind(args, pc.Name); err != nil {
				errs = append(errs, fmt.Errorf("%s.args: %w", f, err))
				continue
			}
		}
		defaultArgs(args)
		out[pc.Name] = args
	}
	return out, errs
}

// checkArgsKind checks an optional apiVersion/kind inside args.
func checkArgsKind(args any, plugin string) error {
	var tm struct {
		APIVersion, Kind string
	}
	switch a := args.(type) {
	case *configv1.DefaultPreemptionArgs:
		tm.APIVersion, tm.Kind = a.APIVersion, a.Kind
	case *configv1.InterPodAffinityArgs:
		tm.APIVersion, tm.Kind = a.APIVersion, a.Kind
	case *configv1.NodeResourcesFitArgs:
		tm.APIVersion, tm.Kind = a.APIVersion, a.Kind
	case *configv1.NodeResourcesBalancedAllocationArgs:
		tm.APIVersion, tm.Kind = a.APIVersion, a.Kind
	case *configv1.PodTopologySpreadArgs:
		tm.APIVersion, tm.Kind = a.APIVersion, a.Kind
	case *configv1.VolumeBindingArgs:
		tm.APIVersion, tm.Kind = a.APIVersion, a.Kind
	case *configv1.NodeAffinityArgs:
		tm.APIVersion, tm.Kind = a.APIVersion, a.Kind
	case *configv1.DynamicResourcesArgs:
		tm.APIVersion, tm.Kind = a.APIVersion, a.Kind
	}
	if tm.Kind != "" && tm.Kind != plugin+"Args" {
		return fmt.Errorf("kind: args for plugin %s must be of kind %sArgs, got %q", plugin, plugin, tm.Kind)
	}
	if tm.APIVersion != "" && tm.APIVersion != configv1.SchemeGroupVersion.String() {
		return fmt.Errorf("apiVersion: expected %q, got %q", configv1.SchemeGroupVersion.String(), tm.APIVersion)
	}
	return nil
}

func defaultResourceSpec() []configv1.ResourceSpec {
	return []configv1.ResourceSpec{{Name: "cpu", Weight: 1}, {Name: "memory", Weight: 1}}
}

// defaultArgs applies upstream's v1 defaulting to typed args (SEMANTICS 1.2).
func defaultArgs(args any) {
	switch a := args.(type) {
	case *configv1.NodeResourcesFitArgs:
		if a.ScoringStrategy == nil {
			a.ScoringStrategy = &configv1.ScoringStrategy{Type: configv1.LeastAllocated, Resources: defaultResourceSpec()}
		}
		if len(a.ScoringStrategy.Resources) == 0 {
			a.ScoringStrategy.Resources = defaultResourceSpec()
		}
		for i := range a.ScoringStrategy.Resources {
			if a.ScoringStrategy.Resources[i].Weight == 0 {
				a.ScoringStrategy.Resources[i].Weight = 1
			}
		}
	case *configv1.NodeResourcesBalancedAllocationArgs:
		if len(a.Resources) == 0 {
			a.Resources = defaultResourceSpec()
		}
		for i := range a.Resources {
			if a.Resources[i].Weight == 0 {
				a.Resources[i].Weight = 1
			}
		}
	case *configv1.PodTopologySpreadArgs:
		if a.DefaultingType == "" {
			a.DefaultingType = configv1.SystemDefaulting
		}
	case *configv1.InterPodAffinityArgs:
		if a.HardPodAffinityWeight == nil {
			w := int32(1)
			a.HardPodAffinityWeight = &w
		}
	case *configv1.DefaultPreemptionArgs:
		if a.MinCandidateNodesPercentage == nil {
			v := int32(10)
			a.MinCandidateNodesPercentage = &v
		}
		if a.MinCandidateNodesAbsolute == nil {
			v := int32(100)
			a.MinCandidateNodesAbsolute = &v
		}
	case *configv1.VolumeBindingArgs:
		if a.BindTimeoutSeconds == nil {
			v := int64(600)
			a.BindTimeoutSeconds = &v
		}
	}
}
