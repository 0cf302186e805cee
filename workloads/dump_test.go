package workloads

import (
	"testing"

	"github.com/kubesim/kubesim/sim/api"
)

// TestKubectlDump decodes testdata/kubectl-dump.yaml, the List that
//
//	kubectl get nodes,pods,deployments,replicasets,statefulsets,daemonsets,jobs,pdb,priorityclasses -A -o yaml
//
// writes, and checks that every kind is accepted with its status kept
// (docs/traces.md tells users to pass such a file as spec.cluster.manifests).
func TestKubectlDump(t *testing.T) {
	objs, err := LoadFile("testdata/kubectl-dump.yaml")
	if err != nil {
		t.Fatal(err)
	}
	kinds := map[api.Kind]int{}
	for _, o := range objs {
		kinds[o.GetKind()]++
	}
	want := map[api.Kind]int{api.KindNode: 1, api.KindPod: 2, api.KindDeployment: 1, api.KindReplicaSet: 1,
		api.KindStatefulSet: 1, api.KindDaemonSet: 1, api.KindJob: 1, api.KindPodDisruptionBudget: 1, api.KindPriorityClass: 2}
	for k, n := range want {
		if kinds[k] != n {
			t.Errorf("%s: %d objects, want %d (all: %v)", k, kinds[k], n, kinds)
		}
	}
	for _, o := range objs {
		switch x := o.(type) {
		case *api.Node:
			if x.Allocatable.MilliCPU != 8000 || x.Allocatable.Memory != 32<<30 || x.AllowedPods != 110 || !x.IsReady() || len(x.Images) != 2 {
				t.Errorf("node %+v", x)
			}
		case *api.Pod:
			switch x.Name {
			case "web-6d4cf56db6-x7k2p":
				if x.NodeName != "worker-1" || x.Status.Phase != api.PodRunning || !x.IsReady() || x.Priority != 1000 ||
					x.ControllerRef() == nil || x.ControllerRef().Kind != api.KindReplicaSet || x.Spec.Requests.MilliCPU != 250 {
					t.Errorf("web pod %+v", x)
				}
			case "report-q9z8w":
				if x.Status.Phase != api.PodSucceeded || x.ControllerRef().Kind != api.KindJob {
					t.Errorf("job pod %+v", x)
				}
			}
		case *api.Deployment:
			if x.Status.AvailableReplicas != 1 || x.Status.ReadyReplicas != 1 || x.Replicas != 1 {
				t.Errorf("deployment status %+v", x.Status)
			}
		case *api.ReplicaSet:
			if x.Status.ReadyReplicas != 1 || x.ControllerRef() == nil {
				t.Errorf("replicaset %+v", x)
			}
		case *api.Job:
			if x.Status.Succeeded != 1 || len(x.Status.Conditions) != 2 {
				t.Errorf("job status %+v", x.Status)
			}
		case *api.PodDisruptionBudget:
			if x.MinAvailable == nil || x.MinAvailable.Value != 1 || x.Status.CurrentHealthy != 1 || x.Status.ExpectedPods != 1 {
				t.Errorf("pdb %+v", x)
			}
		case *api.PriorityClass:
			if x.Name == "shop-critical" && x.Value != 1000 {
				t.Errorf("priority class %+v", x)
			}
		}
	}
}
