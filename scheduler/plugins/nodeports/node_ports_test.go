package nodeports

import (
	"testing"

	"github.com/kubesim/kubesim/scheduler/framework"
	"github.com/kubesim/kubesim/scheduler/plugins/internal/testutil"
	"github.com/kubesim/kubesim/sim/api"
)

// port is a container port "ip/proto:hostPort" (empty ip and proto are
// defaulted by Compile).
func port(ip, proto string, hostPort int32) api.ContainerPort {
	return api.ContainerPort{ContainerPort: 80, HostPort: hostPort, HostIP: ip, Protocol: proto}
}

// podWith returns a compiled pod with one regular container with ports, and
// init containers with initPorts (sidecars when sidecar is true).
func podWith(name string, ports []api.ContainerPort, initPorts []api.ContainerPort, sidecar bool) *api.Pod {
	spec := &api.PodSpec{Containers: []api.Container{{Name: "c", Ports: ports}}}
	if initPorts != nil {
		ic := api.Container{Name: "i", Ports: initPorts}
		if sidecar {
			ic.RestartPolicy = api.RestartAlways
		}
		spec.InitContainers = []api.Container{ic}
	}
	spec.Compile()
	return &api.Pod{ObjectMeta: api.ObjectMeta{Name: name, Namespace: "default", UID: api.UID("uid-" + name)}, Spec: spec}
}

func ports(ps ...api.ContainerPort) []api.ContainerPort { return ps }

func TestFilter(t *testing.T) {
	node := testutil.MakeNode().Name("n").Obj()
	existing := func(ps ...api.ContainerPort) *api.Pod { return podWith("old", ps, nil, false) }
	tests := []struct {
		name     string
		pod      *api.Pod
		existing *api.Pod // nil: empty node
		want     bool     // fits
	}{
		{"no conflict on empty node", podWith("p", ports(port("", "", 8080)), nil, false), nil, true},
		{"same port, same defaults", podWith("p", ports(port("", "", 8080)), nil, false), existing(port("", "", 8080)), false},
		{"different port", podWith("p", ports(port("", "", 8081)), nil, false), existing(port("", "", 8080)), true},
		{"different protocol", podWith("p", ports(port("", "UDP", 8080)), nil, false), existing(port("", "TCP", 8080)), true},
		{"explicit TCP equals default", podWith("p", ports(port("", "TCP", 8080)), nil, false), existing(port("", "", 8080)), false},
		{"SCTP vs SCTP", podWith("p", ports(port("", "SCTP", 9000)), nil, false), existing(port("", "SCTP", 9000)), false},
		// 0.0.0.0 wanted conflicts with any IP using the same (proto, port).
		{"0.0.0.0 vs specific IP", podWith("p", ports(port("0.0.0.0", "TCP", 8080)), nil, false), existing(port("10.0.0.1", "TCP", 8080)), false},
		{"empty IP vs specific IP", podWith("p", ports(port("", "", 8080)), nil, false), existing(port("127.0.0.1", "", 8080)), false},
		{"0.0.0.0 vs specific IP, other protocol", podWith("p", ports(port("", "UDP", 8080)), nil, false), existing(port("10.0.0.1", "TCP", 8080)), true},
		// A specific IP conflicts with the same IP or with 0.0.0.0.
		{"specific IP vs 0.0.0.0", podWith("p", ports(port("10.0.0.1", "TCP", 8080)), nil, false), existing(port("", "TCP", 8080)), false},
		{"same specific IP", podWith("p", ports(port("10.0.0.1", "TCP", 8080)), nil, false), existing(port("10.0.0.1", "TCP", 8080)), false},
		{"different specific IPs", podWith("p", ports(port("10.0.0.2", "TCP", 8080)), nil, false), existing(port("10.0.0.1", "TCP", 8080)), true},
		// hostPort 0 is not a host port.
		{"container port only", podWith("p", ports(port("", "", 0)), nil, false), existing(port("", "", 8080)), true},
		// Several wanted ports: one conflict is enough.
		{"second port conflicts", podWith("p", ports(port("", "", 7000), port("", "", 8080)), nil, false), existing(port("", "", 8080)), false},
		// Sidecar ports count, on both sides; regular init containers' do not.
		{"sidecar wants used port", podWith("p", nil, ports(port("", "", 8080)), true), existing(port("", "", 8080)), false},
		{"existing sidecar uses port", podWith("p", ports(port("", "", 8080)), nil, false), podWith("old", nil, ports(port("", "", 8080)), true), false},
		{"existing init container does not", podWith("p", ports(port("", "", 8080)), nil, false), podWith("old", nil, ports(port("", "", 8080)), false), true},
	}
	pl, err := New(nil, testutil.NewHandle())
	if err != nil {
		t.Fatal(err)
	}
	f := pl.(*NodePorts)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var ni *framework.NodeInfo
			if tt.existing != nil {
				ni = testutil.NodeInfo(node, tt.existing)
			} else {
				ni = testutil.NodeInfo(node)
			}
			state := framework.NewCycleState()
			_, s := f.PreFilter(state, tt.pod, nil)
			switch {
			case s.IsSkip(): // no host port: the Filter does not run
				if !tt.want || !Fits(tt.pod, ni) {
					t.Fatal("PreFilter skipped a pod that does not fit")
				}
				return
			case !s.IsSuccess():
				t.Fatalf("PreFilter: %v", s)
			}
			got := f.Filter(state, tt.pod, ni)
			if tt.want {
				if !got.IsSuccess() {
					t.Fatalf("Filter = %v, want success", got)
				}
			} else if got.Code() != framework.Unschedulable || len(got.Reasons()) != 1 || got.Reasons()[0] != ErrReason {
				t.Fatalf("Filter = %v, want Unschedulable %q", got, ErrReason)
			}
			if Fits(tt.pod, ni) != tt.want {
				t.Fatalf("Fits = %v, want %v", !tt.want, tt.want)
			}
		})
	}
}

func TestPreFilterSkipsPodsWithoutHostPorts(t *testing.T) {
	pl := &NodePorts{}
	for _, p := range []*api.Pod{
		podWith("none", nil, nil, false),
		podWith("container-port-only", ports(port("", "", 0)), nil, false),
		podWith("init-only", nil, ports(port("", "", 8080)), false),
	} {
		if _, s := pl.PreFilter(framework.NewCycleState(), p, nil); !s.IsSkip() {
			t.Errorf("%s: PreFilter = %v, want Skip", p.Name, s)
		}
	}
	if pl.PreFilterExtensions() != nil {
		t.Error("PreFilterExtensions should be nil, as upstream")
	}
}

func TestFilterWithoutPreFilterIsAnError(t *testing.T) {
	p := podWith("p", ports(port("", "", 80)), nil, false)
	s := (&NodePorts{}).Filter(framework.NewCycleState(), p, testutil.NodeInfo(testutil.MakeNode().Name("n").Obj()))
	if s.Code() != framework.Error {
		t.Fatalf("Filter = %v, want Error", s)
	}
}

func TestNewRejectsArgs(t *testing.T) {
	if _, err := New(struct{}{}, nil); err == nil {
		t.Fatal("New accepted args")
	}
}

func TestFilterDoesNotAllocate(t *testing.T) {
	p := podWith("p", ports(port("", "", 8080), port("10.0.0.1", "UDP", 53)), nil, false)
	ni := testutil.NodeInfo(testutil.MakeNode().Name("n").Obj(), podWith("old", ports(port("10.0.0.2", "TCP", 9090)), nil, false))
	pl := &NodePorts{}
	state := framework.NewCycleState()
	pl.PreFilter(state, p, nil)
	if n := testing.AllocsPerRun(100, func() { pl.Filter(state, p, ni) }); n != 0 {
		t.Fatalf("Filter allocates %v times per call", n)
	}
}

// BenchmarkFilter filters a pod wanting two host ports on 500 nodes that
// each run a pod using two other ports.
func BenchmarkFilter(b *testing.B) {
	p := podWith("p", ports(port("", "", 8080), port("10.0.0.1", "UDP", 53)), nil, false)
	var nodes []*framework.NodeInfo
	for i := 0; i < 500; i++ {
		old := podWith("old", ports(port("", "", 9100), port("10.0.0.2", "UDP", 53)), nil, false)
		nodes = append(nodes, testutil.NodeInfo(testutil.MakeNode().Name("n").Obj(), old))
	}
	pl := &NodePorts{}
	b.ReportAllocs()
	for b.Loop() {
		state := framework.NewCycleState()
		pl.PreFilter(state, p, nodes)
		for _, ni := range nodes {
			pl.Filter(state, p, ni)
		}
	}
}
