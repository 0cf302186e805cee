package scenarios

import (
	"testing"

	"gopkg.in/yaml.v3"
)

func TestLineOf(t *testing.T) {
	src := `apiVersion: x
spec:
  cluster:
    nodePools:
    - name: a
      zonez: [z]
    - name: b
  annotations:
    "kubesim.io/x": "1"
`
	var root yaml.Node
	if err := yaml.Unmarshal([]byte(src), &root); err != nil {
		t.Fatal(err)
	}
	cases := map[string]int{
		"apiVersion":                        1,
		"spec.cluster.nodePools[0].zonez":   6,
		"spec.cluster.nodePools[1]":         7,
		"spec.cluster.nodePools[1].missing": 7,
		`spec.annotations["kubesim.io/x"]`:  9,
		"nothing.here":                      0,
	}
	for path, want := range cases {
		if got := lineOf(&root, path); got != want {
			t.Errorf("lineOf(%q) = %d, want %d", path, got, want)
		}
	}
}
