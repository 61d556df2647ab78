//go:build linux || darwin

package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/creack/pty"
)

// rawPrompt is what the line editor sends as it shows each prompt
// (bracketed paste on), so counting it counts prompts.
const rawPrompt = "\x1b[?2004h"

// ptyChat is espbot chat running on a pseudo terminal: keys are written to
// the master, and screen collects what the chat drew.
type ptyChat struct {
	t       *testing.T
	master  *os.File
	slave   *os.File
	mu      sync.Mutex
	screen  bytes.Buffer
	drained chan struct{}
	done    chan error
	stderr  bytes.Buffer
}

// openPty opens a pseudo terminal cols columns wide, or skips the test.
func openPty(t *testing.T, cols int) (master, slave *os.File) {
	master, slave, err := pty.Open()
	if err != nil {
		t.Skipf("no pseudo terminal here: %v", err)
	}
	if err := pty.Setsize(master, &pty.Winsize{Rows: 40, Cols: uint16(cols)}); err != nil {
		t.Fatal(err)
	}
	return master, slave
}

// startChat runs "espbot chat" on a terminal cols columns wide, with its
// state (the history) under state.
func startChat(t *testing.T, cols int, state string) *ptyChat {
	master, slave := openPty(t, cols)
	c := &ptyChat{t: t, master: master, slave: slave, drained: make(chan struct{}), done: make(chan error, 1)}
	go func() {
		defer close(c.drained)
		buf := make([]byte, 4096)
		for {
			n, err := master.Read(buf)
			c.mu.Lock()
			c.screen.Write(buf[:n])
			c.mu.Unlock()
			if err != nil {
				return
			}
		}
	}()
	getenv := func(k string) string {
		return map[string]string{"XDG_STATE_HOME": state, "TERM": "xterm"}[k]
	}
	go func() { c.done <- run(context.Background(), []string{"chat"}, getenv, slave, slave, &c.stderr) }()
	return c
}

// waitFor waits until the screen shows what n times.
func (c *ptyChat) waitFor(what string, n int) {
	c.t.Helper()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		if c.count(what) >= n {
			return
		}
	}
	c.t.Fatalf("the terminal never showed %q %d times:\n%q", what, n, c.text())
}

func (c *ptyChat) count(what string) int { return strings.Count(c.text(), what) }

func (c *ptyChat) text() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.screen.String()
}

// ask types keys at prompt n and waits for the next prompt.
func (c *ptyChat) ask(n int, keys string) {
	c.t.Helper()
	c.waitFor(rawPrompt, n)
	if _, err := c.master.WriteString(keys); err != nil {
		c.t.Fatal(err)
	}
	c.waitFor(rawPrompt, n+1)
}

// end waits for the chat to return and closes the terminal.
func (c *ptyChat) end() {
	c.t.Helper()
	select {
	case err := <-c.done:
		if err != nil {
			c.t.Errorf("chat: %v\n%s", err, c.stderr.String())
		}
	case <-time.After(10 * time.Second):
		c.t.Fatal("the chat did not end")
	}
	c.slave.Close()
	<-c.drained
	c.master.Close()
}

// TestRunChat_terminal holds a chat on a pseudo terminal 40 columns wide:
// the answer is folded at word boundaries with the title hanging beside
// "Q: ", a thank-you gets a friendly line, a pasted question of two lines
// is one question, /help speaks of the terminal, Up recalls the last
// line, Ctrl-C clears a line and a second Ctrl-C leaves; the questions
// asked are in the history file, the abandoned line is not.
func TestRunChat_terminal(t *testing.T) {
	state := t.TempDir()
	c := startChat(t, 40, state)
	const q = "What is the default MTU of LWIP for an ESP32?"
	c.ask(1, q+"\r")
	c.waitFor("Q: What is the default MTU of LWIP for\r\n   an ESP32?", 1)
	c.waitFor("   /show protocols-2bd6  What is the\r\n      default packet length for TCP/IP?", 1)

	c.ask(2, "thanks!\r")
	c.waitFor("You're welcome!", 1)

	c.ask(3, "\x1b[200~What is the default MTU\rof LWIP for an ESP32?\x1b[201~\r")
	c.waitFor("Q: What is the default MTU", 2)

	c.ask(4, "/help\r")
	c.waitFor("type it at the prompt", 1)
	if n := c.count(rawPrompt); n != 5 {
		t.Errorf("%d prompts after four questions, want 5: the paste was not one question", n)
	}
	if c.count("mention me") > 0 || c.count("No answer") > 0 {
		t.Errorf("the chat spoke of mentions or had no answer:\n%q", c.text())
	}

	c.ask(5, "\x1b[A\r") // Up recalls /help
	c.waitFor("espbot help", 2)

	c.waitFor(rawPrompt, 6)
	c.master.WriteString("half a question\x03\x03")
	c.end()
	data, err := os.ReadFile(filepath.Join(state, "espbot", "history"))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(data)), "\n")
	if len(lines) != 4 || lines[0] != q || lines[1] != "thanks!" || lines[3] != "/help" || strings.Contains(string(data), "half") {
		t.Errorf("history:\n%s", data)
	}
}

// TestRunChat_historyUnwritable: when the history file cannot be opened,
// the chat says why and keeps the history in memory.
func TestRunChat_historyUnwritable(t *testing.T) {
	state := t.TempDir()
	if err := os.WriteFile(filepath.Join(state, "espbot"), []byte("a file where the folder should be"), 0o600); err != nil {
		t.Fatal(err)
	}
	c := startChat(t, 80, state)
	c.ask(1, "thanks\r")
	c.master.WriteString("\x04")
	c.end()
	if !strings.Contains(c.stderr.String(), "history") || !strings.Contains(c.stderr.String(), "kept in memory only") {
		t.Errorf("stderr %q", c.stderr.String())
	}
}

// TestRunAsk_terminalFolds: ask's text answer is folded to the width of the
// terminal it prints on (a pipe gets whole lines, as ask_test.go checks).
func TestRunAsk_terminalFolds(t *testing.T) {
	master, slave := openPty(t, 40)
	defer master.Close()
	var screen bytes.Buffer
	drained := make(chan struct{})
	go func() {
		defer close(drained)
		screen.ReadFrom(master) // ends with an error once the slave is closed
	}()
	var stderr bytes.Buffer
	err := run(context.Background(), []string{"ask", "What is the default MTU of LWIP for an ESP32?"}, func(string) string { return "" },
		strings.NewReader(""), slave, &stderr)
	slave.Close()
	<-drained
	if err != nil {
		t.Fatalf("ask: %v\n%s", err, stderr.String())
	}
	if !strings.Contains(screen.String(), "Q: What is the default MTU of LWIP for\r\n   an ESP32?") {
		t.Errorf("answer not folded to 40 columns:\n%q", screen.String())
	}
}
