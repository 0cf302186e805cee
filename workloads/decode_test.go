package workloads

import (
	"reflect"
	"testing"
	"time"

	"github.com/kubesim/kubesim/sim"
	"github.com/kubesim/kubesim/sim/api"
)

// decodeOne decodes a manifest that must hold exactly one object.
func decodeOne(t *testing.T, manifest string) api.Object {
	t.Helper()
	objs, err := Decode("test.yaml", []byte(manifest))
	if err != nil {
		t.Fatalf("Decode: %v", err)
	}
	if len(objs) != 1 {
		t.Fatalf("Decode: got %d objects, want 1", len(objs))
	}
	return objs[0]
}

const (
	mi = int64(1 << 20)
	gi = int64(1 << 30)
)

func TestPodConversion(t *testing.T) {
	tests := []struct {
		name     string
		manifest string
		check    func(t *testing.T, p *api.Pod)
	}{{
		name: "requests default from limits",
		manifest: `
apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  containers:
  - name: a
    image: nginx
    resources:
      limits: {cpu: 500m, memory: 1Gi, nvidia.com/gpu: 2}
      requests: {memory: 512Mi}
`,
		check: func(t *testing.T, p *api.Pod) {
			c := p.Spec.Containers[0]
			want := api.Resources{MilliCPU: 500, Memory: 512 * mi, Scalar: []api.Scalar{{Name: "nvidia.com/gpu", Value: 2}}}
			if !reflect.DeepEqual(c.Requests, want) {
				t.Errorf("requests = %+v, want %+v", c.Requests, want)
			}
			if !c.HasCPURequest || !c.HasMemoryRequest {
				t.Errorf("HasCPURequest=%v HasMemoryRequest=%v, want both true", c.HasCPURequest, c.HasMemoryRequest)
			}
			if c.Limits.Memory != gi {
				t.Errorf("memory limit = %d, want %d", c.Limits.Memory, gi)
			}
			if p.Namespace != "default" {
				t.Errorf("namespace = %q, want default", p.Namespace)
			}
		},
	}, {
		name: "quantities to millicores and bytes, rounded up",
		manifest: `
apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  containers:
  - name: a
    image: nginx
    resources:
      requests: {cpu: "1.5", memory: 1G, ephemeral-storage: 2Ki, hugepages-2Mi: 4Mi}
  - name: b
    image: nginx
    resources:
      requests: {cpu: 0.0001, memory: "0.5"}
`,
		check: func(t *testing.T, p *api.Pod) {
			a, b := p.Spec.Containers[0].Requests, p.Spec.Containers[1].Requests
			if a.MilliCPU != 1500 || a.Memory != 1_000_000_000 || a.EphemeralStorage != 2048 || a.Get("hugepages-2Mi") != 4*mi {
				t.Errorf("a = %+v", a)
			}
			if b.MilliCPU != 1 || b.Memory != 1 {
				t.Errorf("b = %+v, want 1m cpu and 1 byte (rounded up)", b)
			}
		},
	}, {
		name: "sidecar and init request math",
		manifest: `
apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  initContainers:
  - {name: sidecar, image: envoy, restartPolicy: Always, resources: {requests: {cpu: 100m, memory: 64Mi}}}
  - {name: migrate, image: tool, resources: {requests: {cpu: "2", memory: 128Mi}}}
  containers:
  - {name: main, image: app, resources: {requests: {cpu: 500m}}}
  overhead: {cpu: 10m, memory: 1Mi}
`,
		check: func(t *testing.T, p *api.Pod) {
			s := p.Spec
			if !s.InitContainers[0].IsSidecar() || s.InitContainers[1].IsSidecar() {
				t.Fatalf("sidecar flags wrong: %+v", s.InitContainers)
			}
			// containers + sidecars = 600m / 64Mi; init phase migrate = 2100m / 192Mi.
			want := api.Resources{MilliCPU: 2100 + 10, Memory: 192*mi + mi}
			if !reflect.DeepEqual(s.Requests, want) {
				t.Errorf("Requests = %+v, want %+v", s.Requests, want)
			}
			// Non-zero: main has no memory request → 200Mi; regular sum 600m / 264Mi,
			// init phase 2100m / 192Mi.
			if s.NonZeroMilliCPU != 2110 || s.NonZeroMemory != 264*mi+mi {
				t.Errorf("NonZero = %d / %d, want 2110 / %d", s.NonZeroMilliCPU, s.NonZeroMemory, 264*mi+mi)
			}
		},
	}, {
		name: "pod defaults",
		manifest: `
apiVersion: v1
kind: Pod
metadata: {name: p, namespace: team-a}
spec:
  containers:
  - name: a
    image: nginx
    ports: [{containerPort: 80, hostPort: 8080}, {containerPort: 53, protocol: UDP}]
    readinessProbe: {httpGet: {path: /, port: 80}}
    livenessProbe: {tcpSocket: {port: 80}, periodSeconds: 5, failureThreshold: 7}
`,
		check: func(t *testing.T, p *api.Pod) {
			s := p.Spec
			if s.SchedulerName != "default-scheduler" || s.RestartPolicy != api.RestartAlways || s.TerminationGracePeriodSeconds != 30 {
				t.Errorf("defaults: %q %q %d", s.SchedulerName, s.RestartPolicy, s.TerminationGracePeriodSeconds)
			}
			if got, want := *s.Containers[0].ReadinessProbe, (api.Probe{TimeoutSeconds: 1, PeriodSeconds: 10, SuccessThreshold: 1, FailureThreshold: 3}); got != want {
				t.Errorf("readiness = %+v, want %+v", got, want)
			}
			if got, want := *s.Containers[0].LivenessProbe, (api.Probe{TimeoutSeconds: 1, PeriodSeconds: 5, SuccessThreshold: 1, FailureThreshold: 7}); got != want {
				t.Errorf("liveness = %+v, want %+v", got, want)
			}
			if want := []api.HostPort{{IP: "0.0.0.0", Protocol: "TCP", Port: 8080}}; !reflect.DeepEqual(s.HostPorts, want) {
				t.Errorf("HostPorts = %+v, want %+v", s.HostPorts, want)
			}
			if s.Containers[0].Ports[1].Protocol != "UDP" || s.Containers[0].Ports[0].Protocol != "TCP" {
				t.Errorf("ports = %+v", s.Containers[0].Ports)
			}
			if p.Status.Phase != api.PodPending || p.NodeName != "" {
				t.Errorf("phase %q node %q", p.Status.Phase, p.NodeName)
			}
			// BestEffort: no container requests → 100m / 200Mi for scoring only.
			if !s.IsBestEffort() || s.NonZeroMilliCPU != 100 || s.NonZeroMemory != 200*mi || !s.Requests.IsZero() {
				t.Errorf("best-effort request math: %+v %d %d", s.Requests, s.NonZeroMilliCPU, s.NonZeroMemory)
			}
		},
	}, {
		name: "hostNetwork defaults hostPort",
		manifest: `
apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  hostNetwork: true
  containers: [{name: a, image: x, ports: [{containerPort: 9100}]}]
`,
		check: func(t *testing.T, p *api.Pod) {
			if want := []api.HostPort{{IP: "0.0.0.0", Protocol: "TCP", Port: 9100}}; !reflect.DeepEqual(p.Spec.HostPorts, want) {
				t.Errorf("HostPorts = %+v, want %+v", p.Spec.HostPorts, want)
			}
		},
	}, {
		name: "bound pod from a dump",
		manifest: `
apiVersion: v1
kind: Pod
metadata:
  name: p
  uid: "1234"
  annotations: {kubesim.io/run-duration: 1h30m}
  ownerReferences: [{apiVersion: apps/v1, kind: ReplicaSet, name: rs, uid: abc, controller: true}]
spec:
  nodeName: node-1
  priority: 1000
  priorityClassName: high
  preemptionPolicy: Never
  containers: [{name: a, image: x}]
status:
  phase: Running
  conditions:
  - {type: Ready, status: "True", lastTransitionTime: "2026-03-02T08:57:26Z"}
  containerStatuses:
  - {name: a, ready: true, restartCount: 3, image: x, imageID: "", state: {running: {startedAt: "2026-03-02T08:57:20Z"}}}
`,
		check: func(t *testing.T, p *api.Pod) {
			if p.NodeName != "node-1" || p.Priority != 1000 || *p.Spec.Priority != 1000 || p.PreemptionPolicy != api.PreemptNever {
				t.Errorf("node %q priority %d policy %q", p.NodeName, p.Priority, p.PreemptionPolicy)
			}
			if p.Status.Phase != api.PodRunning || !p.IsReady() || p.MaxRestarts() != 3 {
				t.Errorf("status = %+v", p.Status)
			}
			if p.Spec.RunDuration != 90*time.Minute {
				t.Errorf("RunDuration = %v", p.Spec.RunDuration)
			}
			if p.UID != "1234" || p.ControllerRef() == nil || p.ControllerRef().UID != "abc" {
				t.Errorf("uid %q owners %+v", p.UID, p.OwnerReferences)
			}
		},
	}, {
		name: "pod-level resources",
		manifest: `
apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  resources: {limits: {cpu: "2", memory: 2Gi}, requests: {cpu: "1"}}
  containers: [{name: a, image: x, resources: {requests: {cpu: 100m}}}]
`,
		check: func(t *testing.T, p *api.Pod) {
			want := api.Resources{MilliCPU: 1000, Memory: 2 * gi}
			if p.Spec.PodRequests == nil || !reflect.DeepEqual(*p.Spec.PodRequests, want) {
				t.Fatalf("PodRequests = %+v, want %+v", p.Spec.PodRequests, want)
			}
			if !reflect.DeepEqual(p.Spec.Requests, want) {
				t.Errorf("Requests = %+v, want %+v", p.Spec.Requests, want)
			}
		},
	}, {
		name: "tolerations",
		manifest: `
apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  containers: [{name: a, image: x}]
  tolerations:
  - {key: dedicated, value: gpu, effect: NoSchedule}
  - {operator: Exists}
  - {key: node.kubernetes.io/unreachable, operator: Exists, effect: NoExecute, tolerationSeconds: 300}
`,
		check: func(t *testing.T, p *api.Pod) {
			secs := int64(300)
			want := []api.Toleration{
				{Key: "dedicated", Operator: api.TolerationOpEqual, Value: "gpu", Effect: api.TaintNoSchedule},
				{Operator: api.TolerationOpExists},
				{Key: "node.kubernetes.io/unreachable", Operator: api.TolerationOpExists, Effect: api.TaintNoExecute, TolerationSeconds: &secs},
			}
			if !reflect.DeepEqual(p.Spec.Tolerations, want) {
				t.Errorf("tolerations = %+v", p.Spec.Tolerations)
			}
		},
	}, {
		name: "affinity and spread",
		manifest: `
apiVersion: v1
kind: Pod
metadata: {name: p, labels: {app: web}}
spec:
  containers: [{name: a, image: x}]
  affinity:
    nodeAffinity:
      requiredDuringSchedulingIgnoredDuringExecution:
        nodeSelectorTerms:
        - matchExpressions: [{key: cpu-gen, operator: Gt, values: ["5"]}]
          matchFields: [{key: metadata.name, operator: In, values: [node-1]}]
      preferredDuringSchedulingIgnoredDuringExecution:
      - weight: 30
        preference: {matchExpressions: [{key: pool, operator: In, values: [spot]}]}
    podAntiAffinity:
      requiredDuringSchedulingIgnoredDuringExecution:
      - labelSelector: {matchLabels: {app: web}, matchExpressions: [{key: tier, operator: NotIn, values: [db]}]}
        topologyKey: kubernetes.io/hostname
        namespaceSelector: {}
        matchLabelKeys: [pod-template-hash]
    podAffinity:
      preferredDuringSchedulingIgnoredDuringExecution:
      - weight: 50
        podAffinityTerm:
          labelSelector: {matchLabels: {app: cache}}
          namespaces: [other]
          topologyKey: topology.kubernetes.io/zone
  topologySpreadConstraints:
  - {maxSkew: 1, topologyKey: topology.kubernetes.io/zone, whenUnsatisfiable: DoNotSchedule, labelSelector: {matchLabels: {app: web}}}
  - {maxSkew: 2, topologyKey: kubernetes.io/hostname, whenUnsatisfiable: DoNotSchedule, minDomains: 3, nodeAffinityPolicy: Ignore, nodeTaintsPolicy: Honor, labelSelector: {matchLabels: {app: web}}, matchLabelKeys: [pod-template-hash]}
`,
		check: func(t *testing.T, p *api.Pod) {
			a := p.Spec.Affinity
			wantReq := &api.NodeSelector{Terms: []api.NodeSelectorTerm{{
				MatchExpressions: []api.Requirement{{Key: "cpu-gen", Operator: api.OpGt, Values: []string{"5"}}},
				MatchFields:      []api.Requirement{{Key: "metadata.name", Operator: api.OpIn, Values: []string{"node-1"}}},
			}}}
			if !reflect.DeepEqual(a.NodeRequired, wantReq) {
				t.Errorf("NodeRequired = %+v", a.NodeRequired)
			}
			if !a.NodeRequired.Matches("node-1", map[string]string{"cpu-gen": "6"}) || a.NodeRequired.Matches("node-2", map[string]string{"cpu-gen": "6"}) {
				t.Errorf("NodeRequired matching wrong")
			}
			if len(a.NodePreferred) != 1 || a.NodePreferred[0].Weight != 30 {
				t.Errorf("NodePreferred = %+v", a.NodePreferred)
			}
			anti := a.PodAnti.Required[0]
			wantSel := &api.Selector{Requirements: []api.Requirement{
				{Key: "app", Operator: api.OpIn, Values: []string{"web"}},
				{Key: "tier", Operator: api.OpNotIn, Values: []string{"db"}},
			}}
			if !reflect.DeepEqual(anti.Selector, wantSel) || !anti.NamespaceSelector.Empty() || anti.TopologyKey != "kubernetes.io/hostname" || !reflect.DeepEqual(anti.MatchLabelKeys, []string{"pod-template-hash"}) {
				t.Errorf("anti = %+v", anti)
			}
			pref := a.PodAffinity.Preferred[0]
			if pref.Weight != 50 || pref.Term.NamespaceSelector != nil || !reflect.DeepEqual(pref.Term.Namespaces, []string{"other"}) {
				t.Errorf("pod affinity preferred = %+v", pref)
			}
			tsc := p.Spec.TopologySpreadConstraints
			if tsc[0].MinDomains != 1 || tsc[0].NodeAffinityPolicy != "Honor" || tsc[0].NodeTaintsPolicy != "Ignore" {
				t.Errorf("spread defaults = %+v", tsc[0])
			}
			if tsc[1].MinDomains != 3 || tsc[1].NodeAffinityPolicy != "Ignore" || tsc[1].NodeTaintsPolicy != "Honor" || tsc[1].MaxSkew != 2 {
				t.Errorf("spread explicit = %+v", tsc[1])
			}
		},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.check(t, decodeOne(t, tt.manifest).(*api.Pod))
		})
	}
}

func TestNodeConversion(t *testing.T) {
	n := decodeOne(t, `
apiVersion: v1
kind: Node
metadata: {name: n1, namespace: ignored, labels: {topology.kubernetes.io/zone: a}}
spec:
  unschedulable: true
  taints:
  - {key: spot, value: "true", effect: NoSchedule}
  - {key: node.kubernetes.io/unreachable, effect: NoExecute, timeAdded: "2026-03-02T08:00:06Z"}
status:
  capacity: {cpu: "8", memory: 32Gi, pods: "64", nvidia.com/gpu: "4", hugepages-1Gi: "0"}
  images:
  - {names: [docker.io/library/nginx:1.25.3, nginx:1.25.3], sizeBytes: 70000000}
  conditions:
  - {type: Ready, status: "False", reason: KubeletNotReady}
`).(*api.Node)
	want := api.Resources{MilliCPU: 8000, Memory: 32 * gi, Scalar: []api.Scalar{{Name: "nvidia.com/gpu", Value: 4}}}
	if !reflect.DeepEqual(n.Capacity, want) || !reflect.DeepEqual(n.Allocatable, want) {
		t.Errorf("capacity %+v allocatable %+v, want both %+v", n.Capacity, n.Allocatable, want)
	}
	if n.AllowedPods != 64 || !n.Unschedulable || n.Namespace != "" {
		t.Errorf("pods %d unschedulable %v namespace %q", n.AllowedPods, n.Unschedulable, n.Namespace)
	}
	if n.IsReady() || n.Conditions[0].Reason != "KubeletNotReady" {
		t.Errorf("conditions = %+v", n.Conditions)
	}
	if n.Taints[0].TimeAdded != nil || n.Taints[1].TimeAdded == nil || *n.Taints[1].TimeAdded != sim.Time(0) {
		t.Errorf("taints = %+v", n.Taints)
	}
	if len(n.Images) != 1 || n.Images[0].SizeBytes != 70000000 || len(n.Images[0].Names) != 2 {
		t.Errorf("images = %+v", n.Images)
	}

	n = decodeOne(t, `
apiVersion: v1
kind: Node
metadata: {name: n2}
status:
  capacity: {cpu: "4", memory: 16Gi, pods: "110"}
  allocatable: {cpu: 3920m, memory: 15Gi}
`).(*api.Node)
	if n.Allocatable.MilliCPU != 3920 || n.Allocatable.Memory != 15*gi || n.AllowedPods != 110 || n.Capacity.MilliCPU != 4000 {
		t.Errorf("n2 = %+v", n)
	}
}

func TestWorkloadConversion(t *testing.T) {
	objs, err := Decode("w.yaml", []byte(`
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata:
      labels: {app: web}
      annotations: {kubesim.io/run-duration: 10m}
    spec:
      containers: [{name: a, image: nginx, resources: {limits: {cpu: 250m, memory: 64Mi}}}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: db}
spec:
  replicas: 0
  revisionHistoryLimit: 2
  progressDeadlineSeconds: 60
  strategy: {type: RollingUpdate, rollingUpdate: {maxSurge: 1}}
  selector: {matchLabels: {app: db}}
  template:
    metadata: {labels: {app: db}}
    spec: {containers: [{name: a, image: pg}]}
---
apiVersion: apps/v1
kind: ReplicaSet
metadata: {name: rs, namespace: ns}
spec:
  selector: {matchExpressions: [{key: app, operator: Exists}]}
  template:
    metadata: {labels: {app: x}}
    spec: {containers: [{name: a, image: x}]}
---
apiVersion: batch/v1
kind: Job
metadata: {name: batch, uid: u-1}
spec:
  template:
    spec:
      restartPolicy: Never
      containers: [{name: a, image: x}]
---
apiVersion: batch/v1
kind: Job
metadata: {name: queue}
spec:
  parallelism: 4
  backoffLimit: 2
  template:
    metadata: {labels: {team: a}}
    spec:
      restartPolicy: OnFailure
      containers: [{name: a, image: x}]
---
apiVersion: scheduling.k8s.io/v1
kind: PriorityClass
metadata: {name: high}
value: 1000
globalDefault: true
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {name: pdb}
spec:
  maxUnavailable: 10%
  selector: {matchLabels: {app: web}}
---
apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  selector: {app: web}
  ports: [{port: 80}]
---
apiVersion: v1
kind: Namespace
metadata: {name: team-a}
`))
	if err != nil {
		t.Fatal(err)
	}
	if len(objs) != 9 {
		t.Fatalf("got %d objects", len(objs))
	}
	web := objs[0].(*api.Deployment)
	quarter := api.IntOrPercent{Value: 25, IsPercent: true}
	if web.Replicas != 1 || web.Strategy.Type != "RollingUpdate" || web.Strategy.MaxSurge != quarter || web.Strategy.MaxUnavailable != quarter ||
		web.RevisionHistoryLimit != 10 || web.ProgressDeadlineSeconds != 600 {
		t.Errorf("web defaults = %+v", web)
	}
	spec := web.Template.Spec
	if spec.RunDuration != 10*time.Minute || spec.Requests.MilliCPU != 250 || spec.Requests.Memory != 64*mi {
		t.Errorf("web template spec = %+v", spec)
	}
	db := objs[1].(*api.Deployment)
	if db.Replicas != 0 || db.RevisionHistoryLimit != 2 || db.ProgressDeadlineSeconds != 60 ||
		db.Strategy.MaxSurge != (api.IntOrPercent{Value: 1}) || db.Strategy.MaxUnavailable != quarter {
		t.Errorf("db = %+v", db)
	}
	rs := objs[2].(*api.ReplicaSet)
	if rs.Replicas != 1 || rs.Namespace != "ns" || !rs.Selector.Matches(rs.Template.Labels) {
		t.Errorf("rs = %+v", rs)
	}
	job := objs[3].(*api.Job)
	if job.Parallelism != 1 || job.Completions == nil || *job.Completions != 1 || job.BackoffLimit != 6 || job.CompletionMode != "NonIndexed" {
		t.Errorf("job defaults = %+v", job)
	}
	if !job.Selector.Matches(job.Template.Labels) || job.Template.Labels["batch.kubernetes.io/controller-uid"] != "u-1" ||
		job.Template.Labels["job-name"] != "batch" || job.Template.Spec.RestartPolicy != api.RestartNever {
		t.Errorf("job selector %+v labels %v", job.Selector, job.Template.Labels)
	}
	queue := objs[4].(*api.Job)
	if queue.Parallelism != 4 || queue.Completions != nil || queue.BackoffLimit != 2 || !queue.Selector.Matches(queue.Template.Labels) || queue.Template.Labels["team"] != "a" {
		t.Errorf("queue = %+v selector %+v", queue, queue.Selector)
	}
	pc := objs[5].(*api.PriorityClass)
	if pc.Value != 1000 || !pc.GlobalDefault || pc.PreemptionPolicy != api.PreemptLowerPriority || pc.Namespace != "" {
		t.Errorf("pc = %+v", pc)
	}
	pdb := objs[6].(*api.PodDisruptionBudget)
	if pdb.MinAvailable != nil || *pdb.MaxUnavailable != (api.IntOrPercent{Value: 10, IsPercent: true}) || !pdb.Selector.Matches(map[string]string{"app": "web"}) {
		t.Errorf("pdb = %+v", pdb)
	}
	svc := objs[7].(*api.Service)
	if !svc.Selector.Matches(map[string]string{"app": "web", "x": "y"}) || svc.Selector.Matches(map[string]string{"app": "db"}) {
		t.Errorf("svc selector = %+v", svc.Selector)
	}
	ns := objs[8].(*api.Namespace)
	if ns.Labels["kubernetes.io/metadata.name"] != "team-a" {
		t.Errorf("namespace labels = %v", ns.Labels)
	}
}

func TestTemplateSpecShared(t *testing.T) {
	d := decodeOne(t, `
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: a, image: nginx, resources: {requests: {cpu: 1}}}]}
`).(*api.Deployment)
	if d.Template.Spec.Requests.MilliCPU != 1000 {
		t.Errorf("template spec not compiled: %+v", d.Template.Spec.Requests)
	}
}

func TestLists(t *testing.T) {
	objs, err := Decode("l.yaml", []byte(`apiVersion: v1
kind: List
metadata: {resourceVersion: ""}
items:
- apiVersion: v1
  kind: Namespace
  metadata: {name: a}
- apiVersion: v1
  kind: Pod
  metadata: {name: p, namespace: a}
  spec: {containers: [{name: c, image: x}]}
---
---
apiVersion: v1
kind: PodList
items:
- metadata: {name: q}
  spec: {containers: [{name: c, image: x}]}
`))
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, o := range objs {
		keys = append(keys, string(o.GetKind())+" "+o.GetMeta().Key())
	}
	want := []string{"Namespace a", "Pod a/p", "Pod default/q"}
	if !reflect.DeepEqual(keys, want) {
		t.Errorf("objects = %v, want %v", keys, want)
	}
}

func TestEmptyInput(t *testing.T) {
	for _, in := range []string{"", "---\n", "# just a comment\n---\n\n---\n# another\n", "null\n"} {
		objs, err := Decode("e.yaml", []byte(in))
		if err != nil || len(objs) != 0 {
			t.Errorf("Decode(%q) = %v, %v; want nothing", in, objs, err)
		}
	}
}

func TestJSONInput(t *testing.T) {
	p := decodeOne(t, `{"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": {"containers": [{"name": "c", "image": "x"}]}}`).(*api.Pod)
	if p.Name != "p" {
		t.Errorf("name = %q", p.Name)
	}
}

func TestLoadFile(t *testing.T) {
	if _, err := LoadFile("testdata/does-not-exist.yaml"); err == nil {
		t.Error("LoadFile of a missing file succeeded")
	}
}

func TestDeterministic(t *testing.T) {
	data := []byte(`
apiVersion: v1
kind: Pod
metadata: {name: p, labels: {b: "1", a: "2", c: "3"}}
spec:
  containers: [{name: c, image: x, resources: {requests: {z.io/r: 1, a.io/r: 2, cpu: 1}}}]
  affinity:
    podAffinity:
      requiredDuringSchedulingIgnoredDuringExecution:
      - {labelSelector: {matchLabels: {z: "1", a: "1", m: "1"}}, topologyKey: zone}
`)
	first, err := Decode("d.yaml", data)
	if err != nil {
		t.Fatal(err)
	}
	for range 20 {
		again, _ := Decode("d.yaml", data)
		if !reflect.DeepEqual(first, again) {
			t.Fatal("Decode is not deterministic")
		}
	}
	sel := first[0].(*api.Pod).Spec.Affinity.PodAffinity.Required[0].Selector
	if sel.Requirements[0].Key != "a" || sel.Requirements[1].Key != "m" || sel.Requirements[2].Key != "z" {
		t.Errorf("matchLabels not sorted: %+v", sel.Requirements)
	}
}

func TestAppsConversion(t *testing.T) {
	objs, err := Decode("apps.yaml", []byte(`
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db, namespace: data}
spec:
  serviceName: db
  selector: {matchLabels: {app: db}}
  template:
    metadata: {labels: {app: db}}
    spec: {containers: [{name: pg, image: postgres, resources: {requests: {cpu: 500m, memory: 1Gi}}}]}
status: {replicas: 3, readyReplicas: 2, currentRevision: db-1, updateRevision: db-2}
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: cache}
spec:
  replicas: 5
  podManagementPolicy: Parallel
  revisionHistoryLimit: 3
  minReadySeconds: 10
  updateStrategy: {rollingUpdate: {partition: 2, maxUnavailable: 50%}}
  selector: {matchLabels: {app: cache}}
  template:
    metadata: {labels: {app: cache}}
    spec: {containers: [{name: c, image: redis}]}
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: manual}
spec:
  replicas: 0
  updateStrategy: {type: OnDelete}
  selector: {matchLabels: {app: manual}}
  template:
    metadata: {labels: {app: manual}}
    spec: {containers: [{name: c, image: x}]}
---
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: agent, namespace: kube-system}
spec:
  selector: {matchLabels: {app: agent}}
  template:
    metadata: {labels: {app: agent}}
    spec:
      tolerations: [{operator: Exists}]
      containers: [{name: a, image: agent, resources: {limits: {cpu: 100m, memory: 128Mi}}}]
status: {desiredNumberScheduled: 4, numberReady: 3}
---
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: surge}
spec:
  revisionHistoryLimit: 1
  updateStrategy: {type: RollingUpdate, rollingUpdate: {maxUnavailable: 0, maxSurge: 25%}}
  selector: {matchLabels: {app: surge}}
  template:
    metadata: {labels: {app: surge}}
    spec: {containers: [{name: a, image: x}]}
---
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: manual}
spec:
  updateStrategy: {type: OnDelete}
  selector: {matchLabels: {app: manual}}
  template:
    metadata: {labels: {app: manual}}
    spec: {containers: [{name: a, image: x}]}
---
apiVersion: batch/v1
kind: Job
metadata: {name: j}
spec:
  template: {spec: {restartPolicy: Never, containers: [{name: a, image: x}]}}
---
apiVersion: batch/v1
kind: Job
metadata: {name: failed-only}
spec:
  podReplacementPolicy: Failed
  template: {spec: {restartPolicy: Never, containers: [{name: a, image: x}]}}
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {name: pdb}
spec: {minAvailable: 1, selector: {matchLabels: {app: db}}}
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {name: pdb-always}
spec: {maxUnavailable: 1, unhealthyPodEvictionPolicy: AlwaysAllow, selector: {matchLabels: {app: db}}}
`))
	if err != nil {
		t.Fatal(err)
	}
	if len(objs) != 10 {
		t.Fatalf("got %d objects", len(objs))
	}
	db := objs[0].(*api.StatefulSet)
	if db.Replicas != 1 || db.PodManagementPolicy != "OrderedReady" || db.ServiceName != "db" || db.RevisionHistoryLimit != 10 ||
		db.UpdateStrategy != (api.StatefulSetUpdateStrategy{Type: "RollingUpdate"}) || db.Namespace != "data" {
		t.Errorf("db defaults = %+v", db)
	}
	if !db.Selector.Matches(db.Template.Labels) || db.Template.Spec.Requests.MilliCPU != 500 || db.Template.Spec.Requests.Memory != gi ||
		db.Template.Spec.RestartPolicy != api.RestartAlways {
		t.Errorf("db template = %+v", db.Template.Spec)
	}
	if db.Status.Replicas != 3 || db.Status.ReadyReplicas != 2 || db.Status.CurrentRevision != "db-1" || db.Status.UpdateRevision != "db-2" {
		t.Errorf("db status = %+v", db.Status)
	}
	cache := objs[1].(*api.StatefulSet)
	half := api.IntOrPercent{Value: 50, IsPercent: true}
	if cache.Replicas != 5 || cache.PodManagementPolicy != "Parallel" || cache.RevisionHistoryLimit != 3 || cache.MinReadySeconds != 10 ||
		cache.UpdateStrategy.Type != "RollingUpdate" || cache.UpdateStrategy.Partition != 2 ||
		cache.UpdateStrategy.MaxUnavailable == nil || *cache.UpdateStrategy.MaxUnavailable != half || cache.Namespace != "default" {
		t.Errorf("cache = %+v, strategy %+v", cache, cache.UpdateStrategy)
	}
	if m := objs[2].(*api.StatefulSet); m.Replicas != 0 || m.UpdateStrategy != (api.StatefulSetUpdateStrategy{Type: "OnDelete"}) {
		t.Errorf("manual statefulset = %+v", m)
	}
	agent := objs[3].(*api.DaemonSet)
	if agent.UpdateStrategy != (api.DaemonSetUpdateStrategy{Type: "RollingUpdate", MaxUnavailable: api.IntOrPercent{Value: 1}}) ||
		agent.RevisionHistoryLimit != 10 || agent.Namespace != "kube-system" {
		t.Errorf("agent defaults = %+v", agent)
	}
	if s := agent.Template.Spec; s.Requests.MilliCPU != 100 || s.Requests.Memory != 128*mi || len(s.Tolerations) != 1 {
		t.Errorf("agent template = %+v", s)
	}
	if agent.Status.DesiredNumberScheduled != 4 || agent.Status.NumberReady != 3 {
		t.Errorf("agent status = %+v", agent.Status)
	}
	surge := objs[4].(*api.DaemonSet)
	if surge.UpdateStrategy != (api.DaemonSetUpdateStrategy{Type: "RollingUpdate", MaxSurge: api.IntOrPercent{Value: 25, IsPercent: true}}) ||
		surge.RevisionHistoryLimit != 1 {
		t.Errorf("surge = %+v", surge)
	}
	if m := objs[5].(*api.DaemonSet); m.UpdateStrategy != (api.DaemonSetUpdateStrategy{Type: "OnDelete"}) {
		t.Errorf("manual daemonset strategy = %+v", m.UpdateStrategy)
	}
	if j := objs[6].(*api.Job); j.PodReplacementPolicy != "TerminatingOrFailed" {
		t.Errorf("job podReplacementPolicy = %q", j.PodReplacementPolicy)
	}
	if j := objs[7].(*api.Job); j.PodReplacementPolicy != "Failed" {
		t.Errorf("job podReplacementPolicy = %q", j.PodReplacementPolicy)
	}
	if p := objs[8].(*api.PodDisruptionBudget); p.UnhealthyPodEvictionPolicy != "IfHealthyBudget" {
		t.Errorf("pdb unhealthyPodEvictionPolicy = %q", p.UnhealthyPodEvictionPolicy)
	}
	if p := objs[9].(*api.PodDisruptionBudget); p.UnhealthyPodEvictionPolicy != "AlwaysAllow" {
		t.Errorf("pdb unhealthyPodEvictionPolicy = %q", p.UnhealthyPodEvictionPolicy)
	}
}

func TestAppsTemplateSpecShared(t *testing.T) {
	s := decodeOne(t, `
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db}
spec:
  selector: {matchLabels: {app: db}}
  template:
    metadata: {labels: {app: db}}
    spec: {containers: [{name: a, image: x, resources: {requests: {cpu: 2}}}]}
`).(*api.StatefulSet)
	d := decodeOne(t, `
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: agent}
spec:
  selector: {matchLabels: {app: agent}}
  template:
    metadata: {labels: {app: agent}}
    spec: {containers: [{name: a, image: x, resources: {requests: {cpu: 250m}}}]}
`).(*api.DaemonSet)
	if s.Template.Spec.Requests.MilliCPU != 2000 || d.Template.Spec.Requests.MilliCPU != 250 {
		t.Errorf("template specs not compiled: %+v / %+v", s.Template.Spec.Requests, d.Template.Spec.Requests)
	}
}

func TestTemplateHashFollowsContent(t *testing.T) {
	doc := func(image string) []byte {
		return []byte(`apiVersion: apps/v1
kind: ReplicaSet
metadata: {name: web, namespace: default}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: c, image: ` + image + `}]}
`)
	}
	hash := func(image string) uint32 {
		objs, err := Decode("h.yaml", doc(image))
		if err != nil {
			t.Fatal(err)
		}
		return objs[0].(*api.ReplicaSet).Template.Hash
	}
	if hash("nginx:1.25") != hash("nginx:1.25") || hash("nginx:1.25") == hash("nginx:1.26") || hash("nginx:1.25") == 0 {
		t.Fatal("template hash must be equal for equal templates and differ for different ones")
	}
}
