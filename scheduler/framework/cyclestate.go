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
// keys is far cheaper than hashing them. The first few entries, and the
// skip sets' first names, are stored in the state itself, so a cycle
// allocates one CycleState and nothing more for them.
type CycleState struct {
	data []stateEntry
	// SkipFilterPlugins and SkipScorePlugins name plugins whose PreFilter or
	// PreScore returned Skip.
	SkipFilterPlugins PluginSet
	SkipScorePlugins  PluginSet

	dataBuf       [8]stateEntry
	skipFilterBuf [6]string
	skipScoreBuf  [6]string
}

type stateEntry struct {
	key  StateKey
	data StateData
}

// PluginSet is a set of plugin names, few enough to search linearly.
type PluginSet []string

// Has reports whether name is in s.
func (s PluginSet) Has(name string) bool {
	for _, n := range s {
		if n == name {
			return true
		}
	}
	return false
}

// NewCycleState returns an empty state.
func NewCycleState() *CycleState {
	c := &CycleState{}
	c.data = c.dataBuf[:0]
	c.SkipFilterPlugins = c.skipFilterBuf[:0]
	c.SkipScorePlugins = c.skipScoreBuf[:0]
	return c
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
	n := NewCycleState()
	for _, e := range c.data {
		n.data = append(n.data, stateEntry{e.key, e.data.Clone()})
	}
	n.SkipFilterPlugins = append(n.SkipFilterPlugins, c.SkipFilterPlugins...)
	n.SkipScorePlugins = append(n.SkipScorePlugins, c.SkipScorePlugins...)
	return n
}

type notFound struct{}

func (notFound) Error() string { return "not found" }

// ErrNotFound is returned by Read for a missing key.
var ErrNotFound error = notFound{}
