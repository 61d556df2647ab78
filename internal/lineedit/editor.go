// Package lineedit reads lines from a terminal with editing and history:
// arrow keys, Home/End, Backspace/Delete, Emacs keys (Ctrl-A/E/K/U/W/Y),
// Up/Down through earlier lines, bracketed paste (a multi-line paste is one
// line with its newlines kept), Ctrl-C to clear the line and Ctrl-C twice or
// Ctrl-D on an empty line to leave. The terminal is in raw mode only while
// ReadLine waits, so what the caller prints in between is ordinary output.
// When input or output is not a terminal it writes the prompt and reads
// plain lines.
package lineedit

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"golang.org/x/term"

	"github.com/espbot/espbot/internal/tty"
)

// ErrInterrupted is returned by ReadLine when Ctrl-C is pressed twice in a
// row on an empty line: the user wants to leave, as with io.EOF (Ctrl-D).
var ErrInterrupted = errors.New("interrupted")

// leaveHint is shown after a Ctrl-C on an empty line.
const leaveHint = "(To leave, press Ctrl-C again or Ctrl-D)"

// defaultWidth is assumed when the terminal does not tell its size.
const defaultWidth = 80

// Config sets up an Editor.
type Config struct {
	// Prompt is written before each line; plain text, one row.
	Prompt string
	// History holds earlier lines for Up/Down and receives every line
	// entered; nil means an in-memory history of DefaultHistoryLimit.
	History *History
	// Plain reads plain lines even from a terminal, for terminals that do
	// not understand escape sequences (TERM=dumb).
	Plain bool
}

// Editor reads lines. It is not safe for concurrent use.
type Editor struct {
	out    io.Writer
	prompt []rune
	hist   *History

	// terminal mode
	raw     bool
	in      io.Reader
	fdIn    int
	width   func() int
	chunks  chan []byte // filled by the reader goroutine, see startReader
	readErr error
	dec     decoder
	pending []key // keys decoded but not handled yet: typed ahead

	// plain mode
	plain *bufio.Reader

	// the line being edited
	line       line
	row        int // the cursor's row below the prompt's
	histIdx    int // index into hist while browsing; hist.Len() is the new line
	scratch    []rune
	killed     []rune
	interrupts int // consecutive Ctrl-C
	screen     bytes.Buffer
}

// New returns an Editor reading keys from in and drawing on out. It edits
// lines when both are terminals (an *os.File on one) and cfg.Plain is
// false, and reads plain lines otherwise.
func New(in io.Reader, out io.Writer, cfg Config) *Editor {
	e := &Editor{out: out, prompt: []rune(cfg.Prompt), hist: cfg.History}
	if e.hist == nil {
		e.hist = NewHistory(0)
	}
	fdIn, inTerm := tty.Terminal(in)
	fdOut, outTerm := tty.Terminal(out)
	if !cfg.Plain && inTerm && outTerm {
		e.raw, e.in, e.fdIn = true, in, fdIn
		e.width = func() int { return tty.Width(fdOut, defaultWidth) }
		return e
	}
	e.plain = bufio.NewReader(in)
	return e
}

// IsTerminal reports whether the Editor edits lines on a terminal rather
// than reading plain lines.
func (e *Editor) IsTerminal() bool { return e.raw }

// Width returns the terminal's width in columns, read anew on each call so
// that it follows resizes; 0 when the Editor reads plain lines.
func (e *Editor) Width() int {
	if !e.raw {
		return 0
	}
	return e.width()
}

// ReadLine returns the next line entered, without its line break. It
// returns io.EOF for Ctrl-D on an empty line or the end of the input,
// ErrInterrupted for a second Ctrl-C in a row on an empty line, and
// ctx.Err() when ctx ends first. A line that was entered is added to the
// history.
func (e *Editor) ReadLine(ctx context.Context) (string, error) {
	var s string
	var err error
	if e.raw {
		s, err = e.readRaw(ctx)
	} else {
		s, err = e.readPlain()
	}
	if err == nil {
		e.hist.Add(s)
	}
	return s, err
}

// readPlain writes the prompt and reads one line without editing, as a
// dumb terminal or a script driving the chat expects. A last line without
// a line break is returned before io.EOF; at the end the prompt's line is
// ended.
func (e *Editor) readPlain() (string, error) {
	if _, err := io.WriteString(e.out, string(e.prompt)); err != nil {
		return "", fmt.Errorf("write prompt: %w", err)
	}
	s, err := e.plain.ReadString('\n')
	if err == io.EOF && s != "" {
		err = nil
	}
	if err == io.EOF && len(e.prompt) > 0 {
		// end the prompt's line, as the terminal does after Ctrl-D
		if _, werr := io.WriteString(e.out, "\n"); werr != nil {
			return "", fmt.Errorf("write prompt: %w", werr)
		}
	}
	if err != nil && err != io.EOF {
		return "", fmt.Errorf("read line: %w", err)
	}
	return strings.TrimRight(s, "\r\n"), err
}

// readRaw edits a line in raw mode until it is entered or abandoned.
func (e *Editor) readRaw(ctx context.Context) (string, error) {
	state, err := term.MakeRaw(e.fdIn)
	if err != nil {
		return "", fmt.Errorf("terminal raw mode: %w", err)
	}
	defer term.Restore(e.fdIn, state)
	resized, stop := notifyResize()
	defer stop()
	e.startReader()
	e.begin()
	e.screen.WriteString("\x1b[?2004h") // bracketed paste on
	e.refresh()
	defer e.flush("\x1b[?2004l")
	for {
		for len(e.pending) > 0 {
			k := e.pending[0]
			e.pending = e.pending[1:]
			if s, done, err := e.handle(k); done {
				return s, errors.Join(err, e.flush(""))
			}
		}
		if err := e.flush(""); err != nil {
			return "", err
		}
		select {
		case <-ctx.Done():
			e.finish("\r\n")
			return "", errors.Join(ctx.Err(), e.flush(""))
		case <-resized:
			e.refresh()
		case c, ok := <-e.chunks:
			if !ok {
				return e.inputEnded()
			}
			e.pending = append(e.pending, e.dec.feed(c)...)
		}
	}
}

// inputEnded returns what the line holds when the terminal closes (as a
// last line), or the read error.
func (e *Editor) inputEnded() (string, error) {
	s := string(e.line.r)
	e.finish("\r\n")
	err := e.flush("")
	if e.readErr != nil && !errors.Is(e.readErr, io.EOF) {
		return "", errors.Join(fmt.Errorf("read terminal: %w", e.readErr), err)
	}
	if s != "" {
		return s, err
	}
	return "", io.EOF
}

// startReader starts the goroutine that reads the terminal, once: reads
// block, and a select must also see resizes and ctx. It ends when the
// input ends or is closed; on os.Stdin, which is in blocking mode, Close
// does not end a pending Read, so it stays until the process exits, which
// is harmless.
func (e *Editor) startReader() {
	if e.chunks != nil {
		return
	}
	e.chunks = make(chan []byte)
	go func() {
		defer close(e.chunks)
		buf := make([]byte, 4096)
		for {
			n, err := e.in.Read(buf)
			if n > 0 {
				e.chunks <- append([]byte(nil), buf[:n]...)
			}
			if err != nil {
				e.readErr = err // read by the editor after close(e.chunks)
				return
			}
		}
	}()
}

// flush writes what was drawn since the last flush, then extra.
func (e *Editor) flush(extra string) error {
	e.screen.WriteString(extra)
	if e.screen.Len() == 0 {
		return nil
	}
	_, err := e.out.Write(e.screen.Bytes())
	e.screen.Reset()
	if err != nil {
		return fmt.Errorf("write terminal: %w", err)
	}
	return nil
}
