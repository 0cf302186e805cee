package workloads

import (
	"strconv"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/validation"

	"github.com/kubesim/kubesim/sim/api"
)

// convertLabelSelector compiles a label selector. A nil selector compiles to
// nil (matches nothing); an empty one to a selector with no requirements
// (matches everything), as upstream's LabelSelectorAsSelector. matchLabels
// come first, sorted by key, then matchExpressions in order.
func convertLabelSelector(s *metav1.LabelSelector, field string, probs *problems) *api.Selector {
	if s == nil {
		return nil
	}
	out := &api.Selector{}
	checkLabels(s.MatchLabels, child(field, "matchLabels"), probs)
	for _, k := range sortedKeys(s.MatchLabels) {
		out.Requirements = append(out.Requirements, api.Requirement{Key: k, Operator: api.OpIn, Values: []string{s.MatchLabels[k]}})
	}
	for i, e := range s.MatchExpressions {
		p := index(child(field, "matchExpressions"), i)
		checkKey(e.Key, child(p, "key"), probs)
		op := api.Operator(e.Operator)
		switch op {
		case api.OpIn, api.OpNotIn:
			if len(e.Values) == 0 {
				probs.add(child(p, "values"), "must be specified when `operator` is 'In' or 'NotIn'")
			}
		case api.OpExists, api.OpDoesNotExist:
			if len(e.Values) > 0 {
				probs.add(child(p, "values"), "may not be specified when `operator` is 'Exists' or 'DoesNotExist'")
			}
		default:
			probs.add(child(p, "operator"), "not a valid selector operator %q: supported values: %s", string(e.Operator), quoteList("In", "NotIn", "Exists", "DoesNotExist"))
		}
		for j, v := range e.Values {
			for _, msg := range validation.IsValidLabelValue(v) {
				probs.add(index(child(p, "values"), j), "invalid label value %q: %s", v, msg)
			}
		}
		out.Requirements = append(out.Requirements, api.Requirement{Key: e.Key, Operator: op, Values: e.Values})
	}
	return out
}

// checkKey validates a label key used in a selector or topology key.
func checkKey(k, field string, probs *problems) {
	for _, msg := range validation.IsQualifiedName(k) {
		probs.add(field, "invalid label key %q: %s", k, msg)
	}
}

// convertNodeSelectorTerm compiles a node selector term: expressions over
// labels (In, NotIn, Exists, DoesNotExist, Gt, Lt) and fields (metadata.name
// with In or NotIn and one value).
func convertNodeSelectorTerm(t *corev1.NodeSelectorTerm, field string, probs *problems) api.NodeSelectorTerm {
	var out api.NodeSelectorTerm
	for i, e := range t.MatchExpressions {
		p := index(child(field, "matchExpressions"), i)
		checkKey(e.Key, child(p, "key"), probs)
		op := api.Operator(e.Operator)
		switch op {
		case api.OpIn, api.OpNotIn:
			if len(e.Values) == 0 {
				probs.add(child(p, "values"), "must be specified when `operator` is 'In' or 'NotIn'")
			}
		case api.OpExists, api.OpDoesNotExist:
			if len(e.Values) > 0 {
				probs.add(child(p, "values"), "may not be specified when `operator` is 'Exists' or 'DoesNotExist'")
			}
		case api.OpGt, api.OpLt:
			if len(e.Values) != 1 {
				probs.add(child(p, "values"), "must be specified single value when `operator` is 'Lt' or 'Gt'")
			} else if _, err := strconv.ParseInt(e.Values[0], 10, 64); err != nil {
				probs.add(index(child(p, "values"), 0), "invalid value %q: must be an integer for 'Gt' and 'Lt'", e.Values[0])
			}
		default:
			probs.add(child(p, "operator"), "not a valid selector operator %q: supported values: %s", string(e.Operator), quoteList("In", "NotIn", "Exists", "DoesNotExist", "Gt", "Lt"))
		}
		out.MatchExpressions = append(out.MatchExpressions, api.Requirement{Key: e.Key, Operator: op, Values: e.Values})
	}
	for i, e := range t.MatchFields {
		p := index(child(field, "matchFields"), i)
		if e.Key != "metadata.name" {
			probs.add(child(p, "key"), "not a valid field selector key %q: supported values: \"metadata.name\"", e.Key)
		}
		op := api.Operator(e.Operator)
		switch op {
		case api.OpIn, api.OpNotIn:
			if len(e.Values) != 1 {
				probs.add(child(p, "values"), "must be only one value when `operator` is 'In' or 'NotIn' for node field selector")
			}
		default:
			probs.add(child(p, "operator"), "not a valid selector operator %q: supported values: %s", string(e.Operator), quoteList("In", "NotIn"))
		}
		out.MatchFields = append(out.MatchFields, api.Requirement{Key: e.Key, Operator: op, Values: e.Values})
	}
	return out
}

// convertAffinity compiles node affinity and pod (anti-)affinity. It returns
// nil when the pod has none.
func convertAffinity(a *corev1.Affinity, field string, probs *problems) *api.Affinity {
	if a == nil || (a.NodeAffinity == nil && a.PodAffinity == nil && a.PodAntiAffinity == nil) {
		return nil
	}
	out := &api.Affinity{}
	if na := a.NodeAffinity; na != nil {
		p := child(field, "nodeAffinity")
		if req := na.RequiredDuringSchedulingIgnoredDuringExecution; req != nil {
			rp := child(p, "requiredDuringSchedulingIgnoredDuringExecution")
			if len(req.NodeSelectorTerms) == 0 {
				probs.add(child(rp, "nodeSelectorTerms"), "must have at least one node selector term")
			}
			ns := &api.NodeSelector{}
			for i := range req.NodeSelectorTerms {
				ns.Terms = append(ns.Terms, convertNodeSelectorTerm(&req.NodeSelectorTerms[i], index(child(rp, "nodeSelectorTerms"), i), probs))
			}
			out.NodeRequired = ns
		}
		for i, pt := range na.PreferredDuringSchedulingIgnoredDuringExecution {
			pp := index(child(p, "preferredDuringSchedulingIgnoredDuringExecution"), i)
			checkWeight(pt.Weight, child(pp, "weight"), probs)
			out.NodePreferred = append(out.NodePreferred, api.PreferredTerm{
				Weight: pt.Weight,
				Term:   convertNodeSelectorTerm(&pt.Preference, child(pp, "preference"), probs),
			})
		}
	}
	if pa := a.PodAffinity; pa != nil {
		out.PodAffinity = convertPodAffinity(pa.RequiredDuringSchedulingIgnoredDuringExecution, pa.PreferredDuringSchedulingIgnoredDuringExecution, child(field, "podAffinity"), probs)
	}
	if pa := a.PodAntiAffinity; pa != nil {
		out.PodAnti = convertPodAffinity(pa.RequiredDuringSchedulingIgnoredDuringExecution, pa.PreferredDuringSchedulingIgnoredDuringExecution, child(field, "podAntiAffinity"), probs)
	}
	return out
}

func checkWeight(w int32, field string, probs *problems) {
	if w < 1 || w > 100 {
		probs.add(field, "must be in the range 1-100, got %d", w)
	}
}

func convertPodAffinity(req []corev1.PodAffinityTerm, pref []corev1.WeightedPodAffinityTerm, field string, probs *problems) *api.PodAffinity {
	out := &api.PodAffinity{}
	for i := range req {
		out.Required = append(out.Required, convertPodAffinityTerm(&req[i], index(child(field, "requiredDuringSchedulingIgnoredDuringExecution"), i), probs))
	}
	for i := range pref {
		p := index(child(field, "preferredDuringSchedulingIgnoredDuringExecution"), i)
		checkWeight(pref[i].Weight, child(p, "weight"), probs)
		out.Preferred = append(out.Preferred, api.WeightedPodAffinityTerm{
			Weight: pref[i].Weight,
			Term:   convertPodAffinityTerm(&pref[i].PodAffinityTerm, child(p, "podAffinityTerm"), probs),
		})
	}
	return out
}

func convertPodAffinityTerm(t *corev1.PodAffinityTerm, field string, probs *problems) api.PodAffinityTerm {
	if t.TopologyKey == "" {
		probs.add(child(field, "topologyKey"), "can not be empty")
	} else {
		checkKey(t.TopologyKey, child(field, "topologyKey"), probs)
	}
	for i, ns := range t.Namespaces {
		for _, msg := range validation.IsDNS1123Label(ns) {
			probs.add(index(child(field, "namespaces"), i), "invalid value %q: %s", ns, msg)
		}
	}
	checkLabelKeys(t.MatchLabelKeys, t.LabelSelector, child(field, "matchLabelKeys"), probs)
	checkLabelKeys(t.MismatchLabelKeys, t.LabelSelector, child(field, "mismatchLabelKeys"), probs)
	for i, k := range t.MatchLabelKeys {
		for _, m := range t.MismatchLabelKeys {
			if k == m {
				probs.add(index(child(field, "matchLabelKeys"), i), "invalid value %q: exists in both matchLabelKeys and mismatchLabelKeys", k)
			}
		}
	}
	return api.PodAffinityTerm{
		Selector:          convertLabelSelector(t.LabelSelector, child(field, "labelSelector"), probs),
		Namespaces:        t.Namespaces,
		NamespaceSelector: convertLabelSelector(t.NamespaceSelector, child(field, "namespaceSelector"), probs),
		TopologyKey:       t.TopologyKey,
		MatchLabelKeys:    t.MatchLabelKeys,
		MismatchLabelKeys: t.MismatchLabelKeys,
	}
}

// checkLabelKeys validates matchLabelKeys / mismatchLabelKeys: label keys,
// only with a label selector.
func checkLabelKeys(keys []string, sel *metav1.LabelSelector, field string, probs *problems) {
	if len(keys) > 0 && sel == nil {
		probs.add(field, "must not be specified when labelSelector is not set")
	}
	for i, k := range keys {
		checkKey(k, index(field, i), probs)
	}
}

// convertTopologySpread compiles topology spread constraints with upstream
// defaults: minDomains 1, nodeAffinityPolicy Honor, nodeTaintsPolicy Ignore.
func convertTopologySpread(cs []corev1.TopologySpreadConstraint, field string, probs *problems) []api.TopologySpreadConstraint {
	var out []api.TopologySpreadConstraint
	type pair struct{ key, when string }
	seen := map[pair]bool{}
	for i := range cs {
		c := &cs[i]
		p := index(field, i)
		if c.MaxSkew <= 0 {
			probs.add(child(p, "maxSkew"), "must be greater than zero, got %d", c.MaxSkew)
		}
		if c.TopologyKey == "" {
			probs.add(child(p, "topologyKey"), "can not be empty")
		} else {
			checkKey(c.TopologyKey, child(p, "topologyKey"), probs)
		}
		when := string(c.WhenUnsatisfiable)
		switch c.WhenUnsatisfiable {
		case corev1.DoNotSchedule, corev1.ScheduleAnyway:
		default:
			probs.add(child(p, "whenUnsatisfiable"), "unsupported value %q: supported values: %s", when, quoteList("DoNotSchedule", "ScheduleAnyway"))
		}
		if pr := (pair{c.TopologyKey, when}); seen[pr] {
			probs.add(p, "duplicate value {%q, %q}: a constraint with this topologyKey and whenUnsatisfiable is already specified", c.TopologyKey, when)
		} else {
			seen[pr] = true
		}
		minDomains := int32(1)
		if c.MinDomains != nil {
			minDomains = *c.MinDomains
			if minDomains <= 0 {
				probs.add(child(p, "minDomains"), "must be greater than zero, got %d", minDomains)
			}
			if c.WhenUnsatisfiable != corev1.DoNotSchedule {
				probs.add(child(p, "minDomains"), "can only use minDomains if whenUnsatisfiable=DoNotSchedule")
			}
		}
		affinityPolicy := inclusionPolicy(c.NodeAffinityPolicy, string(corev1.NodeInclusionPolicyHonor), child(p, "nodeAffinityPolicy"), probs)
		taintsPolicy := inclusionPolicy(c.NodeTaintsPolicy, string(corev1.NodeInclusionPolicyIgnore), child(p, "nodeTaintsPolicy"), probs)
		checkLabelKeys(c.MatchLabelKeys, c.LabelSelector, child(p, "matchLabelKeys"), probs)
		out = append(out, api.TopologySpreadConstraint{
			MaxSkew:            c.MaxSkew,
			TopologyKey:        c.TopologyKey,
			WhenUnsatisfiable:  when,
			Selector:           convertLabelSelector(c.LabelSelector, child(p, "labelSelector"), probs),
			MinDomains:         minDomains,
			NodeAffinityPolicy: affinityPolicy,
			NodeTaintsPolicy:   taintsPolicy,
			MatchLabelKeys:     c.MatchLabelKeys,
		})
	}
	return out
}

func inclusionPolicy(p *corev1.NodeInclusionPolicy, def, field string, probs *problems) string {
	if p == nil {
		return def
	}
	switch *p {
	case corev1.NodeInclusionPolicyHonor, corev1.NodeInclusionPolicyIgnore:
		return string(*p)
	}
	probs.add(field, "unsupported value %q: supported values: %s", string(*p), quoteList("Honor", "Ignore"))
	return def
}

// convertTolerations validates and converts tolerations; an empty operator
// becomes Equal.
func convertTolerations(ts []corev1.Toleration, field string, probs *problems) []api.Toleration {
	var out []api.Toleration
	for i, t := range ts {
		p := index(field, i)
		if t.Key != "" {
			checkKey(t.Key, child(p, "key"), probs)
		}
		op := api.TolerationOperator(t.Operator)
		switch op {
		case "", api.TolerationOpEqual:
			op = api.TolerationOpEqual
			if t.Key == "" {
				probs.add(child(p, "operator"), "invalid value %q: operator must be Exists when `key` is empty, which means \"match all values and all keys\"", string(t.Operator))
			}
			for _, msg := range validation.IsValidLabelValue(t.Value) {
				probs.add(child(p, "value"), "invalid value %q: %s", t.Value, msg)
			}
		case api.TolerationOpExists:
			if t.Value != "" {
				probs.add(child(p, "operator"), "invalid value %q: value must be empty when `operator` is 'Exists'", t.Value)
			}
		default:
			probs.add(child(p, "operator"), "unsupported value %q: supported values: %s", string(t.Operator), quoteList("Equal", "Exists"))
		}
		eff := api.TaintEffect(t.Effect)
		switch eff {
		case "", api.TaintNoSchedule, api.TaintPreferNoSchedule, api.TaintNoExecute:
		default:
			probs.add(child(p, "effect"), "unsupported value %q: supported values: %s", string(t.Effect), quoteList("NoSchedule", "PreferNoSchedule", "NoExecute"))
		}
		if t.TolerationSeconds != nil && eff != api.TaintNoExecute {
			probs.add(child(p, "effect"), "invalid value %q: effect must be 'NoExecute' when `tolerationSeconds` is set", string(t.Effect))
		}
		var secs *int64
		if t.TolerationSeconds != nil {
			v := *t.TolerationSeconds
			secs = &v
		}
		out = append(out, api.Toleration{Key: t.Key, Operator: op, Value: t.Value, Effect: eff, TolerationSeconds: secs})
	}
	return out
}
