package daemonset

import (
	"maps"

	"github.com/kubesim/kubesim/sim/api"
)

// Taint keys the daemon pods tolerate beyond the control-plane ones in api.
const (
	TaintNodeDiskPressure       = "node.kubernetes.io/disk-pressure"
	TaintNodeMemoryPressure     = "node.kubernetes.io/memory-pressure"
	TaintNodePIDPressure        = "node.kubernetes.io/pid-pressure"
	TaintNodeNetworkUnavailable = "node.kubernetes.io/network-unavailable"
)

// nodeNameField is the node field a daemon pod's node affinity selects.
const nodeNameField = "metadata.name"

// DaemonTolerations returns the tolerations upstream's DaemonSet controller
// adds to every daemon pod (AddOrUpdateDaemonPodTolerations): not-ready and
// unreachable NoExecute without tolerationSeconds; disk-pressure,
// memory-pressure, pid-pressure and unschedulable NoSchedule; and
// network-unavailable NoSchedule for host-network pods.
func DaemonTolerations(hostNetwork bool) []api.Toleration {
	ts := []api.Toleration{
		{Key: api.TaintNodeNotReady, Operator: api.TolerationOpExists, Effect: api.TaintNoExecute},
		{Key: api.TaintNodeUnreachable, Operator: api.TolerationOpExists, Effect: api.TaintNoExecute},
		{Key: TaintNodeDiskPressure, Operator: api.TolerationOpExists, Effect: api.TaintNoSchedule},
		{Key: TaintNodeMemoryPressure, Operator: api.TolerationOpExists, Effect: api.TaintNoSchedule},
		{Key: TaintNodePIDPressure, Operator: api.TolerationOpExists, Effect: api.TaintNoSchedule},
		{Key: api.TaintNodeUnschedulable, Operator: api.TolerationOpExists, Effect: api.TaintNoSchedule},
	}
	if hostNetwork {
		ts = append(ts, api.Toleration{Key: TaintNodeNetworkUnavailable, Operator: api.TolerationOpExists, Effect: api.TaintNoSchedule})
	}
	return ts
}

// withDaemonTolerations returns ts with each daemon toleration added, or
// replacing an equal one (same key, operator, value and effect, as upstream's
// AddOrUpdateTolerationInPodSpec, which drops its tolerationSeconds).
func withDaemonTolerations(ts []api.Toleration, hostNetwork bool) []api.Toleration {
	out := append([]api.Toleration(nil), ts...)
	for _, d := range DaemonTolerations(hostNetwork) {
		found := false
		for i := range out {
			if out[i].Key == d.Key && op(out[i].Operator) == op(d.Operator) && out[i].Value == d.Value && out[i].Effect == d.Effect {
				out[i] = d
				found = true
			}
		}
		if !found {
			out = append(out, d)
		}
	}
	return out
}

func op(o api.TolerationOperator) api.TolerationOperator {
	if o == "" {
		return api.TolerationOpEqual
	}
	return o
}

// daemonSpec returns a copy of a template's spec with the daemon tolerations,
// compiled: the base of every pod of one revision.
func daemonSpec(tmpl *api.PodSpec) *api.PodSpec {
	s := *tmpl
	s.Tolerations = withDaemonTolerations(tmpl.Tolerations, tmpl.HostNetwork)
	s.Compile()
	return &s
}

// ShouldRun reports, as upstream's NodeShouldRunDaemonPod, whether a daemon
// pod with spec (the template plus the daemon tolerations) should run on node
// — the node passes its nodeSelector and required node affinity and every
// NoSchedule and NoExecute taint is tolerated — and whether a pod already
// there should keep running (only untolerated NoExecute taints evict).
func ShouldRun(node *api.Node, spec *api.PodSpec) (shouldRun, shouldContinueRunning bool) {
	for k, v := range spec.NodeSelector {
		if x, ok := node.Labels[k]; !ok || x != v {
			return false, false
		}
	}
	if spec.Affinity != nil && !spec.Affinity.NodeRequired.Matches(node.Name, node.Labels) {
		return false, false
	}
	fits, keepRunning := true, true
	for i := range node.Taints {
		t := &node.Taints[i]
		if t.Effect != api.TaintNoSchedule && t.Effect != api.TaintNoExecute {
			continue
		}
		if api.Tolerates(spec.Tolerations, t) {
			continue
		}
		fits = false
		if t.Effect == api.TaintNoExecute {
			keepRunning = false
		}
	}
	return fits, keepRunning
}

// revision is the pod material of a DaemonSet's current revision: the
// derived spec and the labels its pods get, built once per revision.
type revision struct {
	uid    api.UID
	hash   string
	tmpl   *api.PodTemplate
	base   *api.PodSpec
	labels map[string]string
}

// revisionFor returns the current revision's pod material of ds, building it
// when the DaemonSet, its template or the revision hash changed.
func (c *Controller) revisionFor(ds *api.DaemonSet, hash string) *revision {
	key := ds.Key()
	if r := c.revs[key]; r != nil && r.uid == ds.UID && r.tmpl == ds.Template && r.hash == hash {
		return r
	}
	labels := maps.Clone(ds.Template.Labels)
	if labels == nil {
		labels = map[string]string{}
	}
	labels[HashLabel] = hash
	r := &revision{uid: ds.UID, hash: hash, tmpl: ds.Template, base: daemonSpec(ds.Template.Spec), labels: labels}
	c.revs[key] = r
	return r
}

// specFor returns the spec of the revision's pod for one node: the base spec
// with its required node affinity replaced by matchFields metadata.name In
// [node] (upstream's ReplaceDaemonSetPodNodeNameNodeAffinity), so that the
// scheduler places the pod on that node. The copy shares everything else,
// including the compiled fields.
func (r *revision) specFor(node string) *api.PodSpec {
	s := *r.base
	var aff api.Affinity
	if r.base.Affinity != nil {
		aff = *r.base.Affinity
	}
	aff.NodeRequired = &api.NodeSelector{Terms: []api.NodeSelectorTerm{{
		MatchFields: []api.Requirement{{Key: nodeNameField, Operator: api.OpIn, Values: []string{node}}},
	}}}
	s.Affinity = &aff
	return &s
}

// TargetNode returns the node a daemon pod is for: its nodeName once bound,
// else the single metadata.name of its required node affinity ("" if none).
func TargetNode(p *api.Pod) string {
	if p.NodeName != "" {
		return p.NodeName
	}
	if p.Spec == nil || p.Spec.Affinity == nil || p.Spec.Affinity.NodeRequired == nil {
		return ""
	}
	for _, t := range p.Spec.Affinity.NodeRequired.Terms {
		for _, f := range t.MatchFields {
			if f.Key == nodeNameField && f.Operator == api.OpIn && len(f.Values) == 1 {
				return f.Values[0]
			}
		}
	}
	return ""
}
