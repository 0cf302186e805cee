package store

import (
	"fmt"

	"github.com/kubesim/kubesim/sim/api"
)

// CreateObject creates obj in its kind's table on behalf of component, as
// Table.Create does: one entry point for code that handles objects of every
// kind alike (scenario workloads, trace sources, explain's state).
func (s *Store) CreateObject(component string, obj api.Object, reason string) error {
	t, err := s.tableOf(obj)
	if err != nil {
		return err
	}
	return t.createAny(component, obj, reason)
}

// UpdateObject updates obj in its kind's table on behalf of component, as
// Table.Update does (resourceVersion conflicts included).
func (s *Store) UpdateObject(component string, obj api.Object, reason string) error {
	t, err := s.tableOf(obj)
	if err != nil {
		return err
	}
	return t.updateAny(component, obj, reason)
}

// writableTable is the kind-erased write side of a table.
type writableTable interface {
	createAny(component string, obj api.Object, reason string) error
	updateAny(component string, obj api.Object, reason string) error
}

func (s *Store) tableOf(obj api.Object) (writableTable, error) {
	kind := obj.GetKind()
	for _, t := range s.tables {
		if t.kindOf() == kind {
			return t.(writableTable), nil
		}
	}
	return nil, fmt.Errorf("store: no table holds kind %s: %w", kind, ErrInvalid)
}

func (t *Table[T]) createAny(component string, obj api.Object, reason string) error {
	o, ok := obj.(T)
	if !ok {
		return fmt.Errorf("store: %T is not a %s: %w", obj, t.kind, ErrInvalid)
	}
	_, err := t.Create(component, o, reason)
	return err
}

func (t *Table[T]) updateAny(component string, obj api.Object, reason string) error {
	o, ok := obj.(T)
	if !ok {
		return fmt.Errorf("store: %T is not a %s: %w", obj, t.kind, ErrInvalid)
	}
	_, err := t.Update(component, o, reason)
	return err
}

// EnsureNamespace creates the namespace name, labelled as the API server
// labels namespaces, unless it exists: what kubesim does for objects whose
// namespace no manifest defines.
func (s *Store) EnsureNamespace(component, name, reason string) error {
	if name == "" {
		return nil
	}
	if _, ok := s.Namespaces.Get("", name); ok {
		return nil
	}
	ns := &api.Namespace{ObjectMeta: api.ObjectMeta{Name: name, Labels: map[string]string{"kubernetes.io/metadata.name": name}}}
	_, err := s.Namespaces.Create(component, ns, reason)
	return err
}
