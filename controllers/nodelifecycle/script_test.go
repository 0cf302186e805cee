package nodelifecycle

import (
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/kubesim/kubesim/controllers/internal/script"
)

// TestScripts runs every testdata/*.txt script: blocks of a command line,
// "----", and the expected output up to a blank line. Lines starting with "#"
// between blocks are comments. With -rewrite the outputs are regenerated.
//
// Commands: add-nodes N [zone=Z] [prefix=P] [no-lease]; add-pod NAME NODE;
// crash NODE...; recover NODE...; not-ready NODE; advance DURATION;
// print nodes|zones|pods.
func TestScripts(t *testing.T) {
	script.Run(t, func(t *testing.T) script.Runner {
		h := newHarness(Config{})
		return func(cmd string) []string { return h.run(t, cmd) }
	})
}

func (h *harness) run(t *testing.T, line string) []string {
	t.Helper()
	c := script.Parse(t, line)
	f := c.Fields
	pos := c.Pos
	kv := c.KV
	fail := c.Fail
	arg := c.Arg
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
		return append(h.log, "now "+script.Clock(h.eng.Now()))
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
