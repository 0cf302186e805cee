package kubelet

import (
	"reflect"
	"testing"
	"time"

	"github.com/kubesim/kubesim/sim"
	"github.com/kubesim/kubesim/sim/api"
)

func TestFailingTick(t *testing.T) {
	p := 10 * time.Second
	tests := []struct {
		name      string
		t0, onset sim.Time
		threshold int64
		want      sim.Time
	}{
		{"fails from the first probe", secs(1), secs(0), 3, secs(21)},
		{"onset on a probe", secs(1), secs(31), 3, secs(51)},
		{"onset just after a probe", secs(1), secs(32), 3, secs(61)},
		{"threshold 1", secs(5), secs(6), 1, secs(15)},
		{"never", secs(1), sim.Never, 3, sim.Never},
	}
	for _, tc := range tests {
		if got := failingTick(tc.t0, tc.onset, p, tc.threshold); got != tc.want {
			t.Errorf("%s: failingTick = %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestLivenessFailureRestarts(t *testing.T) {
	w := newWorld(t, catalogue())
	w.addNode("n1", 4000, withImages("redis"))
	w.addPodWith("p", "n1", probed(probe(0, 10, 1, 3), nil, nil), annotate(api.AnnotationLivenessFailAfter, "60s"))
	w.run(secs(300))
	// Start at 1 s; probes at 1, 11, ...; the first failing one at 61 (1+60);
	// the third at 81: killed and, as a first restart, restarted at once.
	// Run 2 starts at 81: failing probes 141, 151, 161: killed at 161, then
	// CrashLoopBackOff 10 s: restarted at 171. Run 3: killed at 251, back-off
	// 20 s: 271.
	want := []sim.Time{secs(81), secs(171), secs(271)}
	if got := w.restartTimes("p"); !reflect.DeepEqual(got, want) {
		t.Errorf("restarts at %v, want %v\n%s", got, want, w.dump())
	}
	cs := w.pod("p").Status.ContainerStatuses[0]
	if lt := cs.LastTermination; lt == nil || lt.ExitCode != 137 || lt.Reason != "Error" || lt.StartedAt != secs(171) || lt.FinishedAt != secs(251) {
		t.Errorf("last termination = %+v", lt)
	}
	if got := w.events("failed liveness probe, will be restarted"); len(got) != 3 {
		t.Errorf("Killing events = %q", got)
	}
}

func TestLivenessFailAtSimulationTime(t *testing.T) {
	w := newWorld(t, catalogue())
	w.addNode("n1", 4000, withImages("redis"))
	// Fails from t = 31 s, a probe time: the third failure is at 31 + 2×10.
	w.addPodWith("p", "n1", probed(probe(0, 10, 1, 3), nil, nil), annotate(api.AnnotationLivenessFailAt, "31s"))
	w.run(secs(100))
	// Run 2 starts at 51 and fails at its first probe: killed at 71, then
	// back-off 10 s.
	if got, want := w.restartTimes("p"), []sim.Time{secs(51), secs(81)}; !reflect.DeepEqual(got, want) {
		t.Errorf("restarts at %v, want %v", got, want)
	}
}

func TestReadinessFailureFlipsReady(t *testing.T) {
	w := newWorld(t, catalogue())
	w.addNode("n1", 4000, withImages("redis"))
	w.addPodWith("p", "n1", probed(nil, probe(5, 10, 1, 3), nil), annotate(api.AnnotationReadinessFailAfter, "60s"))
	w.run(secs(300))
	// Start 1 s, probes at 6, 16, ...: ready at 6; failing from 61: probes
	// 66, 76, 86: not ready at 86. No restart.
	w.wantTime("Ready", "p", isReady, secs(6))
	w.wantTime("not ready", "p", func(s podSnap) bool { return !s.deleted && s.at > secs(6) && !s.ready }, secs(86))
	p := w.pod("p")
	if p.IsReady() || p.Status.Phase != api.PodRunning || p.MaxRestarts() != 0 || p.Status.ContainerStatuses[0].Ready {
		t.Errorf("pod = %s ready=%v restarts=%d %+v", p.Status.Phase, p.IsReady(), p.MaxRestarts(), p.Status.ContainerStatuses)
	}
	if got := w.events("Readiness probe failed"); len(got) != 1 {
		t.Errorf("Unhealthy events = %q", got)
	}
}

func TestReadinessNeverSucceedsBeforeOnset(t *testing.T) {
	w := newWorld(t, catalogue())
	w.addNode("n1", 4000, withImages("redis"))
	// Three successes needed at 6, 16, 26; failing from 20 s of run (21).
	w.addPodWith("p", "n1", probed(nil, probe(5, 10, 3, 3), nil), annotate(api.AnnotationReadinessFailAfter, "20s"))
	w.run(secs(300))
	if got := w.firstTime("p", isReady); got != sim.Never {
		t.Errorf("ready at %v, want never", got)
	}
}

func TestStartupProbe(t *testing.T) {
	t.Run("gates readiness", func(t *testing.T) {
		w := newWorld(t, catalogue())
		w.addNode("n1", 4000, withImages("redis"))
		w.addPodWith("p", "n1", probed(nil, nil, probe(10, 5, 1, 3)))
		w.run(secs(60))
		w.wantTime("Ready", "p", isReady, secs(11))
	})
	t.Run("failing kills before liveness runs", func(t *testing.T) {
		w := newWorld(t, catalogue())
		w.addNode("n1", 4000, withImages("redis"))
		w.addPodWith("p", "n1", probed(probe(0, 1, 1, 1), nil, probe(10, 5, 1, 3)),
			annotate(api.AnnotationStartupFailAfter, "0s", api.AnnotationLivenessFailAfter, "0s"))
		w.run(secs(100))
		// Startup probes at start+10, +15, +20: killed at start+20. Runs
		// start at 1, 21 (first restart at once), 51 (10 s back-off), 91
		// (20 s back-off): three kills by 100 s.
		if got, want := w.restartTimes("p"), []sim.Time{secs(21), secs(51), secs(91)}; !reflect.DeepEqual(got, want) {
			t.Errorf("restarts at %v, want %v", got, want)
		}
		if got := w.firstTime("p", isReady); got != sim.Never {
			t.Errorf("ready at %v", got)
		}
		if got := w.events("failed startup probe"); len(got) != 3 {
			t.Errorf("Killing events = %q", got)
		}
	})
	t.Run("liveness waits for startup", func(t *testing.T) {
		w := newWorld(t, catalogue())
		w.addNode("n1", 4000, withImages("redis"))
		w.addPodWith("p", "n1", probed(probe(0, 10, 1, 1), nil, probe(30, 5, 1, 3)),
			annotate(api.AnnotationLivenessFailAfter, "0s"))
		w.run(secs(40))
		// Startup succeeds at 31; the first liveness probe, at 31, fails:
		// threshold 1, killed at 31.
		if got, want := w.restartTimes("p"), []sim.Time{secs(31)}; !reflect.DeepEqual(got, want) {
			t.Errorf("restarts at %v, want %v", got, want)
		}
	})
}

func TestRestartPolicyOnExitCodes(t *testing.T) {
	tests := []struct {
		policy   api.RestartPolicy
		code     string
		phase    api.PodPhase // at 20 s
		restarts int32
		reason   string
	}{
		{api.RestartAlways, "0", api.PodRunning, 1, "Completed"},
		{api.RestartAlways, "1", api.PodRunning, 1, "Error"},
		{api.RestartOnFailure, "0", api.PodSucceeded, 0, "Completed"},
		{api.RestartOnFailure, "2", api.PodRunning, 1, "Error"},
		{api.RestartNever, "0", api.PodSucceeded, 0, "Completed"},
		{api.RestartNever, "3", api.PodFailed, 0, "Error"},
	}
	for _, tc := range tests {
		t.Run(string(tc.policy)+"/"+tc.code, func(t *testing.T) {
			w := newWorld(t, catalogue())
			w.addNode("n1", 4000, withImages("redis"))
			s := specOf(100, "redis")
			s.RestartPolicy, s.RunDuration = tc.policy, 10*time.Second
			w.addPodWith("p", "n1", s, annotate(api.AnnotationExitCode, tc.code))
			w.run(secs(20))
			p := w.pod("p")
			if p.Status.Phase != tc.phase || p.MaxRestarts() != tc.restarts {
				t.Fatalf("phase %s restarts %d, want %s %d", p.Status.Phase, p.MaxRestarts(), tc.phase, tc.restarts)
			}
			cs := p.Status.ContainerStatuses[0]
			term := cs.LastTermination
			if tc.restarts == 0 {
				if cs.State != api.ContainerTerminated {
					t.Fatalf("container %+v", cs)
				}
				term = &api.ContainerTermination{ExitCode: cs.ExitCode, Reason: cs.Reason}
			}
			if term == nil || term.Reason != tc.reason || term.ExitCode != int32(tc.code[0]-'0') {
				t.Errorf("termination = %+v, want %s exit %s", term, tc.reason, tc.code)
			}
		})
	}
}

func TestCrashModel(t *testing.T) {
	crashTimes := func(extra bool) []sim.Time {
		w := newWorld(t, catalogue())
		w.addNode("n1", 4000, withImages("redis"))
		w.addNode("n2", 4000, withImages("redis"))
		if extra {
			w.addPodWith("other", "n2", specOf(100, "redis"), annotate(api.AnnotationCrashMTTF, "10m"))
		}
		w.addPodWith("p", "n1", specOf(100, "redis"), annotate(api.AnnotationCrashMTTF, "10m", api.AnnotationCrashExitCode, "3"))
		w.run(secs(2000))
		if lt := w.pod("p").Status.ContainerStatuses[0].LastTermination; lt == nil || lt.ExitCode != 3 || lt.Reason != "Error" {
			t.Errorf("last termination %+v", lt)
		}
		return w.restartTimes("p")
	}
	// Hand-derived from the pod's own stream: each run lasts an exponential
	// draw with mean 10 min; the first restart is immediate, then 10 s, 20 s
	// ... back-off (reset after a run longer than 600 s).
	rng := sim.NewStream(1, 0, "kubelet/pod/default/p")
	var want []sim.Time
	at, backoff, last := secs(1), time.Duration(0), sim.Time(-1)
	for {
		run := time.Duration(rng.ExpFloat64() * float64(10*time.Minute))
		exit := at.Add(run)
		var delay time.Duration
		switch {
		case last < 0 || exit.Sub(last) > 600*time.Second:
			delay, backoff = 0, 10*time.Second
		default:
			delay, backoff = backoff, min(2*backoff, 300*time.Second)
		}
		next := exit.Add(delay)
		if next > secs(2000) {
			break
		}
		want = append(want, next)
		// The back-off entry was last updated at the restart decision.
		if delay == 0 {
			last = exit
		} else {
			last = next
		}
		at = next
	}
	got := crashTimes(false)
	if len(want) < 2 || !reflect.DeepEqual(got, want) {
		t.Errorf("restarts at %v, want %v", got, want)
	}
	if again := crashTimes(true); !reflect.DeepEqual(again, got) {
		t.Errorf("another pod's crashes shifted this pod's: %v vs %v", again, got)
	}
}

func TestOOMKill(t *testing.T) {
	w := newWorld(t, catalogue())
	w.addNode("n1", 4000, withImages("redis"))
	usage := annotate(api.AnnotationMemoryUsage, "100Mi,30s=300Mi")
	w.addPodWith("always", "n1", memSpec(128, 256, api.RestartAlways), usage)
	w.addPodWith("never", "n1", memSpec(128, 256, api.RestartNever), usage)
	w.addPodWith("nolimit", "n1", memSpec(128, 0, api.RestartAlways), usage)
	w.run(secs(100))
	// Usage crosses the 256Mi limit 30 s into each run: OOM-killed at 31,
	// restarted at once; again at 61, back-off 10 s: 71.
	if got, want := w.restartTimes("always"), []sim.Time{secs(31), secs(71)}; !reflect.DeepEqual(got, want) {
		t.Errorf("restarts at %v, want %v", got, want)
	}
	if lt := w.pod("always").Status.ContainerStatuses[0].LastTermination; lt == nil || lt.Reason != "OOMKilled" || lt.ExitCode != 137 {
		t.Errorf("last termination %+v", lt)
	}
	w.wantTime("Failed", "never", isPhase(api.PodFailed), secs(31))
	if cs := w.pod("never").Status.ContainerStatuses[0]; cs.Reason != "OOMKilled" || cs.ExitCode != 137 {
		t.Errorf("never: %+v", cs)
	}
	if got := w.restartTimes("nolimit"); len(got) != 0 {
		t.Errorf("pod without a limit restarted at %v", got)
	}
}

func TestImagePullBackOff(t *testing.T) {
	cfg := catalogue()
	cfg.FailingImages = []string{"docker.io/library/bad:1"}
	w := newWorld(t, cfg)
	w.addNode("n1", 4000)
	w.addPod("p", "n1", specOf(100, "bad:1"))
	w.at(secs(100), func() { w.m.SetImageFailing("bad:1", false) })
	w.run(secs(200))
	// Attempts at 0, 10, 30, 70 fail (back-off 10, 20, 40, then 80 s); the
	// pod worker's 10 s retry shows ImagePullBackOff in between; the attempt
	// at 150 pulls 100Mi in 2 s and the pod runs at 153.
	if got, want := w.containerReasonTimes("p", "ErrImagePull"), []sim.Time{0, secs(10), secs(30), secs(70)}; !reflect.DeepEqual(got, want) {
		t.Errorf("ErrImagePull at %v, want %v", got, want)
	}
	if got, want := w.containerReasonTimes("p", "ImagePullBackOff"), []sim.Time{secs(20), secs(40), secs(80)}; !reflect.DeepEqual(got, want) {
		t.Errorf("ImagePullBackOff at %v, want %v", got, want)
	}
	w.wantTime("Running", "p", isPhase(api.PodRunning), secs(153))
	if got := w.events(`Back-off pulling image "bad:1"`); len(got) != 3 {
		t.Errorf("BackOff events = %q", got)
	}
}
