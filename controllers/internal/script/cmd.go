package script

import (
	"strconv"
	"strings"
	"testing"
)

// Cmd is one parsed script command: its fields, and the arguments after the
// command name split into positional ones and key=value options.
type Cmd struct {
	t    testing.TB
	line string
	// Fields are the line's whitespace-separated fields; Fields[0] is the
	// command name.
	Fields []string
	Pos    []string
	KV     map[string]string
}

// Parse splits a command line. Every argument with "=" is an option.
func Parse(t testing.TB, line string) *Cmd {
	return ParseKeys(t, line, nil)
}

// ParseKeys is Parse where an argument "k=v" is an option only if isKey(k)
// (nil: always); the others stay positional.
func ParseKeys(t testing.TB, line string, isKey func(k string) bool) *Cmd {
	c := &Cmd{t: t, line: line, Fields: strings.Fields(line), KV: map[string]string{}}
	if len(c.Fields) == 0 {
		t.Fatalf("empty command")
	}
	for _, a := range c.Fields[1:] {
		if k, v, ok := strings.Cut(a, "="); ok && (isKey == nil || isKey(k)) {
			c.KV[k] = v
		} else {
			c.Pos = append(c.Pos, a)
		}
	}
	return c
}

// Fail fails the test, naming the command line.
func (c *Cmd) Fail(format string, a ...any) {
	c.t.Helper()
	c.t.Fatalf("%q: "+format, append([]any{c.line}, a...)...)
}

// Arg returns positional argument i, failing the test if it is missing.
func (c *Cmd) Arg(i int) string {
	c.t.Helper()
	if i >= len(c.Pos) {
		c.Fail("missing argument %d", i+1)
	}
	return c.Pos[i]
}

// Int parses an integer argument, failing the test if it is not one.
func (c *Cmd) Int(s string) int {
	c.t.Helper()
	n, err := strconv.Atoi(s)
	if err != nil {
		c.Fail("%v", err)
	}
	return n
}

// Int32 is Int for int32 fields.
func (c *Cmd) Int32(s string) int32 { return int32(c.Int(s)) }
