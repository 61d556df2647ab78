package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/fsnotify/fsnotify"

	"github.com/espbot/espbot/bot"
	"github.com/espbot/espbot/config"
	"github.com/espbot/espbot/knowledge"
	"github.com/espbot/espbot/matcher"
	"github.com/espbot/espbot/metrics"
)

// knowledgeLoader loads the knowledge base and builds indexes: at start-up,
// on SIGHUP and, when watching, after FAQ files change.
type knowledgeLoader struct {
	paths    []string
	opts     matcher.Options
	watch    bool
	debounce time.Duration
	log      *slog.Logger
	metrics  *metrics.Metrics
	mu       sync.Mutex // one build at a time
	// phrasings, when set, loads the accepted phrasings at every build.
	phrasings func() map[string][]string
}

func newKnowledgeLoader(c *config.Config, log *slog.Logger, m *metrics.Metrics) *knowledgeLoader {
	return &knowledgeLoader{
		paths:    c.Knowledge.Paths,
		opts:     matcherOptions(c),
		watch:    c.Knowledge.Watch && len(c.Knowledge.Paths) > 0,
		debounce: c.Knowledge.Debounce.D(),
		log:      log,
		metrics:  m,
	}
}

// build loads the knowledge base and indexes it, logging the pages'
// problems as path:line: message.
func (k *knowledgeLoader) build() (*matcher.Index, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	opts := k.opts
	if k.phrasings != nil {
		opts.Phrasings = k.phrasings()
	}
	ix, problems, err := indexKnowledge(k.paths, opts)
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

// indexKnowledge loads the knowledge base at paths (the embedded FAQ when
// empty) and indexes it. A base with errors, or without entries, is
// refused, so that a broken edit never replaces a working index; problems
// are the pages' errors and warnings either way.
func indexKnowledge(paths []string, opts matcher.Options) (*matcher.Index, []knowledge.Problem, error) {
	kb, err := loadKnowledge(paths)
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
	ix, err := matcher.New(kb.Entries, opts)
	if err != nil {
		return nil, problems, fmt.Errorf("build index: %w", err)
	}
	return ix, problems, nil
}

// reload rebuilds the index and swaps it in; queries in flight finish on
// the old one. A failed reload keeps the old knowledge base.
func (k *knowledgeLoader) reload(b *bot.Bot, why string) {
	start := time.Now()
	ix, err := k.build()
	k.metrics.Reload(err == nil)
	if err != nil {
		k.log.Error("reload failed, keeping the previous knowledge base", "trigger", why, "err", err)
		return
	}
	b.SetIndex(ix)
	k.log.Info("knowledge reloaded", "trigger", why, "entries", ix.Len(), "took", time.Since(start).Round(time.Millisecond))
}

// run reloads on every value of reload and, when watching, after changes
// to the FAQ files settle, until ctx is done.
func (k *knowledgeLoader) run(ctx context.Context, b *bot.Bot, reload <-chan os.Signal) {
	var w *fsnotify.Watcher
	var events <-chan fsnotify.Event
	var errs <-chan error
	if k.watch {
		var err error
		if w, err = k.newWatcher(); err != nil {
			k.log.Error("cannot watch the knowledge files; SIGHUP still reloads", "err", err)
		} else {
			defer w.Close()
			events, errs = w.Events, w.Errors
		}
	}
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-reload:
			k.reload(b, "signal")
		case ev := <-events:
			if k.relevant(w, ev) {
				k.log.Debug("knowledge file changed", "path", ev.Name, "op", ev.Op.String())
				timer.Reset(k.debounce)
			}
		case err := <-errs:
			k.log.Warn("knowledge watcher", "err", err)
		case <-timer.C:
			k.reload(b, "watch")
		}
	}
}

// newWatcher watches the folders holding the knowledge paths: editors
// replace files by renaming, which a watch on the file itself would miss.
func (k *knowledgeLoader) newWatcher() (*fsnotify.Watcher, error) {
	w, err := fsnotify.NewWatcher()
	if err != nil {
		return nil, fmt.Errorf("watch: %w", err)
	}
	for _, p := range k.paths {
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
func (k *knowledgeLoader) relevant(w *fsnotify.Watcher, ev fsnotify.Event) bool {
	if ev.Has(fsnotify.Chmod) && !ev.Has(fsnotify.Write) {
		return false
	}
	for _, p := range k.paths {
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
