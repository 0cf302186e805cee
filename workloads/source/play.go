package source

import (
	"errors"
	"fmt"

	"github.com/kubesim/kubesim/sim"
	"github.com/kubesim/kubesim/sim/api"
	"github.com/kubesim/kubesim/sim/store"
)

// DefaultComponent is the name under which Play writes when none is given:
// a user applying objects with kubectl, as scenario workloads are written.
const DefaultComponent = "kubectl"

// Reasons Play gives its writes.
const (
	ReasonCreate = "Apply"
	ReasonDelete = "Delete"
)

// Player replays a Source into a store. Create one with Play.
type Player struct {
	eng       *sim.Engine
	st        *store.Store
	src       Source
	component string
	next      Event
	more      bool
	created   int
	deleted   int
	missing   int
	errs      []error
}

// Play starts replaying src into st: each event is applied when the engine
// reaches its time (events whose time has passed are applied at once, in
// order). Creates store a copy of the object; a namespaced object whose
// namespace does not exist gets it created first, as scenario workloads do.
// Deletes of objects that are already gone are counted (Missing), not
// errors. Writes are recorded under component (DefaultComponent when empty).
func Play(eng *sim.Engine, st *store.Store, src Source, component string) *Player {
	if component == "" {
		component = DefaultComponent
	}
	p := &Player{eng: eng, st: st, src: src, component: component}
	p.next, p.more = src.Next()
	p.schedule()
	return p
}

// schedule puts one engine event at the next event's time.
func (p *Player) schedule() {
	if !p.more {
		return
	}
	at := max(sim.Time(p.next.At), p.eng.Now())
	p.eng.AtFunc(at, p.fire)
}

// fire applies every event due now, then schedules the next batch.
func (p *Player) fire(now sim.Time) {
	for p.more && sim.Time(p.next.At) <= now {
		p.apply(p.next)
		p.next, p.more = p.src.Next()
	}
	p.schedule()
}

func (p *Player) apply(e Event) {
	if e.Object == nil {
		p.errs = append(p.errs, fmt.Errorf("source: event at %v has no object", e.At))
		return
	}
	m := e.Object.GetMeta()
	switch e.Op {
	case Create:
		if err := p.create(e.Object.CloneObject()); err != nil {
			p.errs = append(p.errs, fmt.Errorf("source: at %v: create %s %s: %w", p.eng.Now(), e.Object.GetKind(), m.Key(), err))
			return
		}
		p.created++
	case Delete:
		err := p.st.DeleteObject(p.component, store.ObjectRef{Kind: e.Object.GetKind(), Namespace: m.Namespace, Name: m.Name}, ReasonDelete)
		switch {
		case errors.Is(err, store.ErrNotFound):
			p.missing++
		case err != nil:
			p.errs = append(p.errs, fmt.Errorf("source: at %v: delete %s %s: %w", p.eng.Now(), e.Object.GetKind(), m.Key(), err))
		default:
			p.deleted++
		}
	default:
		p.errs = append(p.errs, fmt.Errorf("source: at %v: unknown op %d", p.eng.Now(), e.Op))
	}
}

func (p *Player) create(o api.Object) error {
	if err := p.st.EnsureNamespace(p.component, o.GetMeta().Namespace, "AutoCreate"); err != nil {
		return err
	}
	return p.st.CreateObject(p.component, o, ReasonCreate)
}

// Created returns how many objects were created so far.
func (p *Player) Created() int { return p.created }

// Deleted returns how many deletions were accepted so far (a graceful pod
// deletion counts when it is requested).
func (p *Player) Deleted() int { return p.deleted }

// Missing returns how many deletions found their object already gone.
func (p *Player) Missing() int { return p.missing }

// Done reports whether the source is exhausted and every event applied.
func (p *Player) Done() bool { return !p.more }

// Errors returns the writes that failed, in order (nil when none did).
func (p *Player) Errors() []error { return p.errs }
