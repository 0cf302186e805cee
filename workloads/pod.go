package workloads

import (
	"encoding/json"
	"hash/fnv"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/validation"

	"github.com/kubesim/kubesim/sim/api"
)

// Defaults the API server applies to pods.
const (
	defaultTerminationGracePeriod = 30
	defaultProbeTimeout           = 1
	defaultProbePeriod            = 10
	defaultProbeSuccess           = 1
	defaultProbeFailure           = 3
)

// restartRule says which pod restartPolicy values a pod spec's owner allows.
type restartRule int

const (
	restartAny    restartRule = iota // bare pods
	restartAlways                    // ReplicaSet, Deployment templates
	restartJob                       // Job templates: OnFailure or Never, required
)

// convertPodSpec defaults, validates and converts a pod spec and compiles it.
// ann is the pod's (or template's) annotations and annPath their field path,
// for the run-duration annotation.
func convertPodSpec(s *corev1.PodSpec, field string, rule restartRule, ann map[string]string, annPath string, probs *problems) *api.PodSpec {
	out := &api.PodSpec{
		SchedulerName:     s.SchedulerName,
		PriorityClassName: s.PriorityClassName,
		NodeSelector:      s.NodeSelector,
		RestartPolicy:     api.RestartPolicy(s.RestartPolicy),
		RunDuration:       runDuration(ann, annPath, probs),
	}
	if out.SchedulerName == "" {
		out.SchedulerName = api.DefaultSchedulerName
	}
	if s.Priority != nil {
		v := *s.Priority
		out.Priority = &v
	}
	if s.PreemptionPolicy != nil {
		switch pp := string(*s.PreemptionPolicy); pp {
		case api.PreemptLowerPriority, api.PreemptNever:
			out.PreemptionPolicy = pp
		default:
			probs.add(child(field, "preemptionPolicy"), "unsupported value %q: supported values: %s", pp, quoteList(api.PreemptLowerPriority, api.PreemptNever))
		}
	}
	if s.PriorityClassName != "" {
		checkName(s.PriorityClassName, nameSubdomain, child(field, "priorityClassName"), probs)
	}
	if s.NodeName != "" {
		checkName(s.NodeName, nameSubdomain, child(field, "nodeName"), probs)
	}
	checkLabels(s.NodeSelector, child(field, "nodeSelector"), probs)

	rp := child(field, "restartPolicy")
	switch rule {
	case restartJob:
		switch s.RestartPolicy {
		case corev1.RestartPolicyOnFailure, corev1.RestartPolicyNever:
		case "":
			probs.add(rp, "required value: supported values: %s", quoteList("OnFailure", "Never"))
		default:
			probs.add(rp, "unsupported value %q: supported values: %s", string(s.RestartPolicy), quoteList("OnFailure", "Never"))
		}
	default:
		switch s.RestartPolicy {
		case "":
			out.RestartPolicy = api.RestartAlways
		case corev1.RestartPolicyAlways:
		case corev1.RestartPolicyOnFailure, corev1.RestartPolicyNever:
			if rule == restartAlways {
				probs.add(rp, "unsupported value %q: supported values: \"Always\"", string(s.RestartPolicy))
			}
		default:
			probs.add(rp, "unsupported value %q: supported values: %s", string(s.RestartPolicy), quoteList("Always", "OnFailure", "Never"))
		}
	}

	out.TerminationGracePeriodSeconds = defaultTerminationGracePeriod
	if s.TerminationGracePeriodSeconds != nil {
		out.TerminationGracePeriodSeconds = *s.TerminationGracePeriodSeconds
		nonNegative(*s.TerminationGracePeriodSeconds, child(field, "terminationGracePeriodSeconds"), probs)
	}
	if s.ActiveDeadlineSeconds != nil && *s.ActiveDeadlineSeconds <= 0 {
		probs.add(child(field, "activeDeadlineSeconds"), "must be greater than 0, got %d", *s.ActiveDeadlineSeconds)
	}

	out.Affinity = convertAffinity(s.Affinity, child(field, "affinity"), probs)
	out.Tolerations = convertTolerations(s.Tolerations, child(field, "tolerations"), probs)
	out.TopologySpreadConstraints = convertTopologySpread(s.TopologySpreadConstraints, child(field, "topologySpreadConstraints"), probs)
	for i, g := range s.SchedulingGates {
		gp := index(child(field, "schedulingGates"), i)
		checkKey(g.Name, child(gp, "name"), probs)
		out.SchedulingGates = append(out.SchedulingGates, g.Name)
	}

	checkVolumes(s, field, probs)
	if len(s.ResourceClaims) > 0 {
		probs.add(child(field, "resourceClaims"), "kubesim does not simulate dynamic resource allocation (DRA) scheduling; remove the resource claims")
	}

	if len(s.Containers) == 0 {
		probs.add(child(field, "containers"), "required value: a pod needs at least one container")
	}
	out.HostNetwork = s.HostNetwork
	names := map[string]string{}
	out.InitContainers = convertContainers(s.InitContainers, child(field, "initContainers"), true, s.HostNetwork, names, probs)
	out.Containers = convertContainers(s.Containers, child(field, "containers"), false, s.HostNetwork, names, probs)

	if len(s.Overhead) > 0 {
		out.Overhead, _ = convertResources(s.Overhead, child(field, "overhead"), probs)
		if _, ok := s.Overhead[corev1.ResourcePods]; ok {
			probs.add(key(child(field, "overhead"), "pods"), "unsupported resource in overhead")
		}
	}
	if s.Resources != nil {
		out.PodRequests = convertPodResources(s.Resources, child(field, "resources"), probs)
	}
	out.Compile()
	return out
}

// podLevelResource reports whether pod-level spec.resources may name the
// resource: cpu, memory and hugepages.
func podLevelResource(name string) bool {
	return name == api.ResourceCPU || name == api.ResourceMemory || len(name) > len("hugepages-") && name[:len("hugepages-")] == "hugepages-"
}

// convertPodResources defaults pod-level requests from pod-level limits and
// validates them; it returns nil when no pod-level requests are set.
func convertPodResources(r *corev1.ResourceRequirements, field string, probs *problems) *api.Resources {
	if len(r.Claims) > 0 {
		probs.add(child(field, "claims"), "kubesim does not simulate dynamic resource allocation (DRA) scheduling; remove the resource claims")
	}
	reqs := corev1.ResourceList{}
	for k, v := range r.Requests {
		reqs[k] = v
	}
	for k, v := range r.Limits {
		if _, ok := reqs[k]; !ok {
			reqs[k] = v
		}
	}
	for _, part := range []struct {
		name string
		rl   corev1.ResourceList
	}{{"requests", r.Requests}, {"limits", r.Limits}} {
		for _, n := range sortedKeys(part.rl) {
			if !podLevelResource(n) {
				probs.add(key(child(field, part.name), n), "unsupported resource for pod-level resources: supported: cpu, memory, hugepages-*")
			}
		}
	}
	req, _ := convertResources(reqs, child(field, "requests"), probs)
	lim, _ := convertResources(r.Limits, child(field, "limits"), probs)
	checkRequestsWithinLimits(req, lim, r.Limits, field, probs)
	if len(reqs) == 0 {
		return nil
	}
	return &req
}

// checkRequestsWithinLimits reports requests above their limits.
func checkRequestsWithinLimits(req, lim api.Resources, limits corev1.ResourceList, field string, probs *problems) {
	for _, n := range sortedKeys(limits) {
		if n == api.ResourcePods {
			continue
		}
		if r, l := req.Get(n), lim.Get(n); r > l {
			l := limits[corev1.ResourceName(n)]
			probs.add(key(child(field, "requests"), n), "must be less than or equal to %s limit of %s", n, l.String())
		}
	}
}

// convertContainers converts regular or init containers. names collects the
// container names of the pod, which must be unique across both lists.
func convertContainers(cs []corev1.Container, field string, init, hostNetwork bool, names map[string]string, probs *problems) []api.Container {
	var out []api.Container
	for i := range cs {
		c := &cs[i]
		p := index(field, i)
		if c.Name == "" {
			probs.add(child(p, "name"), "required value")
		} else {
			for _, msg := range validation.IsDNS1123Label(c.Name) {
				probs.add(child(p, "name"), "invalid value %q: %s", c.Name, msg)
			}
			if prev, dup := names[c.Name]; dup {
				probs.add(child(p, "name"), "duplicate value %q (also %s)", c.Name, prev)
			} else {
				names[c.Name] = p
			}
		}
		if c.Image == "" {
			probs.add(child(p, "image"), "required value")
		}
		ac := api.Container{Name: c.Name, Image: c.Image}

		// Requests default from limits, per resource.
		reqs := corev1.ResourceList{}
		for k, v := range c.Resources.Requests {
			reqs[k] = v
		}
		for k, v := range c.Resources.Limits {
			if _, ok := reqs[k]; !ok {
				reqs[k] = v
			}
		}
		rp := child(p, "resources")
		ac.Requests, _ = convertResources(reqs, child(rp, "requests"), probs)
		ac.Limits, _ = convertResources(c.Resources.Limits, child(rp, "limits"), probs)
		_, ac.HasCPURequest = reqs[corev1.ResourceCPU]
		_, ac.HasMemoryRequest = reqs[corev1.ResourceMemory]
		checkRequestsWithinLimits(ac.Requests, ac.Limits, c.Resources.Limits, rp, probs)
		for _, part := range []struct {
			name string
			rl   corev1.ResourceList
		}{{"requests", c.Resources.Requests}, {"limits", c.Resources.Limits}} {
			if _, ok := part.rl[corev1.ResourcePods]; ok {
				probs.add(key(child(rp, part.name), "pods"), "unsupported resource in a container")
			}
		}
		if len(c.Resources.Claims) > 0 {
			probs.add(child(rp, "claims"), "kubesim does not simulate dynamic resource allocation (DRA) scheduling; remove the resource claims")
		}

		if c.RestartPolicy != nil {
			if !init {
				probs.add(child(p, "restartPolicy"), "kubesim does not support container restart policies on regular containers")
			} else if *c.RestartPolicy != corev1.ContainerRestartPolicyAlways {
				probs.add(child(p, "restartPolicy"), "unsupported value %q: supported values: \"Always\"", string(*c.RestartPolicy))
			} else {
				ac.RestartPolicy = api.RestartAlways
			}
		}
		if len(c.RestartPolicyRules) > 0 {
			probs.add(child(p, "restartPolicyRules"), "kubesim does not support container restart rules")
		}
		sidecar := ac.RestartPolicy == api.RestartAlways

		for j, cp := range c.Ports {
			pp := index(child(p, "ports"), j)
			if cp.ContainerPort < 1 || cp.ContainerPort > 65535 {
				probs.add(child(pp, "containerPort"), "must be between 1 and 65535, inclusive, got %d", cp.ContainerPort)
			}
			if cp.HostPort < 0 || cp.HostPort > 65535 {
				probs.add(child(pp, "hostPort"), "must be between 1 and 65535, inclusive, got %d", cp.HostPort)
			}
			hostPort := cp.HostPort
			if hostNetwork && hostPort == 0 {
				hostPort = cp.ContainerPort // upstream defaulting with hostNetwork
			}
			proto := string(cp.Protocol)
			switch cp.Protocol {
			case "":
				proto = string(corev1.ProtocolTCP)
			case corev1.ProtocolTCP, corev1.ProtocolUDP, corev1.ProtocolSCTP:
			default:
				probs.add(child(pp, "protocol"), "unsupported value %q: supported values: %s", proto, quoteList("TCP", "UDP", "SCTP"))
			}
			ac.Ports = append(ac.Ports, api.ContainerPort{ContainerPort: cp.ContainerPort, HostPort: hostPort, Protocol: proto, HostIP: cp.HostIP})
		}

		probes := []struct {
			name    string
			in      *corev1.Probe
			out     **api.Probe
			oneShot bool // success threshold must be 1
		}{
			{"livenessProbe", c.LivenessProbe, &ac.LivenessProbe, true},
			{"readinessProbe", c.ReadinessProbe, &ac.ReadinessProbe, false},
			{"startupProbe", c.StartupProbe, &ac.StartupProbe, true},
		}
		for _, pr := range probes {
			if pr.in == nil {
				continue
			}
			pp := child(p, pr.name)
			if init && !sidecar {
				probs.add(pp, "may not be set for init containers without restartPolicy=Always")
				continue
			}
			*pr.out = convertProbe(pr.in, pp, pr.oneShot, probs)
		}
		if init && !sidecar && c.Lifecycle != nil {
			probs.add(child(p, "lifecycle"), "may not be set for init containers without restartPolicy=Always")
		}
		out = append(out, ac)
	}
	return out
}

// convertProbe applies the probe defaults (timeout 1 s, period 10 s, success
// threshold 1, failure threshold 3) and validates the probe.
func convertProbe(p *corev1.Probe, field string, oneShot bool, probs *problems) *api.Probe {
	handlers := 0
	if p.Exec != nil {
		handlers++
	}
	if p.HTTPGet != nil {
		handlers++
	}
	if p.TCPSocket != nil {
		handlers++
	}
	if p.GRPC != nil {
		handlers++
	}
	if handlers != 1 {
		probs.add(field, "must specify exactly one handler type (exec, httpGet, tcpSocket or grpc), found %d", handlers)
	}
	out := &api.Probe{
		InitialDelaySeconds: p.InitialDelaySeconds,
		TimeoutSeconds:      orDefault(p.TimeoutSeconds, defaultProbeTimeout),
		PeriodSeconds:       orDefault(p.PeriodSeconds, defaultProbePeriod),
		SuccessThreshold:    orDefault(p.SuccessThreshold, defaultProbeSuccess),
		FailureThreshold:    orDefault(p.FailureThreshold, defaultProbeFailure),
	}
	nonNegative(p.InitialDelaySeconds, child(field, "initialDelaySeconds"), probs)
	for _, f := range []struct {
		name string
		v    int32
	}{{"timeoutSeconds", p.TimeoutSeconds}, {"periodSeconds", p.PeriodSeconds}, {"successThreshold", p.SuccessThreshold}, {"failureThreshold", p.FailureThreshold}} {
		if f.v < 0 {
			probs.add(child(field, f.name), "must be greater than or equal to 1, got %d", f.v)
		}
	}
	if oneShot && out.SuccessThreshold != 1 {
		probs.add(child(field, "successThreshold"), "must be 1, got %d", out.SuccessThreshold)
	}
	if p.TerminationGracePeriodSeconds != nil && *p.TerminationGracePeriodSeconds <= 0 {
		probs.add(child(field, "terminationGracePeriodSeconds"), "must be greater than 0, got %d", *p.TerminationGracePeriodSeconds)
	}
	return out
}

func orDefault(v, def int32) int32 {
	if v == 0 {
		return def
	}
	return v
}

// checkVolumes rejects volume sources that would need the scheduler's volume
// plugins (VolumeBinding, VolumeZone, NodeVolumeLimits, VolumeRestrictions),
// which kubesim does not simulate.
func checkVolumes(s *corev1.PodSpec, field string, probs *problems) {
	for i := range s.Volumes {
		v := &s.Volumes[i]
		p := index(child(field, "volumes"), i)
		if v.Name == "" {
			probs.add(child(p, "name"), "required value")
		}
		if src := unsupportedVolumeSource(&v.VolumeSource); src != "" {
			probs.add(child(p, src), "volume %q uses %s: kubesim does not simulate volume scheduling; only emptyDir, configMap, secret, downwardAPI, projected and hostPath volumes are supported", v.Name, src)
		}
	}
}

// unsupportedVolumeSource returns the JSON name of the first volume source
// that kubesim does not accept, or "".
func unsupportedVolumeSource(v *corev1.VolumeSource) string {
	for _, s := range []struct {
		name string
		set  bool
	}{
		{"persistentVolumeClaim", v.PersistentVolumeClaim != nil},
		{"ephemeral", v.Ephemeral != nil},
		{"csi", v.CSI != nil},
		{"image", v.Image != nil},
		{"gcePersistentDisk", v.GCEPersistentDisk != nil},
		{"awsElasticBlockStore", v.AWSElasticBlockStore != nil},
		{"gitRepo", v.GitRepo != nil},
		{"nfs", v.NFS != nil},
		{"iscsi", v.ISCSI != nil},
		{"glusterfs", v.Glusterfs != nil},
		{"rbd", v.RBD != nil},
		{"flexVolume", v.FlexVolume != nil},
		{"cinder", v.Cinder != nil},
		{"cephfs", v.CephFS != nil},
		{"flocker", v.Flocker != nil},
		{"fc", v.FC != nil},
		{"azureFile", v.AzureFile != nil},
		{"vsphereVolume", v.VsphereVolume != nil},
		{"quobyte", v.Quobyte != nil},
		{"azureDisk", v.AzureDisk != nil},
		{"photonPersistentDisk", v.PhotonPersistentDisk != nil},
		{"portworxVolume", v.PortworxVolume != nil},
		{"scaleIO", v.ScaleIO != nil},
		{"storageos", v.StorageOS != nil},
	} {
		if s.set {
			return s.name
		}
	}
	return ""
}

// convertPodTemplate converts a pod template: its labels and annotations and
// one compiled spec shared by every pod made from it.
func convertPodTemplate(t *corev1.PodTemplateSpec, field string, rule restartRule, probs *problems) *api.PodTemplate {
	mp := child(field, "metadata")
	checkLabels(t.Labels, child(mp, "labels"), probs)
	checkAnnotations(t.Annotations, child(mp, "annotations"), probs)
	return &api.PodTemplate{
		Labels:      t.Labels,
		Annotations: t.Annotations,
		Spec:        convertPodSpec(&t.Spec, child(field, "spec"), rule, t.Annotations, child(mp, "annotations"), probs),
		Hash:        templateHash(t),
	}
}

// templateHash is FNV-32a over the template's JSON encoding (map keys sorted
// by encoding/json), so equal templates hash equal whatever their YAML layout.
func templateHash(t *corev1.PodTemplateSpec) uint32 {
	b, err := json.Marshal(t)
	if err != nil {
		// A decoded template always encodes; keep the hash defined regardless.
		b = []byte(err.Error())
	}
	h := fnv.New32a()
	_, _ = h.Write(b)
	return h.Sum32()
}

// convertPod converts a Pod, keeping what a dump of a running cluster says
// about it: spec.nodeName (already bound), spec.priority, status.phase,
// conditions and container statuses. Times in the status are not kept: the
// run starts at time 0.
func convertPod(p *corev1.Pod, probs *problems) api.Object {
	meta := convertMeta(&p.ObjectMeta, true, nameSubdomain, probs)
	spec := convertPodSpec(&p.Spec, "spec", restartAny, p.Annotations, "metadata.annotations", probs)
	out := &api.Pod{
		ObjectMeta: meta,
		Spec:       spec,
		NodeName:   p.Spec.NodeName,
	}
	if p.Spec.Priority != nil {
		out.Priority = *p.Spec.Priority
	}
	out.PreemptionPolicy = spec.PreemptionPolicy
	st := &p.Status
	out.Status.Phase = api.PodPhase(st.Phase)
	switch out.Status.Phase {
	case "":
		out.Status.Phase = api.PodPending
	case api.PodPending, api.PodRunning, api.PodSucceeded, api.PodFailed, api.PodUnknown:
	default:
		probs.add("status.phase", "unsupported value %q: supported values: %s", string(st.Phase), quoteList("Pending", "Running", "Succeeded", "Failed", "Unknown"))
	}
	out.Status.Reason = st.Reason
	out.Status.Message = st.Message
	out.Status.NominatedNodeName = st.NominatedNodeName
	for i, c := range st.Conditions {
		out.Status.Conditions = append(out.Status.Conditions, api.Condition{
			Type:    string(c.Type),
			Status:  conditionStatus(string(c.Status), child(index("status.conditions", i), "status"), probs),
			Reason:  c.Reason,
			Message: c.Message,
		})
	}
	for _, cs := range st.ContainerStatuses {
		out.Status.ContainerStatuses = append(out.Status.ContainerStatuses, convertContainerStatus(&cs))
	}
	return out
}

func convertContainerStatus(cs *corev1.ContainerStatus) api.ContainerStatus {
	out := api.ContainerStatus{Name: cs.Name, Ready: cs.Ready, RestartCount: cs.RestartCount}
	if cs.Started != nil {
		out.Started = *cs.Started
	}
	switch {
	case cs.State.Running != nil:
		out.State = api.ContainerRunning
	case cs.State.Terminated != nil:
		out.State = api.ContainerTerminated
		out.Reason = cs.State.Terminated.Reason
		out.ExitCode = cs.State.Terminated.ExitCode
	case cs.State.Waiting != nil:
		out.State = api.ContainerWaiting
		out.Reason = cs.State.Waiting.Reason
	}
	return out
}
