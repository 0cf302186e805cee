package kubelet

import (
	"errors"
	"fmt"
	"math"
	"strings"
	"time"
)

// MiB is 2^20 bytes.
const MiB int64 = 1 << 20

// Config is the behaviour every simulated kubelet shares. Start from
// DefaultConfig and change what the scenario needs; NewManager panics on a
// Config that Validate rejects.
type Config struct {
	// ImagePullBandwidth is the rate, in bytes per second of virtual time, at
	// which a node pulls an image, decompression and unpacking included.
	// Default 50 MiB/s, typical of a cloud node pulling from a registry in
	// its region. With SerializeImagePulls false every pull gets the full rate.
	ImagePullBandwidth int64
	// DefaultImageSize is the size in bytes assumed for images that Images
	// does not list. Default 100 MiB.
	DefaultImageSize int64
	// Images is the scenario's image catalogue: image name to size in bytes.
	// Names are normalised as container runtimes do: "nginx", "nginx:latest"
	// and "docker.io/library/nginx:latest" are one image (a name without tag
	// or digest gets ":latest"; a name without registry is on docker.io, and
	// a single-component docker.io name is under "library/"). Nil means every
	// image has DefaultImageSize.
	Images map[string]int64
	// ContainerStartLatency is how long creating and starting a container
	// takes once its image is present; each init container takes it in turn,
	// and the regular containers (started together) take it once. Default 1 s.
	ContainerStartLatency time.Duration
	// SerializeImagePulls pulls one image at a time per node, as upstream's
	// serializeImagePulls (default true). When false, pulls on a node run in
	// parallel, each at ImagePullBandwidth.
	SerializeImagePulls bool
	// RestartBackoffInitial is the CrashLoopBackOff delay after the first
	// back-off-worthy exit (upstream 10 s). If RestartBackoffMax is smaller,
	// the initial delay is RestartBackoffMax, as with upstream's
	// crashLoopBackOff.maxContainerRestartPeriod.
	RestartBackoffInitial time.Duration
	// RestartBackoffMax caps the doubling delay (upstream MaxContainerBackOff
	// / maxContainerRestartPeriod, 300 s).
	RestartBackoffMax time.Duration
	// RestartBackoffReset is how long a container must have run since its
	// last restart (strictly more) for the back-off to start over (upstream
	// 600 s).
	RestartBackoffReset time.Duration

	// FailingImages lists images (any spelling) whose pulls fail: the
	// containers wait in ErrImagePull / ImagePullBackOff. Manager.
	// SetImageFailing changes the set during a run. Default none.
	FailingImages []string
	// ImagePullBackoffInitial and ImagePullBackoffMax are the image pull
	// back-off: the retry after the first failed pull waits the initial
	// delay, each further one twice the last, up to the cap (upstream 10 s
	// and 300 s). An entry idle for more than twice the cap starts over.
	ImagePullBackoffInitial time.Duration
	ImagePullBackoffMax     time.Duration
	// PodWorkerBackOff is how soon the kubelet's pod worker syncs a pod
	// again after a failed sync (upstream's backOffPeriod, 10 s, without
	// its jitter): a pod in image pull back-off shows ImagePullBackOff from
	// then until its next pull.
	PodWorkerBackOff time.Duration

	// MemoryUsageSpread draws each run's memory usage around the pod's
	// memory request: request × max(0, 1 + spread × N(0,1)), from the pod's
	// own random stream (kubelet/pod/<namespace>/<name>). 0 (the default):
	// pods use exactly their request. The kubesim.io/memory-usage and
	// memory-usage-spread annotations override it per pod.
	MemoryUsageSpread float64
	// EvictionHardMemoryAvailable is the hard eviction threshold
	// memory.available in bytes (upstream default 100Mi).
	EvictionHardMemoryAvailable int64
	// EvictionMonitoringInterval is the eviction manager's period
	// (upstream housekeeping interval, 10 s): at most one pod is evicted
	// per interval.
	EvictionMonitoringInterval time.Duration
	// EvictionPressureTransitionPeriod is how long a pressure condition
	// stays True after its signal was last crossed (upstream 5 min).
	EvictionPressureTransitionPeriod time.Duration

	// NodeLeaseDurationSeconds is the node Lease's duration; the kubelet
	// renews it every quarter of it (upstream 40 s, renewed every 10 s).
	NodeLeaseDurationSeconds int32

	// ShutdownGracePeriod and ShutdownGracePeriodCriticalPods are the
	// graceful node shutdown periods (kubelet shutdownGracePeriod and
	// shutdownGracePeriodCriticalPods) used by Reclaim and by Shutdown
	// without a period of its own. Upstream leaves the feature off (0);
	// kubesim defaults to the 30 s / 10 s of upstream's documentation
	// example, the common setting of cloud node images.
	ShutdownGracePeriod             time.Duration
	ShutdownGracePeriodCriticalPods time.Duration

	// DeviceResourceGroups names resource groups (the part of an extended
	// resource's name before "/", e.g. "alibabacloud.com") whose admission
	// belongs to a device plugin, as NodeResourcesFit's
	// ignoredResourceGroups leaves them to the GPU-sharing scheduler plugin:
	// resource fit does not sum a pod's requests of them. When the GPU
	// resources' group (ResourceGPUCount) is delegated, the kubelet admits a
	// GPU pod by device instead, as the GPU-sharing device plugin does: the
	// pod's AnnotationGPUIndex must name as many of the node's devices as
	// it requests, each with room for its milli per device beside the
	// admitted pods; otherwise it is rejected with
	// UnexpectedAdmissionError (devices.go). Default none: every resource
	// is summed.
	DeviceResourceGroups []string
}

// DefaultConfig returns the defaults documented on Config's fields.
func DefaultConfig() Config {
	return Config{
		ImagePullBandwidth:    50 * MiB,
		DefaultImageSize:      100 * MiB,
		ContainerStartLatency: time.Second,
		SerializeImagePulls:   true,
		RestartBackoffInitial: 10 * time.Second,
		RestartBackoffMax:     300 * time.Second,
		RestartBackoffReset:   600 * time.Second,

		ImagePullBackoffInitial: 10 * time.Second,
		ImagePullBackoffMax:     300 * time.Second,
		PodWorkerBackOff:        10 * time.Second,

		EvictionHardMemoryAvailable:      100 * MiB,
		EvictionMonitoringInterval:       10 * time.Second,
		EvictionPressureTransitionPeriod: 5 * time.Minute,

		NodeLeaseDurationSeconds: 40,

		ShutdownGracePeriod:             30 * time.Second,
		ShutdownGracePeriodCriticalPods: 10 * time.Second,
	}
}

// Validate reports every invalid field at once, naming each.
func (c *Config) Validate() error {
	var errs []error
	bad := func(field, format string, args ...any) {
		errs = append(errs, fmt.Errorf("kubelet config: %s: %s", field, fmt.Sprintf(format, args...)))
	}
	if c.ImagePullBandwidth <= 0 {
		bad("imagePullBandwidth", "must be > 0 bytes/s, got %d", c.ImagePullBandwidth)
	}
	if c.DefaultImageSize < 0 {
		bad("defaultImageSize", "must be >= 0 bytes, got %d", c.DefaultImageSize)
	}
	if c.ContainerStartLatency < 0 {
		bad("containerStartLatency", "must be >= 0, got %v", c.ContainerStartLatency)
	}
	if c.RestartBackoffInitial <= 0 {
		bad("restartBackoffInitial", "must be > 0, got %v", c.RestartBackoffInitial)
	}
	if c.RestartBackoffMax <= 0 {
		bad("restartBackoffMax", "must be > 0, got %v", c.RestartBackoffMax)
	}
	if c.RestartBackoffReset <= 0 {
		bad("restartBackoffReset", "must be > 0, got %v", c.RestartBackoffReset)
	}
	if c.ImagePullBackoffInitial <= 0 {
		bad("imagePullBackoffInitial", "must be > 0, got %v", c.ImagePullBackoffInitial)
	}
	if c.ImagePullBackoffMax < c.ImagePullBackoffInitial {
		bad("imagePullBackoffMax", "must be >= imagePullBackoffInitial (%v), got %v", c.ImagePullBackoffInitial, c.ImagePullBackoffMax)
	}
	if c.PodWorkerBackOff <= 0 {
		bad("podWorkerBackOff", "must be > 0, got %v", c.PodWorkerBackOff)
	}
	if c.MemoryUsageSpread < 0 || math.IsNaN(c.MemoryUsageSpread) || math.IsInf(c.MemoryUsageSpread, 0) {
		bad("memoryUsageSpread", "must be a number >= 0, got %v", c.MemoryUsageSpread)
	}
	if c.EvictionHardMemoryAvailable < 0 {
		bad("evictionHardMemoryAvailable", "must be >= 0 bytes, got %d", c.EvictionHardMemoryAvailable)
	}
	if c.EvictionMonitoringInterval <= 0 {
		bad("evictionMonitoringInterval", "must be > 0, got %v", c.EvictionMonitoringInterval)
	}
	if c.EvictionPressureTransitionPeriod < 0 {
		bad("evictionPressureTransitionPeriod", "must be >= 0, got %v", c.EvictionPressureTransitionPeriod)
	}
	if c.NodeLeaseDurationSeconds <= 0 {
		bad("nodeLeaseDurationSeconds", "must be > 0, got %d", c.NodeLeaseDurationSeconds)
	}
	if c.ShutdownGracePeriod < 0 {
		bad("shutdownGracePeriod", "must be >= 0, got %v", c.ShutdownGracePeriod)
	}
	if c.ShutdownGracePeriodCriticalPods < 0 || c.ShutdownGracePeriodCriticalPods > c.ShutdownGracePeriod {
		bad("shutdownGracePeriodCriticalPods", "must be between 0 and shutdownGracePeriod (%v), got %v", c.ShutdownGracePeriod, c.ShutdownGracePeriodCriticalPods)
	}
	for i, g := range c.DeviceResourceGroups {
		if g == "" || strings.Contains(g, "/") {
			bad(fmt.Sprintf("deviceResourceGroups[%d]", i), "must be a resource group such as alibabacloud.com, got %q", g)
		}
	}
	for i, name := range c.FailingImages {
		if name == "" {
			bad(fmt.Sprintf("failingImages[%d]", i), "empty image name")
		}
	}
	for name, size := range c.Images {
		if name == "" {
			bad("images", "empty image name")
		}
		if size < 0 {
			bad("images["+name+"]", "size must be >= 0 bytes, got %d", size)
		}
	}
	// Sort for a stable report: map order must not reach outputs.
	sortErrors(errs)
	return errors.Join(errs...)
}
