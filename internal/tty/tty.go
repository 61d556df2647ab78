// Package tty finds the terminal behind a reader or writer, for the line
// editor and the progress line, which behave differently on a terminal.
package tty

import (
	"syscall"

	"golang.org/x/term"
)

// FD returns the file descriptor behind v (an *os.File). It goes through
// syscall.Conn rather than Fd, which would put the file in blocking mode
// and so keep Close from ending a pending Read.
func FD(v any) (int, bool) {
	sc, ok := v.(syscall.Conn)
	if !ok {
		return 0, false
	}
	rc, err := sc.SyscallConn()
	if err != nil {
		return 0, false
	}
	fd := -1
	if err := rc.Control(func(f uintptr) { fd = int(f) }); err != nil || fd < 0 {
		return 0, false
	}
	return fd, true
}

// Terminal returns the file descriptor behind v when it is a terminal.
func Terminal(v any) (int, bool) {
	fd, ok := FD(v)
	if !ok || !term.IsTerminal(fd) {
		return 0, false
	}
	return fd, true
}

// Width returns the width in columns of the terminal fd, or fallback when
// it does not say.
func Width(fd, fallback int) int {
	w, _, err := term.GetSize(fd)
	if err != nil || w < 1 {
		return fallback
	}
	return w
}
