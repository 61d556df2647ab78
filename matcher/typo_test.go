package matcher

import (
	"strings"
	"testing"
)

// TestPlan_typoCompletesPhrase: a typo is corrected before lexicon
// phrases are found, so that a misspelt phrase is still the phrase, as a
// corrected word, and a lexicon word no entry uses is a correction's
// target.
func TestPlan_typoCompletesPhrase(t *testing.T) {
	ix := embeddedIndex(t)
	n := ix.an.lex.root
	for _, stem := range ix.an.phrase("range extender") {
		if n = n.next[stem]; n == nil {
			t.Fatal(`the lexicon has no "range extender"`)
		}
	}
	group := n.group
	p := ix.plan("does espressif have a range extneder example")
	var got *concept
	for i := range p.concepts {
		if p.concepts[i].alts[0].term == group {
			got = &p.concepts[i]
		}
	}
	if got == nil || !got.corrected || got.alts[0].w != correctionWeight {
		t.Fatalf("range extneder: concept %+v, want the phrase %s, corrected", got, group)
	}
	if p.corrections["extneder"] != "extender" {
		t.Errorf("corrections %v, want extneder -> extender", p.corrections)
	}
	// spelt right, it is the phrase in full
	p = ix.plan("does espressif have a range extender example")
	for _, c := range p.concepts {
		if c.alts[0].term == group && (c.corrected || c.alts[0].w != 1) {
			t.Errorf("range extender spelt right counts as corrected: %+v", c)
		}
	}
	if len(p.corrections) != 0 {
		t.Errorf("corrections of words spelt right: %v", p.corrections)
	}
	// a word no vocabulary word is near stays as typed
	p = ix.plan("why does Serial.println(WiFi.localIP()) print 0.0.0.0")
	if len(p.corrections) != 0 {
		t.Errorf("corrections of words too far from any: %v", p.corrections)
	}
}

// TestPlan_stopWordsNotCorrected: a stop word is never a typo, even one
// that is neither English to the dictionary nor the FAQ's.
func TestPlan_stopWordsNotCorrected(t *testing.T) {
	ix := embeddedIndex(t)
	var tried int
	for w := range ix.an.stop {
		if len(w) < 4 || ix.an.dict.has(w) || ix.termID(ix.an.stemWord(w, nil)) >= 0 || strings.ContainsAny(w, "'-") {
			continue
		}
		tried++
		if p := ix.plan(w + " mqtt keepalive"); len(p.corrections) != 0 {
			t.Errorf("%q: corrections %v", w, p.corrections)
		}
	}
	if tried == 0 {
		t.Skip("no stop word outside the dictionary and the index")
	}
}
