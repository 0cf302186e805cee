package workloads

import (
	"fmt"
	"strings"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/validation"

	"github.com/kubesim/kubesim/sim"
	"github.com/kubesim/kubesim/sim/api"
)

// defaultNamespace is where namespaced objects without a namespace go, as
// kubectl does with its default context.
const defaultNamespace = "default"

// totalAnnotationSizeLimit is upstream's limit on the total size of an
// object's annotations (keys and values), in bytes.
const totalAnnotationSizeLimit = 256 * 1024

// nameKind says which upstream name rule an object's name follows.
type nameKind int

const (
	nameSubdomain nameKind = iota // DNS-1123 subdomain (most kinds)
	nameLabel                     // DNS-1123 label (Namespace)
	name1035                      // DNS-1035 label (Service)
)

// convertMeta validates metadata and converts it. namespaced says whether the
// kind is namespaced; a cluster-scoped object's namespace is ignored, as the
// API server does.
func convertMeta(m *metav1.ObjectMeta, namespaced bool, rule nameKind, probs *problems) api.ObjectMeta {
	switch {
	case m.Name == "" && m.GenerateName != "":
		probs.add("metadata.name", "required value (metadata.generateName is not supported by kubesim; set a name)")
	case m.Name == "":
		probs.add("metadata.name", "required value")
	default:
		checkName(m.Name, rule, "metadata.name", probs)
	}
	ns := m.Namespace
	if !namespaced {
		ns = ""
	} else if ns == "" {
		ns = defaultNamespace
	} else {
		for _, msg := range validation.IsDNS1123Label(ns) {
			probs.add("metadata.namespace", "invalid value %q: %s", ns, msg)
		}
	}
	checkLabels(m.Labels, "metadata.labels", probs)
	checkAnnotations(m.Annotations, "metadata.annotations", probs)
	out := api.ObjectMeta{
		Name:        m.Name,
		Namespace:   ns,
		UID:         api.UID(m.UID),
		Labels:      m.Labels,
		Annotations: m.Annotations,
	}
	for i, o := range m.OwnerReferences {
		p := index("metadata.ownerReferences", i)
		if o.Kind == "" {
			probs.add(child(p, "kind"), "required value")
		}
		if o.Name == "" {
			probs.add(child(p, "name"), "required value")
		}
		if o.UID == "" {
			probs.add(child(p, "uid"), "required value")
		}
		out.OwnerReferences = append(out.OwnerReferences, api.OwnerReference{
			Kind:               api.Kind(o.Kind),
			Name:               o.Name,
			UID:                api.UID(o.UID),
			Controller:         o.Controller != nil && *o.Controller,
			BlockOwnerDeletion: o.BlockOwnerDeletion != nil && *o.BlockOwnerDeletion,
		})
	}
	controllers := 0
	for _, o := range out.OwnerReferences {
		if o.Controller {
			controllers++
		}
	}
	if controllers > 1 {
		probs.add("metadata.ownerReferences", "only one reference can have controller set to true, found %d", controllers)
	}
	if m.DeletionTimestamp != nil {
		// A dump taken while the object was terminating: it is gone one grace
		// period after the start of the run.
		var grace int64
		if m.DeletionGracePeriodSeconds != nil {
			grace = max(*m.DeletionGracePeriodSeconds, 0)
		}
		t := sim.Time(0).Add(time.Duration(min(grace, int64(1<<62)/int64(time.Second))) * time.Second)
		out.DeletionTimestamp = &t
		out.DeletionGracePeriodSeconds = grace
	}
	return out
}

// checkName validates an object name against an upstream naming rule.
func checkName(name string, rule nameKind, field string, probs *problems) {
	var msgs []string
	switch rule {
	case nameLabel:
		msgs = validation.IsDNS1123Label(name)
	case name1035:
		msgs = validation.IsDNS1035Label(name)
	default:
		msgs = validation.IsDNS1123Subdomain(name)
	}
	for _, msg := range msgs {
		probs.add(field, "invalid value %q: %s", name, msg)
	}
}

// checkLabels validates label keys (qualified names) and values.
func checkLabels(labels map[string]string, field string, probs *problems) {
	for _, k := range sortedKeys(labels) {
		for _, msg := range validation.IsQualifiedName(k) {
			probs.add(key(field, k), "invalid label key %q: %s", k, msg)
		}
		for _, msg := range validation.IsValidLabelValue(labels[k]) {
			probs.add(key(field, k), "invalid label value %q: %s", labels[k], msg)
		}
	}
}

// checkAnnotations validates annotation keys (qualified names, case-insensitive
// as upstream) and the total size limit.
func checkAnnotations(ann map[string]string, field string, probs *problems) {
	var size int
	for _, k := range sortedKeys(ann) {
		for _, msg := range validation.IsQualifiedName(strings.ToLower(k)) {
			probs.add(key(field, k), "invalid annotation key %q: %s", k, msg)
		}
		size += len(k) + len(ann[k])
	}
	if size > totalAnnotationSizeLimit {
		probs.add(field, "annotations are too long: %d bytes, may not be more than %d", size, totalAnnotationSizeLimit)
	}
}

// runDuration reads the kubesim.io/run-duration annotation at field (the path
// of the annotations map): 0 when absent.
func runDuration(ann map[string]string, field string, probs *problems) time.Duration {
	v, ok := ann[api.AnnotationRunDuration]
	if !ok {
		return 0
	}
	p := key(field, api.AnnotationRunDuration)
	d, err := time.ParseDuration(v)
	if err != nil {
		probs.add(p, "invalid duration %q: expected a Go duration such as \"90s\" or \"1h30m\"", v)
		return 0
	}
	if d < 0 {
		probs.add(p, "invalid duration %q: must not be negative", v)
		return 0
	}
	return d
}

// nonNegative records a problem when v < 0.
func nonNegative[T int32 | int64](v T, field string, probs *problems) {
	if v < 0 {
		probs.add(field, "must be greater than or equal to 0, got %d", v)
	}
}

// conditionStatus checks a condition status.
func conditionStatus(s string, field string, probs *problems) api.ConditionStatus {
	switch api.ConditionStatus(s) {
	case api.ConditionTrue, api.ConditionFalse, api.ConditionUnknown:
		return api.ConditionStatus(s)
	}
	probs.add(field, "unsupported value %q: supported values: \"True\", \"False\", \"Unknown\"", s)
	return api.ConditionUnknown
}

// quoteList renders values for "supported values" messages.
func quoteList(vs ...string) string {
	q := make([]string, len(vs))
	for i, v := range vs {
		q[i] = fmt.Sprintf("%q", v)
	}
	return strings.Join(q, ", ")
}
