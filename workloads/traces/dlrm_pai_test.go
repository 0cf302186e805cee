package traces

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/kubesim/kubesim/sim/api"
)

func mustDLRM(t *testing.T) []DLRMInstance {
	t.Helper()
	recs, err := LoadDLRM(filepath.Join(dataDir, DatasetDLRM, DLRMFile))
	if err != nil {
		t.Fatal(err)
	}
	return recs
}

// TestDLRMFacts checks the DLRM trace against the README's counts.
func TestDLRMFacts(t *testing.T) {
	recs := mustDLRM(t)
	roles := map[string]int{}
	apps := map[string]bool{}
	caps := map[int64]int{}
	var inside, aliveAtEnd, startDeleted, always int
	var maxT time.Duration
	for _, d := range recs {
		roles[d.Role]++
		apps[d.App] = true
		caps[d.MaxPerNode]++
		switch {
		case d.Created.Set && d.Deleted.Set:
			inside++
		case d.Created.Set:
			aliveAtEnd++
		case d.Deleted.Set:
			startDeleted++
		default:
			always++
		}
		if d.Created.Set != d.Scheduled.Set {
			t.Errorf("%s: creation %v, scheduled %v", d.Name, d.Created, d.Scheduled)
		}
		if (d.Role == RoleCN) != (d.GPUs == 0) || d.CPU != d.CPULimit || d.MemoryGiB != d.MemoryLimitGiB {
			t.Errorf("%s: %+v", d.Name, d)
		}
		for _, s := range []Stamp{d.Created, d.Scheduled, d.Deleted} {
			if s.Set {
				maxT = max(maxT, s.At)
			}
		}
	}
	if len(recs) != 23871 || roles[RoleCN] != 16485 || roles[RoleHN] != 7386 || len(apps) != 156 {
		t.Errorf("rows %d roles %v apps %d", len(recs), roles, len(apps))
	}
	if inside != 12390 || aliveAtEnd != 4201 || startDeleted != 2603 || always != 4677 {
		t.Errorf("lifetimes: inside %d, alive at end %d, deleted inside %d, whole trace %d", inside, aliveAtEnd, startDeleted, always)
	}
	want := map[int64]int{-1: 12248, 2: 6778, 4: 3588, 8: 724, 10: 469, 16: 64}
	for k, v := range want {
		if caps[k] != v {
			t.Errorf("max_instance_per_node %d: %d rows, want %d", k, caps[k], v)
		}
	}
	if s := int64(maxT.Seconds()); s != 2_677_541 {
		t.Errorf("span %d s, want 2677541", s)
	}
}

// TestDLRMConversion checks one row by hand (instance_0: HN, app_0, 12 vCPU,
// 1 GPU, 25% RDMA, 120 GiB, disk 640/800 GiB, cap 8, no times) and the slot
// resources.
func TestDLRMConversion(t *testing.T) {
	recs := mustDLRM(t)
	conv, err := NewDLRMConverter(recs, DLRMOptions{RDMA: true, Disk: true})
	if err != nil {
		t.Fatal(err)
	}
	p := conv.Pod(&recs[0])
	c := p.Spec.Containers[0]
	// app_0's caps are 2 (CN) and 8 (HN): L = 8, so a cap-8 instance takes 1 unit.
	slot := SlotResourcePrefix + "app_0"
	if c.Requests.MilliCPU != 12000 || c.Requests.Memory != 120*gib || c.Requests.Get(ResourceGPUCount) != 1 ||
		c.Requests.Get(ResourceGPUMilli) != 1000 || c.Requests.Get(ResourceRDMA) != 25 || c.Requests.Get(slot) != 1 ||
		c.Requests.EphemeralStorage != 640*gib || c.Limits.EphemeralStorage != 800*gib || c.Limits.MilliCPU != 12000 {
		t.Errorf("container %+v", c)
	}
	if p.Spec.NodeSelector[LabelDLRMRole] != RoleHN || p.Labels[LabelApp] != "app_0" || p.Name != "instance-0" || p.Namespace != "default" {
		t.Errorf("pod %+v", p)
	}
	var l int64
	for _, s := range conv.SlotCapacity() {
		if s.Name == slot {
			l = s.Value
		}
	}
	if l != 8 {
		t.Errorf("slot capacity of app_0 = %d, want 8", l)
	}
	// A cap-2 instance of app_0 takes 8/2 = 4 units: at most 2 per node.
	for i := range recs {
		if recs[i].App == "app_0" && recs[i].MaxPerNode == 2 {
			if got := conv.Pod(&recs[i]).Spec.Requests.Get(slot); got != 4 {
				t.Errorf("cap-2 instance takes %d units, want 4", got)
			}
			break
		}
	}
	// Defaults: no RDMA, no disk; CapNone: no slots at all.
	plain, _ := NewDLRMConverter(recs, DLRMOptions{Cap: CapNone})
	pr := plain.Pod(&recs[0]).Spec.Requests
	if pr.EphemeralStorage != 0 || len(pr.Scalar) != 2 || plain.SlotCapacity() != nil {
		t.Errorf("CapNone requests %+v", pr)
	}
	n := conv.Node("hn-1", RoleHN, 96000, 512*gib, 8, "A100")
	if n.Labels[LabelDLRMRole] != RoleHN || n.Allocatable.Get(slot) != 8 || n.Allocatable.Get(ResourceRDMA) != 100 || n.Allocatable.Get(ResourceGPUCount) != 8 {
		t.Errorf("node %+v", n.Allocatable)
	}
	if _, err := NewDLRMConverter(recs, DLRMOptions{Cap: "spread"}); err == nil {
		t.Error("unknown cap mode accepted")
	}
}

// TestDLRMSlotsExact: under CapSlots, a node fits exactly k instances of a
// single-cap group, as NodeResourcesFit counts them.
func TestDLRMSlotsExact(t *testing.T) {
	recs := []DLRMInstance{
		{Name: "a", Role: RoleCN, App: "x", CPU: 1, CPULimit: 1, MaxPerNode: 4},
		{Name: "b", Role: RoleHN, App: "x", CPU: 1, CPULimit: 1, GPUs: 1, GPULimit: 1, MaxPerNode: 10},
		{Name: "c", Role: RoleCN, App: "y", CPU: 1, CPULimit: 1, MaxPerNode: -1},
	}
	conv, err := NewDLRMConverter(recs, DLRMOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if got := conv.SlotCapacity(); len(got) != 1 || got[0] != (api.Scalar{Name: SlotResourcePrefix + "x", Value: 20}) {
		t.Fatalf("slots %v", got)
	}
	for _, tc := range []struct {
		rec  int
		want int64
	}{{0, 4}, {1, 10}} {
		units := conv.Pod(&recs[tc.rec]).Spec.Requests.Get(SlotResourcePrefix + "x")
		if fit := 20 / units; fit != tc.want {
			t.Errorf("%s: %d fit a node, want %d", recs[tc.rec].Name, fit, tc.want)
		}
	}
	if len(conv.Pod(&recs[2]).Spec.Requests.Scalar) != 0 {
		t.Error("uncapped instance requests slots")
	}
}

// TestPAIFacts checks the PAI machine list against the README.
func TestPAIFacts(t *testing.T) {
	dir := filepath.Join(dataDir, DatasetPAI)
	ms, err := LoadPAI(filepath.Join(dir, PAIFile), filepath.Join(dir, PAIHeader))
	if err != nil {
		t.Fatal(err)
	}
	var gpus, cores, mem int64
	shapes := map[PAIMachine]int{}
	for _, m := range ms {
		gpus += m.GPUs
		cores += m.CPU
		mem += m.MemoryGB
		m.Name = ""
		shapes[m]++
	}
	if len(ms) != 1897 || gpus != 6742 || cores != 156_576 || mem != 948_224 || len(shapes) != 7 {
		t.Errorf("machines %d GPUs %d cores %d GB %d shapes %d", len(ms), gpus, cores, mem, len(shapes))
	}
	for m, n := range map[PAIMachine]int{
		{GPUType: "P100", CPU: 64, MemoryGB: 512, GPUs: 2}: 798, {GPUType: "T4", CPU: 96, MemoryGB: 512, GPUs: 2}: 497,
		{GPUType: "MISC", CPU: 96, MemoryGB: 512, GPUs: 8}: 280, {GPUType: "V100M32", CPU: 96, MemoryGB: 384, GPUs: 8}: 135,
		{GPUType: "CPU", CPU: 96, MemoryGB: 512}: 83, {GPUType: "V100", CPU: 96, MemoryGB: 512, GPUs: 8}: 59,
		{GPUType: "V100", CPU: 96, MemoryGB: 384, GPUs: 8}: 45,
	} {
		if shapes[m] != n {
			t.Errorf("%+v: %d, want %d", m, shapes[m], n)
		}
	}
	cpu := ms[0].Node() // 7399a758eb02bae1a3621236,CPU,96,512,0
	if cpu.Allocatable.MilliCPU != 96000 || cpu.Allocatable.Memory != 512*gib || len(cpu.Allocatable.Scalar) != 0 || cpu.Labels[LabelGPUCardModel] != "" {
		t.Errorf("CPU machine %+v", cpu)
	}
	for _, m := range ms {
		if m.GPUType == "T4" {
			n := m.Node()
			if n.Labels[LabelGPUCardModel] != "T4" || n.Allocatable.Get(ResourceGPUMilli) != 2000 {
				t.Errorf("T4 machine %+v", n)
			}
			break
		}
	}
}
