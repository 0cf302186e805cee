package store_test

import (
	"errors"
	"fmt"

	"github.com/kubesim/kubesim/sim"
	"github.com/kubesim/kubesim/sim/api"
	"github.com/kubesim/kubesim/sim/store"
)

// Components read, watch and write the store. A watch event is delivered after
// the write, at the same virtual time; an update from a stale copy conflicts.
func Example() {
	eng := sim.NewEngine(1, 0)
	st := store.New(eng, store.Options{})
	st.Pods.Watch(func(ev store.Event[*api.Pod]) {
		fmt.Printf("%v: %s %s phase=%s\n", eng.Now(), ev.Type, ev.Object().Name, ev.Object().Status.Phase)
	})

	spec := &api.PodSpec{SchedulerName: api.DefaultSchedulerName, TerminationGracePeriodSeconds: 30}
	spec.Compile()
	p, _ := st.Pods.Create("kubectl", &api.Pod{ObjectMeta: api.ObjectMeta{Namespace: "default", Name: "web"}, Spec: spec}, "Apply")

	running := p.Clone()
	running.Status.Phase = api.PodRunning
	_, _ = st.Pods.Update("kubelet/node-1", running, "Started")

	stale := p.Clone()
	stale.Status.Phase = api.PodFailed
	_, err := st.Pods.Update("someone", stale, "Oops")
	fmt.Println("stale update conflicts:", errors.Is(err, store.ErrConflict))

	eng.Run(sim.Time(1))
	// Output:
	// stale update conflicts: true
	// 0s: Added web phase=Pending
	// 0s: Modified web phase=Running
}
