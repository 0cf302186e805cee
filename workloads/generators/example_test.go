package generators_test

import (
	"fmt"
	"math/rand/v2"
	"time"

	"gonum.org/v1/gonum/stat/distuv"

	"github.com/kubesim/kubesim/sim"
	"github.com/kubesim/kubesim/sim/api"
	"github.com/kubesim/kubesim/workloads/generators"
)

// A Poisson stream of pods, 2 per second, with uniform cpu and memory and
// exponential run times; each random quantity has its own named stream.
func Example() {
	stream := func(name string) *rand.Rand { return sim.NewStream(1, 0, "workloads/batch/"+name) }
	g, err := generators.New(generators.Config{
		Name:     "batch",
		Arrivals: &generators.Poisson{Rate: 2, Src: stream("arrivals")},
		Shapes: &generators.Parametric{
			CPU:    generators.Quantity{Dist: distuv.Uniform{Min: 100, Max: 4000, Src: stream("cpu")}, Step: 100},
			Memory: generators.Quantity{Dist: distuv.Uniform{Min: 256, Max: 8192, Src: stream("memory")}, Step: 256},
		},
		Durations: distuv.Exponential{Rate: 1.0 / 60, Src: stream("durations")},
		Limit:     3,
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	for e, ok := g.Next(); ok; e, ok = g.Next() {
		p := e.Object.(*api.Pod)
		fmt.Printf("%v %s cpu=%dm mem=%dMi runs %v\n", e.At.Round(time.Millisecond), p.Name,
			p.Spec.Requests.MilliCPU, p.Spec.Requests.Memory>>20, p.Spec.RunDuration.Round(time.Second))
	}
	// Output:
	// 104ms batch-1 cpu=1800m mem=1280Mi runs 28s
	// 1.944s batch-2 cpu=1800m mem=6656Mi runs 1m57s
	// 2.885s batch-3 cpu=2600m mem=1280Mi runs 7s
}

// Constant arrivals need no random stream: one every 250 ms.
func ExampleConstant() {
	c := &generators.Constant{Rate: 4}
	var t time.Duration
	for range 3 {
		t = c.Next(t)
		fmt.Println(t)
	}
	// Output:
	// 250ms
	// 500ms
	// 750ms
}
