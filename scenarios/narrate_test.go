package scenarios

import (
	"bytes"
	"flag"
	"os"
	"testing"

	"github.com/kubesim/kubesim/results"
)

var rewriteNarration = flag.Bool("rewrite-narration", false, "rewrite testdata/narrate.golden")

// TestNarrationGolden narrates a small failure scenario (a node of two
// crashes under a 3-replica ReplicaSet) and compares the story with
// testdata/narrate.golden; -rewrite-narration regenerates it after a
// reviewed change.
func TestNarrationGolden(t *testing.T) {
	l, err := Load("testdata/narrate.yaml")
	if err != nil {
		t.Fatal(err)
	}
	s, err := Build(l)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var buf bytes.Buffer
	n := results.NewNarrator(s.Store(), &buf)
	if _, err := s.Run(); err != nil {
		t.Fatal(err)
	}
	if err := n.Flush(); err != nil {
		t.Fatal(err)
	}
	const golden = "testdata/narrate.golden"
	if *rewriteNarration {
		if err := os.WriteFile(golden, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(buf.Bytes(), want) {
		t.Errorf("narration differs from %s (run with -rewrite-narration after review):\n%s", golden, buf.String())
	}
}
