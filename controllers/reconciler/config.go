package reconciler

import (
	"errors"
	"fmt"
	"time"
)

// DefaultSyncLatency is the virtual time one sync takes unless configured: the
// order of a real controller's sync against a local informer cache plus one
// or two API round trips.
const DefaultSyncLatency = 10 * time.Millisecond

// Config tunes one controller's work queue. A zero field means "the
// controller's default" (see WithDefaults).
type Config struct {
	// SyncLatency is the virtual time one sync takes (≥ 0).
	SyncLatency time.Duration
	// Workers is how many keys are synced concurrently (upstream's
	// --concurrent-*-syncs flags).
	Workers int
}

// DefaultConfig returns the generic defaults: 10 ms per sync, one worker.
// Controllers have their own defaults (replicaset.DefaultConfig: 5 workers).
func DefaultConfig() Config {
	return Config{SyncLatency: DefaultSyncLatency, Workers: 1}
}

// WithDefaults returns c with its zero fields taken from def.
func (c Config) WithDefaults(def Config) Config {
	if c.SyncLatency == 0 {
		c.SyncLatency = def.SyncLatency
	}
	if c.Workers == 0 {
		c.Workers = def.Workers
	}
	return c
}

// Validate reports negative fields.
func (c Config) Validate() error {
	var errs []error
	if c.SyncLatency < 0 {
		errs = append(errs, fmt.Errorf("syncLatency: must be ≥ 0, got %v", c.SyncLatency))
	}
	if c.Workers < 0 {
		errs = append(errs, fmt.Errorf("workers: must be ≥ 0, got %d", c.Workers))
	}
	return errors.Join(errs...)
}
