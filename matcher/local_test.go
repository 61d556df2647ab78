package matcher

import (
	"math"
	"testing"
)

// TestLocalCoverage: a concept every candidate matches tells them apart
// less than one only a few match, and a concept none matches weighs
// nothing.
func TestLocalCoverage(t *testing.T) {
	p := &queryPlan{concepts: []concept{{importance: 1}, {importance: 1}, {importance: 1}}}
	cands := make([]candidate, 4)
	for i := range cands {
		cands[i].mask = 1 // concept 0: all of them
	}
	cands[0].mask |= 2 // concept 1: one of them; concept 2: none
	var w [maskBits]float64
	total := localWeights(p, cands, &w)
	if w[2] != 0 || w[1] <= w[0] {
		t.Fatalf("weights %v: want the rare concept above the shared one and the unmatched one at zero", w[:3])
	}
	if math.Abs(total-(w[0]+w[1])) > 1e-12 {
		t.Fatalf("total %v, want %v", total, w[0]+w[1])
	}
	tests := []struct {
		mask uint64
		want float64
	}{
		{3, 1},
		{1, w[0] / total},
		{2, w[1] / total},
		{0, 0},
	}
	for _, tt := range tests {
		if got := localCoverage(tt.mask, &w, total); math.Abs(got-tt.want) > 1e-12 {
			t.Errorf("localCoverage(%b) = %v, want %v", tt.mask, got, tt.want)
		}
	}
	if got := localCoverage(3, &[maskBits]float64{}, 0); got != 0 {
		t.Errorf("with no weight, localCoverage = %v, want 0", got)
	}
}

// TestKeepAssoc: the same alignment evidence keeps an association to a
// domain word and drops one to a common English word; a common question
// word needs more entries.
func TestKeepAssoc(t *testing.T) {
	ix := embeddedIndex(t)
	if !ix.an.common.has("yes") || ix.an.common.has("softap") || !ix.an.common.has("find") {
		t.Fatal("the common word list changed: pick other words for this test")
	}
	tests := []struct {
		name    string
		k       alignPair
		entries int
		share   float64
		lift    float64
		want    bool
	}{
		{"domain word", alignPair{"hotspot", "softap"}, 3, 0.1, 2.5, true},
		{"common FAQ word, same evidence", alignPair{"gateway", "yes"}, 3, 0.1, 2.5, false},
		{"common FAQ word, strong evidence", alignPair{"gateway", "yes"}, 5, 0.2, 4, true},
		{"common question word, few entries", alignPair{"find", "softap"}, 5, 0.2, 4, false},
		{"too weak a share", alignPair{"hotspot", "softap"}, 3, 0.05, 2.5, false},
	}
	for _, tt := range tests {
		if got := ix.keepAssoc(tt.k, 2, tt.entries, tt.share, tt.lift); got != tt.want {
			t.Errorf("%s: keepAssoc = %v, want %v", tt.name, got, tt.want)
		}
	}
}
