package loader

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/fsnotify/fsnotify"

	"github.com/espbot/espbot/internal/faqtest"
	"github.com/espbot/espbot/knowledge"
	"github.com/espbot/espbot/matcher"
)

// page is an esp-faq page with one entry per title.
func page(titles ...string) string { return faqtest.Page(titles...) }

func write(tb testing.TB, path, content string) {
	tb.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		tb.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		tb.Fatal(err)
	}
}

func TestBuild(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	good := filepath.Join(dir, "good.rst")
	write(t, good, page("How do I configure the Zigbee coordinator?"))
	empty := filepath.Join(dir, "empty.rst")
	write(t, empty, "Empty\n=====\n")
	bad := filepath.Join(dir, "bad.rst")
	write(t, bad, "Bad\n===\n\nQ?\n----\n\n  caf\xe9\n")
	tests := []struct {
		name    string
		paths   []string
		entries int
		err     string
	}{
		{"embedded", nil, 32, ""},
		{"a page", []string{good}, 1, ""},
		{"no entries", []string{empty}, 0, "no FAQ entries"},
		{"errors", []string{good, bad}, 0, "bad.rst:7: not valid UTF-8"},
		{"missing", []string{filepath.Join(dir, "none.rst")}, 0, "cannot read"},
	}
	for _, tt := range tests {
		ix, problems, err := Build(tt.paths, knowledge.Options{}, matcher.Options{})
		switch {
		case tt.err == "" && (err != nil || ix.Len() != tt.entries):
			t.Errorf("%s: %v, %v", tt.name, ix, err)
		case tt.err != "" && (err == nil || !strings.Contains(err.Error()+fmt.Sprint(problems), tt.err)):
			t.Errorf("%s: err %v, problems %v; want %q", tt.name, err, problems, tt.err)
		}
	}
}

// target is a Target that keeps the indexes it gets.
type target struct {
	mu  sync.Mutex
	got []*matcher.Index
}

func (t *target) SetIndex(ix *matcher.Index) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.got = append(t.got, ix)
}

func (t *target) last() *matcher.Index {
	t.mu.Lock()
	defer t.mu.Unlock()
	if len(t.got) == 0 {
		return nil
	}
	return t.got[len(t.got)-1]
}

// counts is a Metrics that counts.
type counts struct {
	mu            sync.Mutex
	ok, failed, n int
}

func (c *counts) Reload(ok bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if ok {
		c.ok++
	} else {
		c.failed++
	}
}

func (c *counts) SetEntries(n int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.n = n
}

func (c *counts) get() (ok, failed, n int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.ok, c.failed, c.n
}

func waitFor(tb testing.TB, what string, cond func() bool) {
	tb.Helper()
	deadline := time.Now().Add(30 * time.Second) // guards against a hang only
	for !cond() {
		if time.Now().After(deadline) {
			tb.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// retryUntil does action, then waits a while for cond, until cond holds.
func retryUntil(tb testing.TB, what string, action func(), cond func() bool) {
	tb.Helper()
	deadline := time.Now().Add(30 * time.Second) // guards against a hang only
	for {
		action()
		for wait := time.Now().Add(300 * time.Millisecond); time.Now().Before(wait); time.Sleep(5 * time.Millisecond) {
			if cond() {
				return
			}
		}
		if time.Now().After(deadline) {
			tb.Fatalf("timed out waiting for %s", what)
		}
	}
}

func TestLoader_WatchAndSignal(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	p := filepath.Join(dir, "faq", "test.rst")
	const first, second, third = "How do I configure the Zigbee coordinator?", "How do I enable the Thread border router?", "How do I pair a Matter device?"
	write(t, p, page(first))
	m := &counts{}
	var phrasings atomic.Int32
	l := New(Options{Paths: []string{dir}, Watch: true, Debounce: 20 * time.Millisecond,
		Phrasings: func() map[string][]string { phrasings.Add(1); return nil }}, slog.New(slog.DiscardHandler), m)
	ix, err := l.Build()
	if err != nil || ix.Len() != 1 {
		t.Fatalf("Build = %v, %v", ix, err)
	}
	tg := &target{}
	reload := make(chan os.Signal, 1)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		l.Run(ctx, tg, reload)
		close(done)
	}()
	defer func() { cancel(); <-done }()

	// An editor-style replace: a temporary file renamed over the page
	// (repeated as a guard: the watcher runs from the first build on).
	retryUntil(t, "the reload after an edit", func() {
		write(t, p+".tmp", page(first, second))
		if err := os.Rename(p+".tmp", p); err != nil {
			t.Fatal(err)
		}
	}, func() bool { return tg.last() != nil && tg.last().Len() == 2 })
	// A page in a new folder is seen too.
	write(t, filepath.Join(dir, "more", "new.rst"), page(third))
	waitFor(t, "the new folder's page", func() bool { return tg.last().Len() == 3 })
	// A broken page keeps the old index.
	write(t, p, "Test page\n=========\n\nQ?\n----\n\n  caf\xe9\n")
	waitFor(t, "the failed reload", func() bool { _, failed, _ := m.get(); return failed > 0 })
	if tg.last().Len() != 3 {
		t.Errorf("a failed reload replaced the index")
	}
	write(t, p, page(first))
	reload <- os.Interrupt
	waitFor(t, "the signalled reload", func() bool { return tg.last().Len() == 2 })
	if ok, _, n := m.get(); ok < 3 || n != 2 || phrasings.Load() < 4 {
		t.Errorf("reloads ok %d, entries %d, phrasings loaded %d times", ok, n, phrasings.Load())
	}
}

func TestLoader_RelevantEvents(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	file := filepath.Join(t.TempDir(), "one.rst")
	write(t, file, page("Q?"))
	l := New(Options{Paths: []string{dir, file}, Watch: true}, slog.New(slog.DiscardHandler), &counts{})
	w, err := l.newWatcher()
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	for _, tt := range []struct {
		name string
		path string
		op   string
		want bool
	}{
		{"an rst page written", filepath.Join(dir, "a.rst"), "write", true},
		{"an editor's swap file", filepath.Join(dir, ".a.rst.swp"), "write", false},
		{"a page removed", filepath.Join(dir, "a.txt"), "remove", true},
		{"the watched file", file, "write", true},
		{"a neighbour of the watched file", filepath.Join(filepath.Dir(file), "other.rst"), "write", false},
		{"outside", "/elsewhere/a.rst", "write", false},
		{"a chmod", filepath.Join(dir, "a.rst"), "chmod", false},
	} {
		if got := l.relevant(w, event(tt.path, tt.op)); got != tt.want {
			t.Errorf("%s: relevant = %v, want %v", tt.name, got, tt.want)
		}
	}
}

func event(path, op string) fsnotify.Event {
	ops := map[string]fsnotify.Op{"write": fsnotify.Write, "remove": fsnotify.Remove, "chmod": fsnotify.Chmod}
	return fsnotify.Event{Name: path, Op: ops[op]}
}

// TestLoader_EditBeforeRun: an edit between the first build and Run is
// seen, since the watcher starts before that build reads the files.
func TestLoader_EditBeforeRun(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	p := filepath.Join(dir, "test.rst")
	const first, second = "How do I configure the Zigbee coordinator?", "How do I enable the Thread border router?"
	write(t, p, page(first))
	l := New(Options{Paths: []string{dir}, Watch: true, Debounce: 20 * time.Millisecond}, slog.New(slog.DiscardHandler), &counts{})
	if _, err := l.Build(); err != nil {
		t.Fatal(err)
	}
	write(t, p+".tmp", page(first, second))
	if err := os.Rename(p+".tmp", p); err != nil {
		t.Fatal(err)
	}
	tg := &target{}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		l.Run(ctx, tg, make(chan os.Signal))
		close(done)
	}()
	defer func() { cancel(); <-done }()
	waitFor(t, "the reload after an edit made before Run", func() bool { return tg.last() != nil && tg.last().Len() == 2 })
}
