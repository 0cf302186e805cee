package deployment

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/kubesim/kubesim/controllers/reconciler"
	"github.com/kubesim/kubesim/sim/api"
	"github.com/kubesim/kubesim/sim/store"
)

var _ reconciler.Reconciler = (*Controller)(nil)

// syncState is one sync's view of a Deployment: its latest stored version and
// the ReplicaSets it controls, each replaced by its stored version after every
// write the sync makes, so that later steps never write a stale copy.
type syncState struct {
	d       *api.Deployment
	rsList  []*api.ReplicaSet
	requeue time.Duration
}

// Reconcile syncs the Deployment with the given key, as upstream's
// syncDeployment: see the package documentation for the steps.
func (c *Controller) Reconcile(key string) (reconciler.Result, error) {
	d, ok := c.st.Deployments.GetKey(key)
	if !ok || d.Selector == nil || d.Template == nil {
		// Gone, or invalid (upstream: the selector does not convert).
		return reconciler.Result{}, nil
	}
	if d.Selector.Empty() {
		c.st.Record(Component, d, ReasonSelectingAll, messageSelectingAll)
		if d.Status.ObservedGeneration < d.Generation {
			upd := d.Clone()
			upd.Status.ObservedGeneration = d.Generation
			_, err := c.st.Deployments.Update(Component, upd, reasonUpdateStatus)
			return reconciler.Result{}, err
		}
		return reconciler.Result{}, nil
	}
	s := &syncState{d: d}
	err := c.syncDeployment(s)
	if err != nil {
		return reconciler.Result{}, err
	}
	return reconciler.Result{RequeueAfter: s.requeue}, nil
}

func (c *Controller) syncDeployment(s *syncState) error {
	if err := c.claimReplicaSets(s); err != nil {
		return err
	}
	if s.d.DeletionTimestamp != nil {
		return c.syncStatusOnly(s)
	}
	if err := c.checkPausedConditions(s); err != nil {
		return err
	}
	if s.d.Paused {
		return c.sync(s)
	}
	scaling, err := c.isScalingEvent(s)
	if err != nil {
		return err
	}
	if scaling {
		return c.sync(s)
	}
	switch s.d.Strategy.Type {
	case StrategyRecreate:
		return c.rolloutRecreate(s)
	case StrategyRollingUpdate:
		return c.rolloutRolling(s)
	}
	// Rejected at load time; upstream returns an error and retries forever.
	return nil
}

// claimReplicaSets adopts orphan ReplicaSets that match the selector and
// releases controlled ones that no longer match (upstream's
// ClaimReplicaSets), leaving the controlled ones in s.rsList.
func (c *Controller) claimReplicaSets(s *syncState) error {
	d := s.d
	var errs []error
	for _, rs := range c.st.ReplicaSets.ByIndex(store.IndexOwner, string(d.UID)) {
		ref := rs.ControllerRef()
		if ref == nil || ref.UID != d.UID || rs.Namespace != d.Namespace {
			continue
		}
		if d.Selector.Matches(rs.Labels) {
			s.rsList = append(s.rsList, rs)
			continue
		}
		if d.DeletionTimestamp != nil {
			continue
		}
		upd := rs.Clone()
		upd.OwnerReferences = api.WithoutOwner(rs.OwnerReferences, d.UID)
		if _, err := c.st.ReplicaSets.Update(Component, upd, reasonReleased); err != nil && !errors.Is(err, store.ErrNotFound) {
			errs = append(errs, err)
		}
	}
	if d.DeletionTimestamp == nil {
		for _, rs := range c.orphansIn(d.Namespace) {
			if rs.DeletionTimestamp != nil || !d.Selector.Matches(rs.Labels) {
				continue
			}
			upd := rs.Clone()
			upd.OwnerReferences = append(slices.Clone(rs.OwnerReferences), api.NewControllerRef(d))
			got, err := c.st.ReplicaSets.Update(Component, upd, reasonAdopted)
			if err != nil {
				if !errors.Is(err, store.ErrNotFound) {
					errs = append(errs, err)
				}
				continue
			}
			s.rsList = append(s.rsList, got)
		}
	}
	return errors.Join(errs...)
}

// updateRS writes rs (a modified copy of a listed ReplicaSet) and puts the
// stored result in s.rsList.
func (c *Controller) updateRS(s *syncState, rs *api.ReplicaSet, reason string) (*api.ReplicaSet, error) {
	got, err := c.st.ReplicaSets.Update(Component, rs, reason)
	if err != nil {
		return nil, err
	}
	for i, x := range s.rsList {
		if x.UID == got.UID {
			s.rsList[i] = got
		}
	}
	return got, nil
}

// updateDeployment writes d (a modified copy of s.d) and makes the stored
// result s.d.
func (c *Controller) updateDeployment(s *syncState, d *api.Deployment, reason string) error {
	got, err := c.st.Deployments.Update(Component, d, reason)
	if err != nil {
		return err
	}
	s.d = got
	return nil
}

// fresh returns the current version of rs in s.rsList (rs itself if absent).
func (s *syncState) fresh(rs *api.ReplicaSet) *api.ReplicaSet {
	if rs == nil {
		return nil
	}
	for _, x := range s.rsList {
		if x.UID == rs.UID {
			return x
		}
	}
	return rs
}

func (s *syncState) freshAll(rss []*api.ReplicaSet) []*api.ReplicaSet {
	out := make([]*api.ReplicaSet, len(rss))
	for i, rs := range rss {
		out[i] = s.fresh(rs)
	}
	return out
}

// getAllReplicaSetsAndSyncRevision returns the new ReplicaSet (the oldest
// whose template equals the Deployment's; nil if none and create is false)
// and the old ones, oldest first. The new ReplicaSet's revision is raised to
// max(old revisions)+1 and the Deployment's revision annotation follows it.
func (c *Controller) getAllReplicaSetsAndSyncRevision(s *syncState, create bool) (*api.ReplicaSet, []*api.ReplicaSet, error) {
	sorted := slices.Clone(s.rsList)
	slices.SortFunc(sorted, compareByCreation)
	var newRS *api.ReplicaSet
	for _, rs := range sorted {
		if EqualIgnoreHash(rs.Template, s.d.Template) {
			newRS = rs
			break
		}
	}
	old := make([]*api.ReplicaSet, 0, len(sorted))
	for _, rs := range sorted {
		if rs != newRS {
			old = append(old, rs)
		}
	}
	newRS, err := c.getNewReplicaSet(s, newRS, old, create)
	return newRS, old, err
}

// getNewReplicaSet syncs the revision of an existing new ReplicaSet, or
// creates one when create is set (upstream's getNewReplicaSet).
func (c *Controller) getNewReplicaSet(s *syncState, existing *api.ReplicaSet, old []*api.ReplicaSet, create bool) (*api.ReplicaSet, error) {
	d := s.d
	newRevision := maxRevision(old) + 1
	if existing != nil {
		upd := existing.Clone()
		upd.Annotations = maps.Clone(existing.Annotations)
		changed := setNewReplicaSetAnnotations(d, upd, newRevision, true)
		minReadyChanged := upd.MinReadySeconds != d.MinReadySeconds
		if changed || minReadyChanged {
			if minReadyChanged {
				upd.MinReadySeconds = d.MinReadySeconds
				upd.Generation++
			}
			return c.updateRS(s, upd, reasonSyncRevision)
		}
		dUpd := d.Clone()
		needsUpdate := setDeploymentRevision(dUpd, existing.Annotations[AnnotationRevision])
		if HasProgressDeadline(d) && api.FindCondition(d.Status.Conditions, ConditionProgressing) == nil {
			dUpd.Status.Conditions = setDeploymentCondition(dUpd.Status.Conditions, c.newCondition(ConditionProgressing, api.ConditionTrue,
				ReasonFoundNewRS, fmt.Sprintf("Found new replica set %q", existing.Name)))
			needsUpdate = true
		}
		if needsUpdate {
			if err := c.updateDeployment(s, dUpd, reasonUpdateStatus); err != nil {
				return nil, err
			}
		}
		return existing, nil
	}
	if !create {
		return nil, nil
	}

	hash := api.TemplateHash(d.Template.Hash, d.Status.CollisionCount)
	labels := maps.Clone(d.Template.Labels)
	if labels == nil {
		labels = map[string]string{}
	}
	labels[LabelPodTemplateHash] = hash
	tmpl := &api.PodTemplate{Labels: labels, Annotations: d.Template.Annotations, Spec: d.Template.Spec, Hash: d.Template.Hash}
	sel := &api.Selector{Requirements: append(slices.Clone(d.Selector.Requirements),
		api.Requirement{Key: LabelPodTemplateHash, Operator: api.OpIn, Values: []string{hash}})}
	rs := &api.ReplicaSet{
		ObjectMeta: api.ObjectMeta{
			Name:            d.Name + "-" + hash,
			Namespace:       d.Namespace,
			Labels:          labels,
			OwnerReferences: []api.OwnerReference{api.NewControllerRef(d)},
		},
		MinReadySeconds: d.MinReadySeconds,
		Selector:        sel,
		Template:        tmpl,
	}
	rs.Replicas = NewRSNewReplicas(d, withNew(old, rs), rs)
	setNewReplicaSetAnnotations(d, rs, newRevision, false)
	replicas := rs.Replicas
	created, err := c.st.ReplicaSets.Create(Component, rs, ReasonNewReplicaSet)
	alreadyExists := false
	switch {
	case errors.Is(err, store.ErrAlreadyExists):
		cur, ok := c.st.ReplicaSets.Get(d.Namespace, rs.Name)
		if ok {
			if ref := cur.ControllerRef(); ref != nil && ref.UID == d.UID && EqualIgnoreHash(d.Template, cur.Template) {
				created, err, alreadyExists = cur, nil, true
				break
			}
		}
		// A different template took the name: bump collisionCount so that
		// the next sync tries another hash.
		dUpd := d.Clone()
		dUpd.Status.CollisionCount++
		if uerr := c.updateDeployment(s, dUpd, reasonHashCollision); uerr != nil {
			return nil, uerr
		}
		return nil, err
	case err != nil:
		msg := fmt.Sprintf("Failed to create new replica set %q: %v", rs.Name, err)
		if HasProgressDeadline(d) {
			dUpd := d.Clone()
			dUpd.Status.Conditions = setDeploymentCondition(dUpd.Status.Conditions,
				c.newCondition(ConditionProgressing, api.ConditionFalse, ReasonFailedRSCreate, msg))
			_ = c.updateDeployment(s, dUpd, reasonUpdateStatus)
		}
		c.st.Record(Component, s.d, ReasonFailedRSCreate, msg)
		return nil, err
	}
	if !alreadyExists {
		s.rsList = append(s.rsList, created)
		if replicas > 0 {
			c.st.Record(Component, s.d, ReasonScalingReplicaSet, fmt.Sprintf("Scaled up replica set %s from 0 to %d", created.Name, replicas))
		}
	}
	dUpd := s.d.Clone()
	needsUpdate := setDeploymentRevision(dUpd, strconv.FormatInt(newRevision, 10))
	if !alreadyExists && HasProgressDeadline(d) {
		dUpd.Status.Conditions = setDeploymentCondition(dUpd.Status.Conditions, c.newCondition(ConditionProgressing, api.ConditionTrue,
			ReasonNewReplicaSet, fmt.Sprintf("Created new replica set %q", created.Name)))
		needsUpdate = true
	}
	if needsUpdate {
		if err := c.updateDeployment(s, dUpd, reasonUpdateStatus); err != nil {
			return created, err
		}
	}
	return created, nil
}

// setNewReplicaSetAnnotations copies the Deployment's annotations (but the
// skipped ones) to rs, raises its revision to newRevision (keeping the
// revisions it served before in revision-history) and, for a ReplicaSet
// about to be created, sets the replicas annotations. rs.Annotations must be
// rs's own map. It reports whether anything changed.
func setNewReplicaSetAnnotations(d *api.Deployment, rs *api.ReplicaSet, newRevision int64, exists bool) bool {
	if rs.Annotations == nil {
		rs.Annotations = map[string]string{}
	}
	changed := false
	for k, v := range d.Annotations {
		if skipCopy(k) {
			continue
		}
		if cur, ok := rs.Annotations[k]; ok && cur == v {
			continue
		}
		rs.Annotations[k] = v
		changed = true
	}
	oldRevision, had := rs.Annotations[AnnotationRevision]
	oldRev, err := strconv.ParseInt(oldRevision, 10, 64)
	if err != nil {
		if oldRevision != "" {
			return false
		}
		oldRev = 0
	}
	if oldRev < newRevision {
		rs.Annotations[AnnotationRevision] = strconv.FormatInt(newRevision, 10)
		changed = true
		if had {
			appendRevisionHistory(rs, oldRevision)
		}
	}
	if !exists && setReplicasAnnotations(rs, d.Replicas, d.Replicas+MaxSurge(d)) {
		changed = true
	}
	return changed
}

// appendRevisionHistory adds a revision to rs's revision-history annotation,
// dropping the oldest entries to stay within maxRevisionHistoryChars.
func appendRevisionHistory(rs *api.ReplicaSet, revision string) {
	hist := rs.Annotations[AnnotationRevisionHistory]
	if hist == "" {
		rs.Annotations[AnnotationRevisionHistory] = revision
		return
	}
	entries := strings.Split(hist, ",")
	total := len(hist) + len(revision) + 1
	start := 0
	for total > maxRevisionHistoryChars && start < len(entries) {
		total -= len(entries[start]) + 1
		start++
	}
	if total <= maxRevisionHistoryChars {
		rs.Annotations[AnnotationRevisionHistory] = strings.Join(append(entries[start:], revision), ",")
	}
}

// setReplicasAnnotations sets the desired-replicas and max-replicas
// annotations of rs (whose Annotations map must be its own) and reports
// whether they changed.
func setReplicasAnnotations(rs *api.ReplicaSet, desired, maxReplicas int32) bool {
	if rs.Annotations == nil {
		rs.Annotations = map[string]string{}
	}
	changed := false
	for _, kv := range [2]struct {
		k string
		v int32
	}{{AnnotationDesiredReplicas, desired}, {AnnotationMaxReplicas, maxReplicas}} {
		s := strconv.FormatInt(int64(kv.v), 10)
		if rs.Annotations[kv.k] != s {
			rs.Annotations[kv.k] = s
			changed = true
		}
	}
	return changed
}

func replicasAnnotationsNeedUpdate(rs *api.ReplicaSet, desired, maxReplicas int32) bool {
	return rs.Annotations[AnnotationDesiredReplicas] != strconv.FormatInt(int64(desired), 10) ||
		rs.Annotations[AnnotationMaxReplicas] != strconv.FormatInt(int64(maxReplicas), 10)
}

// setDeploymentRevision sets d's revision annotation (d must be a copy; its
// map is replaced) and reports whether it changed.
func setDeploymentRevision(d *api.Deployment, revision string) bool {
	if cur, ok := d.Annotations[AnnotationRevision]; ok && cur == revision {
		return false
	}
	a := maps.Clone(d.Annotations)
	if a == nil {
		a = map[string]string{}
	}
	a[AnnotationRevision] = revision
	d.Annotations = a
	return true
}

// isScalingEvent reports whether an active ReplicaSet was sized for other
// spec.replicas than the Deployment's (its desired-replicas annotation).
func (c *Controller) isScalingEvent(s *syncState) (bool, error) {
	newRS, old, err := c.getAllReplicaSetsAndSyncRevision(s, false)
	if err != nil {
		return false, err
	}
	for _, rs := range filterActive(s.freshAll(withNew(old, newRS))) {
		if desired, ok := intAnnotation(rs, AnnotationDesiredReplicas); ok && desired != s.d.Replicas {
			return true, nil
		}
	}
	return false, nil
}

// sync handles a scaling event or a paused Deployment: proportional scaling,
// history cleanup when paused, and the status (no progress estimation).
func (c *Controller) sync(s *syncState) error {
	newRS, old, err := c.getAllReplicaSetsAndSyncRevision(s, false)
	if err != nil {
		return err
	}
	if err := c.scale(s, newRS, old); err != nil {
		return err
	}
	if s.d.Paused {
		if err := c.cleanupDeployment(s, old); err != nil {
			return err
		}
	}
	return c.syncDeploymentStatus(s, withNew(old, newRS), newRS)
}

// syncStatusOnly writes the status of a Deployment being deleted.
func (c *Controller) syncStatusOnly(s *syncState) error {
	newRS, old, err := c.getAllReplicaSetsAndSyncRevision(s, false)
	if err != nil {
		return err
	}
	return c.syncDeploymentStatus(s, withNew(old, newRS), newRS)
}

// scale sizes the ReplicaSets for spec.replicas: the only active (or newest)
// one takes them all; a saturated new one leaves the old ones at 0; otherwise
// a rolling Deployment shares the change proportionally (upstream's scale).
func (c *Controller) scale(s *syncState, newRS *api.ReplicaSet, old []*api.ReplicaSet) error {
	d := s.d
	newRS, old = s.fresh(newRS), s.freshAll(old)
	if rs := findActiveOrLatest(newRS, old); rs != nil {
		if rs.Replicas == d.Replicas {
			return nil
		}
		_, _, err := c.scaleReplicaSetAndRecordEvent(s, rs, d.Replicas)
		return err
	}
	if IsSaturated(d, newRS) {
		for _, rs := range filterActive(old) {
			if _, _, err := c.scaleReplicaSetAndRecordEvent(s, rs, 0); err != nil {
				return err
			}
		}
		return nil
	}
	if !IsRollingUpdate(d) {
		return nil
	}
	all := filterActive(withNew(old, newRS))
	sizes, op := proportionalSizes(d, all)
	for i, rs := range all {
		if _, err := c.scaleReplicaSet(s, rs, sizes[i], op); err != nil {
			return err
		}
	}
	return nil
}

// proportionalSizes returns the new sizes of the active ReplicaSets all when
// d's replicas + maxSurge is shared among them, and sorts all in the order
// they are scaled: by size, larger first; among equals newer first when
// growing and older first when shrinking. Each gets its GetProportion; the
// leftover of rounding goes to the first (clamped at 0). op is "up" or
// "down" (empty when nothing is to be added), for the events.
func proportionalSizes(d *api.Deployment, all []*api.ReplicaSet) (sizes []int32, op string) {
	allowed := int32(0)
	if d.Replicas > 0 {
		allowed = d.Replicas + MaxSurge(d)
	}
	toAdd := allowed - specReplicas(all)
	switch {
	case toAdd > 0:
		slices.SortFunc(all, compareBySizeNewer)
		op = "up"
	case toAdd < 0:
		slices.SortFunc(all, compareBySizeOlder)
		op = "down"
	}
	sizes = make([]int32, len(all))
	var added int32
	for i, rs := range all {
		sizes[i] = rs.Replicas
		if toAdd != 0 {
			p := GetProportion(rs, d, toAdd, added)
			sizes[i] += p
			added += p
		}
	}
	if len(all) > 0 && toAdd != 0 {
		sizes[0] = max(sizes[0]+toAdd-added, 0)
	}
	return sizes, op
}

// findActiveOrLatest returns the only active ReplicaSet, or the newest one
// when none is active; nil when several are active.
func findActiveOrLatest(newRS *api.ReplicaSet, old []*api.ReplicaSet) *api.ReplicaSet {
	if newRS == nil && len(old) == 0 {
		return nil
	}
	newestFirst := slices.Clone(old)
	slices.SortFunc(newestFirst, func(a, b *api.ReplicaSet) int { return compareByCreation(b, a) })
	active := filterActive(withNew(newestFirst, newRS))
	switch len(active) {
	case 0:
		if newRS != nil {
			return newRS
		}
		return newestFirst[0]
	case 1:
		return active[0]
	}
	return nil
}

// scaleReplicaSetAndRecordEvent scales rs to n if it is not already that
// size; it reports whether it did and returns the current version.
func (c *Controller) scaleReplicaSetAndRecordEvent(s *syncState, rs *api.ReplicaSet, n int32) (bool, *api.ReplicaSet, error) {
	rs = s.fresh(rs)
	if rs.Replicas == n {
		return false, rs, nil
	}
	op := "up"
	if rs.Replicas > n {
		op = "down"
	}
	got, err := c.scaleReplicaSet(s, rs, n, op)
	return err == nil, got, err
}

// scaleReplicaSet sets rs's size to n and its replicas annotations to the
// Deployment's, writing only what differs, and records a ScalingReplicaSet
// event when the size changed.
func (c *Controller) scaleReplicaSet(s *syncState, rs *api.ReplicaSet, n int32, op string) (*api.ReplicaSet, error) {
	d := s.d
	rs = s.fresh(rs)
	maxReplicas := d.Replicas + MaxSurge(d)
	sizeChanged := rs.Replicas != n
	if !sizeChanged && !replicasAnnotationsNeedUpdate(rs, d.Replicas, maxReplicas) {
		return rs, nil
	}
	from := rs.Replicas
	upd := rs.Clone()
	upd.Annotations = maps.Clone(rs.Annotations)
	upd.Replicas = n
	if sizeChanged {
		upd.Generation++
	}
	setReplicasAnnotations(upd, d.Replicas, maxReplicas)
	got, err := c.updateRS(s, upd, ReasonScalingReplicaSet)
	if err != nil {
		return nil, err
	}
	if sizeChanged {
		c.st.Record(Component, d, ReasonScalingReplicaSet, fmt.Sprintf("Scaled %s replica set %s from %d to %d", op, got.Name, from, n))
	}
	return got, nil
}

// cleanupDeployment deletes the oldest old ReplicaSets beyond
// revisionHistoryLimit, oldest revision first, skipping any that still has
// replicas (spec or status), an unobserved generation or a deletion under
// way.
func (c *Controller) cleanupDeployment(s *syncState, old []*api.ReplicaSet) error {
	d := s.d
	if !hasRevisionHistoryLimit(d) {
		return nil
	}
	var alive []*api.ReplicaSet
	for _, rs := range s.freshAll(old) {
		if rs.DeletionTimestamp == nil {
			alive = append(alive, rs)
		}
	}
	diff := len(alive) - int(d.RevisionHistoryLimit)
	if diff <= 0 {
		return nil
	}
	slices.SortFunc(alive, compareByRevision)
	for _, rs := range alive[:diff] {
		if rs.Status.Replicas != 0 || rs.Replicas != 0 || rs.Generation > rs.Status.ObservedGeneration || rs.DeletionTimestamp != nil {
			continue
		}
		err := c.st.ReplicaSets.Delete(Component, rs.Namespace, rs.Name, store.DeleteOptions{UID: rs.UID}, reasonCleanupReplicaSet)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return err
		}
	}
	return nil
}

// syncDeploymentStatus writes the status calculated from the ReplicaSets if
// it differs from the stored one.
func (c *Controller) syncDeploymentStatus(s *syncState, all []*api.ReplicaSet, newRS *api.ReplicaSet) error {
	st := c.calculateStatus(s.d, all, newRS)
	if statusEqual(&s.d.Status, &st) {
		return nil
	}
	upd := s.d.Clone()
	upd.Status = st
	return c.updateDeployment(s, upd, reasonUpdateStatus)
}

// calculateStatus returns the Deployment's status for its ReplicaSets, with
// the Available condition set for the current availability.
func (c *Controller) calculateStatus(d *api.Deployment, all []*api.ReplicaSet, newRS *api.ReplicaSet) api.DeploymentStatus {
	var available, ready, terminating, updated int32
	for _, rs := range all {
		if rs == nil {
			continue
		}
		available += rs.Status.AvailableReplicas
		ready += rs.Status.ReadyReplicas
		terminating += rs.Status.TerminatingReplicas
	}
	if newRS != nil {
		updated = newRS.Status.Replicas
	}
	st := api.DeploymentStatus{
		ObservedGeneration:  d.Generation,
		Replicas:            statusReplicas(all),
		UpdatedReplicas:     updated,
		ReadyReplicas:       ready,
		AvailableReplicas:   available,
		UnavailableReplicas: max(specReplicas(all)-available, 0),
		TerminatingReplicas: terminating,
		CollisionCount:      d.Status.CollisionCount,
		Conditions:          slices.Clone(d.Status.Conditions),
	}
	if available >= d.Replicas-MaxUnavailable(d) {
		st.Conditions = setDeploymentCondition(st.Conditions, c.newCondition(ConditionAvailable, api.ConditionTrue, ReasonMinimumAvailable, messageMinimumAvailable))
	} else {
		st.Conditions = setDeploymentCondition(st.Conditions, c.newCondition(ConditionAvailable, api.ConditionFalse, ReasonMinimumUnavailable, messageMinimumUnavailable))
	}
	return st
}

// statusEqual compares two statuses field by field, conditions in order.
func statusEqual(a, b *api.DeploymentStatus) bool {
	return a.ObservedGeneration == b.ObservedGeneration && a.Replicas == b.Replicas &&
		a.UpdatedReplicas == b.UpdatedReplicas && a.ReadyReplicas == b.ReadyReplicas &&
		a.AvailableReplicas == b.AvailableReplicas && a.UnavailableReplicas == b.UnavailableReplicas &&
		a.TerminatingReplicas == b.TerminatingReplicas && a.CollisionCount == b.CollisionCount &&
		slices.Equal(a.Conditions, b.Conditions)
}
