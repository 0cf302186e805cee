package workloads

import (
	"maps"
	"strconv"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	schedulingv1 "k8s.io/api/scheduling/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/apimachinery/pkg/util/validation"

	"github.com/kubesim/kubesim/sim"
	"github.com/kubesim/kubesim/sim/api"
)

// Upstream defaults and limits used below.
const (
	defaultMaxPods                 = 110
	defaultReplicas                = 1
	defaultRevisionHistoryLimit    = 10
	defaultProgressDeadlineSeconds = 600
	defaultBackoffLimit            = 6
	highestUserPriority            = 1_000_000_000
	labelNamespaceName             = "kubernetes.io/metadata.name"
	labelJobControllerUID          = "batch.kubernetes.io/controller-uid"
	labelJobName                   = "batch.kubernetes.io/job-name"
	labelLegacyJobControllerUID    = "controller-uid"
	labelLegacyJobName             = "job-name"
)

// builtinPriorityClasses are the system classes and their fixed values.
var builtinPriorityClasses = map[string]int32{
	"system-cluster-critical": 2_000_000_000,
	"system-node-critical":    2_000_001_000,
}

// convertNamespace converts a Namespace; like the API server it sets the
// kubernetes.io/metadata.name label to the namespace's name.
func convertNamespace(n *corev1.Namespace, probs *problems) api.Object {
	meta := convertMeta(&n.ObjectMeta, false, nameLabel, probs)
	labels := maps.Clone(meta.Labels)
	if labels == nil {
		labels = map[string]string{}
	}
	labels[labelNamespaceName] = meta.Name
	meta.Labels = labels
	return &api.Namespace{ObjectMeta: meta}
}

// convertNode converts a Node: taints, capacity and allocatable (allocatable
// defaults to capacity when absent; allocatable pods to 110), images and
// conditions.
func convertNode(n *corev1.Node, probs *problems) api.Object {
	out := &api.Node{
		ObjectMeta:    convertMeta(&n.ObjectMeta, false, nameSubdomain, probs),
		Unschedulable: n.Spec.Unschedulable,
	}
	type taintID struct{ key, effect string }
	seen := map[taintID]bool{}
	for i, t := range n.Spec.Taints {
		p := index("spec.taints", i)
		if t.Key == "" {
			probs.add(child(p, "key"), "required value")
		} else {
			checkKey(t.Key, child(p, "key"), probs)
		}
		for _, msg := range validation.IsValidLabelValue(t.Value) {
			probs.add(child(p, "value"), "invalid value %q: %s", t.Value, msg)
		}
		eff := api.TaintEffect(t.Effect)
		switch eff {
		case api.TaintNoSchedule, api.TaintPreferNoSchedule, api.TaintNoExecute:
		case "":
			probs.add(child(p, "effect"), "required value")
		default:
			probs.add(child(p, "effect"), "unsupported value %q: supported values: %s", string(t.Effect), quoteList("NoSchedule", "PreferNoSchedule", "NoExecute"))
		}
		if id := (taintID{t.Key, string(t.Effect)}); seen[id] {
			probs.add(p, "duplicate taint %s:%s: taints must be unique by key and effect", t.Key, t.Effect)
		} else {
			seen[id] = true
		}
		taint := api.Taint{Key: t.Key, Value: t.Value, Effect: eff}
		if eff == api.TaintNoExecute {
			var start sim.Time // present since the start of the run
			taint.TimeAdded = &start
		}
		out.Taints = append(out.Taints, taint)
	}
	var capPods int64
	out.Capacity, capPods = convertResources(n.Status.Capacity, "status.capacity", probs)
	out.Allocatable, out.AllowedPods = out.Capacity, capPods
	if n.Status.Allocatable != nil {
		out.Allocatable, out.AllowedPods = convertResources(n.Status.Allocatable, "status.allocatable", probs)
	}
	if out.AllowedPods < 0 {
		out.AllowedPods = defaultMaxPods
	}
	for i, img := range n.Status.Images {
		nonNegative(img.SizeBytes, child(index("status.images", i), "sizeBytes"), probs)
		out.Images = append(out.Images, api.ContainerImage{Names: img.Names, SizeBytes: img.SizeBytes})
	}
	for i, c := range n.Status.Conditions {
		p := index("status.conditions", i)
		if c.Type == "" {
			probs.add(child(p, "type"), "required value")
		}
		out.Conditions = append(out.Conditions, api.Condition{
			Type:    string(c.Type),
			Status:  conditionStatus(string(c.Status), child(p, "status"), probs),
			Reason:  c.Reason,
			Message: c.Message,
		})
	}
	return out
}

// convertService converts a Service: only its pod selector matters.
func convertService(s *corev1.Service, probs *problems) api.Object {
	out := &api.Service{ObjectMeta: convertMeta(&s.ObjectMeta, true, name1035, probs)}
	checkLabels(s.Spec.Selector, "spec.selector", probs)
	if len(s.Spec.Selector) > 0 {
		out.Selector = api.SelectorFromMap(s.Spec.Selector)
	}
	return out
}

// workloadSelector compiles a controller's selector, which must be present,
// not empty, and select the template's labels.
func workloadSelector(kind string, t *corev1.PodTemplateSpec, ls *metav1.LabelSelector, probs *problems) *api.Selector {
	before := len(*probs)
	s := convertLabelSelector(ls, "spec.selector", probs)
	switch {
	case len(*probs) > before:
		// the selector itself is wrong; matching it would only repeat that
	case s == nil:
		probs.add("spec.selector", "required value")
	case s.Empty():
		probs.add("spec.selector", "empty selector is invalid for %s", kind)
	case !s.Matches(t.Labels):
		probs.add("spec.template.metadata.labels", "`selector` does not match template `labels`")
	}
	return s
}

// replicas applies the replicas default (1) and validates it.
func replicas(r *int32, probs *problems) int32 {
	if r == nil {
		return defaultReplicas
	}
	nonNegative(*r, "spec.replicas", probs)
	return *r
}

// convertReplicaSet converts a ReplicaSet (replicas default 1).
func convertReplicaSet(rs *appsv1.ReplicaSet, probs *problems) api.Object {
	out := &api.ReplicaSet{
		ObjectMeta:      convertMeta(&rs.ObjectMeta, true, nameSubdomain, probs),
		Replicas:        replicas(rs.Spec.Replicas, probs),
		MinReadySeconds: rs.Spec.MinReadySeconds,
		Selector:        workloadSelector("ReplicaSet", &rs.Spec.Template, rs.Spec.Selector, probs),
		Template:        convertPodTemplate(&rs.Spec.Template, "spec.template", restartAlways, probs),
		Status: api.ReplicaSetStatus{
			Replicas:             rs.Status.Replicas,
			FullyLabeledReplicas: rs.Status.FullyLabeledReplicas,
			ReadyReplicas:        rs.Status.ReadyReplicas,
			AvailableReplicas:    rs.Status.AvailableReplicas,
		},
	}
	if rs.Status.TerminatingReplicas != nil {
		out.Status.TerminatingReplicas = *rs.Status.TerminatingReplicas
	}
	nonNegative(rs.Spec.MinReadySeconds, "spec.minReadySeconds", probs)
	return out
}

// convertDeployment converts a Deployment with upstream defaults: replicas 1,
// strategy RollingUpdate with maxSurge and maxUnavailable 25%,
// revisionHistoryLimit 10, progressDeadlineSeconds 600.
func convertDeployment(d *appsv1.Deployment, probs *problems) api.Object {
	out := &api.Deployment{
		ObjectMeta:              convertMeta(&d.ObjectMeta, true, nameSubdomain, probs),
		Replicas:                replicas(d.Spec.Replicas, probs),
		Selector:                workloadSelector("Deployment", &d.Spec.Template, d.Spec.Selector, probs),
		Template:                convertPodTemplate(&d.Spec.Template, "spec.template", restartAlways, probs),
		MinReadySeconds:         d.Spec.MinReadySeconds,
		RevisionHistoryLimit:    defaultRevisionHistoryLimit,
		ProgressDeadlineSeconds: defaultProgressDeadlineSeconds,
		Paused:                  d.Spec.Paused,
		Status: api.DeploymentStatus{
			Replicas:            d.Status.Replicas,
			UpdatedReplicas:     d.Status.UpdatedReplicas,
			ReadyReplicas:       d.Status.ReadyReplicas,
			AvailableReplicas:   d.Status.AvailableReplicas,
			UnavailableReplicas: d.Status.UnavailableReplicas,
		},
	}
	if d.Status.TerminatingReplicas != nil {
		out.Status.TerminatingReplicas = *d.Status.TerminatingReplicas
	}
	nonNegative(d.Spec.MinReadySeconds, "spec.minReadySeconds", probs)
	if d.Spec.RevisionHistoryLimit != nil {
		out.RevisionHistoryLimit = *d.Spec.RevisionHistoryLimit
		nonNegative(out.RevisionHistoryLimit, "spec.revisionHistoryLimit", probs)
	}
	if d.Spec.ProgressDeadlineSeconds != nil {
		out.ProgressDeadlineSeconds = *d.Spec.ProgressDeadlineSeconds
		nonNegative(out.ProgressDeadlineSeconds, "spec.progressDeadlineSeconds", probs)
	}
	if out.ProgressDeadlineSeconds <= out.MinReadySeconds {
		probs.add("spec.progressDeadlineSeconds", "must be greater than minReadySeconds (%d), got %d", out.MinReadySeconds, out.ProgressDeadlineSeconds)
	}

	st := d.Spec.Strategy
	quarter := intstr.FromString("25%")
	switch st.Type {
	case "", appsv1.RollingUpdateDeploymentStrategyType:
		out.Strategy.Type = string(appsv1.RollingUpdateDeploymentStrategyType)
		surge, unavail := &quarter, &quarter
		if ru := st.RollingUpdate; ru != nil {
			if ru.MaxSurge != nil {
				surge = ru.MaxSurge
			}
			if ru.MaxUnavailable != nil {
				unavail = ru.MaxUnavailable
			}
		}
		out.Strategy.MaxSurge = intOrPercent(surge, "spec.strategy.rollingUpdate.maxSurge", false, probs)
		out.Strategy.MaxUnavailable = intOrPercent(unavail, "spec.strategy.rollingUpdate.maxUnavailable", true, probs)
		if out.Strategy.MaxSurge.Value == 0 && out.Strategy.MaxUnavailable.Value == 0 {
			probs.add("spec.strategy.rollingUpdate.maxUnavailable", "may not be 0 when `maxSurge` is 0")
		}
	case appsv1.RecreateDeploymentStrategyType:
		out.Strategy.Type = string(appsv1.RecreateDeploymentStrategyType)
		if st.RollingUpdate != nil {
			probs.add("spec.strategy.rollingUpdate", "may not be specified when strategy `type` is 'Recreate'")
		}
	default:
		probs.add("spec.strategy.type", "unsupported value %q: supported values: %s", string(st.Type), quoteList("Recreate", "RollingUpdate"))
	}
	return out
}

// intOrPercent validates and converts an int-or-percent value: a non-negative
// integer or "N%" (N at most 100 when capped).
func intOrPercent(v *intstr.IntOrString, field string, capped bool, probs *problems) api.IntOrPercent {
	if v.Type == intstr.Int {
		nonNegative(v.IntVal, field, probs)
		return api.IntOrPercent{Value: v.IntVal}
	}
	s, ok := strings.CutSuffix(v.StrVal, "%")
	n, err := strconv.ParseInt(s, 10, 32)
	if !ok || err != nil || s == "" || s[0] == '+' || s[0] == '-' && n == 0 {
		probs.add(field, "invalid value %q: a valid percent string must be a numeric string followed by an ending '%%' (e.g. '25%%')", v.StrVal)
		return api.IntOrPercent{}
	}
	if n < 0 {
		probs.add(field, "must be greater than or equal to 0, got %q", v.StrVal)
	}
	if capped && n > 100 {
		probs.add(field, "must not be greater than 100%%, got %q", v.StrVal)
	}
	return api.IntOrPercent{Value: int32(n), IsPercent: true}
}

// convertJob converts a Job with upstream batch/v1 defaults: when neither
// completions nor parallelism is set both are 1, else parallelism defaults to 1
// and completions stays unset (a work queue); backoffLimit 6;
// completionMode NonIndexed; podReplacementPolicy TerminatingOrFailed. A Job without a selector gets upstream's generated
// one: batch.kubernetes.io/controller-uid=<uid> when the manifest has a uid,
// else batch.kubernetes.io/job-name=<name>, and the template gets the matching
// labels.
func convertJob(j *batchv1.Job, probs *problems) api.Object {
	s := &j.Spec
	out := &api.Job{
		ObjectMeta:     convertMeta(&j.ObjectMeta, true, nameSubdomain, probs),
		Parallelism:    1,
		BackoffLimit:   defaultBackoffLimit,
		CompletionMode: string(batchv1.NonIndexedCompletion),
		Status: api.JobStatus{
			Active:    j.Status.Active,
			Succeeded: j.Status.Succeeded,
			Failed:    j.Status.Failed,
		},
	}
	if j.Status.Ready != nil {
		out.Status.Ready = *j.Status.Ready
	}
	for i, c := range j.Status.Conditions {
		out.Status.Conditions = append(out.Status.Conditions, api.Condition{
			Type:    string(c.Type),
			Status:  conditionStatus(string(c.Status), child(index("status.conditions", i), "status"), probs),
			Reason:  c.Reason,
			Message: c.Message,
		})
	}
	if s.Completions == nil && s.Parallelism == nil {
		one := int32(1)
		out.Completions = &one
	} else if s.Completions != nil {
		c := *s.Completions
		out.Completions = &c
		nonNegative(c, "spec.completions", probs)
	}
	if s.Parallelism != nil {
		out.Parallelism = *s.Parallelism
		nonNegative(out.Parallelism, "spec.parallelism", probs)
	}
	if s.BackoffLimit != nil {
		out.BackoffLimit = *s.BackoffLimit
		nonNegative(out.BackoffLimit, "spec.backoffLimit", probs)
	}
	if s.ActiveDeadlineSeconds != nil {
		v := *s.ActiveDeadlineSeconds
		out.ActiveDeadlineSeconds = &v
		if v <= 0 {
			probs.add("spec.activeDeadlineSeconds", "must be greater than 0, got %d", v)
		}
	}
	if s.TTLSecondsAfterFinished != nil {
		v := *s.TTLSecondsAfterFinished
		out.TTLSecondsAfterFinished = &v
		nonNegative(v, "spec.ttlSecondsAfterFinished", probs)
	}
	out.Suspend = s.Suspend != nil && *s.Suspend
	if s.CompletionMode != nil {
		switch *s.CompletionMode {
		case batchv1.NonIndexedCompletion:
		case batchv1.IndexedCompletion:
			out.CompletionMode = string(batchv1.IndexedCompletion)
			if s.Completions == nil {
				probs.add("spec.completions", "required value when completion mode is Indexed")
			}
		default:
			probs.add("spec.completionMode", "unsupported value %q: supported values: %s", string(*s.CompletionMode), quoteList("NonIndexed", "Indexed"))
		}
	}
	// Upstream defaults podReplacementPolicy to Failed when a podFailurePolicy
	// is set; kubesim rejects podFailurePolicy below, so the default is
	// always TerminatingOrFailed.
	out.PodReplacementPolicy = string(batchv1.TerminatingOrFailed)
	if s.PodFailurePolicy != nil {
		out.PodReplacementPolicy = string(batchv1.Failed)
	}
	if s.PodReplacementPolicy != nil {
		switch *s.PodReplacementPolicy {
		case batchv1.TerminatingOrFailed, batchv1.Failed:
			out.PodReplacementPolicy = string(*s.PodReplacementPolicy)
		default:
			probs.add("spec.podReplacementPolicy", "unsupported value %q: supported values: %s", string(*s.PodReplacementPolicy), quoteList("TerminatingOrFailed", "Failed"))
		}
	}
	for _, f := range []struct {
		name string
		set  bool
	}{
		{"podFailurePolicy", s.PodFailurePolicy != nil},
		{"successPolicy", s.SuccessPolicy != nil},
		{"backoffLimitPerIndex", s.BackoffLimitPerIndex != nil},
		{"maxFailedIndexes", s.MaxFailedIndexes != nil},
	} {
		if f.set {
			probs.add(child("spec", f.name), "is not simulated by kubesim; remove it")
		}
	}

	template := s.Template
	if s.Selector == nil && (s.ManualSelector == nil || !*s.ManualSelector) {
		labels := maps.Clone(template.Labels)
		if labels == nil {
			labels = map[string]string{}
		}
		sel := map[string]string{}
		if j.UID != "" {
			labels[labelJobControllerUID] = string(j.UID)
			labels[labelLegacyJobControllerUID] = string(j.UID)
			sel[labelJobControllerUID] = string(j.UID)
		} else {
			sel[labelJobName] = j.Name
		}
		labels[labelJobName] = j.Name
		labels[labelLegacyJobName] = j.Name
		template.Labels = labels
		out.Selector = api.SelectorFromMap(sel)
	} else {
		out.Selector = workloadSelector("Job", &template, s.Selector, probs)
	}
	out.Template = convertPodTemplate(&template, "spec.template", restartJob, probs)
	return out
}

// convertPriorityClass converts a PriorityClass (preemptionPolicy default
// PreemptLowerPriority). Values above 1e9 are reserved for the built-in
// system classes, as are names starting with "system-".
func convertPriorityClass(pc *schedulingv1.PriorityClass, probs *problems) api.Object {
	out := &api.PriorityClass{
		ObjectMeta:       convertMeta(&pc.ObjectMeta, false, nameSubdomain, probs),
		Value:            pc.Value,
		GlobalDefault:    pc.GlobalDefault,
		PreemptionPolicy: api.PreemptLowerPriority,
	}
	if v, builtin := builtinPriorityClasses[pc.Name]; builtin {
		if pc.Value != v {
			probs.add("value", "must be %d for the built-in class %s, got %d", v, pc.Name, pc.Value)
		}
	} else {
		if strings.HasPrefix(pc.Name, "system-") {
			probs.add("metadata.name", "invalid value %q: the prefix \"system-\" is reserved for built-in priority classes", pc.Name)
		}
		if pc.Value > highestUserPriority {
			probs.add("value", "must not be greater than %d, got %d", highestUserPriority, pc.Value)
		}
	}
	if pc.PreemptionPolicy != nil {
		switch pp := string(*pc.PreemptionPolicy); pp {
		case api.PreemptLowerPriority, api.PreemptNever:
			out.PreemptionPolicy = pp
		default:
			probs.add("preemptionPolicy", "unsupported value %q: supported values: %s", pp, quoteList(api.PreemptLowerPriority, api.PreemptNever))
		}
	}
	return out
}

// convertPDB converts a PodDisruptionBudget. A nil selector selects no pods
// (policy/v1); minAvailable and maxUnavailable are mutually exclusive;
// unhealthyPodEvictionPolicy defaults to IfHealthyBudget.
func convertPDB(p *policyv1.PodDisruptionBudget, probs *problems) api.Object {
	out := &api.PodDisruptionBudget{
		ObjectMeta: convertMeta(&p.ObjectMeta, true, nameSubdomain, probs),
		Selector:   convertLabelSelector(p.Spec.Selector, "spec.selector", probs),
		Status: api.PodDisruptionBudgetStatus{
			DisruptionsAllowed: p.Status.DisruptionsAllowed,
			CurrentHealthy:     p.Status.CurrentHealthy,
			DesiredHealthy:     p.Status.DesiredHealthy,
			ExpectedPods:       p.Status.ExpectedPods,
		},
	}
	if p.Spec.MinAvailable != nil && p.Spec.MaxUnavailable != nil {
		probs.add("spec", "minAvailable and maxUnavailable cannot be both set")
	}
	if p.Spec.MinAvailable != nil {
		v := intOrPercent(p.Spec.MinAvailable, "spec.minAvailable", true, probs)
		out.MinAvailable = &v
	}
	if p.Spec.MaxUnavailable != nil {
		v := intOrPercent(p.Spec.MaxUnavailable, "spec.maxUnavailable", true, probs)
		out.MaxUnavailable = &v
	}
	out.UnhealthyPodEvictionPolicy = string(policyv1.IfHealthyBudget)
	if pol := p.Spec.UnhealthyPodEvictionPolicy; pol != nil {
		switch *pol {
		case policyv1.IfHealthyBudget, policyv1.AlwaysAllow:
			out.UnhealthyPodEvictionPolicy = string(*pol)
		default:
			probs.add("spec.unhealthyPodEvictionPolicy", "unsupported value %q: supported values: %s", string(*pol), quoteList("IfHealthyBudget", "AlwaysAllow"))
		}
	}
	return out
}
