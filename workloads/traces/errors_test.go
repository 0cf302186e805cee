package traces

import (
	"strings"
	"testing"
)

const podHeader = "name,cpu_milli,memory_mib,num_gpu,gpu_milli,gpu_spec,qos,pod_phase,creation_time,deletion_time,scheduled_time\n"

// TestReadErrors: each bad input gives one error naming file, line, column
// and field.
func TestReadErrors(t *testing.T) {
	for _, tc := range []struct {
		name, kind, in, want string
	}{
		{"empty", "pods", "", "f.csv:1:1: empty file: expected a header line"},
		{"unknown column", "nodes", "sn,cpu_milli,memory_mib,gpu,model,zone\n", `f.csv:1:35: unknown column "zone"`},
		{"missing column", "nodes", "sn,cpu_milli,memory_mib,gpu\n", `f.csv:1:1: missing column "model"`},
		{"duplicate column", "nodes", "sn,sn,cpu_milli,memory_mib,gpu,model\n", `f.csv:1:4: column "sn" appears twice`},
		{"bad integer", "pods", podHeader + "p0,1000,x,0,0,,LS,Running,0,1,0\n", `f.csv:2:9: field "memory_mib": expected an integer, got "x"`},
		{"negative", "pods", podHeader + "p0,-1,1,0,0,,LS,Running,0,1,0\n", `f.csv:2:4: field "cpu_milli": -1 is out of range`},
		{"too many fields", "pods", podHeader + "p0,1,1,0,0,,LS,Running,0,1,0,9\n", "f.csv:2:1: expected 11 fields, got 12"},
		{"gpu milli without gpu", "pods", podHeader + "p0,1,1,0,500,,LS,Running,0,1,0\n", `f.csv:2:10: field "gpu_milli": must be 0 when num_gpu is 0`},
		{"shared multi-GPU", "pods", podHeader + "p0,1,1,2,500,,LS,Running,0,1,0\n", `field "gpu_milli": must be 1000 when num_gpu is 2`},
		{"bad qos", "pods", podHeader + "p0,1,1,0,0,,Gold,Running,0,1,0\n", `f.csv:2:13: field "qos": unknown QoS class "Gold"`},
		{"bad phase", "pods", podHeader + "p0,1,1,0,0,,LS,Done,0,1,0\n", `field "pod_phase": unknown phase "Done"`},
		{"bad spec", "pods", podHeader + "p0,1,1,1,1000,V100||T4,LS,Running,0,1,0\n", `field "gpu_spec": "V100||T4" is not a |-separated list`},
		{"deleted before created", "pods", podHeader + "p0,1,1,0,0,,LS,Running,10,5,10\n", `f.csv:2:27: field "deletion_time": deleted at 5s, before its creation at 10s`},
		{"bad time", "pods", podHeader + "p0,1,1,0,0,,LS,Running,soon,5,10\n", `field "creation_time": expected a number, got "soon"`},
		{"duplicate name", "pods", podHeader + "p0,1,1,0,0,,LS,Running,0,1,0\np0,1,1,0,0,,LS,Running,0,1,0\n", `f.csv:3:1: field "name": "p0" appears twice`},
		{"bad name", "pods", podHeader + "P_0,1,1,0,0,,LS,Running,0,1,0\n", `f.csv:2:1: field "name": "P_0" is not a valid object name`},
		{"quote", "pods", podHeader + "p0,\"1,1,0,0,,LS,Running,0,1,0\n", "f.csv:2:"},
		{"gpu node without model", "nodes", "sn,cpu_milli,memory_mib,gpu,model\nn0,1,1,2,\n", `f.csv:2:10: field "model": a node with 2 GPUs needs a GPU model`},
		{"cpu node with model", "nodes", "sn,cpu_milli,memory_mib,gpu,model\nn0,1,1,0,T4\n", `field "model": a node without GPUs has no GPU model`},
		{"dlrm role", "dlrm", dlrmHeader + "instance_0,XN,app_0,12,12,1,1,25,25,120.0,120.0,640.0,800.0,8,,,\n", `f.csv:2:12: field "role": expected CN or HN, got "XN"`},
		{"dlrm limit", "dlrm", dlrmHeader + "instance_0,HN,app_0,12,11,1,1,25,25,120.0,120.0,640.0,800.0,8,,,\n", `field "cpu_limit": limit 11 is below the request 12`},
		{"dlrm cap", "dlrm", dlrmHeader + "instance_0,HN,app_0,12,12,1,1,25,25,120.0,120.0,640.0,800.0,0,,,\n", `field "max_instance_per_node": must be -1 (unlimited) or positive`},
		{"dlrm memory", "dlrm", dlrmHeader + "instance_0,HN,app_0,12,12,1,1,25,25,NaN,120.0,640.0,800.0,8,,,\n", `field "memory_request": expected a number, got "NaN"`},
		{"dlrm name clash", "dlrm", dlrmHeader + "instance_0,HN,app_0,12,12,1,1,25,25,1,1,1,1,8,,,\ninstance-0,HN,app_0,12,12,1,1,25,25,1,1,1,1,8,,,\n", `"instance-0" appears twice (as pod name instance-0)`},
		{"pai no header", "pai-noheader", "m0,CPU,96,512,0\n", "no header given"},
		{"pai cpu with gpus", "pai", "m0,CPU,96,512,2\n", `f.csv:1:15: field "cap_gpu": gpu_type CPU with 2 GPUs`},
		{"pai fields", "pai", "m0,CPU,96\n", "f.csv:1:1: expected 5 fields, got 3"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := readKind(tc.kind, tc.in)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v\nwant %s", err, tc.want)
			}
			if _, ok := err.(*ParseError); !ok {
				t.Errorf("error is %T, want *ParseError", err)
			}
		})
	}
}

const dlrmHeader = "instance_sn,role,app_name,cpu_request,cpu_limit,gpu_request,gpu_limit,rdma_request,rdma_limit,memory_request,memory_limit,disk_request,disk_limit,max_instance_per_node,creation_time,scheduled_time,deletion_time\n"

var paiColumns = []string{"machine", "gpu_type", "cap_cpu", "cap_mem", "cap_gpu"}

func readKind(kind, in string) error {
	r := strings.NewReader(in)
	var err error
	switch kind {
	case "pods":
		_, err = ReadOpenBPods(r, "f.csv")
	case "nodes":
		_, err = ReadOpenBNodes(r, "f.csv")
	case "dlrm":
		_, err = ReadDLRM(r, "f.csv")
	case "pai":
		_, err = ReadPAI(r, "f.csv", paiColumns)
	case "pai-noheader":
		_, err = ReadPAI(r, "f.csv", nil)
	}
	return err
}

// TestReadNaN: "nan" is accepted for empty fields, as the upstream README
// shows them.
func TestReadNaN(t *testing.T) {
	pods, err := ReadOpenBPods(strings.NewReader(podHeader+"p0,1,1,1,300,nan,LS,Pending,5,9,nan\n"), "f.csv")
	if err != nil {
		t.Fatal(err)
	}
	p := pods[0]
	if len(p.GPUModels) != 0 || p.Scheduled.Set || p.Created != sec(5) || p.Deleted != sec(9) || p.TotalGPUMilli() != 300 {
		t.Errorf("%+v", p)
	}
}
