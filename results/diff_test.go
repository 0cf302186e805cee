package results

import (
	"testing"

	"github.com/kubesim/kubesim/sim"
	"github.com/kubesim/kubesim/sim/api"
	"github.com/kubesim/kubesim/sim/store"
)

func TestDescribeChange(t *testing.T) {
	deadline := sim.Time(75e9)
	started := sim.Time(5e9)
	pod := &api.Pod{ObjectMeta: api.ObjectMeta{Name: "p", Namespace: "default", Labels: map[string]string{"app": "web"},
		OwnerReferences: []api.OwnerReference{{Kind: api.KindReplicaSet, Name: "web-1", UID: "u1", Controller: true}}},
		Status: api.PodStatus{Phase: api.PodPending}}
	with := func(f func(p *api.Pod)) *api.Pod { c := pod.Clone(); f(c); return c }

	node := &api.Node{ObjectMeta: api.ObjectMeta{Name: "n"},
		Allocatable: api.Resources{MilliCPU: 4000, Memory: 1 << 30}.Set(gpu, 2),
		Taints:      []api.Taint{{Key: "dedicated", Value: "gpu", Effect: api.TaintNoSchedule}},
		Conditions:  []api.Condition{{Type: api.NodeReady, Status: api.ConditionTrue}}}
	withNode := func(f func(n *api.Node)) *api.Node { c := node.Clone(); f(c); return c }

	rs := &api.ReplicaSet{ObjectMeta: api.ObjectMeta{Name: "web-1", Namespace: "default", Generation: 1}, Replicas: 3}
	dep := &api.Deployment{ObjectMeta: api.ObjectMeta{Name: "web", Namespace: "default", Generation: 1}, Replicas: 3}
	job := &api.Job{ObjectMeta: api.ObjectMeta{Name: "j", Namespace: "default"}, Parallelism: 2}
	pdb := &api.PodDisruptionBudget{ObjectMeta: api.ObjectMeta{Name: "b", Namespace: "default"}}

	tests := []struct {
		name     string
		verb     store.Verb
		old, new api.Object
		want     string
	}{
		{"create", store.VerbCreate, nil, pod, "created"},
		{"removed", store.VerbDelete, pod, nil, "deleted"},
		{"event", store.VerbEvent, nil, pod, ""},
		{"no visible change", store.VerbUpdate, pod, pod.Clone(), "updated"},
		{"bind", store.VerbUpdate, pod, with(func(p *api.Pod) { p.NodeName = "node-1" }), "nodeName=node-1"},
		{"graceful delete", store.VerbDelete, with(func(p *api.Pod) { p.NodeName = "n" }),
			with(func(p *api.Pod) { p.NodeName = "n"; p.DeletionTimestamp = &deadline; p.DeletionGracePeriodSeconds = 30 }),
			"deletionTimestamp set (grace 30s)"},
		{"running and ready", store.VerbUpdate, pod, with(func(p *api.Pod) {
			p.Status.Phase = api.PodRunning
			p.Status.StartTime = &started
			p.Status.Conditions = []api.Condition{{Type: api.PodReady, Status: api.ConditionTrue}}
		}), "phase Pending→Running, ready false→true, startTime set"},
		{"evicted", store.VerbUpdate, with(func(p *api.Pod) { p.Status.Phase = api.PodRunning }), with(func(p *api.Pod) {
			p.Status.Phase = api.PodFailed
			p.Status.Reason = "Evicted"
		}), "phase Running→Failed, reason=Evicted"},
		{"nominated", store.VerbUpdate, pod, with(func(p *api.Pod) { p.Status.NominatedNodeName = "n2" }), "nominatedNodeName=n2"},
		{"nomination cleared", store.VerbUpdate, with(func(p *api.Pod) { p.Status.NominatedNodeName = "n2" }), pod, "nominatedNodeName cleared"},
		{"orphaned and relabelled", store.VerbUpdate, pod, with(func(p *api.Pod) {
			p.OwnerReferences = nil
			p.Labels = map[string]string{"app": "other"}
		}), "owner ReplicaSet/web-1→none, labels changed"},
		{"condition removed", store.VerbUpdate,
			with(func(p *api.Pod) {
				p.Status.Conditions = []api.Condition{{Type: api.PodScheduled, Status: api.ConditionFalse}}
			}),
			pod, "PodScheduled removed"},
		{"node not ready and cordoned", store.VerbUpdate, node, withNode(func(n *api.Node) {
			n.Conditions = []api.Condition{{Type: api.NodeReady, Status: api.ConditionFalse, Reason: "KubeletNotReady"}}
			n.Unschedulable = true
			n.Taints = []api.Taint{{Key: api.TaintNodeUnschedulable, Effect: api.TaintNoSchedule}}
		}), "Ready True→False (KubeletNotReady), unschedulable false→true, +taint node.kubernetes.io/unschedulable:NoSchedule, -taint dedicated=gpu:NoSchedule"},
		{"node resized", store.VerbUpdate, node, withNode(func(n *api.Node) {
			n.Allocatable = api.Resources{MilliCPU: 3500, Memory: 1 << 30, EphemeralStorage: 10}.Set("example.com/fpga", 1)
		}), "allocatable cpu 4000→3500, allocatable ephemeral-storage 0→10, allocatable example.com/fpga 0→1, allocatable nvidia.com/gpu 2→0"},
		{"rs scaled", store.VerbUpdate, rs, func() api.Object { c := rs.Clone(); c.Replicas = 5; c.Generation = 2; return c }(),
			"replicas 3→5, generation 1→2"},
		{"deployment paused", store.VerbUpdate, dep, func() api.Object {
			c := dep.Clone()
			c.Paused = true
			c.Status.Conditions = []api.Condition{{Type: "Progressing", Status: api.ConditionUnknown, Reason: "DeploymentPaused"}}
			return c
		}(), "paused false→true, Progressing=Unknown (DeploymentPaused)"},
		{"job progress", store.VerbUpdate, job, func() api.Object {
			c := job.Clone()
			c.Status.Active = 2
			c.Status.StartTime = &started
			return c
		}(), "active 0→2, startTime set"},
		{"pdb status", store.VerbUpdate, pdb, func() api.Object {
			c := pdb.Clone()
			c.Status.DisruptionsAllowed = 1
			c.Status.CurrentHealthy = 3
			return c
		}(), "disruptionsAllowed 0→1, currentHealthy 0→3"},
	}
	for _, tt := range tests {
		w := &store.Write{Verb: tt.verb, Old: tt.old, New: tt.new}
		if tt.new != nil {
			w.Kind = tt.new.GetKind()
		} else {
			w.Kind = tt.old.GetKind()
		}
		if got := describeChange(w); got != tt.want {
			t.Errorf("%s: change = %q, want %q", tt.name, got, tt.want)
		}
	}
}

// TestDescribeGPUIndex: the GPU-share scheduler's device annotation is
// named in the change line.
func TestDescribeGPUIndex(t *testing.T) {
	o := &api.Pod{ObjectMeta: api.ObjectMeta{Name: "p", Namespace: "default"}}
	n := &api.Pod{ObjectMeta: api.ObjectMeta{Name: "p", Namespace: "default",
		Annotations: map[string]string{annotationGPUIndex: "3"}}}
	w := &store.Write{Verb: store.VerbUpdate, Kind: api.KindPod, Old: o, New: n}
	if got := describeChange(w); got != "gpu-index=3, annotations changed" {
		t.Errorf("change %q", got)
	}
}
