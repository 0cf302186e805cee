package results

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"unicode/utf8"

	"github.com/kubesim/kubesim/sim/store"
)

// eventLog streams events.jsonl into a temporary file during the run, so that
// memory stays bounded whatever the number of writes: each line is encoded into
// a reused buffer and no object is retained.
//
// Where the platform allows it the file is unlinked as soon as it is created,
// so it disappears with the process even if Close is never called; it is read
// back through the open descriptor.
type eventLog struct {
	f        *os.File
	w        *bufio.Writer
	buf      []byte
	size     int64
	lines    uint64
	unlinked bool
	closed   bool
	err      error // first write error, reported by WriteDir
}

func newEventLog(dir string) (*eventLog, error) {
	f, err := os.CreateTemp(dir, "kubesim-events-*.jsonl")
	if err != nil {
		return nil, fmt.Errorf("results: event log buffer: %w", err)
	}
	ev := &eventLog{f: f, w: bufio.NewWriterSize(f, 1<<16)}
	if os.Remove(f.Name()) == nil {
		ev.unlinked = true
	}
	return ev, nil
}

// write appends one line for w.
func (ev *eventLog) write(w *store.Write, change string) {
	if ev.err != nil || ev.closed {
		return
	}
	b := ev.buf[:0]
	b = append(b, `{"t":`...)
	b = appendTime(b, w.Time)
	b = append(b, `,"component":`...)
	b = appendJSONString(b, w.Component)
	b = append(b, `,"verb":`...)
	b = appendJSONString(b, string(w.Verb))
	b = append(b, `,"kind":`...)
	b = appendJSONString(b, string(w.Kind))
	b = append(b, `,"object":`...)
	b = appendJSONString(b, w.Key)
	b = append(b, `,"change":`...)
	b = appendJSONString(b, change)
	b = append(b, `,"reason":`...)
	b = appendJSONString(b, w.Reason)
	b = append(b, `,"message":`...)
	b = appendJSONString(b, w.Message)
	b = append(b, "}\n"...)
	ev.buf = b
	n, err := ev.w.Write(b)
	ev.size += int64(n)
	ev.lines++
	if err != nil {
		ev.err = fmt.Errorf("results: writing event log buffer: %w", err)
	}
}

func (ev *eventLog) flush() {
	if ev.err == nil && !ev.closed {
		if err := ev.w.Flush(); err != nil {
			ev.err = fmt.Errorf("results: writing event log buffer: %w", err)
		}
	}
}

// copyTo copies the whole log (flushed by Finish) to w.
func (ev *eventLog) copyTo(w io.Writer) error {
	if ev.closed {
		return fmt.Errorf("results: event log already closed")
	}
	if ev.err != nil {
		return ev.err
	}
	if _, err := io.Copy(w, io.NewSectionReader(ev.f, 0, ev.size)); err != nil {
		return fmt.Errorf("results: reading event log buffer: %w", err)
	}
	return nil
}

func (ev *eventLog) close() error {
	if ev.closed {
		return nil
	}
	ev.closed = true
	err := ev.f.Close()
	if !ev.unlinked {
		if rerr := os.Remove(ev.f.Name()); rerr != nil && err == nil {
			err = rerr
		}
	}
	return err
}

// appendJSONString appends s as a JSON string. Quotes, backslashes and control
// characters are escaped; invalid UTF-8 becomes U+FFFD; U+2028 and U+2029 are
// escaped so that a line is always one line. HTML characters are left as is.
func appendJSONString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '"' || c == '\\':
				b = append(b, '\\', c)
			case c == '\n':
				b = append(b, '\\', 'n')
			case c == '\r':
				b = append(b, '\\', 'r')
			case c == '\t':
				b = append(b, '\\', 't')
			case c < 0x20:
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			default:
				b = append(b, c)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b = append(b, `\ufffd`...)
		case r == '\u2028':
			b = append(b, `\u2028`...)
		case r == '\u2029':
			b = append(b, `\u2029`...)
		default:
			b = append(b, s[i:i+size]...)
		}
		i += size
	}
	return append(b, '"')
}
