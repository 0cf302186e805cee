package schedulinggates

import (
	"testing"

	"github.com/kubesim/kubesim/scheduler/framework"
	"github.com/kubesim/kubesim/scheduler/plugins/internal/testutil"
)

func TestPreEnqueue(t *testing.T) {
	tests := []struct {
		name     string
		gates    []string
		wantCode framework.Code
		wantMsg  string
	}{
		{"no gates", nil, framework.Success, ""},
		{"one gate", []string{"example.com/wait"}, framework.UnschedulableAndUnresolvable, "waiting for scheduling gates: [example.com/wait]"},
		{"two gates in order", []string{"a", "b"}, framework.UnschedulableAndUnresolvable, "waiting for scheduling gates: [a b]"},
	}
	pl, err := New(nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range tests {
		st := pl.(*SchedulingGates).PreEnqueue(testutil.MakePod().Name("p").Gates(tc.gates...).Obj())
		if st.Code() != tc.wantCode || st.Message() != tc.wantMsg {
			t.Errorf("%s: got %v %q, want %v %q", tc.name, st.Code(), st.Message(), tc.wantCode, tc.wantMsg)
		}
	}
}
