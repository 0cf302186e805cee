package store

import "github.com/kubesim/kubesim/sim/api"

// Kind-generic access for controllers that handle every kind alike (the
// garbage collector): one watch over all tables, a look-up by kind and key, and
// the scope of a kind. Additive to table.go and store.go.

// AnyEvent is a watch event of any kind. Old is nil for Added, New is nil for
// Deleted, as in Event.
type AnyEvent struct {
	Kind     api.Kind
	Type     EventType
	Old, New api.Object
}

// Object returns New, or Old for a Deleted event.
func (e AnyEvent) Object() api.Object {
	if e.Type == Deleted {
		return e.Old
	}
	return e.New
}

// anyTable is the kind-erased view of a table used by the methods below.
type anyTable interface {
	kindOf() api.Kind
	isNamespaced() bool
	getAny(key string) (api.Object, bool)
	watchAny(h func(AnyEvent))
	eachAny(f func(api.Object))
}

// WatchAll registers h on every table, in the store's fixed table order. Each
// event is delivered as the table's own watch events are (after the writing
// event, plus the watch latency).
func (s *Store) WatchAll(h func(AnyEvent)) {
	for _, t := range s.tables {
		t.(anyTable).watchAny(h)
	}
}

// GetObject returns the object of the given kind stored under key
// ("namespace/name", or "name" for cluster-scoped kinds).
func (s *Store) GetObject(kind api.Kind, key string) (api.Object, bool) {
	for _, t := range s.tables {
		if t.kindOf() == kind {
			return t.(anyTable).getAny(key)
		}
	}
	return nil, false
}

// KindScope reports whether the store holds objects of kind (ok) and whether
// that kind is namespaced.
func (s *Store) KindScope(kind api.Kind) (namespaced, ok bool) {
	for _, t := range s.tables {
		if t.kindOf() == kind {
			return t.(anyTable).isNamespaced(), true
		}
	}
	return false, false
}

// EachObject calls f for every stored object: tables in the store's fixed
// order, objects in each table's list order. f must not write to the store.
func (s *Store) EachObject(f func(api.Object)) {
	for _, t := range s.tables {
		t.(anyTable).eachAny(f)
	}
}

func (t *Table[T]) eachAny(f func(api.Object)) {
	for _, o := range t.all.items {
		f(o)
	}
}

func (t *Table[T]) isNamespaced() bool { return t.namespaced }

func (t *Table[T]) getAny(key string) (api.Object, bool) {
	o, ok := t.objs[key]
	if !ok {
		return nil, false
	}
	return o, true
}

func (t *Table[T]) watchAny(h func(AnyEvent)) {
	t.Watch(func(ev Event[T]) {
		var zero T
		ae := AnyEvent{Kind: t.kind, Type: ev.Type}
		if any(ev.Old) != any(zero) {
			ae.Old = ev.Old
		}
		if any(ev.New) != any(zero) {
			ae.New = ev.New
		}
		h(ae)
	})
}
