package api

import "sort"

// Resource names, as upstream.
const (
	ResourceCPU              = "cpu"
	ResourceMemory           = "memory"
	ResourceEphemeralStorage = "ephemeral-storage"
	ResourcePods             = "pods"
)

// Non-zero defaults used for scoring pods whose containers do not request cpu or
// memory (upstream DefaultMilliCPURequest and DefaultMemoryRequest). Filters never
// use them.
const (
	DefaultMilliCPURequest int64 = 100
	DefaultMemoryRequest   int64 = 200 * 1024 * 1024
)

// Resources is an integer resource vector: cpu in millicores, memory and
// ephemeral storage in bytes, and scalar (extended, hugepages) resources in their
// base units. The zero value is the empty vector.
type Resources struct {
	MilliCPU         int64
	Memory           int64
	EphemeralStorage int64
	// Scalar holds every other resource, sorted by name, without zero entries.
	Scalar []Scalar
}

// Scalar is one extended resource amount, e.g. {"nvidia.com/gpu", 2}.
type Scalar struct {
	Name  string
	Value int64
}

// Get returns the amount of the named resource (0 when absent). "pods" is not
// part of a Resources vector; see Node.AllowedPods.
func (r *Resources) Get(name string) int64 {
	switch name {
	case ResourceCPU:
		return r.MilliCPU
	case ResourceMemory:
		return r.Memory
	case ResourceEphemeralStorage:
		return r.EphemeralStorage
	}
	for _, s := range r.Scalar {
		if s.Name == name {
			return s.Value
		}
	}
	return 0
}

// Set returns r with the named resource set to v. Scalar entries are kept sorted
// and a new Scalar slice is allocated, so copies of r are not affected.
func (r Resources) Set(name string, v int64) Resources {
	switch name {
	case ResourceCPU:
		r.MilliCPU = v
		return r
	case ResourceMemory:
		r.Memory = v
		return r
	case ResourceEphemeralStorage:
		r.EphemeralStorage = v
		return r
	}
	out := make([]Scalar, 0, len(r.Scalar)+1)
	done := false
	for _, s := range r.Scalar {
		if s.Name == name {
			done = true
			if v != 0 {
				out = append(out, Scalar{name, v})
			}
			continue
		}
		out = append(out, s)
	}
	if !done && v != 0 {
		out = append(out, Scalar{name, v})
		sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	}
	if len(out) == 0 {
		out = nil
	}
	r.Scalar = out
	return r
}

// IsZero reports whether every amount is zero.
func (r *Resources) IsZero() bool {
	return r.MilliCPU == 0 && r.Memory == 0 && r.EphemeralStorage == 0 && len(r.Scalar) == 0
}

// Add returns r+o.
func (r Resources) Add(o Resources) Resources {
	r.MilliCPU += o.MilliCPU
	r.Memory += o.Memory
	r.EphemeralStorage += o.EphemeralStorage
	if len(o.Scalar) > 0 {
		r.Scalar = mergeScalar(r.Scalar, o.Scalar, func(a, b int64) int64 { return a + b })
	}
	return r
}

// Sub returns r-o. Amounts may go negative; callers that track sums of pods
// subtract exactly what they added.
func (r Resources) Sub(o Resources) Resources {
	r.MilliCPU -= o.MilliCPU
	r.Memory -= o.Memory
	r.EphemeralStorage -= o.EphemeralStorage
	if len(o.Scalar) > 0 {
		r.Scalar = mergeScalar(r.Scalar, o.Scalar, func(a, b int64) int64 { return a - b })
	}
	return r
}

// Max returns the element-wise maximum of r and o.
func (r Resources) Max(o Resources) Resources {
	r.MilliCPU = max(r.MilliCPU, o.MilliCPU)
	r.Memory = max(r.Memory, o.Memory)
	r.EphemeralStorage = max(r.EphemeralStorage, o.EphemeralStorage)
	if len(o.Scalar) > 0 || len(r.Scalar) > 0 {
		r.Scalar = mergeScalar(r.Scalar, o.Scalar, func(a, b int64) int64 { return max(a, b) })
	}
	return r
}

// Names returns the names of the non-zero resources in r: cpu, memory,
// ephemeral-storage (when non-zero) and then the scalar names in order.
func (r *Resources) Names() []string {
	var out []string
	if r.MilliCPU != 0 {
		out = append(out, ResourceCPU)
	}
	if r.Memory != 0 {
		out = append(out, ResourceMemory)
	}
	if r.EphemeralStorage != 0 {
		out = append(out, ResourceEphemeralStorage)
	}
	for _, s := range r.Scalar {
		out = append(out, s.Name)
	}
	return out
}

// mergeScalar combines two sorted scalar lists with f (absent = 0) into a new
// sorted list without zero entries.
func mergeScalar(a, b []Scalar, f func(x, y int64) int64) []Scalar {
	out := make([]Scalar, 0, len(a)+len(b))
	i, j := 0, 0
	for i < len(a) || j < len(b) {
		var name string
		var x, y int64
		switch {
		case j >= len(b) || (i < len(a) && a[i].Name < b[j].Name):
			name, x = a[i].Name, a[i].Value
			i++
		case i >= len(a) || b[j].Name < a[i].Name:
			name, y = b[j].Name, b[j].Value
			j++
		default:
			name, x, y = a[i].Name, a[i].Value, b[j].Value
			i++
			j++
		}
		if v := f(x, y); v != 0 {
			out = append(out, Scalar{name, v})
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}
