package replicaset

import (
	"fmt"
	"strings"
	"testing"

	"github.com/kubesim/kubesim/sim/store"
)

// TestIncrementalCounts drives one ReplicaSet through adoption, readiness
// under minReadySeconds, relabelling (release) and scale down, and checks
// after every step that the incremental counts equal a full recount and that
// the status is the hand-derived one.
func TestIncrementalCounts(t *testing.T) {
	h := newHarness()
	steps := []struct {
		cmd  string
		want string // status after the step, "" to skip
	}{
		{"add-nodes 2", ""},
		{"create-pod orphan labels=app:web", ""},
		{"create-rs web replicas=3 min-ready=10", ""},
		{"advance 1s", "replicas=3 labeled=3 ready=0 available=0 terminating=0 gen=1"},
		{"bind orphan n1", ""},
		{"mark-ready orphan", ""}, // ready at 1 s: available after 11 s
		{"advance 5s", "replicas=3 labeled=3 ready=1 available=0 terminating=0 gen=1"},
		{"advance 10s", "replicas=3 labeled=3 ready=1 available=1 terminating=0 gen=1"},
		// Relabelled out of the selector: released, a replacement is made.
		{"relabel orphan app:gone", ""},
		{"advance 1s", "replicas=3 labeled=3 ready=0 available=0 terminating=0 gen=1"},
		// Scale down: the unbound pods are deleted at once (no grace period).
		{"scale web 1", ""},
		{"advance 1s", "replicas=1 labeled=1 ready=0 available=0 terminating=0 gen=2"},
	}
	for _, s := range steps {
		h.run(t, s.cmd)
		rs, ok := h.st.ReplicaSets.Get("default", "web")
		if !ok {
			continue
		}
		h.rsc.checkCounts(rs) // panics on a difference
		if s.want != "" {
			if got := describeStatus(rs.Status); got != s.want {
				t.Fatalf("after %q: status %s, want %s", s.cmd, got, s.want)
			}
		}
	}
}

// TestCountsRecountOnTemplateChange checks that a change of the template
// labels (which fullyLabeledReplicas depends on) rebuilds the counts.
func TestCountsRecountOnTemplateChange(t *testing.T) {
	h := newHarness()
	h.run(t, "create-rs web replicas=2")
	h.run(t, "advance 1s")
	rs := h.rs(t, "web").Clone()
	tmpl := *rs.Template
	tmpl.Labels = map[string]string{"app": "web", "tier": "front"}
	rs.Template = &tmpl
	if _, err := h.st.ReplicaSets.Update("test", rs, "test"); err != nil {
		t.Fatal(err)
	}
	h.run(t, "advance 1s")
	got := h.rs(t, "web")
	h.rsc.checkCounts(got)
	if got.Status.Replicas != 2 || got.Status.FullyLabeledReplicas != 0 {
		t.Fatalf("status %s, want 2 replicas of which 0 fully labelled", describeStatus(got.Status))
	}
}

// TestCheckCountsDetectsDrift checks that the debug check notices counts
// that no longer equal a recount.
func TestCheckCountsDetectsDrift(t *testing.T) {
	h := newHarness()
	h.run(t, "create-rs web replicas=2")
	h.run(t, "advance 1s")
	rs := h.rs(t, "web")
	h.rsc.counts[rs.UID].active++
	defer func() {
		r := recover()
		if r == nil || !strings.Contains(fmt.Sprint(r), "incremental counts") {
			t.Fatalf("recover() = %v, want a counts mismatch panic", r)
		}
	}()
	h.rsc.checkCounts(rs)
}

// TestCountsDroppedWithReplicaSet checks that a deleted ReplicaSet's counts
// are forgotten.
func TestCountsDroppedWithReplicaSet(t *testing.T) {
	h := newHarness()
	h.run(t, "create-rs web replicas=1")
	h.run(t, "advance 1s")
	uid := h.rs(t, "web").UID
	if err := h.st.ReplicaSets.Delete("test", "default", "web", store.DeleteOptions{}, "test"); err != nil {
		t.Fatal(err)
	}
	h.run(t, "advance 1s")
	if _, ok := h.rsc.counts[uid]; ok {
		t.Fatal("counts of the deleted ReplicaSet kept")
	}
}
