package fgd

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"sort"
	"strconv"
	"strings"

	"github.com/kubesim/kubesim/scheduler/framework"
	"github.com/kubesim/kubesim/sim/api"
)

// TypicalPodSpec is one pod shape as FGD's args and CSV files give it.
type TypicalPodSpec struct {
	// CPU is the shape's cpu in millicores.
	CPU int64 `json:"cpu"`
	// GPUMilli is the milli per GPU: 0 without GPUs, 1..1000 with.
	GPUMilli int64 `json:"gpuMilli"`
	// NumGPU is the number of GPUs.
	NumGPU int64 `json:"numGpu"`
	// GPUSpec lists the GPU models the shape may use, "|"-separated (the
	// trace's gpu_spec); empty means any.
	GPUSpec string `json:"gpuSpec,omitempty"`
	// Weight is the shape's relative frequency (> 0).
	Weight float64 `json:"weight"`
}

// TypicalPodsHeader is the header of a typical-pods CSV file.
const TypicalPodsHeader = "cpu_milli,gpu_milli,num_gpu,gpu_spec,weight"

// CompileTypicalPods validates specs and returns them as TypicalPods with
// weights that sum to 1: weights are divided by their sum unless that sum
// is already 1 within 1e-9 (then they are kept bit for bit, so that the
// output of TypicalPods reproduces the artefact's numbers exactly). Every
// problem is reported at once, prefixed with field.
func CompileTypicalPods(field string, specs []TypicalPodSpec) ([]TypicalPod, error) {
	var errs []error
	if len(specs) == 0 {
		errs = append(errs, fmt.Errorf("%s: at least one typical pod is required", field))
	}
	var sum float64
	out := make([]TypicalPod, 0, len(specs))
	for i, s := range specs {
		path := fmt.Sprintf("%s[%d]", field, i)
		switch {
		case s.CPU < 0:
			errs = append(errs, fmt.Errorf("%s.cpu: must not be negative, got %d", path, s.CPU))
		case s.NumGPU < 0:
			errs = append(errs, fmt.Errorf("%s.numGpu: must not be negative, got %d", path, s.NumGPU))
		case s.NumGPU == 0 && s.GPUMilli != 0:
			errs = append(errs, fmt.Errorf("%s.gpuMilli: must be 0 when numGpu is 0, got %d", path, s.GPUMilli))
		case s.NumGPU > 0 && (s.GPUMilli < 1 || s.GPUMilli > framework.GPUMilliPerDevice):
			errs = append(errs, fmt.Errorf("%s.gpuMilli: must be in [1, 1000] when numGpu is %d, got %d", path, s.NumGPU, s.GPUMilli))
		}
		if !(s.Weight > 0) || math.IsInf(s.Weight, 0) {
			errs = append(errs, fmt.Errorf("%s.weight: must be a positive number, got %v", path, s.Weight))
		}
		sum += s.Weight
		out = append(out, TypicalPod{MilliCPU: s.CPU, GPUMilli: s.GPUMilli, NumGPU: s.NumGPU,
			Models: splitSpec(s.GPUSpec), Weight: s.Weight})
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	if math.Abs(sum-1) > 1e-9 {
		for i := range out {
			out[i].Weight /= sum
		}
	}
	return out, nil
}

// splitSpec splits a gpu_spec into its non-empty models (nil for none).
func splitSpec(s string) []string {
	var out []string
	for _, m := range strings.Split(s, "|") {
		if m != "" {
			out = append(out, m)
		}
	}
	return out
}

// ReadTypicalPodsCSV reads typical pods from CSV with header
// TypicalPodsHeader (columns in that order). file names the input in
// errors.
func ReadTypicalPodsCSV(r io.Reader, file string) ([]TypicalPodSpec, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = 5
	head, err := cr.Read()
	if err != nil {
		return nil, fmt.Errorf("%s: reading header: %w", file, err)
	}
	if strings.Join(head, ",") != TypicalPodsHeader {
		return nil, fmt.Errorf("%s: header must be %q, got %q", file, TypicalPodsHeader, strings.Join(head, ","))
	}
	var out []TypicalPodSpec
	for line := 2; ; line++ {
		rec, err := cr.Read()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", file, err)
		}
		var s TypicalPodSpec
		var errs []error
		ints := []*int64{&s.CPU, &s.GPUMilli, &s.NumGPU}
		for i, name := range []string{"cpu_milli", "gpu_milli", "num_gpu"} {
			v, err := strconv.ParseInt(rec[i], 10, 64)
			if err != nil {
				errs = append(errs, fmt.Errorf("%s:%d: %s: invalid integer %q", file, line, name, rec[i]))
			}
			*ints[i] = v
		}
		s.GPUSpec = rec[3]
		if s.Weight, err = strconv.ParseFloat(rec[4], 64); err != nil {
			errs = append(errs, fmt.Errorf("%s:%d: weight: invalid number %q", file, line, rec[4]))
		}
		if err := errors.Join(errs...); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
}

// WriteTypicalPodsCSV writes specs as CSV with header TypicalPodsHeader;
// weights are written in the shortest form that reads back exactly.
func WriteTypicalPodsCSV(w io.Writer, specs []TypicalPodSpec) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(strings.Split(TypicalPodsHeader, ",")); err != nil {
		return err
	}
	for _, s := range specs {
		rec := []string{strconv.FormatInt(s.CPU, 10), strconv.FormatInt(s.GPUMilli, 10), strconv.FormatInt(s.NumGPU, 10),
			s.GPUSpec, strconv.FormatFloat(s.Weight, 'g', -1, 64)}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// readTypicalPodsFile reads a typical-pods CSV file.
func readTypicalPodsFile(path string) ([]TypicalPodSpec, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return ReadTypicalPodsCSV(f, path)
}

// PodShape is one pod of a workload as typical pods count it.
type PodShape struct {
	// MilliCPU is the cpu request with the scoring non-zero default.
	MilliCPU int64
	// GPUMilli and NumGPU are the GPU request (milli per GPU, GPUs).
	GPUMilli, NumGPU int64
	// GPUSpec is the allowed GPU models, "|"-separated ("" = any).
	GPUSpec string
}

// ShapeOf returns p's shape: its non-zero cpu request, its GPU request
// (framework.PodGPURequest) and its GPU models, read from an
// alibabacloud.com/gpu-card-model annotation when present (the artefact's
// pods carry one), else from the first required node-affinity term's "In"
// requirement on the framework.LabelGPUModel label (how kubesim's trace
// reader expresses gpu_spec), values joined by "|".
func ShapeOf(p *api.Pod) PodShape {
	r := framework.PodGPURequest(p)
	s := PodShape{MilliCPU: p.Spec.NonZeroMilliCPU, GPUMilli: r.Milli, NumGPU: int64(r.Count)}
	if r.IsZero() {
		s.GPUMilli = 0
	}
	if v, ok := p.Annotations[framework.LabelGPUModel]; ok {
		s.GPUSpec = v
		return s
	}
	if a := p.Spec.Affinity; a != nil && a.NodeRequired != nil {
		for _, t := range a.NodeRequired.Terms {
			for _, req := range t.MatchExpressions {
				if req.Key == framework.LabelGPUModel && req.Operator == api.OpIn {
					s.GPUSpec = strings.Join(req.Values, "|")
					return s
				}
			}
		}
	}
	return s
}

// TypicalOptions configure TypicalPods (the artefact's TypicalPodsConfig).
// The zero value is the FGD experiments' setting.
type TypicalOptions struct {
	// ExcludeCPUPods leaves pods without GPUs out (isInvolvedCpuPods:
	// false). The experiments include them.
	ExcludeCPUPods bool
	// PopularityThreshold is the percentage of the (weighted) pods the most
	// frequent shapes must cover; 0 means 95, the experiments' value.
	PopularityThreshold int
	// IncreaseStep is how many shapes are added at a time; 0 means 1.
	IncreaseStep int
	// GPUResWeight, when positive, counts a pod of whole GPUs as
	// 1 + NumGPU·GPUResWeight pods (gpuResWeight; 0 in the experiments).
	GPUResWeight float64
}

// TypicalPods computes the target workload's typical pods from its pods as
// the artefact's GetTypicalPods: count the pods per shape (cpu, milli per
// GPU, GPUs, GPU spec), sort the shapes by count, most frequent first (ties:
// larger cpu, then milli, GPUs and spec first), and keep the first shapes,
// IncreaseStep at a time, until they cover PopularityThreshold percent of
// the pods; each kept shape's weight is its share of the pods, renormalised
// over the kept shapes when some were dropped. The result is sorted as
// described, and empty when no pod counts.
func TypicalPods(pods []PodShape, opt TypicalOptions) []TypicalPodSpec {
	threshold, step := opt.PopularityThreshold, opt.IncreaseStep
	if threshold <= 0 {
		threshold = 95
	}
	if step <= 0 {
		step = 1
	}
	counts := map[PodShape]float64{}
	var total float64
	for _, p := range pods {
		if opt.ExcludeCPUPods && p.NumGPU == 0 {
			continue
		}
		w := 1.0
		if opt.GPUResWeight > 0 && p.GPUMilli == framework.GPUMilliPerDevice {
			w = 1 + float64(p.NumGPU)*opt.GPUResWeight
		}
		counts[p] += w
		total += w
	}
	list := make([]TypicalPodSpec, 0, len(counts))
	for s, c := range counts {
		list = append(list, TypicalPodSpec{CPU: s.MilliCPU, GPUMilli: s.GPUMilli, NumGPU: s.NumGPU, GPUSpec: s.GPUSpec, Weight: c})
	}
	sort.Slice(list, func(i, j int) bool { return moreTypical(&list[i], &list[j]) })
	if len(list) == 0 {
		return list
	}
	expected := float64(threshold) * total / 100.0
	var cum float64
	i, n := 0, 0
	for cum < expected {
		n += step
		for i < n && i < len(list) {
			cum += list[i].Weight
			list[i].Weight = list[i].Weight / total
			i++
		}
		if i >= len(list) {
			break
		}
	}
	if i >= len(list) {
		return list
	}
	out := list[:i]
	for j := range out {
		out[j].Weight /= cum / total
	}
	return out
}

// moreTypical orders shapes by count (in Weight) descending, then by cpu,
// milli per GPU, GPUs and spec, each descending: the reverse of the
// artefact's TargetPodList.Less.
func moreTypical(a, b *TypicalPodSpec) bool {
	switch {
	case a.Weight != b.Weight:
		return a.Weight > b.Weight
	case a.CPU != b.CPU:
		return a.CPU > b.CPU
	case a.GPUMilli != b.GPUMilli:
		return a.GPUMilli > b.GPUMilli
	case a.NumGPU != b.NumGPU:
		return a.NumGPU > b.NumGPU
	}
	return a.GPUSpec > b.GPUSpec
}
