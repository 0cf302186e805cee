package results

import (
	"bufio"
	"cmp"
	"io"
	"slices"
	"strconv"

	"github.com/kubesim/kubesim/sim"
	"github.com/kubesim/kubesim/sim/api"
)

// unset marks a lifecycle time that never happened.
const unset sim.Time = -1

// podRecord is one pod's lifecycle: one row of pods.csv. It holds strings and
// times only, never the pod object.
type podRecord struct {
	namespace, name string
	ownerKind       api.Kind
	ownerName       string
	node            string
	created         sim.Time
	scheduled       sim.Time
	started         sim.Time
	ready           sim.Time
	finished        sim.Time
	phase           api.PodPhase
	restarts        int32
}

// observe updates the record from the pod's state after a write at now. Each
// time keeps its first occurrence.
func (rec *podRecord) observe(p *api.Pod, now sim.Time) {
	if p.NodeName != "" {
		if rec.scheduled == unset {
			rec.scheduled = now
		}
		rec.node = p.NodeName
	}
	if ref := p.ControllerRef(); ref != nil {
		rec.ownerKind, rec.ownerName = ref.Kind, ref.Name
	}
	switch p.Status.Phase {
	case api.PodRunning:
		if rec.started == unset {
			rec.started = now
		}
	case api.PodSucceeded, api.PodFailed:
		if rec.finished == unset {
			rec.finished = now
		}
	}
	if rec.ready == unset && p.IsReady() {
		rec.ready = now
	}
	rec.phase = p.Status.Phase
	rec.restarts = max(rec.restarts, p.MaxRestarts())
}

// remove records the pod's removal from the store at now.
func (rec *podRecord) remove(now sim.Time) {
	if rec.finished == unset {
		rec.finished = now
	}
	if rec.phase != api.PodSucceeded && rec.phase != api.PodFailed {
		rec.phase = PhaseDeleted
	}
}

// owner renders the controller reference as "Kind/name" ("" for bare pods).
func (rec *podRecord) owner() string {
	if rec.ownerName == "" {
		return ""
	}
	return string(rec.ownerKind) + "/" + rec.ownerName
}

// PodsHeader is the header line of pods.csv.
const PodsHeader = "namespace,name,owner,created,scheduled,node,started,ready,finished,phase,restarts"

// sortedPods returns the indexes of the pod records sorted by (created,
// namespace, name, creation order).
func (r *Recorder) sortedPods() []int32 {
	idx := make([]int32, len(r.pods))
	for i := range idx {
		idx[i] = int32(i)
	}
	slices.SortFunc(idx, func(a, b int32) int {
		pa, pb := &r.pods[a], &r.pods[b]
		return cmp.Or(cmp.Compare(pa.created, pb.created), cmp.Compare(pa.namespace, pb.namespace),
			cmp.Compare(pa.name, pb.name), cmp.Compare(a, b))
	})
	return idx
}

// writePods writes pods.csv.
func (r *Recorder) writePods(w io.Writer) error {
	bw := bufio.NewWriter(w)
	bw.WriteString(PodsHeader + "\n")
	var b []byte
	for _, i := range r.sortedPods() {
		rec := &r.pods[i]
		b = b[:0]
		b = appendCSVField(b, rec.namespace)
		b = append(b, ',')
		b = appendCSVField(b, rec.name)
		b = append(b, ',')
		b = appendCSVField(b, rec.owner())
		b = append(b, ',')
		b = appendTime(b, rec.created)
		b = append(b, ',')
		b = appendTime(b, rec.scheduled)
		b = append(b, ',')
		b = appendCSVField(b, rec.node)
		b = append(b, ',')
		b = appendTime(b, rec.started)
		b = append(b, ',')
		b = appendTime(b, rec.ready)
		b = append(b, ',')
		b = appendTime(b, rec.finished)
		b = append(b, ',')
		b = appendCSVField(b, string(rec.phase))
		b = append(b, ',')
		b = strconv.AppendInt(b, int64(rec.restarts), 10)
		b = append(b, '\n')
		bw.Write(b)
	}
	return bw.Flush()
}

// appendTime appends t as seconds with exactly three decimals, rounded half up
// in integer arithmetic; nothing for unset. Times are never negative.
func appendTime(b []byte, t sim.Time) []byte {
	if t == unset {
		return b
	}
	ms := (int64(t) + 500_000) / 1_000_000
	b = strconv.AppendInt(b, ms/1000, 10)
	b = append(b, '.')
	frac := ms % 1000
	if frac < 100 {
		b = append(b, '0')
	}
	if frac < 10 {
		b = append(b, '0')
	}
	return strconv.AppendInt(b, frac, 10)
}

// appendCSVField appends s, quoted as RFC 4180 requires when it contains a
// comma, a quote or a line break.
func appendCSVField(b []byte, s string) []byte {
	quote := false
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case ',', '"', '\n', '\r':
			quote = true
		}
	}
	if !quote {
		return append(b, s...)
	}
	b = append(b, '"')
	for i := 0; i < len(s); i++ {
		if s[i] == '"' {
			b = append(b, '"')
		}
		b = append(b, s[i])
	}
	return append(b, '"')
}
