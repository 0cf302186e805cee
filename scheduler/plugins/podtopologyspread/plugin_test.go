package podtopologyspread

import (
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	configv1 "k8s.io/kube-scheduler/config/v1"

	"github.com/kubesim/kubesim/sim/api"
)

func TestNewArgs(t *testing.T) {
	zoneAnyway := corev1.TopologySpreadConstraint{MaxSkew: 1, TopologyKey: zone, WhenUnsatisfiable: corev1.ScheduleAnyway}
	honor := corev1.NodeInclusionPolicyHonor
	bogus := corev1.NodeInclusionPolicy("Sometimes")
	list := func(cs ...corev1.TopologySpreadConstraint) *configv1.PodTopologySpreadArgs {
		return &configv1.PodTopologySpreadArgs{DefaultingType: configv1.ListDefaulting, DefaultConstraints: cs}
	}
	with := func(f func(*corev1.TopologySpreadConstraint)) corev1.TopologySpreadConstraint {
		c := zoneAnyway
		f(&c)
		return c
	}
	tests := []struct {
		name    string
		args    any
		system  bool
		wantErr []string // substrings; nil means valid
	}{
		{"nil args", nil, true, nil},
		{"empty type means System", &configv1.PodTopologySpreadArgs{}, true, nil},
		{"System", &configv1.PodTopologySpreadArgs{DefaultingType: configv1.SystemDefaulting}, true, nil},
		{"List", list(zoneAnyway, with(func(c *corev1.TopologySpreadConstraint) {
			c.WhenUnsatisfiable = corev1.DoNotSchedule
			c.NodeTaintsPolicy = &honor
		})), false, nil},
		{"List without constraints", list(), false, nil},
		{"System with constraints", &configv1.PodTopologySpreadArgs{DefaultingType: configv1.SystemDefaulting,
			DefaultConstraints: []corev1.TopologySpreadConstraint{zoneAnyway}}, false, []string{"defaultingType: invalid value \"System\""}},
		{"unknown type", &configv1.PodTopologySpreadArgs{DefaultingType: "Sometimes"}, false, []string{"defaultingType: unsupported value"}},
		{"maxSkew", list(with(func(c *corev1.TopologySpreadConstraint) { c.MaxSkew = 0 })), false,
			[]string{"defaultConstraints[0].maxSkew: invalid value 0"}},
		{"empty topologyKey", list(with(func(c *corev1.TopologySpreadConstraint) { c.TopologyKey = "" })), false,
			[]string{"defaultConstraints[0].topologyKey: required value"}},
		{"bad topologyKey", list(with(func(c *corev1.TopologySpreadConstraint) { c.TopologyKey = "a b" })), false,
			[]string{"defaultConstraints[0].topologyKey: invalid value \"a b\""}},
		{"whenUnsatisfiable", list(with(func(c *corev1.TopologySpreadConstraint) { c.WhenUnsatisfiable = "Never" })), false,
			[]string{"defaultConstraints[0].whenUnsatisfiable: unsupported value \"Never\""}},
		{"labelSelector", list(with(func(c *corev1.TopologySpreadConstraint) {
			c.LabelSelector = &metav1.LabelSelector{MatchLabels: map[string]string{"a": "b"}}
		})), false, []string{"defaultConstraints[0].labelSelector: forbidden"}},
		{"duplicate", list(zoneAnyway, with(func(c *corev1.TopologySpreadConstraint) { c.MaxSkew = 2 })), false,
			[]string{"defaultConstraints[1]: duplicate value"}},
		{"policy", list(with(func(c *corev1.TopologySpreadConstraint) { c.NodeAffinityPolicy = &bogus })), false,
			[]string{"defaultConstraints[0].nodeAffinityPolicy: unsupported value \"Sometimes\""}},
		{"all errors at once", list(with(func(c *corev1.TopologySpreadConstraint) { c.MaxSkew = -1; c.TopologyKey = "" })), false,
			[]string{"maxSkew", "topologyKey"}},
		{"wrong type", &configv1.NodeAffinityArgs{}, false, []string{"want args of type *v1.PodTopologySpreadArgs"}},
	}
	for _, tc := range tests {
		pl, err := New(tc.args, nil)
		if tc.wantErr == nil {
			if err != nil {
				t.Errorf("%s: %v", tc.name, err)
				continue
			}
			if got := pl.(*PodTopologySpread).systemDefaulted; got != tc.system {
				t.Errorf("%s: systemDefaulted %v, want %v", tc.name, got, tc.system)
			}
			continue
		}
		if err == nil {
			t.Errorf("%s: no error", tc.name)
			continue
		}
		for _, w := range tc.wantErr {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s: error %q lacks %q", tc.name, err, w)
			}
		}
	}
}

func TestSystemDefaultConstraints(t *testing.T) {
	pl, err := New(nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	got := pl.(*PodTopologySpread).defaults
	if len(got) != 2 ||
		got[0].TopologyKey != api.LabelHostname || got[0].MaxSkew != 3 || got[0].WhenUnsatisfiable != scheduleAnyway ||
		got[1].TopologyKey != api.LabelZone || got[1].MaxSkew != 5 || got[1].WhenUnsatisfiable != scheduleAnyway {
		t.Errorf("system defaults %+v", got)
	}
	if pl.Name() != Name {
		t.Errorf("Name() = %q", pl.Name())
	}
}
