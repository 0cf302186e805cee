package sim

import (
	"fmt"
	"time"
)

// Time is a point in virtual time: nanoseconds since the start of the run.
// Its zero value is the start of the simulation.
type Time int64

// Never is a Time later than any event; it means "not set" where a time is optional.
const Never Time = 1<<63 - 1

// Add returns t+d.
func (t Time) Add(d time.Duration) Time { return t + Time(d) }

// Sub returns the duration t-u.
func (t Time) Sub(u Time) time.Duration { return time.Duration(t - u) }

// Seconds returns t in seconds since the start of the run.
func (t Time) Seconds() float64 { return float64(t) / 1e9 }

// Duration returns t as a duration since the start of the run.
func (t Time) Duration() time.Duration { return time.Duration(t) }

// String renders t as a duration since the start, e.g. "10m0.5s".
func (t Time) String() string {
	if t == Never {
		return "never"
	}
	return time.Duration(t).String()
}

// Clock renders t as an elapsed wall-style clock "HH:MM:SS" (days are folded into
// hours), the form the narrated log uses. Sub-second parts are dropped.
func (t Time) Clock() string {
	s := int64(t) / 1e9
	return fmt.Sprintf("%02d:%02d:%02d", s/3600, (s/60)%60, s%60)
}
