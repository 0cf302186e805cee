package scheduler

import (
	"sort"

	configv1 "k8s.io/kube-scheduler/config/v1"

	"github.com/kubesim/kubesim/scheduler/framework"
)

// upstreamDefaultPlugins is upstream v1.35's default multiPoint list, in order,
// with score weights (0 = unset) (SEMANTICS 1.2).
var upstreamDefaultPlugins = []struct {
	name   string
	weight int32
}{
	{"SchedulingGates", 0},
	{"PrioritySort", 0},
	{"NodeUnschedulable", 0},
	{"NodeName", 0},
	{"TaintToleration", 3},
	{"NodeAffinity", 2},
	{"NodePorts", 0},
	{"NodeResourcesFit", 1},
	{"VolumeRestrictions", 0},
	{"NodeVolumeLimits", 0},
	{"VolumeBinding", 0},
	{"VolumeZone", 0},
	{"PodTopologySpread", 2},
	{"InterPodAffinity", 2},
	{"DynamicResources", 2},
	{"DefaultPreemption", 0},
	{"NodeResourcesBalancedAllocation", 1},
	{"ImageLocality", 1},
	{"DefaultBinder", 0},
}

// DefaultPlugins returns the default profile's plugins: upstream's default
// multiPoint list, in upstream order and with upstream weights, restricted to
// the plugins reg knows (kubesim grows towards the full list as plugins are
// written).
func DefaultPlugins(reg framework.Registry) *configv1.Plugins {
	p := &configv1.Plugins{}
	for _, d := range upstreamDefaultPlugins {
		if _, ok := reg[d.name]; !ok {
			continue
		}
		e := configv1.Plugin{Name: d.name}
		if d.weight != 0 {
			w := d.weight
			e.Weight = &w
		}
		p.MultiPoint.Enabled = append(p.MultiPoint.Enabled, e)
	}
	return p
}

// mergePlugins merges a profile's custom plugin sets into the defaults, per
// extension point, with upstream's rules (SEMANTICS 5).
func mergePlugins(defaults, custom *configv1.Plugins) *configv1.Plugins {
	if custom == nil {
		return defaults
	}
	out := &configv1.Plugins{}
	dp, cp, op := pluginPoints(defaults), pluginPoints(custom), pluginPoints(out)
	for i := range op {
		*op[i].set = mergePluginSet(*dp[i].set, *cp[i].set)
	}
	return out
}

// mergePluginSet: the defaults minus the disabled ones, in default order; a
// custom entry naming a default plugin replaces it in place; the other custom
// entries follow. Disabled entries are kept so that multiPoint expansion can
// honour them.
func mergePluginSet(def, custom configv1.PluginSet) configv1.PluginSet {
	disabled := map[string]bool{}
	var out configv1.PluginSet
	for _, d := range custom.Disabled {
		out.Disabled = append(out.Disabled, configv1.Plugin{Name: d.Name})
		disabled[d.Name] = true
	}
	for _, d := range def.Disabled {
		out.Disabled = append(out.Disabled, configv1.Plugin{Name: d.Name})
		disabled[d.Name] = true
	}
	customIdx := map[string]int{}
	for i, e := range custom.Enabled {
		customIdx[e.Name] = i
	}
	replaced := map[int]bool{}
	if !disabled["*"] {
		for _, e := range def.Enabled {
			if disabled[e.Name] {
				continue
			}
			if i, ok := customIdx[e.Name]; ok {
				e = custom.Enabled[i]
				replaced[i] = true
			}
			out.Enabled = append(out.Enabled, e)
		}
	}
	for i, e := range custom.Enabled {
		if !replaced[i] {
			out.Enabled = append(out.Enabled, e)
		}
	}
	return out
}

// registryNames returns the registry's plugin names, sorted.
func registryNames(reg framework.Registry) []string {
	out := make([]string, 0, len(reg))
	for n := range reg {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}
