// Package source is the interface between what arrives at a simulated cluster
// and the simulation: a Source hands out Events (create or delete one object at
// a virtual time) in time order, and Play writes them to the API store as the
// engine reaches their times.
//
// Trace readers (package workloads/traces) and synthetic generators (package
// workloads/generators) both produce Sources, so a scenario's spec.sources
// list can mix them; Merge interleaves several Sources by time.
//
// Times are time.Duration offsets from the start of the run (virtual time 0).
// A Source never fails after it is built: readers and generators validate
// their input up front, so Next only says whether there is more.
//
// Play pulls one event ahead: it schedules a single engine event per distinct
// arrival time, so a million-row trace costs a million events only as the run
// reaches them, never a million timers at start.
package source
