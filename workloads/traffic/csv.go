package traffic

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
)

// SeriesHeader is the optional first line of a series CSV file.
const SeriesHeader = "time_seconds,rps"

// LoadSeries reads a series from a CSV file; see ReadSeries.
func LoadSeries(path string) (*Series, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	s, err := ReadSeries(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return s, nil
}

// ReadSeries reads a piecewise-constant series from CSV: one "time_seconds,rps"
// pair per line (the header line "time_seconds,rps" may come first), times in
// seconds since the start of the run, strictly increasing, rates in requests
// per second. Errors name the line.
func ReadSeries(r io.Reader) (*Series, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	cr.TrimLeadingSpace = true
	cr.Comment = '#'
	var times, rates []float64
	first := true
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		line, _ := cr.FieldPos(0)
		if err != nil {
			return nil, fmt.Errorf("traffic: %w", err)
		}
		if first && strings.Join(rec, ",") == SeriesHeader {
			first = false
			continue
		}
		first = false
		if len(rec) != 2 {
			return nil, fmt.Errorf("traffic: line %d: expected 2 fields (%s), got %d", line, SeriesHeader, len(rec))
		}
		t, err := strconv.ParseFloat(strings.TrimSpace(rec[0]), 64)
		if err != nil {
			return nil, fmt.Errorf("traffic: line %d: time_seconds %q is not a number", line, rec[0])
		}
		v, err := strconv.ParseFloat(strings.TrimSpace(rec[1]), 64)
		if err != nil {
			return nil, fmt.Errorf("traffic: line %d: rps %q is not a number", line, rec[1])
		}
		if len(times) > 0 && t <= times[len(times)-1] {
			return nil, fmt.Errorf("traffic: line %d: time_seconds %v is not after the previous line's %v", line, t, times[len(times)-1])
		}
		if !finiteNonNegative(t) || !finiteNonNegative(v) {
			return nil, fmt.Errorf("traffic: line %d: time_seconds and rps must be finite numbers >= 0, got %v, %v", line, t, v)
		}
		times = append(times, t)
		rates = append(rates, v)
	}
	if len(times) == 0 {
		return nil, errors.New("traffic: no data lines (expected " + SeriesHeader + " pairs)")
	}
	return NewSeries(times, rates)
}
