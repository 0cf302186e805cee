package nodelifecycle

import (
	"errors"
	"fmt"
	"time"

	"github.com/kubesim/kubesim/controllers/reconciler"
)

// Upstream defaults (kube-controller-manager flags, v1.35).
const (
	// DefaultMonitorPeriod is --node-monitor-period.
	DefaultMonitorPeriod = 5 * time.Second
	// DefaultMonitorGracePeriod is --node-monitor-grace-period (50 s since
	// v1.32, kubernetes/kubernetes#126287; 40 s before).
	DefaultMonitorGracePeriod = 50 * time.Second
	// DefaultStartupGracePeriod is --node-startup-grace-period.
	DefaultStartupGracePeriod = 60 * time.Second
	// DefaultEvictionRate is --node-eviction-rate, nodes per second per zone.
	DefaultEvictionRate = 0.1
	// DefaultSecondaryEvictionRate is --secondary-node-eviction-rate.
	DefaultSecondaryEvictionRate = 0.01
	// DefaultLargeClusterThreshold is --large-cluster-size-threshold (nodes
	// per zone).
	DefaultLargeClusterThreshold = 50
	// DefaultUnhealthyZoneThreshold is --unhealthy-zone-threshold.
	DefaultUnhealthyZoneThreshold = 0.55
	// TaintPassPeriod is how often the rate-limited NoExecute tainting pass
	// runs (upstream NodeEvictionPeriod, 100 ms); its token buckets have a
	// burst of 1 (EvictionRateLimiterBurst).
	TaintPassPeriod = 100 * time.Millisecond
	// DefaultWorkers is upstream's nodeUpdateWorkerSize: the workers that
	// apply NoSchedule condition taints and mark newly bound pods not ready.
	DefaultWorkers = 8
)

// Config is the node lifecycle controller's configuration. Zero fields take
// DefaultConfig's values.
type Config struct {
	// Config is the work queue of the node and pod updates (NoSchedule
	// condition taints, pods bound to not-ready nodes).
	reconciler.Config
	// MonitorPeriod is the period of the node health monitor pass; passes
	// happen at multiples of it from the controller's start.
	MonitorPeriod time.Duration
	// MonitorGracePeriod is how long a node may go without a heartbeat (a
	// Lease renewal or a change of its Ready condition) before its Ready
	// condition is set Unknown.
	MonitorGracePeriod time.Duration
	// StartupGracePeriod replaces MonitorGracePeriod for a node that has
	// never posted a Ready condition.
	StartupGracePeriod time.Duration
	// EvictionRate is the per-zone rate (nodes per second) of NoExecute
	// tainting in Normal and FullDisruption zones.
	EvictionRate float64
	// SecondaryEvictionRate is the rate in PartialDisruption zones larger
	// than LargeClusterThreshold nodes (smaller ones get 0: no tainting).
	SecondaryEvictionRate float64
	// LargeClusterThreshold is the zone size above which a partially
	// disrupted zone keeps tainting at SecondaryEvictionRate.
	LargeClusterThreshold int32
	// UnhealthyZoneThreshold is the fraction of not-Ready nodes (with more
	// than 2 of them) at which a zone is PartialDisruption.
	UnhealthyZoneThreshold float64
}

// DefaultConfig returns upstream's defaults, 8 workers and the runtime's
// default sync latency (10 ms).
func DefaultConfig() Config {
	return Config{
		Config:                 reconciler.Config{SyncLatency: reconciler.DefaultSyncLatency, Workers: DefaultWorkers},
		MonitorPeriod:          DefaultMonitorPeriod,
		MonitorGracePeriod:     DefaultMonitorGracePeriod,
		StartupGracePeriod:     DefaultStartupGracePeriod,
		EvictionRate:           DefaultEvictionRate,
		SecondaryEvictionRate:  DefaultSecondaryEvictionRate,
		LargeClusterThreshold:  DefaultLargeClusterThreshold,
		UnhealthyZoneThreshold: DefaultUnhealthyZoneThreshold,
	}
}

// WithDefaults returns c with its zero fields taken from def.
func (c Config) WithDefaults(def Config) Config {
	c.Config = c.Config.WithDefaults(def.Config)
	if c.MonitorPeriod == 0 {
		c.MonitorPeriod = def.MonitorPeriod
	}
	if c.MonitorGracePeriod == 0 {
		c.MonitorGracePeriod = def.MonitorGracePeriod
	}
	if c.StartupGracePeriod == 0 {
		c.StartupGracePeriod = def.StartupGracePeriod
	}
	if c.EvictionRate == 0 {
		c.EvictionRate = def.EvictionRate
	}
	if c.SecondaryEvictionRate == 0 {
		c.SecondaryEvictionRate = def.SecondaryEvictionRate
	}
	if c.LargeClusterThreshold == 0 {
		c.LargeClusterThreshold = def.LargeClusterThreshold
	}
	if c.UnhealthyZoneThreshold == 0 {
		c.UnhealthyZoneThreshold = def.UnhealthyZoneThreshold
	}
	return c
}

// Validate reports every negative or out-of-range field.
func (c Config) Validate() error {
	var errs []error
	if err := c.Config.Validate(); err != nil {
		errs = append(errs, err)
	}
	for _, d := range []struct {
		name string
		v    time.Duration
	}{{"monitorPeriod", c.MonitorPeriod}, {"monitorGracePeriod", c.MonitorGracePeriod}, {"startupGracePeriod", c.StartupGracePeriod}} {
		if d.v < 0 {
			errs = append(errs, fmt.Errorf("%s: must be ≥ 0, got %v", d.name, d.v))
		}
	}
	if c.EvictionRate < 0 {
		errs = append(errs, fmt.Errorf("evictionRate: must be ≥ 0, got %g", c.EvictionRate))
	}
	if c.SecondaryEvictionRate < 0 {
		errs = append(errs, fmt.Errorf("secondaryEvictionRate: must be ≥ 0, got %g", c.SecondaryEvictionRate))
	}
	if c.LargeClusterThreshold < 0 {
		errs = append(errs, fmt.Errorf("largeClusterThreshold: must be ≥ 0, got %d", c.LargeClusterThreshold))
	}
	if c.UnhealthyZoneThreshold < 0 || c.UnhealthyZoneThreshold > 1 {
		errs = append(errs, fmt.Errorf("unhealthyZoneThreshold: must be in [0, 1], got %g", c.UnhealthyZoneThreshold))
	}
	return errors.Join(errs...)
}
