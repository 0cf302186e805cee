package results

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
)

// Output file names.
const (
	FilePods       = "pods.csv"
	FileTimeseries = "timeseries.csv"
	FileSummary    = "summary.json"
	FileEvents     = "events.jsonl"
)

// The workload history, workloads.csv, is FileWorkloads (workloads_output.go).

// TimeseriesHeader is the fixed start of timeseries.csv's header; one
// "<name>_requested,<name>_allocatable" pair per other resource seen follows,
// in name order.
const TimeseriesHeader = "time,pending,running,nodes_ready,cpu_requested,cpu_allocatable,memory_requested,memory_allocatable"

// WriteDir writes every output of the run (pods.csv, timeseries.csv,
// summary.json, workloads.csv and, unless disabled, events.jsonl) into dir, atomically: see
// AtomicDir. It fails before Finish.
func (r *Recorder) WriteDir(dir string) error {
	if !r.finished {
		return errors.New("results: WriteDir before Finish")
	}
	return AtomicDir(dir, r.WriteFiles)
}

// WriteFiles writes the outputs into the existing directory dir, file by file
// (not atomically; WriteDir is). It lets other writers, such as the HTML
// report, add their files within one AtomicDir.
func (r *Recorder) WriteFiles(dir string) error {
	if !r.finished {
		return errors.New("results: WriteFiles before Finish")
	}
	files := []struct {
		name  string
		write func(io.Writer) error
	}{
		{FilePods, r.writePods},
		{FileTimeseries, r.writeTimeseries},
		{FileSummary, r.summary.WriteJSON},
		{FileWorkloads, r.writeWorkloads},
	}
	if r.gpu != nil {
		files = append(files, struct {
			name  string
			write func(io.Writer) error
		}{FileGPUAllocation, r.gpu.write}, struct {
			name  string
			write func(io.Writer) error
		}{FileGPUDevices, writeDevices(r.st)})
	}
	if r.events != nil {
		files = append(files, struct {
			name  string
			write func(io.Writer) error
		}{FileEvents, r.events.copyTo})
	}
	for _, f := range files {
		if err := writeFile(filepath.Join(dir, f.name), f.write); err != nil {
			return err
		}
	}
	return nil
}

// writeFile creates path, fills it with write and syncs it to disk.
func writeFile(path string, write func(io.Writer) error) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return fmt.Errorf("results: %w", err)
	}
	err = write(f)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("results: writing %s: %w", path, err)
	}
	return nil
}

// AtomicDir puts a complete new folder at dir or leaves things as they were.
// It fills a fresh temporary sibling directory with fill; only when fill
// succeeds does it move an existing dir aside, rename the new folder to dir and
// then remove the old one. On any failure the temporary folder is removed and
// an existing dir is kept (moved back if needed).
//
// To protect unrelated folders, an existing dir is only replaced when it is
// empty or holds a summary.json (a previous run's output); a path that exists
// and is not a directory is an error. Both checks happen before fill runs.
func AtomicDir(dir string, fill func(tmp string) error) (err error) {
	dir = filepath.Clean(dir)
	parent, base := filepath.Dir(dir), filepath.Base(dir)
	exists, err := checkReplaceable(dir)
	if err != nil {
		return err
	}
	tmp, err := os.MkdirTemp(parent, "."+base+".tmp-")
	if err != nil {
		return fmt.Errorf("results: creating output folder: %w", err)
	}
	defer func() {
		if err != nil {
			os.RemoveAll(tmp)
		}
	}()
	if err := os.Chmod(tmp, 0o755); err != nil {
		return fmt.Errorf("results: %w", err)
	}
	if err := fill(tmp); err != nil {
		return err
	}
	if err := syncDir(tmp); err != nil {
		return err
	}
	old := ""
	if exists {
		old = tmp + ".old"
		if err := os.Rename(dir, old); err != nil {
			return fmt.Errorf("results: moving previous output aside: %w", err)
		}
	}
	if err := os.Rename(tmp, dir); err != nil {
		if old != "" {
			if rerr := os.Rename(old, dir); rerr != nil {
				return fmt.Errorf("results: installing %s: %w (and restoring the previous output from %s: %v)", dir, err, old, rerr)
			}
		}
		return fmt.Errorf("results: installing %s: %w", dir, err)
	}
	if old != "" {
		if err := os.RemoveAll(old); err != nil {
			return fmt.Errorf("results: %s written, but removing the previous output (%s): %w", dir, old, err)
		}
	}
	return syncDir(parent)
}

// checkReplaceable reports whether dir exists, and fails if it exists but
// must not be replaced.
func checkReplaceable(dir string) (bool, error) {
	fi, err := os.Lstat(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("results: %w", err)
	}
	if !fi.IsDir() {
		return false, fmt.Errorf("results: output %s exists and is not a directory", dir)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return false, fmt.Errorf("results: %w", err)
	}
	if len(entries) == 0 {
		return true, nil
	}
	if _, err := os.Lstat(filepath.Join(dir, FileSummary)); err != nil {
		return false, fmt.Errorf("results: refusing to replace %s: it is not empty and holds no %s, so it is not a previous output", dir, FileSummary)
	}
	return true, nil
}

// syncDir flushes a directory's entries to disk where the platform allows it.
func syncDir(dir string) error {
	f, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("results: %w", err)
	}
	defer f.Close()
	if err := f.Sync(); err != nil && !errors.Is(err, os.ErrInvalid) && !errors.Is(err, errors.ErrUnsupported) {
		return fmt.Errorf("results: syncing %s: %w", dir, err)
	}
	return nil
}

// writeTimeseries writes timeseries.csv.
func (r *Recorder) writeTimeseries(w io.Writer) error {
	cols := r.columns()
	bw := bufio.NewWriter(w)
	bw.WriteString(TimeseriesHeader)
	var b []byte
	for _, c := range cols[2:] {
		b = b[:0]
		b = append(b, ',')
		b = appendCSVField(b, c.name+"_requested")
		b = append(b, ',')
		b = appendCSVField(b, c.name+"_allocatable")
		bw.Write(b)
	}
	bw.WriteString("\n")
	for i := range r.samples {
		s := &r.samples[i]
		b = b[:0]
		b = appendTime(b, s.t)
		for _, v := range []int64{s.pending, s.running, s.nodesRdy} {
			b = append(b, ',')
			b = strconv.AppendInt(b, v, 10)
		}
		for _, c := range cols {
			req, alloc := c.at(s)
			b = append(b, ',')
			b = strconv.AppendInt(b, req, 10)
			b = append(b, ',')
			b = strconv.AppendInt(b, alloc, 10)
		}
		b = append(b, '\n')
		bw.Write(b)
	}
	return bw.Flush()
}
