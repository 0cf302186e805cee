package statefulset

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/kubesim/kubesim/controllers/reconciler"
	"github.com/kubesim/kubesim/sim"
	"github.com/kubesim/kubesim/sim/api"
	"github.com/kubesim/kubesim/sim/store"
)

var _ reconciler.Reconciler = (*Controller)(nil)

// Reconcile syncs the StatefulSet with the given key; see the package
// documentation for the steps.
func (c *Controller) Reconcile(key string) (reconciler.Result, error) {
	set, ok := c.st.StatefulSets.GetKey(key)
	if !ok {
		return reconciler.Result{}, nil
	}
	if set.Selector == nil || set.Template == nil || set.Template.Spec == nil {
		// Invalid (upstream: the selector does not convert); nothing to do.
		return reconciler.Result{}, nil
	}
	revisions, err := c.listRevisions(set)
	if err != nil {
		return reconciler.Result{}, err
	}
	pods, err := c.claimPods(set)
	if err != nil {
		return reconciler.Result{}, err
	}
	err = c.updateStatefulSet(set, pods, revisions)
	return reconciler.Result{RequeueAfter: c.nextAvailable(set, pods)}, err
}

// listRevisions returns the set's ControllerRevisions sorted by revision
// number (then creation time, then name), after adopting orphan revisions
// that match its selector (upstream's ListRevisions and
// AdoptOrphanRevisions).
func (c *Controller) listRevisions(set *api.StatefulSet) ([]*api.ControllerRevision, error) {
	var out []*api.ControllerRevision
	for _, r := range c.st.Revisions.ByIndex(store.IndexOwner, string(set.UID)) {
		if ref := r.ControllerRef(); ref != nil && ref.UID == set.UID && set.Selector.Matches(r.Labels) {
			out = append(out, r)
		}
	}
	var errs []error
	for _, k := range c.orphanRevs.keys(set.Namespace) {
		r, ok := c.st.Revisions.GetKey(k)
		if !ok || r.ControllerRef() != nil || !set.Selector.Matches(r.Labels) {
			continue
		}
		if set.DeletionTimestamp != nil {
			break
		}
		upd := r.Clone()
		upd.OwnerReferences = append(slices.Clone(r.OwnerReferences), api.NewControllerRef(set))
		adopted, err := c.st.Revisions.Update(Component, upd, "Adopted")
		if err != nil {
			errs = append(errs, err)
			continue
		}
		out = append(out, adopted)
	}
	sortRevisions(out)
	return out, errors.Join(errs...)
}

// sortRevisions sorts by Revision, then creation time, then name, as
// upstream's history.SortControllerRevisions.
func sortRevisions(rs []*api.ControllerRevision) {
	slices.SortStableFunc(rs, func(a, b *api.ControllerRevision) int {
		switch {
		case a.Revision != b.Revision:
			return cmpInt(a.Revision, b.Revision)
		case a.CreationTimestamp != b.CreationTimestamp:
			return cmpInt(int64(a.CreationTimestamp), int64(b.CreationTimestamp))
		case a.Name < b.Name:
			return -1
		case a.Name > b.Name:
			return 1
		}
		return 0
	})
}

func cmpInt(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// claimPods returns every pod the set controls after adopting matching
// orphans and releasing owned pods that no longer match (upstream's
// ClaimPods with the isMemberOf filter: a pod matches when the selector
// matches its labels and its name is "<set>-<ordinal>").
func (c *Controller) claimPods(set *api.StatefulSet) ([]*api.Pod, error) {
	matches := func(p *api.Pod) bool { return set.Selector.Matches(p.Labels) && isMemberOf(set, p) }
	var out []*api.Pod
	var errs []error
	for _, p := range c.st.Pods.ByIndex(store.IndexOwner, string(set.UID)) {
		ref := p.ControllerRef()
		if ref == nil || ref.UID != set.UID {
			continue
		}
		if matches(p) {
			out = append(out, p)
			continue
		}
		if set.DeletionTimestamp != nil {
			continue
		}
		if err := c.setOwners(p, api.WithoutOwner(p.OwnerReferences, set.UID), "Released"); err != nil && !errors.Is(err, store.ErrNotFound) {
			errs = append(errs, err)
		}
	}
	prefix := set.Namespace + "/"
	for _, k := range c.orphanPods.keys(set.Namespace) {
		if parent, _ := ParseOrdinal(strings.TrimPrefix(k, prefix)); parent != set.Name {
			continue // not a member by name: never claimed
		}
		p, ok := c.st.Pods.GetKey(k)
		if !ok || p.ControllerRef() != nil || p.DeletionTimestamp != nil || set.DeletionTimestamp != nil || !matches(p) {
			continue
		}
		refs := append(slices.Clone(p.OwnerReferences), api.NewControllerRef(set))
		if err := c.setOwners(p, refs, "Adopted"); err != nil {
			if !errors.Is(err, store.ErrNotFound) {
				errs = append(errs, err)
			}
			continue
		}
		if q, ok := c.st.Pods.GetKey(k); ok {
			out = append(out, q)
		}
	}
	return out, errors.Join(errs...)
}

// setOwners writes new ownerReferences on the current version of pod p.
func (c *Controller) setOwners(p *api.Pod, refs []api.OwnerReference, reason string) error {
	cur, ok := c.st.Pods.GetKey(p.Key())
	if !ok || cur.UID != p.UID {
		return fmt.Errorf("pod %s: %w", p.Key(), store.ErrNotFound)
	}
	upd := cur.Clone()
	upd.OwnerReferences = refs
	_, err := c.st.Pods.Update(Component, upd, reason)
	return err
}

// revisions returns the set's current and update revisions and the collision
// count, creating the update revision, or renumbering an older equal one (a
// rollback), when needed (upstream's getStatefulSetRevisions). revisions is
// sorted.
func (c *Controller) revisions(set *api.StatefulSet, revisions []*api.ControllerRevision) (current, update *api.ControllerRevision, collisions int32, err error) {
	collisions = set.Status.CollisionCount
	next := int64(1)
	if n := len(revisions); n > 0 {
		next = revisions[n-1].Revision + 1
	}
	var equal *api.ControllerRevision // the newest revision equal to the set's template
	for _, r := range revisions {
		if equalTemplates(r.Template, set.Template) {
			equal = r
		}
	}
	switch {
	case equal != nil && equal == revisions[len(revisions)-1]:
		update = equal
	case equal != nil:
		upd := equal.Clone()
		upd.Revision = next
		if update, err = c.st.Revisions.Update(Component, upd, "UpdateControllerRevision"); err != nil {
			return nil, nil, collisions, err
		}
	default:
		if update, err = c.createRevision(set, next, &collisions); err != nil {
			return nil, nil, collisions, err
		}
	}
	for _, r := range revisions {
		if r.Name == set.Status.CurrentRevision {
			current = r
			break
		}
	}
	if current == nil {
		current = update
	}
	return current, update, collisions, nil
}

// equalTemplates reports whether two templates are the same revision: the
// same object or the same content hash.
func equalTemplates(a, b *api.PodTemplate) bool {
	return a == b || (a != nil && b != nil && a.Hash == b.Hash)
}

// createRevision creates the revision of the set's template, named
// "<set>-<hash>"; a name taken by a different revision bumps the collision
// count and is retried, as upstream's CreateControllerRevision.
func (c *Controller) createRevision(set *api.StatefulSet, number int64, collisions *int32) (*api.ControllerRevision, error) {
	for {
		hash := api.TemplateHash(set.Template.Hash, *collisions)
		labels := make(map[string]string, len(set.Template.Labels)+1)
		for k, v := range set.Template.Labels {
			labels[k] = v
		}
		labels[LabelRevisionHash] = hash
		rev := &api.ControllerRevision{
			ObjectMeta: api.ObjectMeta{
				Name:            RevisionName(set.Name, hash),
				Namespace:       set.Namespace,
				Labels:          labels,
				Annotations:     set.Annotations,
				OwnerReferences: []api.OwnerReference{api.NewControllerRef(set)},
			},
			Revision: number,
			Template: set.Template,
		}
		created, err := c.st.Revisions.Create(Component, rev, "CreateControllerRevision")
		if err == nil {
			return created, nil
		}
		if !errors.Is(err, store.ErrAlreadyExists) {
			return nil, err
		}
		exists, ok := c.st.Revisions.Get(set.Namespace, rev.Name)
		if ok {
			if ref := exists.ControllerRef(); ref != nil && ref.UID == set.UID && equalTemplates(exists.Template, set.Template) {
				return exists, nil
			}
		}
		*collisions++
	}
}

// slot is one ordinal of the set's range and the pod holding it before the
// sync, or nil (upstream's placeholder pod, not yet created: a pod created
// by the sync does not count in the status that sync writes).
type slot struct {
	ord int
	pod *api.Pod
}

// syncState is the state of one sync of one set.
type syncState struct {
	c               *Controller
	set             *api.StatefulSet
	now             sim.Time
	current, update *api.ControllerRevision
	replicas        []slot     // the ordinal range, lowest first
	condemned       []*api.Pod // pods beyond the range, highest ordinal first
	firstUnhealthy  *api.Pod
	monotonic       bool // OrderedReady
	rolling         bool // updateStrategy RollingUpdate
	minReady        int32
	// partitionOrdinal: new pods below it get the current revision.
	partitionOrdinal int
	status           api.StatefulSetStatus
}

// updateStatefulSet is upstream's UpdateStatefulSet: revisions, pods,
// status, history.
func (c *Controller) updateStatefulSet(set *api.StatefulSet, pods []*api.Pod, revisions []*api.ControllerRevision) error {
	current, update, collisions, err := c.revisions(set, revisions)
	if err != nil {
		return err
	}
	s := &syncState{c: c, set: set, now: c.st.Now(), current: current, update: update,
		monotonic: set.PodManagementPolicy != Parallel, minReady: set.MinReadySeconds,
		rolling: set.UpdateStrategy.Type != OnDelete}
	s.partitionOrdinal = -1
	if s.rolling {
		s.partitionOrdinal = startOrdinal(set) + int(set.UpdateStrategy.Partition)
	}
	s.status = api.StatefulSetStatus{ObservedGeneration: set.Generation, CurrentRevision: current.Name,
		UpdateRevision: update.Name, CollisionCount: collisions}
	syncErr := s.run(pods)
	statusErr := c.writeStatus(set, s.status)
	histErr := c.truncateHistory(set, pods, revisions, current, update)
	return errors.Join(syncErr, statusErr, histErr)
}

// run is upstream's updateStatefulSet: it partitions the pods, processes the
// replicas in ordinal order, then the condemned pods, then the rolling
// update, and leaves the status in s.status.
func (s *syncState) run(pods []*api.Pod) error {
	set := s.set
	if set.DeletionTimestamp != nil {
		s.countStatus(pods, nil)
		return nil
	}
	start := startOrdinal(set)
	s.replicas = make([]slot, max(int(set.Replicas), 0))
	for i := range s.replicas {
		s.replicas[i].ord = start + i
	}
	for _, p := range pods {
		ord := ordinalOf(p)
		switch {
		case ord >= start && ord <= endOrdinal(set):
			s.replicas[ord-start].pod = p
		case ord >= 0:
			s.condemned = append(s.condemned, p)
		}
	}
	// Condemned pods from the highest ordinal down.
	slices.SortStableFunc(s.condemned, func(a, b *api.Pod) int { return ordinalOf(b) - ordinalOf(a) })
	// The first unhealthy pod: a replica's when some replica is missing or
	// unavailable (then no condemned pod is it), else the lowest condemned
	// one. Only a monotonic scale-down uses it.
	if !s.anyReplicaUnavailable() {
		for i := len(s.condemned) - 1; i >= 0; i-- {
			if isUnavailable(s.condemned[i], s.minReady, s.now) {
				s.firstUnhealthy = s.condemned[i]
				break
			}
		}
	}

	if exit, err := s.forAll(len(s.replicas), s.processReplica); exit || err != nil {
		s.countStatus(nil, s.condemned)
		return err
	}
	if exit, err := s.forAll(len(s.condemned), s.processCondemned); exit || err != nil {
		s.countStatus(nil, s.condemned)
		return err
	}
	s.countStatus(nil, s.condemned)
	if !s.rolling {
		return nil
	}
	return s.rollingUpdate()
}

// anyReplicaUnavailable reports whether some ordinal of the range is missing
// or unavailable.
func (s *syncState) anyReplicaUnavailable() bool {
	for _, r := range s.replicas {
		if isUnavailable(r.pod, s.minReady, s.now) {
			return true
		}
	}
	return false
}

// forAll runs fn over 0..n-1: in order, stopping at the first that asks to
// stop or fails, when monotonic (OrderedReady); else in slow-start batches
// of 1, 2, 4, … (at most MaxBatchSize), stopping after a batch with a
// failure (Parallel).
func (s *syncState) forAll(n int, fn func(i int) (bool, error)) (bool, error) {
	if s.monotonic {
		for i := range n {
			if exit, err := fn(i); exit || err != nil {
				return true, err
			}
		}
		return false, nil
	}
	next := 0
	for size := min(n, 1); size > 0; size = min(2*size, n-next, MaxBatchSize) {
		var errs []error
		for range size {
			if _, err := fn(next); err != nil {
				errs = append(errs, err)
			}
			next++
		}
		if len(errs) > 0 {
			return true, errors.Join(errs...)
		}
	}
	return false, nil
}

// processReplica is upstream's processReplica for ordinal slot i: it
// deletes a failed or succeeded pod, creates a missing one, waits (when
// monotonic) for a terminating, unready or not yet available pod, and
// restores a pod's identity labels. It reports whether a monotonic sync
// must stop here.
func (s *syncState) processReplica(i int) (bool, error) {
	r := &s.replicas[i]
	p := r.pod
	if p != nil && p.IsTerminal() {
		if p.DeletionTimestamp == nil {
			if err := s.c.deletePod(s.set, p); err != nil {
				return true, err
			}
		}
		// The replacement is made by a later sync, once the pod is gone.
		return true, nil
	}
	if p == nil {
		if err := s.c.createPod(s.set, s.newPod(r.ord)); err != nil {
			return true, err
		}
		return s.monotonic, nil
	}
	if s.monotonic && (isTerminating(p) || !isRunningAndReady(p) || !isAvailable(p, s.minReady, s.now)) {
		return true, nil
	}
	if identityMatches(s.set, p) {
		return false, nil
	}
	return false, s.c.fixIdentity(s.set, p)
}

// processCondemned is upstream's processCondemned for condemned pod i (pods
// beyond the range, highest ordinal first): when monotonic it waits for a
// terminating pod and for an unhealthy one unless it is the first unhealthy
// pod; otherwise it deletes the pod. In monotonic mode one deletion ends the
// sync.
func (s *syncState) processCondemned(i int) (bool, error) {
	p := s.condemned[i]
	if isTerminating(p) {
		return s.monotonic, nil
	}
	if s.monotonic && p != s.firstUnhealthy && (!isRunningAndReady(p) || !isAvailable(p, s.minReady, s.now)) {
		return true, nil
	}
	return true, s.c.deletePod(s.set, p)
}

// rollingUpdate is upstream's update step with MaxUnavailableStatefulSet on
// (beta, on by default in v1.35): with u replicas unavailable and m =
// maxUnavailable, up to m − u pods whose revision is not the update
// revision are deleted, from the highest ordinal down to the partition; none
// when u > m.
func (s *syncState) rollingUpdate() error {
	maxUnavailable := MaxUnavailable(s.set.UpdateStrategy.MaxUnavailable, s.set.Replicas)
	unavailable := 0
	for _, r := range s.replicas {
		if isUnavailable(r.pod, s.minReady, s.now) {
			unavailable++
		}
	}
	if unavailable > maxUnavailable {
		return nil
	}
	budget := maxUnavailable - unavailable
	minIndex := int(s.set.UpdateStrategy.Partition)
	for i := len(s.replicas) - 1; i >= minIndex && budget > 0; i-- {
		p := s.replicas[i].pod
		if p == nil || podRevision(p) == s.update.Name || isTerminating(p) {
			continue
		}
		if err := s.c.deletePod(s.set, p); err != nil && !errors.Is(err, store.ErrNotFound) {
			return err
		}
		budget--
		s.status.CurrentReplicas--
	}
	return nil
}

// countStatus sets the replica counts of s.status from pods, or from the
// range's pods (those that existed before this sync) plus condemned.
func (s *syncState) countStatus(pods, condemned []*api.Pod) {
	st := &s.status
	st.Replicas, st.ReadyReplicas, st.AvailableReplicas, st.CurrentReplicas, st.UpdatedReplicas = 0, 0, 0, 0, 0
	count := func(p *api.Pod) {
		st.Replicas++
		if isRunningAndReady(p) {
			st.ReadyReplicas++
			if isAvailable(p, s.minReady, s.now) {
				st.AvailableReplicas++
			}
		}
		if !isTerminating(p) {
			rev := podRevision(p)
			if rev == s.current.Name {
				st.CurrentReplicas++
			}
			if rev == s.update.Name {
				st.UpdatedReplicas++
			}
		}
	}
	if pods != nil {
		for _, p := range pods {
			count(p)
		}
		return
	}
	for _, r := range s.replicas {
		if r.pod != nil {
			count(r.pod)
		}
	}
	for _, p := range condemned {
		count(p)
	}
}

// newPod returns the pod for an ordinal: from the current revision's
// template below the partition of a RollingUpdate, else from the update
// revision's (upstream's newVersionedStatefulSetPod).
func (s *syncState) newPod(ord int) *api.Pod {
	rev := s.update
	if s.rolling && ord < s.partitionOrdinal {
		rev = s.current
	}
	set, tmpl := s.set, rev.Template
	name := PodName(set, ord)
	labels := make(map[string]string, len(tmpl.Labels)+3)
	for k, v := range tmpl.Labels {
		labels[k] = v
	}
	labels[LabelPodName] = name
	labels[LabelPodIndex] = strconv.Itoa(ord)
	labels[LabelRevision] = rev.Name
	return &api.Pod{
		ObjectMeta: api.ObjectMeta{
			Name:            name,
			Namespace:       set.Namespace,
			Labels:          labels,
			Annotations:     tmpl.Annotations,
			OwnerReferences: []api.OwnerReference{api.NewControllerRef(set)},
		},
		Spec:      tmpl.Spec,
		Hostname:  name,
		Subdomain: set.ServiceName,
	}
}

// createPod creates a pod and records upstream's event.
func (c *Controller) createPod(set *api.StatefulSet, p *api.Pod) error {
	_, err := c.st.Pods.Create(Component, p, ReasonSuccessfulCreate)
	if errors.Is(err, store.ErrAlreadyExists) {
		return err // upstream sinks the event for this one
	}
	c.recordPodEvent("create", set, p, err)
	return err
}

// deletePod deletes a pod (graceful when bound) and records the event.
func (c *Controller) deletePod(set *api.StatefulSet, p *api.Pod) error {
	err := c.st.Pods.Delete(Component, p.Namespace, p.Name, store.DeleteOptions{UID: p.UID}, ReasonSuccessfulDelete)
	c.recordPodEvent("delete", set, p, err)
	return err
}

// fixIdentity restores the pod-name and pod-index labels of a pod (upstream's
// UpdateStatefulPod with a mismatched identity).
func (c *Controller) fixIdentity(set *api.StatefulSet, p *api.Pod) error {
	upd := p.Clone()
	labels := make(map[string]string, len(p.Labels)+2)
	for k, v := range p.Labels {
		labels[k] = v
	}
	labels[LabelPodName] = p.Name
	labels[LabelPodIndex] = strconv.Itoa(ordinalOf(p))
	upd.Labels = labels
	_, err := c.st.Pods.Update(Component, upd, ReasonSuccessfulUpdate)
	c.recordPodEvent("update", set, p, err)
	return err
}

// recordPodEvent records upstream's event for verb ("create", "update",
// "delete") on a pod of the set: "create Pod web-0 in StatefulSet web
// successful", or with reason Failed<Verb> "... failed error: <err>".
func (c *Controller) recordPodEvent(verb string, set *api.StatefulSet, p *api.Pod, err error) {
	title := string(verb[0]-'a'+'A') + verb[1:]
	if err == nil {
		c.st.Record(Component, set, "Successful"+title, fmt.Sprintf("%s Pod %s in StatefulSet %s successful", verb, p.Name, set.Name))
		return
	}
	c.st.Record(Component, set, "Failed"+title, fmt.Sprintf("%s Pod %s in StatefulSet %s failed error: %s", verb, p.Name, set.Name, err))
}

// writeStatus completes a finished rolling update (every replica updated and
// ready: the update revision becomes current) and writes the status if it
// changed.
func (c *Controller) writeStatus(set *api.StatefulSet, status api.StatefulSetStatus) error {
	if set.UpdateStrategy.Type != OnDelete && status.UpdatedReplicas == set.Replicas &&
		status.ReadyReplicas == set.Replicas && status.Replicas == set.Replicas {
		status.CurrentReplicas = status.UpdatedReplicas
		status.CurrentRevision = status.UpdateRevision
	}
	if status == set.Status {
		return nil
	}
	cur, ok := c.st.StatefulSets.GetKey(set.Key())
	if !ok || cur.UID != set.UID {
		return nil
	}
	upd := cur.Clone()
	upd.Status = status
	_, err := c.st.StatefulSets.Update(Component, upd, "UpdateStatus")
	return err
}

// truncateHistory deletes the oldest revisions that are not live (the
// current and update revisions and every pod's revision) beyond
// revisionHistoryLimit. revisions is sorted.
func (c *Controller) truncateHistory(set *api.StatefulSet, pods []*api.Pod, revisions []*api.ControllerRevision, current, update *api.ControllerRevision) error {
	live := map[string]bool{current.Name: true, update.Name: true}
	for _, p := range pods {
		live[podRevision(p)] = true
	}
	var old []*api.ControllerRevision
	for _, r := range revisions {
		if !live[r.Name] {
			old = append(old, r)
		}
	}
	limit := int(set.RevisionHistoryLimit)
	if limit < 0 || len(old) <= limit {
		return nil
	}
	for _, r := range old[:len(old)-limit] {
		err := c.st.Revisions.Delete(Component, r.Namespace, r.Name, store.DeleteOptions{UID: r.UID}, "DeleteControllerRevision")
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return err
		}
	}
	return nil
}

// nextAvailable returns how long until the first Running and Ready pod that
// is not yet available becomes available (1 ns past readyTime +
// minReadySeconds), or 0 when none is waiting.
func (c *Controller) nextAvailable(set *api.StatefulSet, pods []*api.Pod) time.Duration {
	if set.MinReadySeconds <= 0 {
		return 0
	}
	now := c.st.Now()
	next := sim.Never
	for _, p := range pods {
		if !isRunningAndReady(p) || isAvailable(p, set.MinReadySeconds, now) {
			continue
		}
		cond := api.FindCondition(p.Status.Conditions, api.PodReady)
		next = min(next, cond.LastTransitionTime.Add(time.Duration(set.MinReadySeconds)*time.Second)+1)
	}
	if next == sim.Never {
		return 0
	}
	return next.Sub(now)
}
