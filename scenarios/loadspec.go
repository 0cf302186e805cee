package scenarios

import (
	"fmt"
	"strings"

	"github.com/kubesim/kubesim/sim/api"
	"github.com/kubesim/kubesim/workloads/traffic"
)

// LoadedLoad is a validated spec.load entry: the workload it is offered to
// and its curve.
type LoadedLoad struct {
	Kind      api.Kind
	Namespace string
	Name      string
	Load      traffic.Load
}

// loadKinds are the kinds spec.load may name.
var loadKinds = []api.Kind{api.KindDeployment, api.KindStatefulSet}

// validateLoads checks every spec.load entry's own fields and builds its
// curve (a series file is read in loadLoads, with the manifests).
func (l *Loaded) validateLoads(el *errorList) {
	seen := map[string]string{}
	for i, e := range l.Scenario.Spec.Load {
		path := fmt.Sprintf("spec.load[%d]", i)
		ll := LoadedLoad{Kind: api.Kind(e.Kind), Namespace: e.Namespace, Name: e.Name}
		if ll.Namespace == "" {
			ll.Namespace = "default"
		}
		switch {
		case e.Kind == "":
			el.add(path+".kind", "is required: one of %s", kindList(loadKinds))
		case !hasKind(loadKinds, ll.Kind):
			el.add(path+".kind", "%q cannot be offered load: supported kinds are %s", e.Kind, kindList(loadKinds))
		}
		if e.Name == "" {
			el.add(path+".name", "is required")
		}
		id := objectID(ll.Kind, ll.Namespace, ll.Name)
		if first, dup := seen[id]; dup && e.Name != "" {
			el.add(path, "%s already has a load (%s); a workload has one", id, first)
		}
		seen[id] = path
		if !(e.PerReplicaRPS > 0) {
			el.add(path+".perReplicaRPS", "must be a number > 0 (requests per second one Ready replica serves), got %v", e.PerReplicaRPS)
		}
		ll.Load.PerReplicaRPS = e.PerReplicaRPS
		o := e.Offered
		var kinds []string
		if o.Constant != nil {
			kinds = append(kinds, "constant")
		}
		if o.Diurnal != nil {
			kinds = append(kinds, "diurnal")
		}
		if o.Series != nil {
			kinds = append(kinds, "series")
		}
		if len(kinds) != 1 {
			got := "none"
			if len(kinds) > 1 {
				got = strings.Join(kinds, " and ")
			}
			el.add(path+".offered", "must have exactly one of constant, diurnal, series; got %s", got)
		}
		switch {
		case o.Constant != nil:
			c := traffic.Constant{RPS: o.Constant.RPS}
			if err := c.Validate(); err != nil {
				el.add(path+".offered.constant.rps", "%v", strings.TrimPrefix(err.Error(), "rps "))
			}
			ll.Load.Offered = c
		case o.Diurnal != nil:
			d := traffic.Diurnal{Peak: o.Diurnal.Peak, Trough: o.Diurnal.Trough, Period: o.Diurnal.Period.Duration, Phase: o.Diurnal.Phase.Duration}
			if err := d.Validate(); err != nil {
				field := strings.Fields(err.Error())[0]
				el.add(path+".offered.diurnal."+field, "%s", strings.TrimPrefix(err.Error(), field+" "))
			}
			ll.Load.Offered = d
		case o.Series != nil && o.Series.File == "":
			el.add(path+".offered.series.file", "is required: a CSV file of %s lines", traffic.SeriesHeader)
		}
		l.Loads = append(l.Loads, ll)
	}
}

// loadLoads reads the series files and checks that every load names a
// workload that the scenario defines (in spec.cluster, spec.workloads or an
// apply action).
func (l *Loaded) loadLoads(el *errorList) {
	defined := map[string]bool{}
	note := func(objs []api.Object) {
		for _, o := range objs {
			defined[objectID(o.GetKind(), o.GetMeta().Namespace, o.GetMeta().Name)] = true
		}
	}
	note(l.ClusterObjects)
	for _, b := range l.Batches {
		note(b.Objects)
	}
	for _, a := range l.Actions {
		note(a.Objects)
	}
	for i := range l.Loads {
		ll := &l.Loads[i]
		path := fmt.Sprintf("spec.load[%d]", i)
		if s := l.Scenario.Spec.Load[i].Offered.Series; s != nil && s.File != "" {
			series, err := traffic.LoadSeries(l.resolve(s.File))
			if err != nil {
				el.add(path+".offered.series.file", "%v", err)
			} else {
				ll.Load.Offered = series
			}
		}
		if id := objectID(ll.Kind, ll.Namespace, ll.Name); !defined[id] {
			el.add(path+".name", "%s is not defined by any manifest of the scenario", id)
		}
	}
}
