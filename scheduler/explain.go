package scheduler

import (
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/kubesim/kubesim/scheduler/framework"
	"github.com/kubesim/kubesim/sim"
	"github.com/kubesim/kubesim/sim/api"
	"github.com/kubesim/kubesim/sim/store"
)

// ErrNoProfile is returned (wrapped) by Explain for a pod whose
// schedulerName no profile of the configuration has.
var ErrNoProfile = errors.New("no profile has this scheduler name")

// Explanation is what the scheduler thinks of every node for one pod: which
// nodes pass the filters (and why the others do not), each score plugin's
// weighted score on the feasible ones, and the best nodes. Its JSON form is
//
//	{"pod": "NS/NAME", "nodes": {"NODE": {"feasible": true, "reasons": [],
//	  "scores": {"PluginName": 123}, "total": 456}}, "best": ["NODE"]}
//
// with map keys sorted, scores and total only on feasible nodes, and best
// sorted by name (an empty array when no node fits).
type Explanation struct {
	// Pod is the pod's "namespace/name".
	Pod string `json:"pod"`
	// Nodes maps every node's name to its verdict.
	Nodes map[string]*NodeExplanation `json:"nodes"`
	// Best are the feasible nodes with the highest total, sorted by name:
	// upstream picks one of them at random.
	Best []string `json:"best"`

	// NodeOrder lists the nodes in the scheduler's node-tree order.
	NodeOrder []string `json:"-"`
	// ScorePlugins are the profile's score plugins in run order, and
	// Weights their weights.
	ScorePlugins []string         `json:"-"`
	Weights      map[string]int64 `json:"-"`
	// Message is upstream's FitError message ("0/N nodes are available:
	// ...") when no node fits, else "".
	Message string `json:"-"`
}

// NodeExplanation is the verdict on one node.
type NodeExplanation struct {
	// Feasible says whether the node passes every Filter plugin (with the
	// pods nominated to it counted, as the scheduler does).
	Feasible bool
	// Reasons are the first failing filter's reasons (upstream wording), or
	// the PreFilter's when it rejected the pod or left this node out; empty
	// for feasible nodes. Plugin names the plugin that gave them.
	Reasons []string
	Plugin  string
	// Scores maps each score plugin that ran (PreScore did not skip it) to
	// its weighted normalized score: 0..100 × weight. Nil for infeasible
	// nodes.
	Scores map[string]int64
	// Total is the sum of Scores.
	Total int64
}

// nodeJSON is a NodeExplanation's JSON form.
type nodeJSON struct {
	Feasible bool              `json:"feasible"`
	Reasons  []string          `json:"reasons"`
	Scores   *map[string]int64 `json:"scores,omitempty"`
	Total    *int64            `json:"total,omitempty"`
}

// MarshalJSON renders the node as the Explanation doc says: reasons always
// an array, scores and total only when the node is feasible.
func (n *NodeExplanation) MarshalJSON() ([]byte, error) {
	j := nodeJSON{Feasible: n.Feasible, Reasons: n.Reasons}
	if j.Reasons == nil {
		j.Reasons = []string{}
	}
	if n.Feasible {
		scores := n.Scores
		if scores == nil {
			scores = map[string]int64{}
		}
		total := n.Total
		j.Scores, j.Total = &scores, &total
	}
	return json.Marshal(j)
}

// Explain evaluates pod on every node of the cluster in st as the profile of
// its spec.schedulerName in cfg (nil: the default configuration) would, with
// no sampling: PreFilter, Filter on every node (twice where pods of higher or
// equal priority are nominated to it), then PreScore, Score, NormalizeScore
// and weights over all feasible nodes, even when only one is feasible (upstream
// then takes it without scoring; Explain shows what scoring would give).
//
// The scheduler's view is built from st as a starting scheduler builds it
// (terminal pods are not counted; pending pods with a nominated node reserve
// it); st itself is only read. pod should be the store's own object, so that
// its priority is resolved; it need not be in st.
//
// Explain returns an error for a configuration that does not build, a pod
// that no profile schedules (wrapping ErrNoProfile), or a plugin error.
func Explain(st *store.Store, cfg *Config, pod *api.Pod) (*Explanation, error) {
	var c Config
	if cfg != nil {
		c = *cfg
	}
	s, err := New(st.Engine(), st, c)
	if err != nil {
		return nil, err
	}
	prof := s.profileFor(pod)
	if prof == nil {
		names := make([]string, len(s.order))
		for i, p := range s.order {
			names[i] = p.name
		}
		return nil, fmt.Errorf("scheduler: pod %s has schedulerName %q (profiles: %s): %w",
			pod.Key(), pod.Spec.SchedulerName, strings.Join(names, ", "), ErrNoProfile)
	}
	// What Start does, without watches: the cycle never runs.
	for _, n := range st.Nodes.List("", nil) {
		s.cache.AddNode(n)
	}
	for _, p := range st.Pods.List("", nil) {
		s.onPodAdd(p)
	}
	return s.explain(prof, pod)
}

// explain runs the extension points for pod over every node of the cache.
func (s *Scheduler) explain(prof *Profile, pod *api.Pod) (*Explanation, error) {
	all := s.cache.List()
	e := &Explanation{Pod: pod.Key(), Nodes: make(map[string]*NodeExplanation, len(all)), Best: []string{},
		Weights: map[string]int64{}}
	for i, pl := range prof.score {
		e.ScorePlugins = append(e.ScorePlugins, pl.Name())
		e.Weights[pl.Name()] = prof.scoreWeight[i]
	}
	for _, ni := range all {
		e.NodeOrder = append(e.NodeOrder, ni.Name())
	}
	if len(all) == 0 {
		e.Message = errNoNodesAvailable.Error()
		return e, nil
	}

	state := framework.NewCycleState()
	restrict, pst, pluginsWithNodes := prof.runPreFilter(state, pod, all)
	if !pst.IsSuccess() && !pst.IsRejected() {
		return nil, pst.Err()
	}
	fe := &FitError{NumAllNodes: len(all)}
	if !pst.IsSuccess() {
		fe.AbsentStatus, fe.PreFilterMsg = pst, pst.Message()
	} else if restrict != nil {
		fe.AbsentStatus = framework.NewStatus(framework.UnschedulableAndUnresolvable,
			fmt.Sprintf("node(s) didn't satisfy plugin(s) %v", pluginsWithNodes))
	}
	var filters []filterRef
	for _, pl := range prof.filter {
		if !state.SkipFilterPlugins.Has(pl.Name()) {
			filters = append(filters, filterRef{pl})
		}
	}

	var feasible []*framework.NodeInfo
	for _, ni := range all {
		name := ni.Name()
		var st *framework.Status
		var plugin string
		_, in := restrict[name]
		switch {
		case !pst.IsSuccess() || (restrict != nil && !in):
			st, plugin = fe.AbsentStatus, fe.AbsentStatus.Plugin()
			if plugin == "" && len(pluginsWithNodes) == 1 {
				plugin = pluginsWithNodes[0]
			}
		default:
			st, plugin = s.filterNode(prof, filters, state, pod, ni)
			if st.Code() == framework.Error {
				return nil, fmt.Errorf("running %q filter plugin on node %s: %s", plugin, name, st.Message())
			}
		}
		if st.IsSuccess() {
			feasible = append(feasible, ni)
			e.Nodes[name] = &NodeExplanation{Feasible: true, Scores: map[string]int64{}}
			continue
		}
		e.Nodes[name] = &NodeExplanation{Reasons: append([]string(nil), st.Reasons()...), Plugin: plugin}
		if pst.IsSuccess() && (restrict == nil || in) {
			fe.statuses = append(fe.statuses, nodeFailure{name: name, status: st})
		}
	}
	if len(feasible) == 0 {
		e.Message = fe.Error()
		return e, nil
	}

	if len(prof.score) > 0 {
		if st := prof.runPreScore(state, pod, feasible); !st.IsSuccess() {
			return nil, st.Err()
		}
		scores, st := prof.runScore(state, pod, feasible, nil)
		if !st.IsSuccess() {
			return nil, st.Err()
		}
		for i, pl := range prof.score {
			for j, ns := range scores[i] {
				ne := e.Nodes[feasible[j].Name()]
				ne.Scores[pl.Name()] = ns.Score
				ne.Total += ns.Score
			}
		}
	}
	best := int64(-1)
	for _, ni := range feasible {
		switch t := e.Nodes[ni.Name()].Total; {
		case t > best:
			best, e.Best = t, append(e.Best[:0], ni.Name())
		case t == best:
			e.Best = append(e.Best, ni.Name())
		}
	}
	sort.Strings(e.Best)
	return e, nil
}

// BuildState creates objs (decoded manifests: a cluster state as `kubectl get
// -o yaml` shows it) in a new store on a new engine at time 0, and returns
// the store and its one pending pod: the Pod without spec.nodeName that is
// not terminal. Objects are created as an API server would have them:
// namespaces first (a namespace the file names but does not define is
// created; one that the store starts with is replaced by the file's),
// priority classes, nodes, then the other objects in file order, pods bound
// as they are, the pending pod last. Watch deliveries are run before it
// returns.
//
// A PriorityClass that pods name but the state does not define is created
// with the value of the pods' spec.priority (what the API server resolved
// when the dump was taken).
//
// It fails, naming the objects, when there is not exactly one pending pod or
// the store refuses an object (e.g. a pod naming an undefined PriorityClass
// without a spec.priority).
func BuildState(objs []api.Object) (*store.Store, *api.Pod, error) {
	var pending []*api.Pod
	var namespaces, classes, nodes, rest []api.Object
	for _, o := range objs {
		switch x := o.(type) {
		case *api.Namespace:
			namespaces = append(namespaces, x)
		case *api.PriorityClass:
			classes = append(classes, x)
		case *api.Node:
			nodes = append(nodes, x)
		case *api.Pod:
			if x.NodeName == "" && !x.IsTerminal() {
				pending = append(pending, x)
				continue
			}
			rest = append(rest, x)
		default:
			rest = append(rest, o)
		}
	}
	if len(pending) != 1 {
		keys := make([]string, len(pending))
		for i, p := range pending {
			keys[i] = p.Key()
		}
		found := "none"
		if len(keys) > 0 {
			found = fmt.Sprintf("%d (%s)", len(keys), strings.Join(keys, ", "))
		}
		return nil, nil, fmt.Errorf("the state must hold exactly one pending pod (a Pod without spec.nodeName, not Succeeded or Failed); found %s", found)
	}

	eng := sim.NewEngine(0, 0)
	st := store.New(eng, store.Options{})
	var errs []error
	for _, o := range namespaces {
		errs = append(errs, createOrReplace(st, o))
	}
	defined := map[string]bool{}
	for _, ns := range st.Namespaces.List("", nil) {
		defined[ns.Name] = true
	}
	for _, o := range append(append([]api.Object(nil), rest...), pending[0]) {
		ns := o.GetMeta().Namespace
		if ns == "" || defined[ns] {
			continue
		}
		defined[ns] = true
		n := &api.Namespace{ObjectMeta: api.ObjectMeta{Name: ns, Labels: map[string]string{"kubernetes.io/metadata.name": ns}}}
		if _, err := st.Namespaces.Create(store.Component, n, "ImpliedNamespace"); err != nil {
			errs = append(errs, err)
		}
	}
	implied, err := impliedClasses(st, classes, append(append([]api.Object(nil), rest...), pending[0]))
	errs = append(errs, err)
	classes = append(classes, implied...)
	for _, group := range [][]api.Object{classes, nodes, rest, {pending[0]}} {
		for _, o := range group {
			errs = append(errs, createOrReplace(st, o))
		}
	}
	if err := errors.Join(errs...); err != nil {
		return nil, nil, err
	}
	eng.Run(eng.Now())
	pod, _ := st.Pods.Get(pending[0].Namespace, pending[0].Name)
	return st, pod, nil
}

// impliedClasses returns the PriorityClasses that pods name but neither the
// store nor classes define, made from the pods' spec.priority: a dump of
// pods carries the value the API server resolved from the class. A pod
// without spec.priority, or pods disagreeing on a class's value, are errors.
func impliedClasses(st *store.Store, classes, objs []api.Object) ([]api.Object, error) {
	known := map[string]bool{}
	for _, o := range classes {
		known[o.GetMeta().Name] = true
	}
	for _, pc := range st.PriorityClasses.List("", nil) {
		known[pc.Name] = true
	}
	var out []api.Object
	made := map[string]*api.PriorityClass{}
	var errs []error
	for _, o := range objs {
		p, ok := o.(*api.Pod)
		if !ok || p.Spec.PriorityClassName == "" || known[p.Spec.PriorityClassName] {
			continue
		}
		name := p.Spec.PriorityClassName
		if p.Spec.Priority == nil {
			errs = append(errs, fmt.Errorf("Pod %s: spec.priorityClassName %q names a PriorityClass the state does not define, and spec.priority is not set; add the PriorityClass", p.Key(), name))
			continue
		}
		if pc := made[name]; pc != nil {
			if pc.Value != *p.Spec.Priority {
				errs = append(errs, fmt.Errorf("Pod %s: spec.priority %d disagrees with %d of other pods of PriorityClass %q, which the state does not define; add the PriorityClass",
					p.Key(), *p.Spec.Priority, pc.Value, name))
			}
			continue
		}
		pc := &api.PriorityClass{ObjectMeta: api.ObjectMeta{Name: name}, Value: *p.Spec.Priority, PreemptionPolicy: api.PreemptLowerPriority}
		made[name] = pc
		out = append(out, pc)
	}
	return out, errors.Join(errs...)
}

// stateComponent is the name BuildState writes under.
const stateComponent = "state"

// createOrReplace creates o in its kind's table; a Namespace or
// PriorityClass the store starts with is replaced by o.
func createOrReplace(st *store.Store, o api.Object) error {
	var err error
	m := o.GetMeta()
	cur, exists := st.GetObject(o.GetKind(), m.Key())
	switch o.(type) {
	case *api.Namespace, *api.PriorityClass:
		if exists {
			m.UID, m.ResourceVersion = cur.GetMeta().UID, cur.GetMeta().ResourceVersion
			err = st.UpdateObject(stateComponent, o, "State")
			break
		}
		err = st.CreateObject(stateComponent, o, "State")
	default:
		err = st.CreateObject(stateComponent, o, "State")
	}
	if err != nil {
		return fmt.Errorf("%s %s: %w", o.GetKind(), m.Key(), err)
	}
	return nil
}
