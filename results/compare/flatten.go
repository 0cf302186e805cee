package compare

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"

	"github.com/kubesim/kubesim/results"
)

// Metric is one named figure of one run.
type Metric struct {
	// Name is the figure's dotted path in summary.json (see the package doc).
	Name  string
	Value float64
}

// excluded are top-level summary.json keys that are not figures.
var excluded = map[string]bool{"seed": true}

// Flatten returns every numeric figure of a summary.json document, named by
// its dotted path, sorted by name. It fails on input that is not a JSON
// object or that would give two figures the same name.
func Flatten(summaryJSON []byte) ([]Metric, error) {
	dec := json.NewDecoder(bytes.NewReader(summaryJSON))
	dec.UseNumber()
	var doc any
	if err := dec.Decode(&doc); err != nil {
		return nil, fmt.Errorf("compare: summary: %w", err)
	}
	obj, ok := doc.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("compare: summary: not a JSON object")
	}
	for k := range excluded {
		delete(obj, k)
	}
	var out []Metric
	if err := flatten("", obj, &out); err != nil {
		return nil, err
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	for i := 1; i < len(out); i++ {
		if out[i].Name == out[i-1].Name {
			return nil, fmt.Errorf("compare: summary: two figures named %q", out[i].Name)
		}
	}
	return out, nil
}

// FlattenSummary is Flatten of s's summary.json encoding.
func FlattenSummary(s *results.Summary) ([]Metric, error) {
	var b bytes.Buffer
	if err := s.WriteJSON(&b); err != nil {
		return nil, err
	}
	return Flatten(b.Bytes())
}

func flatten(prefix string, v any, out *[]Metric) error {
	switch x := v.(type) {
	case json.Number:
		f, err := strconv.ParseFloat(string(x), 64)
		if err != nil {
			return fmt.Errorf("compare: summary: %s: %w", prefix, err)
		}
		*out = append(*out, Metric{Name: prefix, Value: f})
	case map[string]any:
		for k, e := range x {
			if err := flatten(join(prefix, k), e, out); err != nil {
				return err
			}
		}
	case []any:
		for i, e := range x {
			if err := flatten(join(prefix, elementName(i, e)), e, out); err != nil {
				return err
			}
		}
	}
	// Strings, booleans and nulls are not figures.
	return nil
}

// elementName names an array element: a resource entry by its "resource", a
// workload by "Kind/namespace/name" (or "Kind/name" without a namespace),
// anything else by its index.
func elementName(i int, e any) string {
	if m, ok := e.(map[string]any); ok {
		if r, ok := m["resource"].(string); ok && r != "" {
			return r
		}
		kind, kok := m["kind"].(string)
		name, nok := m["name"].(string)
		if kok && nok && kind != "" && name != "" {
			if ns, _ := m["namespace"].(string); ns != "" {
				return kind + "/" + ns + "/" + name
			}
			return kind + "/" + name
		}
	}
	return strconv.Itoa(i)
}

func join(prefix, key string) string {
	if prefix == "" {
		return key
	}
	return prefix + "." + key
}
