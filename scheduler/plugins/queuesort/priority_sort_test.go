package queuesort

import (
	"testing"

	"github.com/kubesim/kubesim/scheduler/framework"
	"github.com/kubesim/kubesim/scheduler/plugins/internal/testutil"
	"github.com/kubesim/kubesim/sim"
)

func qpi(prio int32, ts sim.Time, seq uint64) *framework.QueuedPodInfo {
	return &framework.QueuedPodInfo{Pod: testutil.MakePod().Name("p").Priority(prio).Obj(), Timestamp: ts, Seq: seq}
}

func TestLess(t *testing.T) {
	tests := []struct {
		name string
		a, b *framework.QueuedPodInfo
		want bool
	}{
		{"higher priority first", qpi(10, 5, 2), qpi(1, 1, 1), true},
		{"lower priority later", qpi(1, 1, 1), qpi(10, 5, 2), false},
		{"negative priority after zero", qpi(-5, 0, 0), qpi(0, 9, 9), false},
		{"equal priority, earlier timestamp first", qpi(3, 1, 9), qpi(3, 2, 1), true},
		{"equal priority, later timestamp", qpi(3, 2, 1), qpi(3, 1, 9), false},
		{"full tie broken by seq", qpi(3, 1, 1), qpi(3, 1, 2), true},
		{"identical is not less", qpi(3, 1, 1), qpi(3, 1, 1), false},
	}
	pl, err := New(nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	ps := pl.(*PrioritySort)
	for _, tc := range tests {
		if got := ps.Less(tc.a, tc.b); got != tc.want {
			t.Errorf("%s: Less = %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestNewRejectsArgs(t *testing.T) {
	if _, err := New(struct{}{}, nil); err == nil {
		t.Fatal("want error for unexpected args")
	}
}
