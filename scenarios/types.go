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
}

// SchedulerSpec configures the scheduler.
type SchedulerSpec struct {
	// Config is a KubeSchedulerConfiguration file, relative to the scenario.
	Config string `json:"config,omitempty"`
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
}

// Output configures what a run writes.
type Output struct {
	// SampleInterval is the period of timeseries.csv (default 10s).
	SampleInterval *metav1.Duration `json:"sampleInterval,omitempty"`
}
