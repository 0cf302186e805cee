package store

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/kubesim/kubesim/sim"
	"github.com/kubesim/kubesim/sim/api"
)

// Errors returned by store operations; test with errors.Is.
var (
	ErrNotFound      = errors.New("not found")
	ErrAlreadyExists = errors.New("already exists")
	ErrConflict      = errors.New("the object has been modified; please apply your changes to the latest version and try again")
	ErrInvalid       = errors.New("invalid")
)

// Verb says what a write did.
type Verb string

// Write verbs. A Delete whose New is non-nil requested a graceful deletion (the
// object is still there, terminating); with New nil the object is gone.
const (
	VerbCreate Verb = "create"
	VerbUpdate Verb = "update"
	VerbDelete Verb = "delete"
	// VerbEvent is not a write: it is a component's report of a decision or an
	// observation (upstream's Event objects), e.g. "Scheduled" or "FailedScheduling".
	VerbEvent Verb = "event"
)

// Write is what a write hook sees: one store write or one recorded event.
type Write struct {
	Time      sim.Time
	Component string
	Verb      Verb
	Kind      api.Kind
	Key       string
	// Old and New are the object before and after (nil where absent). For
	// VerbEvent, New is the object the event is about.
	Old, New api.Object
	// Reason is the writer's short reason (CamelCase upstream-style, e.g.
	// "SuccessfulCreate"), Message its human-readable explanation.
	Reason  string
	Message string
}

// Store holds every object of the simulated cluster. Create one with New.
type Store struct {
	eng          *sim.Engine
	watchLatency time.Duration
	rv           uint64
	uids         *rand.Rand
	hooks        []func(*Write)
	tables       []ownerIndexed
	// tolerated maps a pod spec to its DefaultTolerationSeconds form (see
	// admission_tolerations.go).
	tolerated map[*api.PodSpec]*api.PodSpec

	Namespaces      *Table[*api.Namespace]
	Nodes           *Table[*api.Node]
	Pods            *Table[*api.Pod]
	ReplicaSets     *Table[*api.ReplicaSet]
	Deployments     *Table[*api.Deployment]
	StatefulSets    *Table[*api.StatefulSet]
	DaemonSets      *Table[*api.DaemonSet]
	Revisions       *Table[*api.ControllerRevision]
	Leases          *Table[*api.Lease]
	Jobs            *Table[*api.Job]
	PriorityClasses *Table[*api.PriorityClass]
	PDBs            *Table[*api.PodDisruptionBudget]
	Services        *Table[*api.Service]
}

// Options configure a Store.
type Options struct {
	// WatchLatency delays every watch delivery (default 0: the same virtual
	// time, after the current event).
	WatchLatency time.Duration
}

// Index names every table or the pod table maintains.
const (
	// IndexOwner maps an owner UID to the objects that reference it.
	IndexOwner = "owner"
	// IndexNamespace maps a namespace to its objects.
	IndexNamespace = "namespace"
	// IndexNode maps a node name to the pods bound to it (pods only).
	IndexNode = "node"
)

// Built-in priority classes that the API server creates at start-up.
const (
	SystemClusterCritical      = "system-cluster-critical"
	SystemNodeCritical         = "system-node-critical"
	SystemClusterCriticalValue = 2000000000
	SystemNodeCriticalValue    = 2000001000
)

// Component is the name under which the store's own writes are recorded.
const Component = "apiserver"

// New returns a store driven by eng, holding the objects a new cluster's API
// server starts with: the default, kube-system, kube-public and kube-node-lease
// namespaces and the two system priority classes.
func New(eng *sim.Engine, opts Options) *Store {
	s := &Store{eng: eng, watchLatency: opts.WatchLatency, uids: eng.Rand("apiserver/uids")}
	s.Namespaces = newTable[*api.Namespace](s, api.KindNamespace, false)
	s.Nodes = newTable[*api.Node](s, api.KindNode, false)
	s.Pods = newTable[*api.Pod](s, api.KindPod, true)
	s.ReplicaSets = newTable[*api.ReplicaSet](s, api.KindReplicaSet, true)
	s.Deployments = newTable[*api.Deployment](s, api.KindDeployment, true)
	s.StatefulSets = newTable[*api.StatefulSet](s, api.KindStatefulSet, true)
	s.DaemonSets = newTable[*api.DaemonSet](s, api.KindDaemonSet, true)
	s.Revisions = newTable[*api.ControllerRevision](s, api.KindControllerRevision, true)
	s.Leases = newTable[*api.Lease](s, api.KindLease, true)
	s.Jobs = newTable[*api.Job](s, api.KindJob, true)
	s.PriorityClasses = newTable[*api.PriorityClass](s, api.KindPriorityClass, false)
	s.PDBs = newTable[*api.PodDisruptionBudget](s, api.KindPodDisruptionBudget, true)
	s.Services = newTable[*api.Service](s, api.KindService, true)
	s.Pods.AddIndex(IndexNode, func(p *api.Pod, buf []string) []string {
		if p.NodeName == "" {
			return buf
		}
		return append(buf, p.NodeName)
	})
	s.Pods.admit = s.admitPod
	s.Pods.graceful = podGrace
	for _, ns := range []string{"default", "kube-system", "kube-public", "kube-node-lease"} {
		_, _ = s.Namespaces.Create(Component, &api.Namespace{ObjectMeta: api.ObjectMeta{Name: ns,
			Labels: map[string]string{"kubernetes.io/metadata.name": ns}}}, "Bootstrap")
	}
	for _, pc := range []*api.PriorityClass{
		{ObjectMeta: api.ObjectMeta{Name: SystemClusterCritical}, Value: SystemClusterCriticalValue},
		{ObjectMeta: api.ObjectMeta{Name: SystemNodeCritical}, Value: SystemNodeCriticalValue},
	} {
		pc.PreemptionPolicy = api.PreemptLowerPriority
		_, _ = s.PriorityClasses.Create(Component, pc, "Bootstrap")
	}
	return s
}

// Engine returns the engine the store schedules watch deliveries on.
func (s *Store) Engine() *sim.Engine { return s.eng }

// Now returns the engine's current time.
func (s *Store) Now() sim.Time { return s.eng.Now() }

// OnWrite registers a hook called synchronously for every write and recorded
// event, in order. Hooks observe; they must not write to the store.
func (s *Store) OnWrite(f func(*Write)) { s.hooks = append(s.hooks, f) }

// Record reports a component's decision or observation about obj (upstream: an
// Event object). It changes nothing in the store; write hooks see it as
// VerbEvent.
func (s *Store) Record(component string, obj api.Object, reason, message string) {
	if len(s.hooks) == 0 {
		return
	}
	m := obj.GetMeta()
	s.emit(&Write{Time: s.eng.Now(), Component: component, Verb: VerbEvent, Kind: obj.GetKind(),
		Key: m.Key(), New: obj, Reason: reason, Message: message})
}

func (s *Store) emit(w *Write) {
	for _, h := range s.hooks {
		h(w)
	}
}

func (s *Store) nextRV() uint64 { s.rv++; return s.rv }

// nextUID returns a version-4 UUID drawn from the store's own random stream:
// random-looking like upstream's (which matters where UIDs break ties, e.g. the
// ReplicaSet scale-down ranking), yet the same for the same seed.
func (s *Store) nextUID() api.UID {
	hi, lo := s.uids.Uint64(), s.uids.Uint64()
	hi = hi&^0xf000 | 0x4000           // version 4
	lo = lo&^(0xc000<<48) | 0x8000<<48 // RFC 4122 variant
	return api.UID(fmt.Sprintf("%08x-%04x-%04x-%04x-%012x", hi>>32, (hi>>16)&0xffff, hi&0xffff, lo>>48, lo&0xffffffffffff))
}

// ObjectRef names one object of any kind.
type ObjectRef struct {
	Kind      api.Kind
	Namespace string
	Name      string
	UID       api.UID
}

// Dependents returns every object whose ownerReferences name uid, across all
// kinds, in a fixed kind order.
func (s *Store) Dependents(uid api.UID) []api.Object {
	var out []api.Object
	for _, t := range s.tables {
		out = t.dependents(uid, out)
	}
	return out
}

// Exists reports whether an object with this kind, key and UID is still stored.
func (s *Store) Exists(kind api.Kind, key string, uid api.UID) bool {
	for _, t := range s.tables {
		if t.kindOf() == kind {
			return t.hasUID(key, uid)
		}
	}
	return false
}

// DeleteObject deletes the object ref names (any kind) on behalf of component,
// with the kind's default grace period. The UID must match (a precondition, so a
// re-created object of the same name is not deleted by mistake).
func (s *Store) DeleteObject(component string, ref ObjectRef, reason string) error {
	for _, t := range s.tables {
		if t.kindOf() == ref.Kind {
			return t.deleteRef(component, ref, reason)
		}
	}
	return fmt.Errorf("store: unknown kind %q: %w", ref.Kind, ErrInvalid)
}

// UpdateOwners replaces the ownerReferences of the object ref names, keeping the
// rest (the garbage collector's way of dropping references to deleted owners).
func (s *Store) UpdateOwners(component string, ref ObjectRef, owners []api.OwnerReference, reason string) error {
	for _, t := range s.tables {
		if t.kindOf() == ref.Kind {
			return t.setOwners(component, ref, owners, reason)
		}
	}
	return fmt.Errorf("store: unknown kind %q: %w", ref.Kind, ErrInvalid)
}

// admitPod adds the DefaultTolerationSeconds tolerations, resolves the pod's
// priority and preemption policy from its priority class (or the global
// default class), as the Priority admission plugin does, and defaults its
// scheduler name.
func (s *Store) admitPod(p *api.Pod) error {
	if p.Spec == nil {
		return fmt.Errorf("pod %s: no spec: %w", p.Key(), ErrInvalid)
	}
	p.Spec = s.defaultTolerations(p.Spec)
	name := p.Spec.PriorityClassName
	var pc *api.PriorityClass
	if name != "" {
		var ok bool
		if pc, ok = s.PriorityClasses.Get("", name); !ok {
			return fmt.Errorf("pod %s: no PriorityClass with name %s was found: %w", p.Key(), name, ErrInvalid)
		}
	} else {
		for _, c := range s.PriorityClasses.List("", nil) {
			if c.GlobalDefault && (pc == nil || c.Value < pc.Value) {
				pc = c
			}
		}
	}
	switch {
	case pc != nil:
		p.Priority = pc.Value
	case p.Spec.Priority != nil:
		p.Priority = *p.Spec.Priority
	default:
		p.Priority = 0
	}
	p.PreemptionPolicy = api.PreemptLowerPriority
	if pc != nil && pc.PreemptionPolicy != "" {
		p.PreemptionPolicy = pc.PreemptionPolicy
	}
	if p.Spec.PreemptionPolicy != "" {
		p.PreemptionPolicy = p.Spec.PreemptionPolicy
	}
	if p.Status.Phase == "" {
		p.Status.Phase = api.PodPending
	}
	return nil
}

// podGrace returns the grace period a pod deletion gets: 0 for pods not bound
// to a node and for terminal pods (removed at once, as the API server does),
// else the requested or the spec's terminationGracePeriodSeconds.
func podGrace(p *api.Pod, requested *int64) int64 {
	if p.NodeName == "" || p.IsTerminal() {
		return 0
	}
	if requested != nil {
		return max(*requested, 0)
	}
	return p.Spec.TerminationGracePeriodSeconds
}
