package workloads

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"sync"

	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	sjson "sigs.k8s.io/json"
)

// Strict decoding happens in two passes. The first walks the generic decoded
// document alongside the Go type it is meant for and checks every value whose
// wrong shape would make the typed decoder stop at the first error without a
// field path (wrong JSON types, quantities, times, int-or-strings). Each bad
// value is reported with its path and removed, so that the second pass, a
// strict typed decode, runs to the end and reports every unknown or duplicate
// field.

var (
	quantityType    = reflect.TypeFor[resource.Quantity]()
	timeType        = reflect.TypeFor[metav1.Time]()
	microTimeType   = reflect.TypeFor[metav1.MicroTime]()
	intOrStringType = reflect.TypeFor[intstr.IntOrString]()
	unmarshalerType = reflect.TypeFor[json.Unmarshaler]()
)

// decodeStrict decodes the generic object m into out (a pointer to a k8s.io/api
// type), strictly, recording every value that does not fit as a problem. It
// returns false only when out could not be filled at all.
func decodeStrict(m map[string]any, out any, probs *problems) bool {
	checkValue(m, reflect.TypeOf(out).Elem(), "", probs)
	data, err := json.Marshal(m)
	if err != nil {
		probs.add("", "cannot re-encode the document: %v", err)
		return false
	}
	strictErrs, err := sjson.UnmarshalStrict(data, out)
	if err != nil {
		probs.add("", "cannot decode: %v", err)
		return false
	}
	for _, se := range strictErrs {
		var fe sjson.FieldError
		if errors.As(se, &fe) {
			probs.addDetail(fe.FieldPath(), se.Error())
			continue
		}
		probs.addDetail("", se.Error())
	}
	return true
}

// checkValue checks that v (a value from a generic JSON decode: nil, bool,
// int64, float64, string, []any, map[string]any) fits type t, recording a
// problem at path when it does not. It returns false when v must be removed
// from its parent so that the typed decode does not stop on it.
func checkValue(v any, t reflect.Type, path string, probs *problems) bool {
	if v == nil {
		return true // null decodes as the zero value everywhere
	}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t {
	case quantityType:
		// The range check comes first: parsing 1e999999999 takes minutes.
		if !quantityInRange(v) {
			probs.add(path, "invalid quantity %s: out of range", describe(v))
			return false
		}
		var q resource.Quantity
		if !checkUnmarshal(v, &q) {
			probs.add(path, "invalid quantity %s", describe(v))
			return false
		}
		return true
	case timeType, microTimeType:
		var tm metav1.Time
		var mt metav1.MicroTime
		target := any(&tm)
		if t == microTimeType {
			target = &mt
		}
		if !checkUnmarshal(v, target.(json.Unmarshaler)) {
			probs.add(path, "invalid time %s: expected RFC 3339, e.g. \"2026-03-02T08:00:06Z\"", describe(v))
			return false
		}
		return true
	case intOrStringType:
		var is intstr.IntOrString
		if !checkUnmarshal(v, &is) {
			probs.add(path, "expected an integer or a string, got %s", describe(v))
			return false
		}
		return true
	}
	if reflect.PointerTo(t).Implements(unmarshalerType) || t.Implements(unmarshalerType) {
		return true // a type with its own decoding that accepts any JSON value
	}
	switch t.Kind() {
	case reflect.String:
		if _, ok := v.(string); !ok {
			probs.add(path, "expected a string, got %s", describe(v))
			return false
		}
	case reflect.Bool:
		if _, ok := v.(bool); !ok {
			probs.add(path, "expected true or false, got %s", describe(v))
			return false
		}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		n, ok := v.(int64)
		if !ok {
			probs.add(path, "expected an integer, got %s", describe(v))
			return false
		}
		if reflect.New(t).Elem().OverflowInt(n) {
			probs.add(path, "integer %d out of range for %s", n, t.Kind())
			return false
		}
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		n, ok := v.(int64)
		if !ok {
			probs.add(path, "expected a non-negative integer, got %s", describe(v))
			return false
		}
		if n < 0 || reflect.New(t).Elem().OverflowUint(uint64(n)) {
			probs.add(path, "integer %d out of range for %s", n, t.Kind())
			return false
		}
	case reflect.Float32, reflect.Float64:
		switch v.(type) {
		case int64, float64:
		default:
			probs.add(path, "expected a number, got %s", describe(v))
			return false
		}
	case reflect.Slice:
		if t.Elem().Kind() == reflect.Uint8 {
			if _, ok := v.(string); !ok {
				probs.add(path, "expected a base64 string, got %s", describe(v))
				return false
			}
			return true
		}
		list, ok := v.([]any)
		if !ok {
			probs.add(path, "expected a list, got %s", describe(v))
			return false
		}
		for i := range list {
			if !checkValue(list[i], t.Elem(), index(path, i), probs) {
				list[i] = nil
			}
		}
	case reflect.Map:
		obj, ok := v.(map[string]any)
		if !ok {
			probs.add(path, "expected a map, got %s", describe(v))
			return false
		}
		for _, k := range sortedKeys(obj) {
			if !checkValue(obj[k], t.Elem(), key(path, k), probs) {
				delete(obj, k)
			}
		}
	case reflect.Struct:
		obj, ok := v.(map[string]any)
		if !ok {
			probs.add(path, "expected an object, got %s", describe(v))
			return false
		}
		fields := jsonFields(t)
		for _, k := range sortedKeys(obj) {
			ft, known := fields[k]
			if !known {
				continue // reported as an unknown field by the typed decode
			}
			if !checkValue(obj[k], ft, child(path, k), probs) {
				delete(obj, k)
			}
		}
	}
	return true
}

// quantityInRange reports whether a quantity's text is short enough and its
// decimal exponent small enough (at most 64 either way) for parsing and
// arithmetic to be cheap: parsing or comparing 1e9999999 takes seconds.
func quantityInRange(v any) bool {
	switch v.(type) {
	case string, int64, float64:
	default:
		return true // not a quantity at all; the parse reports it
	}
	data, err := json.Marshal(v)
	if err != nil {
		return false
	}
	s := strings.Trim(string(data), `"`)
	if len(s) > 64 {
		return false
	}
	i := strings.IndexAny(s, "eE")
	if i < 0 {
		return true
	}
	exp := s[i+1:]
	if exp == "" || exp == "i" {
		return true // the E (exa) and Ei (exbi) suffixes
	}
	digits := strings.TrimLeft(exp, "+-")
	if len(exp)-len(digits) > 1 || digits == "" || strings.Trim(digits, "0123456789") != "" {
		return true // not a decimal exponent; the parse decides
	}
	digits = strings.TrimLeft(digits, "0")
	if len(digits) > 2 {
		return false
	}
	n, _ := strconv.Atoi("0" + digits)
	return n <= 64
}

// checkUnmarshal reports whether target accepts v's JSON encoding.
func checkUnmarshal(v any, target json.Unmarshaler) bool {
	data, err := json.Marshal(v)
	if err != nil {
		return false
	}
	return target.UnmarshalJSON(data) == nil
}

// describe renders a generic JSON value for an error message.
func describe(v any) string {
	switch x := v.(type) {
	case string:
		if len(x) > 64 {
			x = x[:64] + "..."
		}
		return fmt.Sprintf("%q", x)
	case bool:
		return fmt.Sprintf("%t", x)
	case int64:
		return fmt.Sprintf("%d", x)
	case float64:
		return fmt.Sprintf("%g", x)
	case []any:
		return "a list"
	case map[string]any:
		return "an object"
	}
	return fmt.Sprintf("%v", v)
}

var fieldCache sync.Map // reflect.Type -> map[string]reflect.Type

// jsonFields maps the JSON names of struct type t's fields (inline embedded
// structs flattened) to their types.
func jsonFields(t reflect.Type) map[string]reflect.Type {
	if f, ok := fieldCache.Load(t); ok {
		return f.(map[string]reflect.Type)
	}
	out := map[string]reflect.Type{}
	addJSONFields(t, out)
	fieldCache.Store(t, out)
	return out
}

func addJSONFields(t reflect.Type, out map[string]reflect.Type) {
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		tag := f.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		if f.Anonymous && (name == "" || strings.Contains(","+opts+",", ",inline,")) {
			ft := f.Type
			if ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			if ft.Kind() == reflect.Struct {
				addJSONFields(ft, out)
				continue
			}
		}
		if !f.IsExported() {
			continue
		}
		if name == "" {
			name = f.Name
		}
		if _, dup := out[name]; !dup {
			out[name] = f.Type
		}
	}
}

func sortedKeys[K ~string, V any](m map[K]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, string(k))
	}
	sort.Strings(keys)
	return keys
}
