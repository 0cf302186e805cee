package ttlafterfinished

import (
	"testing"
	"time"

	"github.com/kubesim/kubesim/controllers/reconciler"
	"github.com/kubesim/kubesim/sim"
	"github.com/kubesim/kubesim/sim/api"
	"github.com/kubesim/kubesim/sim/store"
)

const sec = sim.Time(time.Second)

// TestDeleteAfterTTL: a Job that finished at 5 s with a TTL of 10 s is
// deleted by the sync that ends at 15 s + 10 ms; a running Job and a Job
// without TTL stay; the deletion is recorded once.
func TestDeleteAfterTTL(t *testing.T) {
	eng := sim.NewEngine(1, 0)
	st := store.New(eng, store.Options{})
	var deletes []string
	st.OnWrite(func(w *store.Write) {
		if w.Verb == store.VerbDelete {
			deletes = append(deletes, w.Key+"@"+w.Time.String()+" by "+w.Component+" "+w.Reason)
		}
	})
	New(st, reconciler.Config{})
	ttl := int32(10)
	mk := func(name string, ttl *int32, finishedAt sim.Time, cond string) {
		j := &api.Job{ObjectMeta: api.ObjectMeta{Name: name, Namespace: "default"}, TTLSecondsAfterFinished: ttl}
		if cond != "" {
			j.Status.Conditions = []api.Condition{{Type: "SuccessCriteriaMet", Status: api.ConditionTrue, LastTransitionTime: finishedAt},
				{Type: cond, Status: api.ConditionTrue, LastTransitionTime: finishedAt}}
		}
		if _, err := st.Jobs.Create("test", j, "test"); err != nil {
			t.Fatal(err)
		}
	}
	eng.AtFunc(5*sec, func(sim.Time) {
		mk("done", &ttl, 5*sec, "Complete")
		mk("failed", &ttl, 2*sec, "Failed")
		mk("running", &ttl, 0, "")
		mk("keep", nil, 5*sec, "Complete")
	})
	eng.Run(60 * sec)
	want := []string{
		"default/failed@12.01s by ttl-after-finished-controller TTLExpired",
		"default/done@15.01s by ttl-after-finished-controller TTLExpired",
	}
	if len(deletes) != len(want) || deletes[0] != want[0] || deletes[1] != want[1] {
		t.Fatalf("deletes %v, want %v", deletes, want)
	}
	if st.Jobs.Len() != 2 {
		t.Fatalf("%d jobs left, want running and keep", st.Jobs.Len())
	}
}

// TestFinishTime: the finish time is the True Complete or Failed condition's
// transition time.
func TestFinishTime(t *testing.T) {
	j := &api.Job{}
	if _, ok := FinishTime(j); ok {
		t.Fatal("an unfinished Job has no finish time")
	}
	j.Status.Conditions = []api.Condition{{Type: "Failed", Status: api.ConditionFalse, LastTransitionTime: 3}, {Type: "Complete", Status: api.ConditionTrue, LastTransitionTime: 7}}
	if ft, ok := FinishTime(j); !ok || ft != 7 {
		t.Fatalf("FinishTime = %v, %t", ft, ok)
	}
}
