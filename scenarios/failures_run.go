package scenarios

import (
	"fmt"
	"math"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"gonum.org/v1/gonum/stat/distuv"

	"github.com/kubesim/kubesim/controllers"
	"github.com/kubesim/kubesim/sim"
	"github.com/kubesim/kubesim/sim/kubelet"
)

// FailureComponent names the failure plan's recorded events: each injected
// failure and repair is an event on the node it hits, so that the event log
// and the narration show the cause before the control plane's reactions.
const FailureComponent = "failure-plan"

// Reasons of the failure plan's events.
const (
	ReasonNodeCrashed       = "NodeCrashed"
	ReasonNodeRecovered     = "NodeRecovered"
	ReasonNodeShutdown      = "NodeShutdown"
	ReasonNetworkPartition  = "NetworkPartitioned"
	ReasonNetworkHealed     = "NetworkHealed"
	ReasonKubeletRestarted  = "KubeletRestarted"
	ReasonSpotReclaimNotice = "SpotReclaimNotice"
	ReasonImagePullFailing  = "ImagePullFailing"
	ReasonImagePullRestored = "ImagePullRestored"
	// ReasonFailureSkipped is recorded when a failure does not apply to a
	// node at its time (e.g. a crash of a node that is already down).
	ReasonFailureSkipped = "FailureSkipped"
)

// NodeLifecycleTiming is spec.timing.controllers.nodeLifecycle: the node
// lifecycle controller's kube-controller-manager flags. Unset fields take
// upstream's defaults (package controllers/nodelifecycle).
type NodeLifecycleTiming struct {
	// MonitorPeriod is --node-monitor-period (5s).
	MonitorPeriod *metav1.Duration `json:"monitorPeriod,omitempty"`
	// MonitorGracePeriod is --node-monitor-grace-period (50s).
	MonitorGracePeriod *metav1.Duration `json:"monitorGracePeriod,omitempty"`
	// StartupGracePeriod is --node-startup-grace-period (60s).
	StartupGracePeriod *metav1.Duration `json:"startupGracePeriod,omitempty"`
	// EvictionRate is --node-eviction-rate, nodes per second per zone (0.1).
	EvictionRate *float64 `json:"evictionRate,omitempty"`
	// SecondaryEvictionRate is --secondary-node-eviction-rate (0.01).
	SecondaryEvictionRate *float64 `json:"secondaryEvictionRate,omitempty"`
	// LargeClusterSizeThreshold is --large-cluster-size-threshold (50).
	LargeClusterSizeThreshold *int32 `json:"largeClusterSizeThreshold,omitempty"`
	// UnhealthyZoneThreshold is --unhealthy-zone-threshold (0.55).
	UnhealthyZoneThreshold *float64 `json:"unhealthyZoneThreshold,omitempty"`
}

// kubeletDefaults are the kubelet defaults the scenario starts from.
func kubeletDefaults() kubelet.Config { return kubelet.DefaultConfig() }

// validateTiming checks the failure-related timing knobs (the kubelet's
// and the node lifecycle controller's) by building the configurations and
// validating them, so that the messages name the knob.
func (l *Loaded) validateTiming(el *errorList) {
	kcfg := kubeletDefaults()
	kt := l.Scenario.Spec.Timing.Kubelet
	// The first four knobs are checked with their own paths in
	// validateAndDefault.
	kt.ContainerStart, kt.ImagePullBandwidth, kt.DefaultImageSize, kt.SerializeImagePulls = nil, nil, nil, nil
	applyKubeletTiming(&kcfg, kt)
	if err := kcfg.Validate(); err != nil {
		el.add("spec.timing.kubelet", "%v", err)
	}
	nl := l.Scenario.Spec.Timing.Controllers.NodeLifecycle
	for _, d := range []struct {
		name string
		v    *metav1.Duration
	}{{"monitorPeriod", nl.MonitorPeriod}, {"monitorGracePeriod", nl.MonitorGracePeriod}, {"startupGracePeriod", nl.StartupGracePeriod}} {
		if d.v != nil && d.v.Duration <= 0 {
			el.add("spec.timing.controllers.nodeLifecycle."+d.name, "must be a positive duration, got %s", d.v.Duration)
		}
	}
	for _, r := range []struct {
		name string
		v    *float64
	}{{"evictionRate", nl.EvictionRate}, {"secondaryEvictionRate", nl.SecondaryEvictionRate}} {
		if r.v != nil && !(*r.v > 0 && !math.IsInf(*r.v, 0)) {
			el.add("spec.timing.controllers.nodeLifecycle."+r.name, "must be a number > 0 (nodes per second), got %v", *r.v)
		}
	}
	if v := nl.LargeClusterSizeThreshold; v != nil && *v <= 0 {
		el.add("spec.timing.controllers.nodeLifecycle.largeClusterSizeThreshold", "must be > 0 nodes, got %d", *v)
	}
	if v := nl.UnhealthyZoneThreshold; v != nil && !(*v > 0 && *v <= 1) {
		el.add("spec.timing.controllers.nodeLifecycle.unhealthyZoneThreshold", "must be in (0, 1], got %v", *v)
	}
}

// applyKubeletTiming sets the kubelet knobs of spec.timing.kubelet.
func applyKubeletTiming(c *kubelet.Config, t KubeletTiming) {
	if d := t.ContainerStart; d != nil {
		c.ContainerStartLatency = d.Duration
	}
	if q := t.ImagePullBandwidth; q != nil {
		c.ImagePullBandwidth = q.Value()
	}
	if q := t.DefaultImageSize; q != nil {
		c.DefaultImageSize = q.Value()
	}
	if b := t.SerializeImagePulls; b != nil {
		c.SerializeImagePulls = *b
	}
	if d := t.ImagePullBackoffInitial; d != nil {
		c.ImagePullBackoffInitial = d.Duration
	}
	if d := t.ImagePullBackoffMax; d != nil {
		c.ImagePullBackoffMax = d.Duration
	}
	if d := t.MaxContainerRestartPeriod; d != nil {
		c.RestartBackoffMax = d.Duration
	}
	if q := t.EvictionHardMemoryAvailable; q != nil {
		c.EvictionHardMemoryAvailable = q.Value()
	}
	if d := t.ShutdownGracePeriod; d != nil {
		c.ShutdownGracePeriod = d.Duration
	}
	if d := t.ShutdownGracePeriodCriticalPods; d != nil {
		c.ShutdownGracePeriodCriticalPods = d.Duration
	}
	if v := t.MemoryUsageSpread; v != nil {
		c.MemoryUsageSpread = *v
	}
	if v := t.NodeLeaseDurationSeconds; v != nil {
		c.NodeLeaseDurationSeconds = *v
	}
}

// applyControllerTiming sets the node lifecycle knobs of
// spec.timing.controllers.nodeLifecycle.
func applyControllerTiming(o *controllers.Options, t ControllerTiming) {
	nl, c := t.NodeLifecycle, &o.NodeLifecycle
	if d := nl.MonitorPeriod; d != nil {
		c.MonitorPeriod = d.Duration
	}
	if d := nl.MonitorGracePeriod; d != nil {
		c.MonitorGracePeriod = d.Duration
	}
	if d := nl.StartupGracePeriod; d != nil {
		c.StartupGracePeriod = d.Duration
	}
	if v := nl.EvictionRate; v != nil {
		c.EvictionRate = *v
	}
	if v := nl.SecondaryEvictionRate; v != nil {
		c.SecondaryEvictionRate = *v
	}
	if v := nl.LargeClusterSizeThreshold; v != nil {
		c.LargeClusterThreshold = *v
	}
	if v := nl.UnhealthyZoneThreshold; v != nil {
		c.UnhealthyZoneThreshold = *v
	}
}

// scheduleFailures arms every spec.failures entry at its time, after the
// batches and actions of the same time, and starts each pool's stochastic
// failure process.
func (s *Simulation) scheduleFailures() {
	for i := range s.loaded.Failures {
		f := &s.loaded.Failures[i]
		s.eng.AtFunc(sim.Time(f.At), func(sim.Time) { s.runFailure(f) })
	}
	for i := range s.loaded.PoolFailures {
		pf := &s.loaded.PoolFailures[i]
		for _, node := range pf.Nodes {
			p := &nodeProcess{s: s, pf: pf, node: node, rnd: s.eng.Rand("failures/" + pf.Pool + "/" + node)}
			p.armFailure(s.eng.Now())
		}
	}
}

// note records a failure plan event on a node (nothing if it is gone).
func (s *Simulation) note(node, reason, msg string) {
	if n, ok := s.st.Nodes.Get("", node); ok {
		s.st.Record(FailureComponent, n, reason, msg)
	}
}

// runFailure injects one spec.failures entry.
func (s *Simulation) runFailure(f *LoadedFailure) {
	k := s.kubelets
	after := func(fn func(now sim.Time)) {
		if f.After > 0 {
			s.eng.AtFunc(s.eng.Now().Add(f.After), fn)
		}
	}
	switch f.Kind {
	case FailureImagePull:
		k.SetImageFailing(f.Image, true)
		s.rec.FailureStarted(f.Kind, f.Target, nil)
		after(func(sim.Time) { k.SetImageFailing(f.Image, false) })
		return
	}
	var hit []string
	for _, node := range f.Nodes {
		// The cause is told before the hook's own writes (a frozen lease,
		// a shutting-down node), so the event log reads in causal order.
		var hook func() error
		var reason, msg string
		switch f.Kind {
		case FailureNodeCrash, FailureZoneOutage:
			hook, reason, msg = func() error { return k.Crash(node) }, ReasonNodeCrashed, "machine crashed"
		case FailureNodeShutdown:
			hook, reason, msg = func() error { return k.Shutdown(node, f.Grace) }, ReasonNodeShutdown, "machine shutting down gracefully"
		case FailureNetworkPartition:
			hook, reason, msg = func() error { return k.Partition(node) }, ReasonNetworkPartition, "network partitioned: the node cannot reach the control plane"
		case FailureKubeletRestart:
			hook, reason, msg = func() error { return k.RestartKubelet(node, f.After) }, ReasonKubeletRestarted, fmt.Sprintf("kubelet restarting, down for %s", f.After)
		case FailureSpotReclaim:
			hook, reason, msg = func() error { return k.Reclaim(node, f.After) }, ReasonSpotReclaimNotice, fmt.Sprintf("spot instance reclaimed in %s", f.After)
		}
		if !s.canFail(node) {
			s.note(node, ReasonFailureSkipped, fmt.Sprintf("%s (%s): node %s is not up and connected", f.Kind, f.Path, node))
			continue
		}
		s.note(node, reason, fmt.Sprintf("%s (%s)", msg, f.Path))
		if err := hook(); err != nil {
			s.note(node, ReasonFailureSkipped, fmt.Sprintf("%s (%s): %v", f.Kind, f.Path, err))
			continue
		}
		hit = append(hit, node)
	}
	if len(hit) == 0 {
		return
	}
	down := f.Kind == FailureNodeCrash || f.Kind == FailureZoneOutage || f.Kind == FailureNetworkPartition
	s.rec.FailureStarted(f.Kind, f.Target, hit)
	if down {
		for _, node := range hit {
			s.rec.NodeDown(node)
		}
	}
	switch f.Kind {
	case FailureNodeCrash, FailureZoneOutage, FailureNodeShutdown:
		after(func(sim.Time) {
			for _, node := range hit {
				s.recover(node, f.Path)
			}
		})
	case FailureNetworkPartition:
		after(func(sim.Time) {
			for _, node := range hit {
				s.heal(node, f.Path)
			}
		})
	case FailureKubeletRestart:
		after(func(sim.Time) {
			for _, node := range hit {
				s.rec.NodeRepaired(node)
			}
		})
	}
}

// canFail reports whether a node's kubelet is up, so that a failure
// applies: a skipped failure records only why it was skipped.
func (s *Simulation) canFail(node string) bool {
	_, up := s.kubelets.Kubelet(node)
	return up
}

// recover boots a node that is down again.
func (s *Simulation) recover(node, why string) {
	if err := s.kubelets.Recover(node); err != nil {
		s.note(node, ReasonFailureSkipped, fmt.Sprintf("recover (%s): %v", why, err))
		return
	}
	s.rec.NodeUp(node)
	s.note(node, ReasonNodeRecovered, fmt.Sprintf("machine back up (%s)", why))
}

// heal ends a node's network partition.
func (s *Simulation) heal(node, why string) {
	if err := s.kubelets.Heal(node); err != nil {
		s.note(node, ReasonFailureSkipped, fmt.Sprintf("heal (%s): %v", why, err))
		return
	}
	s.rec.NodeUp(node)
	s.note(node, ReasonNetworkHealed, fmt.Sprintf("network healed (%s)", why))
}

// nodeProcess is one node's stochastic failures: alternately up for a
// time to failure and failed for a time to repair, each drawn from the
// node's own stream. It costs two engine events per failure, none while
// the node is up.
type nodeProcess struct {
	s    *Simulation
	pf   *LoadedPoolFailures
	node string
	rnd  distSource
}

// distSource is the random source distuv draws from: the node's stream.
type distSource interface{ Uint64() uint64 }

// draw returns a duration drawn from d with the process's source, at least
// one nanosecond and at most maxDraw.
func (p *nodeProcess) draw(d *Distribution) time.Duration {
	var secs float64
	switch d.Distribution {
	case DistExponential:
		secs = distuv.Exponential{Rate: 1 / d.Mean.Duration.Seconds(), Src: p.rnd}.Rand()
	case DistWeibull:
		secs = distuv.Weibull{K: d.Shape, Lambda: d.Scale.Duration.Seconds(), Src: p.rnd}.Rand()
	case DistLogNormal:
		secs = distuv.LogNormal{Mu: math.Log(d.Median.Duration.Seconds()), Sigma: d.Sigma, Src: p.rnd}.Rand()
	}
	const maxDraw = 100 * 365 * 24 * time.Hour
	switch {
	case !(secs > 0):
		return time.Nanosecond
	case secs >= maxDraw.Seconds():
		return maxDraw
	}
	return max(time.Duration(secs*float64(time.Second)), time.Nanosecond)
}

// armFailure schedules the node's next failure a time to failure from now,
// unless that is after the end of the run.
func (p *nodeProcess) armFailure(now sim.Time) {
	at := now.Add(p.draw(&p.pf.TimeToFailure))
	if at > sim.Time(p.s.loaded.Duration) {
		return
	}
	p.s.eng.AtFunc(at, p.fail)
}

// fail injects the pool's failure kind and schedules the repair; a node
// that is not in a state to fail (down, cut off by another failure) skips
// this failure and draws the next.
func (p *nodeProcess) fail(now sim.Time) {
	s, k, why := p.s, p.s.kubelets, "spec.cluster.nodePools "+p.pf.Pool+" failures"
	repair := p.draw(&p.pf.TimeToRepair)
	var err error
	var reason, msg string
	down := false
	switch p.pf.Kind {
	case PoolFailureCrash:
		err, reason, msg, down = k.Crash(p.node), ReasonNodeCrashed, "machine crashed", true
	case PoolFailurePartition:
		err, reason, msg, down = k.Partition(p.node), ReasonNetworkPartition, "network partitioned: the node cannot reach the control plane", true
	case PoolFailureShutdown:
		err, reason, msg = k.Shutdown(p.node, 0), ReasonNodeShutdown, "machine shutting down gracefully"
	case PoolFailureKubeletRestart:
		err, reason, msg = k.RestartKubelet(p.node, repair), ReasonKubeletRestarted, fmt.Sprintf("kubelet restarting, down for %s", repair)
	}
	if err != nil {
		s.note(p.node, ReasonFailureSkipped, fmt.Sprintf("%s (%s): %v", p.pf.Kind, why, err))
		p.armFailure(now)
		return
	}
	s.note(p.node, reason, fmt.Sprintf("%s (%s)", msg, why))
	s.rec.FailureStarted("random "+p.pf.Kind, "node "+p.node, []string{p.node})
	if down {
		s.rec.NodeDown(p.node)
	}
	s.eng.AtFunc(now.Add(repair), func(t sim.Time) {
		switch p.pf.Kind {
		case PoolFailureCrash:
			s.recover(p.node, why)
		case PoolFailureShutdown:
			if _, up := k.Kubelet(p.node); up {
				// Still shutting down: boot once it is off.
				s.eng.AtFunc(t.Add(s.kubelets.Config().ShutdownGracePeriod), func(sim.Time) { s.recover(p.node, why) })
			} else {
				s.recover(p.node, why)
			}
		case PoolFailurePartition:
			s.heal(p.node, why)
		case PoolFailureKubeletRestart:
			s.rec.NodeRepaired(p.node)
		}
		p.armFailure(t)
	})
}
