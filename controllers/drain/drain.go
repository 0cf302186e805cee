package drain

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/kubesim/kubesim/sim"
	"github.com/kubesim/kubesim/sim/api"
	"github.com/kubesim/kubesim/sim/store"
)

// kubectl drain's constants.
const (
	// RetryInterval is how long kubectl drain waits before retrying an
	// eviction refused with 429 (SEMANTICS.md 6.6, 10.6).
	RetryInterval = 5 * time.Second
	// PollInterval is how often kubectl drain checks whether an evicted pod
	// is gone.
	PollInterval = time.Second
	// AnnotationMirrorPod marks a mirror pod (the API view of a static pod);
	// drain leaves such pods alone.
	AnnotationMirrorPod = "kubernetes.io/config.mirror"
)

// Event reasons drain records on the node.
const (
	ReasonDrained     = "Drained"
	ReasonDrainFailed = "DrainFailed"
	// ReasonEvictionBlocked is recorded on a pod the first time its eviction
	// is refused with 429 in a run of retries.
	ReasonEvictionBlocked = "EvictionBlocked"
)

// Options tune a drain. The zero Options is `kubectl drain
// --ignore-daemonsets --delete-emptydir-data` with no timeout.
type Options struct {
	// Timeout bounds the whole drain from its start (kubectl --timeout); 0
	// waits forever.
	Timeout time.Duration
	// GracePeriodSeconds overrides the pods' terminationGracePeriodSeconds
	// (kubectl --grace-period); nil keeps each pod's own.
	GracePeriodSeconds *int64
	// Force also evicts pods that no controller manages and DaemonSet pods
	// whose DaemonSet is gone (kubectl --force); without it such pods make
	// the drain fail before anything is evicted.
	Force bool
	// OnDone, when set, is called once when the drain has finished, from an
	// engine event. It may start other drains or write to the store.
	OnDone func(Result)
}

// Result is what a drain did.
type Result struct {
	Node string
	// Started and Finished are the virtual times of the start and the end.
	Started, Finished sim.Time
	// Evicted lists the keys of the pods drain evicted and saw gone, in the
	// order it saw them gone (pods seen at the same poll in key order);
	// Skipped the DaemonSet and mirror pods it left on the node, by key.
	Evicted, Skipped []string
	// Retries counts evictions refused with 429 and retried.
	Retries int
	// Err is nil when every pod to evict is gone. Otherwise it says why not
	// (unmanaged pods without Force, an eviction error, the timeout); the
	// node stays cordoned, as with kubectl.
	Err error
}

// Drainer is one running drain of one node: kubectl drain in virtual time.
// Create it with Start.
type Drainer struct {
	st        *store.Store
	component string
	opts      Options
	res       Result
	pods      []*target
	deadline  sim.Time // sim.Never without a timeout
	timer     sim.Timer
	done      bool
}

// target is one pod drain evicts.
type target struct {
	key, namespace, name string
	uid                  api.UID
	state                targetState
	next                 sim.Time // next eviction attempt (stateRetry)
	blocked              bool     // the last attempt was refused with 429
	err                  error
}

type targetState int

const (
	stateRetry   targetState = iota // eviction to be (re)tried at next
	stateWaiting                    // evicted, waiting for the pod to be gone
	stateGone                       // evicted and gone
	stateFailed                     // eviction failed for good
)

// Start drains node on behalf of component, beginning in an engine event at
// the current virtual time:
//
//  1. Cordon the node.
//  2. Take the pods bound to it, by key: mirror pods and pods of a
//     DaemonSet are skipped (terminal ones are evicted); pods with no
//     controller, or of a DaemonSet that is gone, fail the drain at once
//     unless Options.Force.
//  3. Evict each through store.Evict; an eviction refused with 429 (a
//     disruption budget) is retried every RetryInterval, any other error
//     fails that pod; an evicted pod is checked every PollInterval until it
//     is gone (as kubectl's per-pod loops, which all start together, so
//     every check falls on one 1 s grid).
//  4. Finish when every pod is gone or failed, or at the timeout: record
//     "Drained" (or "DrainFailed" with the error) on the node and call
//     Options.OnDone.
func Start(st *store.Store, component, node string, opts Options) *Drainer {
	d := &Drainer{st: st, component: component, opts: opts, deadline: sim.Never}
	d.res.Node = node
	eng := st.Engine()
	d.res.Started = eng.Now()
	if opts.Timeout > 0 {
		d.deadline = d.res.Started.Add(opts.Timeout)
	}
	d.timer = eng.AtFunc(eng.Now(), d.begin)
	return d
}

// Done reports whether the drain has finished.
func (d *Drainer) Done() bool { return d.done }

// Result returns what the drain did so far (final once Done).
func (d *Drainer) Result() Result {
	r := d.res
	r.Evicted = slices.Clone(r.Evicted)
	r.Skipped = slices.Clone(r.Skipped)
	return r
}

// begin cordons the node, picks the pods and makes the first evictions.
func (d *Drainer) begin(now sim.Time) {
	if err := Cordon(d.st, d.component, d.res.Node); err != nil {
		d.finish(now, err)
		return
	}
	pods := d.st.Pods.ByIndex(store.IndexNode, d.res.Node)
	slices.SortFunc(pods, func(a, b *api.Pod) int { return strings.Compare(a.Key(), b.Key()) })
	var refused []string
	for _, p := range pods {
		switch skip, problem := d.filter(p); {
		case problem != "":
			refused = append(refused, problem)
		case skip:
			d.res.Skipped = append(d.res.Skipped, p.Key())
		default:
			d.pods = append(d.pods, &target{key: p.Key(), namespace: p.Namespace, name: p.Name, uid: p.UID, state: stateRetry, next: now})
		}
	}
	if len(refused) > 0 {
		d.pods = nil
		d.finish(now, fmt.Errorf("cannot drain node %q: %s", d.res.Node, strings.Join(refused, "; ")))
		return
	}
	d.step(now)
}

// filter applies kubectl drain's pod filters with --ignore-daemonsets and
// --delete-emptydir-data: skip mirror pods and live DaemonSet pods; refuse
// (unless Force) pods without a controller and pods of a missing DaemonSet.
func (d *Drainer) filter(p *api.Pod) (skip bool, problem string) {
	if _, ok := p.Annotations[AnnotationMirrorPod]; ok {
		return true, ""
	}
	if p.IsTerminal() {
		return false, ""
	}
	ref := p.ControllerRef()
	if ref == nil {
		if d.opts.Force {
			return false, ""
		}
		return false, "cannot delete Pods that declare no controller (use --force to override): " + p.Key()
	}
	if ref.Kind != api.KindDaemonSet {
		return false, ""
	}
	if ds, ok := d.st.DaemonSets.Get(p.Namespace, ref.Name); ok && ds.UID == ref.UID {
		return true, ""
	}
	if d.opts.Force {
		return false, ""
	}
	return false, fmt.Sprintf("daemonsets.apps %q not found (pod %s; use --force to override)", ref.Name, p.Key())
}

// step makes the evictions that are due, checks the evicted pods, and
// schedules the next step or finishes.
func (d *Drainer) step(now sim.Time) {
	d.timer = sim.Timer{}
	if now >= d.deadline {
		err := fmt.Errorf("drain did not complete within %v", d.opts.Timeout)
		for _, t := range d.pods {
			if t.state == stateRetry || t.state == stateWaiting {
				t.state, t.err = stateFailed, err
			}
		}
		d.finish(now, err)
		return
	}
	next := sim.Never
	for _, t := range d.pods {
		if t.state == stateRetry && t.next <= now {
			d.evict(t, now)
		}
		if t.state == stateWaiting && d.gone(t) {
			t.state = stateGone
			d.res.Evicted = append(d.res.Evicted, t.key)
		}
		switch t.state {
		case stateRetry:
			next = min(next, t.next)
		case stateWaiting:
			next = min(next, now.Add(PollInterval))
		}
	}
	if next == sim.Never {
		var errs []error
		for _, t := range d.pods {
			if t.err != nil {
				errs = append(errs, t.err)
			}
		}
		d.finish(now, errors.Join(errs...))
		return
	}
	d.timer = d.st.Engine().AtFunc(min(next, d.deadline), d.step)
}

// evict makes one eviction attempt.
func (d *Drainer) evict(t *target, now sim.Time) {
	err := d.st.Evict(d.component, t.namespace, t.name, d.opts.GracePeriodSeconds, "")
	switch {
	case err == nil:
		t.state, t.blocked = stateWaiting, false
	case errors.Is(err, store.ErrNotFound):
		t.state = stateWaiting // gone already: the check below sees it
	case errors.Is(err, store.ErrTooManyRequests):
		d.res.Retries++
		t.next = now.Add(RetryInterval)
		if !t.blocked {
			t.blocked = true
			if p, ok := d.st.Pods.GetKey(t.key); ok {
				d.st.Record(d.component, p, ReasonEvictionBlocked,
					fmt.Sprintf("error when evicting pods/%q -n %q (will retry after %v): %v", t.name, t.namespace, RetryInterval, err))
			}
		}
	default:
		t.state, t.err = stateFailed, fmt.Errorf("error when evicting pods/%q -n %q: %w", t.name, t.namespace, err)
	}
}

// gone reports whether the evicted pod no longer exists (or the name now
// belongs to a new pod).
func (d *Drainer) gone(t *target) bool {
	p, ok := d.st.Pods.GetKey(t.key)
	return !ok || p.UID != t.uid
}

// finish ends the drain with err, records the outcome and calls OnDone.
func (d *Drainer) finish(now sim.Time, err error) {
	if !d.timer.IsZero() {
		d.st.Engine().Cancel(d.timer)
		d.timer = sim.Timer{}
	}
	d.done = true
	d.res.Finished = now
	d.res.Err = err
	if n, ok := d.st.Nodes.Get("", d.res.Node); ok {
		if err == nil {
			d.st.Record(d.component, n, ReasonDrained, "node/"+n.Name+" drained")
		} else {
			d.st.Record(d.component, n, ReasonDrainFailed, err.Error())
		}
	}
	if d.opts.OnDone != nil {
		d.opts.OnDone(d.Result())
	}
}
