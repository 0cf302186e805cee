package daemonset

import (
	"testing"

	"github.com/kubesim/kubesim/sim/api"
	"github.com/kubesim/kubesim/sim/store"
)

// TestScaledValue: ints as they are, percents of the desired node count
// rounded up.
func TestScaledValue(t *testing.T) {
	for _, tc := range []struct {
		v     api.IntOrPercent
		total int
		want  int
	}{
		{api.IntOrPercent{Value: 3}, 10, 3},
		{api.IntOrPercent{Value: 25, IsPercent: true}, 10, 3}, // 2.5 → 3
		{api.IntOrPercent{Value: 25, IsPercent: true}, 4, 1},
		{api.IntOrPercent{Value: 10, IsPercent: true}, 1, 1}, // 0.1 → 1
		{api.IntOrPercent{Value: 0, IsPercent: true}, 7, 0},
		{api.IntOrPercent{Value: 100, IsPercent: true}, 7, 7},
		{api.IntOrPercent{Value: 50, IsPercent: true}, 0, 0},
	} {
		if got := ScaledValue(tc.v, tc.total); got != tc.want {
			t.Errorf("ScaledValue(%+v, %d) = %d, want %d", tc.v, tc.total, got, tc.want)
		}
	}
}

// TestShouldRun checks eligibility against hand-derived answers.
func TestShouldRun(t *testing.T) {
	node := func(labels map[string]string, taints ...api.Taint) *api.Node {
		return &api.Node{ObjectMeta: api.ObjectMeta{Name: "n1", Labels: labels}, Taints: taints}
	}
	plain := daemonSpec(&api.PodSpec{Containers: []api.Container{{Name: "a"}}})
	gpuSel := daemonSpec(&api.PodSpec{NodeSelector: map[string]string{"gpu": "yes"}, Containers: []api.Container{{Name: "a"}}})
	affinity := daemonSpec(&api.PodSpec{Affinity: &api.Affinity{NodeRequired: &api.NodeSelector{Terms: []api.NodeSelectorTerm{{
		MatchExpressions: []api.Requirement{{Key: "zone", Operator: api.OpIn, Values: []string{"a"}}}}}}},
		Containers: []api.Container{{Name: "a"}}})
	tolerant := daemonSpec(&api.PodSpec{Tolerations: []api.Toleration{{Key: "dedicated", Operator: api.TolerationOpExists}},
		Containers: []api.Container{{Name: "a"}}})
	hostNet := daemonSpec(&api.PodSpec{HostNetwork: true, Containers: []api.Container{{Name: "a"}}})
	taint := func(k string, e api.TaintEffect) api.Taint { return api.Taint{Key: k, Effect: e} }
	for _, tc := range []struct {
		name           string
		spec           *api.PodSpec
		node           *api.Node
		run, keepGoing bool
	}{
		{"plain node", plain, node(nil), true, true},
		{"nodeSelector miss", gpuSel, node(map[string]string{"gpu": "no"}), false, false},
		{"nodeSelector hit", gpuSel, node(map[string]string{"gpu": "yes"}), true, true},
		{"required affinity miss", affinity, node(map[string]string{"zone": "b"}), false, false},
		{"required affinity hit", affinity, node(map[string]string{"zone": "a"}), true, true},
		{"untolerated NoSchedule: no new pod, existing stays", plain, node(nil, taint("dedicated", api.TaintNoSchedule)), false, true},
		{"untolerated NoExecute: evicted", plain, node(nil, taint("dedicated", api.TaintNoExecute)), false, false},
		{"PreferNoSchedule ignored", plain, node(nil, taint("dedicated", api.TaintPreferNoSchedule)), true, true},
		{"tolerated taint", tolerant, node(nil, taint("dedicated", api.TaintNoExecute)), true, true},
		{"daemon toleration: not-ready NoExecute", plain, node(nil, taint(api.TaintNodeNotReady, api.TaintNoExecute)), true, true},
		{"daemon toleration: unreachable NoExecute", plain, node(nil, taint(api.TaintNodeUnreachable, api.TaintNoExecute)), true, true},
		{"daemon toleration: unschedulable", plain, node(nil, taint(api.TaintNodeUnschedulable, api.TaintNoSchedule)), true, true},
		{"daemon toleration: pressures", plain, node(nil, taint(TaintNodeDiskPressure, api.TaintNoSchedule),
			taint(TaintNodeMemoryPressure, api.TaintNoSchedule), taint(TaintNodePIDPressure, api.TaintNoSchedule)), true, true},
		{"network-unavailable: not tolerated without hostNetwork", plain, node(nil, taint(TaintNodeNetworkUnavailable, api.TaintNoSchedule)), false, true},
		{"network-unavailable: tolerated with hostNetwork", hostNet, node(nil, taint(TaintNodeNetworkUnavailable, api.TaintNoSchedule)), true, true},
		{"memory-pressure NoExecute is not a daemon toleration", plain, node(nil, taint(TaintNodeMemoryPressure, api.TaintNoExecute)), false, false},
	} {
		run, keep := ShouldRun(tc.node, tc.spec)
		if run != tc.run || keep != tc.keepGoing {
			t.Errorf("%s: ShouldRun = %t, %t; want %t, %t", tc.name, run, keep, tc.run, tc.keepGoing)
		}
	}
}

// TestDaemonTolerationsReplaceEqual: a template toleration equal to a daemon
// one (key, operator, value, effect) is replaced, losing its
// tolerationSeconds; others are kept.
func TestDaemonTolerationsReplaceEqual(t *testing.T) {
	secs := int64(60)
	in := []api.Toleration{
		{Key: api.TaintNodeNotReady, Operator: api.TolerationOpExists, Effect: api.TaintNoExecute, TolerationSeconds: &secs},
		{Key: "custom", Operator: api.TolerationOpExists},
	}
	out := withDaemonTolerations(in, false)
	if len(out) != 7 {
		t.Fatalf("%d tolerations, want 2 + 5 added", len(out))
	}
	if out[0].TolerationSeconds != nil || out[1].Key != "custom" {
		t.Fatalf("tolerations %+v", out[:2])
	}
	if in[0].TolerationSeconds == nil {
		t.Fatal("the template's tolerations were modified")
	}
}

// TestPodsPlacedByAffinity: daemon pods carry the daemon tolerations and a
// required node affinity for their node; their specs share the revision's
// compiled base.
func TestPodsPlacedByAffinity(t *testing.T) {
	h := newHarness()
	h.run(t, "add-node n1")
	h.run(t, "add-node n2")
	h.run(t, "create-ds agent")
	h.run(t, "advance 1s")
	pods := h.podList()
	if len(pods) != 2 {
		t.Fatalf("%d pods", len(pods))
	}
	ds, _ := h.st.DaemonSets.Get("default", "agent")
	for i, p := range pods {
		want := []string{"n1", "n2"}[i]
		if p.NodeName != "" || TargetNode(p) != want {
			t.Fatalf("pod %s: nodeName %q, target %q; want placement through affinity to %s", p.Name, p.NodeName, TargetNode(p), want)
		}
		if p.Spec == ds.Template.Spec || len(p.Spec.Tolerations) != 6 || len(ds.Template.Spec.Tolerations) != 0 {
			t.Fatalf("pod spec must be a derived copy with 6 daemon tolerations")
		}
		if p.Spec.Tolerations[0].Key != api.TaintNodeNotReady || &p.Spec.Tolerations[0] != &pods[0].Spec.Tolerations[0] {
			t.Fatal("pods of one revision must share the derived spec's tolerations")
		}
		if p.Labels[HashLabel] == "" || !api.SameMap(p.Labels, pods[0].Labels) {
			t.Fatal("pods of one revision must share one label map with the hash")
		}
	}
}

// TestSecondReconcileWritesNothing: a settled DaemonSet (after a rolling
// update) syncs without writing.
func TestSecondReconcileWritesNothing(t *testing.T) {
	h := newHarness()
	for _, cmd := range []string{"add-node n1", "add-node n2", "add-node n3 taint=x:NoSchedule", "create-ds agent",
		"advance 1s", "run all", "advance 1s", "set-image agent agent:v2", "advance 1s", "remove-terminating", "advance 1s",
		"run all", "advance 1s", "remove-terminating", "advance 1s", "run all", "advance 1s"} {
		h.run(t, cmd)
	}
	ds, _ := h.st.DaemonSets.Get("default", "agent")
	if s := ds.Status; s.DesiredNumberScheduled != 2 || s.UpdatedNumberScheduled != 2 || s.NumberAvailable != 2 || s.ObservedGeneration != 2 {
		t.Fatalf("status %+v", s)
	}
	writes := 0
	h.st.OnWrite(func(*store.Write) { writes++ })
	for range 2 {
		if _, err := h.dc.Reconcile("default/agent"); err != nil {
			t.Fatal(err)
		}
	}
	if writes != 0 {
		t.Fatalf("reconciles of unchanged state made %d writes", writes)
	}
}

// TestRevisionHistoryLimit: old revisions beyond the limit that no pod uses
// are deleted, oldest first.
func TestRevisionHistoryLimit(t *testing.T) {
	h := newHarness()
	for _, cmd := range []string{"add-node n1", "create-ds agent history=1", "advance 1s",
		"set-image agent agent:v2", "advance 1s", "remove-terminating", "advance 1s",
		"set-image agent agent:v3", "advance 1s", "remove-terminating", "advance 1s"} {
		h.run(t, cmd)
	}
	got := h.run(t, "print revisions")
	if len(got) != 2 {
		t.Fatalf("revisions %v, want the current one and one old", got)
	}
	for _, r := range h.st.Revisions.List("", nil) {
		if r.Revision == 1 {
			t.Fatalf("revision 1 kept: %v", got)
		}
	}
}
