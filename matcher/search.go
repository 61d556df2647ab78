package matcher

import (
	"fmt"
	"math"
	"sort"
	"strings"

	"github.com/espbot/espbot/knowledge"
)

// Scoring constants.
const (
	bigramWeight  = 0.5  // adjacent question words adjacent in the entry
	chipBonus     = 1.12 // the entry is about a chip the question names
	chipMismatch  = 0.92 // the entry is only about other chips
	maxResults    = 4    // best + three alternatives
	minConfidence = 0.05 // alternatives below this are not worth suggesting
)

// docScore is the evidence gathered for one entry.
type docScore struct {
	doc      int32
	score    float64
	matched  float64 // importance of the concepts it matches
	inTitle  float64 // importance of the concepts its title matches
	chipNote string
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

// Search ranks the entries against a question and decides whether the best
// one answers it.
func (ix *Index) Search(query string) Result {
	return ix.search(query, false)
}

// Explain is Search with an Explanation of the ranking and the decision.
func (ix *Index) Explain(query string) Result {
	return ix.search(query, true)
}

func (ix *Index) search(query string, explain bool) Result {
	res := Result{Query: query}
	p := ix.plan(query)
	scores, total := ix.score(p)
	top := topN(scores, maxResults)
	if explain {
		res.Explanation = ix.explain(p, top, total)
	}
	if len(top) == 0 {
		return res
	}
	hits := make([]Hit, 0, len(top))
	for i, s := range top {
		margin := 0.0
		if i == 0 && len(top) > 1 {
			margin = (s.score - top[1].score) / s.score
		} else if i == 0 {
			margin = 1
		}
		conf := confidence(s, total, margin, ix.maxIDF)
		if i > 0 && conf < minConfidence {
			break
		}
		hits = append(hits, Hit{Entry: &ix.entries[s.doc], Score: s.score, Confidence: conf})
	}
	res.Best = &hits[0]
	res.Confidence = hits[0].Confidence
	res.Answered = res.Confidence >= ix.threshold
	res.Alternatives = hits[1:]
	if explain {
		res.Explanation.Details = append(res.Explanation.Details,
			fmt.Sprintf("decision: confidence %.3f %s threshold %.2f -> %s",
				res.Confidence, cmpWord(res.Confidence, ix.threshold), ix.threshold, answerWord(res.Answered)))
	}
	return res
}

// score accumulates BM25F scores per entry: for each concept, the best of
// its alternatives; then the phrase and chip adjustments.
func (ix *Index) score(p *queryPlan) ([]docScore, float64) {
	acc := map[int32]*docScore{}
	total := 0.0
	best := map[int32]float64{}
	for _, c := range p.concepts {
		total += c.importance
		clear(best)
		titled := map[int32]bool{}
		for _, a := range c.alts {
			if a.id < 0 {
				continue
			}
			w := a.w * ix.idf[a.id]
			for _, po := range ix.postings[a.id] {
				if s := w * float64(po.sat); s > best[po.doc] {
					best[po.doc] = s
				}
				if po.title {
					titled[po.doc] = true
				}
			}
		}
		weight := 1.0
		if c.part {
			weight = partImportance
		}
		for d, s := range best {
			ds := acc[d]
			if ds == nil {
				ds = &docScore{doc: d}
				acc[d] = ds
			}
			ds.score += weight * s
			ds.matched += c.importance
			if titled[d] {
				ds.inTitle += c.importance
			}
		}
	}
	ix.phraseBonus(p, acc)
	out := make([]docScore, 0, len(acc))
	for _, ds := range acc {
		ix.chipAdjust(p, ds)
		out = append(out, *ds)
	}
	return out, total
}

// phraseBonus rewards entries where two adjacent question concepts are
// also adjacent ("keep alive", "static ip").
func (ix *Index) phraseBonus(p *queryPlan, acc map[int32]*docScore) {
	var prev *concept
	for i := range p.concepts {
		c := &p.concepts[i]
		if c.part {
			continue
		}
		if prev != nil && prev.alts[0].id >= 0 && c.alts[0].id >= 0 {
			a, b := prev.alts[0].id, c.alts[0].id
			bonus := bigramWeight * math.Min(ix.idf[a], ix.idf[b])
			for _, d := range ix.bigrams[pairKey(a, b)] {
				if ds := acc[d]; ds != nil {
					ds.score += bonus
				}
			}
		}
		prev = c
	}
}

// chipAdjust prefers entries about the chips the question names, without
// hiding the others: a small factor either way.
func (ix *Index) chipAdjust(p *queryPlan, ds *docScore) {
	if len(p.chips) == 0 {
		return
	}
	chips := ix.docChips[ds.doc]
	if len(chips) == 0 {
		return
	}
	for _, q := range p.chips {
		for _, c := range chips {
			if q == c || q == "esp32" && strings.HasPrefix(c, "esp32") {
				ds.score *= chipBonus
				ds.chipNote = "chip bonus " + c
				return
			}
		}
	}
	ds.score *= chipMismatch
	ds.chipNote = "chip mismatch (entry is about " + strings.Join(chips, ", ") + ")"
}

// topN returns the n best scores, best first, ties broken by load order so
// that results are deterministic.
func topN(s []docScore, n int) []docScore {
	sort.Slice(s, func(i, j int) bool {
		if s[i].score != s[j].score {
			return s[i].score > s[j].score
		}
		return s[i].doc < s[j].doc
	})
	if len(s) > n {
		s = s[:n]
	}
	return s
}

// Confidence model weights, chosen on the development question sets. The
// features: how much of what the question asks the entry covers, how much
// its title covers, how far it is ahead of the next entry, and how much
// evidence there is in absolute terms (one common word is not enough).
const (
	confBias     = -5.5
	confCoverage = 5.0
	confTitle    = 2.0
	confMargin   = 1.5
	confStrength = 2.5
)

func confidence(s docScore, total, margin, maxIDF float64) float64 {
	if total == 0 || s.score <= 0 {
		return 0
	}
	cov := s.matched / total
	title := s.inTitle / total
	strength := math.Min(s.matched/(2*maxIDF), 1)
	x := confBias + confCoverage*cov + confTitle*title + confMargin*margin + confStrength*strength
	return 1 / (1 + math.Exp(-x))
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
