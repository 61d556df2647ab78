package matcher

import (
	"maps"
	"slices"
	"testing"

	"github.com/kljensen/snowball/english"
)

// TestWordTable: the word table gives each word of the index what the
// lookups it replaces give: its Snowball stem, stop-word mark, term ID,
// vocabulary, common-word and lexicon marks.
func TestWordTable(t *testing.T) {
	ix := embeddedIndex(t)
	words := ix.an.words
	if len(words) < 1000 {
		t.Fatalf("the word table has %d words; want the index's vocabulary", len(words))
	}
	for _, w := range slices.Sorted(maps.Keys(words)) {
		got := words[w]
		stem := english.Stem(w, true)
		want := wordInfo{stem: stem, id: ix.termID(stem), flags: wordKnown}
		if ix.an.stop[w] {
			want.flags |= wordStop
		}
		if ix.vocab.has(w) {
			want.flags |= wordVocab
		}
		if ix.an.common.has(w) {
			want.flags |= wordCommon
		}
		if _, ok := slices.BinarySearch(ix.an.lexWords, w); ok {
			want.flags |= wordLexicon
		}
		if got != want {
			t.Errorf("%q: %+v, want %+v", w, got, want)
		}
	}
	// a word no entry uses goes the slow way, with the same result
	for _, w := range []string{"frobnicating", "the"} {
		toks := ix.an.tokens(w, nil)
		if len(toks) != 1 || toks[0].term != english.Stem(w, true) || toks[0].stop != ix.an.stop[w] {
			t.Errorf("%q: tokens %+v", w, toks)
		}
	}
}

// TestChipMask: chips compare as the chip names do, "ESP32" asked being
// any of the series.
func TestChipMask(t *testing.T) {
	for _, tc := range []struct {
		asked, entry []string
		want         chipMatch
	}{
		{nil, []string{"esp32"}, chipNone},
		{[]string{"esp32"}, nil, chipNone},
		{[]string{"esp32"}, []string{"esp32s3"}, chipMatched},
		{[]string{"esp32s3"}, []string{"esp32"}, chipOther},
		{[]string{"esp32c3", "esp8266"}, []string{"esp8266"}, chipMatched},
		{[]string{"esp8266"}, []string{"esp8285", "esp32c61"}, chipOther},
		{[]string{"esp32c61"}, []string{"esp32c6"}, chipOther},
	} {
		if got := askedChips(tc.asked).match(maskOfChips(tc.entry)); got != tc.want {
			t.Errorf("%v against %v: %v, want %v", tc.asked, tc.entry, got, tc.want)
		}
	}
	for _, c := range []string{"esp32", "esp8266", "esp8285", "esp8089", "esp32s2", "esp32p4", "esp32c61"} {
		if chipBit(c) == 0 {
			t.Errorf("%s has no bit", c)
		}
	}
	// every chip chipName knows has a bit of its own: the two lists are
	// kept apart and must not drift
	names := []string{"esp32", "esp8266", "esp8285", "esp8089"}
	for _, s := range chipSuffixes {
		names = append(names, "esp32-"+s)
	}
	seen := map[chipMask]string{}
	for _, n := range names {
		c, ok := chipName(n)
		bit := chipBit(c)
		if !ok || bit == 0 || seen[bit] != "" {
			t.Errorf("%s: chip %q (%v), bit %b (also %q)", n, c, ok, bit, seen[bit])
		}
		seen[bit] = c
	}
}
