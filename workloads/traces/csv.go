package traces

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"
)

// ParseError is a problem in a trace file: the file, the 1-based line and
// byte column where the bad field starts, the column's name (from the header)
// and what was wrong.
type ParseError struct {
	File   string
	Line   int
	Column int
	// Field is the CSV column's name ("" when the problem is not one field's,
	// e.g. a wrong number of fields).
	Field string
	Msg   string
}

// Error renders "file:line:column: field "name": message".
func (e *ParseError) Error() string {
	if e.Field == "" {
		return fmt.Sprintf("%s:%d:%d: %s", e.File, e.Line, e.Column, e.Msg)
	}
	return fmt.Sprintf("%s:%d:%d: field %q: %s", e.File, e.Line, e.Column, e.Field, e.Msg)
}

// table reads a CSV file whose columns are named by a header (its first line,
// or given when the file has none), checking the names against a schema.
type table struct {
	file   string
	r      *csv.Reader
	names  []string       // column names in file order
	index  map[string]int // name -> position
	rec    []string
	recNo  int // 0-based data row
	header bool
}

// newTable reads the header (unless header is given) and checks that every
// required column is present and every column is known. Columns may come in
// any order.
func newTable(r io.Reader, file string, header []string, required, optional []string) (*table, error) {
	cr := csv.NewReader(r)
	cr.ReuseRecord = true
	cr.FieldsPerRecord = -1
	t := &table{file: file, r: cr, index: map[string]int{}}
	line := 1
	if header == nil {
		rec, err := cr.Read()
		if err == io.EOF {
			return nil, &ParseError{File: file, Line: 1, Column: 1, Msg: "empty file: expected a header line"}
		}
		if err != nil {
			return nil, t.csvError(err)
		}
		header = append([]string(nil), rec...)
		if len(header) > 0 {
			header[0] = strings.TrimPrefix(header[0], "\ufeff")
		}
		t.header = true
	}
	t.names = header
	known := map[string]bool{}
	for _, n := range required {
		known[n] = true
	}
	for _, n := range optional {
		known[n] = true
	}
	for i, n := range header {
		col := 1
		if t.header {
			_, col = cr.FieldPos(i)
		}
		if !known[n] {
			return nil, &ParseError{File: file, Line: line, Column: col, Msg: fmt.Sprintf("unknown column %q; expected columns %s", n, strings.Join(append(append([]string(nil), required...), optional...), ","))}
		}
		if _, dup := t.index[n]; dup {
			return nil, &ParseError{File: file, Line: line, Column: col, Msg: fmt.Sprintf("column %q appears twice", n)}
		}
		t.index[n] = i
	}
	for _, n := range required {
		if _, ok := t.index[n]; !ok {
			return nil, &ParseError{File: file, Line: line, Column: 1, Msg: fmt.Sprintf("missing column %q; expected columns %s", n, strings.Join(required, ","))}
		}
	}
	return t, nil
}

// has reports whether the file has the named column.
func (t *table) has(name string) bool { _, ok := t.index[name]; return ok }

// next reads the next data row; false at the end of the file.
func (t *table) next() (bool, error) {
	rec, err := t.r.Read()
	if err == io.EOF {
		return false, nil
	}
	if err != nil {
		return false, t.csvError(err)
	}
	t.rec = rec
	t.recNo++
	if len(rec) != len(t.names) {
		line, _ := t.r.FieldPos(0)
		return false, &ParseError{File: t.file, Line: line, Column: 1, Msg: fmt.Sprintf("expected %d fields, got %d", len(t.names), len(rec))}
	}
	return true, nil
}

// csvError turns an encoding/csv error into a ParseError.
func (t *table) csvError(err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return &ParseError{File: t.file, Line: pe.Line, Column: pe.Column, Msg: pe.Err.Error()}
	}
	return &ParseError{File: t.file, Line: 1, Column: 1, Msg: err.Error()}
}

// fail returns a ParseError at the named column of the current row.
func (t *table) fail(name, format string, args ...any) error {
	i := t.index[name]
	line, col := t.r.FieldPos(i)
	return &ParseError{File: t.file, Line: line, Column: col, Field: name, Msg: fmt.Sprintf(format, args...)}
}

// str returns the named column of the current row (a copy: rows are reused).
func (t *table) str(name string) string {
	i, ok := t.index[name]
	if !ok {
		return ""
	}
	return strings.Clone(t.rec[i])
}

// isNaN reports whether a field is empty or "nan" (any case): how the traces
// spell "no value".
func isNaN(s string) bool { return s == "" || strings.EqualFold(s, "nan") }

// int parses an integer column in [lo, hi].
func (t *table) int(name string, lo, hi int64) (int64, error) {
	s := t.rec[t.index[name]]
	v, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return 0, t.fail(name, "expected an integer, got %q", s)
	}
	if v < lo || v > hi {
		return 0, t.fail(name, "%d is out of range [%d, %d]", v, lo, hi)
	}
	return v, nil
}

// float parses a finite number column in [lo, hi].
func (t *table) float(name string, lo, hi float64) (float64, error) {
	s := t.rec[t.index[name]]
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, t.fail(name, "expected a number, got %q", s)
	}
	if v < lo || v > hi {
		return 0, t.fail(name, "%v is out of range [%v, %v]", v, lo, hi)
	}
	return v, nil
}

// maxSeconds bounds trace times so that they fit a time.Duration (≈292 years).
const maxSeconds = 9e9

// stamp parses an optional time in seconds since the trace start (integer or
// decimal); empty or "nan" is an unset Stamp.
func (t *table) stamp(name string) (Stamp, error) {
	if !t.has(name) {
		return Stamp{}, nil
	}
	s := t.rec[t.index[name]]
	if isNaN(s) {
		return Stamp{}, nil
	}
	v, err := t.float(name, 0, maxSeconds)
	if err != nil {
		return Stamp{}, err
	}
	return Stamp{At: time.Duration(math.Round(v * 1e9)), Set: true}, nil
}

// Stamp is an optional time since the start of a trace.
type Stamp struct {
	At  time.Duration
	Set bool
}

// String renders the time in seconds, or "-" when unset.
func (s Stamp) String() string {
	if !s.Set {
		return "-"
	}
	return strconv.FormatFloat(s.At.Seconds(), 'f', -1, 64) + "s"
}
