package helper

import (
	"slices"
	"testing"

	"github.com/kubesim/kubesim/scheduler/framework"
)

func TestDefaultNormalizeScore(t *testing.T) {
	tests := []struct {
		name    string
		reverse bool
		in      []int64
		want    []int64
	}{
		// m = 4: 100·1/4 = 25, 100·2/4 = 50, 100·4/4 = 100.
		{"scale", false, []int64{1, 2, 4, 0}, []int64{25, 50, 100, 0}},
		// m = 3: 100·1/3 = 33 → 67; 100·2/3 = 66 → 34; 3 → 0; 0 → 100.
		{"reverse truncates before subtracting", true, []int64{1, 2, 3, 0}, []int64{67, 34, 0, 100}},
		{"all zero stays zero", false, []int64{0, 0}, []int64{0, 0}},
		{"all zero reversed is max", true, []int64{0, 0}, []int64{100, 100}},
		// m = 7: 100·5/7 = 71.
		{"single", false, []int64{7, 5}, []int64{100, 71}},
		{"empty", true, nil, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			scores := make([]framework.NodeScore, len(tc.in))
			for i, s := range tc.in {
				scores[i] = framework.NodeScore{Name: "n", Score: s}
			}
			if st := DefaultNormalizeScore(framework.MaxNodeScore, tc.reverse, scores); st != nil {
				t.Fatalf("status %v", st)
			}
			var got []int64
			for _, s := range scores {
				got = append(got, s.Score)
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
}
