package gpushare

import (
	"bufio"
	"io"
	"sort"
	"strconv"

	"github.com/kubesim/kubesim/scheduler/framework"
	"github.com/kubesim/kubesim/sim/api"
	"github.com/kubesim/kubesim/sim/store"
)

// FileDevices is the conventional name of the per-device output.
const FileDevices = "gpu_devices.csv"

// DevicesHeader is the header of WriteDevicesCSV's output.
const DevicesHeader = "node,model,device,used_milli,free_milli,pods"

// DeviceRow is one GPU device of one node as the store shows it.
type DeviceRow struct {
	Node, Model string
	// Device is the device index; -1 for the row that sums the node's GPU
	// pods without a valid AnnotationGPUIndex (present only when some are).
	Device int
	// UsedMilli and FreeMilli are the device's used and free milli
	// (FreeMilli is 0 on the -1 row).
	UsedMilli, FreeMilli int64
	// Pods is the number of pods holding the device.
	Pods int
}

// DeviceRows returns one row per device of every node advertising GPU
// devices (framework.NodeGPUCount), computed from the bound, non-terminal
// pods' AnnotationGPUIndex and GPU requests, sorted by node name then
// device. Pods on unknown nodes are ignored.
func DeviceRows(nodes []*api.Node, pods []*api.Pod) []DeviceRow {
	type acc struct {
		node     *api.Node
		used     [framework.MaxGPUDevices]int64
		pods     [framework.MaxGPUDevices]int
		none     int64
		nonePods int
	}
	byName := make(map[string]*acc, len(nodes))
	names := make([]string, 0, len(nodes))
	for _, n := range nodes {
		if framework.NodeGPUCount(n) == 0 {
			continue
		}
		if _, dup := byName[n.Name]; !dup {
			names = append(names, n.Name)
		}
		byName[n.Name] = &acc{node: n}
	}
	for _, p := range pods {
		a := byName[p.NodeName]
		if a == nil || p.IsTerminal() {
			continue
		}
		r := framework.PodGPURequest(p)
		if r.IsZero() {
			continue
		}
		mask, ok := framework.ParseGPUIndex(p.Annotations[framework.AnnotationGPUIndex])
		if !ok || mask>>framework.NodeGPUCount(a.node) != 0 {
			a.none += r.Total()
			a.nonePods++
			continue
		}
		for i := 0; mask != 0; i, mask = i+1, mask>>1 {
			if mask&1 != 0 {
				a.used[i] += r.Milli
				a.pods[i]++
			}
		}
	}
	sort.Strings(names)
	var out []DeviceRow
	for _, name := range names {
		a := byName[name]
		model := a.node.Labels[framework.LabelGPUModel]
		for i := 0; i < framework.NodeGPUCount(a.node); i++ {
			out = append(out, DeviceRow{Node: name, Model: model, Device: i, UsedMilli: a.used[i],
				FreeMilli: Milli - a.used[i], Pods: a.pods[i]})
		}
		if a.nonePods > 0 {
			out = append(out, DeviceRow{Node: name, Model: model, Device: -1, UsedMilli: a.none, Pods: a.nonePods})
		}
	}
	return out
}

// WriteDevicesCSV writes DeviceRows of the store's nodes and pods as CSV
// (header DevicesHeader, LF line ends): the per-device state at the store's
// current time, for a run's output folder (FileDevices).
func WriteDevicesCSV(w io.Writer, st *store.Store) error {
	rows := DeviceRows(st.Nodes.List("", nil), st.Pods.List("", nil))
	bw := bufio.NewWriter(w)
	bw.WriteString(DevicesHeader + "\n")
	var b []byte
	for _, r := range rows {
		b = b[:0]
		b = appendCSVField(b, r.Node)
		b = append(b, ',')
		b = appendCSVField(b, r.Model)
		b = append(b, ',')
		b = strconv.AppendInt(b, int64(r.Device), 10)
		b = append(b, ',')
		b = strconv.AppendInt(b, r.UsedMilli, 10)
		b = append(b, ',')
		b = strconv.AppendInt(b, r.FreeMilli, 10)
		b = append(b, ',')
		b = strconv.AppendInt(b, int64(r.Pods), 10)
		b = append(b, '\n')
		bw.Write(b)
	}
	return bw.Flush()
}

// appendCSVField appends s, quoted when it holds a comma, quote or newline.
func appendCSVField(b []byte, s string) []byte {
	quote := false
	for i := 0; i < len(s); i++ {
		if c := s[i]; c == ',' || c == '"' || c == '\n' || c == '\r' {
			quote = true
			break
		}
	}
	if !quote {
		return append(b, s...)
	}
	b = append(b, '"')
	for i := 0; i < len(s); i++ {
		if s[i] == '"' {
			b = append(b, '"')
		}
		b = append(b, s[i])
	}
	return append(b, '"')
}
