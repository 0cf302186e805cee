package results

import (
	"encoding/json"
	"io"
	"math"
	"slices"
	"strconv"

	"gonum.org/v1/gonum/stat"

	"github.com/kubesim/kubesim/sim/api"
)

// Fixed is a float64 that JSON-encodes with exactly six decimal places (NaN
// and infinities, which the Recorder never produces, encode as 0).
type Fixed float64

// MarshalJSON encodes f with six decimals.
func (f Fixed) MarshalJSON() ([]byte, error) {
	v := float64(f)
	if math.IsNaN(v) || math.IsInf(v, 0) {
		v = 0
	}
	return strconv.AppendFloat(nil, v, 'f', 6, 64), nil
}

// Summary is every figure of one run: what summary.json holds. Field order is
// the JSON key order.
type Summary struct {
	Scenario string `json:"scenario"`
	Seed     uint64 `json:"seed"`
	// DurationSeconds is the simulated duration: the time Finish was given.
	DurationSeconds       Fixed `json:"duration_seconds"`
	SampleIntervalSeconds Fixed `json:"sample_interval_seconds"`
	// Samples is the number of rows of timeseries.csv.
	Samples int `json:"samples"`
	// EventsFired counts the engine's events, the Recorder's samples included.
	EventsFired uint64 `json:"events_fired"`
	// StoreWrites counts creates, updates and deletes of every kind;
	// RecordedEvents the components' recorded events.
	StoreWrites    uint64            `json:"store_writes"`
	RecordedEvents uint64            `json:"recorded_events"`
	Nodes          NodeSummary       `json:"nodes"`
	Pods           PodCounts         `json:"pods"`
	Peaks          GaugePeaks        `json:"peaks"`
	Scheduling     SchedulingSummary `json:"scheduling"`
	// StartupLatency is created → started (phase Running), over the pods
	// that started.
	StartupLatency LatencyStats `json:"startup_latency_seconds"`
	// Resources holds cpu, memory, then every other resource seen, by name.
	Resources []ResourceSummary `json:"resources"`
	// Workloads are the Deployments, StatefulSets, DaemonSets and
	// ReplicaSets without a controller, in the order they were created:
	// final counts, rollouts and offered load (workloads.go).
	Workloads []WorkloadSummary `json:"workloads"`
	// Jobs are the Jobs of the run: each one's start, finish and duration,
	// and the makespan across them.
	Jobs JobsSummary `json:"jobs"`
	// Failures are the failure plan's events and how the cluster healed
	// from each; Availability every workload's availability over the run
	// (failures.go).
	Failures     []FailureSummary      `json:"failures"`
	Availability []AvailabilitySummary `json:"availability"`
	// GPUAllocation is the FGD paper's allocation measurement; present only
	// when Config.GPUAllocation is set (gpualloc.go).
	GPUAllocation *GPUAllocationSummary `json:"gpu_allocation,omitempty"`
}

// NodeSummary counts nodes.
type NodeSummary struct {
	// Final and Ready are the node count and ready node count at the end.
	Final int64 `json:"final"`
	Ready int64 `json:"ready"`
	// Peak is the largest node count at any time.
	Peak int64 `json:"peak"`
	// NodeHours integrates the node count over the run (the cost figure).
	NodeHours Fixed `json:"node_hours"`
}

// PodCounts counts every pod the run saw by its last phase (Deleted: removed
// while neither Succeeded nor Failed).
type PodCounts struct {
	Total     int64 `json:"total"`
	Pending   int64 `json:"pending"`
	Running   int64 `json:"running"`
	Succeeded int64 `json:"succeeded"`
	Failed    int64 `json:"failed"`
	Unknown   int64 `json:"unknown"`
	Deleted   int64 `json:"deleted"`
}

// GaugePeaks are the largest sampled values of the pod gauges.
type GaugePeaks struct {
	Pending int64 `json:"pending"`
	Running int64 `json:"running"`
}

// SchedulingSummary describes the scheduler's work.
type SchedulingSummary struct {
	// Attempts counts "Scheduled" and "FailedScheduling" events on pods;
	// Failures the latter.
	Attempts uint64 `json:"attempts"`
	Failures uint64 `json:"failures"`
	// Scheduled counts pods that were bound to a node, Unscheduled those that
	// never were.
	Scheduled   int64 `json:"scheduled"`
	Unscheduled int64 `json:"unscheduled"`
	// Latency is created → scheduled over the scheduled pods.
	Latency LatencyStats `json:"latency_seconds"`
}

// LatencyStats describes a sample of durations in seconds. Percentiles are
// empirical (see the package doc); every figure is 0 when Count is 0.
type LatencyStats struct {
	Count int   `json:"count"`
	P50   Fixed `json:"p50"`
	P90   Fixed `json:"p90"`
	P99   Fixed `json:"p99"`
	Mean  Fixed `json:"mean"`
	Max   Fixed `json:"max"`
}

// ResourceSummary describes one resource over the run.
type ResourceSummary struct {
	Resource string `json:"resource"`
	// Unit is millicores (cpu), bytes (memory, ephemeral-storage, hugepages)
	// or units (extended resources).
	Unit string `json:"unit"`
	// MeanUtilization and PeakUtilization are the mean and maximum over the
	// samples with non-zero allocatable of requested / allocatable.
	MeanUtilization Fixed `json:"mean_utilization"`
	PeakUtilization Fixed `json:"peak_utilization"`
	// PeakRequested is the largest sampled requested amount; FinalRequested
	// and FinalAllocatable the amounts at the end.
	PeakRequested    int64 `json:"peak_requested"`
	FinalRequested   int64 `json:"final_requested"`
	FinalAllocatable int64 `json:"final_allocatable"`
}

// LatencyStatsOf describes the durations xs (seconds). It sorts xs in place.
// Percentiles are stat.Quantile(p, stat.Empirical, xs, nil).
func LatencyStatsOf(xs []float64) LatencyStats {
	if len(xs) == 0 {
		return LatencyStats{}
	}
	slices.Sort(xs)
	q := func(p float64) Fixed { return Fixed(stat.Quantile(p, stat.Empirical, xs, nil)) }
	return LatencyStats{
		Count: len(xs),
		P50:   q(0.50),
		P90:   q(0.90),
		P99:   q(0.99),
		Mean:  Fixed(stat.Mean(xs, nil)),
		Max:   Fixed(xs[len(xs)-1]),
	}
}

// WriteJSON writes s as indented JSON with a trailing newline.
func (s *Summary) WriteJSON(w io.Writer) error {
	b, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return err
	}
	_, err = w.Write(append(b, '\n'))
	return err
}

// buildSummary computes the Summary from the records, counters and samples.
func (r *Recorder) buildSummary() *Summary {
	s := &Summary{
		Scenario:              r.cfg.ScenarioName,
		Seed:                  r.cfg.Seed,
		DurationSeconds:       Fixed(r.until.Seconds()),
		SampleIntervalSeconds: Fixed(r.cfg.SampleInterval.Seconds()),
		Samples:               len(r.samples),
		EventsFired:           r.eng.Fired(),
		StoreWrites:           r.storeWrites,
		RecordedEvents:        r.recordedEvents,
		Nodes: NodeSummary{Final: r.g.nodes, Ready: r.g.nodesReady, Peak: r.g.peakNodes,
			NodeHours: Fixed(r.g.nodeSeconds / 3600)},
	}
	var schedLat, startLat []float64
	for i := range r.pods {
		p := &r.pods[i]
		s.Pods.Total++
		switch p.phase {
		case api.PodPending:
			s.Pods.Pending++
		case api.PodRunning:
			s.Pods.Running++
		case api.PodSucceeded:
			s.Pods.Succeeded++
		case api.PodFailed:
			s.Pods.Failed++
		case PhaseDeleted:
			s.Pods.Deleted++
		default:
			s.Pods.Unknown++
		}
		if p.scheduled != unset {
			schedLat = append(schedLat, p.scheduled.Sub(p.created).Seconds())
		}
		if p.started != unset {
			startLat = append(startLat, p.started.Sub(p.created).Seconds())
		}
	}
	s.Scheduling = SchedulingSummary{
		Attempts:    r.schedAttempts,
		Failures:    r.schedFailures,
		Scheduled:   int64(len(schedLat)),
		Unscheduled: s.Pods.Total - int64(len(schedLat)),
		Latency:     LatencyStatsOf(schedLat),
	}
	s.StartupLatency = LatencyStatsOf(startLat)
	for i := range r.samples {
		s.Peaks.Pending = max(s.Peaks.Pending, r.samples[i].pending)
		s.Peaks.Running = max(s.Peaks.Running, r.samples[i].running)
	}
	final := sample{requested: r.g.requested, allocatable: r.g.allocatable}
	for _, c := range r.columns() {
		rs := ResourceSummary{Resource: c.name, Unit: c.unit}
		var sum float64
		var n int
		for i := range r.samples {
			req, alloc := c.at(&r.samples[i])
			rs.PeakRequested = max(rs.PeakRequested, req)
			if alloc <= 0 {
				continue
			}
			u := float64(req) / float64(alloc)
			sum += u
			n++
			rs.PeakUtilization = max(rs.PeakUtilization, Fixed(u))
		}
		if n > 0 {
			rs.MeanUtilization = Fixed(sum / float64(n))
		}
		rs.FinalRequested, rs.FinalAllocatable = c.at(&final)
		s.Resources = append(s.Resources, rs)
	}
	s.Workloads = r.wl.workloadSummaries(r.until)
	s.Jobs = r.jobs.summary()
	s.Failures = r.fail.failureSummaries()
	s.Availability = r.fail.availabilitySummaries()
	if r.gpu != nil {
		s.GPUAllocation = r.gpu.summary()
	}
	return s
}
