package controllers

import (
	"github.com/kubesim/kubesim/controllers/reconciler"
	"github.com/kubesim/kubesim/sim"
	"github.com/kubesim/kubesim/sim/api"
	"github.com/kubesim/kubesim/sim/store"
)

// Aliases of the runtime in package reconciler.
type (
	// Reconciler syncs one key; see reconciler.Reconciler.
	Reconciler = reconciler.Reconciler
	// ReconcilerFunc adapts a function to a Reconciler.
	ReconcilerFunc = reconciler.ReconcilerFunc
	// Result says when to sync a key again; see reconciler.Result.
	Result = reconciler.Result
	// Config tunes a controller's queue; see reconciler.Config.
	Config = reconciler.Config
	// Controller is a reconciler on a work queue; see reconciler.Controller.
	Controller = reconciler.Controller
	// Stats counts a controller's syncs.
	Stats = reconciler.Stats
)

// DefaultSyncLatency is the virtual time one sync takes unless configured.
const DefaultSyncLatency = reconciler.DefaultSyncLatency

// DefaultConfig returns the runtime's generic defaults (10 ms, one worker).
func DefaultConfig() Config { return reconciler.DefaultConfig() }

// New returns a controller named name running r on eng; see reconciler.New.
func New(name string, eng *sim.Engine, r Reconciler, cfg Config) *Controller {
	return reconciler.New(name, eng, r, cfg)
}

// WatchObjects enqueues the key of the object of every event of t.
func WatchObjects[T api.Object](c *Controller, t *store.Table[T]) { reconciler.WatchObjects(c, t) }

// WatchKeys enqueues the keys mapFn returns for every event of t.
func WatchKeys[T api.Object](c *Controller, t *store.Table[T], mapFn func(store.Event[T]) []string) {
	reconciler.WatchKeys(c, t, mapFn)
}
