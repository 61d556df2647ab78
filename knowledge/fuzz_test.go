package knowledge

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// FuzzParse feeds pages to the parser: it must neither panic nor hang, and
// every dash-underlined title must give an entry.
func FuzzParse(f *testing.F) {
	f.Add(defaultPage)
	f.Add(onePage("  - a\n\n    .. code-block:: c\n\n      x;\n\n  +--+--+\n  |a |b |\n  +==+==+\n"))
	f.Add("T\n=\n\n.. _l:\n\nQ `x <y>`_ :ref:`l` ``z``?\n----\n\n  ===  ===\n  a    b\n  ===  ===\n\n::\n\n  c\n")
	if testing.Short() {
		return
	}
	for _, sf := range seedPages() {
		f.Add(sf)
	}
	f.Fuzz(func(t *testing.T, src string) {
		done := make(chan bool)
		defer close(done)
		go func() {
			select {
			case <-done:
			case <-time.After(10 * time.Second): // a hang, not a slow machine
				panic(fmt.Sprintf("parsing a %d-byte page did not end", len(src)))
			}
		}()
		b, _ := build([]sourceFile{{path: "f.rst", slug: "f", data: src}}, nil, Options{}.withDefaults())
		if len(b.Entries) != len(questionLines(splitLines(src))) {
			t.Fatalf("%d entries for %d questions", len(b.Entries), len(questionLines(splitLines(src))))
		}
		for _, e := range b.Entries {
			_ = RenderText(e.Body)
			if strings.ContainsRune(e.ID, ' ') {
				t.Fatalf("ID %q", e.ID)
			}
		}
	})
}

// seedPages returns the small pages of the corpus, if it is there: large
// seeds make the fuzzer spend its time minimising.
func seedPages() []string {
	dir, ok := corpusPath()
	if !ok {
		return nil
	}
	var out []string
	_ = filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".rst") {
			return nil
		}
		if data, err := os.ReadFile(p); err == nil && len(data) < 8000 {
			out = append(out, string(data))
		}
		return nil
	})
	return out
}
