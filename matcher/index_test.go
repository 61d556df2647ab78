package matcher

import "testing"

// TestPairIndex: each candidate counts the question's pairs its entry
// has, whatever the order of the candidates and of an entry's pairs.
func TestPairIndex(t *testing.T) {
	a, b, c := pairKey(1, 2), pairKey(2, 3), pairKey(5, 1)
	pi := newPairIndex([]docPair{{c, 0}, {b, 1}, {a, 3}, {a, 3}, {b, 7}, {a, 7}}, 6)
	if got := pi.find(pairKey(9, 9)); got != -1 {
		t.Errorf("a pair no entry has: index %d", got)
	}
	pairs := []int{pi.find(a), pi.find(b)}
	cands := []candidate{{docScore: docScore{doc: 7}}, {docScore: docScore{doc: 0}}, {docScore: docScore{doc: 3}}, {docScore: docScore{doc: 1}}}
	var n [rerankDepth]uint8
	pi.count(pairs, cands, &n)
	if want := [4]uint8{2, 0, 1, 1}; [4]uint8(n[:4]) != want {
		t.Errorf("counts %v, want %v", n[:4], want)
	}
}
