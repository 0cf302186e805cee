package replicaset

import (
	"time"

	"github.com/kubesim/kubesim/sim"
)

// ExpectationsTimeout is how long a ReplicaSet waits for the watch events of
// its own creates and deletes before syncing anyway.
const ExpectationsTimeout = 5 * time.Minute

// expectation counts the creates and deletes one ReplicaSet still expects to
// observe, and which pod keys it expects to see deleted (so that a graceful
// deletion's Modified event and its final Deleted event count once).
type expectation struct {
	add, del  int
	deleteFor map[string]struct{}
	at        sim.Time
}

// expectations are upstream's UIDTrackingControllerExpectations, keyed by
// ReplicaSet key.
type expectations struct {
	m map[string]*expectation
}

func newExpectations() *expectations { return &expectations{m: map[string]*expectation{}} }

// satisfied reports whether key may create or delete pods: it has no
// expectations, or they are fulfilled, or they are older than
// ExpectationsTimeout.
func (e *expectations) satisfied(key string, now sim.Time) bool {
	x, ok := e.m[key]
	if !ok {
		return true
	}
	if x.add <= 0 && x.del <= 0 {
		return true
	}
	return now.Sub(x.at) > ExpectationsTimeout
}

// expectCreations replaces key's expectations with n creates.
func (e *expectations) expectCreations(key string, n int, now sim.Time) {
	e.m[key] = &expectation{add: n, at: now}
}

// expectDeletions replaces key's expectations with the deletion of podKeys.
func (e *expectations) expectDeletions(key string, podKeys []string, now sim.Time) {
	set := make(map[string]struct{}, len(podKeys))
	for _, k := range podKeys {
		set[k] = struct{}{}
	}
	e.m[key] = &expectation{del: len(set), deleteFor: set, at: now}
}

// creationObserved lowers key's expected creates by one.
func (e *expectations) creationObserved(key string) {
	if x, ok := e.m[key]; ok {
		x.add--
	}
}

// deletionObserved lowers key's expected deletes by one if podKey was one of
// them, once.
func (e *expectations) deletionObserved(key, podKey string) {
	x, ok := e.m[key]
	if !ok {
		return
	}
	if _, want := x.deleteFor[podKey]; want {
		delete(x.deleteFor, podKey)
		x.del--
	}
}

// forget drops key's expectations (the ReplicaSet was deleted).
func (e *expectations) forget(key string) { delete(e.m, key) }
