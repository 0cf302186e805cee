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
type CycleState struct {
	data map[StateKey]StateData
	// SkipFilterPlugins and SkipScorePlugins name plugins whose PreFilter or
	// PreScore returned Skip.
	SkipFilterPlugins map[string]struct{}
	SkipScorePlugins  map[string]struct{}
}

// NewCycleState returns an empty state.
func NewCycleState() *CycleState {
	return &CycleState{data: map[StateKey]StateData{}}
}

// Read returns the data under key, or ErrNotFound.
func (c *CycleState) Read(key StateKey) (StateData, error) {
	if d, ok := c.data[key]; ok {
		return d, nil
	}
	return nil, ErrNotFound
}

// Write stores data under key.
func (c *CycleState) Write(key StateKey, d StateData) { c.data[key] = d }

// Delete removes key.
func (c *CycleState) Delete(key StateKey) { delete(c.data, key) }

// Clone returns a deep copy (each StateData cloned).
func (c *CycleState) Clone() *CycleState {
	if c == nil {
		return nil
	}
	n := &CycleState{data: make(map[StateKey]StateData, len(c.data))}
	for k, v := range c.data {
		n.data[k] = v.Clone()
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
