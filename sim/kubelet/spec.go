package kubelet

import (
	"time"

	"github.com/kubesim/kubesim/sim/api"
)

// specInfo is what the kubelet derives from a pod spec, computed once per
// spec (specs are shared by the pods of a template) and dropped when no
// admitted pod uses it.
type specInfo struct {
	refs int
	// images lists every init and regular container's image in order.
	images []imageRef
	// readyDelay is how long after its containers start the pod is ready.
	readyDelay time.Duration
	// unready and uninitialized are the condition messages naming the
	// regular and the init containers.
	unready, uninitialized string
	// startup says some container has a startup probe.
	startup bool
	// memLimit is the pod's memory limit: the sum of its containers' and
	// sidecars' limits when each has one (the pod cgroup's limit), else 0
	// (none).
	memLimit int64
}

// imageRef is one container's image: as written, canonical, and whether an
// earlier container of the pod already uses it.
type imageRef struct {
	display, canon string
	repeat         bool
}

// acquire returns the spec's derived information, computing it on first use.
func (m *Manager) acquire(spec *api.PodSpec) *specInfo {
	if si := m.specs[spec]; si != nil {
		si.refs++
		return si
	}
	si := &specInfo{refs: 1, readyDelay: readyTime(spec, 0).Duration(),
		unready:       "containers with unready status: " + nameList(spec.Containers),
		uninitialized: "containers with incomplete status: " + nameList(spec.InitContainers)}
	si.memLimit = memoryLimit(spec)
	for i := range spec.Containers {
		if spec.Containers[i].StartupProbe != nil {
			si.startup = true
		}
	}
	si.images = make([]imageRef, 0, len(spec.InitContainers)+len(spec.Containers))
	for _, cs := range [][]api.Container{spec.InitContainers, spec.Containers} {
		for i := range cs {
			ref := imageRef{display: cs[i].Image, canon: m.canonical(cs[i].Image)}
			for _, prev := range si.images {
				if prev.canon == ref.canon {
					ref.repeat = true
					break
				}
			}
			si.images = append(si.images, ref)
		}
	}
	m.specs[spec] = si
	return si
}

// releaseSpec drops one use of the spec's information.
func (m *Manager) releaseSpec(spec *api.PodSpec) {
	if si := m.specs[spec]; si != nil {
		if si.refs--; si.refs == 0 {
			delete(m.specs, spec)
		}
	}
}

// memoryLimit returns the pod's memory limit: the summed limits of its
// containers and sidecars if every one has a memory limit, else 0.
func memoryLimit(spec *api.PodSpec) int64 {
	var sum int64
	for i := range spec.Containers {
		l := spec.Containers[i].Limits.Memory
		if l <= 0 {
			return 0
		}
		sum += l
	}
	for i := range spec.InitContainers {
		if c := &spec.InitContainers[i]; c.IsSidecar() {
			if c.Limits.Memory <= 0 {
				return 0
			}
			sum += c.Limits.Memory
		}
	}
	return sum
}
