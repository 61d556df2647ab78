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

// TestRunChat_terminal holds a chat on a pseudo terminal 40 columns wide:
// the answer is folded to the width, Up recalls the question, Ctrl-C
// clears the line and a second Ctrl-C leaves; the question is in the
// history file.
func TestRunChat_terminal(t *testing.T) {
	master, slave, err := pty.Open()
	if err != nil {
		t.Skipf("no pseudo terminal here: %v", err)
	}
	if err := pty.Setsize(master, &pty.Winsize{Rows: 40, Cols: 40}); err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var screen bytes.Buffer
	drained := make(chan struct{})
	go func() {
		defer close(drained)
		buf := make([]byte, 4096)
		for {
			n, err := master.Read(buf)
			mu.Lock()
			screen.Write(buf[:n])
			mu.Unlock()
			if err != nil {
				return
			}
		}
	}()
	waitFor := func(what string, n int) {
		t.Helper()
		for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
			mu.Lock()
			ok := strings.Count(screen.String(), what) >= n
			mu.Unlock()
			if ok {
				return
			}
		}
		t.Fatalf("the terminal never showed %q %d times:\n%s", what, n, screen.String())
	}
	state := t.TempDir()
	getenv := func(k string) string {
		return map[string]string{"XDG_STATE_HOME": state, "TERM": "xterm"}[k]
	}
	var stderr bytes.Buffer
	done := make(chan error, 1)
	go func() { done <- run(context.Background(), []string{"chat"}, getenv, slave, slave, &stderr) }()

	const rawPrompt = "\x1b[?2004h" // the editor is in raw mode
	waitFor(rawPrompt, 1)
	master.WriteString("What is the default MTU of LWIP for an ESP32?\r")
	waitFor("Q: What is the default MTU of LWIP for\r\nan ESP32?", 1)
	waitFor(rawPrompt, 2)
	master.WriteString("\x1b[A")
	waitFor("ESP32?", 3) // typed, answered, recalled
	master.WriteString("\x03\x03")
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("chat: %v\n%s", err, stderr.String())
		}
	case <-time.After(10 * time.Second):
		t.Fatal("two Ctrl-C did not end the chat")
	}
	slave.Close()
	<-drained
	master.Close()
	data, err := os.ReadFile(filepath.Join(state, "espbot", "history"))
	if err != nil || string(data) != "What is the default MTU of LWIP for an ESP32?\n" {
		t.Errorf("history %q, %v", data, err)
	}
}
