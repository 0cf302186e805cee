package api

// Well-known node labels.
const (
	LabelHostname     = "kubernetes.io/hostname"
	LabelZone         = "topology.kubernetes.io/zone"
	LabelRegion       = "topology.kubernetes.io/region"
	LabelInstanceType = "node.kubernetes.io/instance-type"
)

// Node condition types.
const (
	NodeReady = "Ready"
)

// Node is a cluster node.
type Node struct {
	ObjectMeta
	Unschedulable bool
	Taints        []Taint
	// Capacity and Allocatable are the node's resources; Allocatable defaults
	// to Capacity when a manifest omits it.
	Capacity    Resources
	Allocatable Resources
	// AllowedPods is allocatable "pods" (110 when unset, the kubelet default).
	AllowedPods int64
	// Images lists images already present on the node with their sizes.
	Images     []ContainerImage
	Conditions []Condition
}

// ContainerImage is an image present on a node, under all its names.
type ContainerImage struct {
	Names     []string
	SizeBytes int64
}

// GetKind returns KindNode.
func (*Node) GetKind() Kind { return KindNode }

// Clone returns a shallow copy.
func (n *Node) Clone() *Node { c := *n; return &c }

// IsReady reports whether the Ready condition is True.
func (n *Node) IsReady() bool {
	c := FindCondition(n.Conditions, NodeReady)
	return c != nil && c.Status == ConditionTrue
}

// Namespace is a namespace; its labels matter to namespace selectors.
type Namespace struct {
	ObjectMeta
}

// GetKind returns KindNamespace.
func (*Namespace) GetKind() Kind { return KindNamespace }

// Clone returns a shallow copy.
func (n *Namespace) Clone() *Namespace { c := *n; return &c }
