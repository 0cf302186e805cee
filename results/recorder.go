package results

import (
	"time"

	"github.com/kubesim/kubesim/sim"
	"github.com/kubesim/kubesim/sim/api"
	"github.com/kubesim/kubesim/sim/store"
)

// DefaultSampleInterval is the sampling interval used when Config.SampleInterval
// is zero.
const DefaultSampleInterval = 10 * time.Second

// Reasons of the scheduler's recorded events that the Recorder counts as
// scheduling attempts (each is one attempt; FailedScheduling is also a failure).
const (
	ReasonScheduled        = "Scheduled"
	ReasonFailedScheduling = "FailedScheduling"
)

// PhaseDeleted is the phase pods.csv gives a pod removed from the store while
// not terminal (Succeeded or Failed).
const PhaseDeleted api.PodPhase = "Deleted"

// Config configures a Recorder.
type Config struct {
	// SampleInterval is the virtual time between two samples of the gauges
	// (DefaultSampleInterval when zero). Negative is a programmer error.
	SampleInterval time.Duration
	// ScenarioName and Seed identify the run in summary.json.
	ScenarioName string
	Seed         uint64
	// TempDir is the directory in which the event log is buffered during the
	// run ("" means os.TempDir()).
	TempDir string
	// DisableEventLog turns the event log off: no temporary file is used and
	// WriteDir writes no events.jsonl (for sweeps that only need figures).
	DisableEventLog bool
	// GPUAllocation turns on the FGD paper's allocation measurement:
	// gpu_allocation.csv, gpu_devices.csv and summary.json's
	// gpu_allocation (gpualloc.go).
	GPUAllocation bool
}

// Recorder observes one run and turns it into outputs. Create it with
// NewRecorder, call Start before running the engine, Finish after, then
// Summary, WriteDir and PrintSummary, and Close to release the event log's
// temporary file.
type Recorder struct {
	eng *sim.Engine
	st  *store.Store
	cfg Config

	started  bool
	finished bool
	until    sim.Time

	pods []podRecord
	live map[string]int32 // store key of a pod still in the store → index in pods

	g       gauges
	samples []sample

	schedAttempts  uint64
	schedFailures  uint64
	storeWrites    uint64
	recordedEvents uint64

	events  *eventLog
	summary *Summary

	// wl tracks workloads (workloads.csv, the per-workload summary).
	wl *workloadTracker
	// jobs follows Jobs for their figures (jobs.go).
	jobs jobTracker
	// fail measures failures and availability (failures.go).
	fail *failureTracker
	// gpu measures GPU allocation per pod (gpualloc.go); nil when off.
	gpu *gpuAllocTracker
}

// NewRecorder returns a recorder for the run driven by eng on st. It observes
// nothing until Start.
func NewRecorder(eng *sim.Engine, st *store.Store, cfg Config) *Recorder {
	if eng == nil || st == nil {
		panic("results: NewRecorder needs an engine and a store")
	}
	if cfg.SampleInterval < 0 {
		panic("results: negative SampleInterval")
	}
	if cfg.SampleInterval == 0 {
		cfg.SampleInterval = DefaultSampleInterval
	}
	r := &Recorder{eng: eng, st: st, cfg: cfg, live: map[string]int32{}, g: newGauges()}
	r.wl = newWorkloadTracker(r)
	r.fail = newFailureTracker(r)
	if cfg.GPUAllocation {
		r.gpu = newGPUAllocTracker()
	}
	return r
}

// Start begins recording: it opens the event log's temporary file (unless
// disabled), takes the nodes and pods already in the store as observed now,
// registers the store write hook and schedules the first sample at the current
// time, each sample scheduling the next one SampleInterval later. The engine's
// Run(until) stops at until regardless, so sampling never prolongs a run.
// Start fails only if the temporary file cannot be created.
func (r *Recorder) Start() error {
	if r.started {
		panic("results: Start called twice")
	}
	if !r.cfg.DisableEventLog {
		ev, err := newEventLog(r.cfg.TempDir)
		if err != nil {
			return err
		}
		r.events = ev
	}
	r.started = true
	now := r.eng.Now()
	r.g.lastNodeChange = now
	for _, n := range r.st.Nodes.List("", nil) {
		r.nodeDelta(nil, n, now)
		if r.gpu != nil {
			r.gpu.observeNode(nil, n)
		}
	}
	for _, p := range r.st.Pods.List("", nil) {
		if r.gpu != nil {
			r.gpu.observePod(p, nil)
		}
		r.podGauges(p, 1)
		i := r.newPod(p, p.CreationTimestamp)
		r.live[p.Key()] = i
		r.pods[i].observe(p, now)
	}
	r.wl.start(now)
	r.st.OnWrite(r.onWrite)
	r.eng.At(now, sampler{r})
	return nil
}

// sampler is the engine event that samples the gauges and re-arms itself.
type sampler struct{ r *Recorder }

// Fire takes one sample and schedules the next, unless the recorder finished.
func (s sampler) Fire(now sim.Time) {
	if s.r.finished {
		return
	}
	s.r.takeSample(now)
	s.r.eng.At(now.Add(s.r.cfg.SampleInterval), s)
}

// onWrite is the store write hook. It only reads what the store hands it.
func (r *Recorder) onWrite(w *store.Write) {
	if r.finished {
		return
	}
	r.fail.observe(w)
	if w.Verb == store.VerbEvent {
		r.recordedEvents++
		if w.Kind == api.KindPod {
			switch w.Reason {
			case ReasonScheduled:
				r.schedAttempts++
			case ReasonFailedScheduling:
				r.schedAttempts++
				r.schedFailures++
			}
		}
	} else {
		r.storeWrites++
		switch w.Kind {
		case api.KindPod:
			r.observePod(w)
			if r.gpu != nil {
				newP, _ := w.New.(*api.Pod)
				oldP, _ := w.Old.(*api.Pod)
				r.gpu.observePod(newP, oldP)
			}
		case api.KindNode:
			oldN, _ := w.Old.(*api.Node)
			newN, _ := w.New.(*api.Node)
			r.nodeDelta(oldN, newN, w.Time)
			if r.gpu != nil {
				r.gpu.observeNode(oldN, newN)
			}
		}
		if isWorkloadKind(w.Kind) {
			r.wl.observe(w.Kind, w.Old, w.New, w.Time)
		}
		if w.Kind == api.KindJob {
			oldJ, _ := w.Old.(*api.Job)
			newJ, _ := w.New.(*api.Job)
			r.jobs.observe(oldJ, newJ, w.Time)
		}
	}
	if r.events != nil {
		r.events.write(w, describeChange(w))
	}
}

// observePod updates the gauges and the pod's lifecycle record for one write.
func (r *Recorder) observePod(w *store.Write) {
	oldP, _ := w.Old.(*api.Pod)
	newP, _ := w.New.(*api.Pod)
	if oldP != nil {
		r.podGauges(oldP, -1)
	}
	if newP != nil {
		r.podGauges(newP, 1)
	}
	i, ok := r.live[w.Key]
	if !ok {
		p := newP
		if p == nil {
			p = oldP
		}
		if p == nil {
			return
		}
		created := p.CreationTimestamp
		if w.Verb == store.VerbCreate {
			created = w.Time
		}
		i = r.newPod(p, created)
		r.live[w.Key] = i
	}
	rec := &r.pods[i]
	if newP != nil {
		rec.observe(newP, w.Time)
		return
	}
	rec.remove(w.Time)
	delete(r.live, w.Key)
}

// newPod appends a lifecycle record for p and returns its index.
func (r *Recorder) newPod(p *api.Pod, created sim.Time) int32 {
	r.pods = append(r.pods, podRecord{
		namespace: p.Namespace, name: p.Name, created: created,
		scheduled: unset, started: unset, ready: unset, finished: unset,
		phase: p.Status.Phase,
	})
	return int32(len(r.pods) - 1)
}

// Finish ends recording at until, the end of the run: later writes and samples
// are ignored, the event log is flushed and the Summary is computed.
func (r *Recorder) Finish(until sim.Time) {
	if r.finished {
		panic("results: Finish called twice")
	}
	r.finished = true
	r.until = until
	r.g.advanceNodeTime(until)
	r.wl.finish(until)
	r.fail.finish(until)
	if r.events != nil {
		r.events.flush()
	}
	r.summary = r.buildSummary()
}

// Summary returns the figures of the run, or nil before Finish. The returned
// value is shared; treat it as read-only.
func (r *Recorder) Summary() *Summary { return r.summary }

// Close releases the event log's temporary file. The recorder cannot write
// events.jsonl afterwards. Close is idempotent.
func (r *Recorder) Close() error {
	if r.events == nil {
		return nil
	}
	return r.events.close()
}
