// Package faqtest gives tests a real index over the embedded FAQ, FAQ
// pages to write and golden files, so that they exercise the parser and
// matcher rather than mocks.
package faqtest

import (
	"bytes"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/espbot/espbot/knowledge"
	"github.com/espbot/espbot/matcher"
)

// Index is a real index over the embedded FAQ, with the matcher's default
// options.
func Index(tb testing.TB) *matcher.Index {
	tb.Helper()
	kb, err := knowledge.LoadDefault()
	if err != nil {
		tb.Fatalf("load the embedded FAQ: %v", err)
	}
	ix, err := matcher.New(kb.Entries, matcher.Options{})
	if err != nil {
		tb.Fatalf("index the embedded FAQ: %v", err)
	}
	return ix
}

// Page is an esp-faq page titled "Test page" with one entry per title.
func Page(titles ...string) string {
	var b strings.Builder
	b.WriteString("Test page\n=========\n\n")
	for _, t := range titles {
		fmt.Fprintf(&b, "--------------\n\n%s\n%s\n\n  The answer to %s.\n\n", t, strings.Repeat("-", len(t)+2), strings.ToLower(t))
	}
	return b.String()
}

// Golden compares got with the golden file at path, or first rewrites the
// file with got when update is set (the tests' -update flag).
func Golden(tb testing.TB, path string, got []byte, update bool) {
	tb.Helper()
	if update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			tb.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		tb.Fatalf("%v (run the test with -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		tb.Errorf("output differs from %s (run with -update after checking):\n--- got\n%s\n--- want\n%s", path, got, want)
	}
}
