package controllers

import (
	"errors"
	"fmt"
	"time"

	"github.com/kubesim/kubesim/controllers/garbagecollector"
	"github.com/kubesim/kubesim/controllers/replicaset"
	"github.com/kubesim/kubesim/sim"
	"github.com/kubesim/kubesim/sim/store"
)

// Options configures the controllers Start creates, one Config each. A zero
// field of a Config takes that controller's default.
type Options struct {
	ReplicaSet       Config
	GarbageCollector Config
}

// DefaultOptions returns every controller's defaults.
func DefaultOptions() Options {
	return Options{
		ReplicaSet:       replicaset.DefaultConfig(),
		GarbageCollector: garbagecollector.DefaultConfig(),
	}
}

// SetSyncLatency sets the sync latency of every controller.
func (o *Options) SetSyncLatency(d time.Duration) {
	o.ReplicaSet.SyncLatency = d
	o.GarbageCollector.SyncLatency = d
}

// Validate checks every controller's Config and reports all errors, each
// prefixed with the controller's field name.
func (o Options) Validate() error {
	var errs []error
	for _, f := range []struct {
		name string
		c    Config
	}{{"replicaSet", o.ReplicaSet}, {"garbageCollector", o.GarbageCollector}} {
		if err := f.c.Validate(); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", f.name, err))
		}
	}
	return errors.Join(errs...)
}

// Manager holds the running controllers.
type Manager struct {
	ReplicaSet       *replicaset.Controller
	GarbageCollector *garbagecollector.Collector
}

// Start creates every controller on st, driven by eng (the store's engine),
// with opts. Invalid options panic: check them with Options.Validate when
// loading configuration.
func Start(eng *sim.Engine, st *store.Store, opts Options) *Manager {
	if eng != st.Engine() {
		panic("controllers: Start: the engine is not the store's engine")
	}
	if err := opts.Validate(); err != nil {
		panic("controllers: Start: " + err.Error())
	}
	return &Manager{
		ReplicaSet:       replicaset.New(st, opts.ReplicaSet),
		GarbageCollector: garbagecollector.New(st, opts.GarbageCollector),
	}
}
