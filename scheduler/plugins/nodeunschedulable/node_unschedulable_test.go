package nodeunschedulable

import (
	"testing"

	"github.com/kubesim/kubesim/scheduler/framework"
	tu "github.com/kubesim/kubesim/scheduler/plugins/internal/testutil"
	"github.com/kubesim/kubesim/sim/api"
)

func TestFilter(t *testing.T) {
	cordoned := tu.MakeNode().Name("n").Unschedulable().Obj()
	open := tu.MakeNode().Name("n").Obj()
	tests := []struct {
		name string
		pod  *api.Pod
		node *api.Node
		want framework.Code
	}{
		{"schedulable node", tu.MakePod().Name("p").Obj(), open, framework.Success},
		{"cordoned node", tu.MakePod().Name("p").Obj(), cordoned, framework.UnschedulableAndUnresolvable},
		{"tolerates the unschedulable taint", tu.MakePod().Name("p").
			Toleration(api.TaintNodeUnschedulable, api.TolerationOpExists, "", api.TaintNoSchedule).Obj(), cordoned, framework.Success},
		{"tolerates everything", tu.MakePod().Name("p").Toleration("", api.TolerationOpExists, "", "").Obj(), cordoned, framework.Success},
		{"toleration with the wrong effect", tu.MakePod().Name("p").
			Toleration(api.TaintNodeUnschedulable, api.TolerationOpExists, "", api.TaintNoExecute).Obj(), cordoned, framework.UnschedulableAndUnresolvable},
	}
	pl, err := New(nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	f := pl.(framework.FilterPlugin)
	for _, tc := range tests {
		st := f.Filter(framework.NewCycleState(), tc.pod, tu.NodeInfo(tc.node))
		if st.Code() != tc.want {
			t.Errorf("%s: code %v, want %v", tc.name, st.Code(), tc.want)
		}
		if tc.want != framework.Success && st.Message() != ErrReasonUnschedulable {
			t.Errorf("%s: message %q", tc.name, st.Message())
		}
	}
	if st := f.Filter(framework.NewCycleState(), tu.MakePod().Obj(), framework.NewNodeInfo()); st.Code() != framework.Error {
		t.Errorf("no node: code %v, want Error", st.Code())
	}
}
