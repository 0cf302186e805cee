package results

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/kubesim/kubesim/sim"
	"github.com/kubesim/kubesim/sim/api"
	"github.com/kubesim/kubesim/sim/store"
)

// maxNamesShown bounds the names a folded line lists.
const maxNamesShown = 3

// Narrator tells the story of a run: it turns the store's writes and the
// components' recorded events (the content of events.jsonl) into one
// sentence each, for a reader who has never seen the code, e.g.
//
//	00:10:50 node-lifecycle-controller: node general-2 silent for 50s → Ready True→Unknown (NodeStatusUnknown), … [UpdateNodeStatus]
//
// It filters noise without hiding a decision: within one instant, the
// writes of one component with the same verb, kind, reason, owner and change
// fold into one line (consecutive for that component) that counts them and
// names the first few ("created 5
// pods for ReplicaSet default/web-847d5779db (web-…-7rq98, …)"); the
// scheduler's bindings fold into a count per node; a recorded event that
// only echoes a write of the same component and reason in the same instant
// (SuccessfulCreate, Scheduled, TaintManagerEviction, …) is left out.
// Every line starts with the virtual time as hh:mm:ss (with milliseconds
// when not whole).
//
// Create one with NewNarrator before the run and call Flush after it.
type Narrator struct {
	st      *store.Store
	w       *bufio.Writer
	instant sim.Time
	lines   []*narrLine
	// wrote holds the (component, reason) of the instant's writes: events
	// with the same are echoes.
	wrote map[string]bool
	err   error
}

// narrLine is one line being built: the writes folded into it.
type narrLine struct {
	key       string
	t         sim.Time
	component string
	verb      store.Verb
	kind      api.Kind
	reason    string
	owner     string
	change    string
	message   string
	sentence  string // rendered for the first write
	names     []string
	nodes     []string // scheduler: target node per folded write
}

// NewNarrator starts narrating st's writes to w.
func NewNarrator(st *store.Store, w io.Writer) *Narrator {
	n := &Narrator{st: st, w: bufio.NewWriter(w), wrote: map[string]bool{}}
	st.OnWrite(n.observe)
	return n
}

// Flush writes what is buffered (the last instant) and reports the first
// write error.
func (n *Narrator) Flush() error {
	n.flushInstant()
	if err := n.w.Flush(); err != nil && n.err == nil {
		n.err = err
	}
	return n.err
}

func (n *Narrator) observe(w *store.Write) {
	if w.Time != n.instant {
		n.flushInstant()
		n.instant = w.Time
	}
	l := &narrLine{t: w.Time, component: w.Component, verb: w.Verb, kind: w.Kind, reason: w.Reason, message: w.Message}
	name := w.Key
	if i := strings.IndexByte(name, '/'); i >= 0 {
		name = name[i+1:]
	}
	var pod *api.Pod
	if p, ok := w.New.(*api.Pod); ok {
		pod = p
	} else if p, ok := w.Old.(*api.Pod); ok {
		pod = p
	}
	if pod != nil {
		if ref := pod.ControllerRef(); ref != nil {
			l.owner = string(ref.Kind) + " " + api.Key(pod.Namespace, ref.Name)
		}
	}
	if w.Verb != store.VerbEvent {
		l.change = describeChange(w)
	}
	scheduler := pod != nil && w.Verb == store.VerbUpdate && w.Reason == ReasonScheduled
	switch {
	case scheduler:
		l.key = strings.Join([]string{w.Component, string(w.Verb), string(w.Kind), w.Reason, l.owner}, "\x00")
		l.nodes = []string{pod.NodeName}
	case w.Verb == store.VerbEvent:
		l.key = strings.Join([]string{w.Component, string(w.Verb), string(w.Kind), w.Reason, l.owner, w.Message}, "\x00")
		if strings.Contains(w.Message, name) {
			// Messages naming their object differ per object: fold on
			// the reason alone and show the first message.
			l.key = strings.Join([]string{w.Component, string(w.Verb), string(w.Kind), w.Reason, l.owner}, "\x00")
		}
	default:
		l.key = strings.Join([]string{w.Component, string(w.Verb), string(w.Kind), w.Reason, l.owner, l.change}, "\x00")
	}
	if w.Verb != store.VerbEvent {
		n.wrote[w.Component+"\x00"+w.Reason] = true
	}
	// Fold into the component's last line of the instant (echo events
	// aside) when it says the same: folding never reorders a component's
	// decisions.
	for i := len(n.lines) - 1; i >= 0; i-- {
		x := n.lines[i]
		if x.component != l.component || (x.verb == store.VerbEvent && n.wrote[x.component+"\x00"+x.reason]) {
			continue
		}
		if x.key == l.key {
			x.names = append(x.names, name)
			x.nodes = append(x.nodes, l.nodes...)
			return
		}
		break
	}
	l.names = []string{name}
	l.sentence = n.sentence(w, l, name)
	n.lines = append(n.lines, l)
}

// sentence renders one write or event.
func (n *Narrator) sentence(w *store.Write, l *narrLine, name string) string {
	kind := strings.ToLower(string(w.Kind))
	switch w.Verb {
	case store.VerbEvent:
		return fmt.Sprintf("%s %s: %s: %s", kind, name, w.Reason, w.Message)
	case store.VerbCreate:
		s := "created " + kind + " " + name
		if l.owner != "" {
			s += " for " + l.owner
		}
		return s
	case store.VerbDelete:
		if w.New == nil {
			return "removed " + kind + " " + name
		}
		return "deleting " + kind + " " + name + ": " + l.change
	}
	if p, ok := w.New.(*api.Pod); ok && w.Reason == ReasonScheduled {
		return "bound pod " + name + " to node " + p.NodeName
	}
	if nd, ok := w.New.(*api.Node); ok {
		old, _ := w.Old.(*api.Node)
		if old != nil && readyStatus(old) == api.ConditionTrue && readyStatus(nd) == api.ConditionUnknown {
			if ls, ok := n.st.Leases.Get(api.NodeLeaseNamespace, nd.Name); ok {
				silent := w.Time.Sub(ls.RenewTimeAt(w.Time))
				return fmt.Sprintf("node %s silent for %s → %s", name, silent, l.change)
			}
		}
	}
	if l, ok := w.New.(*api.Lease); ok && !l.Renewing {
		return fmt.Sprintf("lease %s stopped renewing (last renewal at %s)", name, clock(l.RenewTime))
	}
	return kind + " " + name + ": " + l.change
}

func readyStatus(n *api.Node) api.ConditionStatus {
	if c := api.FindCondition(n.Conditions, api.NodeReady); c != nil {
		return c.Status
	}
	return ""
}

// flushInstant writes the lines of the instant, leaving out echo events.
func (n *Narrator) flushInstant() {
	if len(n.lines) == 0 {
		return
	}
	for _, l := range n.lines {
		if l.verb == store.VerbEvent && n.wrote[l.component+"\x00"+l.reason] {
			continue
		}
		n.writeLine(l)
	}
	clear(n.lines)
	n.lines = n.lines[:0]
	clear(n.wrote)
}

func (n *Narrator) writeLine(l *narrLine) {
	if n.err != nil {
		return
	}
	var b strings.Builder
	b.WriteString(clock(l.t))
	b.WriteByte(' ')
	b.WriteString(l.component)
	b.WriteString(": ")
	if len(l.names) == 1 {
		b.WriteString(l.sentence)
	} else {
		b.WriteString(n.folded(l))
	}
	if l.verb != store.VerbEvent && l.reason != "" {
		b.WriteString(" [")
		b.WriteString(l.reason)
		b.WriteByte(']')
	}
	b.WriteByte('\n')
	if _, err := n.w.WriteString(b.String()); err != nil {
		n.err = err
	}
}

// folded renders a line that stands for several writes or events.
func (n *Narrator) folded(l *narrLine) string {
	kind := strings.ToLower(string(l.kind))
	count := strconv.Itoa(len(l.names)) + " " + kind + "s"
	names := namesList(l.names)
	switch {
	case len(l.nodes) > 0:
		// The scheduler's decisions: how many pods went to each node.
		var order []string
		per := map[string]int{}
		for _, nd := range l.nodes {
			if per[nd] == 0 {
				order = append(order, nd)
			}
			per[nd]++
		}
		parts := make([]string, len(order))
		for i, nd := range order {
			parts[i] = strconv.Itoa(per[nd]) + " to " + nd
		}
		return "bound " + count + ownerSuffix(l.owner) + ": " + strings.Join(parts, ", ") + " (" + names + ")"
	case l.verb == store.VerbEvent:
		return fmt.Sprintf("%s on %s%s (%s): %s", l.reason, count, ownerSuffix(l.owner), names, l.message)
	case l.verb == store.VerbCreate:
		return "created " + count + ownerSuffix(l.owner) + " (" + names + ")"
	case l.verb == store.VerbDelete && l.change == "deleted":
		return "removed " + count + ownerSuffix(l.owner) + " (" + names + ")"
	case l.verb == store.VerbDelete:
		return "deleting " + count + ownerSuffix(l.owner) + " (" + names + "): " + l.change
	}
	return count + ownerSuffix(l.owner) + " (" + names + "): " + l.change
}

func ownerSuffix(owner string) string {
	if owner == "" {
		return ""
	}
	return " of " + owner
}

// namesList renders the first few names, then "…" and how many more.
func namesList(names []string) string {
	if len(names) <= maxNamesShown {
		return strings.Join(names, ", ")
	}
	return strings.Join(names[:maxNamesShown], ", ") + ", … " + strconv.Itoa(len(names)-maxNamesShown) + " more"
}

// clock renders a virtual time as hh:mm:ss, with milliseconds when the
// time is not a whole second.
func clock(t sim.Time) string {
	ms := (int64(t) + 500_000) / 1_000_000
	s := ms / 1000
	out := fmt.Sprintf("%02d:%02d:%02d", s/3600, s/60%60, s%60)
	if ms%1000 != 0 {
		out += fmt.Sprintf(".%03d", ms%1000)
	}
	return out
}
