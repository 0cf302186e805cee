// Package traffic is kubesim's service load model: how many requests per
// second a Deployment or StatefulSet is offered, and how many of them it serves
// with the replicas that are Ready.
//
// # Model
//
// A workload is offered a load r(t), in requests per second (rps), that
// depends only on virtual time (an Offered curve: Constant, Diurnal or a
// piecewise-constant Series). Each Ready replica serves at most PerReplicaRPS,
// so with n Ready replicas the workload serves
//
//	served(t) = min(r(t), n · PerReplicaRPS)
//
// and the rest, r(t) − served(t), is the shortfall (requests failed, queued or
// shed: the model does not say which).
//
// # Exact integration, no ticking
//
// The number of Ready replicas changes only at events. A Tracker is told every
// change (Observe) and integrates the offered and served requests between two
// changes in closed form: Constant and Series exactly; Diurnal with the closed
// form of ∫ min(a − b·cos(ωt), c) dt, whose crossing points cos(ωt) = (a − c)/b
// are found with math.Acos (see Diurnal.Served). Nothing is sampled, so the
// figures do not depend on a sampling interval and cost O(changes), not
// O(simulated time). Results are exact up to float64 rounding (relative error
// of order 1e−15 per interval; intervals are summed in time order).
//
// # Units
//
// Times are seconds since the start of the run (float64) in the Offered
// interface and sim.Time (nanoseconds) in the Tracker; rates are requests per
// second; integrals are requests. Curves are defined for every t (negative
// times included) and are never negative.
//
// # Figures
//
// Totals holds, for the whole run or for a window of it (a rollout): offered
// and served requests, DemandServed (their ratio, 1 when nothing was offered),
// the time the Ready count spent below the desired replica count, and the
// worst shortfall: the largest offered − served rate at any moment.
//
// A nil Offered is a programmer error: constructors and Tracker panic with the
// package name.
package traffic
