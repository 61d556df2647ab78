package lineedit

import (
	"fmt"
	"io"
)

// begin starts a new, empty line at the history's end.
func (e *Editor) begin() {
	e.line = line{}
	e.row = 0
	e.histIdx = e.hist.Len()
	e.scratch = nil
}

// handle applies one key. done means ReadLine returns s and err.
func (e *Editor) handle(k key) (s string, done bool, err error) {
	if k.kind != keyInterrupt {
		e.interrupts = 0
	}
	switch k.kind {
	case keyEnter:
		s = string(e.line.r)
		e.finish("\r\n")
		return s, true, nil
	case keyInterrupt:
		return e.interrupt()
	case keyEOF:
		if len(e.line.r) == 0 {
			e.finish("\r\n")
			return "", true, io.EOF
		}
		e.line.del()
	case keyUp:
		e.browse(-1)
	case keyDown:
		e.browse(+1)
	case keyClearScreen:
		e.screen.WriteString("\x1b[H\x1b[2J")
		e.row = 0
	default:
		e.edit(k)
	}
	e.refresh()
	return "", false, nil
}

// edit applies the keys that change the line or move the cursor.
func (e *Editor) edit(k key) {
	l := &e.line
	switch k.kind {
	case keyRune:
		l.insert(k.r)
	case keyPaste:
		l.insert([]rune(k.text)...)
	case keyBackspace:
		l.backspace()
	case keyDelete:
		l.del()
	case keyLeft:
		l.left()
	case keyRight:
		l.right()
	case keyHome:
		l.home()
	case keyEnd:
		l.end()
	case keyWordLeft:
		l.pos = l.wordStart()
	case keyWordRight:
		l.pos = l.wordEnd()
	case keyKillEnd:
		e.kill(l.cut(l.pos, len(l.r)))
	case keyKillStart:
		e.kill(l.cut(0, l.pos))
	case keyKillWord:
		e.kill(l.cut(l.wordStart(), l.pos))
	case keyYank:
		l.insert(e.killed...)
	}
}

// kill keeps text cut by Ctrl-K/U/W for Ctrl-Y; cutting nothing keeps the
// previous text.
func (e *Editor) kill(text []rune) {
	if len(text) > 0 {
		e.killed = text
	}
}

// interrupt handles Ctrl-C: the first clears the line (on an empty line it
// says how to leave), a second one in a row on an empty line leaves.
func (e *Editor) interrupt() (string, bool, error) {
	e.interrupts++
	empty := len(e.line.r) == 0
	if empty && e.interrupts > 1 {
		e.finish("^C\r\n")
		return "", true, ErrInterrupted
	}
	e.finish("^C\r\n")
	if empty {
		e.screen.WriteString(leaveHint + "\r\n")
	}
	e.begin()
	e.refresh()
	return "", false, nil
}

// browse moves through the history by delta, keeping the new line being
// typed so that Down past the newest entry brings it back.
func (e *Editor) browse(delta int) {
	i := e.histIdx + delta
	if i < 0 || i > e.hist.Len() {
		return
	}
	if e.histIdx == e.hist.Len() {
		e.scratch = append([]rune(nil), e.line.r...)
	}
	e.histIdx = i
	if i == e.hist.Len() {
		e.line.set(e.scratch)
		return
	}
	e.line.set([]rune(e.hist.At(i)))
}

// finish moves the cursor past the end of the line and writes tail.
func (e *Editor) finish(tail string) {
	e.line.end()
	e.refresh()
	e.screen.WriteString(tail)
	e.row = 0
}

// refresh redraws the prompt and the line from the prompt's first row and
// puts the cursor in its place. The width is read anew each time, so a
// resize is followed at the next key or SIGWINCH.
func (e *Editor) refresh() {
	width := e.width()
	b := &e.screen
	if e.row > 0 {
		fmt.Fprintf(b, "\x1b[%dA", e.row)
	}
	b.WriteString("\r\x1b[J")
	b.WriteString(string(e.prompt))
	for _, r := range e.line.r {
		if r == '\n' {
			b.WriteString("\r\n") // raw mode: no newline translation
			continue
		}
		b.WriteRune(r)
	}
	cursor, end := place(e.prompt, e.line.r, e.line.pos, width)
	n := len(e.line.r)
	if end.col == 0 && end.row > 0 && (n == 0 || e.line.r[n-1] != '\n') {
		// the last row is full: the terminal waits in its last column
		// until the next character, so go to the next row ourselves
		b.WriteString("\r\n")
	}
	if up := end.row - cursor.row; up > 0 {
		fmt.Fprintf(b, "\x1b[%dA", up)
	}
	b.WriteString("\r")
	if cursor.col > 0 {
		fmt.Fprintf(b, "\x1b[%dC", cursor.col)
	}
	e.row = cursor.row
}
