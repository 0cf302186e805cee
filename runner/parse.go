package runner

import (
	"errors"
	"fmt"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	"github.com/kubesim/kubesim/scheduler"
	"github.com/kubesim/kubesim/sim/api"
)

// MaxSeeds bounds the seeds of one plan, so that a typo ("1-1000000000")
// is an error, not a week of runs.
const MaxSeeds = 100_000

// ParseSeeds parses a seed list: comma-separated seeds and inclusive ranges,
// "42-51", "1,2,7", "1-3,10". Seeds keep their order; a repeated seed is an
// error.
func ParseSeeds(s string) ([]uint64, error) {
	if strings.TrimSpace(s) == "" {
		return nil, errors.New("seeds: empty list")
	}
	var out []uint64
	seen := map[uint64]bool{}
	add := func(n uint64) error {
		if seen[n] {
			return fmt.Errorf("seeds: %d given twice", n)
		}
		if len(out) == MaxSeeds {
			return fmt.Errorf("seeds: more than %d", MaxSeeds)
		}
		seen[n] = true
		out = append(out, n)
		return nil
	}
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		lo, hi, isRange := strings.Cut(part, "-")
		a, err := strconv.ParseUint(strings.TrimSpace(lo), 10, 64)
		if err != nil {
			return nil, fmt.Errorf("seeds: %q is not a seed or a range LOW-HIGH of non-negative integers", part)
		}
		if !isRange {
			if err := add(a); err != nil {
				return nil, err
			}
			continue
		}
		b, err := strconv.ParseUint(strings.TrimSpace(hi), 10, 64)
		if err != nil {
			return nil, fmt.Errorf("seeds: %q is not a seed or a range LOW-HIGH of non-negative integers", part)
		}
		if b < a {
			return nil, fmt.Errorf("seeds: range %q goes down", part)
		}
		if b-a >= MaxSeeds {
			return nil, fmt.Errorf("seeds: range %q has more than %d seeds", part, MaxSeeds)
		}
		for n := a; ; n++ {
			if err := add(n); err != nil {
				return nil, err
			}
			if n == b {
				break
			}
		}
	}
	return out, nil
}

// ScenarioProfile is the name of the profile that runs the scenario as
// written, used when no profile is given.
const ScenarioProfile = "scenario"

// Profile is one compared scheduling policy.
type Profile struct {
	// Name names the profile in outputs and is its folder's name.
	Name string
	// SchedulerProfile is the schedulerName, in the scheduler configuration,
	// of the profile that schedules the default scheduler's pods
	// (scenarios.BuildOptions.DefaultProfile); "" keeps the configuration's
	// own default-scheduler profile.
	SchedulerProfile string
	// Config is a KubeSchedulerConfiguration file used instead of the
	// scenario's spec.scheduler.config (scenarios.BuildOptions.SchedulerConfig);
	// "" keeps the scenario's.
	Config string
}

var profileName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]*$`)

// IsConfigFile tells whether a --profiles entry names a
// KubeSchedulerConfiguration file rather than a profile: it contains a path
// separator or ends in .yaml, .yml or .json.
func IsConfigFile(entry string) bool {
	if strings.ContainsRune(entry, '/') || strings.ContainsRune(entry, filepath.Separator) {
		return true
	}
	switch strings.ToLower(filepath.Ext(entry)) {
	case ".yaml", ".yml", ".json":
		return true
	}
	return false
}

// ParseProfiles turns --profiles entries into profiles, in order. An entry
// is either the schedulerName of a profile in the scenario's scheduler
// configuration (the pods of the default scheduler use it instead of the
// default-scheduler profile), or, when IsConfigFile, a
// KubeSchedulerConfiguration file named by its base name without extension,
// which replaces the scenario's configuration: the pods of the default
// scheduler use its default-scheduler profile or, if it has none and exactly
// one profile, that one. Files are loaded and checked here; names must be
// usable as folder names ([A-Za-z0-9][A-Za-z0-9._-]*) and distinct.
// No entries give one profile, ScenarioProfile: the scenario as written.
func ParseProfiles(entries []string) ([]Profile, error) {
	if len(entries) == 0 {
		return []Profile{{Name: ScenarioProfile}}, nil
	}
	var out []Profile
	var errs []error
	seen := map[string]string{}
	for _, e := range entries {
		e = strings.TrimSpace(e)
		p := Profile{Name: e, SchedulerProfile: e}
		if IsConfigFile(e) {
			base := filepath.Base(e)
			p = Profile{Name: strings.TrimSuffix(base, filepath.Ext(base)), Config: e}
			c, err := scheduler.LoadConfig(e)
			if err != nil {
				errs = append(errs, fmt.Errorf("profiles: %w", err))
				continue
			}
			sp, err := defaultProfileOf(c)
			if err != nil {
				errs = append(errs, fmt.Errorf("profiles: %s: %w", e, err))
				continue
			}
			p.SchedulerProfile = sp
		}
		if !profileName.MatchString(p.Name) {
			errs = append(errs, fmt.Errorf("profiles: %q: a profile's name must match [A-Za-z0-9][A-Za-z0-9._-]* to name its folder", p.Name))
			continue
		}
		if prev, dup := seen[p.Name]; dup {
			errs = append(errs, fmt.Errorf("profiles: %q and %q have the same name %q", prev, e, p.Name))
			continue
		}
		seen[p.Name] = e
		out = append(out, p)
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return out, nil
}

// defaultProfileOf returns the profile of a configuration file that the
// default scheduler's pods use: "" (its own default-scheduler profile), or
// its only profile.
func defaultProfileOf(c *scheduler.Config) (string, error) {
	var names []string
	for _, p := range c.Profiles {
		if p.SchedulerName == api.DefaultSchedulerName {
			return "", nil
		}
		names = append(names, p.SchedulerName)
	}
	if len(names) == 1 {
		return names[0], nil
	}
	return "", fmt.Errorf("no %s profile, and %d profiles (%s) to choose from; give one profile or name one %s",
		api.DefaultSchedulerName, len(names), strings.Join(names, ", "), api.DefaultSchedulerName)
}
