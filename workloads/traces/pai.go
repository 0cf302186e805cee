package traces

import (
	"encoding/csv"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/kubesim/kubesim/sim/api"
)

// PAI file names (dataset alibaba-pai-v2020). The CSV has no header row; the
// header file holds its column names.
const (
	PAIFile   = "pai_machine_spec.csv"
	PAIHeader = "pai_machine_spec.header"
)

// PAI GPU types.
const (
	// PAICPUType is the gpu_type of machines without GPUs.
	PAICPUType = "CPU"
)

// PAIMachine is one row of the PAI 2020 machine list.
type PAIMachine struct {
	// Name is the hashed machine name (machine).
	Name string
	// GPUType is P100, T4, MISC (older GPUs), V100M32, V100 or CPU (none).
	GPUType string
	// CPU is the number of cores (cap_cpu).
	CPU int64
	// MemoryGB is the memory in GB (cap_mem), mapped to GiB as the dataset
	// README does.
	MemoryGB int64
	// GPUs is the number of GPUs (cap_gpu).
	GPUs int64
}

// ReadPAIHeader reads the header file: one CSV line of column names.
func ReadPAIHeader(r io.Reader, file string) ([]string, error) {
	cr := csv.NewReader(r)
	rec, err := cr.Read()
	if err == io.EOF {
		return nil, &ParseError{File: file, Line: 1, Column: 1, Msg: "empty header file"}
	}
	if err != nil {
		t := &table{file: file}
		return nil, t.csvError(err)
	}
	if _, err := cr.Read(); err != io.EOF {
		line, _ := cr.FieldPos(0)
		return nil, &ParseError{File: file, Line: line, Column: 1, Msg: "expected one line of column names"}
	}
	return rec, nil
}

// ReadPAI reads the PAI machine list, which has no header row: header names
// its columns (from the .header file; they must be machine, gpu_type,
// cap_cpu, cap_mem, cap_gpu in any order). A CPU machine has no GPUs; any
// other type has at least one.
func ReadPAI(r io.Reader, file string, header []string) ([]PAIMachine, error) {
	if header == nil {
		return nil, &ParseError{File: file, Line: 1, Column: 1, Msg: "no header given: the PAI machine list has no header row"}
	}
	t, err := newTable(r, file, header, []string{"machine", "gpu_type", "cap_cpu", "cap_mem", "cap_gpu"}, nil)
	if err != nil {
		return nil, err
	}
	var out []PAIMachine
	seen := map[string]bool{}
	for {
		ok, err := t.next()
		if err != nil {
			return nil, err
		}
		if !ok {
			return out, nil
		}
		var m PAIMachine
		if m.Name, err = t.name("machine", seen); err != nil {
			return nil, err
		}
		m.GPUType = t.str("gpu_type")
		if m.GPUType == "" || !validLabelValue(m.GPUType) {
			return nil, t.fail("gpu_type", "%q is not a valid GPU type", m.GPUType)
		}
		if m.CPU, err = t.int("cap_cpu", 0, 1<<30); err != nil {
			return nil, err
		}
		if m.MemoryGB, err = t.int("cap_mem", 0, 1<<30); err != nil {
			return nil, err
		}
		if m.GPUs, err = t.int("cap_gpu", 0, maxGPUs); err != nil {
			return nil, err
		}
		if (m.GPUType == PAICPUType) != (m.GPUs == 0) {
			return nil, t.fail("cap_gpu", "gpu_type %s with %d GPUs", m.GPUType, m.GPUs)
		}
		out = append(out, m)
	}
}

// LoadPAI reads the machine list at csvPath with the column names in the
// header file at headerPath.
func LoadPAI(csvPath, headerPath string) ([]PAIMachine, error) {
	hf, err := os.Open(headerPath)
	if err != nil {
		return nil, fmt.Errorf("traces: %w", err)
	}
	defer hf.Close()
	header, err := ReadPAIHeader(hf, filepath.Base(headerPath))
	if err != nil {
		return nil, err
	}
	return loadFile(csvPath, func(r io.Reader, file string) ([]PAIMachine, error) { return ReadPAI(r, file, header) })
}

// Node converts the machine to a node (see GPUNode): cap_cpu cores,
// cap_mem GiB, cap_gpu GPUs with model label gpu_type (none for CPU machines).
func (m *PAIMachine) Node() *api.Node {
	model := m.GPUType
	if m.GPUs == 0 {
		model = ""
	}
	return GPUNode(m.Name, m.CPU*1000, m.MemoryGB*gib, m.GPUs, model)
}
