// Package progress shows how far long work has gone (eval over many
// questions, train, check over many files) on one line of a terminal, such
// as "eval 312/1480 21%". It redraws at most ten times a second, draws
// nothing for work that ends within the first tenth of a second, erases its
// line when the work is done, and writes nothing at all when its writer is
// not a terminal, so logs and pipes stay clean.
package progress

import (
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/espbot/espbot/internal/tty"
)

// Reporter is what long work reports its progress to.
type Reporter interface {
	// Start begins work on total items; 0 means the total is unknown.
	Start(total int)
	// Add counts n more items done. It is safe for concurrent use.
	Add(n int)
	// Done ends the work and erases what was drawn.
	Done()
}

// Nop is a Reporter that reports nothing, for callers that need one.
type Nop struct{}

// Start does nothing.
func (Nop) Start(int) {}

// Add does nothing.
func (Nop) Add(int) {}

// Done does nothing.
func (Nop) Done() {}

var (
	_ Reporter = Nop{}
	_ Reporter = (*Bar)(nil)
)

// Mode says whether a Bar draws.
type Mode int

const (
	// Auto draws when the writer is a terminal (an *os.File on one).
	Auto Mode = iota
	// Terminal always draws: for tests, or a caller that knows better.
	Terminal
	// Off never draws.
	Off
)

// DefaultInterval is the least time between two redraws, and how long
// work runs before anything is drawn.
const DefaultInterval = 100 * time.Millisecond

// Config sets up a Bar.
type Config struct {
	Label    string        // what the work is: "eval"
	Mode     Mode          // Auto by default
	Interval time.Duration // 0 means DefaultInterval
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Width returns the terminal's width, to keep the line on one row;
	// nil asks the terminal in Auto mode and means no limit otherwise.
	Width func() int
}

// Bar draws progress on one line of a terminal. Its methods are safe for
// concurrent use.
type Bar struct {
	w        io.Writer
	on       bool
	label    string
	interval time.Duration
	now      func() time.Time
	width    func() int

	mu    sync.Mutex
	total int
	n     int
	last  time.Time // of the last draw, or of Start
	drawn bool      // a progress line is on the terminal
	err   error     // the first failed write: stop drawing
}

// New returns a Bar drawing on w (normally stderr).
func New(w io.Writer, cfg Config) *Bar {
	b := &Bar{w: w, label: cfg.Label, interval: cfg.Interval, now: cfg.Now, width: cfg.Width}
	if b.interval <= 0 {
		b.interval = DefaultInterval
	}
	if b.now == nil {
		b.now = time.Now
	}
	switch cfg.Mode {
	case Terminal:
		b.on = true
	case Auto:
		fd, ok := tty.Terminal(w)
		b.on = ok
		if ok && b.width == nil {
			b.width = func() int { return tty.Width(fd, 0) }
		}
	}
	if b.width == nil {
		b.width = func() int { return 0 }
	}
	return b
}

// Start begins work on total items (0: unknown), counting from zero.
func (b *Bar) Start(total int) {
	if !b.on {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.total, b.n, b.last = max(total, 0), 0, b.now()
}

// Add counts n more items done and redraws if the last draw is old enough.
func (b *Bar) Add(n int) {
	if !b.on {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.n += n
	if now := b.now(); now.Sub(b.last) >= b.interval {
		b.last = now
		b.write("\r" + b.line() + "\x1b[K")
		b.drawn = true
	}
}

// Done erases the progress line, if one was drawn.
func (b *Bar) Done() {
	if !b.on {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.clear()
}

// Write erases the progress line, then writes p, so that messages printed
// during the work (warnings) are not mixed with it; the next Add draws
// again. Without a terminal it only writes p.
func (b *Bar) Write(p []byte) (int, error) {
	if !b.on {
		return b.w.Write(p)
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.clear()
	b.last = time.Time{}
	return b.w.Write(p)
}

func (b *Bar) clear() {
	if b.drawn {
		b.write("\r\x1b[K")
		b.drawn = false
	}
}

// line is the text drawn, cut to leave the terminal's last column free so
// that the terminal never wraps it.
func (b *Bar) line() string {
	s := fmt.Sprintf("%s %d", b.label, b.n)
	if b.total > 0 {
		s = fmt.Sprintf("%s %d/%d %d%%", b.label, b.n, b.total, min(100, b.n*100/b.total))
	}
	if r := []rune(s); b.width() > 1 && len(r) > b.width()-1 {
		s = string(r[:b.width()-1])
	}
	return s
}

// write draws s; after a failed write the Bar stays silent: progress is
// never worth an error.
func (b *Bar) write(s string) {
	if b.err != nil {
		return
	}
	if _, err := io.WriteString(b.w, s); err != nil {
		b.err = err
	}
}
