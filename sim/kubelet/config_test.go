package kubelet

import (
	"strings"
	"testing"
	"time"

	"github.com/kubesim/kubesim/sim"
	"github.com/kubesim/kubesim/sim/store"
)

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
