package store

// Recording reports whether any write hook is registered, that is, whether
// Record reaches anyone. Components use it to skip formatting event messages
// that nobody reads.
func (s *Store) Recording() bool { return len(s.hooks) > 0 }
