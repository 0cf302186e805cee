package runner

import (
	"bytes"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/kubesim/kubesim/results/compare"
)

// Param is one --set: a field of the scenario YAML and the values a sweep
// gives it.
type Param struct {
	// Path addresses the field: keys separated by dots, list entries by
	// [index], keys holding dots quoted in brackets:
	// spec.cluster.nodePools[0].count, metadata.annotations["a.b/c"].
	Path string
	// Values are YAML scalars, as written ("3", "1h", "true").
	Values []string
}

// ParseSet parses "PATH=V1,V2,...". The path must be well formed; values
// must be non-empty YAML scalars (a value cannot contain a comma).
func ParseSet(s string) (Param, error) {
	path, vals, ok := strings.Cut(s, "=")
	path = strings.TrimSpace(path)
	if !ok || path == "" {
		return Param{}, fmt.Errorf("--set %q: want PATH=V1,V2,...", s)
	}
	if _, err := splitPath(path); err != nil {
		return Param{}, fmt.Errorf("--set %q: %w", s, err)
	}
	p := Param{Path: path}
	for _, v := range strings.Split(vals, ",") {
		v = strings.TrimSpace(v)
		if v == "" {
			return Param{}, fmt.Errorf("--set %q: empty value", s)
		}
		if _, err := scalar(v); err != nil {
			return Param{}, fmt.Errorf("--set %q: %w", s, err)
		}
		p.Values = append(p.Values, v)
	}
	return p, nil
}

// Cell is one point of a sweep's grid.
type Cell struct {
	// Index is the cell's position in the grid (0-based).
	Index int
	// Name is "<index>-<slug>", the index zero-padded to the width of the
	// largest index, the slug made of each field's last key and its value
	// ("3-count-6_duration-2h"); "" for the single cell of a compare.
	Name string
	// Set are the fields the cell sets, in --set order.
	Set []compare.Assignment
}

// Grid returns the cartesian product of params: the first param varies
// slowest, values in the order given. No params give one unnamed cell (a
// compare). A path given twice is an error.
func Grid(params []Param) ([]Cell, error) {
	if len(params) == 0 {
		return []Cell{{}}, nil
	}
	seen := map[string]bool{}
	total := 1
	for _, p := range params {
		if seen[p.Path] {
			return nil, fmt.Errorf("--set %s given twice", p.Path)
		}
		seen[p.Path] = true
		total *= len(p.Values)
		if total > MaxCells {
			return nil, fmt.Errorf("--set: more than %d cells", MaxCells)
		}
	}
	width := len(strconv.Itoa(total - 1))
	cells := make([]Cell, total)
	for i := range cells {
		rem := i
		set := make([]compare.Assignment, len(params))
		for k := len(params) - 1; k >= 0; k-- {
			n := len(params[k].Values)
			set[k] = compare.Assignment{Path: params[k].Path, Value: params[k].Values[rem%n]}
			rem /= n
		}
		slugs := make([]string, len(set))
		for k, a := range set {
			slugs[k] = slug(lastKey(a.Path)) + "-" + slug(a.Value)
		}
		name := strings.Join(slugs, "_")
		if len(name) > 80 {
			name = name[:80]
		}
		cells[i] = Cell{Index: i, Name: fmt.Sprintf("%0*d-%s", width, i, name), Set: set}
	}
	return cells, nil
}

// MaxCells bounds a sweep's grid.
const MaxCells = 10_000

// slug keeps letters, digits, '.', '-' and '_' ('_' becomes '-'), and turns
// anything else into '-'.
func slug(s string) string {
	b := []byte(s)
	for i, c := range b {
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '.', c == '-':
		default:
			b[i] = '-'
		}
	}
	return string(b)
}

// lastKey is a path's last key ("count" for spec.cluster.nodePools[0].count).
func lastKey(path string) string {
	segs, _ := splitPath(path)
	for i := len(segs) - 1; i >= 0; i-- {
		if segs[i].index < 0 {
			return segs[i].key
		}
	}
	return path
}

type pathSeg struct {
	key   string
	index int // -1 for a key
}

// splitPath parses a field path: a.b[0].c, a["b.c"].
func splitPath(path string) ([]pathSeg, error) {
	var segs []pathSeg
	i := 0
	for i < len(path) {
		switch c := path[i]; {
		case c == '.':
			if i == 0 || i == len(path)-1 || path[i+1] == '.' || path[i+1] == '[' {
				return nil, fmt.Errorf("path %q: misplaced '.'", path)
			}
			i++
		case c == '[':
			end := strings.IndexByte(path[i:], ']')
			if end < 0 {
				return nil, fmt.Errorf("path %q: '[' without ']'", path)
			}
			inner := path[i+1 : i+end]
			if q, err := strconv.Unquote(inner); err == nil && strings.HasPrefix(inner, `"`) {
				segs = append(segs, pathSeg{key: q, index: -1})
			} else if n, err := strconv.Atoi(inner); err == nil && n >= 0 {
				segs = append(segs, pathSeg{index: n})
			} else {
				return nil, fmt.Errorf("path %q: [%s] is neither a list index nor a quoted key", path, inner)
			}
			i += end + 1
			if i < len(path) && path[i] != '.' && path[i] != '[' {
				return nil, fmt.Errorf("path %q: want '.' or '[' after ']'", path)
			}
		default:
			j := i
			for j < len(path) && path[j] != '.' && path[j] != '[' {
				j++
			}
			segs = append(segs, pathSeg{key: path[i:j], index: -1})
			i = j
		}
	}
	if len(segs) == 0 {
		return nil, fmt.Errorf("path %q: empty", path)
	}
	if segs[0].index >= 0 {
		return nil, fmt.Errorf("path %q: must start with a key", path)
	}
	return segs, nil
}

// scalar parses a value as a YAML scalar node.
func scalar(v string) (*yaml.Node, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal([]byte(v), &doc); err != nil || len(doc.Content) != 1 || doc.Content[0].Kind != yaml.ScalarNode {
		return nil, fmt.Errorf("value %q is not a YAML scalar", v)
	}
	n := doc.Content[0]
	n.Line, n.Column = 0, 0
	return n, nil
}

// applySet returns the scenario YAML data with each assignment's field set to
// its value. Missing mapping keys are created (with mappings in between);
// list entries must exist.
func applySet(data []byte, set []compare.Assignment) ([]byte, error) {
	if len(set) == 0 {
		return data, nil
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("not valid YAML: %w", err)
	}
	if len(doc.Content) != 1 || doc.Content[0].Kind != yaml.MappingNode {
		return nil, errors.New("the scenario is not a YAML mapping")
	}
	for _, a := range set {
		if err := setField(doc.Content[0], a.Path, a.Value); err != nil {
			return nil, err
		}
	}
	var b bytes.Buffer
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(&doc); err != nil {
		return nil, err
	}
	if err := enc.Close(); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// setField sets the field at path, under the mapping root, to value.
func setField(root *yaml.Node, path, value string) error {
	segs, err := splitPath(path)
	if err != nil {
		return err
	}
	val, err := scalar(value)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	n := root
	where := ""
	for i, s := range segs {
		last := i == len(segs)-1
		if s.index >= 0 {
			if n.Kind != yaml.SequenceNode {
				return fmt.Errorf("%s: %s is not a list", path, orRoot(where))
			}
			if s.index >= len(n.Content) {
				return fmt.Errorf("%s: %s has %d entries, no [%d]", path, where, len(n.Content), s.index)
			}
			where += "[" + strconv.Itoa(s.index) + "]"
			if last {
				n.Content[s.index] = val
				return nil
			}
			n = n.Content[s.index]
			continue
		}
		if n.Kind != yaml.MappingNode {
			return fmt.Errorf("%s: %s is not a mapping", path, orRoot(where))
		}
		var child *yaml.Node
		for k := 0; k+1 < len(n.Content); k += 2 {
			if n.Content[k].Value == s.key {
				if last {
					n.Content[k+1] = val
					return nil
				}
				child = n.Content[k+1]
				if child.Kind == yaml.ScalarNode && child.Tag == "!!null" {
					// "timing:" with no value: a mapping to fill.
					child = &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
					n.Content[k+1] = child
				}
				break
			}
		}
		if where != "" {
			where += "."
		}
		where += s.key
		if child == nil {
			if !last && segs[i+1].index >= 0 {
				return fmt.Errorf("%s: %s does not exist (a list cannot be created by --set)", path, where)
			}
			child = &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
			if last {
				child = val
			}
			n.Content = append(n.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: s.key}, child)
			if last {
				return nil
			}
		}
		n = child
	}
	return nil
}

func orRoot(where string) string {
	if where == "" {
		return "the document"
	}
	return where
}
