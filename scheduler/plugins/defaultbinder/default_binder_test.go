package defaultbinder

import (
	"errors"
	"testing"
	"time"

	"github.com/kubesim/kubesim/scheduler/framework"
	tu "github.com/kubesim/kubesim/scheduler/plugins/internal/testutil"
	"github.com/kubesim/kubesim/sim"
	"github.com/kubesim/kubesim/sim/api"
	"github.com/kubesim/kubesim/sim/store"
)

func setup(t *testing.T) (*tu.Handle, *DefaultBinder, *api.Pod) {
	t.Helper()
	h := tu.NewHandle()
	pl, err := New(nil, h)
	if err != nil {
		t.Fatal(err)
	}
	p := tu.MakePod().Name("web").UID("").Req(100, tu.Mi).Obj()
	p.Status.Conditions = []api.Condition{{Type: api.PodScheduled, Status: api.ConditionFalse, Reason: "Unschedulable", LastTransitionTime: 1}}
	p.Status.NominatedNodeName = "n1" // nominated by an earlier preemption
	created, err := h.St.Pods.Create("test", p, "Create")
	if err != nil {
		t.Fatal(err)
	}
	return h, pl.(*DefaultBinder), created
}

func TestBind(t *testing.T) {
	h, b, p := setup(t)
	var writes []*store.Write
	h.St.OnWrite(func(w *store.Write) { writes = append(writes, w) })
	h.Engine.AtFunc(sim.Time(0).Add(5*time.Second), func(sim.Time) {
		if st := b.Bind(framework.NewCycleState(), p, "n1"); !st.IsSuccess() {
			t.Fatalf("Bind: %v", st.Message())
		}
	})
	h.Engine.Run(sim.Time(0).Add(time.Minute))

	got, _ := h.St.Pods.Get("default", "web")
	if got.NodeName != "n1" {
		t.Errorf("nodeName %q", got.NodeName)
	}
	c := api.FindCondition(got.Status.Conditions, api.PodScheduled)
	if c == nil || c.Status != api.ConditionTrue || c.LastTransitionTime != sim.Time(0).Add(5*time.Second) || len(got.Status.Conditions) != 1 {
		t.Errorf("conditions %+v", got.Status.Conditions)
	}
	if p.NodeName != "" || p.Status.Conditions[0].Status != api.ConditionFalse {
		t.Error("Bind modified the pod it was given")
	}
	if got.Status.NominatedNodeName != "" {
		t.Errorf("nominatedNodeName %q survived the binding", got.Status.NominatedNodeName)
	}
	if len(writes) != 1 || writes[0].Component != api.DefaultSchedulerName || writes[0].Reason != ReasonScheduled || writes[0].Verb != store.VerbUpdate {
		t.Errorf("writes %+v", writes)
	}
}

func TestBindFailures(t *testing.T) {
	tests := []struct {
		name    string
		prepare func(t *testing.T, h *tu.Handle, p *api.Pod) *api.Pod
		want    error
	}{
		{"pod gone", func(t *testing.T, h *tu.Handle, p *api.Pod) *api.Pod {
			if err := h.St.Pods.Delete("test", p.Namespace, p.Name, store.DeleteOptions{}, "Delete"); err != nil {
				t.Fatal(err)
			}
			return p
		}, store.ErrNotFound},
		{"pod re-created with a new UID", func(t *testing.T, h *tu.Handle, p *api.Pod) *api.Pod {
			if err := h.St.Pods.Delete("test", p.Namespace, p.Name, store.DeleteOptions{}, "Delete"); err != nil {
				t.Fatal(err)
			}
			if _, err := h.St.Pods.Create("test", tu.MakePod().Name("web").UID("").Obj(), "Create"); err != nil {
				t.Fatal(err)
			}
			return p
		}, store.ErrConflict},
		{"being deleted", func(t *testing.T, h *tu.Handle, p *api.Pod) *api.Pod {
			np := p.Clone()
			at := sim.Time(30)
			np.DeletionTimestamp = &at
			if _, err := h.St.Pods.Update("test", np, "Delete"); err != nil {
				t.Fatal(err)
			}
			return p
		}, store.ErrInvalid},
		{"already bound", func(t *testing.T, h *tu.Handle, p *api.Pod) *api.Pod {
			np := p.Clone()
			np.NodeName = "other"
			if _, err := h.St.Pods.Update("test", np, "Bind"); err != nil {
				t.Fatal(err)
			}
			return p
		}, store.ErrConflict},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h, b, p := setup(t)
			p = tc.prepare(t, h, p)
			st := b.Bind(framework.NewCycleState(), p, "n1")
			if st.Code() != framework.Error || !errors.Is(st.Err(), tc.want) {
				t.Errorf("got %v %v, want Error wrapping %v", st.Code(), st.Err(), tc.want)
			}
		})
	}
}

func TestNew(t *testing.T) {
	if _, err := New(nil, nil); err == nil {
		t.Error("want error without a handle")
	}
	if _, err := New(struct{}{}, tu.NewHandle()); err == nil {
		t.Error("want error for args")
	}
}
