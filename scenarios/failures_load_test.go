package scenarios

import (
	"bytes"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/kubesim/kubesim/sim/api"
	"github.com/kubesim/kubesim/workloads"
)

// TestFailureErrors checks that every problem of a failure plan, a pool's
// stochastic failures and the failure timing knobs is reported at once,
// with its field path.
func TestFailureErrors(t *testing.T) {
	_, err := Load("testdata/invalid-failures.yaml")
	if err == nil {
		t.Fatal("no error")
	}
	for _, want := range []string{
		`spec.cluster.nodePools[0].failures.kind: "explode" is not a failure kind`,
		`spec.cluster.nodePools[0].failures.timeToFailure.shape: is required for weibull: a number > 0, got 0`,
		`spec.cluster.nodePools[0].failures.timeToFailure.scale: is required for weibull`,
		`spec.cluster.nodePools[0].failures.timeToRepair.distribution: "normal" is not supported`,
		`spec.failures[0].at: 2h0m0s is after the end of the run`,
		`spec.failures[1]: must have exactly one of nodeCrash, nodeShutdown, zoneOutage, networkPartition, kubeletRestart, spotReclaim, imagePullFailure, podCrash, oomKill; got none`,
		`spec.failures[2]: must have exactly one of`,
		`got nodeCrash and zoneOutage`,
		`spec.failures[3].kubeletRestart.downtime: is required: a positive duration, got 0s`,
		`spec.failures[6].at: must be 0s: pod behaviour applies to the matched pods from their creation, got 1m0s`,
		`spec.timing.controllers.nodeLifecycle.evictionRate: must be a number > 0`,
		`spec.timing.controllers.nodeLifecycle.unhealthyZoneThreshold: must be in (0, 1], got 2`,
		`spec.timing.kubelet: kubelet config: shutdownGracePeriodCriticalPods: must be between 0 and shutdownGracePeriod`,
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q:\n%v", want, err)
		}
	}
	// Node sets are resolved once the own-field checks pass.
	_, err = Parse("testdata/resolve-bad.yaml", []byte(strings.Replace(resolveBad, "\t", "  ", -1)))
	for _, want := range []string{
		"spec.failures[0].networkPartition: must name exactly one of node, nodes (a label selector) or zone; got 2",
		`spec.failures[1].zoneOutage.zone: no node of spec.cluster is in zone "z9"`,
		`spec.failures[2].nodeCrash.node: no node "a-9" in spec.cluster`,
		"spec.failures[3].nodeShutdown.recoverAfter: must be longer than the grace period (1m0s)",
		"spec.failures[4].podCrash.selector: no pod or pod template of the scenario's manifests has the labels app=nope",
		`spec.failures[5].oomKill: metadata.annotations["kubesim.io/memory-usage"]: invalid quantity "lots"`,
	} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q:\n%v", want, err)
		}
	}
}

const resolveBad = `apiVersion: kubesim.io/v1alpha1
kind: Scenario
metadata: {name: p}
spec:
	duration: 1h
	cluster:
		nodePools:
		- {name: a, count: 2, zones: [z1], template: {status: {allocatable: {cpu: "2"}}}}
	workloads:
	- {at: 0s, manifests: [manifests/narrate-rs.yaml]}
	failures:
	- {at: 1m, networkPartition: {node: a-1, zone: z1}}
	- {at: 1m, zoneOutage: {zone: z9}}
	- {at: 1m, nodeCrash: {node: a-9}}
	- {at: 1m, nodeShutdown: {node: a-2, gracePeriod: 1m, recoverAfter: 30s}}
	- {at: 0s, podCrash: {selector: {app: nope}, mttf: 1h}}
	- {at: 0s, oomKill: {selector: {app: web}, memoryUsage: lots}}
`

// TestFailuresLoaded checks what the loader makes of valid entries: node
// sets resolved and sorted, defaults (the spot notice), pod behaviour
// written into the matching templates with a new hash.
func TestFailuresLoaded(t *testing.T) {
	src := strings.Replace(`apiVersion: kubesim.io/v1alpha1
kind: Scenario
metadata: {name: ok}
spec:
	duration: 1h
	cluster:
		nodePools:
		- {name: a, count: 4, zones: [z1, z2], template: {status: {allocatable: {cpu: "2", memory: 4Gi}}}}
	workloads:
	- {at: 0s, manifests: [manifests/narrate-rs.yaml]}
	failures:
	- {at: 5m, spotReclaim: {nodes: {topology.kubernetes.io/zone: z2}}}
	- {at: 1m, zoneOutage: {zone: z1, recoverAfter: 10m}}
	- {at: 0s, podCrash: {selector: {app: web}, mttf: 2h, exitCode: 3}}
	- {at: 2m, imagePullFailure: {image: nginx:1.25, until: 3m}}
`, "\t", "  ", -1)
	l, err := Parse("testdata/ok.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	want := []LoadedFailure{
		{At: time.Minute, Path: "spec.failures[1]", Kind: FailureZoneOutage, Target: "zone z1", Nodes: []string{"a-1", "a-3"}, After: 10 * time.Minute},
		{At: 2 * time.Minute, Path: "spec.failures[3]", Kind: FailureImagePull, Target: "image nginx:1.25", After: time.Minute, Image: "nginx:1.25"},
		{At: 5 * time.Minute, Path: "spec.failures[0]", Kind: FailureSpotReclaim, Target: "nodes topology.kubernetes.io/zone=z2", Nodes: []string{"a-2", "a-4"}, After: DefaultSpotNotice},
	}
	if !reflect.DeepEqual(l.Failures, want) {
		t.Errorf("failures\n got %+v\nwant %+v", l.Failures, want)
	}
	rs := l.Batches[0].Objects[0].(*api.ReplicaSet)
	orig, err := workloads.LoadFile("testdata/manifests/narrate-rs.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if a := rs.Template.Annotations; a[api.AnnotationCrashMTTF] != "2h0m0s" || a[api.AnnotationCrashExitCode] != "3" {
		t.Errorf("template annotations %v", a)
	}
	if rs.Template.Hash == orig[0].(*api.ReplicaSet).Template.Hash {
		t.Error("the annotated template kept the manifest's hash")
	}
}

// TestStochasticFailuresPerNodeStreams checks that each node's failures
// come from its own stream: adding a node to the pool leaves the failures
// of the others exactly as they were, and the same seed repeats them.
func TestStochasticFailuresPerNodeStreams(t *testing.T) {
	run := func(count string) map[string][]string {
		src := strings.Replace(`apiVersion: kubesim.io/v1alpha1
kind: Scenario
metadata: {name: st}
spec:
	duration: 240h
	cluster:
		nodePools:
		- name: a
			count: COUNT
			template: {status: {allocatable: {cpu: "2", memory: 4Gi}}}
			failures:
				kind: crash
				timeToFailure: {distribution: weibull, shape: 1.2, scale: 48h}
				timeToRepair: {distribution: lognormal, median: 10m, sigma: 0.5}
`, "\t", "  ", -1)
		l, err := Parse("testdata/st.yaml", []byte(strings.Replace(src, "COUNT", count, 1)))
		if err != nil {
			t.Fatal(err)
		}
		s, err := Build(l)
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		rec, err := s.Run()
		if err != nil {
			t.Fatal(err)
		}
		out := map[string][]string{}
		for _, f := range rec.Summary().Failures {
			var b bytes.Buffer
			b.WriteString(string(f.Kind))
			at, _ := f.AtSeconds.MarshalJSON()
			b.Write(at)
			out[f.Target] = append(out[f.Target], b.String())
		}
		return out
	}
	three, four, again := run("3"), run("4"), run("3")
	if len(three["node a-1"]) == 0 {
		t.Fatalf("no failure of a-1 in 10 days: %v", three)
	}
	for _, n := range []string{"node a-1", "node a-2", "node a-3"} {
		if !reflect.DeepEqual(three[n], four[n]) || !reflect.DeepEqual(three[n], again[n]) {
			t.Errorf("%s: failures %v with 3 nodes, %v with 4, %v again", n, three[n], four[n], again[n])
		}
	}
	if len(four["node a-4"]) == 0 {
		t.Errorf("the added node never failed: %v", four)
	}
}
