package traces

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kubesim/kubesim/sim"
	"github.com/kubesim/kubesim/sim/api"
	"github.com/kubesim/kubesim/workloads/source"
)

func sec(s int64) Stamp { return Stamp{At: time.Duration(s) * time.Second, Set: true} }

func podItem(name string, created, deleted Stamp) Item {
	return Item{Object: &api.Pod{ObjectMeta: api.ObjectMeta{Name: name, Namespace: "default"}}, Created: created, Deleted: deleted}
}

// render writes events as "12s create a" lines.
func render(events []source.Event) string {
	var b strings.Builder
	for _, e := range events {
		fmt.Fprintf(&b, "%v %s %s\n", e.At, e.Op, e.Object.GetMeta().Name)
	}
	return b.String()
}

// TestReplayModes checks each mode on a hand-made trace:
// a 100–400 s, b 200–200 s (zero lifetime), c present from the start and
// deleted at 300 s, d 50 s – never.
func TestReplayModes(t *testing.T) {
	items := []Item{
		podItem("a", sec(100), sec(400)),
		podItem("b", sec(200), sec(200)),
		podItem("c", Stamp{}, sec(300)),
		podItem("d", sec(50), Stamp{}),
	}
	pc := &api.PriorityClass{ObjectMeta: api.ObjectMeta{Name: "pc"}}
	for _, tc := range []struct {
		name string
		opts ReplayOptions
		want string
	}{
		{"recorded", ReplayOptions{}, "0s create c\n50s create d\n1m40s create a\n3m20s create b\n3m20s delete b\n5m0s delete c\n6m40s delete a\n"},
		{"compressed x10", ReplayOptions{Mode: Compressed, Factor: 10}, "0s create c\n5s create d\n10s create a\n20s create b\n20s delete b\n30s delete c\n40s delete a\n"},
		{"start 200s", ReplayOptions{Start: 200 * time.Second}, "0s create a\n0s create c\n0s create d\n1m40s delete c\n3m20s delete a\n"},
		{"limit 2", ReplayOptions{Limit: 2}, "1m40s create a\n3m20s create b\n3m20s delete b\n6m40s delete a\n"},
		{"arrival", ReplayOptions{Mode: Arrival, Interval: time.Second}, "0s create a\n1s create b\n2s create c\n3s create d\n"},
		{"arrival limit prelude", ReplayOptions{Mode: Arrival, Limit: 3, Prelude: []api.Object{pc}}, "0s create pc\n0s create a\n0s create b\n0s create c\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			src, err := Replay(items, tc.opts)
			if err != nil {
				t.Fatal(err)
			}
			if got := render(source.Drain(src)); got != tc.want {
				t.Errorf("got\n%s\nwant\n%s", got, tc.want)
			}
		})
	}
}

// TestReplayShuffle: the order depends only on the named stream.
func TestReplayShuffle(t *testing.T) {
	var items []Item
	for i := range 50 {
		items = append(items, podItem(fmt.Sprintf("p%d", i), Stamp{}, Stamp{}))
	}
	order := func(seed uint64, name string) string {
		src, err := Replay(items, ReplayOptions{Mode: Arrival, Shuffle: sim.NewStream(seed, 0, name), Limit: 10})
		if err != nil {
			t.Fatal(err)
		}
		return render(source.Drain(src))
	}
	a, b, c := order(1, "workloads/openb/order"), order(1, "workloads/openb/order"), order(2, "workloads/openb/order")
	if a != b || a == c || strings.Count(a, "\n") != 10 {
		t.Errorf("same seed:\n%s\n%s\nother seed:\n%s", a, b, c)
	}
	plain, _ := Replay(items, ReplayOptions{Mode: Arrival, Limit: 10})
	if a == render(source.Drain(plain)) {
		t.Error("shuffle kept file order")
	}
}

func TestReplayErrors(t *testing.T) {
	items := []Item{podItem("a", sec(1), sec(2))}
	for _, tc := range []struct {
		opts ReplayOptions
		want string
	}{
		{ReplayOptions{Mode: "fast"}, `unknown replay mode "fast"`},
		{ReplayOptions{Mode: Compressed}, "positive factor"},
		{ReplayOptions{Mode: Recorded, Shuffle: sim.NewStream(1, 0, "x")}, "shuffling needs mode"},
		{ReplayOptions{Limit: -1}, "negative limit"},
		{ReplayOptions{Mode: Arrival, Interval: -1}, "negative interval"},
	} {
		if _, err := Replay(items, tc.opts); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%+v: error %v, want %q", tc.opts, err, tc.want)
		}
	}
	if _, err := Replay([]Item{podItem("a", Stamp{}, Stamp{})}, ReplayOptions{}); !errors.Is(err, ErrNoTimes) {
		t.Errorf("no times: %v", err)
	}
}

// TestRecordedPeakGPU: replaying default's times literally, the peak
// concurrent GPU demand is only ≈65.6 GPUs (README).
func TestRecordedPeakGPU(t *testing.T) {
	pods := mustOpenBPods(t, OpenBDefaultPods)
	src, err := Replay(OpenBItems(pods, NewPodConverter(PodOptions{})), ReplayOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var cur, peak int64
	n := 0
	for _, e := range source.Drain(src) {
		m := e.Object.(*api.Pod).Spec.Requests.Get(ResourceGPUMilli)
		if e.Op == source.Create {
			cur += m
			n++
		} else {
			cur -= m
		}
		peak = max(peak, cur)
	}
	if n != 8152 || cur != 0 || peak < 65_550 || peak >= 65_650 {
		t.Errorf("%d creates, end %d, peak %d milli (want ≈65.6 GPUs)", n, cur, peak)
	}
}

// TestDLRMRecorded: instances without a creation time start at 0, those
// without a deletion time are never deleted.
func TestDLRMRecorded(t *testing.T) {
	recs := mustDLRM(t)
	conv, err := NewDLRMConverter(recs, DLRMOptions{})
	if err != nil {
		t.Fatal(err)
	}
	src, err := Replay(DLRMItems(recs, conv), ReplayOptions{Mode: Compressed, Factor: 3600})
	if err != nil {
		t.Fatal(err)
	}
	atZero, creates, deletes := 0, 0, 0
	var last time.Duration
	for _, e := range source.Drain(src) {
		if e.Op == source.Create {
			creates++
			if e.At == 0 {
				atZero++
			}
		} else {
			deletes++
		}
		last = e.At
	}
	// 4677 whole-trace + 2603 deleted inside start at 0; 12390 + 2603 are deleted.
	if creates != 23871 || atZero != 4677+2603 || deletes != 12390+2603 || last > 2_677_541*time.Second/3600+time.Second {
		t.Errorf("creates %d at zero %d deletes %d last %v", creates, atZero, deletes, last)
	}
}

// TestOpen opens each dataset the way a scenario would.
func TestOpen(t *testing.T) {
	o, err := Open(Spec{Dataset: DatasetOpenB, File: filepath.Join(DatasetOpenB, OpenBDefaultPods), Nodes: filepath.Join(DatasetOpenB, OpenBGPUNodes),
		Mode: Arrival, Limit: 100, Shuffle: "workloads/openb/order", PriorityClasses: "qos"}, dataDir,
		func(name string) *rand.Rand { return sim.NewStream(1, 0, name) })
	if err != nil {
		t.Fatal(err)
	}
	if len(o.Nodes) != 1213 || o.Source.Len() != 104 {
		t.Errorf("nodes %d events %d", len(o.Nodes), o.Source.Len())
	}
	ev := o.Source.Events()
	if ev[0].Object.GetKind() != api.KindPriorityClass || ev[4].Object.(*api.Pod).Spec.PriorityClassName == "" {
		t.Errorf("first events %v %v", ev[0].Object.GetKind(), ev[4].Object)
	}
	o, err = Open(Spec{Dataset: DatasetPAI, File: filepath.Join(DatasetPAI, PAIFile)}, dataDir, nil)
	if err != nil || len(o.Nodes) != 1897 || o.Source.Len() != 0 {
		t.Fatalf("PAI: %v", err)
	}
	o, err = Open(Spec{Dataset: DatasetDLRM, File: filepath.Join(DatasetDLRM, DLRMFile), Mode: Arrival, Limit: 5}, dataDir, nil)
	if err != nil || o.Source.Len() != 5 || len(o.NodeResources) == 0 {
		t.Fatalf("DLRM: %v", err)
	}
	for _, tc := range []struct {
		spec Spec
		want string
	}{
		{Spec{Dataset: "google", File: "x"}, `dataset: unsupported value "google"`},
		{Spec{Dataset: DatasetOpenB}, "file: required"},
		{Spec{Dataset: DatasetOpenB, File: filepath.Join(DatasetOpenB, "openb_pod_list_multigpu20.csv")}, "no creation times"},
		{Spec{Dataset: DatasetOpenB, File: "missing.csv"}, "no such file"},
		{Spec{Dataset: DatasetOpenB, File: "x", PriorityClasses: "all"}, "priorityClasses"},
		{Spec{Dataset: DatasetDLRM, File: "x", Nodes: "y"}, "publishes no node list"},
		{Spec{Dataset: DatasetPAI, File: "x", Cap: CapNone}, "only the alibaba-dlrm-v2025 dataset"},
	} {
		if _, err := Open(tc.spec, dataDir, nil); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%+v: %v, want %q", tc.spec, err, tc.want)
		}
	}
}
