package progress

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// clock is a fake time that tests move forward.
type clock struct{ t time.Time }

func (c *clock) now() time.Time       { return c.t }
func (c *clock) tick(d time.Duration) { c.t = c.t.Add(d) }
func newClock() *clock                { return &clock{t: time.Unix(1_700_000_000, 0)} }
func newTestBar(w *bytes.Buffer, c *clock, width int) *Bar {
	return New(w, Config{Label: "eval", Mode: Terminal, Now: c.now, Width: func() int { return width }})
}

// step is one call on a Bar, after moving the clock by wait, and what the
// terminal must receive for it.
type step struct {
	wait time.Duration
	call string // "start N", "add N", "done", "write TEXT"
	n    int
	want string
}

func TestBar(t *testing.T) {
	ms := time.Millisecond
	for _, tc := range []struct {
		name  string
		width int
		steps []step
	}{
		{"short work draws nothing", 80, []step{
			{call: "start", n: 10}, {wait: 5 * ms, call: "add", n: 10}, {call: "done"},
		}},
		{"counts and percentage after the first interval", 80, []step{
			{call: "start", n: 1480},
			{wait: 50 * ms, call: "add", n: 100},
			{wait: 60 * ms, call: "add", n: 212, want: "\reval 312/1480 21%\x1b[K"},
			{call: "done", want: "\r\x1b[K"},
		}},
		{"throttled between draws", 80, []step{
			{call: "start", n: 100},
			{wait: 100 * ms, call: "add", n: 1, want: "\reval 1/100 1%\x1b[K"},
			{wait: 30 * ms, call: "add", n: 1},
			{wait: 30 * ms, call: "add", n: 1},
			{wait: 40 * ms, call: "add", n: 1, want: "\reval 4/100 4%\x1b[K"},
		}},
		{"unknown total", 80, []step{
			{call: "start"}, {wait: 200 * ms, call: "add", n: 7, want: "\reval 7\x1b[K"},
		}},
		{"never past 100%", 80, []step{
			{call: "start", n: 2}, {wait: 200 * ms, call: "add", n: 3, want: "\reval 3/2 100%\x1b[K"},
		}},
		{"a message erases the line and the next add draws at once", 80, []step{
			{call: "start", n: 10},
			{wait: 200 * ms, call: "add", n: 1, want: "\reval 1/10 10%\x1b[K"},
			{call: "write", want: "\r\x1b[Kwarning\n"},
			{wait: ms, call: "add", n: 1, want: "\reval 2/10 20%\x1b[K"},
		}},
		{"cut to the terminal width", 10, []step{
			{call: "start", n: 1480}, {wait: 200 * ms, call: "add", n: 312, want: "\reval 312/\x1b[K"},
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var out bytes.Buffer
			c := newClock()
			b := newTestBar(&out, c, tc.width)
			for i, s := range tc.steps {
				c.tick(s.wait)
				out.Reset()
				switch s.call {
				case "start":
					b.Start(s.n)
				case "add":
					b.Add(s.n)
				case "done":
					b.Done()
				case "write":
					b.Write([]byte("warning\n"))
				}
				if out.String() != s.want {
					t.Errorf("step %d (%s %d): wrote %q, want %q", i, s.call, s.n, out.String(), s.want)
				}
			}
		})
	}
}

// TestBar_atMostTenDrawsASecond adds an item every millisecond for a second.
func TestBar_atMostTenDrawsASecond(t *testing.T) {
	var out bytes.Buffer
	c := newClock()
	b := newTestBar(&out, c, 80)
	b.Start(1000)
	for range 1000 {
		c.tick(time.Millisecond)
		b.Add(1)
	}
	if n := strings.Count(out.String(), "\r"); n > 10 || n < 9 {
		t.Errorf("%d draws in a second, want at most 10 (and not much fewer)", n)
	}
	if !strings.HasSuffix(out.String(), "\reval 1000/1000 100%\x1b[K") {
		t.Errorf("last draw %q", out.String()[strings.LastIndex(out.String(), "\r"):])
	}
}

// TestBar_silentOffATerminal: a buffer, a file or Off get nothing but the
// messages written through the Bar.
func TestBar_silentOffATerminal(t *testing.T) {
	f, err := os.Create(filepath.Join(t.TempDir(), "log"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var buf bytes.Buffer
	c := newClock()
	for _, tc := range []struct {
		name string
		bar  *Bar
		out  func() string
	}{
		{"buffer", New(&buf, Config{Label: "check", Now: c.now}), buf.String},
		{"file", New(f, Config{Label: "check", Now: c.now}), func() string { data, _ := os.ReadFile(f.Name()); return string(data) }},
		{"off on a buffer", New(&buf, Config{Label: "check", Mode: Off, Now: c.now}), buf.String},
	} {
		t.Run(tc.name, func(t *testing.T) {
			buf.Reset()
			tc.bar.Start(3)
			c.tick(time.Second)
			tc.bar.Add(1)
			tc.bar.Write([]byte("warning\n"))
			tc.bar.Add(2)
			tc.bar.Done()
			if got := tc.out(); got != "warning\n" {
				t.Errorf("wrote %q, want only the message", got)
			}
		})
	}
}

// TestBar_concurrentAdds: Add is safe from many goroutines (run with -race).
func TestBar_concurrentAdds(t *testing.T) {
	var out bytes.Buffer
	c := &syncClock{}
	b := New(&out, Config{Label: "train", Mode: Terminal, Now: c.now, Interval: time.Nanosecond})
	b.Start(8000)
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 1000 {
				b.Add(1)
			}
		})
	}
	wg.Wait()
	b.Add(0)
	if !strings.HasSuffix(out.String(), "\rtrain 8000/8000 100%\x1b[K") {
		t.Errorf("final draw %q", out.String()[max(0, out.Len()-40):])
	}
}

// syncClock advances a nanosecond at each reading, from any goroutine.
type syncClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *syncClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(time.Nanosecond)
	return c.t
}

func BenchmarkBar_Add(b *testing.B) {
	var out bytes.Buffer
	bar := New(&out, Config{Label: "eval", Mode: Terminal})
	bar.Start(b.N)
	b.ReportAllocs()
	for b.Loop() {
		bar.Add(1)
	}
}
