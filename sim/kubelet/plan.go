package kubelet

import (
	"math"
	"time"

	"github.com/kubesim/kubesim/sim"
	"github.com/kubesim/kubesim/sim/api"
)

// A run of a pod's containers is planned when it starts: everything that can
// end it or flip its readiness is a function of the start time, the pod's
// Behavior and its probes, so each becomes at most one timer rather than a
// periodic probe.
//
// Probe timing. A probe of period P and initial delay D, on containers
// started at s, runs at t0, t0+P, t0+2P, ... where t0 = max(s+D, the time
// the container's startup probes succeeded, the probe anchor). The anchor is
// s, or the moment a restarted kubelet process resumes probing (upstream's
// probe workers start again, the first probe at once). Results flip only
// after failureThreshold consecutive failures or successThreshold
// consecutive successes, as upstream's worker counts them:
//
//   - startup: succeeds at its first probe unless its fault onset is at or
//     before it; otherwise it fails at every probe and the containers are
//     killed at t0 + (failureThreshold-1)·P, before liveness or readiness
//     probes ever run.
//   - readiness: ready at t0 + (successThreshold-1)·P if that is before the
//     fault onset F; not ready again at the failureThreshold-th failing probe,
//     t0 + (k+failureThreshold-1)·P with k the first probe index at or after
//     F.
//   - liveness: the containers are killed at the failureThreshold-th failing
//     probe, counted the same way.

// Probe defaults, for probes built without them (decoded manifests have
// upstream's defaults filled in).
func probePeriod(p *api.Probe) time.Duration {
	if p.PeriodSeconds <= 0 {
		return 10 * time.Second
	}
	return seconds(p.PeriodSeconds)
}

func probeFailures(p *api.Probe) int64 {
	if p.FailureThreshold <= 0 {
		return 3
	}
	return int64(p.FailureThreshold)
}

func probeSuccesses(p *api.Probe) int64 { return int64(max(p.SuccessThreshold, 1)) }

// tick returns t0 + n·period, saturating at sim.Never.
func tick(t0 sim.Time, n int64, period time.Duration) sim.Time {
	if t0 == sim.Never || n > 0 && time.Duration(n) > time.Duration(math.MaxInt64)/period {
		return sim.Never
	}
	return later(t0, time.Duration(n)*period)
}

// failingTick returns the time of the threshold-th consecutive failing probe
// of a probe ticking from t0 every period that fails from onset on
// (sim.Never when it never fails).
func failingTick(t0, onset sim.Time, period time.Duration, threshold int64) sim.Time {
	if onset == sim.Never || t0 == sim.Never {
		return sim.Never
	}
	var first int64
	if onset > t0 {
		d := onset.Sub(t0)
		first = int64((d + period - 1) / period)
	}
	return tick(t0, first+threshold-1, period)
}

// readyTime returns when a pod whose containers started at start becomes
// ready with no probe failing: at once without probes, else when its
// slowest probed container's readiness probe has passed successThreshold
// times (after its startup probe, if any, first succeeded).
func readyTime(spec *api.PodSpec, start sim.Time) sim.Time {
	at := start
	for i := range spec.Containers {
		c := &spec.Containers[i]
		t := start
		if sp := c.StartupProbe; sp != nil {
			t = start.Add(seconds(sp.InitialDelaySeconds))
		}
		if rp := c.ReadinessProbe; rp != nil {
			t = max(t, start.Add(seconds(rp.InitialDelaySeconds)))
			t = tick(t, probeSuccesses(rp)-1, probePeriod(rp))
		}
		at = max(at, t)
	}
	return at
}

// planRun plans the run of the pod's containers that starts now: its
// memory profile, its end (cause, time, exit code) and its readiness.
func (k *Kubelet) planRun(ps *podState, now sim.Time) {
	k.pickMemory(ps)
	k.planIntrinsic(ps, now)
	ps.startupAt = sim.Never
	k.planProbes(ps, now, false)
}

// pickMemory chooses the run's memory profile: the pod's annotation, a draw
// around the request when a spread is set, else nil (the request).
func (k *Kubelet) pickMemory(ps *podState) {
	ps.mem, ps.memIdx = nil, 0
	spread := k.m.cfg.MemoryUsageSpread
	if b := ps.bh; b != nil {
		if b.Memory != nil {
			ps.mem, ps.memIdx = b.Memory, 1
			return
		}
		if b.HasSpread {
			spread = b.MemorySpread
		}
	}
	if spread > 0 {
		f := max(0, 1+spread*ps.rand().NormFloat64())
		ps.mem = MemoryProfile{{Bytes: int64(math.Round(f * float64(ps.spec.Requests.Memory)))}}
		ps.memIdx = 1
	}
}

// memAt returns the pod's memory usage d into the current run.
func (ps *podState) memAt(d time.Duration) int64 {
	if ps.mem == nil {
		return ps.spec.Requests.Memory
	}
	return ps.mem.At(d)
}

// planIntrinsic plans what the containers themselves decide about a run
// starting at s: exit after the run duration, a crash, or an OOM kill when
// usage exceeds the pod's memory limit, whichever comes first.
func (k *Kubelet) planIntrinsic(ps *podState, s sim.Time) {
	ps.iEnd, ps.iCause, ps.iCode = sim.Never, endNone, 0
	b := ps.bh
	if d := ps.spec.RunDuration; d > 0 {
		ps.iEnd, ps.iCause = later(s, d), endExit
		if b != nil {
			ps.iCode = b.ExitCode
		}
	}
	if b != nil && b.CrashMTTF > 0 {
		x := ps.rand().ExpFloat64() * float64(b.CrashMTTF)
		d := never
		if x < float64(never) {
			d = time.Duration(x)
		}
		if t := later(s, d); t < ps.iEnd {
			ps.iEnd, ps.iCause, ps.iCode = t, endCrash, b.CrashExitCode
		}
	}
	if limit := ps.info.memLimit; limit > 0 && ps.mem != nil {
		if d, ok := ps.mem.FirstAbove(limit); ok {
			if t := later(s, d); t < ps.iEnd {
				ps.iEnd, ps.iCause, ps.iCode = t, endOOM, exitKilled
			}
		}
	}
}

// planProbes plans the probes of the run that started at ps.runStart, from
// now on: readiness flips, and a liveness or startup kill that ends the run
// before its intrinsic end. resumed says the kubelet process has just
// restarted: probing starts over now, and startup probes that had succeeded
// are not run again.
func (k *Kubelet) planProbes(ps *podState, now sim.Time, resumed bool) {
	s := ps.runStart
	ps.endAt, ps.endCause, ps.endCode = ps.iEnd, ps.iCause, ps.iCode
	b := ps.bh
	if b == nil && !resumed {
		ps.readyAt, ps.unreadyAt = later(s, ps.info.readyDelay), sim.Never
		if ps.info.startup {
			ps.startupAt = readyStartup(ps.spec, s)
		}
		return
	}
	live, ready, startup := NoFault, NoFault, NoFault
	if b != nil {
		live, ready, startup = b.Liveness, b.Readiness, b.Startup
	}
	startedUp := resumed && ps.startupAt <= now
	anchor := now
	readyAt, unreadyAt := anchor, sim.Never
	kill, cause := sim.Never, endNone
	startupAt := sim.Time(0)
	for i := range ps.spec.Containers {
		c := &ps.spec.Containers[i]
		started := anchor
		if sp := c.StartupProbe; sp != nil && !startedUp {
			t0 := max(anchor, s.Add(seconds(sp.InitialDelaySeconds)))
			if t0 < startup.Onset(s) {
				started = t0
			} else {
				started = sim.Never
				if t := tick(t0, probeFailures(sp)-1, probePeriod(sp)); t < kill {
					kill, cause = t, endStartup
				}
			}
			startupAt = max(startupAt, started)
		}
		if started == sim.Never {
			readyAt = sim.Never
			continue
		}
		cReady := started
		if rp := c.ReadinessProbe; rp != nil {
			t0 := max(started, s.Add(seconds(rp.InitialDelaySeconds)))
			period := probePeriod(rp)
			onset := ready.Onset(s)
			cReady = tick(t0, probeSuccesses(rp)-1, period)
			if cReady >= onset {
				cReady = sim.Never
			} else {
				unreadyAt = min(unreadyAt, failingTick(t0, onset, period, probeFailures(rp)))
			}
		}
		readyAt = max(readyAt, cReady)
		if lp := c.LivenessProbe; lp != nil {
			t0 := max(started, s.Add(seconds(lp.InitialDelaySeconds)))
			if t := failingTick(t0, live.Onset(s), probePeriod(lp), probeFailures(lp)); t < kill {
				kill, cause = t, endLiveness
			}
		}
	}
	if readyAt >= unreadyAt {
		readyAt = sim.Never
	}
	ps.readyAt, ps.unreadyAt = readyAt, unreadyAt
	if !startedUp {
		ps.startupAt = startupAt
	}
	if kill < ps.endAt {
		ps.endAt, ps.endCause, ps.endCode = kill, cause, exitKilled
	}
}

// readyStartup returns when the startup probes of containers started at s
// first succeed, none failing.
func readyStartup(spec *api.PodSpec, s sim.Time) sim.Time {
	at := s
	for i := range spec.Containers {
		if sp := spec.Containers[i].StartupProbe; sp != nil {
			at = max(at, s.Add(seconds(sp.InitialDelaySeconds)))
		}
	}
	return at
}
