package scenarios

import (
	"fmt"
	"strings"

	"github.com/kubesim/kubesim/scheduler"
	"github.com/kubesim/kubesim/sim/api"
)

// CheckOptions reports, without building anything, whether opts can build l:
// it loads the scheduler configuration BuildWith would use (opts.SchedulerConfig
// or the scenario's spec.scheduler.config) and applies opts.DefaultProfile.
// Use it to reject a bad profile or configuration before starting many runs.
func CheckOptions(l *Loaded, opts BuildOptions) error {
	_, err := schedulerConfig(l, opts)
	return err
}

// schedulerConfig returns the scheduler configuration of a simulation built
// from l with opts: the defaults, or the KubeSchedulerConfiguration of
// opts.SchedulerConfig (if set) or spec.scheduler.config, with
// opts.DefaultProfile made the default-scheduler profile. Errors are
// *LoadError naming the file and field.
func schedulerConfig(l *Loaded, opts BuildOptions) (*scheduler.Config, error) {
	scfg := scheduler.DefaultConfig()
	if opts.Registry != nil {
		scfg.Registry = opts.Registry
	}
	file, path := l.Path, "spec.scheduler.config"
	src := l.SchedulerConfig
	if opts.SchedulerConfig != "" {
		src, file, path = opts.SchedulerConfig, opts.SchedulerConfig, ""
	}
	if src != "" {
		c, err := scheduler.LoadConfigWithRegistry(src, opts.Registry)
		if err != nil {
			return nil, &LoadError{Errors: []FieldError{{File: file, Path: path, Msg: err.Error()}}}
		}
		scfg = c
	}
	if err := useAsDefaultProfile(scfg, opts.DefaultProfile); err != nil {
		return nil, &LoadError{Errors: []FieldError{{File: file, Path: path, Msg: err.Error()}}}
	}
	withTypicalPods(scfg, l.TypicalPods)
	if tb := l.Scenario.Spec.Scheduler.TieBreak; tb != "" {
		scfg.TieBreak = tb
	}
	return scfg, nil
}

// useAsDefaultProfile makes the profile whose schedulerName is name schedule
// the pods of the default scheduler: a copy of it, renamed
// "default-scheduler", takes the place of the configuration's
// default-scheduler profile (or is appended when there is none). The profile
// itself stays, so pods naming it explicitly keep it. "" and
// "default-scheduler" change nothing.
func useAsDefaultProfile(c *scheduler.Config, name string) error {
	if name == "" {
		return nil
	}
	idx := -1
	names := make([]string, len(c.Profiles))
	for i, p := range c.Profiles {
		names[i] = p.SchedulerName
		if p.SchedulerName == name {
			idx = i
		}
	}
	if idx < 0 {
		return fmt.Errorf("no profile with schedulerName %q (profiles: %s)", name, strings.Join(names, ", "))
	}
	if name == api.DefaultSchedulerName {
		return nil
	}
	chosen := c.Profiles[idx]
	chosen.SchedulerName = api.DefaultSchedulerName
	out := make([]scheduler.ProfileConfig, 0, len(c.Profiles)+1)
	replaced := false
	for _, p := range c.Profiles {
		if p.SchedulerName == api.DefaultSchedulerName {
			out = append(out, chosen)
			replaced = true
			continue
		}
		out = append(out, p)
	}
	if !replaced {
		out = append(out, chosen)
	}
	c.Profiles = out
	return nil
}
