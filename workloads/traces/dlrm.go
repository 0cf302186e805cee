package traces

import (
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

	"k8s.io/apimachinery/pkg/util/validation"

	"github.com/kubesim/kubesim/sim/api"
)

// DLRM file name (dataset alibaba-dlrm-v2025).
const DLRMFile = "disaggregated_DLRM_trace.csv"

// DLRM roles: the node pool an instance targets.
const (
	// RoleCN instances run on CPU nodes (no GPU).
	RoleCN = "CN"
	// RoleHN instances run on heterogeneous GPU nodes (one GPU each).
	RoleHN = "HN"
)

// Labels and resources of converted DLRM instances.
const (
	// LabelDLRMRole is the node label selecting a DLRM node pool (value CN or
	// HN); instances get it as their node selector.
	LabelDLRMRole = "kubesim.io/dlrm-role"
	// LabelApp is the pod label carrying the DLRM app_name.
	LabelApp = "app.kubernetes.io/name"
	// ResourceRDMA is the extended resource of RDMA bandwidth in percent of
	// one NIC; DLRMOptions.RDMA requests it and DLRM nodes advertise 100.
	ResourceRDMA = "kubesim.io/rdma-percent"
	// SlotResourcePrefix prefixes the per-app slot resources that express
	// max_instance_per_node (CapSlots): SlotResourcePrefix + app_name.
	SlotResourcePrefix = "dlrm.kubesim.io/"
)

// DLRMPodName is the pod name of an instance: instance_sn with underscores
// replaced by hyphens ("instance_7185" → "instance-7185"), since object names
// are DNS subdomains.
func DLRMPodName(sn string) string { return strings.ReplaceAll(sn, "_", "-") }

// DLRMInstance is one row of the DLRM trace: an inference instance.
type DLRMInstance struct {
	// Name is instance_sn as written (see DLRMPodName).
	Name string
	// Role is CN or HN.
	Role string
	// App is app_name, the application group.
	App string
	// CPU and CPULimit are whole vCPUs.
	CPU, CPULimit int64
	// GPUs and GPULimit are whole GPUs (0 or 1 in the published trace).
	GPUs, GPULimit int64
	// RDMA and RDMALimit are percent of one RDMA NIC's bandwidth.
	RDMA, RDMALimit int64
	// MemoryGiB and MemoryLimitGiB are GiB (fractional values allowed).
	MemoryGiB, MemoryLimitGiB float64
	// DiskGiB and DiskLimitGiB are GiB.
	DiskGiB, DiskLimitGiB float64
	// MaxPerNode is max_instance_per_node: the most instances of App one node
	// may hold; -1 means unlimited.
	MaxPerNode int64
	// Created, Scheduled and Deleted are seconds since the trace start. An
	// unset Created (or Scheduled) means before the trace started; an unset
	// Deleted means after it ended.
	Created, Scheduled, Deleted Stamp
}

// ReadDLRM reads the DLRM trace (header row present). It checks roles, that
// every request is within its limit, that max_instance_per_node is -1 or
// positive and that no instance is deleted before it is created.
func ReadDLRM(r io.Reader, file string) ([]DLRMInstance, error) {
	t, err := newTable(r, file, nil, []string{"instance_sn", "role", "app_name", "cpu_request", "cpu_limit",
		"gpu_request", "gpu_limit", "rdma_request", "rdma_limit", "memory_request", "memory_limit",
		"disk_request", "disk_limit", "max_instance_per_node", "creation_time", "scheduled_time", "deletion_time"}, nil)
	if err != nil {
		return nil, err
	}
	var out []DLRMInstance
	seen := map[string]bool{}
	for {
		ok, err := t.next()
		if err != nil {
			return nil, err
		}
		if !ok {
			return out, nil
		}
		var d DLRMInstance
		d.Name = t.str("instance_sn")
		if msg := checkDNSSubdomain(DLRMPodName(d.Name)); msg != "" {
			return nil, t.fail("instance_sn", "%q does not make a valid pod name: %s", d.Name, msg)
		}
		if seen[DLRMPodName(d.Name)] {
			return nil, t.fail("instance_sn", "%q appears twice (as pod name %s)", d.Name, DLRMPodName(d.Name))
		}
		seen[DLRMPodName(d.Name)] = true
		d.Role = t.str("role")
		if d.Role != RoleCN && d.Role != RoleHN {
			return nil, t.fail("role", "expected CN or HN, got %q", d.Role)
		}
		d.App = t.str("app_name")
		if d.App == "" || !validLabelValue(d.App) || len(validation.IsQualifiedName(SlotResourcePrefix+d.App)) > 0 {
			return nil, t.fail("app_name", "%q is not a valid label value and resource name", d.App)
		}
		pairs := []struct {
			req, lim   *int64
			rcol, lcol string
			hi         int64
		}{
			{&d.CPU, &d.CPULimit, "cpu_request", "cpu_limit", 1 << 20},
			{&d.GPUs, &d.GPULimit, "gpu_request", "gpu_limit", maxGPUs},
			{&d.RDMA, &d.RDMALimit, "rdma_request", "rdma_limit", 100},
		}
		for _, p := range pairs {
			if *p.req, err = t.int(p.rcol, 0, p.hi); err != nil {
				return nil, err
			}
			if *p.lim, err = t.int(p.lcol, 0, p.hi); err != nil {
				return nil, err
			}
			if *p.lim < *p.req {
				return nil, t.fail(p.lcol, "limit %d is below the request %d", *p.lim, *p.req)
			}
		}
		fpairs := []struct {
			req, lim   *float64
			rcol, lcol string
		}{
			{&d.MemoryGiB, &d.MemoryLimitGiB, "memory_request", "memory_limit"},
			{&d.DiskGiB, &d.DiskLimitGiB, "disk_request", "disk_limit"},
		}
		for _, p := range fpairs {
			if *p.req, err = t.float(p.rcol, 0, 1<<30); err != nil {
				return nil, err
			}
			if *p.lim, err = t.float(p.lcol, 0, 1<<30); err != nil {
				return nil, err
			}
			if *p.lim < *p.req {
				return nil, t.fail(p.lcol, "limit %v is below the request %v", *p.lim, *p.req)
			}
		}
		if d.MaxPerNode, err = t.int("max_instance_per_node", -1, 1<<20); err != nil {
			return nil, err
		}
		if d.MaxPerNode == 0 {
			return nil, t.fail("max_instance_per_node", "must be -1 (unlimited) or positive, got 0")
		}
		if d.Created, err = t.stamp("creation_time"); err != nil {
			return nil, err
		}
		if d.Scheduled, err = t.stamp("scheduled_time"); err != nil {
			return nil, err
		}
		if d.Deleted, err = t.stamp("deletion_time"); err != nil {
			return nil, err
		}
		if d.Created.Set && d.Deleted.Set && d.Deleted.At < d.Created.At {
			return nil, t.fail("deletion_time", "deleted at %v, before its creation at %v", d.Deleted, d.Created)
		}
		out = append(out, d)
	}
}

// LoadDLRM reads the DLRM trace from a file.
func LoadDLRM(path string) ([]DLRMInstance, error) { return loadFile(path, ReadDLRM) }

// CapMode says how max_instance_per_node becomes a scheduling constraint.
type CapMode string

// Cap modes.
const (
	// CapSlots (the default) gives each app with capped instances an extended
	// resource SlotResourcePrefix+app. Every DLRM node advertises L units of
	// it, L the least common multiple of the app's caps; an instance with cap
	// k requests L/k units. NodeResourcesFit then admits an instance on a
	// node iff Σ 1/k_j ≤ 1 over the app's capped instances there, the new
	// one included. CN and HN instances land in disjoint node pools, so what
	// counts is the (app, role) group: when all its instances share one cap
	// k that is exactly "at most k per node", and when they are all
	// uncapped there is no constraint, exactly. That holds for 302 of the
	// trace's 312 groups. The other 10 mix caps, or capped and uncapped (-1)
	// instances; uncapped instances request nothing, so they are not counted
	// against a capped instance's limit: there the mapping approximates.
	CapSlots CapMode = "slots"
	// CapNone ignores max_instance_per_node.
	CapNone CapMode = "none"
)

// DLRMOptions say how DLRM instances become pods.
type DLRMOptions struct {
	PodOptions
	// Cap is how max_instance_per_node is enforced (CapSlots when empty).
	Cap CapMode
	// RDMA adds the rdma_request as a ResourceRDMA request (off by default:
	// nodes must then advertise ResourceRDMA, as DLRMConverter.Node does).
	RDMA bool
	// Disk adds disk_request / disk_limit as ephemeral-storage request and
	// limit (off by default: nodes must then advertise ephemeral storage).
	Disk bool
}

// DLRMConverter turns DLRM instances into pods and makes matching nodes.
// Create one with NewDLRMConverter over the whole trace: the slot scale of
// each app depends on every instance of it.
type DLRMConverter struct {
	*PodConverter
	opts  DLRMOptions
	scale map[string]int64 // app -> L (lcm of its caps)
	apps  []string         // apps with caps, in first-appearance order
}

// NewDLRMConverter prepares a converter for the given instances.
func NewDLRMConverter(recs []DLRMInstance, opts DLRMOptions) (*DLRMConverter, error) {
	if opts.Cap == "" {
		opts.Cap = CapSlots
	}
	if opts.Cap != CapSlots && opts.Cap != CapNone {
		return nil, fmt.Errorf("traces: unknown cap mode %q; expected %q or %q", opts.Cap, CapSlots, CapNone)
	}
	c := &DLRMConverter{PodConverter: NewPodConverter(opts.PodOptions), opts: opts, scale: map[string]int64{}}
	if opts.Cap == CapSlots {
		for i := range recs {
			k := recs[i].MaxPerNode
			if k <= 0 {
				continue
			}
			l, ok := c.scale[recs[i].App]
			if !ok {
				c.apps = append(c.apps, recs[i].App)
				l = 1
			}
			l = lcm(l, k)
			if l > 1<<40 {
				return nil, fmt.Errorf("traces: app %s: the caps' least common multiple is too large", recs[i].App)
			}
			c.scale[recs[i].App] = l
		}
	}
	return c, nil
}

func gcd(a, b int64) int64 {
	for b != 0 {
		a, b = b, a%b
	}
	return a
}

func lcm(a, b int64) int64 { return a / gcd(a, b) * b }

// SlotCapacity returns the slot resources every DLRM node must advertise
// under CapSlots (one per capped app, L units each), sorted by name; nil
// under CapNone.
func (c *DLRMConverter) SlotCapacity() []api.Scalar {
	var r api.Resources
	for _, app := range c.apps {
		r = r.Set(SlotResourcePrefix+app, c.scale[app])
	}
	return r.Scalar
}

// Node returns a node of a DLRM pool: GPUNode(name, milliCPU, memory, gpus,
// model) labelled LabelDLRMRole = role, advertising 100 ResourceRDMA and the
// SlotCapacity resources.
func (c *DLRMConverter) Node(name, role string, milliCPU, memory, gpus int64, model string) *api.Node {
	n := GPUNode(name, milliCPU, memory, gpus, model)
	n.Labels[LabelDLRMRole] = role
	r := n.Allocatable.Set(ResourceRDMA, 100)
	for _, s := range c.SlotCapacity() {
		r = r.Set(s.Name, s.Value)
	}
	n.Allocatable, n.Capacity = r, r
	return n
}

// Pod converts an instance to a pending bare pod: requests = limits =
// {cpu: cpu_request cores, memory: memory_request GiB} (and ResourceGPUCount
// 1 / ResourceGPUMilli 1000 per GPU); name DLRMPodName(instance_sn); labels LabelApp = app_name and
// LabelDLRMRole = role; node selector LabelDLRMRole = role; the cap per
// DLRMOptions.Cap; RDMA and disk when asked for. Every DLRM instance is
// latency-sensitive (upstream README), so its priority class is
// PodOptions.PriorityClasses["LS"] when that is set.
func (c *DLRMConverter) Pod(d *DLRMInstance) *api.Pod {
	var req, lim api.Resources
	req.MilliCPU = d.CPU * 1000
	lim.MilliCPU = d.CPULimit * 1000
	req.Memory = int64(math.Ceil(d.MemoryGiB * gib))
	lim.Memory = int64(math.Ceil(d.MemoryLimitGiB * gib))
	if d.GPUs > 0 {
		req = req.Set(ResourceGPUCount, d.GPUs).Set(ResourceGPUMilli, d.GPUs*MilliPerGPU)
	}
	if d.GPULimit > 0 {
		lim = lim.Set(ResourceGPUCount, d.GPULimit).Set(ResourceGPUMilli, d.GPULimit*MilliPerGPU)
	}
	if c.opts.RDMA {
		req = req.Set(ResourceRDMA, d.RDMA)
		lim = lim.Set(ResourceRDMA, d.RDMALimit)
	}
	if c.opts.Disk {
		req.EphemeralStorage = int64(math.Ceil(d.DiskGiB * gib))
		lim.EphemeralStorage = int64(math.Ceil(d.DiskLimitGiB * gib))
	}
	capKey := ""
	if l, ok := c.scale[d.App]; ok && d.MaxPerNode > 0 {
		name := SlotResourcePrefix + d.App
		req = req.Set(name, l/d.MaxPerNode)
		lim = lim.Set(name, l/d.MaxPerNode)
		capKey = name + "=" + strconv.FormatInt(l/d.MaxPerNode, 10)
	}
	sh := podShape{milliCPU: req.MilliCPU, memory: req.Memory,
		scalars:       scalarKey(req.Scalar) + "/" + scalarKey(lim.Scalar) + "/" + strconv.FormatInt(lim.MilliCPU, 10) + "/" + strconv.FormatInt(lim.Memory, 10) + "/" + strconv.FormatInt(req.EphemeralStorage, 10) + "/" + strconv.FormatInt(lim.EphemeralStorage, 10),
		priorityClass: c.opts.PriorityClasses["LS"],
		nodeSelector:  LabelDLRMRole + "=" + d.Role,
		capKey:        capKey,
	}
	spec := c.spec(sh, req, func(s *api.PodSpec) {
		s.Containers[0].Limits = lim
		s.NodeSelector = map[string]string{LabelDLRMRole: d.Role}
	})
	return c.pod(DLRMPodName(d.Name), map[string]string{LabelApp: d.App, LabelDLRMRole: d.Role}, spec)
}
