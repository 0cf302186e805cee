package reconciler

import (
	"math"
	"time"

	"github.com/kubesim/kubesim/sim"
)

// Upstream workqueue.DefaultControllerRateLimiter parameters.
const (
	// BackoffBase is the first per-key retry delay after an error.
	BackoffBase = 5 * time.Millisecond
	// BackoffMax caps the per-key retry delay.
	BackoffMax = 1000 * time.Second
	// BucketQPS and BucketBurst are the overall token bucket's refill rate (per
	// second) and size.
	BucketQPS   = 10
	BucketBurst = 100
)

// RateLimiter is upstream's default controller rate limiter in virtual time:
// the maximum of a per-key exponential backoff (BackoffBase·2^(failures−1),
// capped at BackoffMax) and a token bucket shared by all keys (BucketQPS,
// BucketBurst). The zero value is not usable; use NewRateLimiter.
type RateLimiter struct {
	failures map[string]int
	tokens   float64
	last     sim.Time
}

// NewRateLimiter returns a rate limiter with a full bucket.
func NewRateLimiter() *RateLimiter {
	return &RateLimiter{failures: map[string]int{}, tokens: BucketBurst}
}

// When records one more failure of key at now and returns how long to wait
// before retrying it.
func (r *RateLimiter) When(key string, now sim.Time) time.Duration {
	exp := r.failures[key]
	r.failures[key] = exp + 1
	d := expBackoff(exp)
	return max(d, r.reserve(now))
}

// expBackoff returns BackoffBase·2^exp capped at BackoffMax.
func expBackoff(exp int) time.Duration {
	b := float64(BackoffBase) * math.Pow(2, float64(exp))
	if b >= float64(BackoffMax) {
		return BackoffMax
	}
	return time.Duration(b)
}

// reserve takes one token at now and returns the wait until it is available,
// as golang.org/x/time/rate's Reserve does.
func (r *RateLimiter) reserve(now sim.Time) time.Duration {
	if now > r.last {
		r.tokens = min(BucketBurst, r.tokens+now.Sub(r.last).Seconds()*BucketQPS)
		r.last = now
	}
	r.tokens--
	if r.tokens >= 0 {
		return 0
	}
	return time.Duration(float64(time.Second) * (-r.tokens / BucketQPS))
}

// Failures returns how many consecutive failures key has had.
func (r *RateLimiter) Failures(key string) int { return r.failures[key] }

// Forget clears key's failures (after a successful sync).
func (r *RateLimiter) Forget(key string) { delete(r.failures, key) }
