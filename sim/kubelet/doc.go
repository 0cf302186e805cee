// Package kubelet simulates the kubelets of a kubesim cluster: one per Node,
// each driving the pods bound to its node through admission, image pulls,
// container start, readiness, completion, restarts and graceful termination.
//
// A Manager watches the store's Nodes table and runs one Kubelet per node,
// created when the Node appears and stopped when it is deleted. It watches the
// Pods table once and hands each event to the kubelet of the pod's node, so the
// cost of a pod event does not depend on the number of nodes. Kubelets learn
// about the world only from the store and change it only by writing to it
// (component "kubelet/<node>"), as the real kubelet talks only to the API
// server; they never call the scheduler or controllers.
//
// Every delay is virtual time on the engine, and every pending step is one
// engine event that is cancelled when it stops being relevant. Nothing ticks:
// a healthy node's heartbeat and a pod's periodic probes are not events, so a
// pod that runs for a week costs the same as one that runs for a minute.
//
// What is modelled, and how it maps to upstream (Kubernetes v1.35, SEMANTICS.md
// section 7):
//
//   - Registration: a node without a Ready condition gets Ready=True (reason
//     KubeletReady) when its kubelet starts. Images listed in the node's
//     status.images are already cached on it.
//   - Admission: the pod's effective requests (api.PodSpec.Requests) plus those
//     of the pods the kubelet has admitted and not yet finished must fit the
//     node's allocatable, and the pod count must stay within AllowedPods; a pod
//     that does not fit is set Failed with upstream's reason (OutOfcpu,
//     OutOfmemory, OutOfephemeral-storage, OutOfpods, OutOf<resource>) and
//     message ("Pod was rejected: Node didn't have enough resource: ...").
//   - Images: an image not cached on the node is pulled in size/bandwidth
//     seconds (Config.ImagePullBandwidth), one pull at a time per node when
//     Config.SerializeImagePulls is set; afterwards it is cached on that node.
//     The cache lives in the kubelet, not in Node.status.images.
//   - Start: init containers run one after another, each taking
//     Config.ContainerStartLatency (regular init containers complete, sidecars
//     keep running); then the regular containers start after one more
//     ContainerStartLatency and the pod is Running. Ready follows at once
//     without readiness probes, or when the slowest probed container's
//     readiness probe has succeeded successThreshold times in a row (first
//     success at initialDelaySeconds, or when its startup probe first succeeds
//     if that is later). Probes always succeed; liveness probes never fire.
//   - Completion: a pod with api.PodSpec.RunDuration > 0 has its containers
//     exit 0 that long after they started: Succeeded under restartPolicy Never
//     or OnFailure, restarted under Always with upstream's CrashLoopBackOff
//     rule (immediate first restart, then 10 s doubling to 300 s, reset after
//     a run longer than 600 s; see Config). All containers of a pod share one
//     run duration, so they exit and restart together.
//   - Termination: a pod with a deletionTimestamp whose containers are running
//     is removed (a delete with grace 0) at the deletion deadline, the time its
//     containers take to stop in the worst case; a pod with nothing running
//     (not started yet, in back-off, or finished) is removed at once.
//
// Durations are time.Duration of virtual time; sizes are bytes; bandwidth is
// bytes per second of virtual time.
package kubelet
