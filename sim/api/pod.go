package api

import (
	"strconv"
	"time"

	"github.com/kubesim/kubesim/sim"
)

// Annotations and labels kubesim reads.
const (
	// AnnotationRunDuration on a pod or its template is how long the pod's
	// containers run before exiting successfully (a Go duration, e.g. "90s").
	// Without it a pod runs until deleted.
	AnnotationRunDuration = "kubesim.io/run-duration"
	// AnnotationPodDeletionCost is upstream's controller.kubernetes.io/pod-deletion-cost.
	AnnotationPodDeletionCost = "controller.kubernetes.io/pod-deletion-cost"
	// DefaultSchedulerName is the scheduler name pods get when they name none.
	DefaultSchedulerName = "default-scheduler"
)

// PodPhase is the pod's lifecycle phase.
type PodPhase string

// Pod phases.
const (
	PodPending   PodPhase = "Pending"
	PodRunning   PodPhase = "Running"
	PodSucceeded PodPhase = "Succeeded"
	PodFailed    PodPhase = "Failed"
	PodUnknown   PodPhase = "Unknown"
)

// Pod condition types.
const (
	PodScheduled       = "PodScheduled"
	PodInitialized     = "Initialized"
	PodContainersReady = "ContainersReady"
	PodReady           = "Ready"
	// PodDisruptionTarget is set True on a pod about to be deleted by a
	// disruption (scheduler preemption, eviction, taint manager, ...).
	PodDisruptionTarget = "DisruptionTarget"
)

// RestartPolicy is Always, OnFailure or Never.
type RestartPolicy string

// Restart policies.
const (
	RestartAlways    RestartPolicy = "Always"
	RestartOnFailure RestartPolicy = "OnFailure"
	RestartNever     RestartPolicy = "Never"
)

// Preemption policies.
const (
	PreemptLowerPriority = "PreemptLowerPriority"
	PreemptNever         = "Never"
)

// Pod is a pod: its metadata, a shared immutable spec, the fields of the spec
// that change after creation, and its status.
type Pod struct {
	ObjectMeta
	// Spec is immutable and may be shared with other pods of the same template.
	Spec *PodSpec
	// NodeName is spec.nodeName: set at creation to bypass the scheduler, or by
	// a binding.
	NodeName string
	// Priority is spec.priority, resolved from the priority class at admission.
	Priority int32
	// PreemptionPolicy is resolved at admission (PreemptLowerPriority or Never).
	PreemptionPolicy string
	// Hostname and Subdomain are spec.hostname and spec.subdomain, set at
	// creation (the StatefulSet controller gives its pods a stable hostname
	// and its headless service as subdomain); empty for most pods.
	Hostname, Subdomain string
	Status              PodStatus
}

// GetKind returns KindPod.
func (*Pod) GetKind() Kind { return KindPod }

// Clone returns a shallow copy (the spec and slices are shared).
func (p *Pod) Clone() *Pod { c := *p; return &c }

// IsTerminal reports whether the pod has Succeeded or Failed.
func (p *Pod) IsTerminal() bool {
	return p.Status.Phase == PodSucceeded || p.Status.Phase == PodFailed
}

// IsReady reports whether the pod's Ready condition is True.
func (p *Pod) IsReady() bool {
	c := FindCondition(p.Status.Conditions, PodReady)
	return c != nil && c.Status == ConditionTrue
}

// PodStatus is the observed state of a pod.
type PodStatus struct {
	Phase             PodPhase
	Conditions        []Condition
	Reason            string // e.g. "OutOfcpu", "Evicted"
	Message           string
	NominatedNodeName string
	StartTime         *sim.Time
	ContainerStatuses []ContainerStatus
}

// ContainerState is a container's state.
type ContainerState string

// Container states.
const (
	ContainerWaiting    ContainerState = "Waiting"
	ContainerRunning    ContainerState = "Running"
	ContainerTerminated ContainerState = "Terminated"
)

// ContainerStatus is the observed state of one container.
type ContainerStatus struct {
	Name         string
	State        ContainerState
	Reason       string // e.g. "ContainerCreating", "ImagePullBackOff", "Completed"
	ExitCode     int32
	Ready        bool
	Started      bool
	RestartCount int32
	StartedAt    *sim.Time
	// LastTermination is lastState.terminated: how the previous run of the
	// container ended (nil if it never did). See kubelet_realism.go.
	LastTermination *ContainerTermination
}

// MaxRestarts returns the highest restart count among the pod's containers.
func (p *Pod) MaxRestarts() int32 {
	var m int32
	for _, c := range p.Status.ContainerStatuses {
		m = max(m, c.RestartCount)
	}
	return m
}

// PodSpec is the compiled, immutable pod spec. Fields marked derived are
// computed once by Compile from the others.
type PodSpec struct {
	SchedulerName             string
	PriorityClassName         string
	Priority                  *int32 // explicit spec.priority, before admission
	PreemptionPolicy          string // explicit, before admission ("" = from class)
	NodeSelector              map[string]string
	Affinity                  *Affinity
	Tolerations               []Toleration
	TopologySpreadConstraints []TopologySpreadConstraint
	SchedulingGates           []string
	// HostNetwork is spec.hostNetwork: the pod uses the node's network
	// namespace (DaemonSet pods then tolerate network-unavailable).
	HostNetwork                   bool
	RestartPolicy                 RestartPolicy
	TerminationGracePeriodSeconds int64
	Containers                    []Container
	InitContainers                []Container
	Overhead                      Resources
	// PodRequests holds pod-level spec.resources.requests when set (nil otherwise).
	PodRequests *Resources
	// RunDuration is how long the containers run before exiting 0 (from the
	// kubesim.io/run-duration annotation); 0 means until deleted.
	RunDuration time.Duration

	// Requests is the effective request (derived): max(sum of containers and
	// sidecars, each init phase) + overhead, or pod-level requests + overhead.
	Requests Resources
	// NonZeroMilliCPU and NonZeroMemory are the scoring requests (derived), with
	// 100m / 200Mi substituted for containers that do not request cpu / memory.
	NonZeroMilliCPU int64
	NonZeroMemory   int64
	// HostPorts are the host ports the pod uses (derived): regular and sidecar
	// containers' ports with hostPort > 0, empty IP as 0.0.0.0, empty protocol TCP.
	HostPorts []HostPort
}

// Container is one container of a pod spec.
type Container struct {
	Name  string
	Image string
	// Requests and Limits after API defaulting (requests default from limits).
	Requests Resources
	Limits   Resources
	// HasCPURequest and HasMemoryRequest say whether the request keys are
	// present (an explicit 0 is present); absent keys get the non-zero defaults
	// in scoring.
	HasCPURequest    bool
	HasMemoryRequest bool
	Ports            []ContainerPort
	// RestartPolicy "Always" on an init container makes it a sidecar.
	RestartPolicy  RestartPolicy
	ReadinessProbe *Probe
	LivenessProbe  *Probe
	StartupProbe   *Probe
}

// IsSidecar reports whether an init container is a restartable sidecar.
func (c *Container) IsSidecar() bool { return c.RestartPolicy == RestartAlways }

// ContainerPort is a container port declaration.
type ContainerPort struct {
	ContainerPort int32
	HostPort      int32
	Protocol      string
	HostIP        string
}

// HostPort is a (ip, protocol, port) triple used on a node.
type HostPort struct {
	IP       string
	Protocol string
	Port     int32
}

// Probe is a compiled probe with upstream defaults filled in.
type Probe struct {
	InitialDelaySeconds int32
	TimeoutSeconds      int32
	PeriodSeconds       int32
	SuccessThreshold    int32
	FailureThreshold    int32
}

// Affinity holds the pod's node affinity and pod (anti-)affinity.
type Affinity struct {
	// NodeRequired is requiredDuringSchedulingIgnoredDuringExecution (nil = none).
	NodeRequired  *NodeSelector
	NodePreferred []PreferredTerm
	PodAffinity   *PodAffinity
	PodAnti       *PodAffinity
}

// PreferredTerm is a weighted node selector term.
type PreferredTerm struct {
	Weight int32
	Term   NodeSelectorTerm
}

// PodAffinity is a set of required and preferred pod affinity (or anti-affinity) terms.
type PodAffinity struct {
	Required  []PodAffinityTerm
	Preferred []WeightedPodAffinityTerm
}

// PodAffinityTerm is a compiled pod affinity term.
type PodAffinityTerm struct {
	Selector *Selector
	// Namespaces lists namespaces by name; NamespaceSelector selects them by
	// label. When both are empty/nil the term applies to the pod's own namespace.
	Namespaces        []string
	NamespaceSelector *Selector
	TopologyKey       string
	MatchLabelKeys    []string
	MismatchLabelKeys []string
}

// WeightedPodAffinityTerm is a preferred pod affinity term with its weight.
type WeightedPodAffinityTerm struct {
	Weight int32
	Term   PodAffinityTerm
}

// TopologySpreadConstraint is a compiled topology spread constraint.
type TopologySpreadConstraint struct {
	MaxSkew            int32
	TopologyKey        string
	WhenUnsatisfiable  string // DoNotSchedule or ScheduleAnyway
	Selector           *Selector
	MinDomains         int32  // 1 when unset
	NodeAffinityPolicy string // Honor (default) or Ignore
	NodeTaintsPolicy   string // Ignore (default) or Honor
	MatchLabelKeys     []string
}

// Compile fills the derived fields of s from the others. Call it once, after
// building a spec and before sharing it.
func (s *PodSpec) Compile() {
	var sum Resources
	var nzCPU, nzMem int64
	for i := range s.Containers {
		c := &s.Containers[i]
		sum = sum.Add(c.Requests)
		cpu, mem := c.nonZero()
		nzCPU += cpu
		nzMem += mem
	}
	// Init containers: sidecars run alongside everything after them; a regular
	// init container runs alone with the sidecars started before it.
	var sidecars, initMax Resources
	var sideCPU, sideMem, initCPU, initMem int64
	for i := range s.InitContainers {
		c := &s.InitContainers[i]
		cpu, mem := c.nonZero()
		if c.IsSidecar() {
			sidecars = sidecars.Add(c.Requests)
			sideCPU += cpu
			sideMem += mem
			sum = sum.Add(c.Requests)
			nzCPU += cpu
			nzMem += mem
			initMax = initMax.Max(sidecars)
			initCPU = max(initCPU, sideCPU)
			initMem = max(initMem, sideMem)
			continue
		}
		initMax = initMax.Max(c.Requests.Add(sidecars))
		initCPU = max(initCPU, cpu+sideCPU)
		initMem = max(initMem, mem+sideMem)
	}
	req := sum.Max(initMax)
	nzCPU = max(nzCPU, initCPU)
	nzMem = max(nzMem, initMem)
	if s.PodRequests != nil {
		pr := *s.PodRequests
		req.MilliCPU = orElse(pr.MilliCPU, req.MilliCPU, pr.MilliCPU != 0)
		req.Memory = orElse(pr.Memory, req.Memory, pr.Memory != 0)
		for _, sc := range pr.Scalar {
			req = req.Set(sc.Name, sc.Value)
		}
		if pr.MilliCPU != 0 {
			nzCPU = pr.MilliCPU
		}
		if pr.Memory != 0 {
			nzMem = pr.Memory
		}
	}
	s.Requests = req.Add(s.Overhead)
	s.NonZeroMilliCPU = nzCPU + s.Overhead.MilliCPU
	s.NonZeroMemory = nzMem + s.Overhead.Memory

	s.HostPorts = nil
	addPorts := func(c *Container) {
		for _, p := range c.Ports {
			if p.HostPort <= 0 {
				continue
			}
			hp := HostPort{IP: p.HostIP, Protocol: p.Protocol, Port: p.HostPort}
			if hp.IP == "" {
				hp.IP = "0.0.0.0"
			}
			if hp.Protocol == "" {
				hp.Protocol = "TCP"
			}
			s.HostPorts = append(s.HostPorts, hp)
		}
	}
	for i := range s.Containers {
		addPorts(&s.Containers[i])
	}
	for i := range s.InitContainers {
		if s.InitContainers[i].IsSidecar() {
			addPorts(&s.InitContainers[i])
		}
	}
}

func orElse(a, b int64, useA bool) int64 {
	if useA {
		return a
	}
	return b
}

// nonZero returns the container's scoring cpu and memory requests: the request
// when the key is present, else the upstream default.
func (c *Container) nonZero() (cpu, mem int64) {
	cpu, mem = c.Requests.MilliCPU, c.Requests.Memory
	if !c.HasCPURequest {
		cpu = DefaultMilliCPURequest
	}
	if !c.HasMemoryRequest {
		mem = DefaultMemoryRequest
	}
	return cpu, mem
}

// Images returns the images of the pod's init and regular containers, in order.
func (s *PodSpec) Images() []string {
	out := make([]string, 0, len(s.InitContainers)+len(s.Containers))
	for i := range s.InitContainers {
		out = append(out, s.InitContainers[i].Image)
	}
	for i := range s.Containers {
		out = append(out, s.Containers[i].Image)
	}
	return out
}

// ReadinessProbe returns the first readiness probe among regular containers, or nil.
func (s *PodSpec) ReadinessProbe() *Probe {
	for i := range s.Containers {
		if s.Containers[i].ReadinessProbe != nil {
			return s.Containers[i].ReadinessProbe
		}
	}
	return nil
}

// IsBestEffort reports whether no container (init or regular) requests or
// limits cpu or memory: the BestEffort QoS class.
func (s *PodSpec) IsBestEffort() bool {
	for _, cs := range [][]Container{s.InitContainers, s.Containers} {
		for i := range cs {
			c := &cs[i]
			if c.Requests.MilliCPU != 0 || c.Requests.Memory != 0 || c.Limits.MilliCPU != 0 || c.Limits.Memory != 0 {
				return false
			}
		}
	}
	return s.PodRequests == nil || (s.PodRequests.MilliCPU == 0 && s.PodRequests.Memory == 0)
}

// PodTemplate is a compiled pod template: the metadata pods get and their
// shared spec.
type PodTemplate struct {
	Labels      map[string]string
	Annotations map[string]string
	Spec        *PodSpec
	// Hash identifies the template's content (FNV-32a of its manifest form, as
	// decoded): equal templates have equal hashes. Controllers derive
	// pod-template-hash and controller-revision-hash from it (TemplateHash).
	Hash uint32
}

// TemplateHash renders a template hash, mixed with a collision count when
// one is given, the way upstream renders pod-template-hash values: the
// decimal digits mapped onto an alphabet without vowels (rand.SafeEncodeString),
// e.g. "5d9c7b8f4". The values differ from upstream's, whose hash covers
// upstream's in-memory form of the template.
func TemplateHash(hash uint32, collisionCount int32) string {
	h := hash
	if collisionCount > 0 {
		// FNV-32a step over the collision count's bytes, as upstream adds it to
		// the hasher after the template.
		for _, b := range []byte(strconv.FormatInt(int64(collisionCount), 10)) {
			h ^= uint32(b)
			h *= 16777619
		}
	}
	digits := strconv.FormatUint(uint64(h), 10)
	out := make([]byte, len(digits))
	for i := 0; i < len(digits); i++ {
		out[i] = safeAlphabet[int(digits[i])%len(safeAlphabet)]
	}
	return string(out)
}
