// Package traces reads published cluster traces and replays them as
// Kubernetes objects: the Alibaba openb GPU cluster trace (dataset
// alibaba-gpu-v2023, the FGD paper's node and pod lists), the Alibaba
// GPU-disaggregated DLRM inference trace (alibaba-dlrm-v2025) and the Alibaba
// PAI 2020 machine list (alibaba-pai-v2020). The data, with provenance,
// licences and checksums, is in the repository under data/traces/<dataset>/;
// docs/traces.md describes each dataset and its mapping.
//
// # Reading
//
// ReadOpenBNodes, ReadOpenBPods, ReadDLRM and ReadPAI (and their Load* file
// forms) parse a CSV into typed records, one per row, checking every field.
// A problem is a *ParseError naming the file, the line and byte column where
// the bad field starts, and the column's name:
//
//	openb_pod_list_default.csv:12:27: field "num_gpu": expected an integer, got "x"
//
// Readers never panic, whatever the input. Units are the traces' own in the
// records (millicores, MiB, GiB, whole vCPUs, seconds as time.Duration) and
// Kubernetes' in the objects.
//
// # Mapping to Kubernetes objects
//
// Nodes get cpu and memory allocatable (= capacity), 110 pods, the hostname
// label, and their GPUs as two extended resources: ResourceGPUCount (whole
// devices) and ResourceGPUMilli (1000 per device), with the model as label
// LabelGPUCardModel (absent on CPU-only nodes). Pods get requests = limits
// for cpu and memory, the GPU request as ResourceGPUCount = num_gpu and
// ResourceGPUMilli = num_gpu × gpu_milli, and a gpu_spec as required node
// affinity LabelGPUCardModel In [models]. Aggregate extended resources let
// the default profile check totals; the per-device rule (a sharing pod must
// fit on one device) is the GPU-sharing plugin's (scheduler/plugins/gpushare),
// which reads the same names. QoS classes can map to priority classes
// (QoSPriorityClasses). DLRM instances get a node selector on LabelDLRMRole
// (CN or HN pool) and their max_instance_per_node as per-app slot resources
// (CapSlots: exact where an app's instances share one cap; see CapMode).
//
// # Replay
//
// Items pair an object with its recorded creation and deletion time. Replay
// turns items into a source.Source in one of three modes: Recorded (times as
// recorded, pods deleted at their deletion time), Compressed (times divided
// by a factor) and Arrival (back to back in file order, or shuffled by a
// named seeded stream, never deleted: the FGD methodology). Play from package
// workloads/source writes the events to the store as virtual time passes.
//
// # Scenario files (proposed)
//
// Spec is the trace entry of a scenario's spec.sources list; Open turns it
// into nodes and a source. The proposed YAML, next to a generator entry
// (package workloads/generators):
//
//	spec:
//	  sources:
//	  - name: openb
//	    trace:
//	      dataset: alibaba-gpu-v2023      # | alibaba-dlrm-v2025 | alibaba-pai-v2020
//	      file: data/traces/alibaba-gpu-v2023/openb_pod_list_default.csv
//	      nodes: data/traces/alibaba-gpu-v2023/openb_node_list_gpu_node.csv
//	      mode: arrival                   # recorded (default) | compressed | arrival
//	      factor: 60                      # compressed: trace seconds per virtual second
//	      start: 2764800s                 # recorded/compressed: trace time at t=0
//	      interval: 1s                    # arrival: gap between arrivals
//	      limit: 5000                     # first N items (after shuffling)
//	      shuffle: workloads/openb/order  # arrival: named seeded stream; omit = file order
//	      priorityClasses: qos            # map QoS classes to priority classes
//	      namespace: default
//	      cap: slots                      # DLRM max_instance_per_node: slots | none
//	  - name: batch
//	    generator: {...}                  # see package workloads/generators
//
// Random streams are named after the source ("workloads/<name>/..."), so
// adding a source does not shift another's draws.
package traces
