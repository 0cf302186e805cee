package daemonset

import (
	"errors"
	"fmt"
	"maps"
	"slices"

	"github.com/kubesim/kubesim/sim/api"
	"github.com/kubesim/kubesim/sim/store"
)

// matches reports whether a revision holds the DaemonSet's current template
// (upstream compares the serialized templates; kubesim compares the
// template's content hash, or identity when no hash was computed).
func matches(ds *api.DaemonSet, r *api.ControllerRevision) bool {
	if r.Template == ds.Template {
		return true
	}
	return r.Template != nil && ds.Template.Hash != 0 && r.Template.Hash == ds.Template.Hash
}

// constructHistory returns the DaemonSet's current revision, creating it
// (named "<ds>-<hash>", revision max(old)+1) or renumbering it as needed, and
// its old revisions (upstream's constructHistory).
func (c *Controller) constructHistory(ds *api.DaemonSet) (*api.ControllerRevision, []*api.ControllerRevision, error) {
	var current, old []*api.ControllerRevision
	for _, r := range c.st.Revisions.ByIndex(store.IndexOwner, string(ds.UID)) {
		if ref := r.ControllerRef(); ref == nil || ref.UID != ds.UID {
			continue
		}
		if _, ok := r.Labels[HashLabel]; !ok {
			upd := r.Clone()
			upd.Labels = maps.Clone(r.Labels)
			if upd.Labels == nil {
				upd.Labels = map[string]string{}
			}
			upd.Labels[HashLabel] = r.Name
			var err error
			if r, err = c.st.Revisions.Update(Component, upd, ReasonRevision); err != nil {
				return nil, nil, err
			}
		}
		if matches(ds, r) {
			current = append(current, r)
		} else {
			old = append(old, r)
		}
	}
	next := int64(1)
	for _, r := range old {
		next = max(next, r.Revision+1)
	}
	if len(current) == 0 {
		cur, err := c.snapshot(ds, next)
		return cur, old, err
	}
	// Keep the highest revision of duplicates and delete the others.
	slices.SortStableFunc(current, func(a, b *api.ControllerRevision) int { return int(a.Revision - b.Revision) })
	cur := current[len(current)-1]
	for _, r := range current[:len(current)-1] {
		if err := c.st.Revisions.Delete(Component, r.Namespace, r.Name, store.DeleteOptions{UID: r.UID}, ReasonRevision); err != nil && !errors.Is(err, store.ErrNotFound) {
			return nil, nil, err
		}
	}
	if cur.Revision < next {
		upd := cur.Clone()
		upd.Revision = next
		var err error
		if cur, err = c.st.Revisions.Update(Component, upd, ReasonRevision); err != nil {
			return nil, nil, err
		}
	}
	return cur, old, nil
}

// snapshot creates the revision of the DaemonSet's current template. A name
// taken by a different template bumps status.collisionCount and fails, so
// the next sync tries another name, as upstream.
func (c *Controller) snapshot(ds *api.DaemonSet, revision int64) (*api.ControllerRevision, error) {
	hash := api.TemplateHash(ds.Template.Hash, ds.Status.CollisionCount)
	labels := maps.Clone(ds.Template.Labels)
	if labels == nil {
		labels = map[string]string{}
	}
	labels[HashLabel] = hash
	r := &api.ControllerRevision{
		ObjectMeta: api.ObjectMeta{
			Name: ds.Name + "-" + hash, Namespace: ds.Namespace, Labels: labels, Annotations: ds.Annotations,
			OwnerReferences: []api.OwnerReference{api.NewControllerRef(ds)},
		},
		Revision: revision,
		Template: ds.Template,
	}
	created, err := c.st.Revisions.Create(Component, r, ReasonRevision)
	if err == nil {
		return created, nil
	}
	if !errors.Is(err, store.ErrAlreadyExists) {
		return nil, err
	}
	existing, ok := c.st.Revisions.Get(ds.Namespace, r.Name)
	if ok && matches(ds, existing) {
		if ref := existing.ControllerRef(); ref != nil && ref.UID == ds.UID {
			return existing, nil
		}
	}
	upd := ds.Clone()
	upd.Status.CollisionCount++
	if _, uerr := c.st.DaemonSets.Update(Component, upd, ReasonUpdateStatus); uerr != nil {
		return nil, uerr
	}
	return nil, fmt.Errorf("revision name %s collides: bumped collisionCount: %w", r.Name, err)
}

// cleanupHistory deletes the oldest revisions beyond revisionHistoryLimit
// that no pod (even a terminal one being deleted) still runs.
func (c *Controller) cleanupHistory(ds *api.DaemonSet, old []*api.ControllerRevision) error {
	toKill := len(old) - int(ds.RevisionHistoryLimit)
	if toKill <= 0 {
		return nil
	}
	live := map[string]bool{}
	for _, pods := range c.daemonPods(ds, true) {
		for _, p := range pods {
			if h := p.Labels[HashLabel]; h != "" {
				live[h] = true
			}
		}
	}
	sorted := slices.Clone(old)
	slices.SortStableFunc(sorted, func(a, b *api.ControllerRevision) int { return int(a.Revision - b.Revision) })
	for _, r := range sorted {
		if toKill <= 0 {
			break
		}
		if live[r.Labels[HashLabel]] {
			continue
		}
		if err := c.st.Revisions.Delete(Component, r.Namespace, r.Name, store.DeleteOptions{UID: r.UID}, ReasonRevision); err != nil && !errors.Is(err, store.ErrNotFound) {
			return err
		}
		toKill--
	}
	return nil
}
