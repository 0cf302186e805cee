package api

import (
	"maps"
	"reflect"
	"strconv"
)

// Operator is a selector requirement's operator. Label selectors use In, NotIn,
// Exists and DoesNotExist; node selectors also use Gt and Lt.
type Operator string

// Selector operators, spelled as upstream.
const (
	OpIn           Operator = "In"
	OpNotIn        Operator = "NotIn"
	OpExists       Operator = "Exists"
	OpDoesNotExist Operator = "DoesNotExist"
	OpGt           Operator = "Gt"
	OpLt           Operator = "Lt"
)

// Requirement is one compiled selector requirement. A matchLabels entry k=v
// compiles to {k, In, [v]}.
type Requirement struct {
	Key      string
	Operator Operator
	Values   []string
}

// Matches reports whether the labels satisfy the requirement, with upstream
// semantics: NotIn and DoesNotExist match when the key is absent; Gt and Lt
// parse the label and the single value as integers and fail if either does not
// parse.
func (r *Requirement) Matches(labels map[string]string) bool {
	v, ok := labels[r.Key]
	switch r.Operator {
	case OpIn:
		if !ok {
			return false
		}
		for _, x := range r.Values {
			if x == v {
				return true
			}
		}
		return false
	case OpNotIn:
		if !ok {
			return true
		}
		for _, x := range r.Values {
			if x == v {
				return false
			}
		}
		return true
	case OpExists:
		return ok
	case OpDoesNotExist:
		return !ok
	case OpGt, OpLt:
		if !ok || len(r.Values) != 1 {
			return false
		}
		lv, err1 := strconv.ParseInt(v, 10, 64)
		rv, err2 := strconv.ParseInt(r.Values[0], 10, 64)
		if err1 != nil || err2 != nil {
			return false
		}
		if r.Operator == OpGt {
			return lv > rv
		}
		return lv < rv
	}
	return false
}

// Selector is a compiled metav1.LabelSelector: all requirements must match. A
// nil *Selector matches nothing; a Selector with no requirements matches
// everything, as upstream's LabelSelectorAsSelector does.
type Selector struct {
	Requirements []Requirement
}

// Everything is the selector that matches every label set.
var Everything = &Selector{}

// Matches reports whether labels satisfy s. A nil s matches nothing.
func (s *Selector) Matches(labels map[string]string) bool {
	if s == nil {
		return false
	}
	for i := range s.Requirements {
		if !s.Requirements[i].Matches(labels) {
			return false
		}
	}
	return true
}

// Empty reports whether s is non-nil and has no requirements (matches everything).
func (s *Selector) Empty() bool { return s != nil && len(s.Requirements) == 0 }

// SelectorFromMap compiles matchLabels-style equality requirements, sorted by key
// so that the compiled form is deterministic.
func SelectorFromMap(m map[string]string) *Selector {
	s := &Selector{}
	for _, k := range SortedKeys(m) {
		s.Requirements = append(s.Requirements, Requirement{Key: k, Operator: OpIn, Values: []string{m[k]}})
	}
	return s
}

// NodeSelector is a compiled required node affinity: the node must match at
// least one term. A nil *NodeSelector matches every node (no requirement).
type NodeSelector struct {
	Terms []NodeSelectorTerm
}

// NodeSelectorTerm matches a node when all its expressions match its labels and
// all its fields match its fields (only metadata.name is supported upstream). A
// term with neither matches nothing.
type NodeSelectorTerm struct {
	MatchExpressions []Requirement
	MatchFields      []Requirement
}

// Matches reports whether the node with the given name and labels satisfies the
// term.
func (t *NodeSelectorTerm) Matches(name string, labels map[string]string) bool {
	if len(t.MatchExpressions) == 0 && len(t.MatchFields) == 0 {
		return false
	}
	for i := range t.MatchExpressions {
		if !t.MatchExpressions[i].Matches(labels) {
			return false
		}
	}
	for i := range t.MatchFields {
		f := &t.MatchFields[i]
		if f.Key != "metadata.name" {
			return false
		}
		if !f.Matches(map[string]string{"metadata.name": name}) {
			return false
		}
	}
	return true
}

// Matches reports whether the node matches any term. A nil selector matches.
func (s *NodeSelector) Matches(name string, labels map[string]string) bool {
	if s == nil {
		return true
	}
	for i := range s.Terms {
		if s.Terms[i].Matches(name, labels) {
			return true
		}
	}
	return false
}

// SortedKeys returns the keys of m in increasing order.
func SortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sortStrings(keys)
	return keys
}

// SameMap reports whether a and b are the same map object, not merely equal
// ones. Pods created from a template share the template's label map, so this
// identity check is a cheap fast path before matching or comparing labels.
func SameMap(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	return len(a) == 0 || reflect.ValueOf(a).UnsafePointer() == reflect.ValueOf(b).UnsafePointer()
}

// LabelsEqual reports whether two label maps hold the same pairs, with the
// SameMap fast path.
func LabelsEqual(a, b map[string]string) bool {
	if SameMap(a, b) {
		return true
	}
	return maps.Equal(a, b)
}
