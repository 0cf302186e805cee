package reconciler

import (
	"fmt"
	"time"

	"github.com/kubesim/kubesim/sim"
	"github.com/kubesim/kubesim/sim/api"
	"github.com/kubesim/kubesim/sim/store"
)

// Result tells the runtime what to do with a key after a successful
// Reconcile. The zero Result means "done until the next event".
type Result struct {
	// RequeueAfter, when positive, syncs the key again after this virtual delay.
	RequeueAfter time.Duration
}

// Reconciler brings the world in line with the desired state of the object
// named by key. It must re-read everything it needs from the store (level
// triggering). A non-nil error retries the key with rate-limited backoff; the
// Result is then ignored.
type Reconciler interface {
	Reconcile(key string) (Result, error)
}

// ReconcilerFunc adapts a function to a Reconciler.
type ReconcilerFunc func(key string) (Result, error)

// Reconcile calls f(key).
func (f ReconcilerFunc) Reconcile(key string) (Result, error) { return f(key) }

// Stats counts what a controller has done.
type Stats struct {
	// Syncs is the number of Reconcile calls, Errors how many returned an error.
	Syncs, Errors uint64
}

// Controller runs one Reconciler on a keyed work queue with a pool of workers,
// all in virtual time. Create one with New.
type Controller struct {
	name     string
	eng      *sim.Engine
	r        Reconciler
	cfg      Config
	q        *queue
	workers  []*worker
	idle     []*worker
	dispatch sim.Handler
	pending  bool // a dispatch event is scheduled
	stats    Stats
}

// worker is one of a controller's workers; while busy it holds the key it is
// syncing, and its Fire ends the sync.
type worker struct {
	c   *Controller
	key string
}

// Fire runs the reconcile at the end of the sync latency.
func (w *worker) Fire(sim.Time) { w.c.finish(w) }

// New returns a controller named name (used in messages) that runs r on eng
// with cfg. Zero fields of cfg take DefaultConfig's values; an invalid cfg
// panics (validate configuration at load time with Config.Validate).
func New(name string, eng *sim.Engine, r Reconciler, cfg Config) *Controller {
	if eng == nil || r == nil {
		panic("reconciler: New(" + name + ") needs an engine and a reconciler")
	}
	cfg = cfg.WithDefaults(DefaultConfig())
	if err := cfg.Validate(); err != nil {
		panic(fmt.Sprintf("reconciler: %s: %v", name, err))
	}
	c := &Controller{name: name, eng: eng, r: r, cfg: cfg}
	c.q = newQueue(eng, c.ready)
	c.dispatch = sim.Func(c.runDispatch)
	c.workers = make([]*worker, cfg.Workers)
	c.idle = make([]*worker, 0, cfg.Workers)
	for i := cfg.Workers - 1; i >= 0; i-- {
		c.workers[i] = &worker{c: c}
		c.idle = append(c.idle, c.workers[i])
	}
	return c
}

// Name returns the controller's name.
func (c *Controller) Name() string { return c.name }

// Config returns the controller's effective configuration.
func (c *Controller) Config() Config { return c.cfg }

// Engine returns the engine the controller runs on.
func (c *Controller) Engine() *sim.Engine { return c.eng }

// Stats returns the controller's counters.
func (c *Controller) Stats() Stats { return c.stats }

// Enqueue asks for key to be synced.
func (c *Controller) Enqueue(key string) { c.q.add(key) }

// EnqueueAfter asks for key to be synced after d (at once when d ≤ 0).
func (c *Controller) EnqueueAfter(key string, d time.Duration) { c.q.addAfter(key, d) }

// Queued returns how many keys wait for a worker.
func (c *Controller) Queued() int { return c.q.len() }

// Busy returns how many workers are syncing.
func (c *Controller) Busy() int { return len(c.workers) - len(c.idle) }

// Failures returns how many consecutive failed syncs key has had.
func (c *Controller) Failures(key string) int { return c.q.limiter.Failures(key) }

// ready is called when a key is queued: schedule one dispatch at the current
// instant, after the events already queued for it, so that a burst coalesces.
func (c *Controller) ready() {
	if c.pending || len(c.idle) == 0 {
		return
	}
	c.pending = true
	c.eng.At(c.eng.Now(), c.dispatch)
}

// runDispatch hands queued keys to idle workers.
func (c *Controller) runDispatch(now sim.Time) {
	c.pending = false
	for len(c.idle) > 0 {
		key, ok := c.q.get()
		if !ok {
			return
		}
		w := c.idle[len(c.idle)-1]
		c.idle = c.idle[:len(c.idle)-1]
		w.key = key
		c.eng.At(now.Add(c.cfg.SyncLatency), w)
	}
}

// finish runs the reconcile of w's key and applies its outcome.
func (c *Controller) finish(w *worker) {
	key := w.key
	c.stats.Syncs++
	res, err := c.r.Reconcile(key)
	switch {
	case err != nil:
		c.stats.Errors++
		c.q.addRateLimited(key)
	case res.RequeueAfter > 0:
		c.q.forget(key)
		c.q.addAfter(key, res.RequeueAfter)
	default:
		c.q.forget(key)
	}
	w.key = ""
	c.idle = append(c.idle, w)
	c.q.done(key)
	if c.q.len() > 0 {
		c.ready()
	}
}

// ObjectKey returns the queue key of an object: its store key.
func ObjectKey(o api.Object) string { return o.GetMeta().Key() }

// WatchObjects enqueues, for every event of t, the key of the object the event
// is about.
func WatchObjects[T api.Object](c *Controller, t *store.Table[T]) {
	t.Watch(func(ev store.Event[T]) { c.Enqueue(ev.Object().GetMeta().Key()) })
}

// WatchKeys enqueues, for every event of t, the keys mapFn returns (for
// example the owner of a changed pod). mapFn must not write to the store.
func WatchKeys[T api.Object](c *Controller, t *store.Table[T], mapFn func(store.Event[T]) []string) {
	t.Watch(func(ev store.Event[T]) {
		for _, k := range mapFn(ev) {
			c.Enqueue(k)
		}
	})
}
