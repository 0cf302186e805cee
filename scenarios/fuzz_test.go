package scenarios

import (
	"os"
	"path/filepath"
	"testing"
)

// FuzzParse checks that no input makes the scenario loader panic, and that a
// rejected input always says why. Run: go test -fuzz FuzzParse ./scenarios/
// Inputs that once failed are kept in testdata/fuzz/FuzzParse.
func FuzzParse(f *testing.F) {
	seeds, _ := filepath.Glob("testdata/*.yaml")
	seeds = append(seeds, "quickstart.yaml")
	for _, s := range seeds {
		if b, err := os.ReadFile(s); err == nil {
			f.Add(b)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		l, err := Parse("testdata/fuzz.yaml", data)
		if err != nil {
			if err.Error() == "" {
				t.Fatal("empty error message")
			}
			return
		}
		if l.Duration <= 0 || l.Name == "" {
			t.Fatalf("accepted a scenario without a name or duration: %+v", l)
		}
	})
}
