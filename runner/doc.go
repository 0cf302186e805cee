// Package runner runs experiments: many independent simulations of one
// scenario, one per (cell, profile, seed), in parallel, and turns their
// summaries into the statistics of package results/compare. It is what
// `kubesim compare` and `kubesim sweep` call; see docs/compare.md.
//
// Every run loads the scenario afresh and builds its own engine, store,
// scheduler and controllers, so runs share no memory and each is exactly the
// run `kubesim run --seed N` would make. Parallelism lives here, at the top:
// a pool of goroutines, each running whole simulations one after another;
// nothing inside a simulation is concurrent. Results are collected by run
// index, never in completion order, so outputs do not depend on scheduling.
//
// # Folders
//
// A compare writes each run to OUT/runs/<profile>/seed-<n>/, a sweep to
// OUT/cells/<cell>/runs/<profile>/seed-<n>/, each folder atomically
// (results.AtomicDir): it holds the run's outputs (summary.json, pods.csv,
// ...) and run.json, what the run was made from. An interrupted experiment
// leaves only complete run folders. A run whose folder holds a valid
// summary.json and the same run.json is finished: it is not run again
// (unless Plan.Force), its summary is read back. Statistics go to
// OUT/compare.csv and OUT/compare.json, each replaced atomically.
//
// # Profiles, seeds and cells
//
// ParseProfiles, ParseSeeds and ParseSet turn the command line into a Plan;
// Prepare checks the whole plan (every cell's scenario, every profile in
// every cell) before anything runs, so bad input fails fast and whole.
package runner
