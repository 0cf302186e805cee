package nodename

import (
	"testing"

	"github.com/kubesim/kubesim/scheduler/framework"
	tu "github.com/kubesim/kubesim/scheduler/plugins/internal/testutil"
)

func TestFilter(t *testing.T) {
	tests := []struct {
		name     string
		nodeName string
		want     framework.Code
	}{
		{"no node name", "", framework.Success},
		{"same node", "n1", framework.Success},
		{"other node", "n2", framework.UnschedulableAndUnresolvable},
	}
	pl, err := New(nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	f := pl.(framework.FilterPlugin)
	ni := tu.NodeInfo(tu.MakeNode().Name("n1").Obj())
	for _, tc := range tests {
		st := f.Filter(framework.NewCycleState(), tu.MakePod().Name("p").NodeName(tc.nodeName).Obj(), ni)
		if st.Code() != tc.want {
			t.Errorf("%s: code %v, want %v", tc.name, st.Code(), tc.want)
		}
		if tc.want != framework.Success && st.Message() != ErrReason {
			t.Errorf("%s: message %q", tc.name, st.Message())
		}
	}
}
