package scenarios

import (
	"fmt"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// FieldError is one problem in a scenario: the file, the line when known, the
// field path and what is wrong.
type FieldError struct {
	File string
	Line int
	Path string
	Msg  string
}

func (e FieldError) Error() string {
	loc := e.File
	if e.Line > 0 {
		loc += ":" + strconv.Itoa(e.Line)
	}
	if e.Path == "" {
		return loc + ": " + e.Msg
	}
	return loc + ": " + e.Path + ": " + e.Msg
}

// LoadError is every problem found while loading a scenario.
type LoadError struct {
	Errors []FieldError
}

func (e *LoadError) Error() string {
	lines := make([]string, len(e.Errors))
	for i, fe := range e.Errors {
		lines[i] = fe.Error()
	}
	if len(lines) == 1 {
		return lines[0]
	}
	return fmt.Sprintf("%d errors:\n  %s", len(lines), strings.Join(lines, "\n  "))
}

// errorList collects field errors for one file, looking up line numbers in the
// file's YAML tree.
type errorList struct {
	file string
	root *yaml.Node
	errs []FieldError
}

func (l *errorList) add(path, format string, args ...any) {
	l.errs = append(l.errs, FieldError{File: l.file, Line: lineOf(l.root, path), Path: path, Msg: fmt.Sprintf(format, args...)})
}

// addRaw records an error whose text already says where it is (from another
// loader, e.g. a manifest's own errors).
func (l *errorList) addRaw(path string, err error) {
	l.errs = append(l.errs, FieldError{File: l.file, Line: lineOf(l.root, path), Path: path, Msg: err.Error()})
}

func (l *errorList) err() error {
	if len(l.errs) == 0 {
		return nil
	}
	return &LoadError{Errors: l.errs}
}

// lineOf finds the line of the YAML node at a field path such as
// `spec.cluster.nodePools[0].zones` or `metadata.annotations["a.b/c"]`. It
// returns the line of the deepest node found (0 if none), so an unknown field
// points at the field itself and a missing one at its parent.
func lineOf(root *yaml.Node, path string) int {
	if root == nil {
		return 0
	}
	n := root
	if n.Kind == yaml.DocumentNode && len(n.Content) > 0 {
		n = n.Content[0]
	}
	line := 0
	for _, seg := range splitPath(path) {
		var next *yaml.Node
		switch {
		case seg.index >= 0 && n.Kind == yaml.SequenceNode && seg.index < len(n.Content):
			next = n.Content[seg.index]
		case seg.index < 0 && n.Kind == yaml.MappingNode:
			for i := 0; i+1 < len(n.Content); i += 2 {
				if n.Content[i].Value == seg.key {
					line = n.Content[i].Line
					next = n.Content[i+1]
					break
				}
			}
		}
		if next == nil {
			break
		}
		n = next
		if line == 0 || seg.index >= 0 {
			line = n.Line
		}
	}
	return line
}

type pathSeg struct {
	key   string
	index int // -1 for a key
}

func splitPath(path string) []pathSeg {
	var segs []pathSeg
	i := 0
	for i < len(path) {
		switch path[i] {
		case '.':
			i++
		case '[':
			end := strings.IndexByte(path[i:], ']')
			if end < 0 {
				return segs
			}
			inner := path[i+1 : i+end]
			if n, err := strconv.Atoi(inner); err == nil {
				segs = append(segs, pathSeg{index: n})
			} else {
				segs = append(segs, pathSeg{key: strings.Trim(inner, `"`), index: -1})
			}
			i += end + 1
		default:
			j := i
			for j < len(path) && path[j] != '.' && path[j] != '[' {
				j++
			}
			segs = append(segs, pathSeg{key: path[i:j], index: -1})
			i = j
		}
	}
	return segs
}
