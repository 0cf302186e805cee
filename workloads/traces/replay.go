package traces

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"time"

	"github.com/kubesim/kubesim/sim/api"
	"github.com/kubesim/kubesim/workloads/source"
)

// Item is one object of a trace with its recorded lifetime.
type Item struct {
	// Object is created on arrival and deleted on departure.
	Object api.Object
	// Created is the recorded arrival; unset means present from the start
	// of the trace (time 0).
	Created Stamp
	// Deleted is the recorded departure; unset means it outlives the trace
	// (never deleted).
	Deleted Stamp
}

// OpenBItems converts openb rows to items with their recorded creation and
// deletion times (unset for the 5-column files).
func OpenBItems(pods []OpenBPod, c *PodConverter) []Item {
	out := make([]Item, len(pods))
	for i := range pods {
		out[i] = Item{Object: c.OpenBPod(&pods[i]), Created: pods[i].Created, Deleted: pods[i].Deleted}
	}
	return out
}

// DLRMItems converts DLRM instances to items: an empty creation time means
// present at time 0, an empty deletion time means running past the end.
func DLRMItems(recs []DLRMInstance, c *DLRMConverter) []Item {
	out := make([]Item, len(recs))
	for i := range recs {
		out[i] = Item{Object: c.Pod(&recs[i]), Created: recs[i].Created, Deleted: recs[i].Deleted}
	}
	return out
}

// Mode is how a trace's times become virtual times.
type Mode string

// Replay modes.
const (
	// Recorded replays creation and deletion times as recorded: an item is
	// created at Created − Start and deleted at Deleted − Start.
	Recorded Mode = "recorded"
	// Compressed is Recorded with every time divided by Factor (lifetimes
	// shrink too): Factor 60 plays a trace minute in a virtual second.
	Compressed Mode = "compressed"
	// Arrival ignores times: items arrive back to back in file order (or
	// shuffled), Interval apart, and are never deleted. This is how the FGD
	// experiments replay the openb pod lists.
	Arrival Mode = "arrival"
)

// ReplayOptions configure Replay. The zero value is Recorded from trace time 0.
type ReplayOptions struct {
	// Mode is Recorded when empty.
	Mode Mode
	// Factor divides every time in Compressed mode; it must be positive and
	// finite. Ignored otherwise.
	Factor float64
	// Start is the trace time that becomes virtual time 0 in Recorded and
	// Compressed modes (before compression). Items deleted at or before Start
	// are dropped; items created before it are created at time 0.
	Start time.Duration
	// Interval separates successive arrivals in Arrival mode (0: all at time
	// 0, in order).
	Interval time.Duration
	// Shuffle, when set in Arrival mode, permutes the arrival order with
	// this stream (use a named stream, e.g. engine.Rand("workloads/<name>/order")).
	// It is an error in the other modes.
	Shuffle *rand.Rand
	// Limit keeps only the first Limit items (after shuffling); 0 keeps all.
	Limit int
	// Prelude objects are created at time 0 before any item (e.g. the
	// priority classes of QoSPriorityClasses).
	Prelude []api.Object
	// Inflate, when set (Arrival mode only), resizes the pods to a target
	// GPU request after shuffling and before Limit (see Inflation).
	Inflate *Inflation
}

// Inflation resizes an arrival-mode workload to a total GPU request, as the
// FGD artefact's workload tuning (TunePodsByNodeTotalResource) does. Let T be
// the items' summed GPU request (ResourceGPUMilli) and G = Ratio × Capacity.
// When T < G, copies of items drawn uniformly with replacement from the
// items in their original (unshuffled) order are appended one at a time; the
// first draw whose milli per GPU would take T above G stops it, as in the
// artefact (so T may end above G by less than a multi-GPU pod's request).
// Copy i of item x is named "<x>-inflate-<i>" (i from 0). When T > G, items
// drawn uniformly are removed until T ≤ G. Equal: nothing changes.
type Inflation struct {
	// Ratio is the target as a fraction of Capacity (> 0; 1.3 in the paper).
	Ratio float64
	// Capacity is the cluster's GPU capacity in milli (> 0).
	Capacity int64
	// Rand draws the items (a named stream, e.g.
	// engine.Rand("workloads/<name>/inflate")).
	Rand *rand.Rand
}

// gpuRequest returns an item's pod GPU request: total milli and milli per GPU
// (0, 0 for anything but a pod requesting GPU milli).
func gpuRequest(it *Item) (total, perGPU int64) {
	p, ok := it.Object.(*api.Pod)
	if !ok || p.Spec == nil {
		return 0, 0
	}
	total = p.Spec.Requests.Get(ResourceGPUMilli)
	count := p.Spec.Requests.Get(ResourceGPUCount)
	if count <= 0 {
		return total, total
	}
	return total, total / count
}

// inflate applies in to order (already shuffled); orig is the items in file
// order, the population copies are drawn from.
func inflate(order, orig []Item, in *Inflation) ([]Item, error) {
	if !(in.Ratio > 0) || math.IsInf(in.Ratio, 0) || in.Capacity <= 0 || in.Rand == nil {
		return nil, fmt.Errorf("traces: inflation needs a positive ratio, a positive GPU capacity and a random stream (ratio %v, capacity %d)", in.Ratio, in.Capacity)
	}
	if len(orig) == 0 {
		return order, nil
	}
	var total int64
	for i := range order {
		t, _ := gpuRequest(&order[i])
		total += t
	}
	target := in.Ratio * float64(in.Capacity)
	switch {
	case float64(total) < target:
		out := slices.Clip(order)
		for i := 0; ; i++ {
			src := &orig[in.Rand.IntN(len(orig))]
			t, per := gpuRequest(src)
			if float64(total+per) > target {
				return out, nil
			}
			total += t
			c := src.Object.CloneObject()
			m := c.GetMeta()
			m.Name = m.Name + "-inflate-" + strconv.Itoa(i)
			out = append(out, Item{Object: c, Created: src.Created, Deleted: src.Deleted})
		}
	case float64(total) > target:
		out := slices.Clone(order)
		for float64(total) > target && len(out) > 0 {
			k := in.Rand.IntN(len(out))
			t, _ := gpuRequest(&out[k])
			total -= t
			out = slices.Delete(out, k, k+1)
		}
		return out, nil
	}
	return order, nil
}

// ErrNoTimes is returned when a Recorded or Compressed replay meets an item
// without times in a trace that has none (the openb multigpu files).
var ErrNoTimes = errors.New("the trace has no creation times; use mode arrival")

// Replay turns items into a source of create and delete events. Events at
// equal times keep item order, an item's creation before its deletion.
func Replay(items []Item, opts ReplayOptions) (*source.Slice, error) {
	mode := opts.Mode
	if mode == "" {
		mode = Recorded
	}
	factor := 1.0
	switch mode {
	case Recorded:
	case Compressed:
		factor = opts.Factor
		if !(factor > 0) || math.IsInf(factor, 0) {
			return nil, fmt.Errorf("traces: compressed replay needs a positive factor, got %v", opts.Factor)
		}
	case Arrival:
		if opts.Interval < 0 {
			return nil, fmt.Errorf("traces: negative interval %v", opts.Interval)
		}
	default:
		return nil, fmt.Errorf("traces: unknown replay mode %q; expected %q, %q or %q", mode, Recorded, Compressed, Arrival)
	}
	if opts.Inflate != nil && mode != Arrival {
		return nil, fmt.Errorf("traces: inflation needs mode %q, got %q", Arrival, mode)
	}
	if opts.Shuffle != nil && mode != Arrival {
		return nil, fmt.Errorf("traces: shuffling needs mode %q, got %q", Arrival, mode)
	}
	if opts.Limit < 0 {
		return nil, fmt.Errorf("traces: negative limit %d", opts.Limit)
	}
	if opts.Start < 0 {
		return nil, fmt.Errorf("traces: negative start %v", opts.Start)
	}
	events := make([]source.Event, 0, len(opts.Prelude)+2*len(items))
	for _, o := range opts.Prelude {
		events = append(events, source.Event{At: 0, Op: source.Create, Object: o})
	}
	if mode == Arrival {
		order := items
		if opts.Shuffle != nil {
			order = append([]Item(nil), items...)
			opts.Shuffle.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
		}
		if opts.Inflate != nil {
			var err error
			if order, err = inflate(order, items, opts.Inflate); err != nil {
				return nil, err
			}
		}
		if opts.Limit > 0 && opts.Limit < len(order) {
			order = order[:opts.Limit]
		}
		for i := range order {
			events = append(events, source.Event{At: time.Duration(i) * opts.Interval, Op: source.Create, Object: order[i].Object})
		}
		return source.NewSlice(events), nil
	}
	scale := func(d time.Duration) time.Duration {
		d -= opts.Start
		if factor == 1 {
			return d
		}
		return time.Duration(math.Round(float64(d) / factor))
	}
	if len(items) > 0 && !anyTimes(items) {
		return nil, ErrNoTimes
	}
	n := 0
	for i := range items {
		it := &items[i]
		if opts.Limit > 0 && n == opts.Limit {
			break
		}
		if it.Deleted.Set && it.Deleted.At <= opts.Start {
			continue
		}
		n++
		at := time.Duration(0)
		if it.Created.Set && it.Created.At > opts.Start {
			at = scale(it.Created.At)
		}
		events = append(events, source.Event{At: at, Op: source.Create, Object: it.Object})
		if it.Deleted.Set {
			events = append(events, source.Event{At: max(scale(it.Deleted.At), at), Op: source.Delete, Object: it.Object})
		}
	}
	return source.NewSlice(events), nil
}

// anyTimes reports whether some item has a time.
func anyTimes(items []Item) bool {
	for i := range items {
		if items[i].Created.Set || items[i].Deleted.Set {
			return true
		}
	}
	return false
}
