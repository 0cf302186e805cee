package workloads

import (
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	"k8s.io/apimachinery/pkg/util/validation"

	"github.com/kubesim/kubesim/sim/api"
)

// convertResources converts a resource list to an integer vector: cpu in
// millicores (rounded up, as Quantity.MilliValue does), everything else in base
// units (rounded up). "pods" is returned separately (-1 when absent), since it
// is not part of a Resources vector. Negative amounts and invalid resource
// names are problems.
func convertResources(rl corev1.ResourceList, field string, probs *problems) (r api.Resources, pods int64) {
	pods = -1
	for _, name := range sortedKeys(rl) {
		q := rl[corev1.ResourceName(name)]
		p := key(field, name)
		if q.Sign() < 0 {
			probs.add(p, "must be greater than or equal to 0, got %s", q.String())
			continue
		}
		if tooLarge(name, &q) {
			probs.add(p, "quantity %s is too large", q.String())
			continue
		}
		if !validResourceName(name) {
			probs.add(p, "invalid resource name %q: must be a standard resource name or a qualified name such as example.com/gpu", name)
			continue
		}
		switch name {
		case api.ResourceCPU:
			r.MilliCPU = q.MilliValue()
		case api.ResourcePods:
			pods = q.Value()
		default:
			r = r.Set(name, q.Value())
		}
	}
	return r, pods
}

// maxAmount bounds every converted amount (millicores for cpu, base units for
// the rest), so that values and sums of values fit in an int64.
const maxAmount = 1 << 62

var (
	maxCPU   = resource.NewMilliQuantity(maxAmount, resource.DecimalSI)
	maxOther = resource.NewQuantity(maxAmount, resource.DecimalSI)
)

// tooLarge reports whether q does not fit the integer model.
func tooLarge(name string, q *resource.Quantity) bool {
	if name == api.ResourceCPU {
		return q.Cmp(*maxCPU) > 0
	}
	return q.Cmp(*maxOther) > 0
}

// validResourceName accepts the names upstream accepts: qualified names
// (standard names such as "cpu" and "hugepages-2Mi" are among them).
func validResourceName(name string) bool {
	return len(validation.IsQualifiedName(name)) == 0
}
