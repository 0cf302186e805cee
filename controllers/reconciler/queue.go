package reconciler

import (
	"time"

	"github.com/kubesim/kubesim/sim"
)

// queue is client-go's workqueue in virtual time: a FIFO of distinct keys with
// dirty/processing sets for de-duplication, engine timers for delayed adds,
// and the default rate limiter for retries.
type queue struct {
	eng        *sim.Engine
	fifo       []string
	head       int
	dirty      map[string]struct{}
	processing map[string]struct{}
	waiting    map[string]*delayed
	limiter    *RateLimiter
	onReady    func() // called when a key becomes available for a worker
}

// delayed is a pending delayed add of one key.
type delayed struct {
	q     *queue
	key   string
	at    sim.Time
	timer sim.Timer
}

// Fire adds the key now that its delay has passed.
func (d *delayed) Fire(sim.Time) {
	if d.q.waiting[d.key] == d {
		delete(d.q.waiting, d.key)
	}
	d.q.add(d.key)
}

func newQueue(eng *sim.Engine, onReady func()) *queue {
	return &queue{eng: eng, dirty: map[string]struct{}{}, processing: map[string]struct{}{},
		waiting: map[string]*delayed{}, limiter: NewRateLimiter(), onReady: onReady}
}

// add queues key unless it is already queued; a key being processed is only
// marked dirty and re-queued by done.
func (q *queue) add(key string) {
	if _, ok := q.dirty[key]; ok {
		return
	}
	q.dirty[key] = struct{}{}
	if _, ok := q.processing[key]; ok {
		return
	}
	q.fifo = append(q.fifo, key)
	q.onReady()
}

// addAfter adds key after d. Of several pending delayed adds of one key only
// the earliest is kept.
func (q *queue) addAfter(key string, d time.Duration) {
	if d <= 0 {
		q.add(key)
		return
	}
	at := q.eng.Now().Add(d)
	if w, ok := q.waiting[key]; ok {
		if w.at <= at {
			return
		}
		q.eng.Cancel(w.timer)
	}
	w := &delayed{q: q, key: key, at: at}
	w.timer = q.eng.At(at, w)
	q.waiting[key] = w
}

// addRateLimited re-adds key after its backoff.
func (q *queue) addRateLimited(key string) {
	q.addAfter(key, q.limiter.When(key, q.eng.Now()))
}

// forget clears key's failure count.
func (q *queue) forget(key string) { q.limiter.Forget(key) }

// len returns the number of queued keys (not counting those being processed
// or waiting on a delay).
func (q *queue) len() int { return len(q.fifo) - q.head }

// get takes the next key and marks it as being processed.
func (q *queue) get() (string, bool) {
	if q.head == len(q.fifo) {
		return "", false
	}
	key := q.fifo[q.head]
	q.fifo[q.head] = ""
	q.head++
	if q.head == len(q.fifo) {
		q.fifo, q.head = q.fifo[:0], 0
	} else if q.head >= 1024 && q.head*2 >= len(q.fifo) {
		n := copy(q.fifo, q.fifo[q.head:])
		q.fifo, q.head = q.fifo[:n], 0
	}
	q.processing[key] = struct{}{}
	delete(q.dirty, key)
	return key, true
}

// done ends the processing of key; if it was added meanwhile it is queued again.
func (q *queue) done(key string) {
	delete(q.processing, key)
	if _, ok := q.dirty[key]; ok {
		q.fifo = append(q.fifo, key)
		q.onReady()
	}
}
