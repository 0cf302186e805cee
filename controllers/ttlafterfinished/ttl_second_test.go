package ttlafterfinished

import (
	"testing"

	"github.com/kubesim/kubesim/controllers/reconciler"
	"github.com/kubesim/kubesim/sim"
	"github.com/kubesim/kubesim/sim/api"
	"github.com/kubesim/kubesim/sim/store"
)

// TestSecondReconcileWritesNothing: after the expired Job is deleted,
// reconciling every remaining Job (running, no TTL) and the deleted one's key
// again writes nothing.
func TestSecondReconcileWritesNothing(t *testing.T) {
	eng := sim.NewEngine(1, 0)
	st := store.New(eng, store.Options{})
	writes := 0
	st.OnWrite(func(w *store.Write) {
		if w.Component != "test" {
			writes++
		}
	})
	c := New(st, reconciler.Config{})
	ttl := int32(10)
	for _, j := range []*api.Job{
		{ObjectMeta: api.ObjectMeta{Name: "done", Namespace: "default"}, TTLSecondsAfterFinished: &ttl,
			Status: api.JobStatus{Conditions: []api.Condition{{Type: "Complete", Status: api.ConditionTrue}}}},
		{ObjectMeta: api.ObjectMeta{Name: "running", Namespace: "default"}, TTLSecondsAfterFinished: &ttl},
		{ObjectMeta: api.ObjectMeta{Name: "keep", Namespace: "default"},
			Status: api.JobStatus{Conditions: []api.Condition{{Type: "Complete", Status: api.ConditionTrue}}}},
	} {
		if _, err := st.Jobs.Create("test", j, "test"); err != nil {
			t.Fatal(err)
		}
	}
	eng.Run(60 * sec)
	if writes == 0 || st.Jobs.Len() != 2 {
		t.Fatalf("first pass: %d writes, %d jobs; want the expired Job deleted", writes, st.Jobs.Len())
	}
	before := writes
	for _, key := range []string{"default/done", "default/running", "default/keep"} {
		if _, err := c.Reconcile(key); err != nil {
			t.Fatalf("Reconcile(%s): %v", key, err)
		}
	}
	eng.Run(120 * sec)
	if writes != before {
		t.Fatalf("a second reconcile wrote %d times", writes-before)
	}
}
