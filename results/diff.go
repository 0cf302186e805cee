package results

import (
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/kubesim/kubesim/sim/api"
	"github.com/kubesim/kubesim/sim/store"
)

// describeChange renders what a write changed, for the "change" field of
// events.jsonl: "created" and "deleted" for creations and removals, "" for
// recorded events, and for updates and graceful deletions a comma-separated
// list of the changes the per-kind differ knows about, in a fixed order
// ("updated" when none of them changed).
func describeChange(w *store.Write) string {
	switch w.Verb {
	case store.VerbEvent:
		return ""
	case store.VerbCreate:
		return "created"
	}
	if w.New == nil {
		return "deleted"
	}
	if w.Old == nil {
		return "created"
	}
	var d differ
	switch o := w.Old.(type) {
	case *api.Pod:
		if n, ok := w.New.(*api.Pod); ok {
			diffPod(&d, o, n)
		}
	case *api.Node:
		if n, ok := w.New.(*api.Node); ok {
			diffNode(&d, o, n)
		}
	case *api.ReplicaSet:
		if n, ok := w.New.(*api.ReplicaSet); ok {
			diffReplicaSet(&d, o, n)
		}
	case *api.Deployment:
		if n, ok := w.New.(*api.Deployment); ok {
			diffDeployment(&d, o, n)
		}
	case *api.Job:
		if n, ok := w.New.(*api.Job); ok {
			diffJob(&d, o, n)
		}
	case *api.PodDisruptionBudget:
		if n, ok := w.New.(*api.PodDisruptionBudget); ok {
			diffPDB(&d, o, n)
		}
	}
	diffMeta(&d, w.Old.GetMeta(), w.New.GetMeta(), w.Kind != api.KindPod)
	if len(d.parts) == 0 {
		return "updated"
	}
	return strings.Join(d.parts, ", ")
}

// differ collects change descriptions in order.
type differ struct{ parts []string }

func (d *differ) add(parts ...string) { d.parts = append(d.parts, strings.Join(parts, "")) }

// int records "name a→b" when a != b.
func (d *differ) int(name string, a, b int64) {
	if a != b {
		d.add(name, " ", strconv.FormatInt(a, 10), "→", strconv.FormatInt(b, 10))
	}
}

// bool records "name a→b" when a != b.
func (d *differ) bool(name string, a, b bool) {
	if a != b {
		d.add(name, " ", strconv.FormatBool(a), "→", strconv.FormatBool(b))
	}
}

// str records "name=b" when set, "name a→b" when changed, "name cleared" when
// emptied.
func (d *differ) str(name, a, b string) {
	switch {
	case a == b:
	case a == "":
		d.add(name, "=", b)
	case b == "":
		d.add(name, " cleared")
	default:
		d.add(name, " ", a, "→", b)
	}
}

// set records "name set" when a time (or any optional field) becomes present.
func (d *differ) set(name string, was, is bool) {
	switch {
	case !was && is:
		d.add(name, " set")
	case was && !is:
		d.add(name, " cleared")
	}
}

// conditions records added ("Type=Status (Reason)"), changed
// ("Type Old→New (Reason)") and removed ("Type removed") conditions, in the
// new list's order then the old list's, skipping the type skip.
func (d *differ) conditions(old, new []api.Condition, skip string) {
	reason := func(c *api.Condition) string {
		if c.Reason == "" {
			return ""
		}
		return " (" + c.Reason + ")"
	}
	for i := range new {
		c := &new[i]
		if c.Type == skip {
			continue
		}
		o := api.FindCondition(old, c.Type)
		switch {
		case o == nil:
			d.add(c.Type, "=", string(c.Status), reason(c))
		case o.Status != c.Status:
			d.add(c.Type, " ", string(o.Status), "→", string(c.Status), reason(c))
		}
	}
	for i := range old {
		if old[i].Type != skip && api.FindCondition(new, old[i].Type) == nil {
			d.add(old[i].Type, " removed")
		}
	}
}

// diffMeta records metadata changes common to every kind; generation only
// where it counts spec changes (not pods).
func diffMeta(d *differ, o, n *api.ObjectMeta, generation bool) {
	if n.DeletionTimestamp != nil && (o.DeletionTimestamp == nil || *o.DeletionTimestamp != *n.DeletionTimestamp) {
		d.add("deletionTimestamp set (grace ", strconv.FormatInt(n.DeletionGracePeriodSeconds, 10), "s)")
	}
	if generation {
		d.int("generation", o.Generation, n.Generation)
	}
	if ownerString(o.ControllerRef()) != ownerString(n.ControllerRef()) {
		d.add("owner ", ownerString(o.ControllerRef()), "→", ownerString(n.ControllerRef()))
	} else if !slices.Equal(o.OwnerReferences, n.OwnerReferences) {
		d.add("ownerReferences changed")
	}
	if !maps.Equal(o.Labels, n.Labels) {
		d.add("labels changed")
	}
	if !maps.Equal(o.Annotations, n.Annotations) {
		d.add("annotations changed")
	}
}

func ownerString(r *api.OwnerReference) string {
	if r == nil {
		return "none"
	}
	return string(r.Kind) + "/" + r.Name
}

// annotationGPUIndex is the GPU-share scheduler's pod annotation naming the
// GPU devices a pod holds (scheduler/framework.AnnotationGPUIndex); its
// changes are described as "gpu-index=3".
const annotationGPUIndex = "alibabacloud.com/gpu-index"

func diffPod(d *differ, o, n *api.Pod) {
	d.str("nodeName", o.NodeName, n.NodeName)
	d.str("gpu-index", o.Annotations[annotationGPUIndex], n.Annotations[annotationGPUIndex])
	if o.Status.Phase != n.Status.Phase {
		d.add("phase ", string(o.Status.Phase), "→", string(n.Status.Phase))
	}
	d.bool("ready", o.IsReady(), n.IsReady())
	d.conditions(o.Status.Conditions, n.Status.Conditions, api.PodReady)
	for i := range n.Status.ContainerStatuses {
		c := &n.Status.ContainerStatuses[i]
		var oc *api.ContainerStatus
		for j := range o.Status.ContainerStatuses {
			if o.Status.ContainerStatuses[j].Name == c.Name {
				oc = &o.Status.ContainerStatuses[j]
				break
			}
		}
		switch {
		case oc == nil:
			d.add("container ", c.Name, " ", containerState(c))
		case oc.State != c.State || oc.Reason != c.Reason:
			d.add("container ", c.Name, " ", containerState(oc), "→", containerState(c))
		}
	}
	d.int("restarts", int64(o.MaxRestarts()), int64(n.MaxRestarts()))
	d.str("nominatedNodeName", o.Status.NominatedNodeName, n.Status.NominatedNodeName)
	d.str("reason", o.Status.Reason, n.Status.Reason)
	d.set("startTime", o.Status.StartTime != nil, n.Status.StartTime != nil)
}

// containerState renders "State" or "State(Reason)".
func containerState(c *api.ContainerStatus) string {
	s := string(c.State)
	if s == "" {
		s = "None"
	}
	if c.Reason != "" {
		s += "(" + c.Reason + ")"
	}
	return s
}

func diffNode(d *differ, o, n *api.Node) {
	d.conditions(o.Conditions, n.Conditions, "")
	d.bool("unschedulable", o.Unschedulable, n.Unschedulable)
	for i := range n.Taints {
		if !hasTaint(o.Taints, &n.Taints[i]) {
			d.add("+taint ", taintString(&n.Taints[i]))
		}
	}
	for i := range o.Taints {
		if !hasTaint(n.Taints, &o.Taints[i]) {
			d.add("-taint ", taintString(&o.Taints[i]))
		}
	}
	diffResources(d, "allocatable", &o.Allocatable, &n.Allocatable)
	d.int("allowedPods", o.AllowedPods, n.AllowedPods)
	if !slices.EqualFunc(o.Images, n.Images, func(a, b api.ContainerImage) bool {
		return a.SizeBytes == b.SizeBytes && slices.Equal(a.Names, b.Names)
	}) {
		d.add("images changed")
	}
}

func hasTaint(ts []api.Taint, t *api.Taint) bool {
	for i := range ts {
		if ts[i].Key == t.Key && ts[i].Value == t.Value && ts[i].Effect == t.Effect {
			return true
		}
	}
	return false
}

// taintString renders "key=value:Effect" ("key:Effect" without a value).
func taintString(t *api.Taint) string {
	if t.Value == "" {
		return t.Key + ":" + string(t.Effect)
	}
	return t.Key + "=" + t.Value + ":" + string(t.Effect)
}

// diffResources records "prefix name a→b" for each resource whose amount
// changed: cpu, memory, ephemeral-storage, then scalars in name order.
func diffResources(d *differ, prefix string, o, n *api.Resources) {
	d.int(prefix+" "+api.ResourceCPU, o.MilliCPU, n.MilliCPU)
	d.int(prefix+" "+api.ResourceMemory, o.Memory, n.Memory)
	d.int(prefix+" "+api.ResourceEphemeralStorage, o.EphemeralStorage, n.EphemeralStorage)
	if len(o.Scalar) == 0 && len(n.Scalar) == 0 {
		return
	}
	names := make([]string, 0, len(o.Scalar)+len(n.Scalar))
	for _, s := range o.Scalar {
		names = append(names, s.Name)
	}
	for _, s := range n.Scalar {
		names = append(names, s.Name)
	}
	slices.Sort(names)
	for _, name := range slices.Compact(names) {
		d.int(prefix+" "+name, o.Get(name), n.Get(name))
	}
}

func diffReplicaSet(d *differ, o, n *api.ReplicaSet) {
	d.int("replicas", int64(o.Replicas), int64(n.Replicas))
	if o.Template != n.Template {
		d.add("template changed")
	}
	d.int("status.replicas", int64(o.Status.Replicas), int64(n.Status.Replicas))
	d.int("fullyLabeledReplicas", int64(o.Status.FullyLabeledReplicas), int64(n.Status.FullyLabeledReplicas))
	d.int("readyReplicas", int64(o.Status.ReadyReplicas), int64(n.Status.ReadyReplicas))
	d.int("availableReplicas", int64(o.Status.AvailableReplicas), int64(n.Status.AvailableReplicas))
	d.int("terminatingReplicas", int64(o.Status.TerminatingReplicas), int64(n.Status.TerminatingReplicas))
	d.int("observedGeneration", o.Status.ObservedGeneration, n.Status.ObservedGeneration)
}

func diffDeployment(d *differ, o, n *api.Deployment) {
	d.int("replicas", int64(o.Replicas), int64(n.Replicas))
	d.bool("paused", o.Paused, n.Paused)
	if o.Template != n.Template {
		d.add("template changed")
	}
	s, t := &o.Status, &n.Status
	d.int("status.replicas", int64(s.Replicas), int64(t.Replicas))
	d.int("updatedReplicas", int64(s.UpdatedReplicas), int64(t.UpdatedReplicas))
	d.int("readyReplicas", int64(s.ReadyReplicas), int64(t.ReadyReplicas))
	d.int("availableReplicas", int64(s.AvailableReplicas), int64(t.AvailableReplicas))
	d.int("unavailableReplicas", int64(s.UnavailableReplicas), int64(t.UnavailableReplicas))
	d.int("terminatingReplicas", int64(s.TerminatingReplicas), int64(t.TerminatingReplicas))
	d.int("observedGeneration", s.ObservedGeneration, t.ObservedGeneration)
	d.conditions(s.Conditions, t.Conditions, "")
}

func diffJob(d *differ, o, n *api.Job) {
	d.int("parallelism", int64(o.Parallelism), int64(n.Parallelism))
	d.bool("suspend", o.Suspend, n.Suspend)
	s, t := &o.Status, &n.Status
	d.int("active", int64(s.Active), int64(t.Active))
	d.int("ready", int64(s.Ready), int64(t.Ready))
	d.int("succeeded", int64(s.Succeeded), int64(t.Succeeded))
	d.int("failed", int64(s.Failed), int64(t.Failed))
	d.set("startTime", s.StartTime != nil, t.StartTime != nil)
	d.set("completionTime", s.CompletionTime != nil, t.CompletionTime != nil)
	d.conditions(s.Conditions, t.Conditions, "")
}

func diffPDB(d *differ, o, n *api.PodDisruptionBudget) {
	s, t := &o.Status, &n.Status
	d.int("disruptionsAllowed", int64(s.DisruptionsAllowed), int64(t.DisruptionsAllowed))
	d.int("currentHealthy", int64(s.CurrentHealthy), int64(t.CurrentHealthy))
	d.int("desiredHealthy", int64(s.DesiredHealthy), int64(t.DesiredHealthy))
	d.int("expectedPods", int64(s.ExpectedPods), int64(t.ExpectedPods))
	d.int("observedGeneration", s.ObservedGeneration, t.ObservedGeneration)
}
