package matcher

import "testing"

// TestSemSpace: an entry's title folded into the space is among the three
// entries closest to it (the space is lossy: words of one entry do not
// shape it), and the space is the same for the same entries.
func TestSemSpace(t *testing.T) {
	ix := embeddedIndex(t)
	if ix.sem == nil || ix.sem.dims == 0 {
		t.Fatal("no semantic space for the embedded page")
	}
	sim := func(q string, doc int32) float64 {
		var v [lsaDims]float32
		p := ix.plan(q)
		return ix.sem.similarity(v[:], ix.queryVector(p, v[:]), doc)
	}
	for d := range ix.entries {
		self, closer := sim(ix.entries[d].Title, int32(d)), 0
		for o := range ix.entries {
			if o != d && sim(ix.entries[d].Title, int32(o)) > self+1e-6 {
				closer++
			}
		}
		if closer > 2 {
			t.Errorf("%d entries are closer to %q than itself", closer, ix.entries[d].Title)
		}
	}
	again, err := New(ix.entries, Options{})
	if err != nil {
		t.Fatal(err)
	}
	for i, v := range ix.sem.docVec {
		if again.sem.docVec[i] != v {
			t.Fatal("two builds of one knowledge base gave different spaces")
		}
	}
}
