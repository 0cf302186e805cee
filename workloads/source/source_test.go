package source

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/kubesim/kubesim/sim"
	"github.com/kubesim/kubesim/sim/api"
	"github.com/kubesim/kubesim/sim/store"
)

func pod(name string) *api.Pod {
	spec := &api.PodSpec{SchedulerName: api.DefaultSchedulerName, RestartPolicy: api.RestartAlways,
		Containers: []api.Container{{Name: "c", Image: "i"}}}
	spec.Compile()
	return &api.Pod{ObjectMeta: api.ObjectMeta{Name: name, Namespace: "team"}, Spec: spec}
}

func ev(s int, op Op, name string) Event {
	return Event{At: time.Duration(s) * time.Second, Op: op, Object: pod(name)}
}

func render(es []Event) string {
	var b strings.Builder
	for _, e := range es {
		fmt.Fprintf(&b, "%v %s %s; ", e.At, e.Op, e.Object.GetMeta().Name)
	}
	return b.String()
}

// TestSliceAndMerge: a Slice sorts stably by time; Merge breaks ties by
// source order.
func TestSliceAndMerge(t *testing.T) {
	a := NewSlice([]Event{ev(5, Create, "a2"), ev(1, Create, "a1"), ev(5, Delete, "a1")})
	if a.Len() != 3 {
		t.Fatal(a.Len())
	}
	b := NewSlice([]Event{ev(1, Create, "b1"), ev(5, Create, "b2"), ev(9, Create, "b3")})
	got := render(Drain(Merge(a, b)))
	want := "1s create a1; 1s create b1; 5s create a2; 5s delete a1; 5s create b2; 9s create b3; "
	if got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	if _, ok := a.Next(); ok {
		t.Error("drained slice has more")
	}
}

// unheld is an object of a kind the store has no table for.
type unheld struct{ api.ObjectMeta }

func (*unheld) GetKind() api.Kind         { return "Widget" }
func (u *unheld) CloneObject() api.Object { c := *u; return &c }

// TestPlay: creates at their times (with the namespace), deletes, counts a
// delete of a missing object, and reports a bad kind as an error.
func TestPlay(t *testing.T) {
	eng := sim.NewEngine(1, 0)
	st := store.New(eng, store.Options{})
	var log []string
	st.OnWrite(func(w *store.Write) {
		log = append(log, fmt.Sprintf("%v %s %s %s %s", w.Time, w.Component, w.Verb, w.Kind, w.Key))
	})
	p := Play(eng, st, NewSlice([]Event{
		ev(2, Create, "x"), ev(2, Create, "y"), ev(3, Delete, "x"), ev(4, Delete, "gone"),
		{At: 5 * time.Second, Op: Create, Object: &unheld{ObjectMeta: api.ObjectMeta{Name: "l", Namespace: "team"}}},
	}), "")
	if eng.Pending() != 1 {
		t.Errorf("%d engine events scheduled, want 1 (one ahead)", eng.Pending())
	}
	eng.Run(sim.Time(time.Minute))
	want := []string{
		"2s kubectl create Namespace team",
		"2s kubectl create Pod team/x",
		"2s kubectl create Pod team/y",
		"3s kubectl delete Pod team/x",
	}
	if strings.Join(log, "\n") != strings.Join(want, "\n") {
		t.Errorf("writes:\n%s\nwant:\n%s", strings.Join(log, "\n"), strings.Join(want, "\n"))
	}
	if p.Created() != 2 || p.Deleted() != 1 || p.Missing() != 1 || !p.Done() || len(p.Errors()) != 1 ||
		!strings.Contains(p.Errors()[0].Error(), "no table holds kind Widget") {
		t.Errorf("created %d deleted %d missing %d errors %v", p.Created(), p.Deleted(), p.Missing(), p.Errors())
	}
}
