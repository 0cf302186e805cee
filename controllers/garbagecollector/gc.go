package garbagecollector

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/kubesim/kubesim/controllers/reconciler"
	"github.com/kubesim/kubesim/sim/api"
	"github.com/kubesim/kubesim/sim/store"
)

// Names and defaults.
const (
	// Name is the controller's name in the runtime and in configuration.
	Name = "garbagecollector"
	// Component is the name under which the collector writes to the store.
	Component = "garbage-collector"
	// ReasonCollected is the reason of a dependent's deletion.
	ReasonCollected = "GarbageCollected"
	// ReasonDanglingRemoved is the reason of an ownerReferences update.
	ReasonDanglingRemoved = "RemovedDanglingOwners"
	// DefaultWorkers is upstream's --concurrent-gc-syncs default.
	DefaultWorkers = 20
)

// DefaultConfig returns the collector's defaults: 20 workers, the runtime's
// default sync latency (10 ms).
func DefaultConfig() reconciler.Config {
	return reconciler.Config{SyncLatency: reconciler.DefaultSyncLatency, Workers: DefaultWorkers}
}

// Collector is the garbage collector. Create it with New.
type Collector struct {
	st *store.Store
	rt *reconciler.Controller
}

// New starts a garbage collector on st with cfg (zero fields take
// DefaultConfig's values). Objects already in the store whose owners are
// missing are queued at once, as the collector's initial graph sync would.
func New(st *store.Store, cfg reconciler.Config) *Collector {
	g := &Collector{st: st}
	g.rt = reconciler.New(Name, st.Engine(), g, cfg.WithDefaults(DefaultConfig()))
	st.WatchAll(g.onEvent)
	g.enqueueExistingDangling()
	return g
}

// Runtime returns the collector's work queue and workers.
func (g *Collector) Runtime() *reconciler.Controller { return g.rt }

// Key returns the queue key of an object: "Kind|namespace/name|uid".
func Key(o api.Object) string {
	m := o.GetMeta()
	return string(o.GetKind()) + "|" + m.Key() + "|" + string(m.UID)
}

// parseKey splits a queue key.
func parseKey(key string) (kind api.Kind, objKey string, uid api.UID, err error) {
	parts := strings.Split(key, "|")
	if len(parts) != 3 {
		return "", "", "", fmt.Errorf("garbagecollector: bad key %q", key)
	}
	return api.Kind(parts[0]), parts[1], api.UID(parts[2]), nil
}

// enqueueExistingDangling queues every stored object with an owner reference
// that does not resolve.
func (g *Collector) enqueueExistingDangling() {
	g.st.EachObject(func(o api.Object) {
		if len(o.GetMeta().OwnerReferences) > 0 {
			g.checkOwners(o)
		}
	})
}

// onEvent queues the dependents of a removed object, and an object whose new
// owner references include a dangling one.
func (g *Collector) onEvent(ev store.AnyEvent) {
	switch ev.Type {
	case store.Deleted:
		for _, d := range g.st.Dependents(ev.Old.GetMeta().UID) {
			g.rt.Enqueue(Key(d))
		}
	case store.Added:
		g.checkOwners(ev.New)
	case store.Modified:
		if !slices.Equal(ev.Old.GetMeta().OwnerReferences, ev.New.GetMeta().OwnerReferences) {
			g.checkOwners(ev.New)
		}
	}
}

// checkOwners queues o if one of its owner references is dangling.
func (g *Collector) checkOwners(o api.Object) {
	m := o.GetMeta()
	for _, r := range m.OwnerReferences {
		if g.dangling(m.Namespace, r) {
			g.rt.Enqueue(Key(o))
			return
		}
	}
}

// dangling reports whether ref, held by an object in namespace, points to an
// owner the store does not hold. References to kinds the store has no table
// for are never dangling.
func (g *Collector) dangling(namespace string, ref api.OwnerReference) bool {
	namespaced, ok := g.st.KindScope(ref.Kind)
	if !ok {
		return false
	}
	key := ref.Name
	if namespaced {
		key = api.Key(namespace, ref.Name)
	}
	return !g.st.Exists(ref.Kind, key, ref.UID)
}

var _ reconciler.Reconciler = (*Collector)(nil)

// Reconcile deletes the dependent named by key if all its owners are gone, or
// drops its dangling owner references if some remain.
func (g *Collector) Reconcile(key string) (reconciler.Result, error) {
	kind, objKey, uid, err := parseKey(key)
	if err != nil {
		return reconciler.Result{}, nil // not retryable
	}
	o, ok := g.st.GetObject(kind, objKey)
	if !ok || o.GetMeta().UID != uid {
		return reconciler.Result{}, nil
	}
	m := o.GetMeta()
	if m.IsDeleting() || len(m.OwnerReferences) == 0 {
		return reconciler.Result{}, nil
	}
	var solid []api.OwnerReference
	for _, r := range m.OwnerReferences {
		if !g.dangling(m.Namespace, r) {
			solid = append(solid, r)
		}
	}
	ref := store.ObjectRef{Kind: kind, Namespace: m.Namespace, Name: m.Name, UID: uid}
	switch {
	case len(solid) == len(m.OwnerReferences):
		return reconciler.Result{}, nil
	case len(solid) == 0:
		err = g.st.DeleteObject(Component, ref, ReasonCollected)
	default:
		err = g.st.UpdateOwners(Component, ref, solid, ReasonDanglingRemoved)
	}
	if errors.Is(err, store.ErrNotFound) || errors.Is(err, store.ErrConflict) {
		// Gone or replaced meanwhile: nothing left to collect.
		return reconciler.Result{}, nil
	}
	return reconciler.Result{}, err
}
