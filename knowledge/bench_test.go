package knowledge

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// BenchmarkLoadCorpus reads and parses every page of the corpus, as the CLI
// does at start-up. Target: under 50 ms and 20 MB allocated per load.
func BenchmarkLoadCorpus(b *testing.B) {
	dir := corpusDir(b)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Load(dir); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkParseCorpus parses the corpus already in memory.
func BenchmarkParseCorpus(b *testing.B) {
	files := corpusFiles(b)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := build(files, nil, Options{}.withDefaults()); err != nil {
			b.Fatal(err)
		}
	}
}

// corpusFiles reads every page of the corpus.
func corpusFiles(tb testing.TB) []sourceFile {
	tb.Helper()
	var files []sourceFile
	err := filepath.WalkDir(corpusDir(tb), func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".rst") {
			return err
		}
		data, err := os.ReadFile(p)
		files = append(files, sourceFile{path: p, slug: slug(p), data: string(data)})
		return err
	})
	if err != nil {
		tb.Fatal(err)
	}
	return files
}
