//go:build linux || darwin

package progress

import (
	"io"
	"strings"
	"testing"
	"time"

	"github.com/creack/pty"
)

// TestBar_autoOnATerminal: in Auto mode a Bar on a real (pseudo) terminal
// draws, cut to the terminal's width.
func TestBar_autoOnATerminal(t *testing.T) {
	master, slave, err := pty.Open()
	if err != nil {
		t.Skipf("no pseudo terminal here: %v", err)
	}
	defer master.Close()
	if err := pty.Setsize(master, &pty.Winsize{Rows: 24, Cols: 12}); err != nil {
		t.Fatal(err)
	}
	c := newClock()
	b := New(slave, Config{Label: "check", Now: c.now})
	b.Start(20000)
	c.tick(time.Second)
	b.Add(1234)
	b.Done()
	slave.Close() // the master reads what was written, then EIO
	out, _ := io.ReadAll(master)
	// the terminal's output processing turns \n into \r\n; none is sent
	if want := "\rcheck 1234/\x1b[K\r\x1b[K"; string(out) != want {
		t.Errorf("terminal got %q, want %q", out, want)
	}
	if strings.Contains(string(out), "\n") {
		t.Error("the progress line moved the cursor down")
	}
}
