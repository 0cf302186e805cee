package workloads

import (
	"errors"
	"testing"
)

// FuzzDecode checks that Decode never panics, that an error always says
// something, and that it returns objects or an error, never both.
func FuzzDecode(f *testing.F) {
	seeds := []string{
		"",
		"---\n",
		"apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec: {containers: [{name: c, image: x, resources: {limits: {cpu: 1}}}]}\n",
		"apiVersion: v1\nkind: List\nitems: [{apiVersion: v1, kind: Namespace, metadata: {name: a}}]\n",
		"apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\nspec: {selector: {matchLabels: {a: b}}, strategy: {rollingUpdate: {maxSurge: 10%}}, template: {metadata: {labels: {a: b}}, spec: {containers: [{name: c, image: x}]}}}\n",
		"apiVersion: batch/v1\nkind: Job\nmetadata: {name: j}\nspec: {template: {spec: {restartPolicy: Never, containers: [{name: c, image: x}]}}}\n",
		"apiVersion: v1\nkind: Node\nmetadata: {name: n}\nstatus: {capacity: {cpu: 1e3, memory: 1Ei}}\n",
		"apiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata: {name: b}\nspec: {minAvailable: 50%}\n",
		"{\"apiVersion\": \"v1\", \"kind\": \"Pod\"}",
		`apiVersion: v1
kind: Pod
metadata: {name: p, namespace: a, labels: {app: web}, annotations: {kubesim.io/run-duration: 5m}}
spec:
  nodeName: n1
  priority: 10
  initContainers: [{name: s, image: e, restartPolicy: Always, resources: {requests: {memory: 1Gi}}}]
  containers: [{name: c, image: x, ports: [{containerPort: 80, hostPort: 80}], readinessProbe: {exec: {command: [true]}}}]
  tolerations: [{key: k, operator: Exists, effect: NoExecute, tolerationSeconds: 5}]
  affinity:
    nodeAffinity:
      requiredDuringSchedulingIgnoredDuringExecution:
        nodeSelectorTerms: [{matchFields: [{key: metadata.name, operator: In, values: [n1]}]}]
    podAntiAffinity:
      preferredDuringSchedulingIgnoredDuringExecution:
      - {weight: 5, podAffinityTerm: {labelSelector: {matchExpressions: [{key: app, operator: In, values: [web]}]}, topologyKey: zone}}
  topologySpreadConstraints: [{maxSkew: 1, topologyKey: zone, whenUnsatisfiable: DoNotSchedule, minDomains: 2, labelSelector: {}}]
  volumes: [{name: v, emptyDir: {sizeLimit: 1Gi}}]
status: {phase: Running, conditions: [{type: Ready, status: "True", lastTransitionTime: "2026-01-01T00:00:00Z"}]}
`,
	}
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		objs, err := Decode("fuzz.yaml", data)
		if err == nil {
			return
		}
		if objs != nil {
			t.Errorf("objects returned with an error")
		}
		var list ErrorList
		if !errors.As(err, &list) || len(list) == 0 {
			t.Fatalf("error %T %v is not a non-empty ErrorList", err, err)
		}
		for _, e := range list {
			if e.Detail == "" || e.Error() == "" {
				t.Errorf("empty error: %+v", e)
			}
		}
	})
}
