package workloads

import (
	"fmt"
	"strings"
)

// Error is one problem found in a manifest file.
type Error struct {
	// File is the file name given to Decode.
	File string
	// Document is the 1-based number of the YAML document in the file,
	// counting only non-empty documents.
	Document int
	// Item is the 0-based index of the object in a List document's items, or
	// -1 when the document is not a List.
	Item int
	// Object is "Kind namespace/name" (or "Kind name" for cluster-scoped
	// kinds) when known, else "".
	Object string
	// Field is the field path the problem is about (e.g.
	// "spec.template.spec.containers[0].image"), or "" when it is about the
	// document as a whole.
	Field string
	// Detail is what is wrong, including the field path where there is one,
	// e.g. `spec.replicas: must be greater than or equal to 0` or
	// `unknown field "spec.foo"`.
	Detail string
}

// Error renders the problem as
// `FILE: document N[, item I] (KIND NAMESPACE/NAME): DETAIL`.
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	fmt.Fprintf(&b, ": document %d", e.Document)
	if e.Item >= 0 {
		fmt.Fprintf(&b, ", item %d", e.Item)
	}
	if e.Object != "" {
		fmt.Fprintf(&b, " (%s)", e.Object)
	}
	b.WriteString(": ")
	b.WriteString(e.Detail)
	return b.String()
}

// ErrorList is every problem found in one file, in the order found: documents
// in file order, and within a document decoding problems before validation
// problems. Decode and LoadFile return a non-empty ErrorList as their error.
type ErrorList []*Error

// Error renders one problem per line.
func (l ErrorList) Error() string {
	parts := make([]string, len(l))
	for i, e := range l {
		parts[i] = e.Error()
	}
	return strings.Join(parts, "\n")
}

// problem is a field-level problem before it is placed in a file.
type problem struct {
	field  string
	detail string
}

// problems collects the problems of one object.
type problems []problem

// add records a problem with a field path; the detail is "FIELD: MESSAGE".
func (p *problems) add(field, format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	detail := msg
	if field != "" {
		detail = field + ": " + msg
	}
	*p = append(*p, problem{field: field, detail: detail})
}

// addDetail records a problem whose detail already names the field.
func (p *problems) addDetail(field, detail string) {
	*p = append(*p, problem{field: field, detail: detail})
}

// child extends a field path with a struct field: "path.name".
func child(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}

// index extends a field path with a list index: "path[i]".
func index(path string, i int) string { return fmt.Sprintf("%s[%d]", path, i) }

// key extends a field path with a map key: "path.key" for keys of letters,
// digits, '-' and '_', else `path["key"]`.
func key(path, k string) string {
	simple := k != ""
	for _, r := range k {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
			simple = false
			break
		}
	}
	if simple {
		return child(path, k)
	}
	return fmt.Sprintf("%s[%q]", path, k)
}
