package generators

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"

	"gonum.org/v1/gonum/stat/distuv"

	"github.com/kubesim/kubesim/sim/api"
	"github.com/kubesim/kubesim/workloads/traces"
)

// Shape is a pod's resource request, in the openb trace's units.
type Shape struct {
	// MilliCPU is the cpu request in millicores.
	MilliCPU int64
	// MemoryMiB is the memory request in MiB.
	MemoryMiB int64
	// GPUs is the number of GPUs.
	GPUs int64
	// GPUMilli is the share of each GPU in thousandths (1000 = whole GPU).
	GPUMilli int64
}

// Requests returns the shape as a resource vector: cpu, memory, and for GPU
// shapes the extended resources traces.ResourceGPUCount = GPUs and
// traces.ResourceGPUMilli = GPUs × GPUMilli, as trace pods request them.
func (s Shape) Requests() api.Resources {
	var r api.Resources
	r.MilliCPU = s.MilliCPU
	r.Memory = s.MemoryMiB << 20
	if s.GPUs > 0 {
		r = r.Set(traces.ResourceGPUCount, s.GPUs).Set(traces.ResourceGPUMilli, s.GPUs*s.GPUMilli)
	}
	return r
}

// Shapes draws pod shapes.
type Shapes interface {
	Sample() Shape
	// Validate reports a bad parameter.
	Validate() error
}

// Quantity is an integer drawn from a distribution: the draw rounded up to a
// multiple of Step (1 when zero) and clamped to [Min, Max] (Max 0: no upper
// bound). A nil Dist always gives Min.
type Quantity struct {
	Dist     distuv.Rander
	Step     int64
	Min, Max int64
}

// Sample draws one value.
func (q Quantity) Sample() int64 {
	if q.Dist == nil {
		return q.Min
	}
	x := q.Dist.Rand()
	step := max(q.Step, 1)
	var v int64
	switch {
	case math.IsNaN(x) || x <= 0:
		v = 0
	case x >= float64(math.MaxInt64/2):
		v = math.MaxInt64 / 2
	default:
		v = int64(math.Ceil(x/float64(step))) * step
	}
	v = max(v, q.Min)
	if q.Max > 0 {
		v = min(v, q.Max)
	}
	return v
}

func (q Quantity) validate(name string) error {
	if q.Step < 0 || q.Min < 0 || q.Max < 0 || (q.Max > 0 && q.Max < q.Min) {
		return fmt.Errorf("%s: step, min and max must be non-negative with min ≤ max, got %d, %d, %d", name, q.Step, q.Min, q.Max)
	}
	return nil
}

// Parametric draws each resource from its own distribution. GPUMilli applies
// to single-GPU shapes only (multi-GPU shapes take whole GPUs, as in the
// openb trace) and is clamped to [1, 1000]; a nil GPUMilli.Dist with Min 0
// means whole GPUs.
type Parametric struct {
	// CPU in millicores, Memory in MiB, GPUs a count.
	CPU, Memory, GPUs Quantity
	GPUMilli          Quantity
}

// Sample implements Shapes.
func (p *Parametric) Sample() Shape {
	s := Shape{MilliCPU: p.CPU.Sample(), MemoryMiB: p.Memory.Sample(), GPUs: p.GPUs.Sample()}
	switch {
	case s.GPUs == 1 && p.GPUMilli.Dist == nil && p.GPUMilli.Min == 0:
		s.GPUMilli = traces.MilliPerGPU
	case s.GPUs == 1:
		s.GPUMilli = min(max(p.GPUMilli.Sample(), 1), traces.MilliPerGPU)
	case s.GPUs > 1:
		s.GPUMilli = traces.MilliPerGPU
	}
	return s
}

// Validate implements Shapes.
func (p *Parametric) Validate() error {
	return errors.Join(p.CPU.validate("cpu"), p.Memory.validate("memory"), p.GPUs.validate("gpus"), p.GPUMilli.validate("gpuMilli"))
}

// Empirical draws shapes uniformly from a list (e.g. the rows of an openb pod
// list, read with ReadEmpirical).
type Empirical struct {
	Rows []Shape
	Src  rand.Source
}

// Sample implements Shapes.
func (e *Empirical) Sample() Shape { return e.Rows[rand.New(e.Src).IntN(len(e.Rows))] }

// Validate implements Shapes.
func (e *Empirical) Validate() error {
	if e.Src == nil {
		return errNoSource
	}
	if len(e.Rows) == 0 {
		return errors.New("empirical shapes: no rows")
	}
	return nil
}

// ReadEmpirical reads shapes from a CSV with a header naming at least the
// columns cpu_milli and memory_mib, and optionally num_gpu and gpu_milli;
// other columns are ignored, so every openb pod list can be read as it is.
// Errors name the file, line and column.
func ReadEmpirical(r io.Reader, file string) ([]Shape, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = 0
	header, err := cr.Read()
	if err != nil {
		return nil, csvErr(file, err)
	}
	col := map[string]int{}
	for i, h := range header {
		col[h] = i
	}
	for _, need := range []string{"cpu_milli", "memory_mib"} {
		if _, ok := col[need]; !ok {
			return nil, fmt.Errorf("%s:1:1: missing column %q", file, need)
		}
	}
	var out []Shape
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return nil, csvErr(file, err)
		}
		get := func(name string, hi int64) (int64, error) {
			i, ok := col[name]
			if !ok {
				return 0, nil
			}
			v, err := strconv.ParseInt(rec[i], 10, 64)
			if err != nil || v < 0 || v > hi {
				line, c := cr.FieldPos(i)
				return 0, fmt.Errorf("%s:%d:%d: field %q: expected an integer in [0, %d], got %q", file, line, c, name, hi, rec[i])
			}
			return v, nil
		}
		var s Shape
		var e1, e2, e3, e4 error
		s.MilliCPU, e1 = get("cpu_milli", 1<<40)
		s.MemoryMiB, e2 = get("memory_mib", 1<<40)
		s.GPUs, e3 = get("num_gpu", 1<<10)
		s.GPUMilli, e4 = get("gpu_milli", traces.MilliPerGPU)
		if err := errors.Join(e1, e2, e3, e4); err != nil {
			return nil, err
		}
		if s.GPUs > 0 && s.GPUMilli == 0 {
			if _, ok := col["gpu_milli"]; !ok {
				s.GPUMilli = traces.MilliPerGPU
			}
		}
		out = append(out, s)
	}
}

func csvErr(file string, err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return fmt.Errorf("%s:%d:%d: %v", file, pe.Line, pe.Column, pe.Err)
	}
	if err == io.EOF {
		return fmt.Errorf("%s:1:1: empty file: expected a header line", file)
	}
	return fmt.Errorf("%s: %w", file, err)
}

// LoadEmpirical reads shapes from a file with ReadEmpirical.
func LoadEmpirical(path string) ([]Shape, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("generators: %w", err)
	}
	defer f.Close()
	return ReadEmpirical(f, filepath.Base(path))
}
