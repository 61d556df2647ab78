package lineedit

import (
	"errors"
	"io"
	"reflect"
	"strings"
	"testing"
)

// newTestEditor returns an Editor that edits lines without a terminal:
// tests feed it bytes with typeKeys and read what it drew from e.screen.
func newTestEditor(width int, hist ...string) *Editor {
	h := NewHistory(0)
	for _, s := range hist {
		h.Add(s)
	}
	e := &Editor{prompt: []rune("> "), hist: h, raw: true, width: func() int { return width }}
	e.begin()
	return e
}

// typeKeys feeds keystrokes and returns the lines entered and the error
// that ended the session (nil if it did not end).
func (e *Editor) typeKeys(s string) (lines []string, err error) {
	for _, k := range e.dec.feed([]byte(s)) {
		line, done, err := e.handle(k)
		if !done {
			continue
		}
		if err != nil {
			return lines, err
		}
		lines = append(lines, line)
		e.hist.Add(line)
		e.begin()
	}
	return lines, nil
}

func TestEditor_keys(t *testing.T) {
	for _, tc := range []struct {
		name, keys string
		hist       []string
		want       []string
		err        error
	}{
		{name: "enter", keys: "hello\r", want: []string{"hello"}},
		{name: "typed ahead over several lines", keys: "one\rtwo\n", want: []string{"one", "two"}},
		{name: "left then insert", keys: "helo\x1b[Dl\r", want: []string{"hello"}},
		{name: "right at the end stays", keys: "ab\x1b[C\x1b[Cc\r", want: []string{"abc"}},
		{name: "Home and Ctrl-A", keys: "world\x1b[Hhello \r" + "b\x01a\r", want: []string{"hello world", "ab"}},
		{name: "End and Ctrl-E", keys: "b\x01a\x1b[Fc\r" + "b\x01a\x05c\r", want: []string{"abc", "abc"}},
		{name: "backspace, Ctrl-H", keys: "abcd\x7f\x08\r", want: []string{"ab"}},
		{name: "backspace at the start does nothing", keys: "ab\x01\x7f\r", want: []string{"ab"}},
		{name: "Delete and Ctrl-D on text", keys: "abc\x01\x1b[3~\r" + "abc\x01\x04\r", want: []string{"bc", "bc"}},
		{name: "Ctrl-K kills to the end", keys: "hello world\x01\x1bf\x0b\r", want: []string{"hello"}},
		{name: "Ctrl-U kills to the start", keys: "hello world\x1bb\x15\r", want: []string{"world"}},
		{name: "Ctrl-W kills the word before", keys: "mqtt keep alive\x17\r" + "a b  \x17\r", want: []string{"mqtt keep ", "a "}},
		{name: "Alt-Backspace kills the word before", keys: "tcp window\x1b\x7f\r", want: []string{"tcp "}},
		{name: "Ctrl-Y yanks what was killed", keys: "hello world\x17\x01\x19 \r", want: []string{"world hello "}},
		{name: "word moves", keys: "one two three\x1bb\x1bbX\x1b[1;5CY\r", want: []string{"one XtwoY three"}},
		{name: "a combining accent moves with its letter", keys: "cafe\u0301\x1b[Dx\r", want: []string{"cafxe\u0301"}},
		{name: "backspace removes the letter, not only its accent", keys: "cafe\u0301\x7f\r", want: []string{"caf"}},
		{name: "Up recalls the newest", hist: []string{"first", "second"}, keys: "\x1b[A\r", want: []string{"second"}},
		{name: "Up twice, Ctrl-P", hist: []string{"first", "second"}, keys: "\x1b[A\x10\r", want: []string{"first"}},
		{name: "Up stops at the oldest", hist: []string{"first", "second"}, keys: "\x1b[A\x1b[A\x1b[A\r", want: []string{"first"}},
		{name: "Down brings back what was typed", hist: []string{"first"}, keys: "typed\x1b[A\x1b[B\r", want: []string{"typed"}},
		{name: "a recalled line can be edited", hist: []string{"mqtt tls"}, keys: "\x1b[A\x17port\r", want: []string{"mqtt port"}},
		{name: "lines entered go to the history", keys: "one\r\x1b[A\r", want: []string{"one", "one"}},
		{name: "Ctrl-C clears the line", keys: "abc\x03def\r", want: []string{"def"}},
		{name: "Ctrl-C on text then Ctrl-C leaves", keys: "abc\x03\x03", err: ErrInterrupted},
		{name: "Ctrl-C twice on an empty line leaves", keys: "\x03\x03", err: ErrInterrupted},
		{name: "a key between two Ctrl-C does not leave", keys: "\x03x\x7f\x03y\r", want: []string{"y"}},
		{name: "Ctrl-D on an empty line ends", keys: "one\r\x04", want: []string{"one"}, err: io.EOF},
		{name: "a paste is one line with its newlines", keys: "Q: \x1b[200~line one\rline two\x1b[201~\r", want: []string{"Q: line one\nline two"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newTestEditor(80, tc.hist...)
			got, err := e.typeKeys(tc.keys)
			if !errors.Is(err, tc.err) || (err != nil && tc.err == nil) {
				t.Errorf("error %v, want %v", err, tc.err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("lines %q, want %q", got, tc.want)
			}
		})
	}
}

// TestEditor_screen replays what the editor draws on an emulated terminal
// and checks what a person sees, and where the cursor is.
func TestEditor_screen(t *testing.T) {
	for _, tc := range []struct {
		name     string
		width    int
		keys     string
		want     []string
		row, col int
	}{
		{name: "prompt", width: 20, want: []string{">"}, col: 2},
		{name: "typing", width: 20, keys: "hello", want: []string{"> hello"}, col: 7},
		{name: "cursor after moving left", width: 20, keys: "hello\x1b[D\x1b[D", want: []string{"> hello"}, col: 5},
		{name: "a long line wraps", width: 10, keys: "abcdefghijkl", want: []string{"> abcdefgh", "ijkl"}, row: 1, col: 4},
		{name: "exactly full row puts the cursor on the next", width: 10, keys: "abcdefgh", want: []string{"> abcdefgh"}, row: 1, col: 0},
		{name: "Home on a wrapped line goes up", width: 10, keys: "abcdefghijkl\x01", want: []string{"> abcdefgh", "ijkl"}, row: 0, col: 2},
		{name: "editing a wrapped line redraws it", width: 10, keys: "abcdefghijkl\x01XY", want: []string{"> XYabcdef", "ghijkl"}, row: 0, col: 4},
		{name: "shrinking a wrapped line clears the row below", width: 10, keys: "abcdefghijkl\x15z", want: []string{"> z"}, col: 3},
		{name: "wide characters", width: 10, keys: "乐鑫乐鑫乐", want: []string{"> 乐鑫乐鑫", "乐"}, row: 1, col: 2},
		{name: "pasted lines", width: 20, keys: "\x1b[200~one\ntwo\x1b[201~", want: []string{"> one", "two"}, row: 1, col: 3},
		{name: "Ctrl-C shows ^C and a new prompt", width: 40, keys: "abc\x03", want: []string{"> abc^C", ">"}, row: 1, col: 2},
		{name: "Ctrl-C on an empty line says how to leave", width: 50, keys: "\x03", want: []string{"> ^C", leaveHint, ">"}, row: 2, col: 2},
		{name: "Ctrl-L clears the screen", width: 20, keys: "one\rtwo\x0c", want: []string{"> two"}, col: 5},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newTestEditor(tc.width)
			v := newVT(tc.width, 10)
			e.refresh()
			if _, err := e.typeKeys(tc.keys); err != nil {
				t.Fatal(err)
			}
			v.write(e.screen.String())
			if got := v.screen(); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("screen\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(tc.want, "\n"))
			}
			if v.row != tc.row || v.col != tc.col {
				t.Errorf("cursor at row %d col %d, want %d %d", v.row, v.col, tc.row, tc.col)
			}
		})
	}
}
