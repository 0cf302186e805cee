package scenarios

import (
	"bytes"
	"encoding/csv"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kubesim/kubesim/controllers/drain"
	"github.com/kubesim/kubesim/controllers/nodelifecycle"
	"github.com/kubesim/kubesim/controllers/reconciler"
	"github.com/kubesim/kubesim/controllers/replicaset"
	"github.com/kubesim/kubesim/controllers/tainteviction"
	"github.com/kubesim/kubesim/results"
	"github.com/kubesim/kubesim/sim"
	"github.com/kubesim/kubesim/sim/api"
	"github.com/kubesim/kubesim/sim/kubelet"
	"github.com/kubesim/kubesim/sim/store"
)

// ceilTo rounds t up to a multiple of period.
func ceilTo(t, period time.Duration) time.Duration {
	if r := t % period; r != 0 {
		return t + period - r
	}
	return t
}

// TestNodeFailureChain runs the bundled node-failure scenario with upstream
// defaults and checks every link of the healing chain at the exact time the
// defaults give:
//
//   - the crashed node's lease last renewed at the last 10 s renewal at or
//     before the crash (renewals every nodeLeaseDurationSeconds/4 from the
//     kubelet's start at 0);
//   - Ready=Unknown at the first 5 s monitor tick at or after that renewal
//   - 50 s (--node-monitor-grace-period), its pods marked not ready;
//   - the unreachable:NoExecute taint at the next tick;
//   - the pods deleted by the taint eviction controller at the taint + 300 s
//     (default toleration), one sync (10 ms) after it fires;
//   - 5 replacements created one ReplicaSet sync later;
//   - all 30 replicas Ready within 7 minutes of the crash.
func TestNodeFailureChain(t *testing.T) {
	const node = "general-2"
	failure := 10 * time.Minute
	renew := time.Duration(kubelet.DefaultConfig().NodeLeaseDurationSeconds) * time.Second / 4
	lastRenew := failure - failure%renew
	notReady := ceilTo(lastRenew+nodelifecycle.DefaultMonitorGracePeriod, nodelifecycle.DefaultMonitorPeriod)
	noExecute := notReady + nodelifecycle.DefaultMonitorPeriod
	evicted := noExecute + time.Duration(store.DefaultTolerationSeconds)*time.Second + reconciler.DefaultSyncLatency
	created := evicted + reconciler.DefaultSyncLatency
	if notReady != 650*time.Second || noExecute != 655*time.Second || evicted != 955010*time.Millisecond {
		t.Fatalf("hand-derived chain: %v %v %v, want 650s 655s 955.01s", notReady, noExecute, evicted)
	}

	var (
		unknownAt, noExecAt sim.Time = -1, -1
		markedNotReady      []sim.Time
		evictions           []sim.Time
		replacements        []sim.Time
		onNode                       = map[string]bool{}
		allReadyAt          sim.Time = -1
	)
	_, rec, _ := runScenario(t, "node-failure.yaml", func(st *store.Store) {
		st.OnWrite(func(w *store.Write) {
			switch w.Verb {
			case store.VerbCreate, store.VerbUpdate, store.VerbDelete:
			default:
				return
			}
			switch x := w.New.(type) {
			case *api.Node:
				if x.Name != node {
					return
				}
				if c := api.FindCondition(x.Conditions, api.NodeReady); c != nil && c.Status == api.ConditionUnknown && unknownAt < 0 {
					unknownAt = w.Time
				}
				for _, tn := range x.Taints {
					if tn.Key == api.TaintNodeUnreachable && tn.Effect == api.TaintNoExecute && noExecAt < 0 {
						noExecAt = w.Time
					}
				}
			case *api.Pod:
				if w.Verb == store.VerbCreate && w.Component == replicaset.Component && w.Time > sim.Time(failure) {
					replacements = append(replacements, w.Time)
				}
				if x.NodeName == node {
					onNode[x.Key()] = true
				}
				old, _ := w.Old.(*api.Pod)
				if old != nil && onNode[x.Key()] {
					if old.IsReady() && !x.IsReady() && w.Component == nodelifecycle.Component {
						markedNotReady = append(markedNotReady, w.Time)
					}
					if !old.IsDeleting() && x.IsDeleting() && w.Component == tainteviction.Component {
						evictions = append(evictions, w.Time)
					}
				}
				if w.Time > sim.Time(failure) && allReadyAt < 0 {
					ready := 0
					for _, p := range st.Pods.List("default", nil) {
						if p.IsReady() && !p.IsDeleting() && p.NodeName != node {
							ready++
						}
					}
					if ready == 30 {
						allReadyAt = w.Time
					}
				}
			}
		})
	})

	if unknownAt != sim.Time(notReady) {
		t.Errorf("Ready=Unknown at %v, want %v", unknownAt, notReady)
	}
	if len(markedNotReady) != 5 || markedNotReady[0] != sim.Time(notReady) {
		t.Errorf("pods marked not ready at %v, want 5 at %v", markedNotReady, notReady)
	}
	if noExecAt != sim.Time(noExecute) {
		t.Errorf("NoExecute taint at %v, want %v", noExecAt, noExecute)
	}
	if len(evictions) != 5 || evictions[0] != sim.Time(evicted) || evictions[4] != sim.Time(evicted) {
		t.Errorf("evictions at %v, want 5 at %v", evictions, evicted)
	}
	if len(replacements) != 5 || replacements[0] != sim.Time(created) {
		t.Errorf("replacements created at %v, want 5 at %v", replacements, created)
	}
	if allReadyAt < 0 || allReadyAt > sim.Time(failure+7*time.Minute) {
		t.Errorf("30 replicas Ready again at %v, want by %v", allReadyAt, failure+7*time.Minute)
	}

	fs := rec.Summary().Failures
	if len(fs) != 1 {
		t.Fatalf("failures %+v, want 1", fs)
	}
	f := fs[0]
	secs := func(d time.Duration) float64 { return d.Seconds() }
	if f.Kind != FailureNodeCrash || f.Target != "node "+node || f.AffectedPods != 5 || f.Evictions != 5 ||
		strings.Join(f.AffectedWorkloads, ",") != "Deployment default/web" {
		t.Errorf("failure %+v", f)
	}
	if f.TimeToDetect == nil || float64(*f.TimeToDetect) != secs(notReady-failure) {
		t.Errorf("time to detect %v, want %v", f.TimeToDetect, secs(notReady-failure))
	}
	if f.TimeToEvict == nil || float64(*f.TimeToEvict) != secs(evicted-failure) {
		t.Errorf("time to evict %v, want %v", f.TimeToEvict, secs(evicted-failure))
	}
	heal := allReadyAt.Sub(sim.Time(failure))
	if f.TimeToHeal == nil || float64(*f.TimeToHeal) != heal.Seconds() {
		t.Errorf("time to heal %v, want %v (the last replacement Ready)", f.TimeToHeal, heal.Seconds())
	}
	// Five replicas lost from the crash until the heal, but for the
	// replacements that were Ready a few ms before the last one.
	if lost := float64(f.PodSecondsLost); lost > 5*heal.Seconds() || lost < 5*heal.Seconds()-0.1 {
		t.Errorf("pod-seconds lost %v, want just under 5 × %v", lost, heal.Seconds())
	}
	t.Logf("node-failure: detect %.3fs, evict %.3fs, heal %.3fs, %.1f pod-s lost", float64(*f.TimeToDetect),
		float64(*f.TimeToEvict), float64(*f.TimeToHeal), float64(f.PodSecondsLost))
}

// TestPartitionHealsWithoutDuplicates cuts a node off for 10 minutes: the
// control plane evicts its pods at 5 minutes and replaces them elsewhere;
// the node keeps running the old pods until the partition heals, when its
// kubelet learns they were deleted and kills them. After that the store
// holds exactly the 30 replicas, all Ready, none on the healed node, and
// the node's kubelet runs nothing the store does not show.
func TestPartitionHealsWithoutDuplicates(t *testing.T) {
	const node = "general-2"
	l, err := Load("testdata/partition.yaml")
	if err != nil {
		t.Fatal(err)
	}
	s, err := Build(l)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	// Just before the heal, the old pods still run on the node.
	s.Engine().Run(sim.Time(20*time.Minute - time.Second))
	k, ok := s.kubelets.Kubelet(node)
	if !ok || k.ActivePods() != 5 {
		t.Fatalf("before the heal the cut-off kubelet runs %d pods, want its 5", k.ActivePods())
	}
	rec, err := s.Run()
	if err != nil {
		t.Fatal(err)
	}
	var ready, onNode, total int
	for _, p := range s.Store().Pods.List("default", nil) {
		total++
		if p.NodeName == node {
			onNode++
		}
		if p.IsReady() && !p.IsDeleting() {
			ready++
		}
	}
	if total != 30 || ready != 30 || onNode != 0 {
		t.Errorf("after the heal: %d pods, %d ready, %d on %s; want 30, 30, 0", total, ready, onNode, node)
	}
	if k.ActivePods() != 0 {
		t.Errorf("the healed kubelet still runs %d pods", k.ActivePods())
	}
	f := rec.Summary().Failures[0]
	if f.Kind != FailureNetworkPartition || f.Evictions != 5 || f.TimeToHeal == nil || float64(*f.TimeToHeal) > 7*60 {
		t.Errorf("failure %+v", f)
	}
}

// TestMaintenanceDrainRespectsPDBs runs the bundled maintenance-drain
// scenario and reads workloads.csv: once the workloads are up, no row ever
// shows web below its budget's minAvailable (27) nor api below 6 − its
// maxUnavailable (1); and every node was drained and uncordoned.
func TestMaintenanceDrainRespectsPDBs(t *testing.T) {
	drained := 0
	_, rec, dir := runScenario(t, "maintenance-drain.yaml", func(st *store.Store) {
		st.OnWrite(func(w *store.Write) {
			if w.Verb == store.VerbEvent && w.Reason == drain.ReasonDrained {
				drained++
			}
		})
	})
	if drained != 6 {
		t.Errorf("%d nodes drained, want all 6", drained)
	}
	f, err := os.Open(filepath.Join(dir, results.FileWorkloads))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	budget := map[string]int{"web": 27, "api": 5}
	minReady := map[string]int{"web": 1 << 30, "api": 1 << 30}
	for _, r := range rows[1:] {
		tm, _ := strconv.ParseFloat(r[0], 64)
		if tm < 60 {
			continue // the initial rollout
		}
		name := r[3]
		ready, _ := strconv.Atoi(r[6])
		minReady[name] = min(minReady[name], ready)
		if ready < budget[name] {
			t.Errorf("at %ss %s has %d ready, below its budget of %d", r[0], name, ready, budget[name])
		}
	}
	if minReady["web"] != 27 || minReady["api"] != 5 {
		t.Errorf("lowest ready counts %v: the drains should use the whole budget (web 27, api 5)", minReady)
	}
	for _, n := range rec.Summary().Workloads {
		if n.Ready != n.Desired {
			t.Errorf("%s %s ends with %d of %d ready", n.Kind, n.Name, n.Ready, n.Desired)
		}
	}
}

// TestNodeActions drives cordon, drain and uncordon from spec.actions:
// the cordon makes the node unschedulable at 1m; the drain at 2m evicts
// its pods, which the ReplicaSet replaces elsewhere; the uncordon at 5m
// makes it schedulable again. The drain is recorded on the node.
func TestNodeActions(t *testing.T) {
	src := strings.ReplaceAll(`apiVersion: kubesim.io/v1alpha1
kind: Scenario
metadata: {name: actions}
spec:
	duration: 10m
	cluster:
		nodePools:
		- {name: a, count: 2, zones: [z1], template: {status: {allocatable: {cpu: "2", memory: 4Gi}}}}
	workloads:
	- {at: 0s, manifests: [manifests/narrate-rs.yaml]}
	actions:
	- {at: 1m, cordon: {node: a-1}}
	- {at: 2m, drain: {node: a-1, gracePeriod: 5s}}
	- {at: 5m, uncordon: {node: a-1}}
`, "\t", "  ")
	l, err := Parse("testdata/actions-inline.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	s, err := Build(l)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var drainedAt sim.Time = -1
	s.Store().OnWrite(func(w *store.Write) {
		if w.Verb == store.VerbEvent && w.Reason == drain.ReasonDrained {
			drainedAt = w.Time
		}
	})
	s.Engine().Run(sim.Time(90 * time.Second))
	if n, _ := s.Store().Nodes.Get("", "a-1"); !n.Unschedulable {
		t.Error("a-1 not cordoned at 90s")
	}
	s.Engine().Run(sim.Time(4 * time.Minute))
	if len(s.Store().Pods.ByIndex(store.IndexNode, "a-1")) != 0 {
		t.Error("pods left on a-1 after the drain")
	}
	// Evicted at 2m with a 5 s grace: gone at 2m05s, seen at the next 1 s poll.
	if drainedAt != sim.Time(2*time.Minute+5*time.Second) {
		t.Errorf("drained at %v, want 2m5s", drainedAt)
	}
	rec, err := s.Run()
	if err != nil {
		t.Fatal(err)
	}
	if n, _ := s.Store().Nodes.Get("", "a-1"); n.Unschedulable {
		t.Error("a-1 still cordoned at the end")
	}
	if w := rec.Summary().Workloads[0]; w.Ready != 3 {
		t.Errorf("workload %+v, want 3 ready", w)
	}
}

// TestFailureScenariosDeterministic runs each small bundled failure
// scenario twice and compares summary.json and events.jsonl bytes.
func TestFailureScenariosDeterministic(t *testing.T) {
	for _, path := range []string{"node-failure.yaml", "zone-outage.yaml", "maintenance-drain.yaml"} {
		_, _, a := runScenario(t, path, nil)
		_, _, b := runScenario(t, path, nil)
		for _, f := range []string{"summary.json", "events.jsonl", results.FileWorkloads} {
			x, err := os.ReadFile(filepath.Join(a, f))
			if err != nil {
				t.Fatal(err)
			}
			y, _ := os.ReadFile(filepath.Join(b, f))
			if !bytes.Equal(x, y) {
				t.Errorf("%s: %s differs between two runs", path, f)
			}
		}
	}
}
