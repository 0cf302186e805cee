package deployment

import (
	"fmt"
	"maps"

	"github.com/kubesim/kubesim/sim/api"
	"github.com/kubesim/kubesim/sim/store"
)

// The helpers below are what a user (kubectl) does to a Deployment; scenario
// actions call them. Each reads the current object, changes its spec, bumps
// its generation (as the API server does on a spec change) and writes it as
// component, only when something changes.

// Scale sets spec.replicas of the Deployment namespace/name (kubectl scale).
func Scale(st *store.Store, component, namespace, name string, replicas int32) error {
	if replicas < 0 {
		return fmt.Errorf("deployment %s: replicas must be ≥ 0, got %d: %w", api.Key(namespace, name), replicas, store.ErrInvalid)
	}
	d, ok := st.Deployments.Get(namespace, name)
	if !ok {
		return fmt.Errorf("deployment %s: %w", api.Key(namespace, name), store.ErrNotFound)
	}
	if d.Replicas == replicas {
		return nil
	}
	upd := d.Clone()
	upd.Replicas = replicas
	upd.Generation++
	_, err := st.Deployments.Update(component, upd, reasonScaleDeployment)
	return err
}

// SetPaused sets spec.paused of the Deployment namespace/name (kubectl
// rollout pause / resume). A paused Deployment still scales proportionally
// but makes no rollout progress.
func SetPaused(st *store.Store, component, namespace, name string, paused bool) error {
	d, ok := st.Deployments.Get(namespace, name)
	if !ok {
		return fmt.Errorf("deployment %s: %w", api.Key(namespace, name), store.ErrNotFound)
	}
	if d.Paused == paused {
		return nil
	}
	upd := d.Clone()
	upd.Paused = paused
	upd.Generation++
	reason := reasonResumeDeployment
	if paused {
		reason = reasonPauseDeployment
	}
	_, err := st.Deployments.Update(component, upd, reason)
	return err
}

// RollbackTo rolls the Deployment namespace/name back to the pod template of
// its ReplicaSet with revision toRevision (0: the previous revision, the
// second highest), as kubectl rollout undo does: the template (without its
// pod-template-hash label) and the ReplicaSet's annotations (but the
// deployment-specific ones) are copied into the Deployment. The controller
// then finds that ReplicaSet as the new one, gives it the next revision and
// rolls out to it. A paused Deployment cannot be rolled back; a revision
// whose template is already the Deployment's is skipped (no error).
func RollbackTo(st *store.Store, component, namespace, name string, toRevision int64) error {
	key := api.Key(namespace, name)
	if toRevision < 0 {
		return fmt.Errorf("deployment %s: unable to find specified revision %d in history: %w", key, toRevision, store.ErrInvalid)
	}
	d, ok := st.Deployments.Get(namespace, name)
	if !ok {
		return fmt.Errorf("deployment %s: %w", key, store.ErrNotFound)
	}
	if d.Paused {
		return fmt.Errorf("deployment %s: you cannot rollback a paused deployment; resume it first and try again: %w", key, store.ErrInvalid)
	}
	rs, err := revisionReplicaSet(st, d, toRevision)
	if err != nil {
		st.Record(component, d, ReasonRollbackNotFound, err.Error())
		return err
	}
	rev, _ := Revision(&rs.ObjectMeta)
	if EqualIgnoreHash(rs.Template, d.Template) {
		st.Record(component, d, ReasonRollbackUnchanged,
			fmt.Sprintf("The rollback revision contains the same template as current deployment %q", d.Name))
		return nil
	}
	upd := d.Clone()
	labels := maps.Clone(rs.Template.Labels)
	delete(labels, LabelPodTemplateHash)
	upd.Template = &api.PodTemplate{Labels: labels, Annotations: rs.Template.Annotations, Spec: rs.Template.Spec, Hash: rs.Template.Hash}
	ann := map[string]string{}
	for k, v := range d.Annotations {
		if skipCopy(k) {
			ann[k] = v
		}
	}
	for k, v := range rs.Annotations {
		if !skipCopy(k) {
			ann[k] = v
		}
	}
	upd.Annotations = ann
	upd.Generation++
	if _, err := st.Deployments.Update(component, upd, reasonRollbackDeployment); err != nil {
		return err
	}
	st.Record(component, upd, ReasonRollbackDone, fmt.Sprintf("Rolled back deployment %q to revision %d", d.Name, rev))
	return nil
}

// revisionReplicaSet returns the Deployment's ReplicaSet with revision rev,
// or for rev 0 the one with the second highest revision.
func revisionReplicaSet(st *store.Store, d *api.Deployment, rev int64) (*api.ReplicaSet, error) {
	var latest, previous *api.ReplicaSet
	latestRev, previousRev := int64(-1), int64(-1)
	for _, rs := range st.ReplicaSets.ByIndex(store.IndexOwner, string(d.UID)) {
		if ref := rs.ControllerRef(); ref == nil || ref.UID != d.UID || rs.Template == nil {
			continue
		}
		v, ok := Revision(&rs.ObjectMeta)
		if !ok {
			continue
		}
		switch {
		case rev > 0:
			if v == rev {
				return rs, nil
			}
		case v > latestRev:
			previous, previousRev = latest, latestRev
			latest, latestRev = rs, v
		case v > previousRev:
			previous, previousRev = rs, v
		}
	}
	if rev > 0 {
		return nil, fmt.Errorf("deployment %s: unable to find specified revision %d in history: %w", d.Key(), rev, store.ErrNotFound)
	}
	if previous == nil {
		return nil, fmt.Errorf("deployment %s: no rollout history found: %w", d.Key(), store.ErrNotFound)
	}
	return previous, nil
}
