package traces

import (
	"math/rand/v2"
	"strings"
	"testing"
)

// scripted is a rand.Source handing out fixed values: 1, 1<<63 and ^0 make
// IntN(3) return 0, 1 and 2.
type scripted struct{ vals []uint64 }

func (s *scripted) Uint64() uint64 {
	v := s.vals[0]
	s.vals = s.vals[1:]
	return v
}

func inflateItems() []Item {
	c := NewPodConverter(PodOptions{})
	rows := []OpenBPod{
		{Name: "a", MilliCPU: 1000, MemoryMiB: 1, GPUs: 1, GPUMilli: 1000},
		{Name: "b", MilliCPU: 1000, MemoryMiB: 1, GPUs: 1, GPUMilli: 500},
		{Name: "c", MilliCPU: 1000, MemoryMiB: 1},
	}
	return OpenBItems(rows, c)
}

func names(t *testing.T, opts ReplayOptions) string {
	t.Helper()
	src, err := Replay(inflateItems(), opts)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range src.Events() {
		out = append(out, e.Object.GetMeta().Name)
	}
	return strings.Join(out, ",")
}

// TestInflation: the artefact's tuning, by hand. Up: the pods request 1500
// of a 2600 target; draws b (+500 → 2000), c (+0), then a, whose 1000 per
// GPU would make 3000 > 2600: stop. Down: 1500 > 1000; the draw removes a.
func TestInflation(t *testing.T) {
	for _, tc := range []struct {
		name  string
		ratio float64
		draws []uint64
		want  string
	}{
		{"up", 2.6, []uint64{1 << 63, ^uint64(0), 1}, "a,b,c,b-inflate-0,c-inflate-1"},
		{"down", 1.0, []uint64{1}, "b,c"},
		{"equal", 1.5, nil, "a,b,c"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := &Inflation{Ratio: tc.ratio, Capacity: 1000, Rand: rand.New(&scripted{vals: tc.draws})}
			if got := names(t, ReplayOptions{Mode: Arrival, Inflate: in}); got != tc.want {
				t.Errorf("got %s, want %s", got, tc.want)
			}
		})
	}
}

// TestInflationErrors: arrival mode only, and a usable target.
func TestInflationErrors(t *testing.T) {
	good := &Inflation{Ratio: 1.3, Capacity: 1000, Rand: rand.New(rand.NewPCG(1, 2))}
	if _, err := Replay(inflateItems(), ReplayOptions{Mode: Recorded, Inflate: good}); err == nil || !strings.Contains(err.Error(), "inflation needs mode") {
		t.Errorf("recorded: %v", err)
	}
	for _, in := range []*Inflation{{Ratio: 0, Capacity: 1000, Rand: good.Rand}, {Ratio: 1, Capacity: 0, Rand: good.Rand}, {Ratio: 1, Capacity: 1}} {
		if _, err := Replay(inflateItems(), ReplayOptions{Mode: Arrival, Inflate: in}); err == nil {
			t.Errorf("%+v: no error", *in)
		}
	}
	if _, err := Open(Spec{Dataset: DatasetOpenB, File: "x.csv", Inflate: 1.3}, ".", nil); err == nil || !strings.Contains(err.Error(), "with nodes") {
		t.Errorf("inflate without nodes: %v", err)
	}
}
