//go:build unix

package lineedit

import (
	"os"
	"os/signal"
	"syscall"
)

// notifyResize returns a channel that receives SIGWINCH (the terminal was
// resized) and the function that stops it.
func notifyResize() (<-chan os.Signal, func()) {
	c := make(chan os.Signal, 1)
	signal.Notify(c, syscall.SIGWINCH)
	return c, func() { signal.Stop(c) }
}
