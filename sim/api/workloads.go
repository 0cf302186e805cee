package api

import "github.com/kubesim/kubesim/sim"

// ReplicaSet keeps a number of pods from one template running.
type ReplicaSet struct {
	ObjectMeta
	Replicas        int32
	MinReadySeconds int32
	Selector        *Selector
	Template        *PodTemplate
	Status          ReplicaSetStatus
}

// ReplicaSetStatus is the observed state of a ReplicaSet.
type ReplicaSetStatus struct {
	Replicas             int32
	FullyLabeledReplicas int32
	ReadyReplicas        int32
	AvailableReplicas    int32
	TerminatingReplicas  int32
	ObservedGeneration   int64
}

// GetKind returns KindReplicaSet.
func (*ReplicaSet) GetKind() Kind { return KindReplicaSet }

// Clone returns a shallow copy.
func (r *ReplicaSet) Clone() *ReplicaSet { c := *r; return &c }

// Deployment manages ReplicaSets through rollouts.
type Deployment struct {
	ObjectMeta
	Replicas                int32
	Selector                *Selector
	Template                *PodTemplate
	Strategy                DeploymentStrategy
	MinReadySeconds         int32
	RevisionHistoryLimit    int32
	ProgressDeadlineSeconds int32
	Paused                  bool
	Status                  DeploymentStatus
}

// DeploymentStrategy is Recreate or RollingUpdate with its parameters.
type DeploymentStrategy struct {
	Type string // "RollingUpdate" or "Recreate"
	// MaxSurge and MaxUnavailable are IntOrString values as written ("25%", "1").
	MaxSurge       IntOrPercent
	MaxUnavailable IntOrPercent
}

// IntOrPercent is an integer or a percentage, as upstream's IntOrString.
type IntOrPercent struct {
	Value     int32
	IsPercent bool
}

// DeploymentStatus is the observed state of a Deployment.
type DeploymentStatus struct {
	ObservedGeneration  int64
	Replicas            int32
	UpdatedReplicas     int32
	ReadyReplicas       int32
	AvailableReplicas   int32
	UnavailableReplicas int32
	TerminatingReplicas int32
	// CollisionCount counts pod-template-hash collisions: it is mixed into
	// the hash of the next new ReplicaSet's name (upstream's *int32; 0 here
	// stands for unset).
	CollisionCount int32
	Conditions     []Condition
}

// GetKind returns KindDeployment.
func (*Deployment) GetKind() Kind { return KindDeployment }

// Clone returns a shallow copy.
func (d *Deployment) Clone() *Deployment { c := *d; return &c }

// Job runs pods to completion.
type Job struct {
	ObjectMeta
	Parallelism             int32
	Completions             *int32
	CompletionMode          string // NonIndexed or Indexed
	BackoffLimit            int32
	ActiveDeadlineSeconds   *int64
	TTLSecondsAfterFinished *int32
	Suspend                 bool
	// PodReplacementPolicy is TerminatingOrFailed (default) or Failed.
	PodReplacementPolicy string
	Selector             *Selector
	Template             *PodTemplate
	Status               JobStatus
}

// JobStatus is the observed state of a Job.
type JobStatus struct {
	Active         int32
	Ready          int32
	Succeeded      int32
	Failed         int32
	StartTime      *sim.Time
	CompletionTime *sim.Time
	Conditions     []Condition
	// Terminating counts the Job's pods that are being deleted and not yet
	// terminal (upstream's status.terminating).
	Terminating int32
	// CompletedIndexes lists the completed indexes of an Indexed Job in
	// upstream's text form ("1,3-5,7"); empty otherwise.
	CompletedIndexes string
}

// GetKind returns KindJob.
func (*Job) GetKind() Kind { return KindJob }

// Clone returns a shallow copy.
func (j *Job) Clone() *Job { c := *j; return &c }

// PriorityClass maps a class name to a priority value.
type PriorityClass struct {
	ObjectMeta
	Value            int32
	GlobalDefault    bool
	PreemptionPolicy string // PreemptLowerPriority (default) or Never
}

// GetKind returns KindPriorityClass.
func (*PriorityClass) GetKind() Kind { return KindPriorityClass }

// Clone returns a shallow copy.
func (p *PriorityClass) Clone() *PriorityClass { c := *p; return &c }

// PodDisruptionBudget limits voluntary disruptions of the pods it selects.
type PodDisruptionBudget struct {
	ObjectMeta
	Selector       *Selector
	MinAvailable   *IntOrPercent
	MaxUnavailable *IntOrPercent
	// UnhealthyPodEvictionPolicy is IfHealthyBudget (default) or AlwaysAllow.
	UnhealthyPodEvictionPolicy string
	Status                     PodDisruptionBudgetStatus
}

// PodDisruptionBudgetStatus is the observed state of a PDB.
type PodDisruptionBudgetStatus struct {
	ObservedGeneration int64
	DisruptionsAllowed int32
	CurrentHealthy     int32
	DesiredHealthy     int32
	ExpectedPods       int32
	// DisruptedPods maps the name of each pod whose eviction the API server
	// has granted, but which the disruption controller has not yet seen
	// terminating, to the time of the eviction (upstream's
	// status.disruptedPods). Nil when empty. Writers replace the map, never
	// modify it in place (objects are shared).
	DisruptedPods map[string]sim.Time
	// Conditions holds the DisruptionAllowed condition.
	Conditions []Condition
}

// GetKind returns KindPodDisruptionBudget.
func (*PodDisruptionBudget) GetKind() Kind { return KindPodDisruptionBudget }

// Clone returns a shallow copy.
func (p *PodDisruptionBudget) Clone() *PodDisruptionBudget { c := *p; return &c }

// Service selects pods; the scheduler's default topology spreading uses its selector.
type Service struct {
	ObjectMeta
	// Selector is the service's pod selector (nil when the service has none).
	Selector *Selector
}

// GetKind returns KindService.
func (*Service) GetKind() Kind { return KindService }

// Clone returns a shallow copy.
func (s *Service) Clone() *Service { c := *s; return &c }
