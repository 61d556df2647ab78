package matcher

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"testing"
	"time"

	"github.com/espbot/espbot/knowledge"
)

// corpusDir is the whole English esp-faq, beside the project.
var corpusDir = filepath.Join("..", "..", "shared", "corpus", "esp-faq-en")

func loadCorpus(tb testing.TB) []knowledge.Entry {
	tb.Helper()
	if _, err := os.Stat(corpusDir); err != nil {
		tb.Skipf("corpus not found at %s (it lives in ../shared beside the project): %v", corpusDir, err)
	}
	kb, err := knowledge.Load(corpusDir)
	if err != nil {
		tb.Fatal(err)
	}
	return kb.Entries
}

// devQuestions reads the questions of the development sets, for benchmarks.
func devQuestions(tb testing.TB) []string {
	tb.Helper()
	var qs []string
	for _, name := range []string{"seed-dev.jsonl", "corpus-dev.jsonl"} {
		f, err := os.Open(filepath.Join("..", "..", "shared", "eval", name))
		if err != nil {
			tb.Skipf("question sets not found: %v", err)
		}
		sc := bufio.NewScanner(f)
		sc.Buffer(nil, 1<<20)
		for sc.Scan() {
			var c struct{ Question string }
			if err := json.Unmarshal(sc.Bytes(), &c); err == nil {
				qs = append(qs, c.Question)
			}
		}
		f.Close()
	}
	return qs
}

// BenchmarkNew_corpus builds the corpus index; index-MB is the heap the
// finished index holds (entries excluded: the knowledge base owns them).
func BenchmarkNew_corpus(b *testing.B) {
	entries := loadCorpus(b)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := New(entries, Options{}); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	ix, err := New(entries, Options{})
	if err != nil {
		b.Fatal(err)
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/(1<<20), "index-MB")
	runtime.KeepAlive(ix)
}

// BenchmarkSearch_corpus searches the whole corpus with the development
// questions and reports the median and p99 time per query.
func BenchmarkSearch_corpus(b *testing.B) {
	ix, err := New(loadCorpus(b), Options{})
	if err != nil {
		b.Fatal(err)
	}
	searchLatency(b, ix, devQuestions(b))
}

// BenchmarkSearch_posts searches the whole corpus with the development
// questions filed in the post templates: issue forms and forum posts of
// one to three kilobytes.
func BenchmarkSearch_posts(b *testing.B) {
	ix, err := New(loadCorpus(b), Options{})
	if err != nil {
		b.Fatal(err)
	}
	var posts []string
	for _, q := range devQuestions(b) {
		for _, name := range postTemplates {
			posts = append(posts, readPost(b, name, q))
		}
	}
	searchLatency(b, ix, posts)
}

// searchLatency searches qs in turn and reports the median and p99 time.
func searchLatency(b *testing.B, ix *Index, qs []string) {
	lat := make([]time.Duration, 0, b.N)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		start := time.Now()
		ix.Search(qs[i%len(qs)])
		lat = append(lat, time.Since(start))
		i++
	}
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)/2].Nanoseconds())/1e3, "p50-µs")
	b.ReportMetric(float64(lat[len(lat)*99/100].Nanoseconds())/1e3, "p99-µs")
}
