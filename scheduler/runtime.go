package scheduler

import (
	"fmt"
	"math"
	"time"

	configv1 "k8s.io/kube-scheduler/config/v1"

	"github.com/kubesim/kubesim/scheduler/framework"
	"github.com/kubesim/kubesim/sim/api"
)

// Extension point names, as in KubeSchedulerConfiguration.
const (
	PointPreEnqueue = "preEnqueue"
	PointQueueSort  = "queueSort"
	PointPreFilter  = "preFilter"
	PointFilter     = "filter"
	PointPostFilter = "postFilter"
	PointPreScore   = "preScore"
	PointScore      = "score"
	PointReserve    = "reserve"
	PointPermit     = "permit"
	PointPreBind    = "preBind"
	PointBind       = "bind"
	PointPostBind   = "postBind"
)

// Profile is a built scheduling profile (upstream: a framework instance): its
// plugins at each extension point, in run order, and its score weights.
type Profile struct {
	name                     string
	percentageOfNodesToScore *int32
	plugins                  map[string]framework.Plugin

	preEnqueue    []framework.PreEnqueuePlugin
	queueSort     framework.QueueSortPlugin
	preFilter     []framework.PreFilterPlugin
	preFilterExt  []framework.PreFilterExtensions // parallel to preFilter; nil entries
	filter        []framework.FilterPlugin
	filterBatch   []framework.BatchFilterPlugin // parallel to filter; nil entries
	postFilter    []framework.PostFilterPlugin
	preScore      []framework.PreScorePlugin
	score         []framework.ScorePlugin
	scoreExt      []framework.ScoreExtensions  // parallel to score; nil entries
	scoreBatch    []framework.BatchScorePlugin // parallel to score; nil entries
	scoreTable    []framework.TableScorePlugin // parallel to score; nil entries
	scoreNameless []bool                       // parallel to score: NormalizeScore reads no names
	names         []string                     // runScore's scratch
	cols          []scoreColumn                // totalScores' scratch
	scoreWeight   []int64                      // parallel to score
	reserve       []framework.ReservePlugin
	permit        []framework.PermitPlugin
	preBind       []framework.PreBindPlugin
	bind          []framework.BindPlugin
	postBind      []framework.PostBindPlugin
}

// Name returns the profile's scheduler name.
func (p *Profile) Name() string { return p.name }

// PluginNames returns the names of the plugins that run at an extension point
// (one of the Point* constants), in run order.
func (p *Profile) PluginNames(point string) []string {
	switch point {
	case PointPreEnqueue:
		return pluginNames(p.preEnqueue)
	case PointQueueSort:
		if p.queueSort != nil {
			return []string{p.queueSort.Name()}
		}
	case PointPreFilter:
		return pluginNames(p.preFilter)
	case PointFilter:
		return pluginNames(p.filter)
	case PointPostFilter:
		return pluginNames(p.postFilter)
	case PointPreScore:
		return pluginNames(p.preScore)
	case PointScore:
		return pluginNames(p.score)
	case PointReserve:
		return pluginNames(p.reserve)
	case PointPermit:
		return pluginNames(p.permit)
	case PointPreBind:
		return pluginNames(p.preBind)
	case PointBind:
		return pluginNames(p.bind)
	case PointPostBind:
		return pluginNames(p.postBind)
	}
	return nil
}

// pluginNames returns the names of plugins, in order (nil for none).
func pluginNames[T framework.Plugin](plugins []T) []string {
	var out []string
	for _, pl := range plugins {
		out = append(out, pl.Name())
	}
	return out
}

// ScoreWeight returns the weight of a score plugin (0 if it does not score).
func (p *Profile) ScoreWeight(name string) int64 {
	for i, s := range p.score {
		if s.Name() == name {
			return p.scoreWeight[i]
		}
	}
	return 0
}

// NewProfile builds a profile from its configuration: the plugin sets are
// merged with the default plugins, every plugin enabled anywhere is created
// once by its factory with its args, multiPoint entries are expanded to every
// extension point the plugin implements, and score weights are resolved
// (a weight given at score wins over multiPoint; unset or 0 means 1).
func NewProfile(pc ProfileConfig, reg framework.Registry, h framework.Handle) (*Profile, error) {
	merged := mergePlugins(DefaultPlugins(reg), pc.Plugins)
	p := &Profile{name: pc.SchedulerName, percentageOfNodesToScore: pc.PercentageOfNodesToScore,
		plugins: map[string]framework.Plugin{}}
	points := pluginPoints(merged)
	for _, pt := range points {
		for _, e := range pt.set.Enabled {
			if _, done := p.plugins[e.Name]; done {
				continue
			}
			f, ok := reg[e.Name]
			if !ok {
				return nil, fmt.Errorf("plugins.%s: unknown plugin %q", pt.name, e.Name)
			}
			pl, err := f(pc.PluginArgs[e.Name], h)
			if err != nil {
				return nil, fmt.Errorf("initializing plugin %q: %w", e.Name, err)
			}
			p.plugins[e.Name] = pl
		}
	}
	for name := range pc.PluginArgs {
		if _, ok := reg[name]; !ok {
			return nil, fmt.Errorf("pluginConfig: unknown plugin %q", name)
		}
	}
	multi := merged.MultiPoint.Enabled
	var err error
	set := func(e error) {
		if err == nil {
			err = e
		}
	}
	var e error
	p.preEnqueue, e = expandPoint[framework.PreEnqueuePlugin](p, merged.PreEnqueue, multi, PointPreEnqueue)
	set(e)
	var qs []framework.QueueSortPlugin
	qs, e = expandPoint[framework.QueueSortPlugin](p, merged.QueueSort, multi, PointQueueSort)
	set(e)
	p.preFilter, e = expandPoint[framework.PreFilterPlugin](p, merged.PreFilter, multi, PointPreFilter)
	set(e)
	p.filter, e = expandPoint[framework.FilterPlugin](p, merged.Filter, multi, PointFilter)
	set(e)
	p.postFilter, e = expandPoint[framework.PostFilterPlugin](p, merged.PostFilter, multi, PointPostFilter)
	set(e)
	p.preScore, e = expandPoint[framework.PreScorePlugin](p, merged.PreScore, multi, PointPreScore)
	set(e)
	p.score, e = expandPoint[framework.ScorePlugin](p, merged.Score, multi, PointScore)
	set(e)
	p.reserve, e = expandPoint[framework.ReservePlugin](p, merged.Reserve, multi, PointReserve)
	set(e)
	p.permit, e = expandPoint[framework.PermitPlugin](p, merged.Permit, multi, PointPermit)
	set(e)
	p.preBind, e = expandPoint[framework.PreBindPlugin](p, merged.PreBind, multi, PointPreBind)
	set(e)
	p.bind, e = expandPoint[framework.BindPlugin](p, merged.Bind, multi, PointBind)
	set(e)
	p.postBind, e = expandPoint[framework.PostBindPlugin](p, merged.PostBind, multi, PointPostBind)
	set(e)
	if err != nil {
		return nil, err
	}
	if len(qs) != 1 {
		return nil, fmt.Errorf("only one queue sort plugin required for profile with scheduler name %q, but got %d", p.name, len(qs))
	}
	p.queueSort = qs[0]
	if len(p.bind) == 0 {
		return nil, fmt.Errorf("at least one bind plugin is needed for profile with scheduler name %q", p.name)
	}
	p.filterBatch = make([]framework.BatchFilterPlugin, len(p.filter))
	for i, pl := range p.filter {
		p.filterBatch[i], _ = pl.(framework.BatchFilterPlugin)
	}
	p.preFilterExt = make([]framework.PreFilterExtensions, len(p.preFilter))
	for i, pl := range p.preFilter {
		if x, ok := pl.(framework.PreFilterWithExtensions); ok {
			p.preFilterExt[i] = x.PreFilterExtensions()
		}
	}
	// Weights: score-point entries first, so that they win over multiPoint.
	weights := map[string]int64{}
	for _, e := range append(append([]configv1.Plugin(nil), merged.Score.Enabled...), multi...) {
		if _, ok := p.plugins[e.Name].(framework.ScorePlugin); !ok {
			continue
		}
		if _, seen := weights[e.Name]; seen {
			continue
		}
		w := int64(1)
		if e.Weight != nil && *e.Weight != 0 {
			w = int64(*e.Weight)
		}
		if w < 0 {
			return nil, fmt.Errorf("plugins.score: plugin %q has negative weight %d", e.Name, w)
		}
		weights[e.Name] = w
	}
	p.scoreWeight = make([]int64, len(p.score))
	p.scoreExt = make([]framework.ScoreExtensions, len(p.score))
	p.scoreBatch = make([]framework.BatchScorePlugin, len(p.score))
	p.scoreTable = make([]framework.TableScorePlugin, len(p.score))
	p.scoreNameless = make([]bool, len(p.score))
	for i, s := range p.score {
		p.scoreBatch[i], _ = s.(framework.BatchScorePlugin)
		p.scoreTable[i], _ = s.(framework.TableScorePlugin)
		w, ok := weights[s.Name()]
		if !ok {
			return nil, fmt.Errorf("score plugin %q is not configured with weight", s.Name())
		}
		p.scoreWeight[i] = w
		p.scoreExt[i] = s.ScoreExtensions()
		_, p.scoreNameless[i] = p.scoreExt[i].(framework.NamelessNormalizer)
	}
	return p, nil
}

// expandPoint builds one extension point's plugin list with upstream's rules:
// plugins enabled at the point itself (each must implement it; no duplicates),
// then multiPoint expansion: multiPoint plugins implementing the point and not
// disabled there are added; one also enabled at the point keeps the point's
// configuration. Order: point-enabled plugins that override a multiPoint entry,
// then multiPoint plugins, then the other point-enabled plugins.
func expandPoint[T framework.Plugin](p *Profile, set configv1.PluginSet, multi []configv1.Plugin, point string) ([]T, error) {
	enabled := make([]string, 0, len(set.Enabled))
	inEnabled := map[string]bool{}
	for _, e := range set.Enabled {
		pl, ok := p.plugins[e.Name]
		if !ok {
			return nil, fmt.Errorf("plugins.%s: unknown plugin %q", point, e.Name)
		}
		if _, ok := pl.(T); !ok {
			return nil, fmt.Errorf("plugins.%s: plugin %q does not extend %s", point, e.Name, point)
		}
		if inEnabled[e.Name] {
			return nil, fmt.Errorf("plugins.%s: plugin %q already registered", point, e.Name)
		}
		inEnabled[e.Name] = true
		enabled = append(enabled, e.Name)
	}
	disabled := map[string]bool{}
	for _, d := range set.Disabled {
		disabled[d.Name] = true
	}
	var override, fromMulti []string
	overrideSet, multiSet := map[string]bool{}, map[string]bool{}
	if !disabled["*"] {
		for _, e := range multi {
			pl, ok := p.plugins[e.Name]
			if !ok {
				return nil, fmt.Errorf("plugins.multiPoint: unknown plugin %q", e.Name)
			}
			if _, ok := pl.(T); !ok || disabled[e.Name] {
				continue
			}
			if inEnabled[e.Name] {
				overrideSet[e.Name] = true
				continue
			}
			if multiSet[e.Name] {
				return nil, fmt.Errorf("plugins.multiPoint: plugin %q already registered as %s", e.Name, point)
			}
			multiSet[e.Name] = true
			fromMulti = append(fromMulti, e.Name)
		}
	}
	var rest []string
	for _, n := range enabled {
		if overrideSet[n] {
			override = append(override, n)
		} else {
			rest = append(rest, n)
		}
	}
	var out []T
	for _, list := range [][]string{override, fromMulti, rest} {
		for _, n := range list {
			out = append(out, p.plugins[n].(T))
		}
	}
	return out, nil
}

// runPreEnqueue runs the PreEnqueue plugins; the first non-success status
// (with its plugin set) gates the pod.
func (p *Profile) runPreEnqueue(pod *api.Pod) *framework.Status {
	for _, pl := range p.preEnqueue {
		if s := pl.PreEnqueue(pod); !s.IsSuccess() {
			return s.WithPlugin(pl.Name())
		}
	}
	return nil
}

// runPreFilter runs every PreFilter plugin (SEMANTICS 1.1 step 5). It returns
// the intersected node restriction (nil: all nodes), the status (nil, a
// rejection or an error), and the plugins that restricted the nodes.
func (p *Profile) runPreFilter(state *framework.CycleState, pod *api.Pod, nodes []*framework.NodeInfo) (map[string]struct{}, *framework.Status, []string) {
	var result map[string]struct{}
	restricted := false
	var pluginsWithNodes []string
	var ret *framework.Status
	state.SkipFilterPlugins = state.SkipFilterPlugins[:0]
	for _, pl := range p.preFilter {
		r, s := pl.PreFilter(state, pod, nodes)
		if s.IsSkip() {
			state.SkipFilterPlugins = append(state.SkipFilterPlugins, pl.Name())
			continue
		}
		if !s.IsSuccess() {
			s.WithPlugin(pl.Name())
			switch s.Code() {
			case framework.UnschedulableAndUnresolvable:
				return nil, s, nil
			case framework.Unschedulable:
				ret = s
				continue
			}
			return nil, framework.AsStatus(fmt.Errorf("running PreFilter plugin %q: %s", pl.Name(), s.Message())).WithPlugin(pl.Name()), nil
		}
		if r.AllNodes() {
			continue
		}
		pluginsWithNodes = append(pluginsWithNodes, pl.Name())
		if !restricted {
			restricted = true
			result = make(map[string]struct{}, len(r.NodeNames))
			for n := range r.NodeNames {
				result[n] = struct{}{}
			}
		} else {
			for n := range result {
				if _, ok := r.NodeNames[n]; !ok {
					delete(result, n)
				}
			}
		}
		if len(result) == 0 {
			msg := fmt.Sprintf("node(s) didn't satisfy plugin(s) %v simultaneously", pluginsWithNodes)
			if len(pluginsWithNodes) == 1 {
				msg = fmt.Sprintf("node(s) didn't satisfy plugin %v", pluginsWithNodes[0])
			}
			return result, framework.NewStatus(framework.UnschedulableAndUnresolvable, msg), pluginsWithNodes
		}
	}
	if !restricted {
		return nil, ret, pluginsWithNodes
	}
	return result, ret, pluginsWithNodes
}

// runPostFilter runs PostFilter plugins until one succeeds or says
// UnschedulableAndUnresolvable, as upstream.
func (p *Profile) runPostFilter(state *framework.CycleState, pod *api.Pod, m framework.NodeToStatus) (*framework.PostFilterResult, *framework.Status) {
	var result *framework.PostFilterResult
	var reasons []string
	rejector := ""
	for _, pl := range p.postFilter {
		r, s := pl.PostFilter(state, pod, m)
		switch {
		case s.IsSuccess():
			return r, s
		case s.Code() == framework.UnschedulableAndUnresolvable:
			return r, s.WithPlugin(pl.Name())
		case !s.IsRejected():
			return nil, framework.AsStatus(fmt.Errorf("running PostFilter plugin %q: %s", pl.Name(), s.Message())).WithPlugin(pl.Name())
		case r != nil:
			// A result overrides the nominated node ("" clears it).
			result = r
		}
		reasons = append(reasons, s.Reasons()...)
		if rejector == "" {
			rejector = pl.Name()
		}
	}
	return result, framework.NewStatus(framework.Unschedulable, reasons...).WithPlugin(rejector)
}

// runPreScore runs PreScore plugins, recording Skips in state.
func (p *Profile) runPreScore(state *framework.CycleState, pod *api.Pod, nodes []*framework.NodeInfo) *framework.Status {
	state.SkipScorePlugins = state.SkipScorePlugins[:0]
	for _, pl := range p.preScore {
		s := pl.PreScore(state, pod, nodes)
		if s.IsSkip() {
			state.SkipScorePlugins = append(state.SkipScorePlugins, pl.Name())
			continue
		}
		if !s.IsSuccess() {
			return framework.AsStatus(fmt.Errorf("running PreScore plugin %q: %s", pl.Name(), s.Message())).WithPlugin(pl.Name())
		}
	}
	return nil
}

// runScore runs the Score plugins that PreScore did not skip over nodes, then
// each plugin's NormalizeScore, the [MinNodeScore, MaxNodeScore] range check
// and its weight. It returns buf grown to one entry per score plugin (buffers
// are reused across cycles): entry i holds plugin i's weighted scores,
// parallel to nodes, or is empty when the plugin was skipped. The first
// failure stops it with an error status naming the plugin.
func (p *Profile) runScore(state *framework.CycleState, pod *api.Pod, nodes []*framework.NodeInfo, buf [][]framework.NodeScore) ([][]framework.NodeScore, *framework.Status) {
	return p.runScoreTable(state, pod, nodes, nil, nil, buf, true)
}

// runScoreTable is runScore for nodes whose rows in table t are ids[i]
// (nodes[i].ID). Unless weigh is set, the scores are left normalised,
// unchecked and unweighted, for totalScores. Table score plugins read t (nil: no table); the names in
// their entries are set only when their NormalizeScore needs them.
func (p *Profile) runScoreTable(state *framework.CycleState, pod *api.Pod, nodes []*framework.NodeInfo, t *framework.NodeTable, ids []int32, buf [][]framework.NodeScore, weigh bool) ([][]framework.NodeScore, *framework.Status) {
	n := len(nodes)
	for len(buf) < len(p.score) {
		buf = append(buf, nil)
	}
	var names []string // filled on first use
	nodeNames := func() []string {
		if names != nil || n == 0 {
			return names
		}
		names = p.names[:0]
		if t != nil {
			for _, id := range ids {
				names = append(names, t.Names[id])
			}
		} else {
			for _, ni := range nodes {
				names = append(names, ni.Name())
			}
		}
		p.names = names
		return names
	}
	for i, pl := range p.score {
		if state.SkipScorePlugins.Has(pl.Name()) {
			buf[i] = buf[i][:0]
			continue
		}
		if cap(buf[i]) < n {
			buf[i] = make([]framework.NodeScore, n)
		}
		scores := buf[i][:n]
		buf[i] = scores
		ext := p.scoreExt[i]
		if tp := p.scoreTable[i]; tp != nil && t != nil {
			if st := tp.ScoreTable(state, pod, t, ids, nodes, scores); !st.IsSuccess() {
				return buf, framework.AsStatus(fmt.Errorf("running Score plugin %q: %s", pl.Name(), st.Message())).WithPlugin(pl.Name())
			}
			if ext != nil && !p.scoreNameless[i] {
				for j, name := range nodeNames() {
					scores[j].Name = name
				}
			}
		} else if batch := p.scoreBatch[i]; batch != nil {
			for j, name := range nodeNames() {
				scores[j] = framework.NodeScore{Name: name}
			}
			if st := batch.ScoreNodes(state, pod, nodes, scores); !st.IsSuccess() {
				return buf, framework.AsStatus(fmt.Errorf("running Score plugin %q: %s", pl.Name(), st.Message())).WithPlugin(pl.Name())
			}
		} else {
			names := nodeNames()
			for j, ni := range nodes {
				sc, st := pl.Score(state, pod, ni)
				if !st.IsSuccess() {
					return buf, framework.AsStatus(fmt.Errorf("running Score plugin %q: %s", pl.Name(), st.Message())).WithPlugin(pl.Name())
				}
				scores[j] = framework.NodeScore{Name: names[j], Score: sc}
			}
		}
		if ext != nil {
			if st := ext.NormalizeScore(state, pod, scores); !st.IsSuccess() {
				return buf, framework.AsStatus(fmt.Errorf("running Normalize on Score plugin %q: %s", pl.Name(), st.Message())).WithPlugin(pl.Name())
			}
		}
	}
	if weigh {
		for i, pl := range p.score {
			w := p.scoreWeight[i]
			scores := buf[i]
			for j := range scores {
				sc := scores[j].Score
				if sc > framework.MaxNodeScore || sc < framework.MinNodeScore {
					return buf, invalidScore(pl.Name(), sc)
				}
				scores[j].Score = sc * w
			}
		}
	}
	return buf, nil
}

// scoreColumn is one active score plugin's normalised scores and weight.
type scoreColumn struct {
	scores []framework.NodeScore
	weight int64
}

// totalScores is the end of scoring for the scheduling decision, over the
// normalised scores runScoreTable left unweighted in buf: in one pass over the nodes it range-checks
// every plugin's score, sets totals[j] to node j's weighted sum, and finds
// the highest total and how many nodes have it. A score out of range is
// reported for the first plugin, in profile order, that has one.
func (p *Profile) totalScores(buf [][]framework.NodeScore, totals []int64) (best int64, ties int, st *framework.Status) {
	cols := p.cols[:0]
	for i := range p.score {
		if len(buf[i]) > 0 {
			cols = append(cols, scoreColumn{buf[i][:len(totals)], p.scoreWeight[i]})
		}
	}
	p.cols = cols
	clear(totals)
	var bad bool
	for _, c := range cols {
		if addColumn(totals, c.scores, c.weight) {
			bad = true
		}
	}
	best = math.MinInt64
	for _, t := range totals {
		if t > best {
			best, ties = t, 1
		} else if t == best {
			ties++
		}
	}
	clear(cols)
	if bad {
		for i, pl := range p.score {
			for _, s := range buf[i] {
				if s.Score > framework.MaxNodeScore || s.Score < framework.MinNodeScore {
					return 0, 0, invalidScore(pl.Name(), s.Score)
				}
			}
		}
	}
	return best, ties, nil
}

// addColumn adds w × scores[j].Score to totals[j] for every j and reports
// whether a score is out of [MinNodeScore, MaxNodeScore]: in range, the
// score minus MinNodeScore, unsigned, is at most the range's width. It is
// kept out of line: inlined into totalScores, its loop counters lived on
// the stack.
//
//go:noinline
func addColumn(totals []int64, scores []framework.NodeScore, w int64) (bad bool) {
	const width = uint64(framework.MaxNodeScore - framework.MinNodeScore)
	scores = scores[:len(totals)]
	for j, s := range scores {
		if uint64(s.Score-framework.MinNodeScore) > width {
			bad = true
		}
		totals[j] += s.Score * w
	}
	return bad
}

// invalidScore is the error status for a normalised score out of range.
func invalidScore(plugin string, sc int64) *framework.Status {
	return framework.AsStatus(fmt.Errorf("plugin %q returns an invalid score %d, it should in the range of [%d, %d] after normalizing",
		plugin, sc, framework.MinNodeScore, framework.MaxNodeScore)).WithPlugin(plugin)
}

// runReserve runs Reserve plugins in order; the first failure is returned with
// its plugin set (an error status for anything but a rejection).
func (p *Profile) runReserve(state *framework.CycleState, pod *api.Pod, node string) *framework.Status {
	for _, pl := range p.reserve {
		s := pl.Reserve(state, pod, node)
		if s.IsSuccess() {
			continue
		}
		if s.IsRejected() {
			return s.WithPlugin(pl.Name())
		}
		return framework.AsStatus(fmt.Errorf("running Reserve plugin %q: %s", pl.Name(), s.Message())).WithPlugin(pl.Name())
	}
	return nil
}

// runUnreserve calls Unreserve on every Reserve plugin in reverse order.
func (p *Profile) runUnreserve(state *framework.CycleState, pod *api.Pod, node string) {
	for i := len(p.reserve) - 1; i >= 0; i-- {
		p.reserve[i].Unreserve(state, pod, node)
	}
}

// runPermit runs Permit plugins. A rejection or error stops at once. Wait
// statuses are collected: the returned map names the waiting plugins and the
// timeout is the shortest requested.
func (p *Profile) runPermit(state *framework.CycleState, pod *api.Pod, node string) (*framework.Status, []string, time.Duration) {
	var waiting []string
	var timeout time.Duration
	for _, pl := range p.permit {
		s, d := pl.Permit(state, pod, node)
		switch {
		case s.IsSuccess():
		case s.IsRejected():
			return s.WithPlugin(pl.Name()), nil, 0
		case s.Code() == framework.Wait:
			d = min(d, maxPermitTimeout)
			if len(waiting) == 0 || d < timeout {
				timeout = d
			}
			waiting = append(waiting, pl.Name())
		default:
			return framework.AsStatus(fmt.Errorf("running Permit plugin %q: %s", pl.Name(), s.Message())).WithPlugin(pl.Name()), nil, 0
		}
	}
	if len(waiting) > 0 {
		return framework.NewStatus(framework.Wait), waiting, timeout
	}
	return nil, nil, 0
}

// maxPermitTimeout caps a Permit plugin's Wait timeout, as upstream.
const maxPermitTimeout = 15 * time.Minute

// runPreBind runs PreBind plugins; the first failure is returned.
func (p *Profile) runPreBind(state *framework.CycleState, pod *api.Pod, node string) *framework.Status {
	for _, pl := range p.preBind {
		if s := pl.PreBind(state, pod, node); !s.IsSuccess() {
			if s.IsRejected() {
				return s.WithPlugin(pl.Name())
			}
			return framework.AsStatus(fmt.Errorf("running PreBind plugin %q: %s", pl.Name(), s.Message())).WithPlugin(pl.Name())
		}
	}
	return nil
}

// runBind runs Bind plugins until one does not Skip.
func (p *Profile) runBind(state *framework.CycleState, pod *api.Pod, node string) *framework.Status {
	for _, pl := range p.bind {
		s := pl.Bind(state, pod, node)
		if s.IsSkip() {
			continue
		}
		if !s.IsSuccess() {
			if s.IsRejected() {
				return s.WithPlugin(pl.Name())
			}
			return framework.AsStatus(fmt.Errorf("running Bind plugin %q: %s", pl.Name(), s.Message())).WithPlugin(pl.Name())
		}
		return nil
	}
	return framework.AsStatus(fmt.Errorf("all bind plugins skipped binding pod %s", pod.Key()))
}

// runPostBind tells every PostBind plugin.
func (p *Profile) runPostBind(state *framework.CycleState, pod *api.Pod, node string) {
	for _, pl := range p.postBind {
		pl.PostBind(state, pod, node)
	}
}
