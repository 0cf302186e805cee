package scenarios

import (
	"strings"
	"testing"
	"time"

	"github.com/kubesim/kubesim/controllers/nodelifecycle"
	"github.com/kubesim/kubesim/controllers/reconciler"
	"github.com/kubesim/kubesim/controllers/replicaset"
	"github.com/kubesim/kubesim/controllers/tainteviction"
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
//     + 50 s (--node-monitor-grace-period), its pods marked not ready;
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
		onNode              = map[string]bool{}
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
