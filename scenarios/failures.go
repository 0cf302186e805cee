package scenarios

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kubesim/kubesim/sim/api"
	"github.com/kubesim/kubesim/sim/kubelet"
)

// Failure kinds, as the scenario file spells them.
const (
	FailureNodeCrash        = "nodeCrash"
	FailureNodeShutdown     = "nodeShutdown"
	FailureZoneOutage       = "zoneOutage"
	FailureNetworkPartition = "networkPartition"
	FailureKubeletRestart   = "kubeletRestart"
	FailureSpotReclaim      = "spotReclaim"
	FailureImagePull        = "imagePullFailure"
	FailurePodCrash         = "podCrash"
	FailureOOMKill          = "oomKill"
)

// Stochastic failure kinds of a node pool (PoolFailures.Kind).
const (
	PoolFailureCrash          = "crash"
	PoolFailurePartition      = "partition"
	PoolFailureShutdown       = "shutdown"
	PoolFailureKubeletRestart = "kubeletRestart"
)

// Distributions of PoolFailures' times.
const (
	DistExponential = "exponential"
	DistWeibull     = "weibull"
	DistLogNormal   = "lognormal"
)

// DefaultSpotNotice is a spot reclaim's notice when none is given: the two
// minutes AWS gives before it reclaims a spot instance.
const DefaultSpotNotice = 2 * time.Minute

// Failure is one entry of spec.failures: at a time, exactly one kind.
type Failure struct {
	// At is when, from the start of the run.
	At               metav1.Duration          `json:"at"`
	NodeCrash        *NodeCrashFailure        `json:"nodeCrash,omitempty"`
	NodeShutdown     *NodeShutdownFailure     `json:"nodeShutdown,omitempty"`
	ZoneOutage       *ZoneOutageFailure       `json:"zoneOutage,omitempty"`
	NetworkPartition *NetworkPartitionFailure `json:"networkPartition,omitempty"`
	KubeletRestart   *KubeletRestartFailure   `json:"kubeletRestart,omitempty"`
	SpotReclaim      *SpotReclaimFailure      `json:"spotReclaim,omitempty"`
	ImagePullFailure *ImagePullFailure        `json:"imagePullFailure,omitempty"`
	PodCrash         *PodCrashFailure         `json:"podCrash,omitempty"`
	OOMKill          *OOMKillFailure          `json:"oomKill,omitempty"`
}

// NodeSet names the nodes a failure hits: exactly one of a node's name,
// a label selector (every node whose labels include all of them) or a zone
// (every node labelled topology.kubernetes.io/zone with it).
type NodeSet struct {
	Node  string            `json:"node,omitempty"`
	Nodes map[string]string `json:"nodes,omitempty"`
	Zone  string            `json:"zone,omitempty"`
}

// NodeCrashFailure kills machines (kubelet.Manager.Crash); with
// RecoverAfter they come back that long after (Recover).
type NodeCrashFailure struct {
	NodeSet
	RecoverAfter *metav1.Duration `json:"recoverAfter,omitempty"`
}

// NodeShutdownFailure shuts machines down gracefully (Manager.Shutdown);
// GracePeriod defaults to spec.timing.kubelet.shutdownGracePeriod; with
// RecoverAfter (counted from At, longer than the grace period) they boot
// again.
type NodeShutdownFailure struct {
	NodeSet
	GracePeriod  *metav1.Duration `json:"gracePeriod,omitempty"`
	RecoverAfter *metav1.Duration `json:"recoverAfter,omitempty"`
}

// ZoneOutageFailure crashes every node of a zone; with RecoverAfter they
// come back that long after.
type ZoneOutageFailure struct {
	Zone         string           `json:"zone"`
	RecoverAfter *metav1.Duration `json:"recoverAfter,omitempty"`
}

// NetworkPartitionFailure cuts nodes off from the control plane
// (Manager.Partition); with HealAfter the network heals that long after.
type NetworkPartitionFailure struct {
	NodeSet
	HealAfter *metav1.Duration `json:"healAfter,omitempty"`
}

// KubeletRestartFailure restarts the kubelets of nodes, down for Downtime
// (required, > 0).
type KubeletRestartFailure struct {
	NodeSet
	Downtime metav1.Duration `json:"downtime"`
}

// SpotReclaimFailure reclaims spot nodes after a notice (default 2m,
// Manager.Reclaim): cordoned and tainted at once, shut down at the end.
type SpotReclaimFailure struct {
	NodeSet
	Notice *metav1.Duration `json:"notice,omitempty"`
}

// ImagePullFailure makes pulls of an image fail from At until Until (a
// time from the start of the run; unset: to the end).
type ImagePullFailure struct {
	Image string           `json:"image"`
	Until *metav1.Duration `json:"until,omitempty"`
}

// PodSelector names pods by the labels of their manifests (a bare pod's or
// a workload's pod template), in a namespace ("" matches every namespace).
type PodSelector struct {
	Namespace string            `json:"namespace,omitempty"`
	Selector  map[string]string `json:"selector"`
}

// PodCrashFailure makes the matched pods' containers crash at random with
// mean time to failure MTTF and exit code ExitCode (default 1), from their
// creation (kubesim.io/crash-mttf, kubesim.io/crash-exit-code; At must be
// 0s).
type PodCrashFailure struct {
	PodSelector
	MTTF     metav1.Duration `json:"mttf"`
	ExitCode *int32          `json:"exitCode,omitempty"`
}

// OOMKillFailure gives the matched pods a memory usage profile
// (kubesim.io/memory-usage, e.g. "200Mi,10m=2Gi": a leak); a pod is
// OOM-killed when its usage exceeds its memory limit. At must be 0s.
type OOMKillFailure struct {
	PodSelector
	MemoryUsage string `json:"memoryUsage"`
}

// PoolFailures makes every node of a pool fail at random, independently:
// up for a time drawn from TimeToFailure, then failed (Kind) for a time
// drawn from TimeToRepair, and so on. Each node draws from its own stream
// "failures/<pool>/<node>".
type PoolFailures struct {
	// Kind is crash (then Recover), partition (then Heal), shutdown (a
	// graceful shutdown, then Recover; the repair time counts from the
	// shutdown) or kubeletRestart (down for the repair time).
	Kind          string       `json:"kind"`
	TimeToFailure Distribution `json:"timeToFailure"`
	TimeToRepair  Distribution `json:"timeToRepair"`
}

// Distribution is a distribution of durations (gonum stat/distuv):
// exponential {mean}, weibull {shape, scale} or lognormal {median, sigma}
// (mu = ln(median in seconds)).
type Distribution struct {
	Distribution string           `json:"distribution"`
	Mean         *metav1.Duration `json:"mean,omitempty"`
	Shape        float64          `json:"shape,omitempty"`
	Scale        *metav1.Duration `json:"scale,omitempty"`
	Median       *metav1.Duration `json:"median,omitempty"`
	Sigma        float64          `json:"sigma,omitempty"`
}

// LoadedFailure is a validated spec.failures entry.
type LoadedFailure struct {
	At time.Duration
	// Path is the entry's field path, e.g. "spec.failures[1]".
	Path string
	// Kind is one of the Failure constants.
	Kind string
	// Target says what was named ("node node-b-1", "zone us-east-1a", ...).
	Target string
	// Nodes are the nodes hit, sorted by name.
	Nodes []string
	// After is the time from At to the repair (recoverAfter, healAfter,
	// downtime, notice, or Until − At for an image); 0: none.
	After time.Duration
	// Grace is a shutdown's grace period (0: the kubelet's default).
	Grace time.Duration
	// Image is an image pull failure's image.
	Image string
}

// LoadedPoolFailures is a node pool's validated stochastic failures.
type LoadedPoolFailures struct {
	Pool          string
	Kind          string
	TimeToFailure Distribution
	TimeToRepair  Distribution
	// Nodes are the pool's nodes, in creation order.
	Nodes []string
}

// validateFailures checks every spec.failures entry's own fields and the
// pools' stochastic failures; nodes are resolved in loadFailures.
func (l *Loaded) validateFailures(el *errorList) {
	for i, f := range l.Scenario.Spec.Failures {
		path := fmt.Sprintf("spec.failures[%d]", i)
		if f.At.Duration < 0 {
			el.add(path+".at", "must not be negative, got %s", f.At.Duration)
		} else if l.Duration > 0 && f.At.Duration > l.Duration {
			el.add(path+".at", "%s is after the end of the run (spec.duration %s)", f.At.Duration, l.Duration)
		}
		kinds := failureKinds(&f)
		if len(kinds) != 1 {
			got := "none"
			if len(kinds) > 1 {
				got = strings.Join(kinds, " and ")
			}
			el.add(path, "must have exactly one of %s; got %s", strings.Join(allFailureKinds, ", "), got)
			continue
		}
		kp := path + "." + kinds[0]
		positive := func(field string, d *metav1.Duration) {
			if d != nil && d.Duration <= 0 {
				el.add(kp+"."+field, "must be a positive duration, got %s", d.Duration)
			}
		}
		switch {
		case f.NodeCrash != nil:
			positive("recoverAfter", f.NodeCrash.RecoverAfter)
		case f.NodeShutdown != nil:
			positive("gracePeriod", f.NodeShutdown.GracePeriod)
			positive("recoverAfter", f.NodeShutdown.RecoverAfter)
		case f.ZoneOutage != nil:
			if f.ZoneOutage.Zone == "" {
				el.add(kp+".zone", "is required")
			}
			positive("recoverAfter", f.ZoneOutage.RecoverAfter)
		case f.NetworkPartition != nil:
			positive("healAfter", f.NetworkPartition.HealAfter)
		case f.KubeletRestart != nil:
			if f.KubeletRestart.Downtime.Duration <= 0 {
				el.add(kp+".downtime", "is required: a positive duration, got %s", f.KubeletRestart.Downtime.Duration)
			}
		case f.SpotReclaim != nil:
			if n := f.SpotReclaim.Notice; n != nil && n.Duration < 0 {
				el.add(kp+".notice", "must not be negative, got %s", n.Duration)
			}
		case f.ImagePullFailure != nil:
			ip := f.ImagePullFailure
			if ip.Image == "" {
				el.add(kp+".image", "is required")
			}
			if ip.Until != nil && ip.Until.Duration <= f.At.Duration {
				el.add(kp+".until", "must be after at (%s), got %s", f.At.Duration, ip.Until.Duration)
			}
		case f.PodCrash != nil:
			pc := f.PodCrash
			l.checkPodSelector(el, kp, f.At.Duration, &pc.PodSelector)
			if pc.MTTF.Duration <= 0 {
				el.add(kp+".mttf", "is required: the mean time to a crash, a positive duration, got %s", pc.MTTF.Duration)
			}
			if c := pc.ExitCode; c != nil && (*c < 1 || *c > 255) {
				el.add(kp+".exitCode", "must be 1-255 (a crash exits non-zero), got %d", *c)
			}
		case f.OOMKill != nil:
			l.checkPodSelector(el, kp, f.At.Duration, &f.OOMKill.PodSelector)
			if f.OOMKill.MemoryUsage == "" {
				el.add(kp+".memoryUsage", "is required: a memory usage profile such as \"200Mi,10m=2Gi\"")
			}
		}
	}
	for i, p := range l.Scenario.Spec.Cluster.NodePools {
		if p.Failures == nil {
			continue
		}
		path := fmt.Sprintf("spec.cluster.nodePools[%d].failures", i)
		switch p.Failures.Kind {
		case PoolFailureCrash, PoolFailurePartition, PoolFailureShutdown, PoolFailureKubeletRestart:
		case "":
			el.add(path+".kind", "is required: one of crash, partition, shutdown, kubeletRestart")
		default:
			el.add(path+".kind", "%q is not a failure kind: one of crash, partition, shutdown, kubeletRestart", p.Failures.Kind)
		}
		checkDistribution(el, path+".timeToFailure", &p.Failures.TimeToFailure)
		checkDistribution(el, path+".timeToRepair", &p.Failures.TimeToRepair)
	}
}

// allFailureKinds lists the kinds in the order errors name them.
var allFailureKinds = []string{FailureNodeCrash, FailureNodeShutdown, FailureZoneOutage, FailureNetworkPartition,
	FailureKubeletRestart, FailureSpotReclaim, FailureImagePull, FailurePodCrash, FailureOOMKill}

func failureKinds(f *Failure) []string {
	var out []string
	for i, set := range []bool{f.NodeCrash != nil, f.NodeShutdown != nil, f.ZoneOutage != nil, f.NetworkPartition != nil,
		f.KubeletRestart != nil, f.SpotReclaim != nil, f.ImagePullFailure != nil, f.PodCrash != nil, f.OOMKill != nil} {
		if set {
			out = append(out, allFailureKinds[i])
		}
	}
	return out
}

func (l *Loaded) checkPodSelector(el *errorList, path string, at time.Duration, s *PodSelector) {
	if len(s.Selector) == 0 {
		el.add(path+".selector", "is required: the labels of the pods (pod template labels) to affect")
	}
	if at != 0 {
		el.add(strings.TrimSuffix(strings.TrimSuffix(path, ".podCrash"), ".oomKill")+".at",
			"must be 0s: pod behaviour applies to the matched pods from their creation, got %s", at)
	}
}

// checkDistribution validates a distribution's name and parameters.
func checkDistribution(el *errorList, path string, d *Distribution) {
	posDur := func(field string, v *metav1.Duration) {
		if v == nil || v.Duration <= 0 {
			el.add(path+"."+field, "is required for %s: a positive duration", d.Distribution)
		}
	}
	posNum := func(field string, v float64) {
		if !(v > 0) || math.IsInf(v, 0) {
			el.add(path+"."+field, "is required for %s: a number > 0, got %v", d.Distribution, v)
		}
	}
	switch d.Distribution {
	case DistExponential:
		posDur("mean", d.Mean)
	case DistWeibull:
		posNum("shape", d.Shape)
		posDur("scale", d.Scale)
	case DistLogNormal:
		posDur("median", d.Median)
		posNum("sigma", d.Sigma)
	case "":
		el.add(path+".distribution", "is required: exponential, weibull or lognormal")
	default:
		el.add(path+".distribution", "%q is not supported: exponential, weibull or lognormal", d.Distribution)
	}
}

// loadFailures resolves the failures' nodes against the scenario's nodes,
// applies pod behaviour failures to the matched manifests, and collects the
// pools' stochastic failures.
func (l *Loaded) loadFailures(el *errorList) {
	for i, f := range l.Scenario.Spec.Failures {
		path := fmt.Sprintf("spec.failures[%d]", i)
		kinds := failureKinds(&f)
		if len(kinds) != 1 {
			continue
		}
		lf := LoadedFailure{At: f.At.Duration, Path: path, Kind: kinds[0]}
		kp := path + "." + lf.Kind
		dur := func(d *metav1.Duration) time.Duration {
			if d == nil {
				return 0
			}
			return d.Duration
		}
		var set *NodeSet
		switch {
		case f.NodeCrash != nil:
			set, lf.After = &f.NodeCrash.NodeSet, dur(f.NodeCrash.RecoverAfter)
		case f.NodeShutdown != nil:
			set, lf.After, lf.Grace = &f.NodeShutdown.NodeSet, dur(f.NodeShutdown.RecoverAfter), dur(f.NodeShutdown.GracePeriod)
			grace := lf.Grace
			if grace == 0 {
				grace = l.shutdownGrace()
			}
			if lf.After > 0 && lf.After <= grace {
				el.add(kp+".recoverAfter", "must be longer than the grace period (%s): the node boots again after it has shut down", grace)
			}
		case f.ZoneOutage != nil:
			set, lf.After = &NodeSet{Zone: f.ZoneOutage.Zone}, dur(f.ZoneOutage.RecoverAfter)
		case f.NetworkPartition != nil:
			set, lf.After = &f.NetworkPartition.NodeSet, dur(f.NetworkPartition.HealAfter)
		case f.KubeletRestart != nil:
			set, lf.After = &f.KubeletRestart.NodeSet, f.KubeletRestart.Downtime.Duration
		case f.SpotReclaim != nil:
			set, lf.After = &f.SpotReclaim.NodeSet, DefaultSpotNotice
			if n := f.SpotReclaim.Notice; n != nil {
				lf.After = n.Duration
			}
		case f.ImagePullFailure != nil:
			lf.Image, lf.Target = f.ImagePullFailure.Image, "image "+f.ImagePullFailure.Image
			if u := f.ImagePullFailure.Until; u != nil {
				lf.After = u.Duration - f.At.Duration
			}
		case f.PodCrash != nil:
			pc := f.PodCrash
			code := int32(1)
			if pc.ExitCode != nil {
				code = *pc.ExitCode
			}
			l.annotatePods(el, kp, &pc.PodSelector, map[string]string{
				api.AnnotationCrashMTTF: pc.MTTF.Duration.String(), api.AnnotationCrashExitCode: strconv.Itoa(int(code))})
			continue
		case f.OOMKill != nil:
			l.annotatePods(el, kp, &f.OOMKill.PodSelector, map[string]string{api.AnnotationMemoryUsage: f.OOMKill.MemoryUsage})
			continue
		}
		if set != nil {
			nodes, target, ok := l.resolveNodes(el, kp, set)
			if !ok {
				continue
			}
			lf.Nodes, lf.Target = nodes, target
		}
		l.Failures = append(l.Failures, lf)
	}
	slices.SortStableFunc(l.Failures, func(a, b LoadedFailure) int {
		switch {
		case a.At < b.At:
			return -1
		case a.At > b.At:
			return 1
		}
		return 0
	})
	for _, p := range l.Scenario.Spec.Cluster.NodePools {
		if p.Failures == nil {
			continue
		}
		pf := LoadedPoolFailures{Pool: p.Name, Kind: p.Failures.Kind, TimeToFailure: p.Failures.TimeToFailure, TimeToRepair: p.Failures.TimeToRepair}
		for _, n := range l.Nodes {
			if n.Labels[NodePoolLabel] == p.Name {
				pf.Nodes = append(pf.Nodes, n.Name)
			}
		}
		l.PoolFailures = append(l.PoolFailures, pf)
	}
}

// shutdownGrace is the kubelet's shutdown grace period in this scenario.
func (l *Loaded) shutdownGrace() time.Duration {
	if d := l.Scenario.Spec.Timing.Kubelet.ShutdownGracePeriod; d != nil {
		return d.Duration
	}
	return kubeletDefaults().ShutdownGracePeriod
}

// resolveNodes turns a NodeSet into sorted node names and a description.
// It reports an empty or ambiguous set.
func (l *Loaded) resolveNodes(el *errorList, path string, set *NodeSet) ([]string, string, bool) {
	forms := 0
	for _, b := range []bool{set.Node != "", len(set.Nodes) > 0, set.Zone != ""} {
		if b {
			forms++
		}
	}
	if forms != 1 {
		el.add(path, "must name exactly one of node, nodes (a label selector) or zone; got %d", forms)
		return nil, "", false
	}
	var out []string
	var target string
	switch {
	case set.Node != "":
		target = "node " + set.Node
		for _, n := range l.Nodes {
			if n.Name == set.Node {
				out = append(out, n.Name)
			}
		}
		if len(out) == 0 {
			el.add(path+".node", "no node %q in spec.cluster", set.Node)
			return nil, "", false
		}
	case set.Zone != "":
		target = "zone " + set.Zone
		for _, n := range l.Nodes {
			if n.Labels[api.LabelZone] == set.Zone {
				out = append(out, n.Name)
			}
		}
		if len(out) == 0 {
			el.add(path+".zone", "no node of spec.cluster is in zone %q", set.Zone)
			return nil, "", false
		}
	default:
		keys := api.SortedKeys(set.Nodes)
		parts := make([]string, len(keys))
		for i, k := range keys {
			parts[i] = k + "=" + set.Nodes[k]
		}
		target = "nodes " + strings.Join(parts, ",")
		for _, n := range l.Nodes {
			match := true
			for k, v := range set.Nodes {
				if n.Labels[k] != v {
					match = false
					break
				}
			}
			if match {
				out = append(out, n.Name)
			}
		}
		if len(out) == 0 {
			el.add(path+".nodes", "no node of spec.cluster has the labels %s", strings.Join(parts, ","))
			return nil, "", false
		}
	}
	slices.Sort(out)
	return out, target, true
}

// annotatePods adds behaviour annotations to the pod templates (and bare
// pods) of the scenario's manifests whose labels match s, so that their
// kubelets crash or OOM-kill them. Each changed template is a copy with its
// content hash mixed with the annotations. No match is an error.
func (l *Loaded) annotatePods(el *errorList, path string, s *PodSelector, ann map[string]string) {
	if _, err := kubelet.ParseBehavior(ann); err != nil {
		el.add(path, "%v", err)
		return
	}
	matched := 0
	fix := func(o api.Object) api.Object {
		if s.Namespace != "" && o.GetMeta().Namespace != s.Namespace {
			return o
		}
		switch x := o.(type) {
		case *api.Pod:
			if !labelsMatch(x.Labels, s.Selector) {
				return o
			}
			c := x.Clone()
			c.Annotations = withAnnotations(c.Annotations, ann)
			matched++
			return c
		case *api.Deployment:
			if t := annotateTemplate(x.Template, s.Selector, ann); t != nil {
				c := x.Clone()
				c.Template = t
				matched++
				return c
			}
		case *api.ReplicaSet:
			if t := annotateTemplate(x.Template, s.Selector, ann); t != nil {
				c := x.Clone()
				c.Template = t
				matched++
				return c
			}
		case *api.StatefulSet:
			if t := annotateTemplate(x.Template, s.Selector, ann); t != nil {
				c := x.Clone()
				c.Template = t
				matched++
				return c
			}
		case *api.DaemonSet:
			if t := annotateTemplate(x.Template, s.Selector, ann); t != nil {
				c := x.Clone()
				c.Template = t
				matched++
				return c
			}
		case *api.Job:
			if t := annotateTemplate(x.Template, s.Selector, ann); t != nil {
				c := x.Clone()
				c.Template = t
				matched++
				return c
			}
		}
		return o
	}
	for i, o := range l.ClusterObjects {
		l.ClusterObjects[i] = fix(o)
	}
	for b := range l.Batches {
		for i, o := range l.Batches[b].Objects {
			l.Batches[b].Objects[i] = fix(o)
		}
	}
	for a := range l.Actions {
		for i, o := range l.Actions[a].Objects {
			l.Actions[a].Objects[i] = fix(o)
		}
	}
	if matched == 0 {
		keys := api.SortedKeys(s.Selector)
		parts := make([]string, len(keys))
		for i, k := range keys {
			parts[i] = k + "=" + s.Selector[k]
		}
		el.add(path+".selector", "no pod or pod template of the scenario's manifests has the labels %s", strings.Join(parts, ","))
	}
}

func labelsMatch(labels, sel map[string]string) bool {
	for k, v := range sel {
		if labels[k] != v {
			return false
		}
	}
	return true
}

func withAnnotations(cur, add map[string]string) map[string]string {
	out := make(map[string]string, len(cur)+len(add))
	for k, v := range cur {
		out[k] = v
	}
	for k, v := range add {
		out[k] = v
	}
	return out
}

// annotateTemplate returns a copy of t with ann added, or nil when t's
// labels do not match sel. The copy's hash mixes in the annotations
// (FNV-32a steps over "key=value" in key order), so that its content
// hash differs from the original's, as the manifest would.
func annotateTemplate(t *api.PodTemplate, sel map[string]string, ann map[string]string) *api.PodTemplate {
	if t == nil || !labelsMatch(t.Labels, sel) {
		return nil
	}
	c := *t
	c.Annotations = withAnnotations(t.Annotations, ann)
	h := c.Hash
	for _, k := range api.SortedKeys(ann) {
		for _, b := range []byte(k + "=" + ann[k]) {
			h ^= uint32(b)
			h *= 16777619
		}
	}
	c.Hash = h
	return &c
}
