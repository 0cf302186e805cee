package api

import (
	"time"

	"github.com/kubesim/kubesim/sim"
)

// KindLease is the kind of node leases (coordination.k8s.io/v1 Lease).
const KindLease Kind = "Lease"

// NodeLeaseNamespace holds one Lease per node, named after the node.
const NodeLeaseNamespace = "kube-node-lease"

// Lease is a node's heartbeat, as the kubelet renews it upstream.
//
// Heartbeats are not events (DESIGN principle 4). A kubelet that is alive
// and reporting writes its lease once, with Renewing set: from then on it is
// renewed every RenewInterval without any write, and RenewTimeAt computes the
// renew time the API server would show at any moment. When the kubelet stops
// reporting (a crash, a partition), it writes the lease with Renewing false
// and RenewTime frozen at its last renewal; that is what the node lifecycle
// controller sees go stale.
type Lease struct {
	ObjectMeta
	HolderIdentity       string
	LeaseDurationSeconds int32
	// AcquireTime is when the current holder took the lease.
	AcquireTime sim.Time
	// RenewTime is the first renewal of the current run of renewals when
	// Renewing, else the last renewal.
	RenewTime sim.Time
	// Renewing says the holder renews every RenewInterval from RenewTime on.
	Renewing      bool
	RenewInterval time.Duration
}

// RenewTimeAt returns the lease's renew time as seen at now: the last
// renewal at or before now.
func (l *Lease) RenewTimeAt(now sim.Time) sim.Time {
	if !l.Renewing || l.RenewInterval <= 0 || now <= l.RenewTime {
		return l.RenewTime
	}
	k := (now - l.RenewTime) / sim.Time(l.RenewInterval)
	return l.RenewTime + k*sim.Time(l.RenewInterval)
}

// GetKind returns KindLease.
func (*Lease) GetKind() Kind { return KindLease }

// Clone returns a shallow copy.
func (l *Lease) Clone() *Lease { c := *l; return &c }

// CloneObject returns a shallow copy as an Object.
func (l *Lease) CloneObject() Object { return l.Clone() }
