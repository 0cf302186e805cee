package kubelet

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"k8s.io/apimachinery/pkg/api/resource"

	"github.com/kubesim/kubesim/sim"
	"github.com/kubesim/kubesim/sim/api"
)

// never is the unset duration: later than any run.
const never = time.Duration(math.MaxInt64)

// Behavior is how a pod's containers behave while they run, from its
// kubesim.io annotations (see ParseBehavior and docs/kubelet.md). The zero
// value is not meaningful; a pod without such annotations has a nil
// *Behavior: its containers exit 0 after the spec's run duration (if any),
// never crash, pass every probe and use their memory request.
type Behavior struct {
	// ExitCode is the code the containers exit with when the run duration
	// ends (kubesim.io/exit-code, default 0).
	ExitCode int32
	// CrashMTTF is the mean time to crash of each run (kubesim.io/crash-mttf;
	// 0: never crashes); a crash exits with CrashExitCode (default 1).
	CrashMTTF     time.Duration
	CrashExitCode int32
	// Liveness, Readiness and Startup say when the containers' probes of
	// each kind start failing.
	Liveness, Readiness, Startup ProbeFault
	// Memory is the usage profile of every run (kubesim.io/memory-usage);
	// nil: the memory request, or a draw around it if MemorySpread > 0.
	Memory MemoryProfile
	// MemorySpread overrides Config.MemoryUsageSpread when HasSpread.
	MemorySpread float64
	HasSpread    bool
}

// ProbeFault says when probes of one kind start failing, for good: After a
// run of the containers has lasted that long, or at simulation time At,
// whichever comes first. The zero value is not meaningful; NoFault never
// fails.
type ProbeFault struct {
	After time.Duration // never when unset
	At    sim.Time      // sim.Never when unset
}

// NoFault is a ProbeFault that never fails.
var NoFault = ProbeFault{After: never, At: sim.Never}

// Set reports whether the probes ever fail.
func (f ProbeFault) Set() bool { return f.After != never || f.At != sim.Never }

// Onset returns when probes of a run started at start begin failing
// (sim.Never if they do not).
func (f ProbeFault) Onset(start sim.Time) sim.Time { return min(later(start, f.After), f.At) }

// MemoryStep is one piece of a MemoryProfile: from After (since the
// containers started) on, the pod uses Bytes.
type MemoryStep struct {
	After time.Duration
	Bytes int64
}

// MemoryProfile is a pod's memory usage over one run of its containers, a
// piecewise-constant function of the time since they started: steps in
// increasing After order, the first at 0. Usage changes only at a step, so
// the kubelet's pressure checks are events, never polling.
type MemoryProfile []MemoryStep

// At returns the usage d after the containers started.
func (p MemoryProfile) At(d time.Duration) int64 {
	var v int64
	for _, s := range p {
		if s.After > d {
			break
		}
		v = s.Bytes
	}
	return v
}

// FirstAbove returns how long after the start the usage first exceeds limit,
// or false if it never does.
func (p MemoryProfile) FirstAbove(limit int64) (time.Duration, bool) {
	for _, s := range p {
		if s.Bytes > limit {
			return s.After, true
		}
	}
	return 0, false
}

// ParseMemoryProfile parses the kubesim.io/memory-usage syntax: a quantity
// for the usage from the start, then optional "duration=quantity" steps in
// increasing order, comma-separated: "200Mi,2m=500Mi,10m=1Gi".
func ParseMemoryProfile(s string) (MemoryProfile, error) {
	parts := strings.Split(s, ",")
	p := make(MemoryProfile, 0, len(parts))
	for i, part := range parts {
		part = strings.TrimSpace(part)
		var after time.Duration
		q := part
		if i > 0 {
			ds, qs, ok := strings.Cut(part, "=")
			if !ok {
				return nil, fmt.Errorf("step %q: expected duration=quantity, e.g. 2m=500Mi", part)
			}
			d, err := time.ParseDuration(strings.TrimSpace(ds))
			if err != nil {
				return nil, fmt.Errorf("step %q: invalid duration %q", part, ds)
			}
			if d <= p[len(p)-1].After {
				return nil, fmt.Errorf("step %q: durations must increase", part)
			}
			after, q = d, strings.TrimSpace(qs)
		} else if strings.Contains(part, "=") {
			return nil, fmt.Errorf("first item %q: expected the usage at the start, a quantity such as 200Mi", part)
		}
		v, err := resource.ParseQuantity(q)
		if err != nil {
			return nil, fmt.Errorf("invalid quantity %q", q)
		}
		if v.Sign() < 0 {
			return nil, fmt.Errorf("quantity %q must not be negative", q)
		}
		p = append(p, MemoryStep{After: after, Bytes: v.Value()})
	}
	return p, nil
}

// ParseBehavior reads a pod's kubesim.io behaviour annotations. It returns
// nil (and no error) when there are none, and reports every bad value at once,
// each naming its annotation. Scenario loaders call it to reject bad input at
// load; the kubelet calls it at admission and ignores (with a warning event)
// what it cannot parse.
func ParseBehavior(ann map[string]string) (*Behavior, error) {
	if len(ann) == 0 {
		return nil, nil
	}
	var b *Behavior
	var errs []error
	get := func(key string) (string, bool) {
		v, ok := ann[key]
		if ok && b == nil {
			b = &Behavior{CrashExitCode: 1, Liveness: NoFault, Readiness: NoFault, Startup: NoFault}
		}
		return v, ok
	}
	bad := func(key, format string, args ...any) {
		errs = append(errs, fmt.Errorf("metadata.annotations[%q]: %s", key, fmt.Sprintf(format, args...)))
	}
	code := func(key string, lo int, dst *int32) {
		if v, ok := get(key); ok {
			n, err := strconv.Atoi(v)
			if err != nil || n < lo || n > 255 {
				bad(key, "invalid exit code %q: expected an integer from %d to 255", v, lo)
				return
			}
			*dst = int32(n)
		}
	}
	dur := func(key string, positive bool) (time.Duration, bool) {
		v, ok := get(key)
		if !ok {
			return 0, false
		}
		d, err := time.ParseDuration(v)
		if err != nil || d < 0 || (positive && d == 0) {
			bad(key, "invalid duration %q: expected a Go duration such as \"90s\" or \"1h30m\"%s", v,
				map[bool]string{true: ", greater than 0", false: ", not negative"}[positive])
			return 0, false
		}
		return d, true
	}
	fault := func(afterKey, atKey string) ProbeFault {
		f := NoFault
		if d, ok := dur(afterKey, false); ok {
			f.After = d
		}
		if d, ok := dur(atKey, false); ok {
			f.At = sim.Time(d)
		}
		return f
	}
	var exitCode, crashCode int32 = 0, 1
	code(api.AnnotationExitCode, 0, &exitCode)
	code(api.AnnotationCrashExitCode, 1, &crashCode)
	mttf, _ := dur(api.AnnotationCrashMTTF, true)
	live := fault(api.AnnotationLivenessFailAfter, api.AnnotationLivenessFailAt)
	ready := fault(api.AnnotationReadinessFailAfter, api.AnnotationReadinessFailAt)
	startup := fault(api.AnnotationStartupFailAfter, api.AnnotationStartupFailAt)
	var mem MemoryProfile
	if v, ok := get(api.AnnotationMemoryUsage); ok {
		p, err := ParseMemoryProfile(v)
		if err != nil {
			bad(api.AnnotationMemoryUsage, "%v", err)
		}
		mem = p
	}
	var spread float64
	var hasSpread bool
	if v, ok := get(api.AnnotationMemoryUsageSpread); ok {
		f, err := strconv.ParseFloat(v, 64)
		if err != nil || f < 0 || math.IsInf(f, 0) || math.IsNaN(f) {
			bad(api.AnnotationMemoryUsageSpread, "invalid spread %q: expected a number >= 0, e.g. 0.2", v)
		} else {
			spread, hasSpread = f, true
		}
	}
	if b == nil {
		return nil, nil
	}
	b.ExitCode, b.CrashExitCode, b.CrashMTTF = exitCode, crashCode, mttf
	b.Liveness, b.Readiness, b.Startup = live, ready, startup
	b.Memory, b.MemorySpread, b.HasSpread = mem, spread, hasSpread
	slices.SortFunc(errs, func(a, b error) int { return strings.Compare(a.Error(), b.Error()) })
	return b, errors.Join(errs...)
}
