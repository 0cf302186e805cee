// Command kubesim runs kubesim scenarios: discrete-event simulations of a
// Kubernetes cluster.
//
//	kubesim run SCENARIO [--seed N] [--until D] [--out DIR]
//	kubesim validate SCENARIO
//	kubesim explain -f STATE.yaml [--config CFG.yaml] [-o table|json]
//	kubesim compare SCENARIO --profiles A,B [--seeds 42-51] [--parallel N] [--out DIR]
//	kubesim sweep SCENARIO --set PATH=V1,V2 [--set ...] [--seeds ...] [--profiles ...]
//	kubesim version
//
// Exit codes: 0 success, 1 the simulation failed, 2 bad input (flags, scenario,
// manifests). Flags override the scenario file; every flag can also be set
// through a KUBESIM_* environment variable (KUBESIM_SEED, KUBESIM_UNTIL,
// KUBESIM_OUT, ...).
package main

import (
	"os"
)

func main() {
	os.Exit(Main(os.Args[1:], os.Stdout, os.Stderr))
}
