package scenarios

import (
	"encoding/json"

	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// APIVersion and Kind every scenario file declares.
const (
	APIVersion = "kubesim.io/v1alpha1"
	Kind       = "Scenario"
)

// Scenario is a scenario file.
type Scenario struct {
	APIVersion string   `json:"apiVersion"`
	Kind       string   `json:"kind"`
	Metadata   Metadata `json:"metadata"`
	Spec       Spec     `json:"spec"`
}

// Metadata names the scenario.
type Metadata struct {
	Name        string `json:"name"`
	Description string `json:"description,omitempty"`
}

// Spec is what the scenario simulates.
type Spec struct {
	// Seed seeds every random stream of the run (default 1).
	Seed *uint64 `json:"seed,omitempty"`
	// Duration is how much virtual time to simulate (required, > 0).
	Duration metav1.Duration `json:"duration"`
	Cluster  Cluster         `json:"cluster"`
	// Scheduler configures kube-scheduler.
	Scheduler SchedulerSpec `json:"scheduler,omitempty"`
	// Workloads are manifests applied at given times.
	Workloads []WorkloadBatch `json:"workloads,omitempty"`
	// Sources are traces replayed into the cluster (sources.go).
	Sources []SourceSpec `json:"sources,omitempty"`
	// Actions are what a user does with kubectl at given times (actions.go).
	Actions []Action `json:"actions,omitempty"`
	// Load is the offered load of services (actions.go).
	Load []LoadEntry `json:"load,omitempty"`
	// Failures is the failure plan: node crashes, shutdowns, zone outages,
	// network partitions, kubelet restarts, spot reclaims, image pull
	// outages and pod crash behaviour, at given times (failures.go).
	Failures []Failure `json:"failures,omitempty"`
	// Images is a catalogue of image sizes for pull times.
	Images []Image `json:"images,omitempty"`
	Timing Timing  `json:"timing,omitempty"`
	Output Output  `json:"output,omitempty"`
}

// Cluster describes the nodes.
type Cluster struct {
	NodePools []NodePool `json:"nodePools,omitempty"`
	// Manifests are files of explicit objects present at time 0 (Nodes,
	// PriorityClasses, Namespaces, ...), relative to the scenario file.
	Manifests []string `json:"manifests,omitempty"`
}

// NodePool is a group of identical nodes made from a template.
type NodePool struct {
	Name  string `json:"name"`
	Count int    `json:"count"`
	// Zones are assigned round-robin (label topology.kubernetes.io/zone).
	Zones []string `json:"zones,omitempty"`
	// Template is a v1 Node (metadata.labels, spec.taints, status.capacity/
	// allocatable, status.images); names are generated.
	Template json.RawMessage `json:"template"`
	// Failures makes the pool's nodes fail and get repaired at random
	// times (failures.go); nil: they never fail on their own.
	Failures *PoolFailures `json:"failures,omitempty"`
}

// SchedulerSpec configures the scheduler.
type SchedulerSpec struct {
	// Config is a KubeSchedulerConfiguration file, relative to the scenario.
	Config string `json:"config,omitempty"`
	// TypicalPodsFrom names a spec.sources entry: every profile's FGD
	// plugin gets the typical pods computed from that source's pods
	// (sources.go), replacing the configuration's.
	TypicalPodsFrom string `json:"typicalPodsFrom,omitempty"`
	// TieBreak is how the scheduler picks among equally scored nodes:
	// random (default, upstream) or permutation (the FGD paper's simulator;
	// scheduler.TieBreakPermutation).
	TieBreak string `json:"tieBreak,omitempty"`
}

// WorkloadBatch is a set of manifests applied at one time.
type WorkloadBatch struct {
	At        metav1.Duration `json:"at"`
	Manifests []string        `json:"manifests"`
}

// Image is one catalogue entry: an image and its (compressed) size.
type Image struct {
	Name string            `json:"name"`
	Size resource.Quantity `json:"size"`
}

// Timing holds the latency models; unset fields take the documented defaults.
type Timing struct {
	// WatchLatency delays every watch delivery (default 0).
	WatchLatency *metav1.Duration `json:"watchLatency,omitempty"`
	Scheduler    SchedulerTiming  `json:"scheduler,omitempty"`
	Controllers  ControllerTiming `json:"controllers,omitempty"`
	Kubelet      KubeletTiming    `json:"kubelet,omitempty"`
}

// SchedulerTiming is the scheduler's latency model.
type SchedulerTiming struct {
	// Cycle is the virtual time one scheduling cycle takes.
	Cycle *metav1.Duration `json:"cycle,omitempty"`
	// Bind is the virtual time from the end of a cycle to the binding write.
	Bind *metav1.Duration `json:"bind,omitempty"`
}

// ControllerTiming is the controllers' latency model.
type ControllerTiming struct {
	// Sync is the virtual time one reconcile takes.
	Sync *metav1.Duration `json:"sync,omitempty"`
	// NodeLifecycle is the node lifecycle controller's timing and eviction
	// rates (failures.go).
	NodeLifecycle NodeLifecycleTiming `json:"nodeLifecycle,omitempty"`
}

// KubeletTiming is the kubelets' latency model.
type KubeletTiming struct {
	// ContainerStart is the time from image ready to containers running.
	ContainerStart *metav1.Duration `json:"containerStart,omitempty"`
	// ImagePullBandwidth is bytes per second per node (a quantity, e.g. 50Mi).
	ImagePullBandwidth *resource.Quantity `json:"imagePullBandwidth,omitempty"`
	// DefaultImageSize is used for images missing from the catalogue.
	DefaultImageSize *resource.Quantity `json:"defaultImageSize,omitempty"`
	// SerializeImagePulls pulls one image at a time per node (default true).
	SerializeImagePulls *bool `json:"serializeImagePulls,omitempty"`
	// The kubelet's failure-related knobs (failures.go, docs/kubelet.md):
	// image pull back-off, CrashLoopBackOff cap, hard eviction threshold,
	// graceful shutdown periods, memory usage spread, lease duration.
	ImagePullBackoffInitial         *metav1.Duration   `json:"imagePullBackoffInitial,omitempty"`
	ImagePullBackoffMax             *metav1.Duration   `json:"imagePullBackoffMax,omitempty"`
	MaxContainerRestartPeriod       *metav1.Duration   `json:"maxContainerRestartPeriod,omitempty"`
	EvictionHardMemoryAvailable     *resource.Quantity `json:"evictionHardMemoryAvailable,omitempty"`
	ShutdownGracePeriod             *metav1.Duration   `json:"shutdownGracePeriod,omitempty"`
	ShutdownGracePeriodCriticalPods *metav1.Duration   `json:"shutdownGracePeriodCriticalPods,omitempty"`
	MemoryUsageSpread               *float64           `json:"memoryUsageSpread,omitempty"`
	NodeLeaseDurationSeconds        *int32             `json:"nodeLeaseDurationSeconds,omitempty"`
	// DeviceResourceGroups delegates the admission of these resource groups
	// to a device plugin (kubelet.Config.DeviceResourceGroups): with
	// alibabacloud.com, GPU-sharing pods are admitted by device.
	DeviceResourceGroups []string `json:"deviceResourceGroups,omitempty"`
}

// Output configures what a run writes.
type Output struct {
	// SampleInterval is the period of timeseries.csv (default 10s).
	SampleInterval *metav1.Duration `json:"sampleInterval,omitempty"`
	// GPUAllocation writes gpu_allocation.csv and gpu_devices.csv and adds
	// gpu_allocation to summary.json (docs/outputs.md).
	GPUAllocation bool `json:"gpuAllocation,omitempty"`
	// EventLog writes events.jsonl (default true); false saves time in
	// large experiments.
	EventLog *bool `json:"eventLog,omitempty"`
}

// Action is one thing a user does at a given time, as with kubectl. It names
// exactly one verb: apply, scale, rolloutUndo, rolloutPause, rolloutResume,
// delete, cordon, uncordon, drain or maintenance.
type Action struct {
	// At is when, from the start of the run (not after spec.duration).
	At metav1.Duration `json:"at"`
	// Apply creates the objects of manifest files, or updates those that
	// exist (kubectl apply).
	Apply *ApplyAction `json:"apply,omitempty"`
	// Scale sets the replicas of a Deployment, ReplicaSet or StatefulSet
	// (kubectl scale).
	Scale *ScaleAction `json:"scale,omitempty"`
	// RolloutUndo rolls a Deployment back to an earlier revision (kubectl
	// rollout undo).
	RolloutUndo *RolloutUndoAction `json:"rolloutUndo,omitempty"`
	// RolloutPause and RolloutResume pause and resume a Deployment's rollout
	// (kubectl rollout pause / resume).
	RolloutPause  *RolloutTarget `json:"rolloutPause,omitempty"`
	RolloutResume *RolloutTarget `json:"rolloutResume,omitempty"`
	// Delete deletes an object (kubectl delete): its dependents go through
	// the garbage collector, pods gracefully.
	Delete *ObjectTarget `json:"delete,omitempty"`
	// Cordon and Uncordon mark a node unschedulable and schedulable again;
	// Drain drains a node; Maintenance drains a pool's nodes one at a time
	// (kubectl cordon / uncordon / drain; drainactions.go).
	Cordon      *NodeActionTarget  `json:"cordon,omitempty"`
	Uncordon    *NodeActionTarget  `json:"uncordon,omitempty"`
	Drain       *DrainAction       `json:"drain,omitempty"`
	Maintenance *MaintenanceAction `json:"maintenance,omitempty"`
}

// ApplyAction names manifest files, relative to the scenario file.
type ApplyAction struct {
	Manifests []string `json:"manifests"`
}

// ScaleAction sets an object's spec.replicas.
type ScaleAction struct {
	// Kind is Deployment, ReplicaSet or StatefulSet.
	Kind string `json:"kind"`
	// Namespace defaults to "default".
	Namespace string `json:"namespace,omitempty"`
	Name      string `json:"name"`
	// Replicas is required, >= 0.
	Replicas *int32 `json:"replicas"`
}

// RolloutUndoAction rolls a Deployment back.
type RolloutUndoAction struct {
	// Kind is Deployment (the default).
	Kind string `json:"kind,omitempty"`
	// Namespace defaults to "default".
	Namespace string `json:"namespace,omitempty"`
	Name      string `json:"name"`
	// ToRevision is the revision to roll back to; 0 (the default) is the
	// previous one.
	ToRevision int64 `json:"toRevision,omitempty"`
}

// RolloutTarget names the Deployment of a rollout pause or resume.
type RolloutTarget struct {
	// Kind is Deployment (the default).
	Kind string `json:"kind,omitempty"`
	// Namespace defaults to "default".
	Namespace string `json:"namespace,omitempty"`
	Name      string `json:"name"`
}

// ObjectTarget names the object a delete action deletes.
type ObjectTarget struct {
	// Kind is Pod, ReplicaSet, Deployment, StatefulSet, DaemonSet, Job,
	// Service or PodDisruptionBudget.
	Kind string `json:"kind"`
	// Namespace defaults to "default".
	Namespace string `json:"namespace,omitempty"`
	Name      string `json:"name"`
}

// LoadEntry offers load to a Deployment or StatefulSet (package
// workloads/traffic): served = min(offered, ready replicas × perReplicaRPS).
type LoadEntry struct {
	// Kind is Deployment or StatefulSet.
	Kind string `json:"kind"`
	// Namespace defaults to "default".
	Namespace string `json:"namespace,omitempty"`
	Name      string `json:"name"`
	// PerReplicaRPS is what one Ready replica serves, requests per second (> 0).
	PerReplicaRPS float64     `json:"perReplicaRPS"`
	Offered       OfferedLoad `json:"offered"`
}

// OfferedLoad is exactly one offered-load curve.
type OfferedLoad struct {
	Constant *ConstantLoad `json:"constant,omitempty"`
	Diurnal  *DiurnalLoad  `json:"diurnal,omitempty"`
	Series   *SeriesLoad   `json:"series,omitempty"`
}

// ConstantLoad is the same rate at every moment.
type ConstantLoad struct {
	RPS float64 `json:"rps"`
}

// DiurnalLoad is a cosine between trough (at phase) and peak (half a period
// later).
type DiurnalLoad struct {
	Peak   float64         `json:"peak"`
	Trough float64         `json:"trough"`
	Period metav1.Duration `json:"period"`
	Phase  metav1.Duration `json:"phase,omitempty"`
}

// SeriesLoad is a piecewise-constant rate from a CSV file of time_seconds,rps
// lines, relative to the scenario file.
type SeriesLoad struct {
	File string `json:"file"`
}
