package results

import (
	"encoding/json"
	"testing"

	"github.com/kubesim/kubesim/sim"
)

// TestLatencyStatsOf checks the empirical percentiles against hand-computed
// values: the p-quantile is the smallest x with at least p·n observations ≤ x.
func TestLatencyStatsOf(t *testing.T) {
	tests := []struct {
		name string
		in   []float64
		want LatencyStats
	}{
		{"empty", nil, LatencyStats{}},
		{"one", []float64{2.5}, LatencyStats{Count: 1, P50: 2.5, P90: 2.5, P99: 2.5, Mean: 2.5, Max: 2.5}},
		// n=10: p50 → 5th value (0.5·10 = 5), p90 → 9th, p99 → 10th (9.9).
		{"1..10 shuffled", []float64{7, 3, 10, 1, 9, 2, 8, 4, 6, 5},
			LatencyStats{Count: 10, P50: 5, P90: 9, P99: 10, Mean: 5.5, Max: 10}},
		// n=4: p50 → 2nd (2), p90 → 4th (3.6), p99 → 4th.
		{"four", []float64{0.4, 0.1, 0.3, 0.2}, LatencyStats{Count: 4, P50: 0.2, P90: 0.4, P99: 0.4, Mean: 0.25, Max: 0.4}},
		// n=200, values 1..200: p50 → 100th, p90 → 180th, p99 → 198th.
		{"1..200", seq(200), LatencyStats{Count: 200, P50: 100, P90: 180, P99: 198, Mean: 100.5, Max: 200}},
		// n=3: p50 → 2nd (1.5), p90 → 3rd (2.7), p99 → 3rd.
		{"three with ties", []float64{1, 1, 5}, LatencyStats{Count: 3, P50: 1, P90: 5, P99: 5, Mean: 7.0 / 3, Max: 5}},
	}
	for _, tt := range tests {
		checkLatency(t, tt.name, LatencyStatsOf(tt.in), tt.want)
	}
}

func seq(n int) []float64 {
	out := make([]float64, n)
	for i := range out {
		out[i] = float64(n - i) // descending, so the sort matters
	}
	return out
}

func TestFixedJSON(t *testing.T) {
	b, err := json.Marshal(struct {
		A, B, C Fixed
	}{1.0 / 3, 2, -1.25})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := string(b), `{"A":0.333333,"B":2.000000,"C":-1.250000}`; got != want {
		t.Errorf("got %s, want %s", got, want)
	}
}

func TestAppendTime(t *testing.T) {
	tests := []struct {
		t    sim.Time
		want string
	}{
		{unset, ""},
		{0, "0.000"},
		{1, "0.000"},
		{499_999, "0.000"},
		{500_000, "0.001"}, // half a millisecond rounds up
		{1_499_999, "0.001"},
		{1_500_000, "0.002"},
		{999_999_999, "1.000"},
		{61_234_567_890, "61.235"},
		{sec(7 * 24 * 3600), "604800.000"},
	}
	for _, tt := range tests {
		if got := string(appendTime(nil, tt.t)); got != tt.want {
			t.Errorf("appendTime(%d) = %q, want %q", int64(tt.t), got, tt.want)
		}
	}
}

func TestAppendJSONString(t *testing.T) {
	for _, s := range []string{"", "plain", `q"uote\back`, "tab\tnl\ncr\r", "\x00\x01\x1f", "<&>", "héllo → ✓",
		"line\u2028sep\u2029", "bad\xffutf8"} {
		b := appendJSONString(nil, s)
		var got string
		if err := json.Unmarshal(b, &got); err != nil {
			t.Errorf("%q encodes to invalid JSON %s: %v", s, b, err)
			continue
		}
		want := s
		if s == "bad\xffutf8" {
			want = "bad\ufffdutf8"
		}
		if got != want {
			t.Errorf("%q round-trips to %q", s, got)
		}
		for _, c := range b {
			if c == '\n' {
				t.Errorf("%q encodes with a raw newline", s)
			}
		}
	}
	if got := string(appendJSONString(nil, "<a&b>")); got != `"<a&b>"` {
		t.Errorf("HTML characters escaped: %s", got)
	}
}

func TestAppendCSVField(t *testing.T) {
	for in, want := range map[string]string{"a": "a", "": "", "a,b": `"a,b"`, `a"b`: `"a""b"`, "a\nb": "\"a\nb\""} {
		if got := string(appendCSVField(nil, in)); got != want {
			t.Errorf("appendCSVField(%q) = %q, want %q", in, got, want)
		}
	}
}
