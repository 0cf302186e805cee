package kubelet

import (
	"reflect"
	"strings"
	"testing"

	"github.com/kubesim/kubesim/sim"
	"github.com/kubesim/kubesim/sim/api"
)

func withMemory(mi int64) nodeOpt {
	return func(n *api.Node) { n.Capacity.Memory, n.Allocatable.Memory = mi*MiB, mi*MiB }
}

func TestCompareEviction(t *testing.T) {
	mk := func(name string, req, usage int64, prio int32) *podState {
		s := &api.PodSpec{}
		s.Requests.Memory = req
		return &podState{key: "default/" + name, spec: s, usage: usage, priority: prio}
	}
	pods := []*podState{
		mk("under-low", 100, 50, 0),
		mk("over-high-big", 100, 900, 10),
		mk("over-low-small", 100, 150, 0),
		mk("over-low-big", 100, 400, 0),
		mk("under-lowest", 100, 100, -5),
		mk("over-low-big-b", 100, 400, 0),
	}
	var got []string
	for len(pods) > 0 {
		i := 0
		for j := range pods {
			if compareEviction(pods[j], pods[i]) < 0 {
				i = j
			}
		}
		got = append(got, strings.TrimPrefix(pods[i].key, "default/"))
		pods = append(pods[:i], pods[i+1:]...)
	}
	// Above request first; then lower priority; then larger usage − request;
	// then older, then by name.
	want := []string{"over-low-big", "over-low-big-b", "over-low-small", "over-high-big", "under-lowest", "under-low"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("eviction order %v, want %v", got, want)
	}
}

func TestNodePressureEviction(t *testing.T) {
	w := newWorld(t, catalogue())
	w.addNode("n1", 4000, withMemory(900), withImages("redis"))
	grow := func(to string) podOpt { return annotate(api.AnnotationMemoryUsage, "100Mi,60s="+to) }
	w.addPodWith("steady", "n1", memSpec(200, 0, api.RestartAlways))
	w.addPodWith("big-leak", "n1", memSpec(100, 0, api.RestartAlways), grow("500Mi"))
	w.addPodWith("leak", "n1", memSpec(100, 0, api.RestartAlways), grow("450Mi"))
	important := memSpec(300, 0, api.RestartAlways)
	w.addPodWith("important", "n1", important)
	w.at(secs(75), func() {
		be := &api.PodSpec{RestartPolicy: api.RestartAlways, Containers: []api.Container{{Name: "c0", Image: "redis"}}}
		be.Compile()
		w.addPod("besteffort", "n1", be)
		w.addPodWith("burstable", "n1", memSpec(10, 0, api.RestartAlways))
	})
	w.run(secs(600))
	// Usage from 61 s: 200+500+450+300 = 1450Mi > 900Mi allocatable. The
	// eviction manager's grid (from 0) runs at 70: evicts big-leak (above
	// request by most), stopped 1 s later; at 80 usage is 950+10Mi, still
	// above: evicts leak; at 90 no pressure.
	w.wantTime("Failed", "big-leak", isPhase(api.PodFailed), secs(71))
	w.wantTime("Failed", "leak", isPhase(api.PodFailed), secs(81))
	p := w.pod("big-leak")
	wantMsg := "The node was low on resource: memory. Threshold quantity: 100Mi, available: -450Mi. Container c0 was using 500Mi, request is 100Mi, has larger consumption of memory. "
	if p.Status.Reason != "Evicted" || p.Status.Message != wantMsg {
		t.Errorf("big-leak status %q %q", p.Status.Reason, p.Status.Message)
	}
	if c := api.FindCondition(p.Status.Conditions, api.PodDisruptionTarget); c == nil || c.Reason != "TerminationByKubelet" {
		t.Errorf("DisruptionTarget = %+v", c)
	}
	for _, name := range []string{"steady", "important", "burstable"} {
		if ph := w.pod(name).Status.Phase; ph != api.PodRunning {
			t.Errorf("%s is %s", name, ph)
		}
	}
	be := w.pod("besteffort")
	if be.Status.Phase != api.PodFailed || be.Status.Reason != "Evicted" || be.Status.Message != "The node had condition: [MemoryPressure]. " {
		t.Errorf("besteffort = %s %q %q", be.Status.Phase, be.Status.Reason, be.Status.Message)
	}
	// MemoryPressure True from the first observation (70 s) until 5 min
	// after the last (80 + 300 s).
	var conds []string
	for _, l := range w.writesBy("kubelet/n1", secs(1), secs(600)) {
		if strings.Contains(l, " Node ") {
			conds = append(conds, l)
		}
	}
	want := []string{"1m10s kubelet/n1 update Node n1 NodeHasInsufficientMemory ", "6m20s kubelet/n1 update Node n1 NodeHasSufficientMemory "}
	if !reflect.DeepEqual(conds, want) {
		t.Errorf("node writes:\n%s\nwant:\n%s", strings.Join(conds, "\n"), strings.Join(want, "\n"))
	}
	if c := api.FindCondition(w.node("n1").Conditions, api.NodeMemoryPressure); c == nil || c.Status != api.ConditionFalse || c.Reason != "KubeletHasSufficientMemory" {
		t.Errorf("MemoryPressure = %+v", c)
	}
	if w.eng.Pending() != 0 {
		t.Errorf("%d events pending: the eviction manager must not tick without pressure", w.eng.Pending())
	}
}

func TestMemoryUsageSpread(t *testing.T) {
	cfg := catalogue()
	cfg.MemoryUsageSpread = 0.5
	w := newWorld(t, cfg)
	w.addNode("n1", 4000, withImages("redis"))
	w.addPodWith("p", "n1", memSpec(200, 0, api.RestartAlways))
	w.run(secs(10))
	rng := sim.NewStream(1, 0, "kubelet/pod/default/p")
	f := max(0, 1+0.5*rng.NormFloat64())
	want := int64(f*float64(200*MiB) + 0.5)
	k, _ := w.m.Kubelet("n1")
	if got := k.MemoryUsage(); got != want || got == 200*MiB {
		t.Errorf("usage = %d, want %d", got, want)
	}
}
