// Package noderesources implements the two resource plugins of the default
// profile, as upstream keeps them in one package:
//
//   - NodeResourcesFit (fit.go): PreFilter computes the pod's effective
//     request, Filter checks it against each node's free allocatable
//     (SEMANTICS 3.1), Score ranks nodes with the configured scoring
//     strategy, LeastAllocated (default), MostAllocated or
//     RequestedToCapacityRatio (SEMANTICS 2.0–2.3).
//   - NodeResourcesBalancedAllocation (balanced_allocation.go): Score favours
//     nodes whose resource fractions are close to each other (SEMANTICS 2.4).
//
// Units are the model's: cpu in millicores, memory and ephemeral-storage in
// bytes, extended resources in their own integer units. All score arithmetic
// is int64 with truncating division, as upstream, except where upstream uses
// float64 (RequestedToCapacityRatio's final rounding, the balance std).
//
// Filter and Score run per node; they read what PreFilter and PreScore stored
// in the CycleState (one Read per call) and do not allocate on the passing
// path.
package noderesources
