//go:build linux || darwin

package lineedit

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/creack/pty"
)

// ptyTerm is a real pseudo terminal: the editor gets the slave side, the
// test types on the master side and reads what the editor drew.
type ptyTerm struct {
	master, slave *os.File
	mu            sync.Mutex
	out           bytes.Buffer
	changed       chan struct{} // closed and replaced on every output
	done          chan struct{}
	sessions      sync.WaitGroup // readLines goroutines
}

func newPty(t *testing.T, cols int) *ptyTerm {
	t.Helper()
	master, slave, err := pty.Open()
	if err != nil {
		t.Skipf("no pseudo terminal here: %v", err)
	}
	p := &ptyTerm{master: master, slave: slave, changed: make(chan struct{}), done: make(chan struct{})}
	p.resize(t, cols)
	go p.drain()
	t.Cleanup(func() {
		// closing the slave ends the editor's pending read (the slave is
		// in the poller) and makes the master's read fail, ending drain
		slave.Close()
		// an editor still in ReadLine restores the terminal through the
		// closed descriptor: wait for it before the number is reused
		p.sessions.Wait()
		<-p.done
		master.Close()
	})
	return p
}

func (p *ptyTerm) resize(t *testing.T, cols int) {
	t.Helper()
	if err := pty.Setsize(p.master, &pty.Winsize{Rows: 24, Cols: uint16(cols)}); err != nil {
		t.Fatal(err)
	}
}

// drain keeps reading the master so that the editor's writes never block.
func (p *ptyTerm) drain() {
	defer close(p.done)
	buf := make([]byte, 4096)
	for {
		n, err := p.master.Read(buf)
		p.mu.Lock()
		p.out.Write(buf[:n])
		close(p.changed)
		p.changed = make(chan struct{})
		p.mu.Unlock()
		if err != nil {
			return
		}
	}
}

// waitOutput waits until what the editor wrote satisfies ok.
func (p *ptyTerm) waitOutput(t *testing.T, what string, ok func(out string) bool) string {
	t.Helper()
	timeout := time.After(10 * time.Second)
	for {
		p.mu.Lock()
		out, changed := p.out.String(), p.changed
		p.mu.Unlock()
		if ok(out) {
			return out
		}
		select {
		case <-changed:
		case <-timeout:
			t.Fatalf("timed out waiting for %s; terminal got %q", what, out)
		}
	}
}

// waitPrompt waits for the n-th prompt (counted from 1): the editor turns
// bracketed paste on once it has put the terminal in raw mode, so keys
// typed after it are read raw.
func (p *ptyTerm) waitPrompt(t *testing.T, n int) {
	t.Helper()
	p.waitOutput(t, "prompt", func(out string) bool { return strings.Count(out, "\x1b[?2004h") >= n })
}

func (p *ptyTerm) typeKeys(t *testing.T, keys string) {
	t.Helper()
	if _, err := p.master.Write([]byte(keys)); err != nil {
		t.Fatal(err)
	}
}

// result is what one ReadLine returned.
type result struct {
	line string
	err  error
}

// readLines calls ReadLine in a goroutine until it fails, sending each
// result.
func (p *ptyTerm) readLines(ctx context.Context, e *Editor) <-chan result {
	c := make(chan result, 100)
	p.sessions.Add(1)
	go func() {
		defer p.sessions.Done()
		defer close(c)
		for {
			s, err := e.ReadLine(ctx)
			c <- result{s, err}
			if err != nil {
				return
			}
		}
	}()
	return c
}

func next(t *testing.T, c <-chan result) result {
	t.Helper()
	select {
	case r := <-c:
		return r
	case <-time.After(10 * time.Second):
		t.Fatal("ReadLine did not return")
	}
	return result{}
}

// enter types keys at the n-th prompt and returns what ReadLine gave.
func (p *ptyTerm) enter(t *testing.T, lines <-chan result, n int, keys string) result {
	t.Helper()
	p.waitPrompt(t, n)
	p.typeKeys(t, keys)
	return next(t, lines)
}

// TestEditor_pty_history: Up recalls earlier lines, and the lines entered
// reach the history file.
func TestEditor_pty_history(t *testing.T) {
	p := newPty(t, 80)
	path := filepath.Join(t.TempDir(), "history")
	h, err := LoadHistory(path, 100)
	if err != nil {
		t.Fatal(err)
	}
	e := New(p.slave, p.slave, Config{Prompt: "espbot> ", History: h})
	if !e.IsTerminal() {
		t.Fatal("the editor does not see the pseudo terminal as a terminal")
	}
	lines := p.readLines(context.Background(), e)
	steps := []struct{ keys, want string }{
		{"what is the mtu\r", "what is the mtu"},
		{"mqtt keepalive\r", "mqtt keepalive"},
		{"\x1b[A\x1b[A\r", "what is the mtu"},
		{"\x1b[A\x1b[A\x1b[A\x1b[B\x17tls\r", "mqtt tls"},
	}
	for i, s := range steps {
		if r := p.enter(t, lines, i+1, s.keys); r.err != nil || r.line != s.want {
			t.Fatalf("step %d: got %q, %v; want %q", i+1, r.line, r.err, s.want)
		}
	}
	p.enter(t, lines, len(steps)+1, "\x04")
	if err := h.Close(); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if want := "what is the mtu\nmqtt keepalive\nwhat is the mtu\nmqtt tls\n"; string(data) != want {
		t.Errorf("history file %q, want %q", data, want)
	}
}

// TestEditor_pty_interrupt: Ctrl-C clears the line, a second Ctrl-C on the
// empty line leaves, and the terminal is back in cooked mode (it echoes).
func TestEditor_pty_interrupt(t *testing.T) {
	p := newPty(t, 80)
	e := New(p.slave, p.slave, Config{Prompt: "> "})
	lines := p.readLines(context.Background(), e)
	p.waitPrompt(t, 1)
	p.typeKeys(t, "half a question\x03")
	p.waitOutput(t, "^C", func(out string) bool { return strings.Contains(out, "^C") })
	p.typeKeys(t, "\x03")
	if r := next(t, lines); !errors.Is(r.err, ErrInterrupted) || r.line != "" {
		t.Fatalf("got %q, %v; want ErrInterrupted", r.line, r.err)
	}
	out := p.waitOutput(t, "bracketed paste off", func(out string) bool { return strings.HasSuffix(out, "\x1b[?2004l") })
	if strings.Count(out, "^C") != 2 {
		t.Errorf("want two ^C on the terminal: %q", out)
	}
	p.typeKeys(t, "echoed\n")
	p.waitOutput(t, "the kernel's echo in cooked mode", func(out string) bool { return strings.Contains(out, "echoed") })
}

// TestEditor_pty_paste: a bracketed paste of several lines is one line.
func TestEditor_pty_paste(t *testing.T) {
	p := newPty(t, 80)
	e := New(p.slave, p.slave, Config{Prompt: "> "})
	lines := p.readLines(context.Background(), e)
	r := p.enter(t, lines, 1, "\x1b[200~My code:\r    esp_wifi_set_ps(WIFI_PS_NONE);\rwhy is it slow?\x1b[201~\r")
	if want := "My code:\n    esp_wifi_set_ps(WIFI_PS_NONE);\nwhy is it slow?"; r.err != nil || r.line != want {
		t.Errorf("got %q, %v; want %q", r.line, r.err, want)
	}
}

// TestEditor_pty_resize: after the terminal narrows and SIGWINCH comes, the
// line is drawn for the new width and the cursor moves across its rows.
func TestEditor_pty_resize(t *testing.T) {
	p := newPty(t, 80)
	e := New(p.slave, p.slave, Config{Prompt: "> "})
	lines := p.readLines(context.Background(), e)
	p.waitPrompt(t, 1)
	text := "how do I set a static IP address"
	p.typeKeys(t, text)
	before := p.waitOutput(t, "the text", func(out string) bool { return strings.Contains(out, "address") })
	p.resize(t, 20)
	if w := e.Width(); w != 20 {
		t.Errorf("Width() = %d after the resize, want 20", w)
	}
	// a terminal just resized to 20 columns that shows what is drawn next
	v := newVT(20, 5)
	if err := syscall.Kill(os.Getpid(), syscall.SIGWINCH); err != nil {
		t.Fatal(err)
	}
	after := p.waitOutput(t, "a redraw", func(out string) bool { return len(out) > len(before) && strings.HasSuffix(out, "C") })
	v.write(after[len(before):])
	if got, want := strings.Join(v.screen(), "|"), "> how do I set a sta|tic IP address"; got != want {
		t.Errorf("screen after resize %q, want %q", got, want)
	}
	before = after
	p.typeKeys(t, "\x01")
	after = p.waitOutput(t, "Home", func(out string) bool { return len(out) > len(before) && strings.HasSuffix(out, "C") })
	v.write(after[len(before):])
	if v.row != 0 || v.col != 2 {
		t.Errorf("after Home the cursor is at row %d col %d, want 0 2", v.row, v.col)
	}
	p.typeKeys(t, "\r")
	if r := next(t, lines); r.line != text {
		t.Errorf("got %q, want %q", r.line, text)
	}
}

// TestEditor_pty_cancel: ReadLine returns when its context ends.
func TestEditor_pty_cancel(t *testing.T) {
	p := newPty(t, 80)
	e := New(p.slave, p.slave, Config{Prompt: "> "})
	ctx, cancel := context.WithCancel(context.Background())
	lines := p.readLines(ctx, e)
	p.waitPrompt(t, 1)
	p.typeKeys(t, "abc")
	p.waitOutput(t, "the text", func(out string) bool { return strings.Contains(out, "abc") })
	cancel()
	if r := next(t, lines); !errors.Is(r.err, context.Canceled) {
		t.Errorf("got %q, %v; want context.Canceled", r.line, r.err)
	}
}

// TestEditor_plain: on a pipe, or on a terminal when asked, the editor
// writes the prompt and reads plain lines.
func TestEditor_plain(t *testing.T) {
	t.Run("pipe", func(t *testing.T) {
		var out bytes.Buffer
		e := New(strings.NewReader("one\r\ntwo\nlast"), &out, Config{Prompt: "> "})
		if e.IsTerminal() || e.Width() != 0 {
			t.Fatal("a pipe taken for a terminal")
		}
		var got []string
		for {
			s, err := e.ReadLine(context.Background())
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, s)
		}
		if strings.Join(got, "|") != "one|two|last" || out.String() != "> > > > \n" {
			t.Errorf("lines %q, output %q", got, out.String())
		}
	})
	t.Run("dumb terminal", func(t *testing.T) {
		p := newPty(t, 80)
		e := New(p.slave, p.slave, Config{Prompt: "> ", Plain: true})
		if e.IsTerminal() {
			t.Fatal("Plain ignored")
		}
		lines := p.readLines(context.Background(), e)
		p.waitOutput(t, "prompt", func(out string) bool { return strings.Contains(out, "> ") })
		p.typeKeys(t, "abd\x7fc\n") // the kernel's line editing: erase works
		if r := next(t, lines); r.err != nil || r.line != "abc" {
			t.Errorf("got %q, %v", r.line, r.err)
		}
	})
}
