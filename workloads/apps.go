package workloads

import (
	appsv1 "k8s.io/api/apps/v1"
	"k8s.io/apimachinery/pkg/util/intstr"

	"github.com/kubesim/kubesim/sim/api"
)

// convertStatefulSet converts a StatefulSet with upstream apps/v1 defaults:
// replicas 1, podManagementPolicy OrderedReady, updateStrategy RollingUpdate
// with partition 0 (maxUnavailable stays unset unless given),
// revisionHistoryLimit 10. Volume claim templates are rejected: kubesim does
// not simulate volume scheduling.
func convertStatefulSet(s *appsv1.StatefulSet, probs *problems) api.Object {
	out := &api.StatefulSet{
		ObjectMeta:           convertMeta(&s.ObjectMeta, true, nameSubdomain, probs),
		Replicas:             replicas(s.Spec.Replicas, probs),
		Selector:             workloadSelector("StatefulSet", &s.Spec.Template, s.Spec.Selector, probs),
		Template:             convertPodTemplate(&s.Spec.Template, "spec.template", restartAlways, probs),
		ServiceName:          s.Spec.ServiceName,
		PodManagementPolicy:  string(appsv1.OrderedReadyPodManagement),
		MinReadySeconds:      s.Spec.MinReadySeconds,
		RevisionHistoryLimit: defaultRevisionHistoryLimit,
		Status: api.StatefulSetStatus{
			ObservedGeneration: s.Status.ObservedGeneration,
			Replicas:           s.Status.Replicas,
			ReadyReplicas:      s.Status.ReadyReplicas,
			CurrentReplicas:    s.Status.CurrentReplicas,
			UpdatedReplicas:    s.Status.UpdatedReplicas,
			AvailableReplicas:  s.Status.AvailableReplicas,
			CurrentRevision:    s.Status.CurrentRevision,
			UpdateRevision:     s.Status.UpdateRevision,
		},
	}
	nonNegative(s.Spec.MinReadySeconds, "spec.minReadySeconds", probs)
	if s.Spec.RevisionHistoryLimit != nil {
		out.RevisionHistoryLimit = *s.Spec.RevisionHistoryLimit
		nonNegative(out.RevisionHistoryLimit, "spec.revisionHistoryLimit", probs)
	}
	switch s.Spec.PodManagementPolicy {
	case "", appsv1.OrderedReadyPodManagement:
	case appsv1.ParallelPodManagement:
		out.PodManagementPolicy = string(appsv1.ParallelPodManagement)
	default:
		probs.add("spec.podManagementPolicy", "unsupported value %q: supported values: %s", string(s.Spec.PodManagementPolicy), quoteList("OrderedReady", "Parallel"))
	}
	if o := s.Spec.Ordinals; o != nil {
		nonNegative(o.Start, "spec.ordinals.start", probs)
		out.OrdinalsStart = o.Start
	}
	if len(s.Spec.VolumeClaimTemplates) > 0 {
		probs.add("spec.volumeClaimTemplates", "kubesim does not simulate volume scheduling; remove the volume claim templates")
	}

	st := s.Spec.UpdateStrategy
	const ru = "spec.updateStrategy.rollingUpdate"
	switch st.Type {
	case "", appsv1.RollingUpdateStatefulSetStrategyType:
		out.UpdateStrategy.Type = string(appsv1.RollingUpdateStatefulSetStrategyType)
		if r := st.RollingUpdate; r != nil {
			if r.Partition != nil {
				out.UpdateStrategy.Partition = *r.Partition
				nonNegative(*r.Partition, ru+".partition", probs)
			}
			if r.MaxUnavailable != nil {
				before := len(*probs)
				v := intOrPercent(r.MaxUnavailable, ru+".maxUnavailable", true, probs)
				if len(*probs) == before && v.Value < 1 {
					probs.add(ru+".maxUnavailable", "must be greater than 0, got %s", r.MaxUnavailable.String())
				}
				out.UpdateStrategy.MaxUnavailable = &v
			}
		}
	case appsv1.OnDeleteStatefulSetStrategyType:
		out.UpdateStrategy.Type = string(appsv1.OnDeleteStatefulSetStrategyType)
		if st.RollingUpdate != nil {
			probs.add(ru, "only allowed for updateStrategy 'RollingUpdate'")
		}
	default:
		probs.add("spec.updateStrategy.type", "unsupported value %q: supported values: %s", string(st.Type), quoteList("OnDelete", "RollingUpdate"))
	}
	return out
}

// convertDaemonSet converts a DaemonSet with upstream apps/v1 defaults:
// updateStrategy RollingUpdate with maxUnavailable 1 and maxSurge 0,
// revisionHistoryLimit 10.
func convertDaemonSet(d *appsv1.DaemonSet, probs *problems) api.Object {
	out := &api.DaemonSet{
		ObjectMeta:           convertMeta(&d.ObjectMeta, true, nameSubdomain, probs),
		Selector:             workloadSelector("DaemonSet", &d.Spec.Template, d.Spec.Selector, probs),
		Template:             convertPodTemplate(&d.Spec.Template, "spec.template", restartAlways, probs),
		MinReadySeconds:      d.Spec.MinReadySeconds,
		RevisionHistoryLimit: defaultRevisionHistoryLimit,
		Status: api.DaemonSetStatus{
			ObservedGeneration:     d.Status.ObservedGeneration,
			DesiredNumberScheduled: d.Status.DesiredNumberScheduled,
			CurrentNumberScheduled: d.Status.CurrentNumberScheduled,
			NumberMisscheduled:     d.Status.NumberMisscheduled,
			NumberReady:            d.Status.NumberReady,
			NumberAvailable:        d.Status.NumberAvailable,
			UpdatedNumberScheduled: d.Status.UpdatedNumberScheduled,
		},
	}
	nonNegative(d.Spec.MinReadySeconds, "spec.minReadySeconds", probs)
	if d.Spec.RevisionHistoryLimit != nil {
		out.RevisionHistoryLimit = *d.Spec.RevisionHistoryLimit
		nonNegative(out.RevisionHistoryLimit, "spec.revisionHistoryLimit", probs)
	}

	st := d.Spec.UpdateStrategy
	const ru = "spec.updateStrategy.rollingUpdate"
	switch st.Type {
	case "", appsv1.RollingUpdateDaemonSetStrategyType:
		out.UpdateStrategy.Type = string(appsv1.RollingUpdateDaemonSetStrategyType)
		one, zero := intstr.FromInt32(1), intstr.FromInt32(0)
		unavail, surge := &one, &zero
		if r := st.RollingUpdate; r != nil {
			if r.MaxUnavailable != nil {
				unavail = r.MaxUnavailable
			}
			if r.MaxSurge != nil {
				surge = r.MaxSurge
			}
		}
		before := len(*probs)
		out.UpdateStrategy.MaxUnavailable = intOrPercent(unavail, ru+".maxUnavailable", true, probs)
		out.UpdateStrategy.MaxSurge = intOrPercent(surge, ru+".maxSurge", true, probs)
		if len(*probs) == before && out.UpdateStrategy.MaxUnavailable.Value == 0 && out.UpdateStrategy.MaxSurge.Value == 0 {
			probs.add(ru+".maxUnavailable", "may not be 0 when `maxSurge` is 0")
		}
	case appsv1.OnDeleteDaemonSetStrategyType:
		out.UpdateStrategy.Type = string(appsv1.OnDeleteDaemonSetStrategyType)
	default:
		probs.add("spec.updateStrategy.type", "unsupported value %q: supported values: %s", string(st.Type), quoteList("OnDelete", "RollingUpdate"))
	}
	return out
}
