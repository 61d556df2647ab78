package lineedit

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// DefaultHistoryLimit is how many entries a History keeps when the caller
// gives no limit.
const DefaultHistoryLimit = 1000

// History is the list of lines entered, oldest first, bounded in length.
// A History loaded from a file appends every new entry to it at once, so
// that a crash loses nothing and sessions running side by side interleave
// whole lines. It is not safe for concurrent use.
type History struct {
	entries []string
	limit   int
	file    *os.File
	path    string
	err     error // the first failed write
}

// NewHistory returns an empty history kept in memory. A limit below 1
// means DefaultHistoryLimit.
func NewHistory(limit int) *History {
	if limit < 1 {
		limit = DefaultHistoryLimit
	}
	return &History{limit: limit}
}

// LoadHistory reads the history file at path (missing is fine: it is
// created, with its folder, readable by the user alone) and keeps it open
// to append new entries. A file longer than the limit is rewritten with its
// newest entries. Close the History when done.
func LoadHistory(path string, limit int) (*History, error) {
	h := NewHistory(limit)
	h.path = path
	n, err := h.read()
	if err != nil {
		return nil, err
	}
	if n > len(h.entries) {
		if err := h.rewrite(); err != nil {
			return nil, err
		}
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("history: %w", err)
	}
	h.file, err = os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("history: %w", err)
	}
	return h, nil
}

// read loads the newest entries of the file and returns how many it holds.
func (h *History) read() (int, error) {
	f, err := os.Open(h.path)
	if errors.Is(err, os.ErrNotExist) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("history: %w", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 64*1024), 1<<20)
	n, ln := 0, 0
	for sc.Scan() {
		ln++
		if sc.Text() != "" {
			h.push(decodeEntry(sc.Text()))
			n++
		}
	}
	if err := sc.Err(); err != nil {
		return 0, fmt.Errorf("history %s: line %d: %w", h.path, ln+1, err)
	}
	return n, nil
}

// rewrite replaces the file by the entries kept, through a temporary file
// renamed over it so that a failure leaves the old file whole.
func (h *History) rewrite() error {
	tmp, err := os.CreateTemp(filepath.Dir(h.path), ".history-*")
	if err != nil {
		return fmt.Errorf("history: %w", err)
	}
	w := bufio.NewWriter(tmp)
	for _, e := range h.entries {
		w.WriteString(encodeEntry(e) + "\n")
	}
	err = errors.Join(w.Flush(), tmp.Chmod(0o600), tmp.Close())
	if err == nil {
		err = os.Rename(tmp.Name(), h.path)
	}
	if err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("history: %w", err)
	}
	return nil
}

// Add appends s unless it is blank or the same as the newest entry.
// Writing to the file may fail; Close reports the first failure.
func (h *History) Add(s string) {
	if strings.TrimSpace(s) == "" || (len(h.entries) > 0 && h.entries[len(h.entries)-1] == s) {
		return
	}
	h.push(s)
	if h.file != nil && h.err == nil {
		if _, err := h.file.WriteString(encodeEntry(s) + "\n"); err != nil {
			h.err = fmt.Errorf("history: %w", err)
		}
	}
}

func (h *History) push(s string) {
	if len(h.entries) == h.limit {
		h.entries = append(h.entries[:0], h.entries[1:]...)
	}
	h.entries = append(h.entries, s)
}

// Len returns the number of entries.
func (h *History) Len() int { return len(h.entries) }

// At returns entry i, 0 being the oldest.
func (h *History) At(i int) string { return h.entries[i] }

// Close closes the file and returns the first error writing to it.
func (h *History) Close() error {
	if h.file == nil {
		return h.err
	}
	err := h.file.Close()
	h.file = nil
	if h.err != nil {
		return h.err
	}
	if err != nil {
		return fmt.Errorf("history: %w", err)
	}
	return nil
}

// encodeEntry writes an entry on one line: a pasted question keeps its
// line breaks as \n, and a backslash is doubled.
func encodeEntry(s string) string {
	return strings.NewReplacer(`\`, `\\`, "\n", `\n`).Replace(s)
}

func decodeEntry(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '\\' || i+1 == len(s) {
			b.WriteByte(s[i])
			continue
		}
		i++
		switch s[i] {
		case 'n':
			b.WriteByte('\n')
		case '\\':
			b.WriteByte('\\')
		default:
			b.WriteByte('\\')
			b.WriteByte(s[i])
		}
	}
	return b.String()
}
