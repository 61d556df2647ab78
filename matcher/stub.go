package matcher

import (
	"sort"
	"strings"

	"github.com/espbot/espbot/knowledge"
)

// Index is a searchable set of FAQ entries. It is immutable once built and
// safe for concurrent use.
type Index struct {
	entries   []knowledge.Entry
	byID      map[string]int
	threshold float64
}

// DefaultAnswerThreshold is the confidence from which Search answers when
// Options.AnswerThreshold is zero.
const DefaultAnswerThreshold = 0.5

// New builds an index over entries.
func New(entries []knowledge.Entry, opts Options) (*Index, error) {
	ix := &Index{entries: append([]knowledge.Entry(nil), entries...), byID: map[string]int{}, threshold: opts.AnswerThreshold}
	if ix.threshold == 0 {
		ix.threshold = DefaultAnswerThreshold
	}
	for i, e := range ix.entries {
		ix.byID[e.ID] = i
	}
	return ix, nil
}

// Entries returns the indexed entries in load order. Callers must not modify them.
func (ix *Index) Entries() []knowledge.Entry { return ix.entries }

// Len is the number of entries.
func (ix *Index) Len() int { return len(ix.entries) }

// Entry returns the entry with the given ID.
func (ix *Index) Entry(id string) (*knowledge.Entry, bool) {
	i, ok := ix.byID[id]
	if !ok {
		return nil, false
	}
	return &ix.entries[i], true
}

// AnswerThreshold is the confidence from which Search answers.
func (ix *Index) AnswerThreshold() float64 { return ix.threshold }

// Search ranks the entries against query. TEMPORARY word-overlap stub.
func (ix *Index) Search(query string) Result {
	hits := ix.SearchTitles(query, 4)
	res := Result{Query: query}
	if len(hits) == 0 {
		return res
	}
	res.Best = &hits[0]
	res.Confidence = hits[0].Confidence
	res.Answered = res.Confidence >= ix.threshold
	res.Alternatives = hits[1:]
	return res
}

// Explain is Search with an Explanation.
func (ix *Index) Explain(query string) Result {
	r := ix.Search(query)
	r.Explanation = &Explanation{}
	return r
}

// SearchTitles ranks entries by their titles only, best first, at most n:
// for autocomplete and the "search" command.
func (ix *Index) SearchTitles(query string, n int) []Hit {
	q := strings.Fields(strings.ToLower(query))
	var hits []Hit
	for i := range ix.entries {
		t := strings.ToLower(ix.entries[i].Title)
		s := 0.0
		for _, w := range q {
			if len(w) > 2 && strings.Contains(t, w) {
				s++
			}
		}
		if s > 0 {
			hits = append(hits, Hit{Entry: &ix.entries[i], Score: s, Confidence: s / float64(len(q))})
		}
	}
	sort.SliceStable(hits, func(a, b int) bool { return hits[a].Score > hits[b].Score })
	if len(hits) > n {
		hits = hits[:n]
	}
	return hits
}
