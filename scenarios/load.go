package scenarios

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	kjson "sigs.k8s.io/json"
	kyaml "sigs.k8s.io/yaml"

	"github.com/kubesim/kubesim/scheduler/plugins/fgd"
	"github.com/kubesim/kubesim/sim/api"
	"github.com/kubesim/kubesim/workloads"
)

// Defaults for scenario fields (the timing defaults live with each component).
const (
	DefaultSeed           uint64 = 1
	DefaultSampleInterval        = 10 * time.Second
	// NodePoolLabel names the pool a generated node belongs to.
	NodePoolLabel = "kubesim.io/node-pool"
	// MaxNodes bounds the nodes of all pools together, MaxSamples the rows of
	// timeseries.csv: beyond them a typo (count: 1000000000) would exhaust
	// memory instead of being reported.
	MaxNodes   = 1_000_000
	MaxSamples = 10_000_000
)

// Loaded is a scenario that decoded, defaulted and validated: everything Build
// needs, with manifests already decoded into the object model.
type Loaded struct {
	// Path is the scenario file; Dir its directory (manifest paths are relative to it).
	Path, Dir string
	Scenario  Scenario
	Name      string
	Seed      uint64
	Duration  time.Duration
	// Nodes are every node present at time 0: the pools' generated nodes, then
	// the cluster manifests' nodes.
	Nodes []*api.Node
	// ClusterObjects are the other objects of the cluster manifests, created at 0.
	ClusterObjects []api.Object
	// Batches are the workloads, in time order (stable for equal times).
	Batches []Batch
	// Actions are the user actions, in time order (file order for equal
	// times); they run after the batches of the same time (actions.go).
	Actions []LoadedAction
	// Loads are the offered loads of spec.load, in file order.
	Loads []LoadedLoad
	// Failures are the failure plan's entries with their nodes resolved, in
	// time order (file order for equal times); PoolFailures the pools'
	// stochastic failures (failures.go).
	Failures     []LoadedFailure
	PoolFailures []LoadedPoolFailures
	// SchedulerConfig is the absolute path of the KubeSchedulerConfiguration, or "".
	SchedulerConfig string
	// Sources are spec.sources, in file order; TypicalPods the FGD typical
	// pods of spec.scheduler.typicalPodsFrom (nil when unset) (sources.go).
	Sources     []LoadedSource
	TypicalPods []fgd.TypicalPodSpec
	// Images maps image names to sizes in bytes.
	Images         map[string]int64
	SampleInterval time.Duration
}

// Batch is the objects of one workloads entry.
type Batch struct {
	At      time.Duration
	Objects []api.Object
}

var dnsLabel = regexp.MustCompile(`^[a-z0-9]([-a-z0-9]*[a-z0-9])?$`)

// Load reads, decodes strictly, defaults and validates a scenario file and the
// manifests it names. All problems are reported at once as a *LoadError, each
// with its file, line and field path.
func Load(path string) (*Loaded, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, &LoadError{Errors: []FieldError{{File: path, Msg: err.Error()}}}
	}
	return Parse(path, data)
}

// Parse is Load on bytes already read; path names the file in errors and
// anchors relative manifest paths.
func Parse(path string, data []byte) (*Loaded, error) {
	el := &errorList{file: path}
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		el.add("", "not valid YAML: %v", strings.TrimPrefix(err.Error(), "yaml: "))
		return nil, el.err()
	}
	el.root = &root
	js, err := kyaml.YAMLToJSON(data)
	if err != nil {
		el.add("", "not valid YAML: %v", err)
		return nil, el.err()
	}
	var sc Scenario
	strict, err := kjson.UnmarshalStrict(js, &sc, kjson.DisallowUnknownFields, kjson.DisallowDuplicateFields)
	for _, se := range strict {
		p, msg := splitStrictError(se.Error())
		el.add(p, "%s", msg)
	}
	if err != nil {
		p, msg := splitTypeError(err)
		el.add(p, "%s", msg)
		return nil, el.err()
	}
	l := &Loaded{Path: path, Dir: filepath.Dir(path), Scenario: sc}
	l.validateAndDefault(el)
	if len(el.errs) > 0 {
		return nil, el.err()
	}
	l.loadObjects(el)
	if len(el.errs) > 0 {
		return nil, el.err()
	}
	return l, nil
}

// splitStrictError turns `unknown field "spec.x"` into ("spec.x", "unknown field").
func splitStrictError(s string) (path, msg string) {
	for _, prefix := range []string{"unknown field ", "duplicate field "} {
		if strings.HasPrefix(s, prefix) {
			return strings.Trim(strings.TrimPrefix(s, prefix), `"`), strings.TrimSpace(prefix)
		}
	}
	return "", s
}

// splitTypeError extracts the field path from a JSON type error.
func splitTypeError(err error) (path, msg string) {
	var te *json.UnmarshalTypeError
	if ok := asTypeError(err, &te); ok && te.Field != "" {
		return te.Field, fmt.Sprintf("expected %s, got %s", te.Type, te.Value)
	}
	return "", err.Error()
}

func asTypeError(err error, out **json.UnmarshalTypeError) bool {
	te, ok := err.(*json.UnmarshalTypeError)
	if ok {
		*out = te
	}
	return ok
}

func (l *Loaded) validateAndDefault(el *errorList) {
	sc := &l.Scenario
	if sc.APIVersion != APIVersion {
		el.add("apiVersion", "must be %q, got %q", APIVersion, sc.APIVersion)
	}
	if sc.Kind != Kind {
		el.add("kind", "must be %q, got %q", Kind, sc.Kind)
	}
	l.Name = sc.Metadata.Name
	switch {
	case l.Name == "":
		el.add("metadata.name", "is required")
	case !dnsLabel.MatchString(l.Name) || len(l.Name) > 63:
		el.add("metadata.name", "%q must be lowercase letters, digits and '-' (at most 63)", l.Name)
	}
	l.Seed = DefaultSeed
	if sc.Spec.Seed != nil {
		l.Seed = *sc.Spec.Seed
	}
	l.Duration = sc.Spec.Duration.Duration
	if l.Duration <= 0 {
		el.add("spec.duration", "must be a positive duration such as 1h, got %q", sc.Spec.Duration.Duration.String())
	}

	pools := map[string]bool{}
	totalNodes := 0
	for i, p := range sc.Spec.Cluster.NodePools {
		path := fmt.Sprintf("spec.cluster.nodePools[%d]", i)
		switch {
		case p.Name == "":
			el.add(path+".name", "is required")
		case !dnsLabel.MatchString(p.Name):
			el.add(path+".name", "%q must be lowercase letters, digits and '-'", p.Name)
		case pools[p.Name]:
			el.add(path+".name", "duplicate pool name %q", p.Name)
		}
		pools[p.Name] = true
		switch {
		case p.Count < 0:
			el.add(path+".count", "must be >= 0, got %d", p.Count)
		case p.Count > MaxNodes-totalNodes:
			el.add(path+".count", "%d nodes would take the cluster over kubesim's limit of %d nodes", p.Count, MaxNodes)
		default:
			totalNodes += p.Count
		}
		for j, z := range p.Zones {
			if z == "" {
				el.add(fmt.Sprintf("%s.zones[%d]", path, j), "must not be empty")
			}
		}
		if len(p.Template) == 0 || string(p.Template) == "null" {
			el.add(path+".template", "is required: a v1 Node with at least status.allocatable or status.capacity")
		}
	}

	for i, b := range sc.Spec.Workloads {
		path := fmt.Sprintf("spec.workloads[%d]", i)
		if b.At.Duration < 0 {
			el.add(path+".at", "must not be negative, got %s", b.At.Duration)
		} else if l.Duration > 0 && b.At.Duration > l.Duration {
			el.add(path+".at", "%s is after the end of the run (spec.duration %s)", b.At.Duration, l.Duration)
		}
		if len(b.Manifests) == 0 {
			el.add(path+".manifests", "must name at least one manifest file")
		}
	}

	l.Images = map[string]int64{}
	for i, im := range sc.Spec.Images {
		path := fmt.Sprintf("spec.images[%d]", i)
		if im.Name == "" {
			el.add(path+".name", "is required")
		}
		if im.Size.Sign() < 0 {
			el.add(path+".size", "must not be negative, got %s", im.Size.String())
		}
		l.Images[im.Name] = im.Size.Value()
	}

	t := &sc.Spec.Timing
	checkDur := func(path string, d *metav1.Duration) {
		if d != nil && d.Duration < 0 {
			el.add(path, "must not be negative, got %s", d.Duration)
		}
	}
	checkDur("spec.timing.watchLatency", t.WatchLatency)
	checkDur("spec.timing.scheduler.cycle", t.Scheduler.Cycle)
	checkDur("spec.timing.scheduler.bind", t.Scheduler.Bind)
	checkDur("spec.timing.controllers.sync", t.Controllers.Sync)
	checkDur("spec.timing.kubelet.containerStart", t.Kubelet.ContainerStart)
	checkPositiveQty := func(path string, q *resource.Quantity) {
		if q != nil && q.Sign() <= 0 {
			el.add(path, "must be positive, got %s", q.String())
		}
	}
	checkPositiveQty("spec.timing.kubelet.imagePullBandwidth", t.Kubelet.ImagePullBandwidth)
	if q := t.Kubelet.DefaultImageSize; q != nil && q.Sign() < 0 {
		el.add("spec.timing.kubelet.defaultImageSize", "must not be negative, got %s", q.String())
	}

	l.SampleInterval = DefaultSampleInterval
	if si := sc.Spec.Output.SampleInterval; si != nil {
		if si.Duration <= 0 {
			el.add("spec.output.sampleInterval", "must be positive, got %s", si.Duration)
		}
		l.SampleInterval = si.Duration
	}
	if l.SampleInterval > 0 && l.Duration/l.SampleInterval > MaxSamples {
		el.add("spec.output.sampleInterval", "%s over %s would be more than %d samples", l.SampleInterval, l.Duration, MaxSamples)
	}
	if cfg := sc.Spec.Scheduler.Config; cfg != "" {
		l.SchedulerConfig = l.resolve(cfg)
		if _, err := os.Stat(l.SchedulerConfig); err != nil {
			el.add("spec.scheduler.config", "%v", err)
		}
	}
	l.validateActions(el)
	l.validateSources(el)
	l.validateLoads(el)
	l.validateFailures(el)
	l.validateTiming(el)
}

// resolve makes a path relative to the scenario's directory.
func (l *Loaded) resolve(p string) string {
	if filepath.IsAbs(p) {
		return p
	}
	return filepath.Join(l.Dir, p)
}

// loadObjects generates the pools' nodes and decodes every manifest.
func (l *Loaded) loadObjects(el *errorList) {
	sc := &l.Scenario
	seen := map[string]string{} // "Kind key" → where it was first defined
	// record notes that path (in file, when a manifest) defines o, and
	// reports a second definition of the same object in spec.cluster and
	// spec.workloads. Apply actions may define an object again: that
	// updates it (checked in loadActions, on the run's timeline).
	record := func(o api.Object, path, file string) bool {
		id := string(o.GetKind()) + " " + o.GetMeta().Key()
		where := path
		if file != "" {
			where += " (" + file + ")"
		}
		if first, dup := seen[id]; dup {
			prefix := ""
			if file != "" {
				prefix = file + ": "
			}
			el.add(path, "%s%s is already defined by %s; every object is created once", prefix, id, first)
			return false
		}
		seen[id] = where
		return true
	}
	for i, p := range sc.Spec.Cluster.NodePools {
		path := fmt.Sprintf("spec.cluster.nodePools[%d].template", i)
		tmpl, err := decodeNodeTemplate(l.Path+" ("+path+")", p.Name, p.Template)
		if err != nil {
			el.addRaw(path, err)
			continue
		}
		for k := 0; k < p.Count; k++ {
			n := tmpl.Clone()
			n.Name = fmt.Sprintf("%s-%d", p.Name, k+1)
			labels := make(map[string]string, len(tmpl.Labels)+3)
			for key, v := range tmpl.Labels {
				labels[key] = v
			}
			labels[api.LabelHostname] = n.Name
			labels[NodePoolLabel] = p.Name
			if len(p.Zones) > 0 {
				labels[api.LabelZone] = p.Zones[k%len(p.Zones)]
			}
			n.Labels = labels
			if record(n, fmt.Sprintf("spec.cluster.nodePools[%d]", i), "") {
				l.Nodes = append(l.Nodes, n)
			}
		}
	}
	for i, m := range sc.Spec.Cluster.Manifests {
		path := fmt.Sprintf("spec.cluster.manifests[%d]", i)
		objs, err := workloads.LoadFile(l.resolve(m))
		if err != nil {
			el.addRaw(path, err)
			continue
		}
		for _, o := range objs {
			if !record(o, path, m) {
				continue
			}
			if n, ok := o.(*api.Node); ok {
				l.Nodes = append(l.Nodes, n)
			} else {
				l.ClusterObjects = append(l.ClusterObjects, o)
			}
		}
	}
	l.ClusterObjects = append(l.ClusterObjects, dumpRevisions(l.ClusterObjects)...)
	l.loadSources(el, record)
	for i, b := range sc.Spec.Workloads {
		batch := Batch{At: b.At.Duration}
		for j, m := range b.Manifests {
			path := fmt.Sprintf("spec.workloads[%d].manifests[%d]", i, j)
			objs, err := workloads.LoadFile(l.resolve(m))
			if err != nil {
				el.addRaw(path, err)
				continue
			}
			for _, o := range objs {
				if _, isNode := o.(*api.Node); isNode {
					el.add(path, "%s: Node %s: nodes belong in spec.cluster (nodePools or manifests)", m, o.GetMeta().Name)
					continue
				}
				if record(o, path, m) {
					batch.Objects = append(batch.Objects, o)
				}
			}
		}
		l.Batches = append(l.Batches, batch)
	}
	sortBatches(l.Batches)
	l.loadActions(el)
	l.loadLoads(el)
	l.loadFailures(el)
}

func sortBatches(bs []Batch) {
	// Insertion sort keeps equal times in file order (stable) without reflection.
	for i := 1; i < len(bs); i++ {
		for j := i; j > 0 && bs[j].At < bs[j-1].At; j-- {
			bs[j], bs[j-1] = bs[j-1], bs[j]
		}
	}
}

// decodeNodeTemplate decodes a pool's template as a v1 Node manifest with the
// workloads decoder, so that it gets the same strict checks and defaults.
func decodeNodeTemplate(where, pool string, raw json.RawMessage) (*api.Node, error) {
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, fmt.Errorf("not a mapping: %v", err)
	}
	if m == nil {
		m = map[string]any{}
	}
	m["apiVersion"] = "v1"
	m["kind"] = "Node"
	meta, _ := m["metadata"].(map[string]any)
	if meta == nil {
		meta = map[string]any{}
	}
	if _, ok := meta["name"]; ok {
		return nil, fmt.Errorf("metadata.name: must not be set: pool nodes are named %s-1, %s-2, ...", pool, pool)
	}
	meta["name"] = pool + "-template"
	m["metadata"] = meta
	js, err := json.Marshal(m)
	if err != nil {
		return nil, err
	}
	objs, err := workloads.Decode(where, js)
	if err != nil {
		return nil, err
	}
	if len(objs) != 1 {
		return nil, fmt.Errorf("expected one Node, got %d objects", len(objs))
	}
	n, ok := objs[0].(*api.Node)
	if !ok {
		return nil, fmt.Errorf("expected a Node, got %s", objs[0].GetKind())
	}
	return n, nil
}
