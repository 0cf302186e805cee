package traffic_test

import (
	"fmt"
	"time"

	"github.com/kubesim/kubesim/sim"
	"github.com/kubesim/kubesim/workloads/traffic"
)

// A web service offered 100 rps, 10 rps per replica, loses half its replicas
// for 20 s: it serves 5000 of 6000 requests.
func ExampleTracker() {
	tr := traffic.NewTracker(traffic.Load{Offered: traffic.Constant{RPS: 100}, PerReplicaRPS: 10})
	tr.Observe(0, 10, 10)
	tr.Observe(sim.Time(10*time.Second), 5, 10)
	tr.Observe(sim.Time(30*time.Second), 10, 10)
	t := tr.Totals(sim.Time(60 * time.Second))
	fmt.Printf("served %.0f of %.0f (%.1f%%), %s below desired, worst shortfall %.0f rps\n",
		t.Served, t.Offered, 100*t.DemandServed(), t.BelowDesired, t.WorstShortfall)
	// Output: served 5000 of 6000 (83.3%), 20s below desired, worst shortfall 50 rps
}

// A day with a trough of 0 at midnight and a peak of 200 rps at noon: 10
// replicas of 10 rps serve everything up to 100 rps.
func ExampleDiurnal_Served() {
	d := traffic.Diurnal{Peak: 200, Trough: 0, Period: 24 * time.Hour}
	day := (24 * time.Hour).Seconds()
	offered := d.Served(0, day, 1e18)
	served := d.Served(0, day, 100)
	fmt.Printf("%.4f of the day's requests served\n", served/offered)
	// Output: 0.6817 of the day's requests served
}
