package replicaset

import (
	"os"
	"testing"
)

// TestMain runs the package's tests with every sync checking its incremental
// counts against a full recount.
func TestMain(m *testing.M) {
	verifyCounts = true
	os.Exit(m.Run())
}
