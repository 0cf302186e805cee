package kubelet

import (
	"strings"
	"time"

	"github.com/kubesim/kubesim/sim"
	"github.com/kubesim/kubesim/sim/api"
)

// podOpt adjusts a pod before it is created.
type podOpt func(*api.Pod)

func annotate(kv ...string) podOpt {
	return func(p *api.Pod) {
		if p.Annotations == nil {
			p.Annotations = map[string]string{}
		}
		for i := 0; i+1 < len(kv); i += 2 {
			p.Annotations[kv[i]] = kv[i+1]
		}
	}
}

func created(at sim.Time) podOpt { return func(p *api.Pod) { p.CreationTimestamp = at } }

// addPodWith creates a pod with options.
func (w *world) addPodWith(name, node string, spec *api.PodSpec, opts ...podOpt) *api.Pod {
	w.t.Helper()
	p := &api.Pod{ObjectMeta: api.ObjectMeta{Namespace: "default", Name: name}, Spec: spec, NodeName: node}
	for _, o := range opts {
		o(p)
	}
	p, err := w.st.Pods.Create("test", p, "Create")
	if err != nil {
		w.t.Fatal(err)
	}
	return p
}

// memSpec is a one-container spec "c0" on image redis with a memory request
// and (if limit > 0) limit, in MiB.
func memSpec(reqMi, limitMi int64, policy api.RestartPolicy) *api.PodSpec {
	c := api.Container{Name: "c0", Image: "redis", Requests: api.Resources{MilliCPU: 10, Memory: reqMi * MiB},
		HasCPURequest: true, HasMemoryRequest: reqMi > 0}
	if limitMi > 0 {
		c.Limits.Memory = limitMi * MiB
	}
	s := &api.PodSpec{RestartPolicy: policy, TerminationGracePeriodSeconds: 30, Containers: []api.Container{c}}
	s.Compile()
	return s
}

// probed returns a one-container spec "c0" (image redis, restartPolicy
// Always) with the given probes.
func probed(liveness, readiness, startup *api.Probe) *api.PodSpec {
	s := &api.PodSpec{RestartPolicy: api.RestartAlways, TerminationGracePeriodSeconds: 30, Containers: []api.Container{{
		Name: "c0", Image: "redis", LivenessProbe: liveness, ReadinessProbe: readiness, StartupProbe: startup}}}
	s.Compile()
	return s
}

func probe(delay, period, success, failure int32) *api.Probe {
	return &api.Probe{InitialDelaySeconds: delay, PeriodSeconds: period, SuccessThreshold: success, FailureThreshold: failure, TimeoutSeconds: 1}
}

// writesBy returns the logged writes (not events) by component between from
// and to (inclusive), as log lines.
func (w *world) writesBy(component string, from, to sim.Time) []string {
	var out []string
	for _, l := range w.log {
		f := strings.Fields(l)
		if len(f) < 3 || f[1] != component || f[2] == "event" {
			continue
		}
		d, err := time.ParseDuration(f[0])
		if err != nil {
			continue
		}
		if at := sim.Time(d); at >= from && at <= to {
			out = append(out, l)
		}
	}
	return out
}

// snaps returns the pod's written states, in order.
func (w *world) snaps(name string) []podSnap { return w.pods["default/"+name] }

// containerReasonTimes returns when the pod was written with its first
// container in a state with the given reason, in order.
func (w *world) containerReasonTimes(name, reason string) []sim.Time {
	var out []sim.Time
	for _, s := range w.snaps(name) {
		if s.deleted || len(s.pod.Status.ContainerStatuses) == 0 {
			continue
		}
		if s.pod.Status.ContainerStatuses[0].Reason == reason {
			out = append(out, s.at)
		}
	}
	return out
}

func (w *world) node(name string) *api.Node {
	w.t.Helper()
	n, ok := w.st.Nodes.Get("", name)
	if !ok {
		w.t.Fatalf("node %s not found", name)
	}
	return n
}

func (w *world) lease(name string) *api.Lease {
	w.t.Helper()
	l, ok := w.st.Leases.Get(api.NodeLeaseNamespace, name)
	if !ok {
		w.t.Fatalf("lease %s not found", name)
	}
	return l
}

func (w *world) must(err error) {
	w.t.Helper()
	if err != nil {
		w.t.Fatal(err)
	}
}

func (w *world) dump() string { return strings.Join(w.log, "\n") }
