// Package script runs the controllers' scripted trace tests, in the style of
// etcd-raft's interaction tests: each testdata/*.txt file is a sequence of
// blocks, a command line, a line "----", and the expected output up to a
// blank line; lines starting with "#" between blocks are comments. Every
// controller package supplies its own commands (a Runner over its harness);
// this package parses the files, runs the blocks in order, compares, and
// with -rewrite regenerates the expected outputs after a reviewed change.
package script

import (
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// Rewrite makes Run regenerate the expected outputs instead of comparing:
// go test -run TestScripts ./controllers/... -rewrite
var Rewrite = flag.Bool("rewrite", false, "rewrite the expected output in testdata/*.txt")

// Runner runs one command line and returns its output lines; an empty output
// is written as "ok".
type Runner func(cmd string) []string

// Run runs every testdata/*.txt script of the calling package as a subtest,
// each with a fresh Runner from newRunner.
func Run(t *testing.T, newRunner func(t *testing.T) Runner) {
	t.Helper()
	files, err := filepath.Glob("testdata/*.txt")
	if err != nil || len(files) == 0 {
		t.Fatalf("no scripts: %v", err)
	}
	for _, f := range files {
		t.Run(strings.TrimSuffix(filepath.Base(f), ".txt"), func(t *testing.T) { runFile(t, f, newRunner(t)) })
	}
}

// block is one command of a script with its expected output.
type block struct {
	comments []string
	cmd      string
	want     []string
	line     int
}

func parse(t *testing.T, path string) []block {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimRight(string(data), "\n"), "\n")
	var blocks []block
	var comments []string
	for i := 0; i < len(lines); i++ {
		l := lines[i]
		switch {
		case strings.TrimSpace(l) == "":
			continue
		case strings.HasPrefix(l, "#"):
			comments = append(comments, l)
			continue
		}
		b := block{comments: comments, cmd: l, line: i + 1}
		comments = nil
		if i+1 >= len(lines) || lines[i+1] != "----" {
			t.Fatalf("%s:%d: command not followed by ----", path, i+1)
		}
		i += 2
		for ; i < len(lines) && lines[i] != ""; i++ {
			b.want = append(b.want, lines[i])
		}
		blocks = append(blocks, b)
	}
	return blocks
}

func runFile(t *testing.T, path string, run Runner) {
	t.Helper()
	blocks := parse(t, path)
	var out strings.Builder
	for i, b := range blocks {
		got := run(b.cmd)
		if len(got) == 0 {
			got = []string{"ok"}
		}
		if *Rewrite {
			if i > 0 {
				out.WriteString("\n")
			}
			for _, c := range b.comments {
				out.WriteString(c + "\n")
			}
			out.WriteString(b.cmd + "\n----\n" + strings.Join(got, "\n") + "\n")
			continue
		}
		if !slices.Equal(got, b.want) {
			t.Fatalf("%s:%d: %s\n got:\n%s\n want:\n%s", path, b.line, b.cmd, strings.Join(got, "\n"), strings.Join(b.want, "\n"))
		}
	}
	if *Rewrite {
		if err := os.WriteFile(path, []byte(out.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
