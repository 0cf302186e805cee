package sim_test

import (
	"fmt"
	"time"

	"github.com/kubesim/kubesim/sim"
)

// Events run in time order; events at the same time run in the order they
// were scheduled. A cancelled event never runs.
func ExampleEngine() {
	eng := sim.NewEngine(42, 0)
	eng.AfterFunc(2*time.Second, func(now sim.Time) { fmt.Println(now, "second") })
	eng.AfterFunc(time.Second, func(now sim.Time) { fmt.Println(now, "first") })
	t := eng.AfterFunc(time.Second, func(now sim.Time) { fmt.Println(now, "cancelled") })
	eng.Cancel(t)
	eng.Run(sim.Time(time.Minute))
	fmt.Println("now", eng.Now(), "fired", eng.Fired())
	// Output:
	// 1s first
	// 2s second
	// now 1m0s fired 2
}

// Each component draws from its own named stream, seeded from (seed, run,
// name): the same seed gives the same draws, whatever other streams do.
func ExampleEngine_Rand() {
	a := sim.NewEngine(7, 0).Rand("workloads/arrivals")
	b := sim.NewEngine(7, 0)
	b.Rand("scheduler/tiebreak").IntN(10) // another stream: no effect on arrivals
	fmt.Println(a.IntN(1000) == b.Rand("workloads/arrivals").IntN(1000))
	// Output: true
}
