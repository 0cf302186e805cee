package source

import (
	"cmp"
	"slices"
	"time"

	"github.com/kubesim/kubesim/sim/api"
)

// Op is what an Event does to its object.
type Op uint8

// Event operations.
const (
	// Create creates the object (as kubectl create would).
	Create Op = iota
	// Delete deletes the object named by the Event's object (kind, namespace,
	// name), with the kind's default grace period. Deleting an object that is
	// already gone is not an error.
	Delete
)

// String returns "create" or "delete".
func (o Op) String() string {
	if o == Delete {
		return "delete"
	}
	return "create"
}

// Event is one thing that happens to the cluster at a virtual time.
type Event struct {
	// At is the virtual time of the event, from the start of the run.
	At time.Duration
	Op Op
	// Object is the object to create, or the object whose kind, namespace
	// and name say what to delete. It is never modified by Play (Play stores
	// a copy).
	Object api.Object
}

// Source hands out events in non-decreasing time order. Next returns the next
// event and true, or false when the source is exhausted (and forever after).
// A Source is used by one consumer; it is not safe for concurrent use.
type Source interface {
	Next() (Event, bool)
}

// Slice is a Source over a fixed list of events.
type Slice struct {
	events []Event
	i      int
}

// NewSlice returns a Source handing out events in the given order. It sorts
// them by time first (stably: events with equal times keep their order), so
// callers may pass them unsorted.
func NewSlice(events []Event) *Slice {
	events = slices.Clone(events)
	slices.SortStableFunc(events, func(a, b Event) int { return cmp.Compare(a.At, b.At) })
	return &Slice{events: events}
}

// Next implements Source.
func (s *Slice) Next() (Event, bool) {
	if s.i >= len(s.events) {
		return Event{}, false
	}
	e := s.events[s.i]
	s.i++
	return e, true
}

// Len returns the number of events not yet handed out.
func (s *Slice) Len() int { return len(s.events) - s.i }

// Events returns every event of the slice, handed out or not, in order. The
// result must not be modified.
func (s *Slice) Events() []Event { return s.events }

// Merge returns a Source that interleaves srcs by time. Events with equal
// times come from the earlier source in srcs first, so the result is
// deterministic.
func Merge(srcs ...Source) Source {
	m := &merged{srcs: srcs, heads: make([]Event, len(srcs)), ok: make([]bool, len(srcs))}
	for i, s := range srcs {
		m.heads[i], m.ok[i] = s.Next()
	}
	return m
}

type merged struct {
	srcs  []Source
	heads []Event
	ok    []bool
}

func (m *merged) Next() (Event, bool) {
	best := -1
	for i := range m.srcs {
		if m.ok[i] && (best < 0 || m.heads[i].At < m.heads[best].At) {
			best = i
		}
	}
	if best < 0 {
		return Event{}, false
	}
	e := m.heads[best]
	m.heads[best], m.ok[best] = m.srcs[best].Next()
	return e, true
}

// Drain returns every remaining event of src, in order. Use it on finite
// sources only.
func Drain(src Source) []Event {
	var out []Event
	for {
		e, ok := src.Next()
		if !ok {
			return out
		}
		out = append(out, e)
	}
}
