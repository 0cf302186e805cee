package api

// Kinds of the apps/v1 group beyond ReplicaSet and Deployment.
const (
	KindStatefulSet        Kind = "StatefulSet"
	KindDaemonSet          Kind = "DaemonSet"
	KindControllerRevision Kind = "ControllerRevision"
)

// ControllerRevision is an immutable snapshot of a StatefulSet's or
// DaemonSet's pod template at one revision, as upstream's apps/v1 type.
type ControllerRevision struct {
	ObjectMeta
	// Revision is the revision number (1, 2, ...).
	Revision int64
	// Template is the pod template of that revision.
	Template *PodTemplate
}

// GetKind returns KindControllerRevision.
func (*ControllerRevision) GetKind() Kind { return KindControllerRevision }

// Clone returns a shallow copy.
func (r *ControllerRevision) Clone() *ControllerRevision { c := *r; return &c }

// CloneObject returns a shallow copy as an Object.
func (r *ControllerRevision) CloneObject() Object { return r.Clone() }

// StatefulSet runs pods with stable ordinal identities.
type StatefulSet struct {
	ObjectMeta
	Replicas            int32
	Selector            *Selector
	Template            *PodTemplate
	ServiceName         string
	PodManagementPolicy string // OrderedReady (default) or Parallel
	// UpdateStrategy is RollingUpdate (default, with Partition and
	// MaxUnavailable) or OnDelete.
	UpdateStrategy       StatefulSetUpdateStrategy
	MinReadySeconds      int32
	RevisionHistoryLimit int32
	// OrdinalsStart is spec.ordinals.start: the ordinal of the first pod
	// (default 0).
	OrdinalsStart int32
	Status        StatefulSetStatus
}

// StatefulSetUpdateStrategy is a StatefulSet's update strategy.
type StatefulSetUpdateStrategy struct {
	Type           string
	Partition      int32
	MaxUnavailable *IntOrPercent
}

// StatefulSetStatus is the observed state of a StatefulSet.
type StatefulSetStatus struct {
	ObservedGeneration int64
	Replicas           int32
	ReadyReplicas      int32
	CurrentReplicas    int32
	UpdatedReplicas    int32
	AvailableReplicas  int32
	CurrentRevision    string
	UpdateRevision     string
	// CollisionCount counts ControllerRevision name collisions: it is mixed
	// into the hash of the next revision's name (upstream's *int32; 0 here
	// stands for unset).
	CollisionCount int32
}

// GetKind returns KindStatefulSet.
func (*StatefulSet) GetKind() Kind { return KindStatefulSet }

// Clone returns a shallow copy.
func (s *StatefulSet) Clone() *StatefulSet { c := *s; return &c }

// CloneObject returns a shallow copy as an Object.
func (s *StatefulSet) CloneObject() Object { return s.Clone() }

// DaemonSet runs one pod on every eligible node.
type DaemonSet struct {
	ObjectMeta
	Selector *Selector
	Template *PodTemplate
	// UpdateStrategy is RollingUpdate (default, MaxUnavailable 1, MaxSurge 0)
	// or OnDelete.
	UpdateStrategy       DaemonSetUpdateStrategy
	MinReadySeconds      int32
	RevisionHistoryLimit int32
	Status               DaemonSetStatus
}

// DaemonSetUpdateStrategy is a DaemonSet's update strategy.
type DaemonSetUpdateStrategy struct {
	Type           string
	MaxUnavailable IntOrPercent
	MaxSurge       IntOrPercent
}

// DaemonSetStatus is the observed state of a DaemonSet.
type DaemonSetStatus struct {
	ObservedGeneration     int64
	DesiredNumberScheduled int32
	CurrentNumberScheduled int32
	NumberMisscheduled     int32
	NumberReady            int32
	NumberAvailable        int32
	UpdatedNumberScheduled int32
	// CollisionCount counts ControllerRevision name collisions: it is mixed
	// into the hash of the next revision's name (upstream's *int32; 0 here
	// stands for unset).
	CollisionCount int32
}

// GetKind returns KindDaemonSet.
func (*DaemonSet) GetKind() Kind { return KindDaemonSet }

// Clone returns a shallow copy.
func (d *DaemonSet) Clone() *DaemonSet { c := *d; return &c }

// CloneObject returns a shallow copy as an Object.
func (d *DaemonSet) CloneObject() Object { return d.Clone() }
