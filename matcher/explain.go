package matcher

import (
	"fmt"
	"sort"
	"strings"
)

// explain describes the analysis and, for the top entries, which concepts
// they matched and how much each contributed.
func (ix *Index) explain(p *queryPlan, top []docScore, total float64) *Explanation {
	e := &Explanation{
		Expansions:  p.expansions,
		Corrections: p.corrections,
		Chips:       p.chips,
	}
	for _, c := range p.concepts {
		e.Terms = append(e.Terms, c.alts[0].term)
	}
	e.Details = append(e.Details, fmt.Sprintf("concepts (importance): %v; total %.2f", p.concepts, total))
	for rank, s := range top {
		e.Details = append(e.Details, fmt.Sprintf("#%d %s %q score %.3f covers %.0f%% (title %.0f%%) %s",
			rank+1, ix.entries[s.doc].ID, ix.entries[s.doc].Title, s.score,
			100*s.matched/max(total, 1e-9), 100*s.inTitle/max(total, 1e-9), ix.chipNote(s)))
		e.Details = append(e.Details, ix.contributions(p, s.doc)...)
	}
	return e
}

// contributions lists, per concept, the alternative that matched an entry,
// the fields it was found in and its share of the score.
func (ix *Index) contributions(p *queryPlan, doc int32) []string {
	var out []string
	for _, c := range p.concepts {
		bestTerm, bestS, inTitle := "", 0.0, false
		for _, a := range c.alts {
			if a.id < 0 {
				continue
			}
			for _, po := range ix.postings[a.id] {
				if po.doc != doc {
					continue
				}
				if s := a.w * ix.idf[a.id] * float64(po.sat); s > bestS {
					bestTerm, bestS, inTitle = a.term, s, po.title
				}
			}
		}
		if bestS == 0 {
			continue
		}
		where := "body"
		if inTitle {
			where = "title"
		}
		out = append(out, fmt.Sprintf("    %-20s via %-20s in %-5s +%.3f", c.text, bestTerm, where, bestS))
	}
	return out
}

// SearchTitles ranks entries by their titles only, best first, at most n,
// treating the last word as a prefix still being typed: for autocomplete
// and the "search" command.
func (ix *Index) SearchTitles(query string, n int) []Hit {
	p := ix.plan(query)
	ix.expandPrefix(p, query)
	scores := map[int32]float64{}
	for _, c := range p.concepts {
		best := map[int32]float64{}
		for _, a := range c.alts {
			if a.id < 0 {
				continue
			}
			for _, po := range ix.postings[a.id] {
				if s := a.w * ix.idf[a.id]; po.title && s > best[po.doc] {
					best[po.doc] = s
				}
			}
		}
		for d, s := range best {
			scores[d] += s
		}
	}
	hits := make([]Hit, 0, len(scores))
	for d, s := range scores {
		hits = append(hits, Hit{Entry: &ix.entries[d], Score: s})
	}
	sort.Slice(hits, func(i, j int) bool {
		if hits[i].Score != hits[j].Score {
			return hits[i].Score > hits[j].Score
		}
		return hits[i].Entry.Title < hits[j].Entry.Title
	})
	if len(hits) > n {
		hits = hits[:n]
	}
	if len(hits) > 0 {
		top := hits[0].Score
		for i := range hits {
			hits[i].Confidence = hits[i].Score / top
		}
	}
	return hits
}

// expandPrefix adds, to the concept of the last typed word, the vocabulary
// words it is a prefix of ("mqt" -> mqtt), so that autocomplete follows
// typing.
func (ix *Index) expandPrefix(p *queryPlan, query string) {
	fields := strings.Fields(Normalize(query))
	if len(fields) == 0 || strings.HasSuffix(query, " ") {
		return
	}
	last := fields[len(fields)-1]
	if len(last) < 2 {
		return
	}
	c := concept{text: last, importance: 1}
	for n := len(last); n < len(last)+12; n++ {
		for _, w := range ix.vocab.byLen[n] {
			if strings.HasPrefix(w.word, last) && len(c.alts) < 16 {
				c.alts = append(c.alts, ix.alt(w.term, 0.9))
			}
		}
	}
	if len(c.alts) > 0 {
		p.concepts = append(p.concepts, c)
	}
}
