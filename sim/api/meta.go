package api

import "github.com/kubesim/kubesim/sim"

// Kind names an object kind, as in a manifest's "kind" field.
type Kind string

// The kinds the store holds.
const (
	KindNamespace           Kind = "Namespace"
	KindNode                Kind = "Node"
	KindPod                 Kind = "Pod"
	KindReplicaSet          Kind = "ReplicaSet"
	KindDeployment          Kind = "Deployment"
	KindJob                 Kind = "Job"
	KindPriorityClass       Kind = "PriorityClass"
	KindPodDisruptionBudget Kind = "PodDisruptionBudget"
	KindService             Kind = "Service"
)

// UID identifies one object for its whole life; a re-created object with the
// same name has a new UID. The store assigns UIDs deterministically.
type UID string

// Object is what the store holds: every kind embeds ObjectMeta, names its kind
// and can make a shallow copy of itself.
type Object interface {
	GetMeta() *ObjectMeta
	GetKind() Kind
	CloneObject() Object
}

// ObjectMeta is the subset of metav1.ObjectMeta that the simulation uses.
type ObjectMeta struct {
	Name      string
	Namespace string // empty for cluster-scoped kinds
	UID       UID
	// ResourceVersion is set by the store on every write; an Update whose
	// ResourceVersion is not the stored one fails with a conflict.
	ResourceVersion uint64
	// Generation counts spec changes. The store sets it to 1 on create; writers
	// that change a spec increment it.
	Generation        int64
	CreationTimestamp sim.Time
	// DeletionTimestamp is set when a graceful deletion has been requested: the
	// time by which the object should be gone. Nil when not being deleted.
	DeletionTimestamp *sim.Time
	// DeletionGracePeriodSeconds is the grace period the deletion was given.
	DeletionGracePeriodSeconds int64
	Labels                     map[string]string
	Annotations                map[string]string
	OwnerReferences            []OwnerReference
}

// GetMeta returns m itself; it makes every kind that embeds ObjectMeta an Object.
func (m *ObjectMeta) GetMeta() *ObjectMeta { return m }

// Key is "namespace/name", or "name" for cluster-scoped objects: the store's key.
func (m *ObjectMeta) Key() string { return Key(m.Namespace, m.Name) }

// Key joins a namespace and a name into a store key.
func Key(namespace, name string) string {
	if namespace == "" {
		return name
	}
	return namespace + "/" + name
}

// IsDeleting reports whether a graceful deletion has been requested.
func (m *ObjectMeta) IsDeleting() bool { return m.DeletionTimestamp != nil }

// ControllerRef returns the owner reference with Controller set, or nil.
func (m *ObjectMeta) ControllerRef() *OwnerReference {
	for i := range m.OwnerReferences {
		if m.OwnerReferences[i].Controller {
			return &m.OwnerReferences[i]
		}
	}
	return nil
}

// OwnerReference points from a dependent to its owner, as upstream.
type OwnerReference struct {
	Kind       Kind
	Name       string
	UID        UID
	Controller bool
	// BlockOwnerDeletion is kept for fidelity of round-trips; background
	// propagation does not wait on it.
	BlockOwnerDeletion bool
}

// ConditionStatus is True, False or Unknown.
type ConditionStatus string

// Condition statuses.
const (
	ConditionTrue    ConditionStatus = "True"
	ConditionFalse   ConditionStatus = "False"
	ConditionUnknown ConditionStatus = "Unknown"
)

// Condition is one entry of a status.conditions list.
type Condition struct {
	Type               string
	Status             ConditionStatus
	Reason             string
	Message            string
	LastTransitionTime sim.Time
	// LastUpdateTime is when the condition was last written with new content
	// (upstream has it on Deployment conditions only: the Progressing
	// condition's progress clock). Zero where a kind does not use it.
	LastUpdateTime sim.Time
}

// FindCondition returns the condition of the given type, or nil.
func FindCondition(cs []Condition, typ string) *Condition {
	for i := range cs {
		if cs[i].Type == typ {
			return &cs[i]
		}
	}
	return nil
}

// SetCondition returns a new slice with c set (added or replaced). The
// LastTransitionTime is kept from the existing entry when the status did not
// change, as upstream does. The input slice is not modified.
func SetCondition(cs []Condition, c Condition) []Condition {
	out := make([]Condition, 0, len(cs)+1)
	found := false
	for _, x := range cs {
		if x.Type == c.Type {
			found = true
			if x.Status == c.Status {
				c.LastTransitionTime = x.LastTransitionTime
			}
			out = append(out, c)
			continue
		}
		out = append(out, x)
	}
	if !found {
		out = append(out, c)
	}
	return out
}
