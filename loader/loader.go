// Package loader builds espbot's index from FAQ pages (the embedded page
// when none are named) and keeps it current: it reloads on request
// (SIGHUP) and, when watching, after the pages change, swapping the new
// index in only when the pages load without errors.
package loader

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"sync"
	"time"

	"github.com/fsnotify/fsnotify"

	"github.com/espbot/espbot/knowledge"
	"github.com/espbot/espbot/matcher"
)

// Load loads the pages at paths, or the embedded FAQ when there are none.
func Load(paths []string, o knowledge.Options) (*knowledge.Base, error) {
	if len(paths) == 0 {
		return knowledge.LoadDefaultWith(o)
	}
	return knowledge.LoadWith(o, paths...)
}

// Build loads the knowledge base at paths (the embedded FAQ when empty)
// and indexes it. A base with errors, or without entries, is refused, so
// that a broken edit never replaces a working index; problems are the
// pages' errors and warnings either way.
func Build(paths []string, ko knowledge.Options, mo matcher.Options) (*matcher.Index, []knowledge.Problem, error) {
	kb, err := Load(paths, ko)
	var problems []knowledge.Problem
	nerr := 0
	if kb != nil {
		problems = kb.Problems
		for _, p := range problems {
			if p.Severity == knowledge.Error {
				nerr++
			}
		}
	}
	switch {
	case err != nil:
		return nil, problems, err
	case nerr > 0:
		return nil, problems, fmt.Errorf("%d error(s) in the FAQ pages", nerr)
	case len(kb.Entries) == 0:
		return nil, problems, errors.New("no FAQ entries found")
	}
	ix, err := matcher.New(kb.Entries, mo)
	if err != nil {
		return nil, problems, fmt.Errorf("build index: %w", err)
	}
	return ix, problems, nil
}

// Options say what a Loader loads and when it reloads.
type Options struct {
	// Paths are the FAQ pages or folders (none: the embedded FAQ).
	Paths     []string
	Knowledge knowledge.Options
	Matcher   matcher.Options
	// Phrasings, when set, returns the accepted phrasings at every build.
	Phrasings func() map[string][]string
	// Watch reloads after files under Paths change, once they have been
	// quiet for Debounce.
	Watch    bool
	Debounce time.Duration
}

// Target receives each new index.
type Target interface {
	SetIndex(ix *matcher.Index)
}

// Metrics counts builds and reloads (metrics.Metrics is one).
type Metrics interface {
	Reload(ok bool)
	SetEntries(n int)
}

// Loader loads the knowledge base and builds indexes: at start-up, on
// request and, when watching, after FAQ files change.
type Loader struct {
	o       Options
	log     *slog.Logger
	metrics Metrics
	mu      sync.Mutex // one build at a time
	// the watcher starts before the first build reads the files, so that
	// an edit between that build and Run is not missed
	watchOnce sync.Once
	w         *fsnotify.Watcher
	watchErr  error
}

// New returns a Loader. Watching needs paths: the embedded page never
// changes.
func New(o Options, log *slog.Logger, m Metrics) *Loader {
	o.Watch = o.Watch && len(o.Paths) > 0
	return &Loader{o: o, log: log, metrics: m}
}

// Build loads the knowledge base and indexes it, logging the pages'
// problems as path:line: message.
func (k *Loader) Build() (*matcher.Index, error) {
	k.watcher()
	k.mu.Lock()
	defer k.mu.Unlock()
	mo := k.o.Matcher
	if k.o.Phrasings != nil {
		mo.Phrasings = k.o.Phrasings()
	}
	ix, problems, err := Build(k.o.Paths, k.o.Knowledge, mo)
	for _, p := range problems {
		at := fmt.Sprintf("%s:%d", p.Path, p.Line)
		if p.Severity == knowledge.Error {
			k.log.Error("knowledge error", "at", at, "problem", p.Message)
		} else {
			k.log.Debug("knowledge warning", "at", at, "problem", p.Message)
		}
	}
	if err != nil {
		return nil, err
	}
	k.metrics.SetEntries(ix.Len())
	return ix, nil
}

// reload rebuilds the index and swaps it in; queries in flight finish on
// the old one. A failed reload keeps the old knowledge base. The memory of
// the old index and of parsing goes back to the system at once: a reload
// should not leave the process larger than a fresh start.
func (k *Loader) reload(t Target, why string) {
	start := time.Now()
	ix, err := k.Build()
	k.metrics.Reload(err == nil)
	if err != nil {
		k.log.Error("reload failed, keeping the previous knowledge base", "trigger", why, "err", err)
		debug.FreeOSMemory()
		return
	}
	t.SetIndex(ix)
	debug.FreeOSMemory()
	k.log.Info("knowledge reloaded", "trigger", why, "entries", ix.Len(), "took", time.Since(start).Round(time.Millisecond))
}

// Run reloads into t on every value of reload and, when watching, after
// changes to the FAQ files settle, until ctx is done.
func (k *Loader) Run(ctx context.Context, t Target, reload <-chan os.Signal) {
	var events <-chan fsnotify.Event
	var errs <-chan error
	w, err := k.watcher()
	switch {
	case err != nil:
		k.log.Error("cannot watch the knowledge files; SIGHUP still reloads", "err", err)
	case w != nil:
		defer w.Close()
		events, errs = w.Events, w.Errors
	}
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-reload:
			k.reload(t, "signal")
		case ev := <-events:
			if k.relevant(w, ev) {
				k.log.Debug("knowledge file changed", "path", ev.Name, "op", ev.Op.String())
				timer.Reset(k.o.Debounce)
			}
		case err := <-errs:
			k.log.Warn("knowledge watcher", "err", err)
		case <-timer.C:
			k.reload(t, "watch")
		}
	}
}

// watcher returns the watcher of the knowledge files, started on the
// first call (nil when not watching).
func (k *Loader) watcher() (*fsnotify.Watcher, error) {
	k.watchOnce.Do(func() {
		if k.o.Watch {
			k.w, k.watchErr = k.newWatcher()
		}
	})
	return k.w, k.watchErr
}

// newWatcher watches the folders holding the knowledge paths: editors
// replace files by renaming, which a watch on the file itself would miss.
func (k *Loader) newWatcher() (*fsnotify.Watcher, error) {
	w, err := fsnotify.NewWatcher()
	if err != nil {
		return nil, fmt.Errorf("watch: %w", err)
	}
	for _, p := range k.o.Paths {
		if err := addWatch(w, p); err != nil {
			w.Close()
			return nil, err
		}
	}
	return w, nil
}

// addWatch watches p's folder (a file) or p and its sub-folders (a folder).
func addWatch(w *fsnotify.Watcher, p string) error {
	st, err := os.Stat(p)
	if err != nil {
		return fmt.Errorf("watch: %w", err)
	}
	if !st.IsDir() {
		return w.Add(filepath.Dir(p))
	}
	return filepath.WalkDir(p, func(path string, d fs.DirEntry, err error) error {
		if err != nil || !d.IsDir() {
			return err
		}
		if err := w.Add(path); err != nil {
			return fmt.Errorf("watch %s: %w", path, err)
		}
		return nil
	})
}

// relevant reports whether a file event concerns the knowledge base: an
// .rst file under a watched folder, or a watched file. New folders under a
// watched folder are watched too.
func (k *Loader) relevant(w *fsnotify.Watcher, ev fsnotify.Event) bool {
	if ev.Has(fsnotify.Chmod) && !ev.Has(fsnotify.Write) {
		return false
	}
	for _, p := range k.o.Paths {
		st, err := os.Stat(p)
		dir := err == nil && st.IsDir()
		switch {
		case !dir && ev.Name == p:
			return true
		case dir && within(ev.Name, p):
			if ev.Has(fsnotify.Create) {
				if st, err := os.Stat(ev.Name); err == nil && st.IsDir() {
					_ = addWatch(w, ev.Name) // best effort; SIGHUP covers misses
					return true
				}
			}
			return strings.HasSuffix(ev.Name, ".rst") || ev.Has(fsnotify.Remove) || ev.Has(fsnotify.Rename)
		}
	}
	return false
}

// within reports whether path is dir or inside it.
func within(path, dir string) bool {
	rel, err := filepath.Rel(dir, path)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))
}
