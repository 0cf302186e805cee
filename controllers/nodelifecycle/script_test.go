package nodelifecycle

import (
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

var rewrite = flag.Bool("rewrite", false, "rewrite the expected output in testdata/*.txt")

// TestScripts runs every testdata/*.txt script: blocks of a command line,
// "----", and the expected output up to a blank line. Lines starting with "#"
// between blocks are comments. With -rewrite the outputs are regenerated.
//
// Commands: add-nodes N [zone=Z] [prefix=P] [no-lease]; add-pod NAME NODE;
// crash NODE...; recover NODE...; not-ready NODE; advance DURATION;
// print nodes|zones|pods.
func TestScripts(t *testing.T) {
	files, err := filepath.Glob("testdata/*.txt")
	if err != nil || len(files) == 0 {
		t.Fatalf("no scripts: %v", err)
	}
	for _, f := range files {
		t.Run(strings.TrimSuffix(filepath.Base(f), ".txt"), func(t *testing.T) { runScript(t, f) })
	}
}

type scriptCase struct {
	comments []string
	cmd      string
	want     []string
	line     int
}

func parseScript(t *testing.T, path string) []scriptCase {
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimRight(string(data), "\n"), "\n")
	var cases []scriptCase
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
		c := scriptCase{comments: comments, cmd: l, line: i + 1}
		comments = nil
		if i+1 >= len(lines) || lines[i+1] != "----" {
			t.Fatalf("%s:%d: command not followed by ----", path, i+1)
		}
		i += 2
		for ; i < len(lines) && lines[i] != ""; i++ {
			c.want = append(c.want, lines[i])
		}
		cases = append(cases, c)
	}
	return cases
}

func runScript(t *testing.T, path string) {
	cases := parseScript(t, path)
	h := newHarness(Config{})
	var out strings.Builder
	for i, c := range cases {
		got := h.run(t, c.cmd)
		if len(got) == 0 {
			got = []string{"ok"}
		}
		if *rewrite {
			if i > 0 {
				out.WriteString("\n")
			}
			for _, cm := range c.comments {
				out.WriteString(cm + "\n")
			}
			out.WriteString(c.cmd + "\n----\n" + strings.Join(got, "\n") + "\n")
			continue
		}
		if !slices.Equal(got, c.want) {
			t.Fatalf("%s:%d: %s\n got:\n%s\n want:\n%s", path, c.line, c.cmd, strings.Join(got, "\n"), strings.Join(c.want, "\n"))
		}
	}
	if *rewrite {
		if err := os.WriteFile(path, []byte(out.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func (h *harness) run(t *testing.T, line string) []string {
	t.Helper()
	f := strings.Fields(line)
	kv := map[string]string{}
	var pos []string
	for _, a := range f[1:] {
		if k, v, ok := strings.Cut(a, "="); ok {
			kv[k] = v
		} else {
			pos = append(pos, a)
		}
	}
	fail := func(format string, a ...any) { t.Fatalf("%q: "+format, append([]any{line}, a...)...) }
	arg := func(i int) string {
		if i >= len(pos) {
			fail("missing argument %d", i+1)
		}
		return pos[i]
	}
	h.log = nil
	switch f[0] {
	case "add-nodes":
		n, err := strconv.Atoi(arg(0))
		if err != nil {
			fail("%v", err)
		}
		prefix := kv["prefix"]
		if prefix == "" {
			prefix = "n"
		}
		for range n {
			h.addNode(prefix+strconv.Itoa(h.st.Nodes.Len()+1), kv["zone"], !slices.Contains(pos, "no-lease"))
		}
	case "add-pod":
		h.addPod(arg(0), arg(1))
	case "crash":
		for _, n := range pos {
			h.crash(n)
		}
	case "recover":
		for _, n := range pos {
			h.recover(n)
		}
	case "not-ready":
		h.setReady(arg(0), "False", "KubeletNotReady")
	case "advance":
		d, err := time.ParseDuration(arg(0))
		if err != nil {
			fail("%v", err)
		}
		h.eng.Run(h.eng.Now().Add(d))
		return append(h.log, "now "+clock(h.eng.Now()))
	case "print":
		switch arg(0) {
		case "nodes":
			return h.printNodes()
		case "zones":
			return h.printZones()
		case "pods":
			var out []string
			for _, p := range h.st.Pods.List("", nil) {
				out = append(out, p.Name+" node="+p.NodeName+" ready="+strconv.FormatBool(p.IsReady()))
			}
			return out
		}
		fail("print what?")
	default:
		fail("unknown command")
	}
	return h.log
}
