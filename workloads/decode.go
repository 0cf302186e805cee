package workloads

import (
	"bytes"
	"fmt"
	"os"
	"regexp"
	"strconv"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	schedulingv1 "k8s.io/api/scheduling/v1"
	sjson "sigs.k8s.io/json"
	"sigs.k8s.io/yaml"

	"github.com/kubesim/kubesim/sim/api"
)

// LoadFile reads a manifest file and decodes it with Decode, naming the file by
// its path in errors.
func LoadFile(path string) ([]api.Object, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("workloads: %w", err)
	}
	return Decode(path, data)
}

// Decode decodes, defaults, validates and converts the Kubernetes objects in
// data: a stream of YAML (or JSON) documents separated by "---" lines, each one
// object or a List of objects. filename names the input in errors.
//
// The objects come back in file order (a List's items in place). Namespaced
// objects without a namespace are put in "default". On any problem Decode
// returns no objects and an ErrorList holding every problem found in the file.
func Decode(filename string, data []byte) ([]api.Object, error) {
	d := &decoder{file: filename, seen: map[string]string{}}
	n := 0
	for _, c := range splitDocuments(data) {
		js, err := yaml.YAMLToJSONStrict(c.data)
		if err == nil && isNull(js) {
			continue
		}
		n++
		if err != nil {
			d.fail(location{doc: n, item: -1}, "", "invalid YAML: "+shiftLines(err.Error(), c.line-1))
			continue
		}
		var v any
		if err := sjson.UnmarshalCaseSensitivePreserveInts(js, &v); err != nil {
			d.fail(location{doc: n, item: -1}, "", fmt.Sprintf("invalid YAML: %v", err))
			continue
		}
		m, ok := v.(map[string]any)
		if !ok {
			d.fail(location{doc: n, item: -1}, "", fmt.Sprintf("expected an object with apiVersion and kind, got %s", describe(v)))
			continue
		}
		d.document(location{doc: n, item: -1}, m)
	}
	if len(d.errs) > 0 {
		return nil, d.errs
	}
	return d.objs, nil
}

// location says where in a file an object is.
type location struct {
	doc    int
	item   int // -1 outside a List
	object string
}

func (l location) String() string {
	s := fmt.Sprintf("document %d", l.doc)
	if l.item >= 0 {
		s += fmt.Sprintf(", item %d", l.item)
	}
	return s
}

type decoder struct {
	file string
	objs []api.Object
	errs ErrorList
	// seen maps "Kind key" to the location of the object that has it, to
	// report objects defined twice.
	seen map[string]string
}

func (d *decoder) fail(l location, field, detail string) {
	d.errs = append(d.errs, &Error{File: d.file, Document: l.doc, Item: l.item, Object: l.object, Field: field, Detail: detail})
}

func (d *decoder) report(l location, probs problems) {
	for _, p := range probs {
		d.fail(l, p.field, p.detail)
	}
}

// kindInfo describes one supported kind.
type kindInfo struct {
	apiVersion string
	namespaced bool
	decode     func(m map[string]any, probs *problems) api.Object
}

var kinds = map[string]kindInfo{
	"Namespace":           {"v1", false, decodeKind(convertNamespace)},
	"Node":                {"v1", false, decodeKind(convertNode)},
	"Pod":                 {"v1", true, decodeKind(convertPod)},
	"Service":             {"v1", true, decodeKind(convertService)},
	"ReplicaSet":          {"apps/v1", true, decodeKind(convertReplicaSet)},
	"Deployment":          {"apps/v1", true, decodeKind(convertDeployment)},
	"StatefulSet":         {"apps/v1", true, decodeKind(convertStatefulSet)},
	"DaemonSet":           {"apps/v1", true, decodeKind(convertDaemonSet)},
	"Job":                 {"batch/v1", true, decodeKind(convertJob)},
	"PriorityClass":       {"scheduling.k8s.io/v1", false, decodeKind(convertPriorityClass)},
	"PodDisruptionBudget": {"policy/v1", true, decodeKind(convertPDB)},
}

// supportedKinds lists the kinds in kinds, for error messages.
const supportedKinds = "Namespace, Node, Pod, Service (v1); ReplicaSet, Deployment, StatefulSet, DaemonSet (apps/v1); Job (batch/v1); PriorityClass (scheduling.k8s.io/v1); PodDisruptionBudget (policy/v1)"

// laterKinds are kinds kubesim means to support.
var laterKinds = map[string]bool{"HorizontalPodAutoscaler": true}

// decodeKind makes a kind's decode function from its typed conversion: strict
// decode into T, then default, validate and convert. Values that did not decode
// were reported and removed; validation problems at or under their paths are
// dropped, so that one mistake is not reported twice.
func decodeKind[T any](convert func(*T, *problems) api.Object) func(map[string]any, *problems) api.Object {
	return func(m map[string]any, probs *problems) api.Object {
		obj := new(T)
		before := len(*probs)
		if !decodeStrict(m, obj, probs) {
			return nil
		}
		decodeProbs := (*probs)[before:]
		var vprobs problems
		out := convert(obj, &vprobs)
		for _, p := range vprobs {
			if !coveredBy(p.field, decodeProbs) {
				*probs = append(*probs, p)
			}
		}
		return out
	}
}

// coveredBy reports whether field is at or under the field of one of probs.
func coveredBy(field string, probs problems) bool {
	for _, p := range probs {
		if p.field == "" {
			continue
		}
		if field == p.field || strings.HasPrefix(field, p.field+".") || strings.HasPrefix(field, p.field+"[") {
			return true
		}
	}
	return false
}

// Compile-time checks that the typed targets are the k8s.io/api types.
var (
	_ func(*corev1.Namespace, *problems) api.Object             = convertNamespace
	_ func(*corev1.Node, *problems) api.Object                  = convertNode
	_ func(*corev1.Pod, *problems) api.Object                   = convertPod
	_ func(*corev1.Service, *problems) api.Object               = convertService
	_ func(*appsv1.ReplicaSet, *problems) api.Object            = convertReplicaSet
	_ func(*appsv1.Deployment, *problems) api.Object            = convertDeployment
	_ func(*appsv1.StatefulSet, *problems) api.Object           = convertStatefulSet
	_ func(*appsv1.DaemonSet, *problems) api.Object             = convertDaemonSet
	_ func(*batchv1.Job, *problems) api.Object                  = convertJob
	_ func(*schedulingv1.PriorityClass, *problems) api.Object   = convertPriorityClass
	_ func(*policyv1.PodDisruptionBudget, *problems) api.Object = convertPDB
)

// document handles one decoded document: an object or a List.
func (d *decoder) document(l location, m map[string]any) {
	apiVersion, _ := m["apiVersion"].(string)
	kind, _ := m["kind"].(string)
	if kind == "List" || (strings.HasSuffix(kind, "List") && kinds[strings.TrimSuffix(kind, "List")].apiVersion != "") {
		d.list(l, m, apiVersion, kind)
		return
	}
	d.object(l, m)
}

// list handles a List document: kubectl's kind "List" (each item names its
// kind) or a typed list such as PodList (items may omit apiVersion and kind).
func (d *decoder) list(l location, m map[string]any, apiVersion, kind string) {
	l.object = kind
	var probs problems
	if apiVersion != "v1" && kind == "List" {
		probs.add("apiVersion", "a List must have apiVersion v1, got %s", describe(m["apiVersion"]))
	}
	for _, k := range sortedKeys(m) {
		switch k {
		case "apiVersion", "kind", "items", "metadata":
		default:
			probs.addDetail(k, fmt.Sprintf("unknown field %q", k))
		}
	}
	items, ok := m["items"].([]any)
	if !ok && m["items"] != nil {
		probs.add("items", "expected a list, got %s", describe(m["items"]))
	}
	d.report(l, probs)
	itemKind := strings.TrimSuffix(kind, "List")
	for i, it := range items {
		il := location{doc: l.doc, item: i}
		im, ok := it.(map[string]any)
		if !ok {
			d.fail(il, "", fmt.Sprintf("expected an object with apiVersion and kind, got %s", describe(it)))
			continue
		}
		if kind != "List" {
			if _, ok := im["kind"]; !ok {
				im["kind"] = itemKind
			}
			if _, ok := im["apiVersion"]; !ok && apiVersion != "" {
				im["apiVersion"] = apiVersion
			}
		}
		if k, _ := im["kind"].(string); k == "List" || strings.HasSuffix(k, "List") && kinds[strings.TrimSuffix(k, "List")].apiVersion != "" {
			d.fail(il, "", "a List may not contain another List")
			continue
		}
		d.object(il, im)
	}
}

// object handles one object: checks its kind and apiVersion, decodes,
// converts, and records it.
func (d *decoder) object(l location, m map[string]any) {
	apiVersion, avOK := m["apiVersion"].(string)
	kind, kindOK := m["kind"].(string)
	info, supported := kinds[kind]
	l.object = objectLabel(kind, info.namespaced || !supported, m)
	switch {
	case !kindOK || kind == "":
		if _, present := m["kind"]; present {
			d.fail(l, "kind", fmt.Sprintf("kind: expected a string, got %s", describe(m["kind"])))
		} else {
			d.fail(l, "kind", "kind: required field is missing")
		}
		return
	case !avOK || apiVersion == "":
		if _, present := m["apiVersion"]; present {
			d.fail(l, "apiVersion", fmt.Sprintf("apiVersion: expected a string, got %s", describe(m["apiVersion"])))
		} else {
			d.fail(l, "apiVersion", "apiVersion: required field is missing")
		}
		return
	case laterKinds[kind]:
		d.fail(l, "kind", fmt.Sprintf("kind %s (%s) is not supported yet by kubesim", kind, apiVersion))
		return
	case !supported:
		d.fail(l, "kind", fmt.Sprintf("kind %s (%s) is not supported by kubesim; supported kinds: %s", kind, apiVersion, supportedKinds))
		return
	case apiVersion != info.apiVersion:
		d.fail(l, "apiVersion", fmt.Sprintf("apiVersion %s is not supported for kind %s; use %s", apiVersion, kind, info.apiVersion))
		return
	}
	var probs problems
	obj := info.decode(m, &probs)
	d.report(l, probs)
	if len(probs) > 0 || obj == nil {
		return
	}
	id := kind + " " + obj.GetMeta().Key()
	if prev, dup := d.seen[id]; dup {
		d.fail(l, "metadata.name", fmt.Sprintf("metadata.name: %s is defined twice (first in %s)", id, prev))
		return
	}
	d.seen[id] = l.String()
	d.objs = append(d.objs, obj)
}

// objectLabel names an object for error messages from its generic form:
// "Kind namespace/name", "Kind name" for cluster-scoped kinds, or "Kind" when
// the name is missing.
func objectLabel(kind string, namespaced bool, m map[string]any) string {
	if kind == "" {
		return ""
	}
	meta, _ := m["metadata"].(map[string]any)
	name, _ := meta["name"].(string)
	if name == "" {
		return kind
	}
	if !namespaced {
		return kind + " " + name
	}
	ns, _ := meta["namespace"].(string)
	if ns == "" {
		ns = defaultNamespace
	}
	return kind + " " + ns + "/" + name
}

// chunk is one "---"-separated part of a file.
type chunk struct {
	data []byte
	line int // 1-based line number of the chunk's first line in the file
}

// splitDocuments splits a YAML stream on document separators: lines that are
// "---" (optionally followed by spaces and a comment, or by the document's
// first content) and document end markers "...". It never fails; YAML errors
// are found per document, so one bad document does not hide the others.
func splitDocuments(data []byte) []chunk {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	var out []chunk
	var cur bytes.Buffer
	start := 1
	lineNo := 0
	for len(data) > 0 {
		lineNo++
		line := data
		if i := bytes.IndexByte(data, '\n'); i >= 0 {
			line, data = data[:i+1], data[i+1:]
		} else {
			data = nil
		}
		body := bytes.TrimRight(line, "\r\n")
		if bytes.Equal(body, []byte("...")) {
			out = append(out, chunk{data: bytes.Clone(cur.Bytes()), line: start})
			cur.Reset()
			start = lineNo + 1
			continue
		}
		if bytes.HasPrefix(body, []byte("---")) {
			rest := body[3:]
			if len(rest) == 0 || rest[0] == ' ' || rest[0] == '\t' {
				out = append(out, chunk{data: bytes.Clone(cur.Bytes()), line: start})
				cur.Reset()
				start = lineNo
				trimmed := bytes.TrimSpace(rest)
				if len(trimmed) > 0 && trimmed[0] != '#' {
					cur.Write(trimmed)
					cur.WriteByte('\n')
				} else {
					cur.WriteByte('\n') // keep line numbers aligned
				}
				continue
			}
		}
		cur.Write(line)
	}
	out = append(out, chunk{data: cur.Bytes(), line: start})
	return out
}

func isNull(js []byte) bool {
	return bytes.Equal(bytes.TrimSpace(js), []byte("null"))
}

var lineRE = regexp.MustCompile(`line (\d+)`)

// shiftLines rewrites "line N" in a YAML error to count from the start of the
// file rather than of the document.
func shiftLines(msg string, offset int) string {
	if offset == 0 {
		return msg
	}
	return lineRE.ReplaceAllStringFunc(msg, func(s string) string {
		n, err := strconv.Atoi(s[len("line "):])
		if err != nil {
			return s
		}
		return "line " + strconv.Itoa(n+offset)
	})
}
