package results

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// entries lists a directory's names.
func entries(t *testing.T, dir string) []string {
	t.Helper()
	es, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range es {
		out = append(out, e.Name())
	}
	return out
}

func TestWriteDirCreatesAndReplaces(t *testing.T) {
	parent := t.TempDir()
	dir := filepath.Join(parent, "out")
	// A previous output, with an extra file the new one does not have.
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{FileSummary, "stale.txt"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte("old"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	w := scripted(t, goldenConfig)
	defer w.rec.Close()
	if err := w.rec.WriteDir(dir); err != nil {
		t.Fatal(err)
	}
	if got, want := entries(t, dir), []string{FileEvents, FilePods, FileSummary, FileTimeseries, FileWorkloads}; !slices.Equal(got, want) {
		t.Errorf("output holds %v, want %v", got, want)
	}
	if got := entries(t, parent); !slices.Equal(got, []string{"out"}) {
		t.Errorf("parent holds %v, want only out (no temporary folders left)", got)
	}
	// Writing twice gives the same bytes.
	first, _ := os.ReadFile(filepath.Join(dir, FileEvents))
	if err := w.rec.WriteDir(dir); err != nil {
		t.Fatal(err)
	}
	second, _ := os.ReadFile(filepath.Join(dir, FileEvents))
	if len(first) == 0 || string(first) != string(second) {
		t.Errorf("events.jsonl differs between two WriteDir calls (%d, %d bytes)", len(first), len(second))
	}
}

// TestWriteDirFailureKeepsOld: a failing write leaves the previous output as it
// was and no partial folder behind.
func TestWriteDirFailureKeepsOld(t *testing.T) {
	parent := t.TempDir()
	dir := filepath.Join(parent, "out")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, FileSummary), []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	w := scripted(t, goldenConfig)
	// Closing the event log makes copying events.jsonl, the last file, fail
	// after the others were written.
	if err := w.rec.Close(); err != nil {
		t.Fatal(err)
	}
	if err := w.rec.WriteDir(dir); err == nil {
		t.Fatal("WriteDir succeeded with a closed event log")
	}
	b, err := os.ReadFile(filepath.Join(dir, FileSummary))
	if err != nil || string(b) != "old" {
		t.Errorf("previous output changed: %q, %v", b, err)
	}
	if got := entries(t, parent); !slices.Equal(got, []string{"out"}) {
		t.Errorf("parent holds %v, want only out", got)
	}
	if got := entries(t, dir); !slices.Equal(got, []string{FileSummary}) {
		t.Errorf("out holds %v, want only the old summary.json", got)
	}
}

func TestAtomicDirFailureWithoutPrevious(t *testing.T) {
	parent := t.TempDir()
	dir := filepath.Join(parent, "out")
	boom := errors.New("boom")
	err := AtomicDir(dir, func(tmp string) error {
		if err := os.WriteFile(filepath.Join(tmp, "half.csv"), []byte("x"), 0o644); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("err = %v, want boom", err)
	}
	if got := entries(t, parent); len(got) != 0 {
		t.Errorf("parent holds %v after a failed write, want nothing", got)
	}
}

func TestAtomicDirRefusesForeignFolders(t *testing.T) {
	parent := t.TempDir()
	notOutput := filepath.Join(parent, "home")
	if err := os.Mkdir(notOutput, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(notOutput, "precious.txt"), []byte("keep"), 0o644); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(parent, "file")
	if err := os.WriteFile(file, []byte("keep"), 0o644); err != nil {
		t.Fatal(err)
	}
	called := false
	fill := func(string) error { called = true; return nil }
	if err := AtomicDir(notOutput, fill); err == nil {
		t.Error("replaced a non-empty folder without summary.json")
	}
	if err := AtomicDir(file, fill); err == nil {
		t.Error("replaced a regular file")
	}
	if called {
		t.Error("fill ran although the target was refused")
	}
	if b, _ := os.ReadFile(filepath.Join(notOutput, "precious.txt")); string(b) != "keep" {
		t.Error("foreign folder changed")
	}
	// An empty folder is fine to replace.
	empty := filepath.Join(parent, "empty")
	if err := os.Mkdir(empty, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := AtomicDir(empty, func(tmp string) error {
		return os.WriteFile(filepath.Join(tmp, "a"), nil, 0o644)
	}); err != nil {
		t.Fatal(err)
	}
	if got := entries(t, empty); !slices.Equal(got, []string{"a"}) {
		t.Errorf("empty folder now holds %v", got)
	}
	if got := entries(t, parent); !slices.Equal(got, []string{"empty", "file", "home"}) {
		t.Errorf("parent holds %v", got)
	}
}
