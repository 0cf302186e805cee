package kubelet

import (
	"fmt"
	"math/bits"
	"slices"
	"strings"
	"time"

	"github.com/kubesim/kubesim/sim"
)

// pullDuration is how long pulling size bytes takes at bw bytes per second,
// rounded down to the nanosecond, computed without overflow.
func pullDuration(size, bw int64) time.Duration {
	if size <= 0 {
		return 0
	}
	hi, lo := bits.Mul64(uint64(size), uint64(time.Second))
	if hi >= uint64(bw) {
		return time.Duration(1<<63 - 1) // beyond any run: the pull never ends
	}
	q, _ := bits.Div64(hi, lo, uint64(bw))
	if q > 1<<63-1 {
		return time.Duration(1<<63 - 1)
	}
	return time.Duration(q)
}

// pull is one image being pulled, or queued to be, on one node. Pods that need
// the image while it is pulled wait on it rather than pulling it again.
type pull struct {
	k       *Kubelet
	image   string // canonical name
	display string // the name as the first pod that asked wrote it
	size    int64
	start   sim.Time // when the transfer began (valid once running)
	running bool
	waiters []waiter
	timer   sim.Timer
}

// waiter is a pod waiting for a pull, with the image name as its container
// wrote it and when it asked.
type waiter struct {
	ps      *podState
	display string
	since   sim.Time
}

// Fire completes the pull.
func (p *pull) Fire(now sim.Time) { p.k.pullDone(p, now) }

// hasImage reports whether the canonical image is cached on the node.
func (k *Kubelet) hasImage(canon string) bool {
	_, ok := k.images[canon]
	return ok
}

// requestPull makes ps wait for the canonical image, starting or queueing a
// pull unless one is already under way.
func (k *Kubelet) requestPull(ps *podState, canon, display string, now sim.Time) {
	p := k.pulls[canon]
	if p == nil {
		p = &pull{k: k, image: canon, display: display, size: k.m.imageSize(canon)}
		k.pulls[canon] = p
		if k.m.cfg.SerializeImagePulls && k.active != nil {
			k.queue = append(k.queue, p)
		} else {
			k.startPull(p, now)
		}
	}
	p.waiters = append(p.waiters, waiter{ps: ps, display: display, since: now})
}

func (k *Kubelet) startPull(p *pull, now sim.Time) {
	p.running = true
	p.start = now
	if k.m.cfg.SerializeImagePulls {
		k.active = p
	}
	p.timer = k.m.eng.At(later(now, pullDuration(p.size, k.m.cfg.ImagePullBandwidth)), p)
}

// pullDone caches the image, releases its waiters and starts the next queued
// pull.
func (k *Kubelet) pullDone(p *pull, now sim.Time) {
	delete(k.pulls, p.image)
	k.images[p.image] = struct{}{}
	if k.active == p {
		k.active = nil
	}
	took := now.Sub(p.start)
	for _, w := range p.waiters {
		ps := w.ps
		if ps.gone || ps.phase != phasePulling {
			continue
		}
		if pod, ok := k.m.st.Pods.GetKey(ps.key); ok && pod.UID == ps.uid && k.recording() {
			k.m.st.Record(k.component, pod, "Pulled", fmt.Sprintf(
				"Successfully pulled image %q in %v (%v including waiting). Image size: %d bytes.",
				w.display, took, now.Sub(w.since), p.size))
		}
		ps.pendingPulls--
		if ps.pendingPulls == 0 {
			k.scheduleStart(ps, now)
		}
	}
	if k.active == nil && len(k.queue) > 0 {
		next := k.queue[0]
		k.queue[0] = nil
		k.queue = k.queue[1:]
		k.startPull(next, now)
	}
}

// stopPulls cancels every pull of a stopped kubelet.
func (k *Kubelet) stopPulls() {
	if k.active != nil {
		k.m.eng.Cancel(k.active.timer)
		k.active = nil
	}
	keys := make([]string, 0, len(k.pulls))
	for key := range k.pulls {
		keys = append(keys, key)
	}
	slices.Sort(keys)
	for _, key := range keys {
		k.m.eng.Cancel(k.pulls[key].timer)
	}
	clear(k.pulls)
	k.queue = nil
}

// later returns now+d, saturating at sim.Never.
func later(now sim.Time, d time.Duration) sim.Time {
	if d >= time.Duration(sim.Never-now) {
		return sim.Never
	}
	return now.Add(d)
}

func sortErrors(errs []error) {
	slices.SortFunc(errs, func(a, b error) int { return strings.Compare(a.Error(), b.Error()) })
}
