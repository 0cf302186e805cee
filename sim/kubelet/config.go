package kubelet

import (
	"errors"
	"fmt"
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
