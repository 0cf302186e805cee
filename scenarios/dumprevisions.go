package scenarios

import (
	"maps"
	"strings"

	"github.com/kubesim/kubesim/controllers/daemonset"
	"github.com/kubesim/kubesim/controllers/statefulset"
	"github.com/kubesim/kubesim/sim/api"
)

// dumpRevisions returns the ControllerRevisions a real cluster holds for
// the dumped StatefulSets and DaemonSets of objs (the cluster manifests)
// that name none of their own: `kubectl get ... -o yaml` of the objects
// kubesim simulates lists no controllerrevisions, and kubesim's template
// hashes differ from upstream's, so without them the controllers would see
// every dumped pod's controller-revision-hash label as an old revision and
// replace the pods one by one.
//
// A set gets one revision, holding its current template, when every one of
// its dumped pods carries the same revision label (and, for a StatefulSet,
// it is the status's updateRevision): a StatefulSet's named as the label
// (upstream's pods carry the revision name), a DaemonSet's
// "<name>-<label>" (its pods carry the hash). A set caught mid-rollout
// (pods of several revisions) gets none: the old templates are not in the
// dump, and the controller rolls its pods to the current template.
func dumpRevisions(objs []api.Object) []api.Object {
	hasRevision := map[api.UID]bool{}
	podHashes := map[api.UID]map[string]bool{}
	for _, o := range objs {
		ref := o.GetMeta().ControllerRef()
		if ref == nil {
			continue
		}
		switch x := o.(type) {
		case *api.ControllerRevision:
			hasRevision[ref.UID] = true
		case *api.Pod:
			if podHashes[ref.UID] == nil {
				podHashes[ref.UID] = map[string]bool{}
			}
			podHashes[ref.UID][x.Labels[statefulset.LabelRevision]] = true
		}
	}
	// only returns the one revision label of uid's pods, or "".
	only := func(uid api.UID) string {
		hs := podHashes[uid]
		if hasRevision[uid] || len(hs) != 1 {
			return ""
		}
		for h := range hs {
			return h
		}
		return ""
	}
	var out []api.Object
	for _, o := range objs {
		switch x := o.(type) {
		case *api.StatefulSet:
			name := only(x.UID)
			if name == "" || name != x.Status.UpdateRevision || x.Template == nil {
				continue
			}
			labels := maps.Clone(x.Template.Labels)
			if labels == nil {
				labels = map[string]string{}
			}
			labels[statefulset.LabelRevisionHash] = strings.TrimPrefix(name, x.Name+"-")
			out = append(out, revisionOf(&x.ObjectMeta, api.KindStatefulSet, name, labels, x.Template))
		case *api.DaemonSet:
			hash := only(x.UID)
			if hash == "" || x.Template == nil {
				continue
			}
			labels := maps.Clone(x.Template.Labels)
			if labels == nil {
				labels = map[string]string{}
			}
			labels[daemonset.HashLabel] = hash
			out = append(out, revisionOf(&x.ObjectMeta, api.KindDaemonSet, x.Name+"-"+hash, labels, x.Template))
		}
	}
	return out
}

// revisionOf is revision 1 of the set owner, holding its template.
func revisionOf(owner *api.ObjectMeta, kind api.Kind, name string, labels map[string]string, t *api.PodTemplate) *api.ControllerRevision {
	return &api.ControllerRevision{
		ObjectMeta: api.ObjectMeta{
			Name: name, Namespace: owner.Namespace, Labels: labels,
			OwnerReferences: []api.OwnerReference{{Kind: kind, Name: owner.Name, UID: owner.UID, Controller: true, BlockOwnerDeletion: true}},
		},
		Revision: 1,
		Template: t,
	}
}
