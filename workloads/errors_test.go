package workloads

import (
	"errors"
	"strings"
	"testing"
	"time"
)

// podHeader starts a Pod manifest named p; tests add the spec.
const podHeader = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\n"

func TestErrors(t *testing.T) {
	tests := []struct {
		name     string
		file     string
		manifest string
		want     []string
	}{{
		name: "misspelled field",
		file: "web.yaml",
		manifest: `apiVersion: v1
kind: Namespace
metadata: {name: default}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: default}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - name: web
        image: nginx
        imagee: nginx
`,
		want: []string{`web.yaml: document 2 (Deployment default/web): unknown field "spec.template.spec.containers[0].imagee"`},
	}, {
		name:     "bad quantity",
		manifest: podHeader + "spec: {containers: [{name: c, image: x, resources: {requests: {cpu: lots}}}]}\n",
		want:     []string{`f.yaml: document 1 (Pod default/p): spec.containers[0].resources.requests.cpu: invalid quantity "lots"`},
	}, {
		name: "all errors of a file, decoding and validation",
		manifest: podHeader + `spec:
  containers:
  - name: c
    image: x
    resources: {limits: {memory: much}, requests: {cpu: "-1"}}
    ports: [{containerPort: 1.5}]
  overhead: {cpu: lots}
  nodeNmae: n1
---
apiVersion: v1
kind: Node
metadata: {name: n1}
status: {capacity: {cpu: "eight"}, allocatable: {memory: "1Gi", pods: "many"}}
`,
		want: []string{
			`f.yaml: document 1 (Pod default/p): spec.containers[0].ports[0].containerPort: expected an integer, got 1.5`,
			`f.yaml: document 1 (Pod default/p): spec.containers[0].resources.limits.memory: invalid quantity "much"`,
			`f.yaml: document 1 (Pod default/p): spec.overhead.cpu: invalid quantity "lots"`,
			`f.yaml: document 1 (Pod default/p): unknown field "spec.nodeNmae"`,
			`f.yaml: document 1 (Pod default/p): spec.containers[0].resources.requests.cpu: must be greater than or equal to 0, got -1`,
			`f.yaml: document 2 (Node n1): status.allocatable.pods: invalid quantity "many"`,
			`f.yaml: document 2 (Node n1): status.capacity.cpu: invalid quantity "eight"`,
		},
	}, {
		name: "statefulset validation",
		manifest: `apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db}
spec:
  replicas: -2
  podManagementPolicy: Sometimes
  revisionHistoryLimit: -1
  updateStrategy: {type: RollingUpdate, rollingUpdate: {partition: -1, maxUnavailable: 0}}
  selector: {matchLabels: {app: db}}
  template:
    metadata: {labels: {app: web}}
    spec:
      restartPolicy: OnFailure
      containers: [{name: c, image: x}]
  volumeClaimTemplates: [{metadata: {name: data}}]
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: ondelete}
spec:
  serviceName: ondelete
  updateStrategy: {type: OnDelete, rollingUpdate: {partition: 1}}
  selector: {matchLabels: {app: db}}
  template:
    metadata: {labels: {app: db}}
    spec: {containers: [{name: c, image: x}]}
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: odd}
spec:
  updateStrategy: {type: Sideways}
  template:
    metadata: {labels: {app: db}}
    spec: {containers: [{name: c, image: x}]}
`,
		want: []string{
			`f.yaml: document 1 (StatefulSet default/db): spec.replicas: must be greater than or equal to 0, got -2`,
			"f.yaml: document 1 (StatefulSet default/db): spec.template.metadata.labels: `selector` does not match template `labels`",
			`f.yaml: document 1 (StatefulSet default/db): spec.template.spec.restartPolicy: unsupported value "OnFailure": supported values: "Always"`,
			`f.yaml: document 1 (StatefulSet default/db): spec.revisionHistoryLimit: must be greater than or equal to 0, got -1`,
			`f.yaml: document 1 (StatefulSet default/db): spec.podManagementPolicy: unsupported value "Sometimes": supported values: "OrderedReady", "Parallel"`,
			`f.yaml: document 1 (StatefulSet default/db): spec.volumeClaimTemplates: kubesim does not simulate volume scheduling; remove the volume claim templates`,
			`f.yaml: document 1 (StatefulSet default/db): spec.updateStrategy.rollingUpdate.partition: must be greater than or equal to 0, got -1`,
			`f.yaml: document 1 (StatefulSet default/db): spec.updateStrategy.rollingUpdate.maxUnavailable: must be greater than 0, got 0`,
			`f.yaml: document 2 (StatefulSet default/ondelete): spec.updateStrategy.rollingUpdate: only allowed for updateStrategy 'RollingUpdate'`,
			`f.yaml: document 3 (StatefulSet default/odd): spec.selector: required value`,
			`f.yaml: document 3 (StatefulSet default/odd): spec.updateStrategy.type: unsupported value "Sideways": supported values: "OnDelete", "RollingUpdate"`,
		},
	}, {
		name: "daemonset validation",
		manifest: `apiVersion: apps/v1
kind: DaemonSet
metadata: {name: agent, namespace: kube-system}
spec:
  minReadySeconds: -5
  updateStrategy: {rollingUpdate: {maxUnavailable: "0%"}}
  selector: {matchLabels: {}}
  template:
    metadata: {labels: {app: agent}}
    spec:
      restartPolicy: Never
      containers: [{name: c, image: x}]
---
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: bad-surge}
spec:
  updateStrategy: {type: RollingUpdate, rollingUpdate: {maxSurge: "200%", maxUnavailable: x}}
  selector: {matchLabels: {app: a}}
  template:
    metadata: {labels: {app: a}}
    spec: {containers: [{name: c, image: x}]}
---
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: odd}
spec:
  updateStrategy: {type: Recreate}
  selector: {matchLabels: {app: a}}
  template:
    metadata: {labels: {app: a}}
    spec: {containers: [{name: c, image: x}]}
`,
		want: []string{
			`f.yaml: document 1 (DaemonSet kube-system/agent): spec.selector: empty selector is invalid for DaemonSet`,
			`f.yaml: document 1 (DaemonSet kube-system/agent): spec.template.spec.restartPolicy: unsupported value "Never": supported values: "Always"`,
			`f.yaml: document 1 (DaemonSet kube-system/agent): spec.minReadySeconds: must be greater than or equal to 0, got -5`,
			"f.yaml: document 1 (DaemonSet kube-system/agent): spec.updateStrategy.rollingUpdate.maxUnavailable: may not be 0 when `maxSurge` is 0",
			`f.yaml: document 2 (DaemonSet default/bad-surge): spec.updateStrategy.rollingUpdate.maxUnavailable: invalid value "x": a valid percent string must be a numeric string followed by an ending '%' (e.g. '25%')`,
			`f.yaml: document 2 (DaemonSet default/bad-surge): spec.updateStrategy.rollingUpdate.maxSurge: must not be greater than 100%, got "200%"`,
			`f.yaml: document 3 (DaemonSet default/odd): spec.updateStrategy.type: unsupported value "Recreate": supported values: "OnDelete", "RollingUpdate"`,
		},
	}, {
		name:     "job pod replacement policy",
		manifest: "apiVersion: batch/v1\nkind: Job\nmetadata: {name: j}\nspec: {podReplacementPolicy: Sometimes, template: {spec: {restartPolicy: Never, containers: [{name: c, image: x}]}}}\n",
		want:     []string{`f.yaml: document 1 (Job default/j): spec.podReplacementPolicy: unsupported value "Sometimes": supported values: "TerminatingOrFailed", "Failed"`},
	}, {
		name:     "pdb unhealthy pod eviction policy",
		manifest: "apiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata: {name: b}\nspec: {minAvailable: 1, unhealthyPodEvictionPolicy: Never}\n",
		want:     []string{`f.yaml: document 1 (PodDisruptionBudget default/b): spec.unhealthyPodEvictionPolicy: unsupported value "Never": supported values: "IfHealthyBudget", "AlwaysAllow"`},
	}, {
		name:     "unsupported kinds",
		manifest: "apiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata: {name: h}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n",
		want: []string{
			`f.yaml: document 1 (HorizontalPodAutoscaler default/h): kind HorizontalPodAutoscaler (autoscaling/v2) is not supported yet by kubesim`,
			`f.yaml: document 2 (ConfigMap default/c): kind ConfigMap (v1) is not supported by kubesim; supported kinds: ` + supportedKinds,
		},
	}, {
		name:     "unsupported apiVersion",
		manifest: "apiVersion: policy/v1beta1\nkind: PodDisruptionBudget\nmetadata: {name: pdb}\n",
		want:     []string{`f.yaml: document 1 (PodDisruptionBudget default/pdb): apiVersion policy/v1beta1 is not supported for kind PodDisruptionBudget; use policy/v1`},
	}, {
		name:     "missing kind and apiVersion",
		manifest: "metadata: {name: x}\n---\nkind: Pod\n",
		want: []string{
			`f.yaml: document 1: kind: required field is missing`,
			`f.yaml: document 2 (Pod): apiVersion: required field is missing`,
		},
	}, {
		name:     "volume rejection",
		manifest: podHeader + "spec:\n  containers: [{name: c, image: x}]\n  volumes:\n  - {name: cfg, configMap: {name: c}}\n  - {name: data, persistentVolumeClaim: {claimName: data}}\n  - {name: scratch, ephemeral: {volumeClaimTemplate: {spec: {accessModes: [ReadWriteOnce]}}}}\n",
		want: []string{
			`f.yaml: document 1 (Pod default/p): spec.volumes[1].persistentVolumeClaim: volume "data" uses persistentVolumeClaim: kubesim does not simulate volume scheduling; only emptyDir, configMap, secret, downwardAPI, projected and hostPath volumes are supported`,
			`f.yaml: document 1 (Pod default/p): spec.volumes[2].ephemeral: volume "scratch" uses ephemeral: kubesim does not simulate volume scheduling; only emptyDir, configMap, secret, downwardAPI, projected and hostPath volumes are supported`,
		},
	}, {
		name: "template volume and DRA rejection",
		manifest: `apiVersion: apps/v1
kind: ReplicaSet
metadata: {name: rs}
spec:
  selector: {matchLabels: {app: a}}
  template:
    metadata: {labels: {app: a}}
    spec:
      containers: [{name: c, image: x}]
      volumes: [{name: v, csi: {driver: d}}]
      resourceClaims: [{name: gpu, resourceClaimName: gpu}]
`,
		want: []string{
			`f.yaml: document 1 (ReplicaSet default/rs): spec.template.spec.volumes[0].csi: volume "v" uses csi: kubesim does not simulate volume scheduling; only emptyDir, configMap, secret, downwardAPI, projected and hostPath volumes are supported`,
			`f.yaml: document 1 (ReplicaSet default/rs): spec.template.spec.resourceClaims: kubesim does not simulate dynamic resource allocation (DRA) scheduling; remove the resource claims`,
		},
	}, {
		name:     "run duration",
		manifest: "apiVersion: v1\nkind: Pod\nmetadata: {name: p, annotations: {kubesim.io/run-duration: soon}}\nspec: {containers: [{name: c, image: x}]}\n",
		want:     []string{`f.yaml: document 1 (Pod default/p): metadata.annotations["kubesim.io/run-duration"]: invalid duration "soon": expected a Go duration such as "90s" or "1h30m"`},
	}, {
		name: "deployment validation",
		manifest: `apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: -1
  strategy: {rollingUpdate: {maxSurge: 0, maxUnavailable: "0%"}}
  selector: {matchExpressions: [{key: app, operator: Equals, values: [web]}]}
  template:
    metadata: {labels: {app: web}}
    spec:
      restartPolicy: Never
      tolerations: [{operator: Equal, value: x}, {key: k, operator: Exists, value: v}]
      containers: [{name: c, image: x}]
`,
		want: []string{
			`f.yaml: document 1 (Deployment default/web): spec.replicas: must be greater than or equal to 0, got -1`,
			`f.yaml: document 1 (Deployment default/web): spec.selector.matchExpressions[0].operator: not a valid selector operator "Equals": supported values: "In", "NotIn", "Exists", "DoesNotExist"`,
			`f.yaml: document 1 (Deployment default/web): spec.template.spec.restartPolicy: unsupported value "Never": supported values: "Always"`,
			`f.yaml: document 1 (Deployment default/web): spec.template.spec.tolerations[0].operator: invalid value "Equal": operator must be Exists when ` + "`key`" + ` is empty, which means "match all values and all keys"`,
			`f.yaml: document 1 (Deployment default/web): spec.template.spec.tolerations[1].operator: invalid value "v": value must be empty when ` + "`operator`" + ` is 'Exists'`,
			`f.yaml: document 1 (Deployment default/web): spec.strategy.rollingUpdate.maxUnavailable: may not be 0 when ` + "`maxSurge`" + ` is 0`,
		},
	}, {
		name:     "names present",
		manifest: "apiVersion: v1\nkind: Pod\nmetadata: {namespace: x}\nspec: {containers: [{image: x}]}\n---\napiVersion: v1\nkind: Node\nmetadata: {name: Bad_Name}\n",
		want: []string{
			`f.yaml: document 1 (Pod): metadata.name: required value`,
			`f.yaml: document 1 (Pod): spec.containers[0].name: required value`,
			`f.yaml: document 2 (Node Bad_Name): metadata.name: invalid value "Bad_Name": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')`,
		},
	}, {
		name:     "job needs a restart policy",
		manifest: "apiVersion: batch/v1\nkind: Job\nmetadata: {name: j}\nspec: {completionMode: Indexed, template: {spec: {containers: [{name: c, image: x}]}}}\n",
		want: []string{
			`f.yaml: document 1 (Job default/j): spec.completions: required value when completion mode is Indexed`,
			`f.yaml: document 1 (Job default/j): spec.template.spec.restartPolicy: required value: supported values: "OnFailure", "Never"`,
		},
	}, {
		name:     "pdb",
		manifest: "apiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata: {name: b}\nspec: {minAvailable: 1, maxUnavailable: 150%}\n",
		want: []string{
			`f.yaml: document 1 (PodDisruptionBudget default/b): spec: minAvailable and maxUnavailable cannot be both set`,
			`f.yaml: document 1 (PodDisruptionBudget default/b): spec.maxUnavailable: must not be greater than 100%, got "150%"`,
		},
	}, {
		name:     "priority class",
		manifest: "apiVersion: scheduling.k8s.io/v1\nkind: PriorityClass\nmetadata: {name: huge}\nvalue: 1500000000\npreemptionPolicy: Sometimes\n",
		want: []string{
			`f.yaml: document 1 (PriorityClass huge): value: must not be greater than 1000000000, got 1500000000`,
			`f.yaml: document 1 (PriorityClass huge): preemptionPolicy: unsupported value "Sometimes": supported values: "PreemptLowerPriority", "Never"`,
		},
	}, {
		name:     "duplicate objects and duplicate keys",
		manifest: "apiVersion: v1\nkind: Namespace\nmetadata: {name: a}\n---\napiVersion: v1\nkind: Namespace\nmetadata: {name: a}\n---\napiVersion: v1\nkind: Namespace\nmetadata: {name: b}\nmetadata: {name: c}\n",
		want: []string{
			`f.yaml: document 2 (Namespace a): metadata.name: Namespace a is defined twice (first in document 1)`,
			"f.yaml: document 3: invalid YAML: yaml: unmarshal errors:\n  line 12: key \"metadata\" already set in map",
		},
	}, {
		name:     "yaml syntax error with file line",
		manifest: "apiVersion: v1\nkind: Namespace\nmetadata: {name: a}\n---\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: b\n labels: {}\n",
		want:     []string{`f.yaml: document 2: invalid YAML: yaml: line 8: did not find expected key`},
	}, {
		name:     "list items",
		manifest: "apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: Pod\n  metadata: {name: p}\n  spec: {containers: [{name: c, image: x, cpu: 1}]}\n- 42\n",
		want: []string{
			`f.yaml: document 1, item 0 (Pod default/p): unknown field "spec.containers[0].cpu"`,
			`f.yaml: document 1, item 1: expected an object with apiVersion and kind, got 42`,
		},
	}, {
		name:     "wrong types",
		manifest: podHeader + "spec: {containers: {name: c}, priority: high, hostNetwork: yes please, nodeSelector: [a]}\n",
		want: []string{
			`f.yaml: document 1 (Pod default/p): spec.containers: expected a list, got an object`,
			`f.yaml: document 1 (Pod default/p): spec.hostNetwork: expected true or false, got "yes please"`,
			`f.yaml: document 1 (Pod default/p): spec.nodeSelector: expected a map, got a list`,
			`f.yaml: document 1 (Pod default/p): spec.priority: expected an integer, got "high"`,
		},
	}, {
		name:     "not an object",
		manifest: "- a\n- b\n",
		want:     []string{`f.yaml: document 1: expected an object with apiVersion and kind, got a list`},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			file := tt.file
			if file == "" {
				file = "f.yaml"
			}
			objs, err := Decode(file, []byte(tt.manifest))
			if err == nil {
				t.Fatalf("Decode succeeded with %d objects; want errors", len(objs))
			}
			if objs != nil {
				t.Errorf("Decode returned %d objects with an error", len(objs))
			}
			var list ErrorList
			if !errors.As(err, &list) {
				t.Fatalf("error is %T, want ErrorList", err)
			}
			got := strings.Split(err.Error(), "\n")
			want := strings.Split(strings.Join(tt.want, "\n"), "\n")
			if strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Errorf("errors:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
			}
		})
	}
}

func TestErrorFields(t *testing.T) {
	_, err := Decode("f.yaml", []byte("apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: Pod\n  metadata: {name: p, namespace: team}\n  spec: {containers: [{name: c, image: x, resources: {requests: {cpu: lots}}}]}\n"))
	var list ErrorList
	if !errors.As(err, &list) || len(list) != 1 {
		t.Fatalf("err = %v", err)
	}
	want := Error{File: "f.yaml", Document: 1, Item: 0, Object: "Pod team/p", Field: "spec.containers[0].resources.requests.cpu",
		Detail: `spec.containers[0].resources.requests.cpu: invalid quantity "lots"`}
	if *list[0] != want {
		t.Errorf("error = %+v, want %+v", *list[0], want)
	}
}

func TestQuantityTooLarge(t *testing.T) {
	_, err := Decode("f.yaml", []byte("apiVersion: v1\nkind: Node\nmetadata: {name: n1}\nstatus: {capacity: {cpu: 1Ei, memory: 1e20}}\n"))
	want := "f.yaml: document 1 (Node n1): status.capacity.cpu: quantity 1Ei is too large\n" +
		"f.yaml: document 1 (Node n1): status.capacity.memory: quantity 100E is too large"
	if err == nil || err.Error() != want {
		t.Errorf("err = %v, want\n%s", err, want)
	}
}

// TestQuantityOutOfRange: quantities whose arithmetic would take seconds (a
// fuzzing find) are rejected while decoding, quickly.
func TestQuantityOutOfRange(t *testing.T) {
	start := time.Now()
	_, err := Decode("f.yaml", []byte("apiVersion: v1\nkind: Node\nmetadata: {name: n1}\nstatus: {capacity: {cpu: 1e999999999, memory: \"1e-9999999\", pods: 1e+64}}\n"))
	want := `f.yaml: document 1 (Node n1): status.capacity.cpu: invalid quantity "1e999999999": out of range` + "\n" +
		`f.yaml: document 1 (Node n1): status.capacity.memory: invalid quantity "1e-9999999": out of range` + "\n" +
		`f.yaml: document 1 (Node n1): status.capacity.pods: quantity 10e63 is too large`
	if err == nil || err.Error() != want {
		t.Errorf("err = %v, want\n%s", err, want)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("Decode took %v", d)
	}
}
