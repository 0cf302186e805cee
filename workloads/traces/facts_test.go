package traces

import (
	"path/filepath"
	"testing"
)

// dataDir is the repository's copy of the traces (never ../shared).
var dataDir = filepath.Join("..", "..", "data", "traces")

func openbPath(f string) string { return filepath.Join(dataDir, DatasetOpenB, f) }

func mustOpenBPods(t *testing.T, f string) []OpenBPod {
	t.Helper()
	pods, err := LoadOpenBPods(openbPath(f))
	if err != nil {
		t.Fatal(err)
	}
	return pods
}

// TestOpenBNodeFacts checks both node lists against the totals in
// data/traces/README (the GPU list's totals match the FGD simulator's output).
func TestOpenBNodeFacts(t *testing.T) {
	for _, tc := range []struct {
		file                   string
		rows, cpuOnly          int
		cpu, mem, gpus, shapes int64
	}{
		{OpenBGPUNodes, 1213, 0, 107_018_000, 503_828_480, 6212, 15},
		{OpenBAllNodes, 1523, 310, 125_514_000, 612_028_416, 6212, 27},
	} {
		t.Run(tc.file, func(t *testing.T) {
			nodes, err := LoadOpenBNodes(openbPath(tc.file))
			if err != nil {
				t.Fatal(err)
			}
			var cpu, mem, gpus int64
			cpuOnly := 0
			shapes := map[OpenBNode]bool{}
			perModel := map[string][2]int64{}
			for _, n := range nodes {
				cpu += n.MilliCPU
				mem += n.MemoryMiB
				gpus += n.GPUs
				if n.GPUs == 0 {
					cpuOnly++
				} else {
					pm := perModel[n.Model]
					perModel[n.Model] = [2]int64{pm[0] + 1, pm[1] + n.GPUs}
				}
				n.Name = ""
				shapes[n] = true
			}
			if len(nodes) != tc.rows || cpuOnly != tc.cpuOnly || cpu != tc.cpu || mem != tc.mem || gpus != tc.gpus || int64(len(shapes)) != tc.shapes {
				t.Errorf("rows %d cpu-only %d Σcpu %d Σmem %d Σgpu %d shapes %d", len(nodes), cpuOnly, cpu, mem, gpus, len(shapes))
			}
			want := map[string][2]int64{"G2": {549, 4392}, "T4": {404, 842}, "P100": {134, 265}, "V100M16": {55, 195},
				"G3": {39, 312}, "V100M32": {30, 204}, "A10": {2, 2}}
			if len(perModel) != len(want) {
				t.Errorf("models %v", perModel)
			}
			for m, w := range want {
				if perModel[m] != w {
					t.Errorf("%s: nodes/GPUs %v, want %v", m, perModel[m], w)
				}
			}
		})
	}
}

// TestOpenBNodeConversion checks the node mapping: allocatable in Kubernetes
// units, GPU extended resources, the model label only on GPU nodes.
func TestOpenBNodeConversion(t *testing.T) {
	nodes, err := LoadOpenBNodes(openbPath(OpenBGPUNodes))
	if err != nil {
		t.Fatal(err)
	}
	var cpu, mem, count, milli int64
	for i := range nodes {
		n := nodes[i].Node()
		cpu += n.Allocatable.MilliCPU
		mem += n.Allocatable.Memory
		count += n.Allocatable.Get(ResourceGPUCount)
		milli += n.Allocatable.Get(ResourceGPUMilli)
		if n.Labels[LabelGPUCardModel] != nodes[i].Model || n.Labels["kubernetes.io/hostname"] != n.Name || n.AllowedPods != 110 {
			t.Fatalf("node %+v", n)
		}
	}
	// 528,302,452,244,480 bytes is the upstream simulator's printed total.
	if cpu != 107_018_000 || mem != 528_302_452_244_480 || count != 6212 || milli != 6_212_000 {
		t.Errorf("Σ cpu %d mem %d gpu %d milli %d", cpu, mem, count, milli)
	}
	all, err := LoadOpenBNodes(openbPath(OpenBAllNodes))
	if err != nil {
		t.Fatal(err)
	}
	n := all[0].Node() // openb-node-0000,32000,262144,0,
	if _, ok := n.Labels[LabelGPUCardModel]; ok || len(n.Allocatable.Scalar) != 0 || n.Allocatable.Memory != 262144*mib {
		t.Errorf("CPU-only node %+v", n)
	}
}

// podFacts summarises a pod list as the README's table does.
type podFacts struct {
	rows, cpuOnly, oneGPU, sharing, two, four, eight int
	milli                                            int64
	withSpec                                         int
}

func factsOf(pods []OpenBPod) podFacts {
	var f podFacts
	f.rows = len(pods)
	for _, p := range pods {
		switch p.GPUs {
		case 0:
			f.cpuOnly++
		case 1:
			f.oneGPU++
			if p.GPUMilli < 1000 {
				f.sharing++
			}
		case 2:
			f.two++
		case 4:
			f.four++
		case 8:
			f.eight++
		}
		f.milli += p.TotalGPUMilli()
		if len(p.GPUModels) > 0 {
			f.withSpec++
		}
	}
	return f
}

// TestOpenBPodFacts checks every pod-list variant against the README's table.
func TestOpenBPodFacts(t *testing.T) {
	def := podFacts{8152, 1088, 6989, 3078, 16, 15, 44, 6_086_800, 0}
	gpuOf := func(rows, cpu int) podFacts { f := def; f.rows, f.cpuOnly = rows, cpu; return f }
	spec := func(n int) podFacts { f := def; f.withSpec = n; return f }
	cases := map[string]podFacts{
		"default": def,
		"cpu0":    gpuOf(7064, 0),
		"cpu037":  gpuOf(7336, 272), "cpu050": gpuOf(7439, 375), "cpu072": gpuOf(7608, 544), "cpu100": gpuOf(7853, 789),
		"cpu200": gpuOf(8832, 1768), "cpu235": gpuOf(9240, 2176), "cpu250": gpuOf(9420, 2356), "cpu300": gpuOf(10094, 3030),
		"gpuspec05": spec(369), "gpuspec10": spec(732), "gpuspec20": spec(1444), "gpuspec25": spec(1759), "gpuspec33": spec(2388),
		"multigpu20": {8324, 1088, 6989, 3078, 54, 52, 141, 7_086_800, 0},
		"multigpu30": {8508, 1088, 6989, 3078, 112, 83, 236, 8_086_800, 0},
		"multigpu40": {8746, 1088, 6989, 3078, 156, 154, 359, 9_442_800, 0},
		"multigpu50": {9061, 1088, 6989, 3078, 222, 206, 556, 11_358_800, 0},
	}
	share := map[string][3]int64{ // 1-GPU pods, sharing, Σ milli
		"gpushare20": {6977, 2324, 6_531_500}, "gpushare40": {7002, 4001, 5_641_250}, "gpushare60": {7034, 5233, 4_908_340},
		"gpushare80": {7047, 6279, 4_408_190}, "gpushare100": {7064, 7064, 3_952_670},
	}
	files, _ := filepath.Glob(openbPath("openb_pod_list_*.csv"))
	if len(files) != 24 {
		t.Fatalf("%d pod lists, want 24", len(files))
	}
	for _, f := range files {
		variant := filepath.Base(f)[len("openb_pod_list_") : len(filepath.Base(f))-len(".csv")]
		t.Run(variant, func(t *testing.T) {
			got := factsOf(mustOpenBPods(t, filepath.Base(f)))
			if s, ok := share[variant]; ok {
				if got.rows != 8152 || got.cpuOnly != 1088 || int64(got.oneGPU) != s[0] || int64(got.sharing) != s[1] || got.milli != s[2] {
					t.Errorf("got %+v, want 1-GPU %d sharing %d Σ %d", got, s[0], s[1], s[2])
				}
				return
			}
			want, ok := cases[variant]
			if !ok {
				t.Fatalf("unexpected file %s", f)
			}
			if got != want {
				t.Errorf("got  %+v\nwant %+v", got, want)
			}
		})
	}
}

// TestOpenBDefaultDetails checks the README's "more facts from default".
func TestOpenBDefaultDetails(t *testing.T) {
	pods := mustOpenBPods(t, OpenBDefaultPods)
	qos, phase := map[string]int{}, map[string]int{}
	milli := map[int64]int{}
	noSched := 0
	var minMilli int64 = 1000
	var maxCreated, minDeleted, maxDeleted int64 = 0, 1 << 62, 0
	sorted := true
	for i, p := range pods {
		qos[p.QoS]++
		phase[p.Phase]++
		if !p.Scheduled.Set {
			noSched++
			if p.Phase != "Pending" {
				t.Errorf("%s: no scheduled time but phase %s", p.Name, p.Phase)
			}
		}
		if p.GPUs == 1 {
			milli[p.GPUMilli]++
			minMilli = min(minMilli, p.GPUMilli)
		}
		maxCreated = max(maxCreated, int64(p.Created.At.Seconds()))
		minDeleted = min(minDeleted, int64(p.Deleted.At.Seconds()))
		maxDeleted = max(maxDeleted, int64(p.Deleted.At.Seconds()))
		if i > 0 && p.Created.At < pods[i-1].Created.At {
			sorted = false
		}
	}
	wantQoS := map[string]int{"LS": 4647, "BE": 3398, "Burstable": 100, "Guaranteed": 7}
	wantPhase := map[string]int{"Running": 5193, "Failed": 1870, "Pending": 897, "Succeeded": 192}
	for k, v := range wantQoS {
		if qos[k] != v {
			t.Errorf("qos %s: %d, want %d", k, qos[k], v)
		}
	}
	for k, v := range wantPhase {
		if phase[k] != v {
			t.Errorf("phase %s: %d, want %d", k, phase[k], v)
		}
	}
	if noSched != 897 || len(milli) != 21 || minMilli != 50 || !sorted {
		t.Errorf("no scheduled time %d, distinct gpu_milli %d, min %d, sorted %v", noSched, len(milli), minMilli, sorted)
	}
	for m, n := range map[int64]int{1000: 3911, 810: 1078, 470: 750, 320: 328, 650: 253} {
		if milli[m] != n {
			t.Errorf("gpu_milli %d: %d pods, want %d", m, milli[m], n)
		}
	}
	if maxCreated != 12_901_761 || minDeleted != 9_964_972 || maxDeleted != 12_902_960 {
		t.Errorf("created ≤ %d, deleted %d … %d", maxCreated, minDeleted, maxDeleted)
	}
}

// TestOpenBGPUSpecDedup: gpu_spec lists are deduplicated in order.
func TestOpenBGPUSpecDedup(t *testing.T) {
	for _, p := range mustOpenBPods(t, "openb_pod_list_gpuspec33.csv") {
		seen := map[string]bool{}
		for _, m := range p.GPUModels {
			if seen[m] {
				t.Fatalf("%s: duplicate model in %v", p.Name, p.GPUModels)
			}
			seen[m] = true
		}
	}
}

// TestOpenBFitsEmptyCluster: every pod fits some empty GPU node, except the 4
// 8-GPU G2 pods that ask for more CPU than a G2 node has (README).
func TestOpenBFitsEmptyCluster(t *testing.T) {
	list, err := LoadOpenBNodes(openbPath(OpenBGPUNodes))
	if err != nil {
		t.Fatal(err)
	}
	type shape struct {
		cpu, mem, count, milli int64
		labels                 map[string]string
		name                   string
	}
	var shapes []shape
	seen := map[OpenBNode]bool{}
	for i := range list {
		k := list[i]
		k.Name = ""
		if seen[k] {
			continue
		}
		seen[k] = true
		n := list[i].Node()
		shapes = append(shapes, shape{n.Allocatable.MilliCPU, n.Allocatable.Memory, n.Allocatable.Get(ResourceGPUCount), n.Allocatable.Get(ResourceGPUMilli), n.Labels, n.Name})
	}
	if len(shapes) != 15 {
		t.Fatalf("%d node shapes, want 15", len(shapes))
	}
	want := map[string]int{"gpuspec10": 2, "gpuspec25": 1, "gpuspec33": 1}
	files, _ := filepath.Glob(openbPath("openb_pod_list_*.csv"))
	for _, f := range files {
		variant := filepath.Base(f)[len("openb_pod_list_") : len(filepath.Base(f))-len(".csv")]
		conv := NewPodConverter(PodOptions{})
		unfit := 0
		for _, p := range mustOpenBPods(t, filepath.Base(f)) {
			pod := conv.OpenBPod(&p)
			r := &pod.Spec.Requests
			fits := false
			for _, s := range shapes {
				if r.MilliCPU <= s.cpu && r.Memory <= s.mem && r.Get(ResourceGPUCount) <= s.count && r.Get(ResourceGPUMilli) <= s.milli &&
					(pod.Spec.Affinity == nil || pod.Spec.Affinity.NodeRequired.Matches(s.name, s.labels)) {
					fits = true
					break
				}
			}
			if !fits {
				unfit++
				if p.GPUs != 8 || p.MilliCPU < 120000 || len(p.GPUModels) != 1 || p.GPUModels[0] != "G2" {
					t.Errorf("%s: %s does not fit: %+v", variant, p.Name, p)
				}
			}
		}
		if unfit != want[variant] {
			t.Errorf("%s: %d pods fit no node, want %d", variant, unfit, want[variant])
		}
	}
}
