package api

import "github.com/kubesim/kubesim/sim"

// Names the simulated kubelet reads and writes beyond a pod's life on a
// healthy node: failure-model annotations, node pressure conditions and
// taints, and the reasons upstream's kubelet gives. The kubelet package
// documents each behaviour (docs/kubelet.md).

// Annotations on a pod (or its template) that describe how its containers
// behave at run time. kubelet.ParseBehavior parses and validates them.
const (
	// AnnotationExitCode is the code the containers exit with when their
	// run duration (AnnotationRunDuration) ends: 0 (the default) to 255.
	AnnotationExitCode = "kubesim.io/exit-code"
	// AnnotationCrashMTTF is a mean time to crash (a Go duration): each run
	// of the containers crashes after an exponentially distributed time with
	// this mean, drawn from the pod's own random stream.
	AnnotationCrashMTTF = "kubesim.io/crash-mttf"
	// AnnotationCrashExitCode is the exit code of such a crash (default 1).
	AnnotationCrashExitCode = "kubesim.io/crash-exit-code"
	// AnnotationLivenessFailAfter makes the liveness probes fail once the
	// containers have run this long (each run); AnnotationLivenessFailAt from
	// this simulation time on (a Go duration since the simulation started).
	AnnotationLivenessFailAfter = "kubesim.io/liveness-fail-after"
	AnnotationLivenessFailAt    = "kubesim.io/liveness-fail-at"
	// AnnotationReadinessFailAfter and AnnotationReadinessFailAt do the same
	// for readiness probes.
	AnnotationReadinessFailAfter = "kubesim.io/readiness-fail-after"
	AnnotationReadinessFailAt    = "kubesim.io/readiness-fail-at"
	// AnnotationStartupFailAfter and AnnotationStartupFailAt do the same for
	// startup probes.
	AnnotationStartupFailAfter = "kubesim.io/startup-fail-after"
	AnnotationStartupFailAt    = "kubesim.io/startup-fail-at"
	// AnnotationMemoryUsage is the pod's memory usage over one run of its
	// containers, piecewise constant: "300Mi", or "200Mi,2m=500Mi,10m=1Gi"
	// (200Mi from the start, 500Mi once they have run 2 minutes, ...).
	AnnotationMemoryUsage = "kubesim.io/memory-usage"
	// AnnotationMemoryUsageSpread makes each run's constant usage its memory
	// request × max(0, 1 + spread × N(0,1)), drawn from the pod's random
	// stream (overrides the kubelet's default spread).
	AnnotationMemoryUsageSpread = "kubesim.io/memory-usage-spread"
)

// Node condition types the kubelet reports besides Ready.
const (
	NodeMemoryPressure = "MemoryPressure"
	NodeDiskPressure   = "DiskPressure"
	NodePIDPressure    = "PIDPressure"
)

// Taint keys for node pressure conditions (added by the node lifecycle
// controller from the conditions, as upstream's TaintNodesByCondition).
const (
	TaintNodeMemoryPressure = "node.kubernetes.io/memory-pressure"
	TaintNodeDiskPressure   = "node.kubernetes.io/disk-pressure"
	TaintNodePIDPressure    = "node.kubernetes.io/pid-pressure"
)

// Pod condition reason of DisruptionTarget when the kubelet itself terminates
// a pod (node-pressure eviction, graceful node shutdown), as upstream's
// v1.PodReasonTerminationByKubelet.
const PodReasonTerminationByKubelet = "TerminationByKubelet"

// SystemCriticalPriority is the lowest priority of a critical pod
// (system-cluster-critical), which the kubelet never evicts and shuts down
// last.
const SystemCriticalPriority int32 = 2000000000

// ContainerTermination is how one run of a container ended
// (v1.ContainerStateTerminated): its exit code, the reason (Completed,
// Error, OOMKilled, ContainerStatusUnknown) and when it started and finished.
type ContainerTermination struct {
	ExitCode   int32
	Reason     string
	StartedAt  sim.Time
	FinishedAt sim.Time
}
