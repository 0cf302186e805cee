package traces

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// head returns the first n lines of a data file, as a fuzz seed.
func head(f testing.TB, path string, n int) []byte {
	b, err := os.ReadFile(path)
	if err != nil {
		f.Fatal(err)
	}
	lines := strings.SplitAfterN(string(b), "\n", n+1)
	return []byte(strings.Join(lines[:min(n, len(lines))], ""))
}

// fuzzRead checks a reader never panics and that success and errors are
// well-formed: records or a *ParseError with a position.
func fuzzRead[T any](f *testing.F, seeds [][]byte, read func(string) ([]T, error)) {
	for _, s := range seeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		recs, err := read(string(data))
		if err != nil {
			pe, ok := err.(*ParseError)
			if !ok || pe.Line < 1 || pe.Column < 1 || pe.File != "fuzz.csv" {
				t.Fatalf("bad error %T %v", err, err)
			}
			if recs != nil {
				t.Fatal("records returned with an error")
			}
		}
	})
}

func FuzzReadOpenBPods(f *testing.F) {
	fuzzRead(f, [][]byte{
		head(f, openbPath(OpenBDefaultPods), 20),
		head(f, openbPath("openb_pod_list_gpuspec33.csv"), 40),
		head(f, openbPath("openb_pod_list_multigpu50.csv"), 10),
	}, func(s string) ([]OpenBPod, error) {
		pods, err := ReadOpenBPods(strings.NewReader(s), "fuzz.csv")
		for _, p := range pods {
			conv := NewPodConverter(PodOptions{})
			_ = conv.OpenBPod(&p)
		}
		return pods, err
	})
}

func FuzzReadOpenBNodes(f *testing.F) {
	fuzzRead(f, [][]byte{head(f, openbPath(OpenBAllNodes), 20), head(f, openbPath(OpenBGPUNodes), 20)},
		func(s string) ([]OpenBNode, error) {
			nodes, err := ReadOpenBNodes(strings.NewReader(s), "fuzz.csv")
			for i := range nodes {
				_ = nodes[i].Node()
			}
			return nodes, err
		})
}

func FuzzReadDLRM(f *testing.F) {
	fuzzRead(f, [][]byte{head(f, filepath.Join(dataDir, DatasetDLRM, DLRMFile), 30)},
		func(s string) ([]DLRMInstance, error) {
			recs, err := ReadDLRM(strings.NewReader(s), "fuzz.csv")
			if err == nil {
				conv, cerr := NewDLRMConverter(recs, DLRMOptions{RDMA: true, Disk: true})
				if cerr == nil {
					for i := range recs {
						_ = conv.Pod(&recs[i])
					}
				}
			}
			return recs, err
		})
}

func FuzzReadPAI(f *testing.F) {
	fuzzRead(f, [][]byte{head(f, filepath.Join(dataDir, DatasetPAI, PAIFile), 20)},
		func(s string) ([]PAIMachine, error) {
			ms, err := ReadPAI(strings.NewReader(s), "fuzz.csv", paiColumns)
			for i := range ms {
				_ = ms[i].Node()
			}
			return ms, err
		})
}
