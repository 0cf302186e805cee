package controllers

import (
	"errors"
	"fmt"
	"time"

	"github.com/kubesim/kubesim/controllers/daemonset"
	"github.com/kubesim/kubesim/controllers/deployment"
	"github.com/kubesim/kubesim/controllers/disruption"
	"github.com/kubesim/kubesim/controllers/garbagecollector"
	"github.com/kubesim/kubesim/controllers/job"
	"github.com/kubesim/kubesim/controllers/nodelifecycle"
	"github.com/kubesim/kubesim/controllers/podgc"
	"github.com/kubesim/kubesim/controllers/replicaset"
	"github.com/kubesim/kubesim/controllers/statefulset"
	"github.com/kubesim/kubesim/controllers/tainteviction"
	"github.com/kubesim/kubesim/controllers/ttlafterfinished"
	"github.com/kubesim/kubesim/sim"
	"github.com/kubesim/kubesim/sim/store"
)

// Options configures the controllers Start creates, one Config each. A zero
// field of a Config takes that controller's default.
type Options struct {
	ReplicaSet       Config
	GarbageCollector Config
	Deployment       Config
	StatefulSet      Config
	Disruption       Config
	Job              Config
	TTLAfterFinished Config
	DaemonSet        Config
	// NodeLifecycle also holds the node monitor's timing and eviction rates.
	NodeLifecycle nodelifecycle.Config
	TaintEviction Config
	// PodGC has no work queue: its passes take no sync time.
	PodGC podgc.Config
}

// DefaultOptions returns every controller's defaults.
func DefaultOptions() Options {
	return Options{
		ReplicaSet:       replicaset.DefaultConfig(),
		GarbageCollector: garbagecollector.DefaultConfig(),
		Deployment:       deployment.DefaultConfig(),
		StatefulSet:      statefulset.DefaultConfig(),
		Disruption:       disruption.DefaultConfig(),
		Job:              job.DefaultConfig(),
		TTLAfterFinished: ttlafterfinished.DefaultConfig(),
		DaemonSet:        daemonset.DefaultConfig(),
		NodeLifecycle:    nodelifecycle.DefaultConfig(),
		TaintEviction:    tainteviction.DefaultConfig(),
		PodGC:            podgc.DefaultConfig(),
	}
}

// SetSyncLatency sets the sync latency of every controller.
func (o *Options) SetSyncLatency(d time.Duration) {
	o.ReplicaSet.SyncLatency = d
	o.GarbageCollector.SyncLatency = d
	o.Deployment.SyncLatency = d
	o.StatefulSet.SyncLatency = d
	o.Disruption.SyncLatency = d
	o.Job.SyncLatency = d
	o.TTLAfterFinished.SyncLatency = d
	o.DaemonSet.SyncLatency = d
	o.NodeLifecycle.SyncLatency = d
	o.TaintEviction.SyncLatency = d
}

// Validate checks every controller's Config and reports all errors, each
// prefixed with the controller's field name.
func (o Options) Validate() error {
	var errs []error
	for _, f := range []struct {
		name string
		c    Config
	}{{"replicaSet", o.ReplicaSet}, {"garbageCollector", o.GarbageCollector}, {"deployment", o.Deployment}, {"statefulSet", o.StatefulSet}, {"disruption", o.Disruption},
		{"job", o.Job}, {"ttlAfterFinished", o.TTLAfterFinished}, {"daemonSet", o.DaemonSet}, {"taintEviction", o.TaintEviction}} {
		if err := f.c.Validate(); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", f.name, err))
		}
	}
	if err := o.NodeLifecycle.Validate(); err != nil {
		errs = append(errs, fmt.Errorf("nodeLifecycle: %w", err))
	}
	if err := o.PodGC.Validate(); err != nil {
		errs = append(errs, fmt.Errorf("podGC: %w", err))
	}
	return errors.Join(errs...)
}

// Manager holds the running controllers.
type Manager struct {
	ReplicaSet       *replicaset.Controller
	GarbageCollector *garbagecollector.Collector
	Deployment       *deployment.Controller
	StatefulSet      *statefulset.Controller
	Disruption       *disruption.Controller
	Job              *job.Controller
	TTLAfterFinished *ttlafterfinished.Controller
	DaemonSet        *daemonset.Controller
	NodeLifecycle    *nodelifecycle.Controller
	TaintEviction    *tainteviction.Controller
	PodGC            *podgc.Controller
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
		Deployment:       deployment.New(st, opts.Deployment),
		StatefulSet:      statefulset.New(st, opts.StatefulSet),
		Disruption:       disruption.New(st, opts.Disruption),
		Job:              job.New(st, opts.Job),
		TTLAfterFinished: ttlafterfinished.New(st, opts.TTLAfterFinished),
		DaemonSet:        daemonset.New(st, opts.DaemonSet),
		NodeLifecycle:    nodelifecycle.New(st, opts.NodeLifecycle),
		TaintEviction:    tainteviction.New(st, opts.TaintEviction),
		PodGC:            podgc.New(st, opts.PodGC),
	}
}
