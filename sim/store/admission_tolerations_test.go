package store

import (
	"testing"

	"github.com/kubesim/kubesim/sim"
	"github.com/kubesim/kubesim/sim/api"
)

func TestDefaultTolerationSeconds(t *testing.T) {
	secs := func(n int64) *int64 { return &n }
	notReady300 := api.Toleration{Key: api.TaintNodeNotReady, Operator: api.TolerationOpExists, Effect: api.TaintNoExecute, TolerationSeconds: secs(300)}
	unreachable300 := api.Toleration{Key: api.TaintNodeUnreachable, Operator: api.TolerationOpExists, Effect: api.TaintNoExecute, TolerationSeconds: secs(300)}
	other := api.Toleration{Key: "dedicated", Operator: api.TolerationOpEqual, Value: "gpu", Effect: api.TaintNoSchedule}
	for _, tc := range []struct {
		name string
		in   []api.Toleration
		want []api.Toleration
	}{
		{"none: both added", nil, []api.Toleration{notReady300, unreachable300}},
		{"others kept first", []api.Toleration{other}, []api.Toleration{other, notReady300, unreachable300}},
		{"own not-ready kept, unreachable added",
			[]api.Toleration{{Key: api.TaintNodeNotReady, Operator: api.TolerationOpExists, Effect: api.TaintNoExecute, TolerationSeconds: secs(60)}},
			[]api.Toleration{{Key: api.TaintNodeNotReady, Operator: api.TolerationOpExists, Effect: api.TaintNoExecute, TolerationSeconds: secs(60)}, unreachable300}},
		{"empty effect counts", []api.Toleration{{Key: api.TaintNodeUnreachable, Operator: api.TolerationOpExists}},
			[]api.Toleration{{Key: api.TaintNodeUnreachable, Operator: api.TolerationOpExists}, notReady300}},
		{"NoSchedule does not count", []api.Toleration{{Key: api.TaintNodeUnreachable, Operator: api.TolerationOpExists, Effect: api.TaintNoSchedule}},
			[]api.Toleration{{Key: api.TaintNodeUnreachable, Operator: api.TolerationOpExists, Effect: api.TaintNoSchedule}, notReady300, unreachable300}},
		{"wildcard tolerates everything", []api.Toleration{{Operator: api.TolerationOpExists}}, []api.Toleration{{Operator: api.TolerationOpExists}}},
		{"daemon pods: no duplicates", []api.Toleration{
			{Key: api.TaintNodeNotReady, Operator: api.TolerationOpExists, Effect: api.TaintNoExecute},
			{Key: api.TaintNodeUnreachable, Operator: api.TolerationOpExists, Effect: api.TaintNoExecute}}, []api.Toleration{
			{Key: api.TaintNodeNotReady, Operator: api.TolerationOpExists, Effect: api.TaintNoExecute},
			{Key: api.TaintNodeUnreachable, Operator: api.TolerationOpExists, Effect: api.TaintNoExecute}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			st := New(sim.NewEngine(1, 0), Options{})
			spec := &api.PodSpec{Tolerations: tc.in, Containers: []api.Container{{Name: "c", Requests: api.Resources{MilliCPU: 100}}}}
			spec.Compile()
			p, err := st.Pods.Create("test", &api.Pod{ObjectMeta: api.ObjectMeta{Namespace: "default", Name: "p"}, Spec: spec}, "test")
			if err != nil {
				t.Fatal(err)
			}
			got := p.Spec.Tolerations
			if len(got) != len(tc.want) {
				t.Fatalf("tolerations %+v, want %+v", got, tc.want)
			}
			for i := range got {
				g, w := got[i], tc.want[i]
				if g.Key != w.Key || g.Operator != w.Operator || g.Value != w.Value || g.Effect != w.Effect ||
					(g.TolerationSeconds == nil) != (w.TolerationSeconds == nil) ||
					(g.TolerationSeconds != nil && *g.TolerationSeconds != *w.TolerationSeconds) {
					t.Fatalf("toleration %d = %+v, want %+v", i, g, w)
				}
			}
			if len(tc.in) == len(tc.want) && p.Spec != spec {
				t.Fatal("a spec that needs nothing was copied")
			}
			if p.Spec.Requests.MilliCPU != 100 {
				t.Fatalf("derived spec not compiled: requests %+v", p.Spec.Requests)
			}
			if len(spec.Tolerations) != len(tc.in) {
				t.Fatal("the shared input spec was modified")
			}
		})
	}
}

// TestDefaultTolerationsShareOneSpec: pods of one template share one derived
// spec; another template gets its own.
func TestDefaultTolerationsShareOneSpec(t *testing.T) {
	st := New(sim.NewEngine(1, 0), Options{})
	a, b := &api.PodSpec{}, &api.PodSpec{}
	var got []*api.PodSpec
	for i, spec := range []*api.PodSpec{a, a, a, b} {
		p, err := st.Pods.Create("test", &api.Pod{ObjectMeta: api.ObjectMeta{Namespace: "default", Name: string(rune('a' + i))}, Spec: spec}, "test")
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, p.Spec)
	}
	if got[0] == a || got[0] != got[1] || got[1] != got[2] || got[3] == got[0] || got[3] == b {
		t.Fatalf("specs not shared per template: %p %p %p %p (inputs %p %p)", got[0], got[1], got[2], got[3], a, b)
	}
	if len(st.tolerated) != 2 {
		t.Fatalf("%d cached specs, want 2", len(st.tolerated))
	}
	// A pod created with an already admitted spec keeps it.
	p, _ := st.Pods.Create("test", &api.Pod{ObjectMeta: api.ObjectMeta{Namespace: "default", Name: "z"}, Spec: got[0]}, "test")
	if p.Spec != got[0] || len(st.tolerated) != 2 {
		t.Fatal("an admitted spec was derived again")
	}
}
