package scenarios

import (
	"fmt"
	"reflect"
	"sort"
	"strings"
	"time"

	"github.com/kubesim/kubesim/controllers/deployment"
	"github.com/kubesim/kubesim/controllers/drain"
	"github.com/kubesim/kubesim/controllers/statefulset"
	"github.com/kubesim/kubesim/sim"
	"github.com/kubesim/kubesim/sim/api"
	"github.com/kubesim/kubesim/sim/store"
	"github.com/kubesim/kubesim/workloads"
)

// Action verbs, as the scenario file spells them.
const (
	VerbApply         = "apply"
	VerbScale         = "scale"
	VerbRolloutUndo   = "rolloutUndo"
	VerbRolloutPause  = "rolloutPause"
	VerbRolloutResume = "rolloutResume"
	VerbDelete        = "delete"
)

// Reasons of the writes actions make (the Deployment and StatefulSet helpers
// use their own upstream-style reasons).
const (
	ReasonApply  = "Apply"
	ReasonScale  = "Scale"
	ReasonDelete = "Delete"
)

// LoadedAction is a validated action: one verb and what it needs.
type LoadedAction struct {
	At time.Duration
	// Path is the action's field path, e.g. "spec.actions[2]".
	Path string
	// Verb is one of the Verb constants.
	Verb string
	// Objects are the decoded objects of an apply, in file and document order.
	Objects []api.Object
	// Kind, Namespace and Name name the target of the other verbs.
	Kind      api.Kind
	Namespace string
	Name      string
	// Replicas is a scale's replica count; ToRevision a rollout undo's revision.
	Replicas   int32
	ToRevision int64
	// Nodes are a maintenance's nodes, in the order it drains them; Drain
	// the options of a drain or of a maintenance's drains; RebootDelay a
	// maintenance's wait before uncordoning (drainactions.go).
	Nodes       []string
	Drain       drain.Options
	RebootDelay time.Duration
	// index is the action's position in spec.actions.
	index int
}

// scalableKinds, undoKinds and deletableKinds are the kinds each verb accepts.
var (
	scalableKinds  = []api.Kind{api.KindDeployment, api.KindReplicaSet, api.KindStatefulSet}
	rolloutKinds   = []api.Kind{api.KindDeployment}
	deletableKinds = []api.Kind{api.KindPod, api.KindReplicaSet, api.KindDeployment, api.KindStatefulSet,
		api.KindDaemonSet, api.KindJob, api.KindService, api.KindPodDisruptionBudget}
	// updatableKinds are the kinds an apply may update in place; the others'
	// specs are immutable.
	updatableKinds = []api.Kind{api.KindDeployment, api.KindReplicaSet, api.KindStatefulSet, api.KindDaemonSet,
		api.KindService, api.KindPodDisruptionBudget, api.KindNamespace}
)

func kindList(ks []api.Kind) string {
	s := make([]string, len(ks))
	for i, k := range ks {
		s[i] = string(k)
	}
	return strings.Join(s, ", ")
}

func hasKind(ks []api.Kind, k api.Kind) bool {
	for _, x := range ks {
		if x == k {
			return true
		}
	}
	return false
}

// validateActions checks each action's own fields and fills l.Actions, except
// apply objects (loadActions decodes them). Every problem is reported.
func (l *Loaded) validateActions(el *errorList) {
	for i, a := range l.Scenario.Spec.Actions {
		path := fmt.Sprintf("spec.actions[%d]", i)
		la := LoadedAction{At: a.At.Duration, Path: path, index: i}
		if a.At.Duration < 0 {
			el.add(path+".at", "must not be negative, got %s", a.At.Duration)
		} else if l.Duration > 0 && a.At.Duration > l.Duration {
			el.add(path+".at", "%s is after the end of the run (spec.duration %s)", a.At.Duration, l.Duration)
		}
		var verbs []string
		for _, v := range []struct {
			name string
			set  bool
		}{{VerbApply, a.Apply != nil}, {VerbScale, a.Scale != nil}, {VerbRolloutUndo, a.RolloutUndo != nil},
			{VerbRolloutPause, a.RolloutPause != nil}, {VerbRolloutResume, a.RolloutResume != nil}, {VerbDelete, a.Delete != nil}} {
			if v.set {
				verbs = append(verbs, v.name)
			}
		}
		verbs = append(verbs, nodeVerbs(&a)...)
		switch len(verbs) {
		case 0:
			el.add(path, "must have exactly one of apply, scale, rolloutUndo, rolloutPause, rolloutResume, delete, cordon, uncordon, drain, maintenance; got none")
			continue
		case 1:
		default:
			el.add(path, "must have exactly one verb, got %s: write one action per verb", strings.Join(verbs, " and "))
			continue
		}
		la.Verb = verbs[0]
		target := func(p, kind, defaultKind, namespace, name string, kinds []api.Kind) {
			if kind == "" {
				kind = defaultKind
			}
			switch {
			case kind == "":
				el.add(p+".kind", "is required: one of %s", kindList(kinds))
			case !hasKind(kinds, api.Kind(kind)):
				el.add(p+".kind", "%q is not supported by %s: supported kinds are %s", kind, la.Verb, kindList(kinds))
			}
			if namespace == "" {
				namespace = "default"
			}
			if name == "" {
				el.add(p+".name", "is required")
			}
			la.Kind, la.Namespace, la.Name = api.Kind(kind), namespace, name
		}
		switch la.Verb {
		case VerbApply:
			if len(a.Apply.Manifests) == 0 {
				el.add(path+".apply.manifests", "must name at least one manifest file")
			}
		case VerbScale:
			s := a.Scale
			target(path+".scale", s.Kind, "", s.Namespace, s.Name, scalableKinds)
			switch {
			case s.Replicas == nil:
				el.add(path+".scale.replicas", "is required")
			case *s.Replicas < 0:
				el.add(path+".scale.replicas", "must be >= 0, got %d", *s.Replicas)
			default:
				la.Replicas = *s.Replicas
			}
		case VerbRolloutUndo:
			u := a.RolloutUndo
			target(path+".rolloutUndo", u.Kind, string(api.KindDeployment), u.Namespace, u.Name, rolloutKinds)
			if u.ToRevision < 0 {
				el.add(path+".rolloutUndo.toRevision", "must be >= 0 (0 is the previous revision), got %d", u.ToRevision)
			}
			la.ToRevision = u.ToRevision
		case VerbRolloutPause:
			r := a.RolloutPause
			target(path+".rolloutPause", r.Kind, string(api.KindDeployment), r.Namespace, r.Name, rolloutKinds)
		case VerbRolloutResume:
			r := a.RolloutResume
			target(path+".rolloutResume", r.Kind, string(api.KindDeployment), r.Namespace, r.Name, rolloutKinds)
		case VerbDelete:
			d := a.Delete
			target(path+".delete", d.Kind, "", d.Namespace, d.Name, deletableKinds)
		case VerbCordon, VerbUncordon, VerbDrain, VerbMaintenance:
			l.validateNodeAction(el, &a, &la)
		}
		l.Actions = append(l.Actions, la)
	}
}

// objectID names an object in the timeline checks: "Kind namespace/name".
func objectID(kind api.Kind, namespace, name string) string {
	return string(kind) + " " + api.Key(namespace, name)
}

// timelineObject is what the static timeline knows of an object.
type timelineObject struct {
	obj   api.Object
	where string
	// deletedBy is set when a delete action removed it.
	deletedBy string
}

// loadActions decodes the apply actions' manifests, sorts the actions by time
// (file order for equal times) and replays the scenario's timeline (cluster at
// 0, then batches and actions in the order Build runs them) to check that
// every action's target exists when the action runs, that an apply updates
// only kinds whose spec may change and never a selector, and that a paused
// Deployment is not rolled back.
func (l *Loaded) loadActions(el *errorList) {
	for i := range l.Actions {
		la := &l.Actions[i]
		if la.Verb != VerbApply {
			continue
		}
		ids := map[string]string{}
		for j, m := range l.Scenario.Spec.Actions[la.index].Apply.Manifests {
			path := fmt.Sprintf("%s.apply.manifests[%d]", la.Path, j)
			objs, err := workloads.LoadFile(l.resolve(m))
			if err != nil {
				el.addRaw(path, err)
				continue
			}
			for _, o := range objs {
				if _, isNode := o.(*api.Node); isNode {
					el.add(path, "%s: Node %s: nodes belong in spec.cluster (nodePools or manifests)", m, o.GetMeta().Name)
					continue
				}
				id := objectID(o.GetKind(), o.GetMeta().Namespace, o.GetMeta().Name)
				if first, dup := ids[id]; dup {
					el.add(path, "%s: %s is already defined by %s in the same action", m, id, first)
					continue
				}
				ids[id] = path + " (" + m + ")"
				la.Objects = append(la.Objects, o)
			}
		}
	}
	l.loadNodeActions(el)
	sort.SliceStable(l.Actions, func(a, b int) bool { return l.Actions[a].At < l.Actions[b].At })

	// The batches' objects are unique among themselves (record in
	// loadObjects); an apply that creates one before its batch would make
	// the batch fail.
	batchAt := map[string]time.Duration{}
	for _, bt := range l.Batches {
		for _, o := range bt.Objects {
			id := objectID(o.GetKind(), o.GetMeta().Namespace, o.GetMeta().Name)
			if _, ok := batchAt[id]; !ok {
				batchAt[id] = bt.At
			}
		}
	}
	live := map[string]*timelineObject{}
	for _, n := range l.Nodes {
		live[objectID(api.KindNode, "", n.Name)] = &timelineObject{obj: n, where: "spec.cluster"}
	}
	for _, o := range l.ClusterObjects {
		live[objectID(o.GetKind(), o.GetMeta().Namespace, o.GetMeta().Name)] = &timelineObject{obj: o, where: "spec.cluster"}
	}
	gone := map[string]string{} // id → the action that deleted it
	b := 0
	for i := range l.Actions {
		la := &l.Actions[i]
		// Batches at the action's time run before it.
		for ; b < len(l.Batches) && l.Batches[b].At <= la.At; b++ {
			for _, o := range l.Batches[b].Objects {
				id := objectID(o.GetKind(), o.GetMeta().Namespace, o.GetMeta().Name)
				live[id] = &timelineObject{obj: o, where: fmt.Sprintf("spec.workloads (at %s)", l.Batches[b].At)}
				delete(gone, id)
			}
		}
		if la.Verb == VerbMaintenance {
			continue
		}
		if la.Verb == VerbApply {
			for _, o := range la.Objects {
				id := objectID(o.GetKind(), o.GetMeta().Namespace, o.GetMeta().Name)
				if prev, ok := live[id]; ok {
					if msg := checkUpdate(prev.obj, o); msg != "" {
						el.add(la.Path+".apply", "%s: %s", id, msg)
					}
				} else if at, later := batchAt[id]; later && at > la.At {
					el.add(la.Path+".apply", "%s is created by spec.workloads at %s, after this action (%s): each object is created once; apply it after %s to update it", id, at, la.At, at)
				}
				live[id] = &timelineObject{obj: o, where: la.Path + ".apply"}
				delete(gone, id)
			}
			continue
		}
		verbPath := la.Path + "." + la.Verb
		id := objectID(la.Kind, la.Namespace, la.Name)
		cur, ok := live[id]
		if !ok {
			if by, deleted := gone[id]; deleted {
				el.add(verbPath+".name", "%s does not exist at %s: %s deleted it", id, la.At, by)
			} else {
				el.add(verbPath+".name", "%s does not exist at %s: no manifest in spec.cluster, spec.workloads (at or before %s) or an earlier apply action defines it", id, la.At, la.At)
			}
			continue
		}
		switch la.Verb {
		case VerbDelete:
			delete(live, id)
			gone[id] = la.Path
		case VerbRolloutPause, VerbRolloutResume:
			d := cur.obj.(*api.Deployment).Clone()
			d.Paused = la.Verb == VerbRolloutPause
			cur.obj = d
		case VerbRolloutUndo:
			if cur.obj.(*api.Deployment).Paused {
				el.add(verbPath, "%s is paused at %s: a paused deployment cannot be rolled back; resume it first (rolloutResume)", id, la.At)
			}
		}
	}
}

// checkUpdate returns why an apply of next over prev is refused, or "".
func checkUpdate(prev, next api.Object) string {
	if !hasKind(updatableKinds, next.GetKind()) {
		return fmt.Sprintf("already exists and a %s cannot be updated (its spec is immutable): delete it first; apply updates %s",
			next.GetKind(), kindList(updatableKinds))
	}
	if !reflect.DeepEqual(selectorOf(prev), selectorOf(next)) {
		return "spec.selector: field is immutable (it differs from the existing object's)"
	}
	return ""
}

// selectorOf returns the selector of a workload (nil for other kinds).
func selectorOf(o api.Object) *api.Selector {
	switch x := o.(type) {
	case *api.Deployment:
		return x.Selector
	case *api.ReplicaSet:
		return x.Selector
	case *api.StatefulSet:
		return x.Selector
	case *api.DaemonSet:
		return x.Selector
	}
	return nil
}

// runAction does one action on the store, as kubectl would, at its time.
func (s *Simulation) runAction(a *LoadedAction) {
	var err error
	switch a.Verb {
	case VerbApply:
		for _, o := range a.Objects {
			if e := s.applyObject(o); e != nil {
				s.applyErr = append(s.applyErr, fmt.Errorf("at %v: %s: %s %s: %w", s.eng.Now(), a.Path, o.GetKind(), o.GetMeta().Key(), e))
			}
		}
		return
	case VerbScale:
		switch a.Kind {
		case api.KindDeployment:
			err = deployment.Scale(s.st, ApplyComponent, a.Namespace, a.Name, a.Replicas)
		case api.KindStatefulSet:
			err = statefulset.Scale(s.st, ApplyComponent, a.Namespace, a.Name, a.Replicas)
		case api.KindReplicaSet:
			err = scaleReplicaSet(s.st, a.Namespace, a.Name, a.Replicas)
		}
	case VerbRolloutUndo:
		err = deployment.RollbackTo(s.st, ApplyComponent, a.Namespace, a.Name, a.ToRevision)
	case VerbRolloutPause, VerbRolloutResume:
		err = deployment.SetPaused(s.st, ApplyComponent, a.Namespace, a.Name, a.Verb == VerbRolloutPause)
	case VerbDelete:
		err = deleteObject(s.st, a.Kind, a.Namespace, a.Name)
	case VerbCordon, VerbUncordon, VerbDrain, VerbMaintenance:
		err = s.runNodeAction(a)
	}
	if err != nil {
		s.applyErr = append(s.applyErr, fmt.Errorf("at %v: %s: %s %s: %w", s.eng.Now(), a.Path, a.Verb, api.Key(a.Namespace, a.Name), err))
	}
}

// scaleReplicaSet sets spec.replicas of a ReplicaSet, bumping its generation.
func scaleReplicaSet(st *store.Store, namespace, name string, replicas int32) error {
	rs, ok := st.ReplicaSets.Get(namespace, name)
	if !ok {
		return fmt.Errorf("replicaset %s: %w", api.Key(namespace, name), store.ErrNotFound)
	}
	if rs.Replicas == replicas {
		return nil
	}
	c := rs.Clone()
	c.Replicas = replicas
	c.Generation++
	_, err := st.ReplicaSets.Update(ApplyComponent, c, ReasonScale)
	return err
}

// deleteObject deletes an object with its kind's default grace period; the
// garbage collector deletes its dependents.
func deleteObject(st *store.Store, kind api.Kind, namespace, name string) error {
	o, ok := st.GetObject(kind, api.Key(namespace, name))
	if !ok {
		return fmt.Errorf("%s %s: %w", kind, api.Key(namespace, name), store.ErrNotFound)
	}
	return st.DeleteObject(ApplyComponent, store.ObjectRef{Kind: kind, Namespace: namespace, Name: name, UID: o.GetMeta().UID}, ReasonDelete)
}

// applyObject creates o, or updates the stored object of the same kind and
// key as kubectl apply does: the object keeps its UID, owner references and
// status; its spec, labels and annotations become o's (annotations that
// controllers keep, deployment.kubernetes.io/*, stay unless o sets them); its
// generation is bumped when the spec changed. Nothing is written when nothing
// changed.
func (s *Simulation) applyObject(o api.Object) error {
	m := o.GetMeta()
	cur, ok := s.st.GetObject(o.GetKind(), m.Key())
	if !ok {
		before := len(s.applyErr)
		s.apply([]api.Object{o}, ReasonApply)
		if len(s.applyErr) > before {
			err := s.applyErr[len(s.applyErr)-1]
			s.applyErr = s.applyErr[:before]
			return err
		}
		return nil
	}
	if msg := checkUpdate(cur, o); msg != "" {
		return fmt.Errorf("%s: %w", msg, store.ErrInvalid)
	}
	upd := o.CloneObject()
	um, cm := upd.GetMeta(), cur.GetMeta()
	um.UID, um.ResourceVersion, um.Generation = cm.UID, cm.ResourceVersion, cm.Generation
	um.OwnerReferences = cm.OwnerReferences
	um.DeletionTimestamp, um.DeletionGracePeriodSeconds = cm.DeletionTimestamp, cm.DeletionGracePeriodSeconds
	um.Annotations = mergeAnnotations(cm.Annotations, m.Annotations)
	specChanged := copyStatus(upd, cur)
	if specChanged {
		um.Generation++
	} else if api.LabelsEqual(um.Labels, cm.Labels) && api.LabelsEqual(um.Annotations, cm.Annotations) {
		return nil
	}
	switch upd.(type) {
	case *api.Deployment, *api.ReplicaSet, *api.StatefulSet, *api.DaemonSet, *api.Service,
		*api.PodDisruptionBudget, *api.Namespace:
		return s.st.UpdateObject(ApplyComponent, upd, ReasonApply)
	}
	return fmt.Errorf("kind %s cannot be updated: %w", upd.GetKind(), store.ErrInvalid)
}

// mergeAnnotations returns next, plus the controller-kept annotations of cur
// that next does not set.
func mergeAnnotations(cur, next map[string]string) map[string]string {
	var out map[string]string
	for _, k := range api.SortedKeys(cur) {
		if strings.HasPrefix(k, "deployment.kubernetes.io/") {
			if _, set := next[k]; !set {
				if out == nil {
					out = make(map[string]string, len(next)+1)
				}
				out[k] = cur[k]
			}
		}
	}
	if out == nil {
		return next
	}
	for k, v := range next {
		out[k] = v
	}
	return out
}

// copyStatus gives upd (the applied object) cur's status and reports whether
// their specs differ. Templates compare by content hash when both have one.
func copyStatus(upd, cur api.Object) bool {
	switch x := upd.(type) {
	case *api.Deployment:
		c := cur.(*api.Deployment)
		x.Status = c.Status
		a, b := *x, *c
		return specDiffers(&a.ObjectMeta, &b.ObjectMeta, &a.Template, &b.Template, &a.Status, &b.Status, &a, &b)
	case *api.ReplicaSet:
		c := cur.(*api.ReplicaSet)
		x.Status = c.Status
		a, b := *x, *c
		return specDiffers(&a.ObjectMeta, &b.ObjectMeta, &a.Template, &b.Template, &a.Status, &b.Status, &a, &b)
	case *api.StatefulSet:
		c := cur.(*api.StatefulSet)
		x.Status = c.Status
		a, b := *x, *c
		return specDiffers(&a.ObjectMeta, &b.ObjectMeta, &a.Template, &b.Template, &a.Status, &b.Status, &a, &b)
	case *api.DaemonSet:
		c := cur.(*api.DaemonSet)
		x.Status = c.Status
		a, b := *x, *c
		return specDiffers(&a.ObjectMeta, &b.ObjectMeta, &a.Template, &b.Template, &a.Status, &b.Status, &a, &b)
	case *api.PodDisruptionBudget:
		c := cur.(*api.PodDisruptionBudget)
		x.Status = c.Status
		a, b := *x, *c
		var ta, tb *api.PodTemplate
		return specDiffers(&a.ObjectMeta, &b.ObjectMeta, &ta, &tb, &a.Status, &b.Status, &a, &b)
	case *api.Service:
		c := cur.(*api.Service)
		a, b := *x, *c
		var ta, tb *api.PodTemplate
		var sa, sb struct{}
		return specDiffers(&a.ObjectMeta, &b.ObjectMeta, &ta, &tb, &sa, &sb, &a, &b)
	}
	return false
}

// specDiffers compares two copies of an object (a, b, pointers to structs)
// after blanking their metadata (ma, mb) and status (sa, sb), and their
// templates (ta, tb) compared on their own: by content hash when both have
// one, else deeply.
func specDiffers[S any](ma, mb *api.ObjectMeta, ta, tb **api.PodTemplate, sa, sb *S, a, b any) bool {
	*ma, *mb = api.ObjectMeta{}, api.ObjectMeta{}
	var zero S
	*sa, *sb = zero, zero
	x, y := *ta, *tb
	*ta, *tb = nil, nil
	if x != nil && y != nil && x.Hash != 0 && y.Hash != 0 {
		if x.Hash != y.Hash {
			return true
		}
	} else if !reflect.DeepEqual(x, y) {
		return true
	}
	return !reflect.DeepEqual(a, b)
}

// scheduleActions arms every action at its time. Build calls it after
// scheduling the batches, so that at equal times batches run first.
func (s *Simulation) scheduleActions() {
	for i := range s.loaded.Actions {
		a := &s.loaded.Actions[i]
		s.eng.AtFunc(sim.Time(a.At), func(sim.Time) { s.runAction(a) })
	}
}
