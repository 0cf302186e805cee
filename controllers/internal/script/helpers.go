package script

import (
	"fmt"

	"github.com/kubesim/kubesim/sim"
)

// Clock formats a virtual time as the scripts print it: seconds, with
// three decimals.
func Clock(t sim.Time) string { return fmt.Sprintf("%.3fs", t.Seconds()) }

// Must returns v, and panics on err: for the writes a harness makes to set
// up a cluster, which fail only when the test itself is wrong.
func Must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}
