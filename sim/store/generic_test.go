package store

import (
	"errors"
	"testing"

	"github.com/kubesim/kubesim/sim"
	"github.com/kubesim/kubesim/sim/api"
)

func TestCreateAndUpdateObjectOfAnyKind(t *testing.T) {
	st := New(sim.NewEngine(1, 0), Options{})
	objs := []api.Object{
		&api.Node{ObjectMeta: api.ObjectMeta{Name: "n1"}},
		&api.Service{ObjectMeta: api.ObjectMeta{Namespace: "default", Name: "web"}},
		newPod("default", "p", nil),
	}
	for _, o := range objs {
		if err := st.CreateObject("t", o, "Test"); err != nil {
			t.Fatalf("%s: %v", o.GetKind(), err)
		}
	}
	if st.Nodes.Len() != 1 || st.Services.Len() != 1 || st.Pods.Len() != 1 {
		t.Fatal("objects not stored in their kinds' tables")
	}
	svc, _ := st.Services.Get("default", "web")
	up := svc.Clone()
	up.Labels = map[string]string{"a": "b"}
	if err := st.UpdateObject("t", up, "Test"); err != nil {
		t.Fatal(err)
	}
	if err := st.UpdateObject("t", svc, "Test"); !errors.Is(err, ErrConflict) {
		t.Fatalf("stale update: %v", err)
	}
	if err := st.CreateObject("t", &api.Node{ObjectMeta: api.ObjectMeta{Name: "n1"}}, ""); !errors.Is(err, ErrAlreadyExists) {
		t.Fatalf("duplicate: %v", err)
	}
}
