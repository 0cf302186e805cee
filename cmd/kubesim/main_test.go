package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const quickstart = "../../scenarios/quickstart.yaml"

func run(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var o, e bytes.Buffer
	code = Main(args, &o, &e)
	return code, o.String(), e.String()
}

func TestVersion(t *testing.T) {
	code, out, _ := run(t, "version")
	if code != 0 || !strings.HasPrefix(out, "kubesim "+Version) {
		t.Fatalf("code %d out %q", code, out)
	}
}

func TestValidateExitCodes(t *testing.T) {
	code, out, _ := run(t, "validate", quickstart)
	if code != exitOK || !strings.Contains(out, `scenario "quickstart" is valid: 6 nodes`) {
		t.Fatalf("valid scenario: code %d out %q", code, out)
	}
	cases := map[string]string{
		"../../scenarios/testdata/invalid-misspelled-field.yaml": "spec.cluster.nodePools[0].zonez: unknown field",
		"../../scenarios/testdata/invalid-bad-quantity.yaml":     `spec.containers[0].resources.requests.cpu: invalid quantity "lots"`,
	}
	for file, want := range cases {
		code, _, errOut := run(t, "validate", file)
		if code != exitBadInput || !strings.Contains(errOut, file) || !strings.Contains(errOut, want) {
			t.Errorf("%s: code %d stderr %q, want exit 2 naming the file and %q", file, code, errOut, want)
		}
	}
}

func TestUsageErrorsAreBadInput(t *testing.T) {
	for _, args := range [][]string{
		{"run"},
		{"run", quickstart, "--no-such-flag"},
		{"run", quickstart, "--until", "0s"},
		{"run", quickstart, "--seed", "minus-one"},
		{"frobnicate"},
	} {
		if code, _, _ := run(t, args...); code != exitBadInput {
			t.Errorf("%v: exit %d, want 2", args, code)
		}
	}
}

func TestRunWritesOutputsAndFlagsOverride(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "q")
	code, out, errOut := run(t, "run", quickstart, "--out", dir, "--until", "20m", "--seed", "7")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if !strings.Contains(out, "Latency") || !strings.Contains(out, "outputs in "+dir) {
		t.Fatalf("stdout lacks the summary table:\n%s", out)
	}
	for _, f := range []string{"summary.json", "pods.csv", "timeseries.csv", "events.jsonl"} {
		if fi, err := os.Stat(filepath.Join(dir, f)); err != nil || fi.Size() == 0 {
			t.Fatalf("%s missing or empty: %v", f, err)
		}
	}
	s := readSummary(t, dir)
	if s.Seed != 7 || s.Duration != 1200 {
		t.Fatalf("summary seed %d duration %v, want the flags' 7 and 1200 s", s.Seed, s.Duration)
	}
}

func TestEnvironmentOverrides(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "env")
	t.Setenv("KUBESIM_SEED", "9")
	t.Setenv("KUBESIM_UNTIL", "5m")
	t.Setenv("KUBESIM_OUT", dir)
	if code, _, errOut := run(t, "run", quickstart); code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	s := readSummary(t, dir)
	if s.Seed != 9 || s.Duration != 300 {
		t.Fatalf("seed %d duration %v, want 9 and 300 s from the environment", s.Seed, s.Duration)
	}
}

type summary struct {
	Seed     uint64  `json:"seed"`
	Duration float64 `json:"duration_seconds"`
}

func readSummary(t *testing.T, dir string) summary {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "summary.json"))
	if err != nil {
		t.Fatal(err)
	}
	var s summary
	if err := json.Unmarshal(b, &s); err != nil {
		t.Fatal(err)
	}
	return s
}
