package scenarios

import (
	"fmt"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/kubesim/kubesim/sim/api"
	"github.com/kubesim/kubesim/sim/store"
)

// TestStartFromKubectlDump starts a run from a real cluster's state
// (testdata/kubectl-dump.yaml: `kubectl get ... -A -o yaml` of a two-node
// cluster, docs/traces.md) and checks that the simulated control plane takes
// it over as it is: every dumped pod stays bound where it was, with its UID;
// the Deployment, ReplicaSet, StatefulSet, DaemonSet and Job controllers
// adopt their pods and create only the pods their specs still lack (one
// daemon pod for the node the dump has none on); no pod is deleted; nodes
// keep their labels and taints.
func TestStartFromKubectlDump(t *testing.T) {
	dump := mustAbs(t, "testdata/kubectl-dump.yaml")
	l, err := Load(writeScenario(t, `apiVersion: kubesim.io/v1alpha1
kind: Scenario
metadata: {name: dump}
spec:
  duration: 10m
  cluster: {manifests: [`+dump+`]}
`))
	if err != nil {
		t.Fatal(err)
	}
	dumped := map[string]*api.Pod{}
	nodes := map[string]*api.Node{}
	for _, o := range l.ClusterObjects {
		if p, ok := o.(*api.Pod); ok {
			dumped[p.Key()] = p
		}
	}
	for _, n := range l.Nodes {
		nodes[n.Name] = n
	}
	s, err := Build(l)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	st := s.Store()
	var writes []string
	st.OnWrite(func(w *store.Write) {
		if w.Kind == api.KindPod && (w.Verb == store.VerbCreate || w.Verb == store.VerbDelete) && w.Component != ApplyComponent {
			writes = append(writes, fmt.Sprintf("%s %s %s by %s (%s)", w.Time, w.Verb, w.Key, w.Component, w.Reason))
		}
		if w.Kind == api.KindReplicaSet && w.Verb == store.VerbCreate && w.Component != ApplyComponent {
			writes = append(writes, fmt.Sprintf("%s create ReplicaSet %s by %s", w.Time, w.Key, w.Component))
		}
	})
	if _, err := s.Run(); err != nil {
		t.Fatal(err)
	}
	sort.Strings(writes)
	if len(writes) != 1 || !strings.Contains(writes[0], "create kube-system/node-agent-") || !strings.Contains(writes[0], "by daemonset-controller") {
		t.Errorf("controller pod and ReplicaSet writes:\n%s\nwant only the daemon pod of worker-2", strings.Join(writes, "\n"))
	}
	if ps := activePods(st, "5e6f7081-92a3-44b5-c6d7-e8f9a0b10006"); len(ps) != 2 || ps[0].NodeName == ps[1].NodeName {
		t.Errorf("daemon pods: %d, want one on each node", len(ps))
	}
	for key, d := range dumped {
		p, ok := st.Pods.Get(d.Namespace, d.Name)
		if !ok {
			t.Errorf("dumped pod %s is gone", key)
			continue
		}
		if p.UID != d.UID || p.NodeName != d.NodeName {
			t.Errorf("pod %s: uid %s on %q, dumped uid %s on %q", key, p.UID, p.NodeName, d.UID, d.NodeName)
		}
		if c := p.ControllerRef(); (c == nil) != (d.ControllerRef() == nil) {
			t.Errorf("pod %s: controller %+v, dumped %+v", key, c, d.ControllerRef())
		}
	}
	for _, rs := range st.ReplicaSets.List("", nil) {
		if n := len(activePods(st, rs.UID)); int32(n) != rs.Replicas || rs.Status.Replicas != rs.Replicas {
			t.Errorf("ReplicaSet %s: %d pods, status %d, want %d", rs.Key(), n, rs.Status.Replicas, rs.Replicas)
		}
	}
	for _, ss := range st.StatefulSets.List("", nil) {
		if n := len(activePods(st, ss.UID)); int32(n) != ss.Replicas || ss.Status.ReadyReplicas != ss.Replicas {
			t.Errorf("StatefulSet %s: %d pods, %d ready, want %d", ss.Key(), n, ss.Status.ReadyReplicas, ss.Replicas)
		}
	}
	for _, ds := range st.DaemonSets.List("", nil) {
		if ds.Status.DesiredNumberScheduled != int32(len(nodes)) || ds.Status.NumberReady != int32(len(nodes)) || len(activePods(st, ds.UID)) != len(nodes) {
			t.Errorf("DaemonSet %s: status %+v, want one ready pod per node", ds.Key(), ds.Status)
		}
	}
	for _, d := range st.Deployments.List("", nil) {
		if rss := st.ReplicaSets.ByIndex(store.IndexOwner, string(d.UID)); len(rss) != 1 {
			t.Errorf("Deployment %s: %d ReplicaSets, want the dumped one", d.Key(), len(rss))
		}
	}
	for name, d := range nodes {
		n, _ := st.Nodes.Get("", name)
		if !reflect.DeepEqual(n.Labels, d.Labels) || !reflect.DeepEqual(n.Taints, d.Taints) {
			t.Errorf("node %s: labels %v taints %v, dumped %v %v", name, n.Labels, n.Taints, d.Labels, d.Taints)
		}
	}
}

// activePods are the non-terminal pods whose controller is uid.
func activePods(st *store.Store, uid api.UID) []*api.Pod {
	var out []*api.Pod
	for _, p := range st.Pods.ByIndex(store.IndexOwner, string(uid)) {
		if !p.IsTerminal() && p.DeletionTimestamp == nil {
			out = append(out, p)
		}
	}
	return out
}

// TestDumpRevisions: a dumped set gets the revision its pods carry only
// when they all carry one (and, for a StatefulSet, it is the status's
// updateRevision) and the dump holds none of its revisions.
func TestDumpRevisions(t *testing.T) {
	tmpl := &api.PodTemplate{Labels: map[string]string{"app": "x"}, Hash: 7}
	sts := &api.StatefulSet{ObjectMeta: api.ObjectMeta{Name: "db", Namespace: "ns", UID: "sts"}, Template: tmpl}
	sts.Status.UpdateRevision = "db-abc"
	ds := &api.DaemonSet{ObjectMeta: api.ObjectMeta{Name: "agent", Namespace: "ns", UID: "ds"}, Template: tmpl}
	pod := func(name string, owner api.UID, rev string) *api.Pod {
		return &api.Pod{ObjectMeta: api.ObjectMeta{Name: name, Namespace: "ns", Labels: map[string]string{"controller-revision-hash": rev},
			OwnerReferences: []api.OwnerReference{{Kind: api.KindStatefulSet, UID: owner, Controller: true}}}}
	}
	existing := &api.ControllerRevision{ObjectMeta: api.ObjectMeta{Name: "agent-old", Namespace: "ns",
		OwnerReferences: []api.OwnerReference{{Kind: api.KindDaemonSet, UID: "ds", Controller: true}}}}
	for _, tc := range []struct {
		name string
		objs []api.Object
		want []string // "name hash-label"
	}{
		{"both", []api.Object{sts, ds, pod("db-0", "sts", "db-abc"), pod("db-1", "sts", "db-abc"), pod("agent-1", "ds", "h1")},
			[]string{"db-abc abc", "agent-h1 h1"}},
		{"no pods", []api.Object{sts, ds}, nil},
		{"mid-rollout", []api.Object{sts, ds, pod("db-0", "sts", "db-abc"), pod("db-1", "sts", "db-old"), pod("agent-1", "ds", "h1"), pod("agent-2", "ds", "h2")}, nil},
		{"not the update revision", []api.Object{sts, pod("db-0", "sts", "db-old")}, nil},
		{"dumped revision", []api.Object{ds, existing, pod("agent-1", "ds", "h1")}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got []string
			for _, o := range dumpRevisions(tc.objs) {
				r := o.(*api.ControllerRevision)
				h := r.Labels["controller.kubernetes.io/hash"] + r.Labels["controller-revision-hash"]
				if r.Revision != 1 || r.Template != tmpl || r.ControllerRef() == nil {
					t.Errorf("revision %s: %+v", r.Name, r)
				}
				got = append(got, r.Name+" "+h)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}
