package api

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/kubesim/kubesim/sim"
)

func TestResourcesArithmetic(t *testing.T) {
	a := Resources{MilliCPU: 500, Memory: 1 << 30}.Set("nvidia.com/gpu", 2)
	b := Resources{MilliCPU: 250}.Set("example.com/foo", 3).Set("nvidia.com/gpu", 1)
	sum := a.Add(b)
	want := Resources{MilliCPU: 750, Memory: 1 << 30, Scalar: []Scalar{{"example.com/foo", 3}, {"nvidia.com/gpu", 3}}}
	if !reflect.DeepEqual(sum, want) {
		t.Fatalf("Add = %+v, want %+v", sum, want)
	}
	if back := sum.Sub(b); !reflect.DeepEqual(back, a) {
		t.Fatalf("Sub = %+v, want %+v", back, a)
	}
	if a.Scalar[0].Value != 2 {
		t.Fatal("Add modified its receiver's scalar slice")
	}
	m := a.Max(b)
	if m.MilliCPU != 500 || m.Get("nvidia.com/gpu") != 2 || m.Get("example.com/foo") != 3 {
		t.Fatalf("Max = %+v", m)
	}
	if got := sum.Names(); !reflect.DeepEqual(got, []string{"cpu", "memory", "example.com/foo", "nvidia.com/gpu"}) {
		t.Fatalf("Names = %v", got)
	}
	if z := a.Set("nvidia.com/gpu", 0); z.Scalar != nil {
		t.Fatalf("setting the only scalar to 0 left %v", z.Scalar)
	}
}

func TestRequirementOperators(t *testing.T) {
	labels := map[string]string{"zone": "a", "gen": "5"}
	cases := []struct {
		r    Requirement
		want bool
	}{
		{Requirement{"zone", OpIn, []string{"a", "b"}}, true},
		{Requirement{"zone", OpIn, []string{"b"}}, false},
		{Requirement{"missing", OpIn, []string{"a"}}, false},
		{Requirement{"zone", OpNotIn, []string{"b"}}, true},
		{Requirement{"missing", OpNotIn, []string{"a"}}, true},
		{Requirement{"zone", OpExists, nil}, true},
		{Requirement{"zone", OpDoesNotExist, nil}, false},
		{Requirement{"gen", OpGt, []string{"4"}}, true},
		{Requirement{"gen", OpGt, []string{"5"}}, false},
		{Requirement{"gen", OpLt, []string{"6"}}, true},
		{Requirement{"zone", OpGt, []string{"1"}}, false}, // label is not an integer
	}
	for _, c := range cases {
		if got := c.r.Matches(labels); got != c.want {
			t.Errorf("%+v.Matches = %v, want %v", c.r, got, c.want)
		}
	}
	var nilSel *Selector
	if nilSel.Matches(labels) {
		t.Error("nil selector matched")
	}
	if !Everything.Matches(nil) {
		t.Error("empty selector did not match")
	}
	if !SelectorFromMap(map[string]string{"zone": "a"}).Matches(labels) {
		t.Error("zone=a did not match")
	}
}

func TestNodeSelectorTerms(t *testing.T) {
	labels := map[string]string{"zone": "a"}
	byName := NodeSelectorTerm{MatchFields: []Requirement{{"metadata.name", OpIn, []string{"n1"}}}}
	empty := NodeSelectorTerm{}
	if !byName.Matches("n1", labels) || byName.Matches("n2", labels) {
		t.Error("matchFields metadata.name")
	}
	if empty.Matches("n1", labels) {
		t.Error("an empty term matched")
	}
	ns := &NodeSelector{Terms: []NodeSelectorTerm{empty, byName}}
	if !ns.Matches("n1", labels) || ns.Matches("n2", labels) {
		t.Error("terms are ORed")
	}
	var none *NodeSelector
	if !none.Matches("x", nil) {
		t.Error("nil node selector must match")
	}
}

func TestTolerations(t *testing.T) {
	taint := &Taint{Key: "dedicated", Value: "gpu", Effect: TaintNoSchedule}
	cases := []struct {
		tol  Toleration
		want bool
	}{
		{Toleration{Key: "dedicated", Operator: TolerationOpEqual, Value: "gpu", Effect: TaintNoSchedule}, true},
		{Toleration{Key: "dedicated", Value: "gpu"}, true}, // empty operator = Equal, empty effect = all
		{Toleration{Key: "dedicated", Value: "cpu"}, false},
		{Toleration{Key: "dedicated", Operator: TolerationOpExists}, true},
		{Toleration{Operator: TolerationOpExists}, true}, // empty key + Exists tolerates everything
		{Toleration{Key: "dedicated", Operator: TolerationOpExists, Effect: TaintNoExecute}, false},
		{Toleration{Key: "other", Operator: TolerationOpExists}, false},
	}
	for _, c := range cases {
		if got := c.tol.ToleratesTaint(taint); got != c.want {
			t.Errorf("%+v tolerates = %v, want %v", c.tol, got, c.want)
		}
	}
}

func TestCompileEffectiveRequests(t *testing.T) {
	mi := int64(1 << 20)
	c := func(cpu, mem int64) Container {
		return Container{Requests: Resources{MilliCPU: cpu, Memory: mem * mi}, HasCPURequest: true, HasMemoryRequest: true}
	}
	sidecar := c(100, 64)
	sidecar.RestartPolicy = RestartAlways
	spec := &PodSpec{
		// init: a regular init container (1000m, 100Mi), then a sidecar (100m, 64Mi), then another
		// regular init container (600m, 500Mi) that runs beside the sidecar.
		InitContainers: []Container{c(1000, 100), sidecar, c(600, 500)},
		Containers:     []Container{c(300, 200), c(200, 100)},
		Overhead:       Resources{MilliCPU: 50, Memory: 10 * mi},
	}
	spec.Compile()
	// containers + sidecar = 600m / 364Mi; init phases: 1000m/100Mi, 100m/64Mi, 700m/564Mi.
	// max = 1000m / 564Mi, + overhead = 1050m / 574Mi.
	if spec.Requests.MilliCPU != 1050 || spec.Requests.Memory != 574*mi {
		t.Fatalf("Requests = %dm %dMi, want 1050m 574Mi", spec.Requests.MilliCPU, spec.Requests.Memory/mi)
	}
	if spec.NonZeroMilliCPU != 1050 || spec.NonZeroMemory != 574*mi {
		t.Fatalf("non-zero = %dm %dMi", spec.NonZeroMilliCPU, spec.NonZeroMemory/mi)
	}

	// A container without requests counts 100m / 200Mi for scoring only.
	bare := &PodSpec{Containers: []Container{{}, c(0, 0)}}
	bare.Compile()
	if bare.Requests.MilliCPU != 0 || bare.NonZeroMilliCPU != 100 || bare.NonZeroMemory != DefaultMemoryRequest {
		t.Fatalf("bare: req %+v nz %d/%d", bare.Requests, bare.NonZeroMilliCPU, bare.NonZeroMemory)
	}
	if !bare.IsBestEffort() || spec.IsBestEffort() {
		t.Fatal("IsBestEffort")
	}
}

func TestCompileHostPorts(t *testing.T) {
	side := Container{RestartPolicy: RestartAlways, Ports: []ContainerPort{{HostPort: 9000}}}
	spec := &PodSpec{
		InitContainers: []Container{{Ports: []ContainerPort{{HostPort: 7000}}}, side},
		Containers:     []Container{{Ports: []ContainerPort{{ContainerPort: 80}, {HostPort: 8080, Protocol: "UDP", HostIP: "10.0.0.1"}}}},
	}
	spec.Compile()
	want := []HostPort{{"10.0.0.1", "UDP", 8080}, {"0.0.0.0", "TCP", 9000}}
	if !reflect.DeepEqual(spec.HostPorts, want) {
		t.Fatalf("HostPorts = %v, want %v", spec.HostPorts, want)
	}
}

func TestSetCondition(t *testing.T) {
	cs := SetCondition(nil, Condition{Type: PodReady, Status: ConditionFalse, LastTransitionTime: 1})
	cs2 := SetCondition(cs, Condition{Type: PodReady, Status: ConditionFalse, LastTransitionTime: 5})
	if cs2[0].LastTransitionTime != 1 {
		t.Fatal("transition time changed without a status change")
	}
	cs3 := SetCondition(cs2, Condition{Type: PodReady, Status: ConditionTrue, LastTransitionTime: 9})
	if cs3[0].LastTransitionTime != 9 || cs2[0].Status != ConditionFalse {
		t.Fatal("SetCondition")
	}
}

func TestSameMap(t *testing.T) {
	a := map[string]string{"app": "web"}
	b := map[string]string{"app": "web"}
	if !SameMap(a, a) || SameMap(a, b) || !SameMap(nil, map[string]string{}) {
		t.Fatal("SameMap")
	}
	if !LabelsEqual(a, b) || LabelsEqual(a, map[string]string{"app": "db"}) {
		t.Fatal("LabelsEqual")
	}
}

func TestTemplateHash(t *testing.T) {
	// 123 → digits "1","2","3" → bytes 49, 50, 51; the alphabet
	// "bcdfghjklmnpqrstvwxz2456789" has 27 letters and index 20 is '2', so
	// [49%27=22]='5', [50%27=23]='6', [51%27=24]='7'.
	if got := TemplateHash(123, 0); got != "567" {
		t.Fatalf("TemplateHash(123) = %q, want 567", got)
	}
	if TemplateHash(123, 1) == TemplateHash(123, 0) || TemplateHash(123, 1) != TemplateHash(123, 1) {
		t.Fatal("a collision count must change the hash, deterministically")
	}
}

func TestLeaseRenewTimeAt(t *testing.T) {
	l := &Lease{RenewTime: 5e9, Renewing: true, RenewInterval: 10 * time.Second}
	for now, want := range map[sim.Time]sim.Time{0: 5e9, 5e9: 5e9, 14e9: 5e9, 15e9: 15e9, 38e9: 35e9} {
		if got := l.RenewTimeAt(now); got != want {
			t.Errorf("RenewTimeAt(%v) = %v, want %v", now, got, want)
		}
	}
	l.Renewing = false
	if l.RenewTimeAt(100e9) != 5e9 {
		t.Error("a lease that is not renewing must keep its renew time")
	}
}

func TestOwnerHelpers(t *testing.T) {
	rs := &ReplicaSet{ObjectMeta: ObjectMeta{Name: "web", UID: "u1"}}
	ref := NewControllerRef(rs)
	if ref != (OwnerReference{Kind: KindReplicaSet, Name: "web", UID: "u1", Controller: true, BlockOwnerDeletion: true}) {
		t.Fatalf("NewControllerRef = %+v", ref)
	}
	refs := []OwnerReference{ref, {Kind: KindDeployment, Name: "d", UID: "u2"}}
	if got := WithoutOwner(refs, "u1"); len(got) != 1 || got[0].UID != "u2" || len(refs) != 2 {
		t.Fatalf("WithoutOwner = %+v (input %+v)", got, refs)
	}
	name := GenerateName(sim.NewStream(1, 0, "t"), strings.Repeat("x", 70)+"-")
	if len(name) != 63 || strings.Trim(name[58:], safeAlphabet) != "" {
		t.Fatalf("GenerateName = %q", name)
	}
}
