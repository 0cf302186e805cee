package store

import (
	"fmt"
	"time"

	"github.com/kubesim/kubesim/sim"
	"github.com/kubesim/kubesim/sim/api"
)

// EventType is the type of a watch event.
type EventType int

// Watch event types.
const (
	Added EventType = iota
	Modified
	Deleted
)

func (t EventType) String() string {
	return [...]string{"Added", "Modified", "Deleted"}[t]
}

// Event is one watch event. For Added, Old is the zero T; for Deleted, New is
// the zero T and Old is the object's last state.
type Event[T api.Object] struct {
	Type     EventType
	Old, New T
}

// Object returns New, or Old for a Deleted event.
func (e Event[T]) Object() T {
	if e.Type == Deleted {
		return e.Old
	}
	return e.New
}

// DeleteOptions tune a deletion.
type DeleteOptions struct {
	// GracePeriodSeconds overrides the object's own grace period (pods only).
	GracePeriodSeconds *int64
	// UID, when set, is a precondition: the stored object must have this UID.
	UID api.UID
}

// Table holds the objects of one kind.
type Table[T api.Object] struct {
	s          *Store
	kind       api.Kind
	namespaced bool
	objs       map[string]T
	all        orderedSet[T]
	indexes    map[string]*index[T]
	indexOrder []*index[T]
	handlers   []func(Event[T])
	admit      func(T) error
	graceful   func(T, *int64) int64
	scratch    []string // reused by index functions
	scratch2   []string
}

type index[T api.Object] struct {
	name    string
	fn      IndexFunc[T]
	buckets map[string]*orderedSet[T]
}

// IndexFunc appends the values an object is filed under to buf and returns it.
// Appending into the caller's buffer keeps writes free of allocations.
type IndexFunc[T api.Object] func(o T, buf []string) []string

func newTable[T api.Object](s *Store, kind api.Kind, namespaced bool) *Table[T] {
	t := &Table[T]{s: s, kind: kind, namespaced: namespaced, objs: map[string]T{},
		all: newOrderedSet[T](), indexes: map[string]*index[T]{}}
	t.AddIndex(IndexOwner, func(o T, buf []string) []string {
		for _, r := range o.GetMeta().OwnerReferences {
			buf = append(buf, string(r.UID))
		}
		return buf
	})
	if namespaced {
		t.AddIndex(IndexNamespace, func(o T, buf []string) []string { return append(buf, o.GetMeta().Namespace) })
	}
	s.tables = append(s.tables, t)
	return t
}

// Kind returns the kind the table holds.
func (t *Table[T]) Kind() api.Kind { return t.kind }

// AddIndex adds an index computed by fn (the values an object is filed under).
// Add indexes before the first object is created.
func (t *Table[T]) AddIndex(name string, fn IndexFunc[T]) {
	if len(t.objs) > 0 {
		panic("store: AddIndex after objects were created")
	}
	ix := &index[T]{name: name, fn: fn, buckets: map[string]*orderedSet[T]{}}
	t.indexes[name] = ix
	t.indexOrder = append(t.indexOrder, ix)
}

// Watch registers h to receive every later event of this table, delivered
// after the writing event at the same virtual time (plus the watch latency).
func (t *Table[T]) Watch(h func(Event[T])) { t.handlers = append(t.handlers, h) }

// Len returns the number of stored objects.
func (t *Table[T]) Len() int { return len(t.objs) }

// Get returns the object with the given namespace and name.
func (t *Table[T]) Get(namespace, name string) (T, bool) {
	o, ok := t.objs[api.Key(namespace, name)]
	return o, ok
}

// GetKey returns the object with the given key ("namespace/name" or "name").
func (t *Table[T]) GetKey(key string) (T, bool) {
	o, ok := t.objs[key]
	return o, ok
}

// List returns the objects in namespace (all namespaces when empty) whose labels
// match sel (every object when sel is nil).
func (t *Table[T]) List(namespace string, sel *api.Selector) []T {
	var src []T
	if namespace != "" && t.namespaced {
		if b := t.indexes[IndexNamespace].buckets[namespace]; b != nil {
			src = b.items
		}
	} else {
		src = t.all.items
	}
	out := make([]T, 0, len(src))
	for _, o := range src {
		if sel == nil || sel.Matches(o.GetMeta().Labels) {
			out = append(out, o)
		}
	}
	return out
}

// ByIndex returns the objects filed under value in the named index.
func (t *Table[T]) ByIndex(name, value string) []T {
	ix, ok := t.indexes[name]
	if !ok {
		panic(fmt.Sprintf("store: %s has no index %q", t.kind, name))
	}
	b := ix.buckets[value]
	if b == nil {
		return nil
	}
	return append([]T(nil), b.items...)
}

// CountByIndex returns how many objects are filed under value.
func (t *Table[T]) CountByIndex(name, value string) int {
	if b := t.indexes[name].buckets[value]; b != nil {
		return len(b.items)
	}
	return 0
}

func (t *Table[T]) checkScope(m *api.ObjectMeta) error {
	if m.Name == "" {
		return fmt.Errorf("%s: metadata.name is required: %w", t.kind, ErrInvalid)
	}
	if t.namespaced && m.Namespace == "" {
		return fmt.Errorf("%s %s: metadata.namespace is required: %w", t.kind, m.Name, ErrInvalid)
	}
	if !t.namespaced && m.Namespace != "" {
		return fmt.Errorf("%s %s is cluster-scoped but has namespace %q: %w", t.kind, m.Name, m.Namespace, ErrInvalid)
	}
	return nil
}

// Create stores a new object on behalf of component. The store takes ownership
// of obj: it sets its UID (if empty), resourceVersion, generation (1) and
// creation time. It fails with ErrAlreadyExists if the key is taken.
func (t *Table[T]) Create(component string, obj T, reason string) (T, error) {
	var zero T
	m := obj.GetMeta()
	if err := t.checkScope(m); err != nil {
		return zero, err
	}
	key := m.Key()
	if _, ok := t.objs[key]; ok {
		return zero, fmt.Errorf("%s %q: %w", t.kind, key, ErrAlreadyExists)
	}
	if t.admit != nil {
		if err := t.admit(obj); err != nil {
			return zero, err
		}
	}
	if m.UID == "" {
		m.UID = t.s.nextUID()
	}
	m.ResourceVersion = t.s.nextRV()
	m.Generation = 1
	m.CreationTimestamp = t.s.eng.Now()
	t.objs[key] = obj
	t.all.add(key, obj)
	t.indexAdd(key, obj)
	t.notify(component, VerbCreate, Event[T]{Type: Added, New: obj}, reason)
	return obj, nil
}

// Update replaces a stored object with obj (a modified copy of it). It fails
// with ErrConflict when obj's resourceVersion is not the stored one, and with
// ErrNotFound when the object is gone. The UID cannot change.
func (t *Table[T]) Update(component string, obj T, reason string) (T, error) {
	var zero T
	m := obj.GetMeta()
	key := m.Key()
	old, ok := t.objs[key]
	if !ok {
		return zero, fmt.Errorf("%s %q: %w", t.kind, key, ErrNotFound)
	}
	om := old.GetMeta()
	if m.ResourceVersion != om.ResourceVersion {
		return zero, fmt.Errorf("%s %q (resourceVersion %d, stored %d): %w", t.kind, key, m.ResourceVersion, om.ResourceVersion, ErrConflict)
	}
	if m.UID != om.UID {
		return zero, fmt.Errorf("%s %q: uid is immutable: %w", t.kind, key, ErrInvalid)
	}
	m.CreationTimestamp = om.CreationTimestamp
	m.ResourceVersion = t.s.nextRV()
	t.replace(key, old, obj)
	t.notify(component, VerbUpdate, Event[T]{Type: Modified, Old: old, New: obj}, reason)
	return obj, nil
}

// replace swaps a stored object for its new version. Index entries whose
// values did not change are updated in place (most writes are status changes
// that move no index).
func (t *Table[T]) replace(key string, old, obj T) {
	t.objs[key] = obj
	t.all.replace(key, obj)
	for _, ix := range t.indexOrder {
		ov := ix.fn(old, t.scratch[:0])
		nv := ix.fn(obj, t.scratch2[:0])
		t.scratch, t.scratch2 = ov[:0], nv[:0]
		if slicesEqual(ov, nv) {
			for _, v := range nv {
				ix.buckets[v].replace(key, obj)
			}
			continue
		}
		ix.remove(key, ov)
		ix.add(key, obj, nv)
	}
}

func slicesEqual(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// Delete deletes an object on behalf of component. Pods bound to a node get a
// graceful deletion: their deletionTimestamp is set to now + grace period and
// they stay until deleted again with grace 0 (by the kubelet); every other
// object, and a pod whose grace is 0, is removed at once. Deleting an object that
// is already terminating only ever shortens its deadline.
func (t *Table[T]) Delete(component, namespace, name string, opts DeleteOptions, reason string) error {
	key := api.Key(namespace, name)
	old, ok := t.objs[key]
	if !ok {
		return fmt.Errorf("%s %q: %w", t.kind, key, ErrNotFound)
	}
	om := old.GetMeta()
	if opts.UID != "" && opts.UID != om.UID {
		return fmt.Errorf("%s %q: precondition failed: uid %s, stored %s: %w", t.kind, key, opts.UID, om.UID, ErrConflict)
	}
	var grace int64
	if t.graceful != nil {
		grace = t.graceful(old, opts.GracePeriodSeconds)
	}
	if grace > 0 {
		deadline := t.s.eng.Now().Add(secondsDuration(grace))
		if om.DeletionTimestamp != nil && *om.DeletionTimestamp <= deadline {
			return nil // already terminating with an earlier deadline
		}
		obj := cloneObject(old)
		m := obj.GetMeta()
		m.DeletionTimestamp = &deadline
		m.DeletionGracePeriodSeconds = grace
		m.ResourceVersion = t.s.nextRV()
		t.replace(key, old, obj)
		t.notify(component, VerbDelete, Event[T]{Type: Modified, Old: old, New: obj}, reason)
		return nil
	}
	delete(t.objs, key)
	t.all.remove(key)
	t.indexRemove(key, old)
	t.notify(component, VerbDelete, Event[T]{Type: Deleted, Old: old}, reason)
	return nil
}

func (t *Table[T]) notify(component string, verb Verb, ev Event[T], reason string) {
	if len(t.s.hooks) > 0 {
		w := &Write{Time: t.s.eng.Now(), Component: component, Verb: verb, Kind: t.kind, Reason: reason}
		var nilT T
		if any(ev.Old) != any(nilT) {
			w.Old = ev.Old
		}
		if any(ev.New) != any(nilT) {
			w.New = ev.New
		}
		w.Key = ev.Object().GetMeta().Key()
		t.s.emit(w)
	}
	if len(t.handlers) == 0 {
		return
	}
	hs := t.handlers
	t.s.eng.At(t.s.eng.Now().Add(t.s.watchLatency), sim.Func(func(sim.Time) {
		for _, h := range hs {
			h(ev)
		}
	}))
}

func (t *Table[T]) indexAdd(key string, o T) {
	for _, ix := range t.indexOrder {
		vs := ix.fn(o, t.scratch[:0])
		ix.add(key, o, vs)
		t.scratch = vs[:0]
	}
}

func (t *Table[T]) indexRemove(key string, o T) {
	for _, ix := range t.indexOrder {
		vs := ix.fn(o, t.scratch[:0])
		ix.remove(key, vs)
		t.scratch = vs[:0]
	}
}

func (ix *index[T]) add(key string, o T, values []string) {
	for _, v := range values {
		b := ix.buckets[v]
		if b == nil {
			nb := newOrderedSet[T]()
			b = &nb
			ix.buckets[v] = b
		}
		b.add(key, o)
	}
}

func (ix *index[T]) remove(key string, values []string) {
	for _, v := range values {
		if b := ix.buckets[v]; b != nil {
			b.remove(key)
			if len(b.items) == 0 {
				delete(ix.buckets, v)
			}
		}
	}
}

// ownerIndexed is the kind-erased view of a table the store uses for garbage
// collection.
type ownerIndexed interface {
	kindOf() api.Kind
	dependents(uid api.UID, out []api.Object) []api.Object
	hasUID(key string, uid api.UID) bool
	deleteRef(component string, ref ObjectRef, reason string) error
	setOwners(component string, ref ObjectRef, owners []api.OwnerReference, reason string) error
}

func (t *Table[T]) kindOf() api.Kind { return t.kind }

func (t *Table[T]) dependents(uid api.UID, out []api.Object) []api.Object {
	if b := t.indexes[IndexOwner].buckets[string(uid)]; b != nil {
		for _, o := range b.items {
			out = append(out, o)
		}
	}
	return out
}

func (t *Table[T]) hasUID(key string, uid api.UID) bool {
	o, ok := t.objs[key]
	return ok && o.GetMeta().UID == uid
}

func (t *Table[T]) deleteRef(component string, ref ObjectRef, reason string) error {
	return t.Delete(component, ref.Namespace, ref.Name, DeleteOptions{UID: ref.UID}, reason)
}

func (t *Table[T]) setOwners(component string, ref ObjectRef, owners []api.OwnerReference, reason string) error {
	o, ok := t.Get(ref.Namespace, ref.Name)
	if !ok || o.GetMeta().UID != ref.UID {
		return fmt.Errorf("%s %q: %w", t.kind, api.Key(ref.Namespace, ref.Name), ErrNotFound)
	}
	c := cloneObject(o)
	c.GetMeta().OwnerReferences = owners
	_, err := t.Update(component, c, reason)
	return err
}

// cloneObject returns a shallow copy of o.
func cloneObject[T api.Object](o T) T { return o.CloneObject().(T) }

func secondsDuration(s int64) time.Duration { return time.Duration(s) * time.Second }

// orderedSet is a set with deterministic iteration: insertion order, a removed
// element's slot taken by the last one.
type orderedSet[T any] struct {
	items []T
	keys  []string
	pos   map[string]int
}

func newOrderedSet[T any]() orderedSet[T] { return orderedSet[T]{pos: map[string]int{}} }

func (s *orderedSet[T]) add(key string, v T) {
	if i, ok := s.pos[key]; ok {
		s.items[i] = v
		return
	}
	s.pos[key] = len(s.items)
	s.items = append(s.items, v)
	s.keys = append(s.keys, key)
}

func (s *orderedSet[T]) replace(key string, v T) { s.items[s.pos[key]] = v }

func (s *orderedSet[T]) remove(key string) {
	i, ok := s.pos[key]
	if !ok {
		return
	}
	last := len(s.items) - 1
	if i != last {
		s.items[i] = s.items[last]
		s.keys[i] = s.keys[last]
		s.pos[s.keys[i]] = i
	}
	var zero T
	s.items[last] = zero
	s.items = s.items[:last]
	s.keys = s.keys[:last]
	delete(s.pos, key)
}
