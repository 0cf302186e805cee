package interpodaffinity

import (
	"strings"
	"testing"

	configv1 "k8s.io/kube-scheduler/config/v1"

	"github.com/kubesim/kubesim/scheduler/plugins/internal/testutil"
)

func TestNew(t *testing.T) {
	h := testutil.NewHandle()
	tests := []struct {
		name       string
		args       any
		wantErr    string
		wantWeight int32
		wantIgnore bool
	}{
		{name: "nil args: defaults", args: nil, wantWeight: 1},
		{name: "typed nil args: defaults", args: (*configv1.InterPodAffinityArgs)(nil), wantWeight: 1},
		{name: "weight unset: default 1", args: &configv1.InterPodAffinityArgs{}, wantWeight: 1},
		{name: "weight 0", args: &configv1.InterPodAffinityArgs{HardPodAffinityWeight: int32p(0)}, wantWeight: 0},
		{name: "weight 100", args: &configv1.InterPodAffinityArgs{HardPodAffinityWeight: int32p(100)}, wantWeight: 100},
		{name: "ignore preferred terms", args: &configv1.InterPodAffinityArgs{IgnorePreferredTermsOfExistingPods: true}, wantWeight: 1, wantIgnore: true},
		{name: "weight 101", args: &configv1.InterPodAffinityArgs{HardPodAffinityWeight: int32p(101)},
			wantErr: "hardPodAffinityWeight: Invalid value: 101: not in valid range [0, 100]"},
		{name: "weight -1", args: &configv1.InterPodAffinityArgs{HardPodAffinityWeight: int32p(-1)},
			wantErr: "hardPodAffinityWeight: Invalid value: -1: not in valid range [0, 100]"},
		{name: "wrong args type", args: &configv1.NodeAffinityArgs{}, wantErr: "want args of type *v1.InterPodAffinityArgs"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pl, err := New(tt.args, h)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			ipa := pl.(*InterPodAffinity)
			if ipa.Name() != Name || ipa.hardPodAffinityWeight != tt.wantWeight || ipa.ignorePreferredTermsOfExistingPods != tt.wantIgnore {
				t.Errorf("got %s weight %d ignore %v", ipa.Name(), ipa.hardPodAffinityWeight, ipa.ignorePreferredTermsOfExistingPods)
			}
		})
	}
	if _, err := New(nil, nil); err == nil {
		t.Error("New with a nil handle: no error")
	}
}
