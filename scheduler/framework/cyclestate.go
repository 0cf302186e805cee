package framework

// StateKey names one piece of per-cycle state (by convention "PreFilter" + plugin name).
type StateKey string

// StateData is any per-cycle data a plugin stores. Clone must return a copy that
// can be changed independently (preemption dry runs clone the state).
type StateData interface {
	Clone() StateData
}

// CycleState is per-cycle scratch space: PreFilter and PreScore write it,
// Filter and Score read it. It lives for one scheduling cycle of one pod.
//
// The data lives in a short slice searched linearly: a cycle holds a handful
// of keys, plugins read them once or more per node, and comparing constant
// keys is far cheaper than hashing them.
type CycleState struct {
	data []stateEntry
	// SkipFilterPlugins and SkipScorePlugins name plugins whose PreFilter or
	// PreScore returned Skip.
	SkipFilterPlugins map[string]struct{}
	SkipScorePlugins  map[string]struct{}
}

type stateEntry struct {
	key  StateKey
	data StateData
}

// NewCycleState returns an empty state.
func NewCycleState() *CycleState {
	return &CycleState{data: make([]stateEntry, 0, 8)}
}

// Read returns the data under key, or ErrNotFound.
func (c *CycleState) Read(key StateKey) (StateData, error) {
	for i := range c.data {
		if c.data[i].key == key {
			return c.data[i].data, nil
		}
	}
	return nil, ErrNotFound
}

// Write stores data under key.
func (c *CycleState) Write(key StateKey, d StateData) {
	for i := range c.data {
		if c.data[i].key == key {
			c.data[i].data = d
			return
		}
	}
	c.data = append(c.data, stateEntry{key, d})
}

// Delete removes key.
func (c *CycleState) Delete(key StateKey) {
	for i := range c.data {
		if c.data[i].key == key {
			c.data = append(c.data[:i], c.data[i+1:]...)
			return
		}
	}
}

// Clone returns a deep copy (each StateData cloned).
func (c *CycleState) Clone() *CycleState {
	if c == nil {
		return nil
	}
	n := &CycleState{data: make([]stateEntry, len(c.data), max(len(c.data), 8))}
	for i, e := range c.data {
		n.data[i] = stateEntry{e.key, e.data.Clone()}
	}
	n.SkipFilterPlugins = cloneSet(c.SkipFilterPlugins)
	n.SkipScorePlugins = cloneSet(c.SkipScorePlugins)
	return n
}

func cloneSet(s map[string]struct{}) map[string]struct{} {
	if s == nil {
		return nil
	}
	n := make(map[string]struct{}, len(s))
	for k := range s {
		n[k] = struct{}{}
	}
	return n
}

type notFound struct{}

func (notFound) Error() string { return "not found" }

// ErrNotFound is returned by Read for a missing key.
var ErrNotFound error = notFound{}
