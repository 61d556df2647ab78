package matcher

import (
	"math"
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

// TestWithTypos: the typos are the same for the same seed, spare the
// first letter, identifiers, numbers, short words and what people paste
// (logs, code), and hit about typoRate of the longer words.
func TestWithTypos(t *testing.T) {
	q := "my esp32 keeps disconnecting from the router after esp_wifi_connect returns 0x3001, why does this happen"
	a, made := withTypos(q, 42, typoRate)
	if b, _ := withTypos(q, 42, typoRate); a != b || !made {
		t.Fatalf("seed 42: %q then %q (made %v)", a, b, made)
	}
	for _, keep := range []string{"esp32", "esp_wifi_connect", "0x3001", "my ", " the "} {
		if !strings.Contains(a, keep) {
			t.Errorf("%q lost %q", a, keep)
		}
	}
	// what people paste keeps its spelling
	for _, pasted := range []string{
		"E (4520) ESPNOW: Peer channel is not equal to the home channel, send fail!",
		"    return _read(filepath_or_buffer, kwds)",
		"the `esp_netif_set_hostname` call",
		"```\nwifi_config_t cfg = { .sta = { .ssid = \"home\" } };\n```",
	} {
		for seed := range uint64(50) {
			if got, _ := withTypos(pasted, seed, typoRate); !strings.Contains(got, strings.Trim(pasted, "the cal")) {
				t.Fatalf("seed %d: %q became %q", seed, pasted, got)
			}
		}
	}
	words, changed := 0, 0
	for seed := range uint64(200) {
		got, _ := withTypos(q, seed, typoRate)
		gw, qw := strings.Fields(got), strings.Fields(q)
		if len(gw) != len(qw) {
			t.Fatalf("seed %d: %q has %d words, want %d", seed, got, len(gw), len(qw))
		}
		for i := range qw {
			if len(qw[i]) < typoMinLen || strings.ContainsAny(qw[i], "0123456789_") {
				continue
			}
			words++
			if gw[i] != qw[i] {
				changed++
				if gw[i][0] != qw[i][0] {
					t.Errorf("seed %d: %q -> %q changed the first letter", seed, qw[i], gw[i])
				}
			}
		}
	}
	if share := float64(changed) / float64(words); share < typoRate/2 || share > typoRate*1.5 {
		t.Errorf("%.2f of the words got a typo, want about %.2f", share, typoRate)
	}
}

// TestChooseThresholds_guard: an off-topic line of the guard rows, typos
// and all, is never answered either.
func TestChooseThresholds_guard(t *testing.T) {
	row := func(conf float64, correct, answerable, off bool) decisionRow {
		r := decisionRow{correct: correct, answerable: answerable, offtopic: off}
		r.x[dfBias] = math.Log(conf / (1 - conf))
		return r
	}
	var rows []decisionRow
	for i := range 20 {
		rows = append(rows, row(0.3+0.03*float64(i), true, true, false))
	}
	decision := map[string]float64{decisionFeatureNames[dfBias]: 1}
	o := TrainOptions{}.withDefaults()
	free, _ := chooseThresholds(rows, nil, decision, o)
	guarded, _ := chooseThresholds(rows, []decisionRow{row(0.7, false, false, true)}, decision, o)
	if free > 0.31 || guarded <= 0.7 {
		t.Errorf("thresholds %.3f without the guard, %.3f with an off-topic guard row at 0.7 (want at most 0.31, above 0.7)", free, guarded)
	}
}
