package daemonset

import (
	"errors"
	"fmt"
	"maps"
	"math"
	"slices"
	"sort"
	"time"

	"github.com/kubesim/kubesim/controllers/reconciler"
	"github.com/kubesim/kubesim/sim"
	"github.com/kubesim/kubesim/sim/api"
	"github.com/kubesim/kubesim/sim/store"
)

const (
	maxNameAttempts = 16
)

var _ reconciler.Reconciler = (*Controller)(nil)

// Reconcile syncs the DaemonSet with the given key; see the package
// documentation for the steps.
func (c *Controller) Reconcile(key string) (reconciler.Result, error) {
	ds, ok := c.st.DaemonSets.GetKey(key)
	if !ok {
		delete(c.exp, key)
		delete(c.revs, key)
		return reconciler.Result{}, nil
	}
	if ds.Selector == nil || ds.Template == nil || ds.Template.Spec == nil {
		return reconciler.Result{}, nil
	}
	if ds.Selector.Empty() {
		c.st.Record(Component, ds, ReasonSelectingAll, "This daemon set is selecting all pods. A non-empty selector is required.")
		return reconciler.Result{}, nil
	}
	if ds.DeletionTimestamp != nil {
		return reconciler.Result{}, nil
	}
	nodes := c.st.Nodes.List("", nil)
	slices.SortFunc(nodes, func(a, b *api.Node) int { return cmp(a.Name, b.Name) })
	cur, old, err := c.constructHistory(ds)
	if err != nil {
		return reconciler.Result{}, err
	}
	rev := c.revisionFor(ds, cur.Labels[HashLabel])
	now := c.st.Now()
	if !c.satisfied(key, now) {
		// Only status; observedGeneration is not raised.
		return reconciler.Result{}, c.updateStatus(ds, nodes, rev, false)
	}
	syncErr := c.updateDaemonSet(ds, nodes, rev, old)
	statusErr := c.updateStatus(ds, nodes, rev, true)
	if err := errors.Join(syncErr, statusErr); err != nil {
		return reconciler.Result{}, err
	}
	cur2, _ := c.st.DaemonSets.GetKey(key)
	if ds.MinReadySeconds > 0 && cur2 != nil && cur2.Status.NumberReady != cur2.Status.NumberAvailable {
		return reconciler.Result{RequeueAfter: time.Duration(ds.MinReadySeconds) * time.Second}, nil
	}
	return reconciler.Result{}, nil
}

// daemonPods returns the pods the DaemonSet controls grouped by the node
// they are for; terminal pods being deleted are left out unless
// withDeletedTerminal.
func (c *Controller) daemonPods(ds *api.DaemonSet, withDeletedTerminal bool) map[string][]*api.Pod {
	out := map[string][]*api.Pod{}
	for _, p := range c.st.Pods.ByIndex(store.IndexOwner, string(ds.UID)) {
		if ref := p.ControllerRef(); ref == nil || ref.UID != ds.UID {
			continue
		}
		if !withDeletedTerminal && p.IsTerminal() && p.DeletionTimestamp != nil {
			continue
		}
		if n := TargetNode(p); n != "" {
			out[n] = append(out[n], p)
		}
	}
	return out
}

// updateDaemonSet runs the core loop, then the rolling update when the
// core loop's actions are all observed, then the history clean-up.
func (c *Controller) updateDaemonSet(ds *api.DaemonSet, nodes []*api.Node, rev *revision, old []*api.ControllerRevision) error {
	if err := c.manage(ds, nodes, rev); err != nil {
		return err
	}
	if c.satisfied(ds.Key(), c.st.Now()) && ds.UpdateStrategy.Type == RollingUpdate {
		if err := c.rollingUpdate(ds, nodes, rev); err != nil {
			return err
		}
	}
	return c.cleanupHistory(ds, old)
}

// manage creates the missing daemon pods and deletes those that must go
// (upstream's manage and podsShouldBeOnNode).
func (c *Controller) manage(ds *api.DaemonSet, nodes []*api.Node, rev *revision) error {
	byNode := c.daemonPods(ds, false)
	now := c.st.Now()
	surge := allowsSurge(ds)
	var create []string
	var del []*api.Pod
	failed := 0
	inList := make(map[string]bool, len(nodes))
	for _, node := range nodes {
		inList[node.Name] = true
		shouldRun, shouldContinue := ShouldRun(node, rev.base)
		pods := byNode[node.Name]
		exists := len(pods) > 0
		switch {
		case shouldRun && !exists:
			create = append(create, node.Name)
		case shouldContinue:
			var running []*api.Pod
			for _, p := range pods {
				switch {
				case p.DeletionTimestamp != nil:
				case p.Status.Phase == api.PodFailed:
					failed++
					bkey := string(ds.UID) + "/" + node.Name
					if left, wait := c.inBackoff(bkey, now); wait {
						c.rt.EnqueueAfter(ds.Key(), left)
						continue
					}
					c.nextBackoff(bkey, now)
					c.st.Record(Component, ds, ReasonFailedDaemonPod,
						fmt.Sprintf("Found failed daemon pod %s on node %s, will try to kill it", p.Key(), node.Name))
					del = append(del, p)
				case p.Status.Phase == api.PodSucceeded:
					del = append(del, p)
				default:
					running = append(running, p)
				}
			}
			if len(running) <= 1 {
				break
			}
			sortPods(running)
			if !surge {
				del = append(del, running[1:]...)
				break
			}
			// With surge, an old and a new pod may share a node while the new
			// one is not ready; every other pod goes.
			var oldestNew, oldestOld *api.Pod
			for _, p := range running {
				switch {
				case p.Labels[HashLabel] == rev.hash && oldestNew == nil:
					oldestNew = p
				case p.Labels[HashLabel] != rev.hash && oldestOld == nil:
					oldestOld = p
				default:
					del = append(del, p)
				}
			}
			if oldestNew != nil && oldestOld != nil && (!oldestOld.IsReady() || oldestNew.IsReady()) {
				del = append(del, oldestOld)
			}
		case exists:
			for _, p := range pods {
				if p.DeletionTimestamp == nil {
					del = append(del, p)
				}
			}
		}
	}
	// Unscheduled pods meant for nodes that no longer exist.
	for _, n := range slices.Sorted(maps.Keys(byNode)) {
		if inList[n] {
			continue
		}
		for _, p := range byNode[n] {
			if p.NodeName == "" && p.DeletionTimestamp == nil {
				del = append(del, p)
			}
		}
	}
	if err := c.syncNodes(ds, del, create, rev); err != nil {
		return err
	}
	if failed > 0 {
		return fmt.Errorf("deleted %d failed pods of DaemonSet %s", failed, ds.Key())
	}
	return nil
}

// syncNodes deletes pods and creates daemon pods on nodes, each list capped
// at BurstReplicas, creates in slow-start batches.
func (c *Controller) syncNodes(ds *api.DaemonSet, del []*api.Pod, create []string, rev *revision) error {
	if len(create) > BurstReplicas {
		create = create[:BurstReplicas]
	}
	if len(del) > BurstReplicas {
		del = del[:BurstReplicas]
	}
	if len(create) == 0 && len(del) == 0 {
		return nil
	}
	x := &expectation{add: len(create), deleteFor: map[string]struct{}{}, at: c.st.Now()}
	for _, p := range del {
		x.deleteFor[p.Key()] = struct{}{}
	}
	x.del = len(x.deleteFor)
	c.exp[ds.Key()] = x
	var errs []error
	pos := 0
	for size := min(len(create), 1); size > 0; size = min(2*size, len(create)-pos) {
		batchFailed := false
		for _, node := range create[pos : pos+size] {
			if err := c.createPod(ds, rev, node); err != nil {
				x.add--
				errs = append(errs, err)
				batchFailed = true
			}
		}
		pos += size
		if batchFailed {
			x.add -= len(create) - pos
			break
		}
	}
	for _, p := range del {
		err := c.st.Pods.Delete(Component, p.Namespace, p.Name, store.DeleteOptions{UID: p.UID}, ReasonSuccessfulDelete)
		if err != nil {
			x.deletionObserved(p.Key())
			if !errors.Is(err, store.ErrNotFound) {
				c.st.Record(Component, ds, ReasonFailedDelete, "Error deleting: "+err.Error())
				errs = append(errs, err)
			}
			continue
		}
		c.st.Record(Component, ds, ReasonSuccessfulDelete, "Deleted pod: "+p.Name)
	}
	return errors.Join(errs...)
}

// createPod creates the daemon pod of the current revision for node.
func (c *Controller) createPod(ds *api.DaemonSet, rev *revision, node string) error {
	spec := rev.specFor(node)
	var err error
	for range maxNameAttempts {
		pod := &api.Pod{
			ObjectMeta: api.ObjectMeta{
				Name:            api.GenerateName(c.names, ds.Name+"-"),
				Namespace:       ds.Namespace,
				Labels:          rev.labels,
				Annotations:     ds.Template.Annotations,
				OwnerReferences: []api.OwnerReference{api.NewControllerRef(ds)},
			},
			Spec: spec,
		}
		if _, err = c.st.Pods.Create(Component, pod, ReasonSuccessfulCreate); err == nil {
			c.st.Record(Component, ds, ReasonSuccessfulCreate, "Created pod: "+pod.Name)
			return nil
		}
		if !errors.Is(err, store.ErrAlreadyExists) {
			break
		}
	}
	c.st.Record(Component, ds, ReasonFailedCreate, "Error creating: "+err.Error())
	return err
}

// ScaledValue resolves an int-or-percent against total, rounding a percent
// up (upstream's GetScaledValueFromIntOrPercent with roundUp, as the
// DaemonSet's SurgeCount and UnavailableCount use).
func ScaledValue(v api.IntOrPercent, total int) int {
	if !v.IsPercent {
		return int(v.Value)
	}
	return int(math.Ceil(float64(int(v.Value)*total) / 100))
}

// allowsSurge reports whether a rolling update may run two pods on a node.
func allowsSurge(ds *api.DaemonSet) bool {
	return ds.UpdateStrategy.Type == RollingUpdate && ScaledValue(ds.UpdateStrategy.MaxSurge, 1) != 0
}

// isAvailable reports whether a pod is ready and has been for more than
// minReadySeconds.
func isAvailable(p *api.Pod, minReady int32, now sim.Time) bool {
	c := api.FindCondition(p.Status.Conditions, api.PodReady)
	if c == nil || c.Status != api.ConditionTrue {
		return false
	}
	return minReady == 0 || c.LastTransitionTime.Add(time.Duration(minReady)*time.Second) < now
}

// rollingUpdate deletes old pods (maxSurge 0) or creates new ones next to
// them (maxSurge > 0) within the strategy's limits; see the package
// documentation.
func (c *Controller) rollingUpdate(ds *api.DaemonSet, nodes []*api.Node, rev *revision) error {
	byNode := c.daemonPods(ds, false)
	nodeByName := make(map[string]*api.Node, len(nodes))
	desired := 0
	for _, n := range nodes {
		nodeByName[n.Name] = n
		if run, _ := ShouldRun(n, rev.base); run {
			desired++
			if _, ok := byNode[n.Name]; !ok {
				byNode[n.Name] = nil
			}
		}
	}
	maxSurge := ScaledValue(ds.UpdateStrategy.MaxSurge, desired)
	maxUnavailable := ScaledValue(ds.UpdateStrategy.MaxUnavailable, desired)
	if desired > 0 && maxSurge == 0 && maxUnavailable == 0 {
		maxUnavailable = 1
	}
	now := c.st.Now()
	names := slices.Sorted(maps.Keys(byNode))
	shouldRunOn := func(name string) bool {
		n := nodeByName[name]
		if n == nil {
			return false
		}
		run, _ := ShouldRun(n, rev.base)
		return run
	}

	if maxSurge == 0 {
		numUnavailable := 0
		var replace, candidates []*api.Pod
		for _, name := range names {
			newPod, oldPod, ok := updatedPodsOnNode(byNode[name], rev.hash)
			switch {
			case !ok:
				numUnavailable++
			case (oldPod == nil) == (newPod == nil):
				numUnavailable++
			case newPod != nil:
				if !isAvailable(newPod, ds.MinReadySeconds, now) {
					numUnavailable++
				}
			case !isAvailable(oldPod, ds.MinReadySeconds, now):
				replace = append(replace, oldPod)
				numUnavailable++
			case numUnavailable >= maxUnavailable:
			default:
				candidates = append(candidates, oldPod)
			}
		}
		remaining := min(max(maxUnavailable-numUnavailable, 0), len(candidates))
		return c.syncNodes(ds, append(replace, candidates[:remaining]...), nil, rev)
	}

	var oldToDelete, shouldNotRun []*api.Pod
	var candidateNodes, allowedNodes []string
	numSurge, numAvailable := 0, 0
	for _, name := range names {
		newPod, oldPod, ok := updatedPodsOnNode(byNode[name], rev.hash)
		if !ok {
			numSurge++
			continue
		}
		if oldPod != nil {
			if isAvailable(oldPod, ds.MinReadySeconds, now) {
				numAvailable++
			}
		} else if newPod != nil && isAvailable(newPod, ds.MinReadySeconds, now) {
			numAvailable++
		}
		switch {
		case oldPod == nil:
		case newPod == nil:
			switch {
			case !isAvailable(oldPod, ds.MinReadySeconds, now):
				if !shouldRunOn(name) {
					oldToDelete = append(oldToDelete, oldPod)
					continue
				}
				allowedNodes = append(allowedNodes, name)
			default:
				if !shouldRunOn(name) {
					shouldNotRun = append(shouldNotRun, oldPod)
					continue
				}
				if numSurge >= maxSurge {
					continue
				}
				candidateNodes = append(candidateNodes, name)
			}
		default:
			if !isAvailable(newPod, ds.MinReadySeconds, now) {
				numSurge++
				continue
			}
			oldToDelete = append(oldToDelete, oldPod)
		}
	}
	if deletable := numAvailable - desired; deletable > 0 {
		oldToDelete = append(oldToDelete, shouldNotRun[:min(deletable, len(shouldNotRun))]...)
	}
	remaining := min(max(maxSurge-numSurge, 0), len(candidateNodes))
	return c.syncNodes(ds, oldToDelete, append(allowedNodes, candidateNodes[:remaining]...), rev)
}

// updatedPodsOnNode splits a node's pods (not being deleted) into the one of
// the current revision and the old one; ok is false when there are several
// of either.
func updatedPodsOnNode(pods []*api.Pod, hash string) (newPod, oldPod *api.Pod, ok bool) {
	for _, p := range pods {
		if p.DeletionTimestamp != nil {
			continue
		}
		if p.Labels[HashLabel] == hash {
			if newPod != nil {
				return nil, nil, false
			}
			newPod = p
		} else {
			if oldPod != nil {
				return nil, nil, false
			}
			oldPod = p
		}
	}
	return newPod, oldPod, true
}

// sortPods orders a node's daemon pods as upstream's
// podByCreationTimestampAndPhase: bound before unbound, older first, then by
// name.
func sortPods(pods []*api.Pod) {
	sort.SliceStable(pods, func(i, j int) bool {
		a, b := pods[i], pods[j]
		if (a.NodeName != "") != (b.NodeName != "") {
			return a.NodeName != ""
		}
		if a.CreationTimestamp != b.CreationTimestamp {
			return a.CreationTimestamp < b.CreationTimestamp
		}
		return a.Name < b.Name
	})
}

// updateStatus writes the DaemonSet's status when it changed.
func (c *Controller) updateStatus(ds *api.DaemonSet, nodes []*api.Node, rev *revision, observed bool) error {
	byNode := c.daemonPods(ds, false)
	now := c.st.Now()
	s := ds.Status
	s.DesiredNumberScheduled, s.CurrentNumberScheduled, s.NumberMisscheduled = 0, 0, 0
	s.NumberReady, s.NumberAvailable, s.UpdatedNumberScheduled = 0, 0, 0
	for _, n := range nodes {
		run, _ := ShouldRun(n, rev.base)
		pods := byNode[n.Name]
		if !run {
			if len(pods) > 0 {
				s.NumberMisscheduled++
			}
			continue
		}
		s.DesiredNumberScheduled++
		if len(pods) == 0 {
			continue
		}
		s.CurrentNumberScheduled++
		sortPods(pods)
		p := pods[0]
		if p.IsReady() {
			s.NumberReady++
			if isAvailable(p, ds.MinReadySeconds, now) {
				s.NumberAvailable++
			}
		}
		if p.Labels[HashLabel] == rev.hash {
			s.UpdatedNumberScheduled++
		}
	}
	if observed {
		s.ObservedGeneration = ds.Generation
	}
	if s == ds.Status {
		return nil
	}
	cur, ok := c.st.DaemonSets.GetKey(ds.Key())
	if !ok || cur.UID != ds.UID {
		return nil
	}
	upd := cur.Clone()
	s.CollisionCount = cur.Status.CollisionCount
	upd.Status = s
	_, err := c.st.DaemonSets.Update(Component, upd, ReasonUpdateStatus)
	return err
}

func cmp(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
