package kubelet

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/kubesim/kubesim/sim"
	"github.com/kubesim/kubesim/sim/api"
)

func TestParseBehavior(t *testing.T) {
	if b, err := ParseBehavior(map[string]string{"other": "x"}); b != nil || err != nil {
		t.Errorf("unrelated annotations: %+v, %v", b, err)
	}
	b, err := ParseBehavior(map[string]string{
		api.AnnotationExitCode:           "2",
		api.AnnotationCrashMTTF:          "1h",
		api.AnnotationCrashExitCode:      "139",
		api.AnnotationLivenessFailAfter:  "90s",
		api.AnnotationReadinessFailAt:    "10m",
		api.AnnotationMemoryUsage:        "200Mi, 2m=500Mi,10m=1Gi",
		api.AnnotationMemoryUsageSpread:  "0.25",
		api.AnnotationStartupFailAfter:   "0s",
		api.AnnotationStartupFailAt:      "1h",
		api.AnnotationRunDuration:        "5m", // read by the decoder, not here
		api.AnnotationPodDeletionCost:    "3",
		api.AnnotationLivenessFailAt:     "2h",
		api.AnnotationReadinessFailAfter: "1m",
	})
	if err != nil {
		t.Fatal(err)
	}
	want := &Behavior{ExitCode: 2, CrashMTTF: time.Hour, CrashExitCode: 139,
		Liveness:     ProbeFault{After: 90 * time.Second, At: sim.Time(2 * time.Hour)},
		Readiness:    ProbeFault{After: time.Minute, At: sim.Time(10 * time.Minute)},
		Startup:      ProbeFault{After: 0, At: sim.Time(time.Hour)},
		Memory:       MemoryProfile{{0, 200 * MiB}, {2 * time.Minute, 500 * MiB}, {10 * time.Minute, 1 << 30}},
		MemorySpread: 0.25, HasSpread: true}
	if !reflect.DeepEqual(b, want) {
		t.Errorf("behaviour = %+v\nwant %+v", b, want)
	}
	if got := b.Liveness.Onset(secs(100)); got != secs(190) {
		t.Errorf("liveness onset = %v", got)
	}
	if got := b.Memory.At(3 * time.Minute); got != 500*MiB {
		t.Errorf("usage at 3m = %d", got)
	}
	if d, ok := b.Memory.FirstAbove(600 * MiB); !ok || d != 10*time.Minute {
		t.Errorf("FirstAbove = %v %v", d, ok)
	}

	_, err = ParseBehavior(map[string]string{
		api.AnnotationExitCode:          "256",
		api.AnnotationCrashExitCode:     "0",
		api.AnnotationCrashMTTF:         "0s",
		api.AnnotationLivenessFailAfter: "soon",
		api.AnnotationMemoryUsage:       "1Gi,2m=x",
		api.AnnotationMemoryUsageSpread: "-1",
	})
	if err == nil {
		t.Fatal("bad annotations accepted")
	}
	for _, key := range []string{api.AnnotationExitCode, api.AnnotationCrashExitCode, api.AnnotationCrashMTTF,
		api.AnnotationLivenessFailAfter, api.AnnotationMemoryUsage, api.AnnotationMemoryUsageSpread} {
		if !strings.Contains(err.Error(), `metadata.annotations["`+key+`"]`) {
			t.Errorf("error does not name %s:\n%v", key, err)
		}
	}
}

func TestParseMemoryProfileErrors(t *testing.T) {
	for _, s := range []string{"", "1m=1Gi", "1Gi,2m", "1Gi,2m=1Gi,1m=2Gi", "1Gi,2m=-1", "lots"} {
		if _, err := ParseMemoryProfile(s); err == nil {
			t.Errorf("ParseMemoryProfile(%q) accepted", s)
		}
	}
}

func TestBadAnnotationIsReportedNotFatal(t *testing.T) {
	w := newWorld(t, catalogue())
	w.addNode("n1", 4000, withImages("redis"))
	w.addPodWith("p", "n1", specOf(100, "redis"), annotate(api.AnnotationCrashMTTF, "often"))
	w.run(secs(10))
	w.wantTime("Running", "p", isPhase(api.PodRunning), secs(1))
	if got := w.events("FailedKubesimAnnotation"); len(got) != 1 || !strings.Contains(got[0], api.AnnotationCrashMTTF) {
		t.Errorf("events = %q", got)
	}
}

// TestDeterministicFailures runs pods with random crashes and memory, node
// pressure, a partition, a kubelet restart, a crash and recovery and a
// shutdown twice and compares the logs.
func TestDeterministicFailures(t *testing.T) {
	runOnce := func() []string {
		cfg := catalogue()
		cfg.MemoryUsageSpread = 0.3
		w := newWorld(t, cfg)
		for _, n := range []string{"a", "b", "c", "d"} {
			w.addNode(n, 4000, withMemory(1200), withImages("redis"))
		}
		for i := range 24 {
			name := string(rune('a'+i%26)) + "-" + string(rune('0'+i/10)) + string(rune('0'+i%10))
			node := []string{"a", "b", "c", "d"}[i%4]
			s := memSpec(int64(100+20*(i%5)), 0, []api.RestartPolicy{api.RestartAlways, api.RestartOnFailure, api.RestartNever}[i%3])
			w.addPodWith(name, node, s, annotate(api.AnnotationCrashMTTF, "3m", api.AnnotationCrashExitCode, "1"))
		}
		w.at(secs(100), func() { w.must(w.m.Partition("a")) })
		w.at(secs(150), func() { w.must(w.m.RestartKubelet("b", 20*time.Second)) })
		w.at(secs(200), func() { w.must(w.m.Crash("c")) })
		w.at(secs(250), func() { w.must(w.m.Heal("a")) })
		w.at(secs(300), func() { w.must(w.m.Recover("c")) })
		w.at(secs(400), func() { w.must(w.m.Shutdown("d", 0)) })
		w.run(secs(1200))
		return w.log
	}
	a, b := runOnce(), runOnce()
	if !reflect.DeepEqual(a, b) {
		t.Fatal("two runs of the same scenario wrote different logs")
	}
	if len(a) < 200 {
		t.Fatalf("suspiciously short log (%d lines)", len(a))
	}
}
