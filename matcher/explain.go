package matcher

import (
	"cmp"
	"fmt"
	"slices"
	"sort"
	"strings"
)

// explain describes the analysis with the learned term weights and, for
// the leading candidates, which concepts they matched and how much each
// contributed, their ranking features and their decision features.
func (ix *Index) explain(q string, p *queryPlan, cands []candidate, xs [][numDecisionFeatures]float64) *Explanation {
	e := &Explanation{
		Expansions:  p.expansions,
		Corrections: p.corrections,
		Chips:       p.chips,
	}
	var assoc []string
	for _, c := range p.concepts {
		e.Terms = append(e.Terms, c.alts[0].term)
		for _, a := range c.alts {
			if a.kind == altAssoc {
				assoc = append(assoc, fmt.Sprintf("%s->%s(%.2f)", c.text, a.term, a.w))
			}
		}
	}
	if p.post {
		e.Details = append(e.Details, "read as a long post: words count by their line (need includes it); the ranker and the decision of long posts apply")
		e.Details = append(e.Details, ix.postLinesNote(q)...)
	}
	e.Details = append(e.Details, fmt.Sprintf("concepts (learned need, idf): %v", p.concepts))
	if len(assoc) > 0 {
		e.Details = append(e.Details, "learned associations: "+strings.Join(assoc, " "))
	}
	if why := p.suggestOnly(); why != "" {
		e.Details = append(e.Details, "the question is "+why+": suggestions only")
	}
	for rank, c := range cands[:min(len(cands), maxResults)] {
		en := &ix.entries[c.doc]
		e.Details = append(e.Details, fmt.Sprintf("#%d %s %q ranker %.3f (BM25F %.3f, covers %.0f%%, title %.0f%%%s)",
			rank+1, en.ID, en.Title, c.s, c.score, 100*c.x[rfCoverage], 100*c.x[rfTitle], chipNote(c.chip)))
		e.Details = append(e.Details, ix.contributions(p, c.doc)...)
		e.Details = append(e.Details, "    ranking features: "+featureLine(rankFeatureNames[:], c.x[:], ix.model.rankerOf(p)[:]))
		if rank < len(xs) {
			e.Details = append(e.Details, "    decision features: "+featureLine(decisionFeatureNames[:], xs[rank][:], ix.model.decisionOf(p)[:]))
		}
	}
	return e
}

// maxNotedLines is how many of a long post's lines --explain lists.
const maxNotedLines = 12

// postLinesNote lists how a long post's heaviest lines were read: their
// weight and role, and how many lighter ones there were.
func (ix *Index) postLinesNote(q string) []string {
	segs, _ := focus(q, ix.an.stop)
	// heaviest first, in post order among equals
	slices.SortStableFunc(segs, func(a, b segment) int { return cmp.Compare(b.weight, a.weight) })
	out := []string{"lines, heaviest first (weight, role):"}
	for _, s := range segs[:min(len(segs), maxNotedLines)] {
		out = append(out, fmt.Sprintf("    %.2f %-7s %.70q", s.weight, s.role, s.text))
	}
	if n := len(segs) - maxNotedLines; n > 0 {
		out = append(out, fmt.Sprintf("    ... and %d lighter lines", n))
	}
	return out
}

// String names the role for --explain.
func (r sentenceRole) String() string {
	switch r {
	case roleAsking:
		return "asks"
	case roleContext:
		return "context"
	}
	return "-"
}

// featureLine lists features as name=value*weight, skipping zeros.
func featureLine(names []string, x, w []float64) string {
	var b strings.Builder
	for i, v := range x {
		if v == 0 {
			continue
		}
		fmt.Fprintf(&b, "%s=%.2f*%.2f ", names[i], v, w[i])
	}
	return strings.TrimSpace(b.String())
}

func chipNote(c chipMatch) string {
	switch c {
	case chipMatched:
		return ", chip match"
	case chipOther:
		return ", about other chips"
	}
	return ""
}

// decisionNote says how the decision went, for the best candidate.
func (ix *Index) decisionNote(p *queryPlan, best *candidate, res Result) string {
	why := fmt.Sprintf("confidence %.3f %s threshold %.3f", res.Confidence, cmpWord(res.Confidence, ix.threshold), ix.threshold)
	if only := p.suggestsOnly(best); only != "" {
		why += ", " + only
	}
	return fmt.Sprintf("decision: calibrated %s -> %s", why, answerWord(res.Answered))
}

func cmpWord(c, t float64) string {
	if c >= t {
		return ">="
	}
	return "<"
}

func answerWord(ok bool) string {
	if ok {
		return "answer"
	}
	return "abstain"
}

// contributions lists, per concept, the alternative that matched an entry,
// the fields it was found in and its share of the score.
func (ix *Index) contributions(p *queryPlan, doc int32) []string {
	var out []string
	full := make([]bool, len(p.concepts)) // matched for real, as score counts it
	for i, c := range p.concepts {
		bestTerm, bestS, bestW, inTitle, kind := "", 0.0, 0.0, false, altWord
		for _, a := range c.alts {
			if a.id < 0 {
				continue
			}
			for _, po := range ix.postings[a.id] {
				if po.doc != doc {
					continue
				}
				if s := c.need * a.w * ix.idf[a.id] * float64(po.sat); s > bestS {
					bestTerm, bestS, bestW, inTitle, kind = a.term, s, a.w, po.title, a.kind
				}
			}
		}
		if bestS == 0 {
			continue
		}
		full[i] = bestW >= correctionWeight
		where := "body"
		if inTitle {
			where = "title"
		}
		via := bestTerm
		if kind == altAssoc {
			via += " (learned)"
		}
		if c.part && c.parent >= 0 && c.parent < maskBits && full[c.parent] {
			bestS *= partOverlap
			via += " (its identifier matched)"
		}
		out = append(out, fmt.Sprintf("    %-20s via %-24s in %-5s +%.3f", c.text, via, where, bestS))
	}
	return out
}

// maxCompletions is how many vocabulary words a prefix being typed stands
// for.
const maxCompletions = 16

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
	var words []vocabWord
	for n := len(last); n < len(last)+12; n++ {
		for _, w := range ix.vocab.byLen[n] {
			if strings.HasPrefix(w.word, last) {
				words = append(words, w)
			}
		}
	}
	// the most used completions, the same ones whatever order the
	// vocabulary was built in
	slices.SortFunc(words, func(a, b vocabWord) int { return cmp.Or(cmp.Compare(b.df, a.df), cmp.Compare(a.word, b.word)) })
	c := concept{text: last, need: 1}
	for _, w := range words[:min(len(words), maxCompletions)] {
		c.alts = append(c.alts, ix.alt(w.term, 0.9, altWord))
	}
	if len(c.alts) > 0 {
		p.concepts = append(p.concepts, c)
	}
}
