package matcher

import "testing"

// TestSemSpace: an entry's title folded into the space comes out closest
// to its own entry for nine entries in ten, and among the five closest for
// every entry (the space is lossy: words of one entry do not shape it, and
// the learned term weights shift the folded title); the space is the same
// for the same entries.
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
	first := 0
	for d := range ix.entries {
		self, closer := sim(ix.entries[d].Title, int32(d)), 0
		for o := range ix.entries {
			if o != d && sim(ix.entries[d].Title, int32(o)) > self+1e-6 {
				closer++
			}
		}
		if closer > 4 {
			t.Errorf("%d entries are closer to %q than itself", closer, ix.entries[d].Title)
		}
		if closer == 0 {
			first++
		}
	}
	if first*10 < len(ix.entries)*9 {
		t.Errorf("%d of %d titles come out closest to their own entry, want nine in ten", first, len(ix.entries))
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
