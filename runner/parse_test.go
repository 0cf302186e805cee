package runner

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kubesim/kubesim/results/compare"
)

// testdata is the compare fixtures shared with cmd/kubesim's tests.
const testdata = "../cmd/kubesim/testdata/compare"

func TestParseSeeds(t *testing.T) {
	for _, tc := range []struct {
		in, want, err string
	}{
		{in: "42-51", want: "[42 43 44 45 46 47 48 49 50 51]"},
		{in: "1,2,7", want: "[1 2 7]"},
		{in: "7, 1-3 ,10", want: "[7 1 2 3 10]"},
		{in: "5-5", want: "[5]"},
		{in: "0", want: "[0]"},
		{in: "18446744073709551614-18446744073709551615", want: "[18446744073709551614 18446744073709551615]"},
		{in: "", err: "empty list"},
		{in: "1,,2", err: `"" is not a seed`},
		{in: "-3", err: `"-3" is not a seed`},
		{in: "a-b", err: `"a-b" is not a seed`},
		{in: "9-3", err: `range "9-3" goes down`},
		{in: "1-3,2", err: "2 given twice"},
		{in: "0-100000", err: "more than 100000"},
	} {
		got, err := ParseSeeds(tc.in)
		switch {
		case tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)):
			t.Errorf("ParseSeeds(%q): err %v, want %q", tc.in, err, tc.err)
		case tc.err == "" && err != nil:
			t.Errorf("ParseSeeds(%q): %v", tc.in, err)
		case tc.err == "" && fmt.Sprint(got) != tc.want:
			t.Errorf("ParseSeeds(%q) = %v, want %s", tc.in, got, tc.want)
		}
	}
}

func TestParseSet(t *testing.T) {
	for _, tc := range []struct {
		in, path, values, err string
	}{
		{in: "spec.cluster.nodePools[0].count=3,6,9", path: "spec.cluster.nodePools[0].count", values: "3|6|9"},
		{in: "spec.duration=1h, 2h", path: "spec.duration", values: "1h|2h"},
		{in: `metadata.annotations["a.b/c"]=x`, path: `metadata.annotations["a.b/c"]`, values: "x"},
		{in: "spec.seed", err: "want PATH=V1,V2"},
		{in: "=3", err: "want PATH=V1,V2"},
		{in: "spec.seed=1,,2", err: "empty value"},
		{in: "spec.x=[1]", err: "not a YAML scalar"},
		{in: "spec..x=1", err: "misplaced '.'"},
		{in: "spec.x[a]=1", err: "neither a list index nor a quoted key"},
		{in: "[0].x=1", err: "must start with a key"},
	} {
		p, err := ParseSet(tc.in)
		switch {
		case tc.err != "":
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("ParseSet(%q): err %v, want %q", tc.in, err, tc.err)
			}
		case err != nil:
			t.Errorf("ParseSet(%q): %v", tc.in, err)
		case p.Path != tc.path || strings.Join(p.Values, "|") != tc.values:
			t.Errorf("ParseSet(%q) = %q %q, want %q %q", tc.in, p.Path, p.Values, tc.path, tc.values)
		}
	}
}

func TestGrid(t *testing.T) {
	cells, err := Grid([]Param{
		{Path: "spec.cluster.nodePools[0].count", Values: []string{"3", "6"}},
		{Path: "spec.duration", Values: []string{"1h", "90m", "2h"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for i, c := range cells {
		if c.Index != i || len(c.Set) != 2 {
			t.Fatalf("cell %d: %+v", i, c)
		}
		names = append(names, c.Name)
	}
	// The first --set varies slowest.
	want := "0-count-3_duration-1h 1-count-3_duration-90m 2-count-3_duration-2h 3-count-6_duration-1h 4-count-6_duration-90m 5-count-6_duration-2h"
	if got := strings.Join(names, " "); got != want {
		t.Errorf("cells:\n got  %s\n want %s", got, want)
	}
	if cells[4].Set[0] != (compare.Assignment{Path: "spec.cluster.nodePools[0].count", Value: "6"}) {
		t.Errorf("cell 4 sets %+v", cells[4].Set)
	}
	// Zero-padded to the largest index; odd characters become '-'.
	many, _ := Grid([]Param{{Path: `metadata.annotations["x/y"]`, Values: strings.Split("a b,c/d,3,4,5,6,7,8,9,10,11", ",")}})
	if many[0].Name != "00-x-y-a-b" || many[1].Name != "01-x-y-c-d" || many[10].Name != "10-x-y-11" {
		t.Errorf("names %q %q %q", many[0].Name, many[1].Name, many[10].Name)
	}
	if c, _ := Grid(nil); len(c) != 1 || c[0].Name != "" || c[0].Set != nil {
		t.Errorf("no params: %+v, want one unnamed cell", c)
	}
	if _, err := Grid([]Param{{Path: "spec.seed", Values: []string{"1"}}, {Path: "spec.seed", Values: []string{"2"}}}); err == nil {
		t.Error("a path given twice must be an error")
	}
}

func TestApplySet(t *testing.T) {
	const doc = `# comment kept
spec:
  seed: 1
  timing:
  cluster:
    nodePools:
    - name: a
      count: 2
`
	for _, tc := range []struct {
		path, value, want, err string
	}{
		{path: "spec.seed", value: "7", want: "seed: 7"},
		{path: "spec.cluster.nodePools[0].count", value: "9", want: "count: 9"},
		{path: "spec.duration", value: "2h", want: "duration: 2h"},
		{path: "spec.timing.scheduler.cycle", value: "5ms", want: "timing:\n    scheduler:\n      cycle: 5ms"},
		{path: "spec.output.sampleInterval", value: "1m", want: "output:\n    sampleInterval: 1m"},
		{path: `metadata.annotations["a.b/c"]`, value: "x", want: "a.b/c: x"},
		{path: "spec.cluster.nodePools[1].count", err: "spec.cluster.nodePools has 1 entries, no [1]"},
		{path: "spec.seed.x", err: "spec.seed is not a mapping"},
		{path: "spec.cluster[0]", err: "spec.cluster is not a list"},
		{path: "spec.workloads[0].at", err: "spec.workloads does not exist (a list cannot be created by --set)"},
	} {
		value := tc.value
		if value == "" {
			value = "1"
		}
		out, err := applySet([]byte(doc), []compare.Assignment{{Path: tc.path, Value: value}})
		switch {
		case tc.err != "":
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%s: err %v, want %q", tc.path, err, tc.err)
			}
		case err != nil:
			t.Errorf("%s: %v", tc.path, err)
		case !strings.Contains(string(out), tc.want) || !strings.Contains(string(out), "# comment kept"):
			t.Errorf("%s=%s: result lacks %q:\n%s", tc.path, value, tc.want, out)
		}
	}
}

func writeFile(t *testing.T, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestParseProfiles(t *testing.T) {
	dir := t.TempDir()
	one := writeFile(t, dir, "only-one.yaml", "apiVersion: kubescheduler.config.k8s.io/v1\nkind: KubeSchedulerConfiguration\nprofiles:\n- schedulerName: packer\n")
	two := writeFile(t, dir, "two.yaml", "apiVersion: kubescheduler.config.k8s.io/v1\nkind: KubeSchedulerConfiguration\nprofiles:\n- schedulerName: a\n- schedulerName: b\n")
	ma := filepath.Join(testdata, "mostallocated.yaml")

	ps, err := ParseProfiles([]string{"default-scheduler", "bin-packing", ma, one})
	if err != nil {
		t.Fatal(err)
	}
	want := []Profile{
		{Name: "default-scheduler", SchedulerProfile: "default-scheduler"},
		{Name: "bin-packing", SchedulerProfile: "bin-packing"},
		{Name: "mostallocated", Config: ma},                         // its own default-scheduler profile
		{Name: "only-one", SchedulerProfile: "packer", Config: one}, // its only profile
	}
	if fmt.Sprint(ps) != fmt.Sprint(want) {
		t.Errorf("ParseProfiles:\n got  %+v\n want %+v", ps, want)
	}
	if ps, err := ParseProfiles(nil); err != nil || len(ps) != 1 || ps[0] != (Profile{Name: ScenarioProfile}) {
		t.Errorf("no profiles: %+v %v, want the scenario as written", ps, err)
	}
	for _, tc := range []struct {
		in  []string
		err string
	}{
		{[]string{two}, "no default-scheduler profile, and 2 profiles (a, b) to choose from"},
		{[]string{filepath.Join(dir, "missing.yaml")}, "no such file"},
		{[]string{"a", "a"}, `have the same name "a"`},
		{[]string{"mostallocated", ma}, `have the same name "mostallocated"`},
		{[]string{"with space"}, "must match"},
	} {
		if _, err := ParseProfiles(tc.in); err == nil || !strings.Contains(err.Error(), tc.err) {
			t.Errorf("ParseProfiles(%q): err %v, want %q", tc.in, err, tc.err)
		}
	}
}
