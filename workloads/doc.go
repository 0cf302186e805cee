// Package workloads turns what arrives at a simulated cluster into objects of
// kubesim's compact model (package sim/api). Today that is Kubernetes
// manifests: the YAML that `kubectl get -o yaml` writes or that users apply.
//
// Decode and LoadFile accept a stream of "---"-separated YAML (or JSON)
// documents, each one object or a List of objects (kubectl's kind List, or a
// typed list such as PodList). Supported kinds are Namespace, Node, Pod and
// Service (v1), ReplicaSet, Deployment, StatefulSet and DaemonSet (apps/v1),
// Job (batch/v1), PriorityClass (scheduling.k8s.io/v1) and
// PodDisruptionBudget (policy/v1).
// Any other kind or apiVersion is an error that names it.
//
// Each object goes through the same steps as on a real API server:
//
//  1. Strict decoding into the k8s.io/api type. An unknown or duplicate field,
//     a value of the wrong type, a bad quantity, time or int-or-string is an
//     error with its field path.
//  2. Defaulting, as upstream: container requests from limits; node
//     allocatable from capacity (allocatable pods 110 when absent);
//     schedulerName "default-scheduler", restartPolicy Always,
//     terminationGracePeriodSeconds 30 and the probe defaults on pods;
//     hostPort from containerPort with hostNetwork; Deployment replicas 1,
//     RollingUpdate 25%/25%, revisionHistoryLimit 10,
//     progressDeadlineSeconds 600; ReplicaSet replicas 1; StatefulSet
//     replicas 1, podManagementPolicy OrderedReady, updateStrategy
//     RollingUpdate with partition 0, revisionHistoryLimit 10; DaemonSet
//     updateStrategy RollingUpdate with maxUnavailable 1 and maxSurge 0,
//     revisionHistoryLimit 10; Job parallelism, completions, backoffLimit 6,
//     completionMode NonIndexed, podReplacementPolicy TerminatingOrFailed and
//     the generated selector; PodDisruptionBudget unhealthyPodEvictionPolicy
//     IfHealthyBudget; PriorityClass preemptionPolicy PreemptLowerPriority;
//     topology spread minDomains 1, nodeAffinityPolicy Honor, nodeTaintsPolicy Ignore;
//     the Namespace label kubernetes.io/metadata.name. Namespaced objects
//     without a namespace go to "default".
//  3. Validation of what upstream's API server checks and the simulation
//     depends on (names, selectors and their operators, tolerations, taints,
//     replicas and other counts, rollout parameters, probes, ports, resource
//     amounts), plus what kubesim does not simulate: pods (and pod templates)
//     with volumes other than emptyDir, configMap, secret, downwardAPI,
//     projected and hostPath, or with resource claims (DRA), and StatefulSets
//     with volumeClaimTemplates, are rejected.
//  4. Conversion into sim/api: integer resource vectors (cpu in millicores,
//     memory and other resources in bytes or base units, rounded up), compiled
//     label and node selectors, affinity and spread terms. Each pod template
//     becomes one api.PodTemplate whose *api.PodSpec is compiled once and is
//     shared by every pod made from it.
//
// The kubesim.io/run-duration annotation (a Go duration) on a pod or a pod
// template's metadata sets PodSpec.RunDuration: how long the pod runs before
// its containers exit successfully.
//
// Objects from a dump of a running cluster keep what the simulation needs of
// their state: a pod's spec.nodeName, spec.priority, status.phase, conditions
// and container states; node conditions; controller status counts. Absolute
// times are not kept: every object starts at virtual time 0 (an object being
// deleted in the dump gets a DeletionTimestamp one grace period after 0, a
// NoExecute taint a TimeAdded of 0). UIDs and owner references are kept.
//
// All problems of a file are reported together, as an ErrorList whose entries
// name the file, the document (and List item), the object and the field:
//
//	web.yaml: document 2 (Deployment default/web): unknown field "spec.template.spec.containers[0].imagee"
//
// Decoding never panics and never reads anything but its input; the result
// depends only on the input bytes.
package workloads
