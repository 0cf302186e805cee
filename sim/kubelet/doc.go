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
//     KubeletReady) and MemoryPressure=False when its kubelet starts. Images
//     listed in the node's status.images are already cached on it.
//   - Admission: the pod's effective requests (api.PodSpec.Requests) plus those
//     of the pods the kubelet has admitted and not yet finished must fit the
//     node's allocatable, and the pod count must stay within AllowedPods; a pod
//     that does not fit is set Failed with upstream's reason (OutOfcpu,
//     OutOfmemory, OutOfephemeral-storage, OutOfpods, OutOf<resource>) and
//     message ("Pod was rejected: Node didn't have enough resource: ...").
//     A node shutting down rejects every pod (NodeShutdown); a node under
//     memory pressure rejects BestEffort pods that do not tolerate its
//     memory-pressure taint (Evicted). Resources of the groups
//     Config.DeviceResourceGroups names are a device plugin's: not summed;
//     with the GPU-sharing group, GPU pods are admitted by the devices their
//     alibabacloud.com/gpu-index annotation names (devices.go;
//     UnexpectedAdmissionError otherwise).
//   - Images: an image not cached on the node is pulled in size/bandwidth
//     seconds (Config.ImagePullBandwidth), one pull at a time per node when
//     Config.SerializeImagePulls is set; afterwards it is cached on that node.
//     The cache lives in the kubelet, not in Node.status.images.
//   - Start: init containers run one after another, each taking
//     Config.ContainerStartLatency (regular init containers complete, sidecars
//     keep running); then the regular containers start after one more
//     ContainerStartLatency and the pod is Running.
//   - Runs (plan.go): everything that can end a run of the containers or flip
//     their readiness is computed when the run starts, each at most one
//     timer: exit after api.PodSpec.RunDuration (exit code from
//     kubesim.io/exit-code), a crash (exponential time to crash from the
//     pod's own random stream), an OOM kill when the memory usage profile
//     exceeds the pod's memory limit (exit 137, OOMKilled), and startup,
//     liveness and readiness probes on upstream's tick rules, failing from
//     the times the pod's kubesim.io annotations give (Behavior,
//     ParseBehavior). Liveness and startup failures kill the containers
//     (exit 137); readiness failures flip Ready; startup gates both.
//   - Restarts: by restartPolicy (Always; OnFailure after a non-zero exit)
//     with upstream's CrashLoopBackOff rule (immediate first restart, then
//     10 s doubling to 300 s, reset after a run longer than 600 s; see
//     Config); otherwise the pod is Succeeded (exit 0) or Failed. All
//     containers of a pod share one run, so they exit and restart together.
//   - Images marked failing (Config.FailingImages, Manager.SetImageFailing)
//     leave the pod in ErrImagePull / ImagePullBackOff, retried after 10 s
//     doubling to 300 s.
//   - Node-pressure eviction (pressure.go): pods' memory usage is a
//     piecewise-constant MemoryProfile per run, so the memory.available
//     signal changes only at events; under pressure the eviction manager
//     evicts one pod per monitoring interval in upstream's ranking and
//     reports the MemoryPressure condition; BestEffort pods are rejected
//     while it is True.
//   - Termination: a pod with a deletionTimestamp whose containers are running
//     is removed (a delete with grace 0) at the deletion deadline, the time its
//     containers take to stop in the worst case; a pod with nothing running
//     (not started yet, in back-off, or finished) is removed at once.
//   - Leases: a starting kubelet makes its node's Lease (kube-node-lease)
//     renew every 10 s without writes (api.Lease.RenewTimeAt); when it
//     stops reporting it freezes the lease at its last renewal.
//   - Failures (failures.go): Manager.Crash, Recover, Partition, Heal,
//     Shutdown (graceful node shutdown), RestartKubelet and Reclaim (spot
//     interruption) are the hooks a failure plan calls; each lets the
//     control plane notice as upstream does, through the lease, the node's
//     conditions and the pods' status.
//
// Durations are time.Duration of virtual time; sizes are bytes; bandwidth is
// bytes per second of virtual time.
package kubelet
