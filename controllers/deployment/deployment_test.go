package deployment

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kubesim/kubesim/sim"
	"github.com/kubesim/kubesim/sim/api"
	"github.com/kubesim/kubesim/sim/store"
)

// TestResolveFenceposts checks surge (percent rounded up) and unavailability
// (rounded down, 1 when both are 0, capped at replicas) against values
// computed by hand.
func TestResolveFenceposts(t *testing.T) {
	tests := []struct {
		surge, unavail api.IntOrPercent
		replicas       int32
		wantS, wantU   int32 // MaxSurge, MaxUnavailable
	}{
		{pct(25), pct(25), 10, 3, 2},  // 2.5 → 3 up, 2 down
		{pct(25), pct(25), 4, 1, 1},   // 1.0 exact both ways
		{pct(25), pct(25), 1, 1, 0},   // 0.25 → 1 up, 0 down
		{pct(25), pct(25), 0, 0, 0},   // 0 replicas: surge 0 and U 0 → U 1, but capped: 0
		{pct(50), pct(50), 3, 2, 1},   // 1.5 → 2 up, 1 down
		{pct(10), pct(10), 5, 1, 0},   // 0.5 → 1 up, 0 down
		{pct(0), pct(10), 5, 0, 1},    // both 0 → U 1
		{abs(0), pct(25), 3, 0, 1},    // 0 and floor(0.75)=0 → U 1
		{abs(0), abs(1), 10, 0, 1},    // absolute values as is
		{abs(3), abs(2), 10, 3, 2},    //
		{abs(5), abs(20), 10, 5, 10},  // U capped at replicas
		{pct(100), pct(100), 7, 7, 7}, //
		{pct(33), pct(33), 10, 4, 3},  // 3.3 → 4 up, 3 down
		{pct(1), pct(1), 200, 2, 2},   // 2.0 exact
		{pct(1), pct(1), 199, 2, 1},   // 1.99 → 2 up, 1 down
		{pct(75), pct(75), 13, 10, 9}, // 9.75 → 10 up, 9 down
		{pct(25), pct(0), 2, 1, 0},    // surge alone
		{pct(0), pct(0), 2, 0, 1},     // both 0% → U 1 (rejected at load; kept safe)
		{pct(200), pct(30), 3, 6, 0},  // surge may exceed 100%
		{pct(20), pct(20), 1000, 200, 200},
	}
	for _, tt := range tests {
		d := newDeployment(deploySpec{name: "d", replicas: tt.replicas, surge: tt.surge, unavail: tt.unavail})
		if gs, gu := MaxSurge(d), MaxUnavailable(d); gs != tt.wantS || gu != tt.wantU {
			t.Errorf("replicas %d surge %v unavailable %v: got %d/%d, want %d/%d", tt.replicas, tt.surge, tt.unavail, gs, gu, tt.wantS, tt.wantU)
		}
	}
	rc := newDeployment(deploySpec{name: "d", replicas: 10, strategy: StrategyRecreate})
	if MaxSurge(rc) != 0 || MaxUnavailable(rc) != 0 || NewRSNewReplicas(rc, nil, &api.ReplicaSet{}) != 10 {
		t.Error("Recreate: surge and unavailability must be 0 and the new ReplicaSet takes all replicas")
	}
}

func rsOf(name string, replicas int32, created int, maxReplicas string) *api.ReplicaSet {
	rs := &api.ReplicaSet{ObjectMeta: api.ObjectMeta{Name: name, CreationTimestamp: secs(created)}, Replicas: replicas}
	if maxReplicas != "" {
		rs.Annotations = map[string]string{AnnotationMaxReplicas: maxReplicas}
	}
	return rs
}

func secs(s int) sim.Time { return sim.Time(time.Duration(s) * time.Second) }

// TestProportionalScaling checks the sharing of a replicas change among
// active ReplicaSets against hand-computed splits.
func TestProportionalScaling(t *testing.T) {
	tests := []struct {
		name     string
		replicas int32 // new spec.replicas; surge/unavail 25%/25%
		status   int32 // d.status.replicas (fallback base)
		rss      []*api.ReplicaSet
		want     string // name=size in scaling order
	}{{
		// 10 → 20: allowed 20+5 = 25, toAdd = 25 − (5+8) = 12. Size order,
		// larger first: old(8), new(5). Fractions over max-replicas 13:
		// old round(8·25/13)=round(15.38)=15 → +7; new round(5·25/13)=
		// round(9.6)=10 → +5. 7+5 = 12, no leftover.
		name: "scale up mid-rollout", replicas: 20,
		rss:  []*api.ReplicaSet{rsOf("new", 5, 2, "13"), rsOf("old", 8, 1, "13")},
		want: "old=15 new=10",
	}, {
		// 10 → 5: allowed 5+2 = 7, toAdd = 7 − 13 = −6. Old(8) first.
		// old round(8·7/13)=round(4.31)=4 → −4; new round(5·7/13)=
		// round(2.69)=3 → −2. Total −6.
		name: "scale down mid-rollout", replicas: 5,
		rss:  []*api.ReplicaSet{rsOf("new", 5, 2, "13"), rsOf("old", 8, 1, "13")},
		want: "old=4 new=3",
	}, {
		// 10 → 11: allowed 11+3 = 14, toAdd = 14 − 12 = 2. Equal sizes 6/6:
		// newer first. b: round(6·14/12)=7 → +1; a: +1.
		name: "equal sizes grow newer first", replicas: 11,
		rss:  []*api.ReplicaSet{rsOf("a", 6, 1, "12"), rsOf("b", 6, 2, "12")},
		want: "b=7 a=7",
	}, {
		// 10 → 9 with 6/6: allowed 9+3 = 12, toAdd = 0: nothing changes.
		name: "no change", replicas: 9,
		rss:  []*api.ReplicaSet{rsOf("a", 6, 1, "12"), rsOf("b", 6, 2, "12")},
		want: "a=6 b=6",
	}, {
		// 10 → 8 with 6/6 (max 12): allowed 8+2 = 10, toAdd = −2. Equal
		// sizes shrink older first: a: round(6·10/12)=5 → −1; b: −1.
		name: "equal sizes shrink older first", replicas: 8,
		rss:  []*api.ReplicaSet{rsOf("b", 6, 2, "12"), rsOf("a", 6, 1, "12")},
		want: "a=5 b=5",
	}, {
		// 10 → 9: allowed 9+3 = 12, toAdd = 12 − 13 = −1. Sizes 7 (a, older)
		// and 6 (b): a first. a: round(7·12/13)=round(6.46)=6 → −1 ≥ −1 → −1.
		name: "shrink larger first", replicas: 9,
		rss:  []*api.ReplicaSet{rsOf("a", 7, 1, "13"), rsOf("b", 6, 2, "13")},
		want: "a=6 b=6",
	}, {
		// 10 → 12: allowed 12+3 = 15, toAdd = 15 − 13 = 2; equal sizes
		// 5,5,3 → order c? sizes: a=5 (older), b=5 (newer), c=3: b, a, c.
		// b: round(5·15/13)=round(5.77)=6 → +1; a: +1 (min(1, 1)); c: 0
		// left → 0.
		name: "leftover-free three-way", replicas: 12,
		rss:  []*api.ReplicaSet{rsOf("a", 5, 1, "13"), rsOf("b", 5, 2, "13"), rsOf("c", 3, 3, "13")},
		want: "b=6 a=6 c=3",
	}, {
		// 3 → 4 (surge 1, allowed 5), annotation 4 (3+1), sizes 2,2:
		// toAdd = 5 − 4 = 1. newer b first: round(2·5/4)=round(2.5)=3
		// (half away from zero) → +1 → min(1,1) = 1; a: 0.
		name: "half rounds away from zero", replicas: 4,
		rss:  []*api.ReplicaSet{rsOf("a", 2, 1, "4"), rsOf("b", 2, 2, "4")},
		want: "b=3 a=2",
	}, {
		// 10 → 20 without annotations: base = status.replicas 10.
		// toAdd = 25 − 10 = 15; sizes 6 (a), 4 (b): a: round(6·25/10)=15 →
		// +9; b: round(4·25/10)=10 → +6. Total 15.
		name: "no annotation: status.replicas is the base", replicas: 20, status: 10,
		rss:  []*api.ReplicaSet{rsOf("a", 6, 1, ""), rsOf("b", 4, 2, "")},
		want: "a=15 b=10",
	}, {
		// 10 → 0: allowed 0, toAdd = −13; every fraction is the whole RS.
		name: "scale to zero", replicas: 0,
		rss:  []*api.ReplicaSet{rsOf("a", 8, 1, "13"), rsOf("b", 5, 2, "13")},
		want: "a=0 b=0",
	}, {
		// 10 → 13: allowed 13+4 = 17, toAdd = 17 − 13 = 4. Sizes 7 (a), 3
		// (b), 3 (c, newer than b): a: round(7·17/13)=round(9.15)=9 → +2;
		// c: round(3·17/13)=round(3.92)=4 → +1; b: +1. Total 4.
		name: "three-way up", replicas: 13,
		rss:  []*api.ReplicaSet{rsOf("a", 7, 1, "13"), rsOf("b", 3, 2, "13"), rsOf("c", 3, 3, "13")},
		want: "a=9 c=4 b=4",
	}, {
		// 10 → 12 with max-replicas 13, sizes 1,1,...: a=11 (old), b=1, c=1.
		// allowed 15, toAdd = 2. a: round(11·15/13)=round(12.69)=13 → +2 →
		// min(2,2) = 2. b, c: nothing left. The leftover rule adds 0.
		name: "largest takes what it can", replicas: 12,
		rss:  []*api.ReplicaSet{rsOf("a", 11, 1, "13"), rsOf("b", 1, 2, "13"), rsOf("c", 1, 3, "13")},
		want: "a=13 c=1 b=1",
	}, {
		// Rounding leaves a leftover: 10 → 11, allowed 14, three RSs of 4,
		// 4, 4 (max 12): toAdd = 2. Newer first: c: round(4·14/12)=round(4.67)
		// =5 → +1; b: +1; a: 0 → total 2.
		name: "three equal", replicas: 11,
		rss:  []*api.ReplicaSet{rsOf("a", 4, 1, "12"), rsOf("b", 4, 2, "12"), rsOf("c", 4, 3, "12")},
		want: "c=5 b=5 a=4",
	}, {
		// A leftover goes to the first: 10 → 100, allowed 125, RS 3 and 2
		// with max 13: toAdd = 120. a: round(3·125/13)=round(28.85)=29 → +26;
		// b: round(2·125/13)=round(19.23)=19 → +17; added 43, leftover 77 →
		// a = 29 + 77 = 106.
		name: "leftover to the largest", replicas: 100,
		rss:  []*api.ReplicaSet{rsOf("a", 3, 1, "13"), rsOf("b", 2, 2, "13")},
		want: "a=106 b=19",
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := newDeployment(deploySpec{name: "d", replicas: tt.replicas})
			d.Status.Replicas = tt.status
			all := slices.Clone(tt.rss)
			sizes, _ := proportionalSizes(d, all)
			var got []string
			for i, rs := range all {
				got = append(got, fmt.Sprintf("%s=%d", rs.Name, sizes[i]))
			}
			if g := strings.Join(got, " "); g != tt.want {
				t.Fatalf("got %s, want %s", g, tt.want)
			}
		})
	}
}

// TestNewRSNewReplicas checks the scale-up step of the new ReplicaSet.
func TestNewRSNewReplicas(t *testing.T) {
	d := newDeployment(deploySpec{name: "d", replicas: 10}) // surge 3
	tests := []struct {
		old, cur, want int32
	}{
		{10, 0, 3}, // room 13 − 10 = 3
		{8, 3, 5},  // room 13 − 11 = 2
		{8, 5, 5},  // full
		{3, 5, 10}, // room 5, capped at 10 − 5 = 5
		{0, 9, 10}, // room 4, capped at 1
		{12, 0, 1}, // room 1
		{13, 0, 0}, // over
	}
	for _, tt := range tests {
		newRS := &api.ReplicaSet{Replicas: tt.cur}
		all := []*api.ReplicaSet{{Replicas: tt.old}, newRS}
		if got := NewRSNewReplicas(d, all, newRS); got != tt.want {
			t.Errorf("old %d new %d: got %d, want %d", tt.old, tt.cur, got, tt.want)
		}
	}
}

func TestEqualIgnoreHash(t *testing.T) {
	a := templateFor("web", "app:v1", nil)
	b := templateFor("web", "app:v1", nil)
	c := templateFor("web", "app:v2", nil)
	withLabel := *a
	withLabel.Labels = map[string]string{"app": "web", LabelPodTemplateHash: "abc"}
	noHashA, noHashB := *a, *b
	noHashA.Hash, noHashB.Hash = 0, 0
	manifestRS := *a
	manifestRS.Labels = withLabel.Labels
	manifestRS.Hash = 12345 // its hash covers the label
	// A ReplicaSet made by the controller for a (the label derived from a's
	// hash), against a template that differs only in what kubesim does not
	// model (same compiled spec, another hash).
	ours := *a
	ours.Labels = map[string]string{"app": "web", LabelPodTemplateHash: api.TemplateHash(a.Hash, 0)}
	envChanged := *a
	envChanged.Hash = a.Hash + 1
	otherLabels := *a
	otherLabels.Labels = map[string]string{"app": "web", "tier": "x"}
	otherLabels.Hash = 777
	for _, tt := range []struct {
		name string
		x, y *api.PodTemplate
		want bool
	}{
		{"same hash", a, b, true},
		{"same hash, hash label", &withLabel, b, true},
		{"different image", a, c, false},
		{"no hashes, equal specs", &noHashA, &noHashB, true},
		{"manifest RS with hash label, equal content", &manifestRS, a, true},
		{"different labels", &otherLabels, a, false},
		{"no hash, different spec", &noHashA, c, false},
		{"controller's RS, changed unmodelled field", &ours, &envChanged, false},
		{"controller's RS, its own template", &ours, a, true},
	} {
		if got := EqualIgnoreHash(tt.x, tt.y); got != tt.want {
			t.Errorf("%s: got %t", tt.name, got)
		}
	}
}

// rollout drives a harness through phases: run the controller to
// quiescence, record the sizes, settle the ReplicaSets' status with avail.
func rollout(h *harness, name string, phases int, avail map[string]int32) []string {
	var out []string
	for range phases {
		h.advance(time.Second)
		out = append(out, h.sizes(name))
		h.settle(avail)
	}
	return out
}

// TestRollingUpdateSteps checks whole rollouts against sequences derived by
// hand from the algorithm (SEMANTICS 6.2). Each phase runs the controller
// until it stops, with no pod becoming available meanwhile, then every pod
// becomes available at once (except those of images in avail).
//
// R=10, 25%/25% (surge 3, unavailable 2) from 10 available v1 pods:
//
//	sync 1: create v2 with min(13−10, 10) = 3; old: maxScaledDown =
//	        13 − 8 − 3 = 2, available 10 > 8 → v1 10→8.
//	sync 2: v2: room 13 − 11 = 2 → 5.  sync 3: 13 − 8 − 5 = 0: stop.
//	phase 2: maxScaledDown = 13 − 8 − 0 = 5, available 13 → v1 8→3;
//	        then v2 → 10; then 13 − 8 − 5 = 0.
//	phase 3: v1 3→0.
func TestRollingUpdateSteps(t *testing.T) {
	tests := []struct {
		name    string
		spec    deploySpec
		avail   map[string]int32
		phases  int
		want    []string
		minAvl  int32 // available pods never below
		maxPods int32 // spec replicas never above
	}{{
		name: "R=10 25%/25%", spec: deploySpec{replicas: 10}, phases: 4,
		want:   []string{"app:v1:8 app:v2:5", "app:v1:3 app:v2:10", "app:v1:0 app:v2:10", "app:v1:0 app:v2:10"},
		minAvl: 8, maxPods: 13,
	}, {
		// surge 0, unavailable 1: one old pod down, then one new up, per phase.
		name: "R=5 surge 0 unavailable 1", spec: deploySpec{replicas: 5, surge: abs(0), unavail: abs(1)}, phases: 6,
		want:   []string{"app:v1:4 app:v2:1", "app:v1:3 app:v2:2", "app:v1:2 app:v2:3", "app:v1:1 app:v2:4", "app:v1:0 app:v2:5", "app:v1:0 app:v2:5"},
		minAvl: 4, maxPods: 5,
	}, {
		// R=3, 50%/50%: surge ceil(1.5)=2, unavailable floor(1.5)=1.
		// sync 1: v2 = min(5−3, 3) = 2; 5 − 2 − 2 = 1 → v1 3→2. sync 2: v2
		// room 5 − 4 = 1 → 3; then 5 − 2 − 3 = 0. Phase 2: 5 − 2 − 0 = 3,
		// available 5 − 2 = 3 → v1 2→0.
		name: "R=3 50%/50% rounding", spec: deploySpec{replicas: 3, surge: pct(50), unavail: pct(50)}, phases: 3,
		want:   []string{"app:v1:2 app:v2:3", "app:v1:0 app:v2:3", "app:v1:0 app:v2:3"},
		minAvl: 2, maxPods: 5,
	}, {
		// surge 0 and floor(25%·3) = 0: both 0, so unavailable is 1.
		name: "R=3 fencepost: both resolve to 0", spec: deploySpec{replicas: 3, surge: abs(0), unavail: pct(25)}, phases: 4,
		want:   []string{"app:v1:2 app:v2:1", "app:v1:1 app:v2:2", "app:v1:0 app:v2:3", "app:v1:0 app:v2:3"},
		minAvl: 2, maxPods: 3,
	}, {
		// v2 never becomes available: the rollout stops at R − U = 8
		// available old pods and R + S = 13 pods.
		name: "new pods never available", spec: deploySpec{replicas: 10}, phases: 3,
		avail:  map[string]int32{"app:v2": 0},
		want:   []string{"app:v1:8 app:v2:5", "app:v1:8 app:v2:5", "app:v1:8 app:v2:5"},
		minAvl: 8, maxPods: 13,
	}, {
		// Unhealthy old pods go first: v1 has only 7 of 10 available.
		// sync 1: v2 = 3; 13 − 8 − 3 = 2 → cleanup of unhealthy: v1 10→8
		// (min(2, 10 − 7)); available 7 ≤ 8: no more. sync 2: v2 → 5.
		// Phase 2 (v1 7 of 8 available, v2 5/5): 13 − 8 − 0 = 5: cleanup
		// v1 8→7, then available 12 − 8 = 4 → v1 7→3; v2 → 10.
		name: "unhealthy old replicas first", spec: deploySpec{replicas: 10}, phases: 3,
		avail:  map[string]int32{"app:v1": 7},
		want:   []string{"app:v1:8 app:v2:5", "app:v1:3 app:v2:10", "app:v1:0 app:v2:10"},
		minAvl: 7, maxPods: 13,
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t)
			tt.spec.name = "web"
			h.create(newDeployment(tt.spec))
			h.advance(time.Second)
			h.settle(tt.avail)
			h.advance(time.Second)
			if got := h.sizes("web"); got != fmt.Sprintf("app:v1:%d", tt.spec.replicas) {
				t.Fatalf("initial rollout: %s", got)
			}
			var minAvail, maxPods int32 = 1 << 30, 0
			h.st.OnWrite(func(w *store.Write) {
				if w.Kind != api.KindReplicaSet || w.Verb == store.VerbEvent {
					return
				}
				var spec, avl int32
				for _, rs := range h.rsList("web") {
					spec += rs.Replicas
					avl += rs.Status.AvailableReplicas
				}
				minAvail, maxPods = min(minAvail, avl), max(maxPods, spec)
			})
			h.setImage("web", "app:v2")
			got := rollout(h, "web", tt.phases, tt.avail)
			if !slices.Equal(got, tt.want) {
				t.Fatalf("phases:\n got %q\nwant %q", got, tt.want)
			}
			if minAvail < tt.minAvl || maxPods > tt.maxPods {
				t.Fatalf("available fell to %d (bound %d), pods rose to %d (bound %d)", minAvail, tt.minAvl, maxPods, tt.maxPods)
			}
		})
	}
}

// TestSecondReconcileWritesNothing: once a rollout has settled, syncing the
// Deployment again makes no write.
func TestSecondReconcileWritesNothing(t *testing.T) {
	for _, strategy := range []string{StrategyRollingUpdate, StrategyRecreate} {
		t.Run(strategy, func(t *testing.T) {
			h := newHarness(t)
			h.create(newDeployment(deploySpec{name: "web", replicas: 4, strategy: strategy}))
			rollout(h, "web", 3, nil)
			h.setImage("web", "app:v2")
			rollout(h, "web", 6, nil)
			h.advance(time.Second)
			if got := h.sizes("web"); got != "app:v1:0 app:v2:4" {
				t.Fatalf("rollout did not finish: %s", got)
			}
			d := h.deploy("web")
			if c := api.FindCondition(d.Status.Conditions, ConditionProgressing); c == nil || c.Reason != ReasonNewRSAvailable {
				t.Fatalf("Progressing = %+v", c)
			}
			before := h.writes
			for range 2 {
				res, err := h.dc.Reconcile("default/web")
				if err != nil || res.RequeueAfter != 0 {
					t.Fatalf("Reconcile = %+v, %v", res, err)
				}
			}
			if h.writes != before {
				t.Fatalf("a reconcile of settled state wrote %d times: %v", h.writes-before, h.log)
			}
		})
	}
}

// TestRevisionHistoryCleanup: after each completed rollout, old ReplicaSets
// beyond revisionHistoryLimit (2) are deleted, lowest revision first.
func TestRevisionHistoryCleanup(t *testing.T) {
	h := newHarness(t)
	h.create(newDeployment(deploySpec{name: "web", replicas: 2, history: 2}))
	rollout(h, "web", 2, nil)
	for i := 2; i <= 5; i++ {
		h.setImage("web", fmt.Sprintf("app:v%d", i))
		rollout(h, "web", 5, nil)
	}
	var got []string
	for _, rs := range h.rsList("web") {
		got = append(got, fmt.Sprintf("%s rev=%s spec=%d", rs.Template.Spec.Containers[0].Image, rs.Annotations[AnnotationRevision], rs.Replicas))
	}
	want := []string{"app:v3 rev=3 spec=0", "app:v4 rev=4 spec=0", "app:v5 rev=5 spec=2"}
	if !slices.Equal(got, want) {
		t.Fatalf("ReplicaSets:\n got %q\nwant %q", got, want)
	}
	if rev := h.deploy("web").Annotations[AnnotationRevision]; rev != "5" {
		t.Fatalf("deployment revision %q", rev)
	}
}

// TestRollbackTo: rolling back to revision 1 reuses its ReplicaSet, which
// gets revision 3 and a revision history; rolling back from a paused
// Deployment or to a missing revision fails.
func TestRollbackTo(t *testing.T) {
	h := newHarness(t)
	h.create(newDeployment(deploySpec{name: "web", replicas: 3}))
	rollout(h, "web", 2, nil)
	h.setImage("web", "app:v2")
	rollout(h, "web", 4, nil)
	if err := RollbackTo(h.st, "test", "default", "web", 7); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("rollback to a missing revision: %v", err)
	}
	if err := RollbackTo(h.st, "test", "default", "web", 2); err != nil {
		t.Fatalf("rollback to the current revision must be a no-op: %v", err)
	}
	gen := h.deploy("web").Generation
	if err := RollbackTo(h.st, "test", "default", "web", 0); err != nil {
		t.Fatal(err)
	}
	d := h.deploy("web")
	if d.Generation != gen+1 || d.Template.Spec.Containers[0].Image != "app:v1" || d.Template.Labels[LabelPodTemplateHash] != "" {
		t.Fatalf("rolled back deployment: gen %d→%d template %+v", gen, d.Generation, d.Template)
	}
	rollout(h, "web", 4, nil)
	rss := h.rsList("web")
	if len(rss) != 2 || h.sizes("web") != "app:v1:3 app:v2:0" {
		t.Fatalf("after rollback: %s", h.sizes("web"))
	}
	if a := rss[0].Annotations; a[AnnotationRevision] != "3" || a[AnnotationRevisionHistory] != "1" {
		t.Fatalf("reused ReplicaSet annotations %v", a)
	}
	if err := SetPaused(h.st, "test", "default", "web", true); err != nil {
		t.Fatal(err)
	}
	if err := RollbackTo(h.st, "test", "default", "web", 0); err == nil || !strings.Contains(err.Error(), "paused") {
		t.Fatalf("rollback of a paused deployment: %v", err)
	}
}

// TestPausedScalesProportionally: a paused Deployment does not continue its
// rollout, but a replicas change is shared proportionally; resumed, it
// finishes.
func TestPausedScalesProportionally(t *testing.T) {
	h := newHarness(t)
	h.create(newDeployment(deploySpec{name: "web", replicas: 10}))
	rollout(h, "web", 2, nil)
	h.setImage("web", "app:v2")
	rollout(h, "web", 1, nil) // v1:8 v2:5, settled
	if err := SetPaused(h.st, "test", "default", "web", true); err != nil {
		t.Fatal(err)
	}
	rollout(h, "web", 2, nil)
	if got := h.sizes("web"); got != "app:v1:8 app:v2:5" {
		t.Fatalf("paused rollout moved: %s", got)
	}
	if c := api.FindCondition(h.deploy("web").Status.Conditions, ConditionProgressing); c == nil || c.Reason != ReasonPaused || c.Status != api.ConditionUnknown {
		t.Fatalf("Progressing while paused: %+v", c)
	}
	// 10 → 20: allowed 25, toAdd 12: v1 round(8·25/13)=15, v2 round(5·25/13)=10.
	if err := Scale(h.st, "test", "default", "web", 20); err != nil {
		t.Fatal(err)
	}
	rollout(h, "web", 2, nil)
	if got := h.sizes("web"); got != "app:v1:15 app:v2:10" {
		t.Fatalf("paused scale: %s", got)
	}
	if err := SetPaused(h.st, "test", "default", "web", false); err != nil {
		t.Fatal(err)
	}
	rollout(h, "web", 8, nil)
	if got := h.sizes("web"); got != "app:v1:0 app:v2:20" {
		t.Fatalf("resumed rollout: %s", got)
	}
}

// TestRecreateSteps: old ReplicaSets go to 0 first; the new one is created
// only when the old pods are gone.
func TestRecreateSteps(t *testing.T) {
	h := newHarness(t)
	h.create(newDeployment(deploySpec{name: "web", replicas: 4, strategy: StrategyRecreate}))
	rollout(h, "web", 2, nil)
	h.setImage("web", "app:v2")
	got := rollout(h, "web", 3, nil)
	want := []string{"app:v1:0", "app:v1:0 app:v2:4", "app:v1:0 app:v2:4"}
	if !slices.Equal(got, want) {
		t.Fatalf("phases %q, want %q", got, want)
	}
}

// TestHashCollision: a ReplicaSet of another template holding the new
// ReplicaSet's name makes the controller bump collisionCount and use the
// next hash.
func TestHashCollision(t *testing.T) {
	h := newHarness(t)
	d := newDeployment(deploySpec{name: "web", replicas: 2})
	other := templateFor("other", "x", nil)
	if _, err := h.st.ReplicaSets.Create("test", &api.ReplicaSet{
		ObjectMeta: api.ObjectMeta{Name: "web-" + api.TemplateHash(d.Template.Hash, 0), Namespace: "default",
			Labels: map[string]string{"app": "other"}},
		Selector: api.SelectorFromMap(other.Labels), Template: other}, "test"); err != nil {
		t.Fatal(err)
	}
	h.create(d)
	h.advance(time.Second)
	d = h.deploy("web")
	rss := h.rsList("web")
	if d.Status.CollisionCount != 1 || len(rss) != 1 || rss[0].Name != "web-"+api.TemplateHash(d.Template.Hash, 1) || rss[0].Replicas != 2 {
		t.Fatalf("collisionCount %d, ReplicaSets %s", d.Status.CollisionCount, h.sizes("web"))
	}
}

// TestAdoptAndRelease: an orphan ReplicaSet matching the selector is
// adopted; a controlled one relabelled out of the selector is released.
func TestAdoptAndRelease(t *testing.T) {
	h := newHarness(t)
	d := newDeployment(deploySpec{name: "web", replicas: 2})
	tmpl := *d.Template
	if _, err := h.st.ReplicaSets.Create("test", &api.ReplicaSet{
		ObjectMeta: api.ObjectMeta{Name: "web-orphan", Namespace: "default", Labels: map[string]string{"app": "web"}},
		Replicas:   2, Selector: api.SelectorFromMap(tmpl.Labels), Template: &tmpl}, "test"); err != nil {
		t.Fatal(err)
	}
	h.create(d)
	h.advance(time.Second)
	rss := h.rsList("web")
	if len(rss) != 1 || rss[0].Name != "web-orphan" || rss[0].Annotations[AnnotationRevision] != "1" {
		t.Fatalf("adoption: %v", h.sizes("web"))
	}
	upd := rss[0].Clone()
	upd.Labels = map[string]string{"app": "gone"}
	if _, err := h.st.ReplicaSets.Update("test", upd, "test"); err != nil {
		t.Fatal(err)
	}
	h.advance(time.Second)
	rs, _ := h.st.ReplicaSets.Get("default", "web-orphan")
	if rs.ControllerRef() != nil {
		t.Fatal("relabelled ReplicaSet not released")
	}
	if got := h.sizes("web"); !strings.HasPrefix(got, "app:v1:2") || len(h.rsList("web")) != 1 {
		t.Fatalf("after release: %s", got)
	}
}
