package traces

import (
	"strconv"
	"strings"

	"k8s.io/apimachinery/pkg/util/validation"

	"github.com/kubesim/kubesim/sim/api"
)

// Units.
const (
	mib = 1 << 20
	gib = 1 << 30
)

// Defaults of converted objects, as the API server would default a manifest.
const (
	// DefaultNamespace is where trace pods go unless told otherwise.
	DefaultNamespace = "default"
	// DefaultImage is the container image of trace pods.
	DefaultImage = "kubesim.io/trace:latest"
	// DefaultMaxPods is a node's allocatable pods (the kubelet default).
	DefaultMaxPods = 110
	// defaultGrace is the pod terminationGracePeriodSeconds default.
	defaultGrace  = 30
	containerName = "main"
)

func checkDNSSubdomain(s string) string {
	if msgs := validation.IsDNS1123Subdomain(s); len(msgs) > 0 {
		return strings.Join(msgs, "; ")
	}
	return ""
}

func validLabelValue(s string) bool { return len(validation.IsValidLabelValue(s)) == 0 }

// GPUNode returns a node with the given name, cpu (millicores), memory (bytes)
// and GPUs: allocatable = capacity = {cpu, memory, ResourceGPUCount: gpus,
// ResourceGPUMilli: gpus × 1000}, 110 allowed pods, labels
// kubernetes.io/hostname = name and LabelGPUCardModel = model (only when the
// node has GPUs and a model). The node has no conditions: its kubelet posts
// Ready when it starts.
func GPUNode(name string, milliCPU, memory, gpus int64, model string) *api.Node {
	var r api.Resources
	r.MilliCPU = milliCPU
	r.Memory = memory
	if gpus > 0 {
		r = r.Set(ResourceGPUCount, gpus).Set(ResourceGPUMilli, gpus*MilliPerGPU)
	}
	labels := map[string]string{api.LabelHostname: name}
	if gpus > 0 && model != "" {
		labels[LabelGPUCardModel] = model
	}
	return &api.Node{
		ObjectMeta:  api.ObjectMeta{Name: name, Labels: labels},
		Capacity:    r,
		Allocatable: r,
		AllowedPods: DefaultMaxPods,
	}
}

// Node converts the row to a node (see GPUNode): cpu_milli millicores,
// memory_mib MiB, gpu GPUs of the row's model.
func (n *OpenBNode) Node() *api.Node {
	return GPUNode(n.Name, n.MilliCPU, n.MemoryMiB*mib, n.GPUs, n.Model)
}

// PodOptions say how trace rows become pods. The zero value gives bare pods
// in DefaultNamespace, image DefaultImage, no priority class.
type PodOptions struct {
	// Namespace of the pods (DefaultNamespace when empty).
	Namespace string
	// Image of the pods' one container (DefaultImage when empty).
	Image string
	// SchedulerName is spec.schedulerName (default-scheduler when empty).
	SchedulerName string
	// PriorityClasses maps the trace's QoS class (openb: LS, BE, Burstable,
	// Guaranteed) to a priority class name; classes missing from the map, and
	// all of them when the map is nil, get no priority class. QoSPriorityClasses
	// gives a documented mapping and the classes to create.
	PriorityClasses map[string]string
}

func (o *PodOptions) defaults() PodOptions {
	c := *o
	if c.Namespace == "" {
		c.Namespace = DefaultNamespace
	}
	if c.Image == "" {
		c.Image = DefaultImage
	}
	if c.SchedulerName == "" {
		c.SchedulerName = api.DefaultSchedulerName
	}
	return c
}

// podShape is what a trace pod's spec depends on; equal shapes share one
// compiled spec.
type podShape struct {
	milliCPU, memory int64
	scalars          string // "name=value,..." of the extended resources
	models           string // "|"-joined required GPU models
	priorityClass    string
	nodeSelector     string // "key=value"
	capKey           string // slot resource for per-node caps
}

// PodConverter turns trace rows into pods. Pods with equal resources and
// constraints share one compiled, immutable spec, so a trace of thousands of
// pods holds only as many specs as it has distinct shapes. Create one with
// NewPodConverter; it is not safe for concurrent use.
type PodConverter struct {
	opts  PodOptions
	specs map[podShape]*api.PodSpec
}

// NewPodConverter returns a converter with the given options.
func NewPodConverter(opts PodOptions) *PodConverter {
	return &PodConverter{opts: opts.defaults(), specs: map[podShape]*api.PodSpec{}}
}

// OpenBPod converts an openb row to a pending bare pod: requests = limits =
// {cpu: cpu_milli m, memory: memory_mib Mi} plus, for GPU pods,
// ResourceGPUCount = num_gpu and ResourceGPUMilli = num_gpu × gpu_milli; a
// gpu_spec becomes required node affinity LabelGPUCardModel In [models]; the
// QoS class becomes label LabelQoS and, when mapped, the priority class.
// The trace's phase and times are not part of the pod (see Items for times).
func (c *PodConverter) OpenBPod(p *OpenBPod) *api.Pod {
	var req api.Resources
	req.MilliCPU = p.MilliCPU
	req.Memory = p.MemoryMiB * mib
	if p.GPUs > 0 {
		req = req.Set(ResourceGPUCount, p.GPUs).Set(ResourceGPUMilli, p.TotalGPUMilli())
	}
	sh := podShape{milliCPU: req.MilliCPU, memory: req.Memory, scalars: scalarKey(req.Scalar),
		models: strings.Join(p.GPUModels, "|"), priorityClass: c.opts.PriorityClasses[p.QoS]}
	spec := c.spec(sh, req, func(s *api.PodSpec) {
		if len(p.GPUModels) > 0 {
			s.Affinity = &api.Affinity{NodeRequired: &api.NodeSelector{Terms: []api.NodeSelectorTerm{{
				MatchExpressions: []api.Requirement{{Key: LabelGPUCardModel, Operator: api.OpIn, Values: p.GPUModels}},
			}}}}
		}
	})
	var labels map[string]string
	if p.QoS != "" {
		labels = map[string]string{LabelQoS: p.QoS}
	}
	return c.pod(p.Name, labels, spec)
}

// spec returns the shared spec of a shape, building it with extra on first use.
func (c *PodConverter) spec(sh podShape, req api.Resources, extra func(*api.PodSpec)) *api.PodSpec {
	if s, ok := c.specs[sh]; ok {
		return s
	}
	s := &api.PodSpec{
		SchedulerName:                 c.opts.SchedulerName,
		PriorityClassName:             sh.priorityClass,
		RestartPolicy:                 api.RestartAlways,
		TerminationGracePeriodSeconds: defaultGrace,
		Containers: []api.Container{{
			Name:             containerName,
			Image:            c.opts.Image,
			Requests:         req,
			Limits:           req,
			HasCPURequest:    true,
			HasMemoryRequest: true,
		}},
	}
	extra(s)
	s.Compile()
	c.specs[sh] = s
	return s
}

func (c *PodConverter) pod(name string, labels map[string]string, spec *api.PodSpec) *api.Pod {
	return &api.Pod{
		ObjectMeta: api.ObjectMeta{Name: name, Namespace: c.opts.Namespace, Labels: labels},
		Spec:       spec,
		Status:     api.PodStatus{Phase: api.PodPending},
	}
}

func scalarKey(ss []api.Scalar) string {
	var b strings.Builder
	for _, s := range ss {
		b.WriteString(s.Name)
		b.WriteByte('=')
		b.WriteString(strconv.FormatInt(s.Value, 10))
		b.WriteByte(',')
	}
	return b.String()
}

// QoS priority classes: kubesim's suggested mapping of the openb QoS classes
// (Alibaba's, not Kubernetes QoS classes) to priority classes. The values are
// our choice; Alibaba publishes none. Latency-sensitive and guaranteed work
// outranks burstable work, which outranks best-effort work; best-effort pods
// never preempt.
const (
	PriorityClassGuaranteed = "alibaba-guaranteed" // value 3000
	PriorityClassLS         = "alibaba-ls"         // value 2000
	PriorityClassBurstable  = "alibaba-burstable"  // value 1000
	PriorityClassBE         = "alibaba-be"         // value 0, preemptionPolicy Never
)

// QoSPriorityClasses returns the suggested QoS → priority class mapping for
// PodOptions.PriorityClasses, and the PriorityClass objects to create before
// the pods (in decreasing value): Guaranteed 3000, LS 2000, Burstable 1000,
// BE 0 with preemptionPolicy Never.
func QoSPriorityClasses() (map[string]string, []*api.PriorityClass) {
	m := map[string]string{
		"Guaranteed": PriorityClassGuaranteed,
		"LS":         PriorityClassLS,
		"Burstable":  PriorityClassBurstable,
		"BE":         PriorityClassBE,
	}
	pc := func(name string, v int32, policy string) *api.PriorityClass {
		return &api.PriorityClass{ObjectMeta: api.ObjectMeta{Name: name}, Value: v, PreemptionPolicy: policy}
	}
	return m, []*api.PriorityClass{
		pc(PriorityClassGuaranteed, 3000, api.PreemptLowerPriority),
		pc(PriorityClassLS, 2000, api.PreemptLowerPriority),
		pc(PriorityClassBurstable, 1000, api.PreemptLowerPriority),
		pc(PriorityClassBE, 0, api.PreemptNever),
	}
}
