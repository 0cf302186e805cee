package framework

import "strings"

// Code is a Status code. Each code's comment says what the scheduler does with it.
type Code int

// Status codes, as upstream.
const (
	// Success: the plugin is satisfied. A nil *Status is Success.
	Success Code = iota
	// Error: an internal error; the pod goes to the error backoff queue.
	Error
	// Unschedulable: the pod does not fit now but might after preemption or a
	// cluster change; the node is a preemption candidate.
	Unschedulable
	// UnschedulableAndUnresolvable: the pod does not fit and preemption cannot
	// help on this node.
	UnschedulableAndUnresolvable
	// Wait: a Permit plugin holds the pod.
	Wait
	// Skip: from PreFilter or PreScore, the plugin's Filter or Score is skipped
	// for this cycle.
	Skip
	// Pending: the pod waits for something outside the scheduler.
	Pending
)

var codeNames = [...]string{"Success", "Error", "Unschedulable", "UnschedulableAndUnresolvable", "Wait", "Skip", "Pending"}

func (c Code) String() string {
	if int(c) < len(codeNames) {
		return codeNames[c]
	}
	return "Unknown"
}

// Status is the result of running a plugin. A nil *Status means Success.
type Status struct {
	code    Code
	reasons []string
	plugin  string
	err     error
}

// NewStatus returns a status with a code and reasons. A Skip without
// reasons, which PreFilter and PreScore plugins return every cycle they
// have nothing to do, is one shared status; WithPlugin names a copy of it.
func NewStatus(code Code, reasons ...string) *Status {
	if code == Skip && len(reasons) == 0 {
		return sharedSkip
	}
	return &Status{code: code, reasons: reasons}
}

// sharedSkip is NewStatus(Skip): never written.
var sharedSkip = &Status{code: Skip}

// AsStatus wraps an error as an Error status (nil for a nil error).
func AsStatus(err error) *Status {
	if err == nil {
		return nil
	}
	return &Status{code: Error, reasons: []string{err.Error()}, err: err}
}

// Code returns the code; Success for a nil status.
func (s *Status) Code() Code {
	if s == nil {
		return Success
	}
	return s.code
}

// IsSuccess reports whether s is nil or Success.
func (s *Status) IsSuccess() bool { return s.Code() == Success }

// IsSkip reports whether s is Skip.
func (s *Status) IsSkip() bool { return s.Code() == Skip }

// IsRejected reports whether s is Unschedulable, UnschedulableAndUnresolvable or Pending.
func (s *Status) IsRejected() bool {
	c := s.Code()
	return c == Unschedulable || c == UnschedulableAndUnresolvable || c == Pending
}

// Reasons returns the reasons (upstream wording, e.g. "Insufficient cpu").
func (s *Status) Reasons() []string {
	if s == nil {
		return nil
	}
	return s.reasons
}

// Message joins the reasons with ", ".
func (s *Status) Message() string {
	if s == nil {
		return ""
	}
	return strings.Join(s.reasons, ", ")
}

// Err returns the wrapped error of an Error status.
func (s *Status) Err() error {
	if s == nil {
		return nil
	}
	return s.err
}

// Plugin returns the name of the plugin that produced the status.
func (s *Status) Plugin() string {
	if s == nil {
		return ""
	}
	return s.plugin
}

// WithPlugin sets the plugin name and returns s (a nil s stays nil). It
// does not write a name s already has, so a plugin may return one status
// value for many nodes. The shared Skip status is not written: WithPlugin
// returns a named copy of it.
func (s *Status) WithPlugin(name string) *Status {
	if s == sharedSkip {
		return &Status{code: Skip, plugin: name}
	}
	if s != nil && s.plugin != name {
		s.plugin = name
	}
	return s
}
