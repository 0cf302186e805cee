package deployment

import (
	"math"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"github.com/kubesim/kubesim/sim/api"
)

// Annotations, labels and strategy names, as upstream.
const (
	// LabelPodTemplateHash is added to a new ReplicaSet's selector, template
	// and pods (upstream's DefaultDeploymentUniqueLabelKey).
	LabelPodTemplateHash = "pod-template-hash"
	// AnnotationRevision records a ReplicaSet's rollout sequence number, and
	// on the Deployment the revision of its current new ReplicaSet.
	AnnotationRevision = "deployment.kubernetes.io/revision"
	// AnnotationRevisionHistory lists the earlier revisions a ReplicaSet
	// served (it gets one when a rollback reuses it).
	AnnotationRevisionHistory = "deployment.kubernetes.io/revision-history"
	// AnnotationDesiredReplicas is the Deployment's replicas when the
	// ReplicaSet was last scaled by it.
	AnnotationDesiredReplicas = "deployment.kubernetes.io/desired-replicas"
	// AnnotationMaxReplicas is replicas + maxSurge at that time.
	AnnotationMaxReplicas = "deployment.kubernetes.io/max-replicas"
	// AnnotationLastApplied is kubectl's last-applied-configuration, never
	// copied between a Deployment and its ReplicaSets.
	AnnotationLastApplied = "kubectl.kubernetes.io/last-applied-configuration"
	// AnnotationDeprecatedRollbackTo is the extensions/v1beta1 rollback
	// request annotation, never copied.
	AnnotationDeprecatedRollbackTo = "deprecated.deployment.rollback.to"

	// StrategyRollingUpdate and StrategyRecreate are the strategy types.
	StrategyRollingUpdate = "RollingUpdate"
	StrategyRecreate      = "Recreate"

	// maxRevisionHistoryChars bounds the revision-history annotation.
	maxRevisionHistoryChars = 2000
)

// skipCopy reports whether an annotation stays with its object: it is never
// copied from a Deployment to its ReplicaSets or back on a rollback.
func skipCopy(key string) bool {
	switch key {
	case AnnotationLastApplied, AnnotationRevision, AnnotationRevisionHistory,
		AnnotationDesiredReplicas, AnnotationMaxReplicas, AnnotationDeprecatedRollbackTo:
		return true
	}
	return false
}

// ValueFromIntOrPercent resolves v against total as upstream's
// intstr.GetValueFromIntOrPercent: an integer as is; a percentage as
// ceil(v·total/100) when roundUp, else floor(v·total/100).
func ValueFromIntOrPercent(v api.IntOrPercent, total int32, roundUp bool) int32 {
	if !v.IsPercent {
		return v.Value
	}
	x := float64(v.Value) * float64(total) / 100
	if roundUp {
		return int32(math.Ceil(x))
	}
	return int32(math.Floor(x))
}

// ResolveFenceposts returns the surge (percent rounded up) and the
// unavailability (percent rounded down) allowed for desired replicas. When
// both resolve to 0, unavailability is 1, so that a rollout can always make
// progress (upstream's ResolveFenceposts).
func ResolveFenceposts(maxSurge, maxUnavailable api.IntOrPercent, desired int32) (surge, unavailable int32) {
	surge = ValueFromIntOrPercent(maxSurge, desired, true)
	unavailable = ValueFromIntOrPercent(maxUnavailable, desired, false)
	if surge == 0 && unavailable == 0 {
		unavailable = 1
	}
	return surge, unavailable
}

// IsRollingUpdate reports whether d uses the RollingUpdate strategy.
func IsRollingUpdate(d *api.Deployment) bool { return d.Strategy.Type == StrategyRollingUpdate }

// MaxSurge returns how many pods above spec.replicas a rolling update may
// run: 0 for Recreate.
func MaxSurge(d *api.Deployment) int32 {
	if !IsRollingUpdate(d) {
		return 0
	}
	s, _ := ResolveFenceposts(d.Strategy.MaxSurge, d.Strategy.MaxUnavailable, d.Replicas)
	return s
}

// MaxUnavailable returns how many of spec.replicas may be unavailable during
// a rolling update, at most spec.replicas: 0 for Recreate or zero replicas.
func MaxUnavailable(d *api.Deployment) int32 {
	if !IsRollingUpdate(d) || d.Replicas == 0 {
		return 0
	}
	_, u := ResolveFenceposts(d.Strategy.MaxSurge, d.Strategy.MaxUnavailable, d.Replicas)
	return min(u, d.Replicas)
}

// NewRSNewReplicas returns the size the new ReplicaSet should have in a
// rollout step: for RollingUpdate, newRS grows by the room left under
// replicas + maxSurge (counting every ReplicaSet's spec.replicas), never past
// spec.replicas; for Recreate, spec.replicas.
func NewRSNewReplicas(d *api.Deployment, all []*api.ReplicaSet, newRS *api.ReplicaSet) int32 {
	if !IsRollingUpdate(d) {
		return d.Replicas
	}
	surge := ValueFromIntOrPercent(d.Strategy.MaxSurge, d.Replicas, true)
	current := specReplicas(all)
	maxTotal := d.Replicas + surge
	if current >= maxTotal {
		return newRS.Replicas
	}
	up := min(maxTotal-current, d.Replicas-newRS.Replicas)
	return newRS.Replicas + up
}

// GetProportion returns how many replicas rs gains (or, negative, loses) when
// a scaling of d by toAdd is shared among its active ReplicaSets and added
// replicas have already been handed out: rs's share of the new size
// (replicas + maxSurge) scaled from its max-replicas annotation, bounded by
// what is left to hand out.
func GetProportion(rs *api.ReplicaSet, d *api.Deployment, toAdd, added int32) int32 {
	if rs == nil || rs.Replicas == 0 || toAdd == 0 || toAdd == added {
		return 0
	}
	fraction := replicaSetFraction(rs, d)
	allowed := toAdd - added
	if toAdd > 0 {
		return min(fraction, allowed)
	}
	return max(fraction, allowed)
}

// replicaSetFraction is rs's change when d scales: round(rs.replicas ·
// (d.replicas + maxSurge) / maxReplicasAnnotation) − rs.replicas; the whole
// of rs when d scales to zero. Without the annotation (or 0) the deployment's
// status.replicas stands in for it; if that is 0 too there is no base and
// the fraction is 0 (the leftover goes to the first ReplicaSet).
func replicaSetFraction(rs *api.ReplicaSet, d *api.Deployment) int32 {
	if d.Replicas == 0 {
		return -rs.Replicas
	}
	deploymentReplicas := d.Replicas + MaxSurge(d)
	annotated, ok := intAnnotation(rs, AnnotationMaxReplicas)
	if !ok || annotated == 0 {
		annotated = d.Status.Replicas
	}
	if annotated == 0 {
		return 0
	}
	size := float64(rs.Replicas*deploymentReplicas) / float64(annotated)
	return int32(math.Round(size)) - rs.Replicas
}

// intAnnotation parses an integer annotation of rs.
func intAnnotation(rs *api.ReplicaSet, key string) (int32, bool) {
	s, ok := rs.Annotations[key]
	if !ok {
		return 0, false
	}
	v, err := strconv.Atoi(s)
	if err != nil {
		return 0, false
	}
	return int32(v), true
}

// IsSaturated reports whether rs holds all of d's replicas, all available,
// and was sized for the current spec.replicas.
func IsSaturated(d *api.Deployment, rs *api.ReplicaSet) bool {
	if rs == nil {
		return false
	}
	desired, err := strconv.Atoi(rs.Annotations[AnnotationDesiredReplicas])
	if err != nil {
		return false
	}
	return rs.Replicas == d.Replicas && int32(desired) == d.Replicas && rs.Status.AvailableReplicas == d.Replicas
}

// Revision returns the revision annotation of an object (0 when absent) and
// whether it parsed.
func Revision(m *api.ObjectMeta) (int64, bool) {
	s, ok := m.Annotations[AnnotationRevision]
	if !ok {
		return 0, true
	}
	v, err := strconv.ParseInt(s, 10, 64)
	return v, err == nil
}

// maxRevision returns the highest parseable revision among rss.
func maxRevision(rss []*api.ReplicaSet) int64 {
	var m int64
	for _, rs := range rss {
		if v, ok := Revision(&rs.ObjectMeta); ok && v > m {
			m = v
		}
	}
	return m
}

// EqualIgnoreHash reports whether two pod templates are the same, ignoring
// the pod-template-hash label (upstream's EqualIgnoreHash).
//
// Templates decoded from manifests carry a content hash, and a ReplicaSet
// created by this controller keeps its Deployment template's hash: equal
// non-zero hashes mean equal templates. Otherwise the labels (without
// pod-template-hash) and annotations must be equal, and then two templates
// whose hashes cover only their content differ (their hashes say so). When
// a hash is missing (objects built in code) or also covers a
// pod-template-hash label (a ReplicaSet loaded from a manifest: the label is
// not derived from its hash), the compiled pod specs are compared, which
// cannot see fields kubesim does not model.
func EqualIgnoreHash(a, b *api.PodTemplate) bool {
	if a == nil || b == nil {
		return a == b
	}
	if a.Hash != 0 && a.Hash == b.Hash {
		return true
	}
	if !labelsEqualIgnoringHash(a.Labels, b.Labels) || !mapsEqual(a.Annotations, b.Annotations) {
		return false
	}
	if contentHash(a) && contentHash(b) {
		return false
	}
	if a.Spec == b.Spec {
		return true
	}
	if a.Spec == nil || b.Spec == nil {
		return false
	}
	return reflect.DeepEqual(*a.Spec, *b.Spec)
}

// maxDerivedCollisions bounds the collision counts contentHash tries.
const maxDerivedCollisions = 16

// contentHash reports whether t's hash covers its content only: it is set,
// and t has no pod-template-hash label or one derived from that hash (a
// ReplicaSet made by this controller).
func contentHash(t *api.PodTemplate) bool {
	if t.Hash == 0 {
		return false
	}
	v, ok := t.Labels[LabelPodTemplateHash]
	if !ok {
		return true
	}
	for c := int32(0); c <= maxDerivedCollisions; c++ {
		if api.TemplateHash(t.Hash, c) == v {
			return true
		}
	}
	return false
}

func labelsEqualIgnoringHash(a, b map[string]string) bool {
	n := 0
	for k, v := range a {
		if k == LabelPodTemplateHash {
			continue
		}
		n++
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	m := len(b)
	if _, ok := b[LabelPodTemplateHash]; ok {
		m--
	}
	return n == m
}

func mapsEqual(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

// compareByCreation orders ReplicaSets oldest first, by name on equal
// creation times (upstream's ReplicaSetsByCreationTimestamp).
func compareByCreation(a, b *api.ReplicaSet) int {
	if a.CreationTimestamp != b.CreationTimestamp {
		if a.CreationTimestamp < b.CreationTimestamp {
			return -1
		}
		return 1
	}
	return strings.Compare(a.Name, b.Name)
}

// compareByRevision orders ReplicaSets by revision, oldest first, then by
// creation (upstream's ReplicaSetsByRevision).
func compareByRevision(a, b *api.ReplicaSet) int {
	ra, _ := Revision(&a.ObjectMeta)
	rb, _ := Revision(&b.ObjectMeta)
	if ra != rb {
		if ra < rb {
			return -1
		}
		return 1
	}
	return compareByCreation(a, b)
}

// compareBySizeNewer orders larger ReplicaSets first, newer first among
// equals (used when scaling up).
func compareBySizeNewer(a, b *api.ReplicaSet) int {
	if a.Replicas != b.Replicas {
		if a.Replicas > b.Replicas {
			return -1
		}
		return 1
	}
	return compareByCreation(b, a)
}

// compareBySizeOlder orders larger ReplicaSets first, older first among
// equals (used when scaling down).
func compareBySizeOlder(a, b *api.ReplicaSet) int {
	if a.Replicas != b.Replicas {
		if a.Replicas > b.Replicas {
			return -1
		}
		return 1
	}
	return compareByCreation(a, b)
}

// filterActive returns the ReplicaSets with spec.replicas > 0.
func filterActive(rss []*api.ReplicaSet) []*api.ReplicaSet {
	var out []*api.ReplicaSet
	for _, rs := range rss {
		if rs != nil && rs.Replicas > 0 {
			out = append(out, rs)
		}
	}
	return out
}

// withNew returns old plus newRS (when not nil) in a new slice.
func withNew(old []*api.ReplicaSet, newRS *api.ReplicaSet) []*api.ReplicaSet {
	out := slices.Clone(old)
	if newRS != nil {
		out = append(out, newRS)
	}
	return out
}

func specReplicas(rss []*api.ReplicaSet) int32 {
	var n int32
	for _, rs := range rss {
		if rs != nil {
			n += rs.Replicas
		}
	}
	return n
}

func statusReplicas(rss []*api.ReplicaSet) int32 {
	var n int32
	for _, rs := range rss {
		if rs != nil {
			n += rs.Status.Replicas
		}
	}
	return n
}

// DeploymentComplete reports whether every desired replica is updated and
// available, no old one is left, and the status is of the current
// generation.
func DeploymentComplete(d *api.Deployment, s *api.DeploymentStatus) bool {
	return s.UpdatedReplicas == d.Replicas && s.Replicas == d.Replicas &&
		s.AvailableReplicas == d.Replicas && s.ObservedGeneration >= d.Generation
}

// DeploymentProgressing reports whether s shows progress over d's current
// status: more updated replicas, fewer old ones, more ready or more
// available.
func DeploymentProgressing(d *api.Deployment, s *api.DeploymentStatus) bool {
	old := d.Status
	oldOld := old.Replicas - old.UpdatedReplicas
	newOld := s.Replicas - s.UpdatedReplicas
	return s.UpdatedReplicas > old.UpdatedReplicas || newOld < oldOld ||
		s.ReadyReplicas > old.ReadyReplicas || s.AvailableReplicas > old.AvailableReplicas
}

// HasProgressDeadline reports whether d reports ProgressDeadlineExceeded: a
// positive progressDeadlineSeconds other than MaxInt32 (0, possible only for
// objects built in code, means no deadline).
func HasProgressDeadline(d *api.Deployment) bool {
	return d.ProgressDeadlineSeconds > 0 && d.ProgressDeadlineSeconds != math.MaxInt32
}

// hasRevisionHistoryLimit reports whether old ReplicaSets are cleaned up
// (MaxInt32 keeps them all).
func hasRevisionHistoryLimit(d *api.Deployment) bool {
	return d.RevisionHistoryLimit != math.MaxInt32
}
