//go:build linux || darwin

package tty

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/creack/pty"
)

func TestTerminal(t *testing.T) {
	master, slave, err := pty.Open()
	if err != nil {
		t.Skipf("no pseudo terminal here: %v", err)
	}
	defer master.Close()
	defer slave.Close()
	if err := pty.Setsize(master, &pty.Winsize{Rows: 24, Cols: 33}); err != nil {
		t.Fatal(err)
	}
	file, err := os.Create(filepath.Join(t.TempDir(), "f"))
	if err != nil {
		t.Fatal(err)
	}
	defer file.Close()
	for _, tc := range []struct {
		name string
		v    any
		want bool
	}{
		{"pseudo terminal", slave, true},
		{"regular file", file, false},
		{"buffer", &bytes.Buffer{}, false},
		{"nil", nil, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, got := Terminal(tc.v); got != tc.want {
				t.Errorf("Terminal = %v, want %v", got, tc.want)
			}
		})
	}
	fd, _ := Terminal(slave)
	if w := Width(fd, 80); w != 33 {
		t.Errorf("Width = %d, want 33", w)
	}
	ffd, _ := FD(file)
	if w := Width(ffd, 80); w != 80 {
		t.Errorf("Width of a file = %d, want the fallback 80", w)
	}
}
