package main

import (
	"flag"
	"path/filepath"
	"testing"

	"github.com/espbot/espbot/internal/faqtest"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

// golden compares got with testdata/name, or rewrites it with -update.
func golden(tb testing.TB, name string, got []byte) {
	tb.Helper()
	faqtest.Golden(tb, filepath.Join("testdata", name), got, *update)
}
