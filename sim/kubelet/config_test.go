package kubelet

import (
	"strings"
	"testing"
	"time"

	"github.com/kubesim/kubesim/sim"
	"github.com/kubesim/kubesim/sim/store"
)

func TestNormalizeImage(t *testing.T) {
	tests := map[string]string{
		"nginx":                             "docker.io/library/nginx:latest",
		"nginx:1.25":                        "docker.io/library/nginx:1.25",
		"docker.io/library/nginx:1.25":      "docker.io/library/nginx:1.25",
		"index.docker.io/library/nginx":     "docker.io/library/nginx:latest",
		"bitnami/redis:7":                   "docker.io/bitnami/redis:7",
		"registry.k8s.io/pause:3.10":        "registry.k8s.io/pause:3.10",
		"localhost:5000/app":                "localhost:5000/app:latest",
		"localhost/app:v1":                  "localhost/app:v1",
		"quay.io/org/img@sha256:abc":        "quay.io/org/img@sha256:abc",
		"nginx:1.25@sha256:abc":             "docker.io/library/nginx:1.25@sha256:abc",
		"my.registry:443/team/svc/api:2024": "my.registry:443/team/svc/api:2024",
	}
	for in, want := range tests {
		if got := normalizeImage(in); got != want {
			t.Errorf("normalizeImage(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestPullDuration(t *testing.T) {
	tests := []struct {
		size, bw int64
		want     time.Duration
	}{
		{200 * MiB, 50 * MiB, 4 * time.Second},
		{0, 50 * MiB, 0},
		{1, 3, 333333333},
		{20 << 30, 10 * MiB, 2048 * time.Second}, // size × 1e9 overflows int64
		{1 << 62, 1, time.Duration(1<<63 - 1)},   // saturates
	}
	for _, tc := range tests {
		if got := pullDuration(tc.size, tc.bw); got != tc.want {
			t.Errorf("pullDuration(%d, %d) = %v, want %v", tc.size, tc.bw, got, tc.want)
		}
	}
	if got := later(sim.Time(5), time.Duration(1<<63-1)); got != sim.Never {
		t.Errorf("later saturating = %v", got)
	}
}

func TestConfigValidate(t *testing.T) {
	if err := (&Config{}).Validate(); err == nil {
		t.Fatal("zero Config accepted")
	} else {
		for _, field := range []string{"imagePullBandwidth", "restartBackoffInitial", "restartBackoffMax", "restartBackoffReset"} {
			if !strings.Contains(err.Error(), field) {
				t.Errorf("error does not name %s: %v", field, err)
			}
		}
	}
	cfg := DefaultConfig()
	if err := cfg.Validate(); err != nil {
		t.Fatalf("DefaultConfig invalid: %v", err)
	}
	cfg.Images = map[string]int64{"x": -1}
	if err := cfg.Validate(); err == nil || !strings.Contains(err.Error(), "images[x]") {
		t.Errorf("negative image size: %v", err)
	}
	defer func() {
		if r := recover(); r == nil || !strings.HasPrefix(r.(string), "kubelet: ") {
			t.Errorf("NewManager with invalid config: recover() = %v", r)
		}
	}()
	eng := sim.NewEngine(1, 0)
	NewManager(eng, store.New(eng, store.Options{}), Config{})
}

func TestBackoffCapBelowInitial(t *testing.T) {
	cfg := DefaultConfig()
	cfg.RestartBackoffMax = 4 * time.Second
	eng := sim.NewEngine(1, 0)
	m := NewManager(eng, store.New(eng, store.Options{}), cfg)
	if got := m.Config().RestartBackoffInitial; got != 4*time.Second {
		t.Errorf("initial back-off = %v, want the 4s cap", got)
	}
}
