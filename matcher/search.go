package matcher

import (
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"

	"github.com/espbot/espbot/knowledge"
)

// Scoring constants.
const (
	bigramWeight     = 0.5  // adjacent question words adjacent in the entry
	chipBonus        = 1.12 // the entry is about a chip the question names
	chipMismatch     = 0.92 // the entry is only about other chips
	maxResults       = 4    // best + three alternatives
	minConfidence    = 0.05 // alternatives below this are not worth suggesting
	phraseCandidates = 16   // entries checked for the phrase bonus
	commonConcept    = 1.5  // importance below which a concept only adds to found entries
)

// docScore is the evidence gathered for one entry.
type docScore struct {
	doc     int32
	score   float64
	matched float64 // importance of the concepts it matches
	inTitle float64 // importance of the concepts its title matches
	chip    chipMatch
}

// chipMatch is how an entry's chips compare with the question's.
type chipMatch uint8

const (
	chipNone    chipMatch = iota // the question or the entry names no chip
	chipMatched                  // the entry is about a chip the question names
	chipOther                    // the entry is only about other chips
)

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
	sc := ix.getScratch()
	touched, total := ix.score(p, sc)
	top := topN(sc, touched, maxResults)
	ix.release(sc)
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
		conf := ix.evidenceFor(p, s, total, margin).confidence()
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

// scratch is the per-search working memory, dense over entries and reused
// through a pool so that a search allocates little.
type scratch struct {
	acc      []docScore
	touched  []int32 // entries with a score, in first-touch order
	best     []float64
	bestW    []float64
	titled   []bool
	ctouched []int32
	cands    []int32 // the leading candidates, for the phrase bonus
}

func (ix *Index) getScratch() *scratch {
	if sc, ok := ix.pool.Get().(*scratch); ok {
		return sc
	}
	n := len(ix.entries)
	return &scratch{
		acc:    make([]docScore, n),
		best:   make([]float64, n),
		bestW:  make([]float64, n),
		titled: make([]bool, n),
	}
}

// release clears what the search touched and returns sc to the pool.
func (ix *Index) release(sc *scratch) {
	for _, d := range sc.touched {
		sc.acc[d] = docScore{}
	}
	sc.touched = sc.touched[:0]
	ix.pool.Put(sc)
}

// score accumulates BM25F scores per entry: for each concept, the best of
// its alternatives; then the phrase and chip adjustments. A concept matched
// only through a weaker alternative (one word of a phrase) counts as matched
// in proportion.
func (ix *Index) score(p *queryPlan, sc *scratch) ([]int32, float64) {
	sc.cands = sc.cands[:0]
	total := 0.0
	for _, i := range ix.conceptOrder(p) {
		c := &p.concepts[i]
		total += c.importance
		ix.scoreConcept(c, sc)
		// a concept most entries share (esp32, wifi) only adds to
		// entries that match something rarer: alone it selects nothing,
		// and skipping those entries keeps searches fast
		common := c.importance < commonConcept
		for _, d := range sc.ctouched {
			ds := &sc.acc[d]
			if ds.score == 0 && ds.matched == 0 {
				if common {
					sc.best[d], sc.bestW[d], sc.titled[d] = 0, 0, false
					continue
				}
				ds.doc = d
				sc.touched = append(sc.touched, d)
			}
			ds.score += c.weight * sc.best[d]
			ds.matched += c.importance * sc.bestW[d]
			if sc.titled[d] {
				ds.inTitle += c.importance * sc.bestW[d]
			}
			sc.best[d], sc.bestW[d], sc.titled[d] = 0, 0, false
		}
	}
	for _, d := range sc.touched {
		ix.chipAdjust(p, &sc.acc[d])
	}
	// the phrase bonus only raises the leading candidates, so the best
	// entries are among them: later stages look at these alone
	for _, ds := range topN(sc, sc.touched, phraseCandidates) {
		sc.cands = append(sc.cands, ds.doc)
	}
	cands := sc.cands
	ix.phraseBonus(p, sc, cands)
	return cands, total
}

// conceptOrder returns the indexes of p's concepts, most important first.
func (ix *Index) conceptOrder(p *queryPlan) []int {
	order := make([]int, len(p.concepts))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool {
		return p.concepts[order[a]].importance > p.concepts[order[b]].importance
	})
	return order
}

// scoreConcept fills sc.best (and bestW, titled) for the entries matching
// one concept, listing them in sc.ctouched.
func (ix *Index) scoreConcept(c *concept, sc *scratch) {
	sc.ctouched = sc.ctouched[:0]
	for _, a := range c.alts {
		if a.id < 0 {
			continue
		}
		w := a.w * ix.idf[a.id]
		for _, po := range ix.postings[a.id] {
			d := po.doc
			if sc.best[d] == 0 {
				sc.ctouched = append(sc.ctouched, d)
			}
			if s := w * float64(po.sat); s > sc.best[d] {
				sc.best[d], sc.bestW[d] = s, a.w
			}
			if po.title {
				sc.titled[d] = true
			}
		}
	}
}

// phraseBonus rewards entries where two adjacent question concepts are
// also adjacent ("keep alive", "static ip"). Only the leading candidates
// are checked: the bonus decides between close entries, not far ones.
func (ix *Index) phraseBonus(p *queryPlan, sc *scratch, cands []int32) {
	var pairs []uint64
	var bonus []float64
	var prev *concept
	for i := range p.concepts {
		c := &p.concepts[i]
		if c.part {
			continue
		}
		if prev != nil && prev.alts[0].id >= 0 && c.alts[0].id >= 0 {
			a, b := prev.alts[0].id, c.alts[0].id
			pairs = append(pairs, pairKey(a, b))
			bonus = append(bonus, bigramWeight*math.Min(ix.idf[a], ix.idf[b]))
		}
		prev = c
	}
	if len(pairs) == 0 {
		return
	}
	for _, d := range cands {
		for i, k := range pairs {
			if _, ok := slices.BinarySearch(ix.bigrams[d], k); ok {
				sc.acc[d].score += bonus[i]
			}
		}
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
				ds.chip = chipMatched
				return
			}
		}
	}
	ds.score *= chipMismatch
	ds.chip = chipOther
}

// chipNote says, for explanations, how the chips of the question and of
// entry doc compared.
func (ix *Index) chipNote(ds docScore) string {
	switch ds.chip {
	case chipMatched:
		return "chip bonus"
	case chipOther:
		return "chip mismatch (entry is about " + strings.Join(ix.docChips[ds.doc], ", ") + ")"
	}
	return ""
}

// topN returns the n best scored entries, best first, ties broken by load
// order so that results are deterministic.
func topN(sc *scratch, touched []int32, n int) []docScore {
	top := make([]docScore, 0, n+1)
	for _, d := range touched {
		s := sc.acc[d]
		if s.score <= 0 {
			continue
		}
		i := len(top)
		for i > 0 && better(s, top[i-1]) {
			i--
		}
		if i >= n {
			continue
		}
		top = append(top, docScore{})
		copy(top[i+1:], top[i:])
		top[i] = s
		if len(top) > n {
			top = top[:n]
		}
	}
	return top
}

func better(a, b docScore) bool {
	if a.score != b.score {
		return a.score > b.score
	}
	return a.doc < b.doc
}

// The confidence model: a logistic function of evidence about the best
// entry, fitted on the development question sets (right answers against
// questions no entry answers). Its inputs:
//   - title: share of the question's importance that the entry's title matches;
//   - margin: how far the entry is ahead of the next one;
//   - strength: absolute evidence (one common word is not enough);
//   - unknown: the question names a technical term no entry uses (snmp,
//     lwm2m): the strongest sign of a topic the FAQ does not cover;
//   - rarest: the rarest concept the entry matches;
//   - matched: how many of the question's concepts the entry matches.
const (
	confBias     = -3.91
	confTitle    = 1.38
	confMargin   = 0.80
	confStrength = 4.01
	confUnknown  = -1.60
	confRarest   = 1.73
	confMatched  = 3.69
)

// evidence is the input of the confidence model.
type evidence struct {
	title, margin, strength, rarest, matched float64
	unknown                                  bool
}

// evidenceFor gathers the evidence that entry s answers plan p.
func (ix *Index) evidenceFor(p *queryPlan, s docScore, total, margin float64) evidence {
	ev := evidence{margin: margin}
	if total > 0 {
		ev.title = s.inTitle / total
	}
	ev.strength = math.Min(s.matched/(2*ix.maxIDF), 1)
	n := 0
	for i, w := range ix.conceptMatches(p, s.doc) {
		c := &p.concepts[i]
		if w < correctionWeight {
			ev.unknown = ev.unknown || c.unknownTerm
			continue
		}
		ev.rarest = math.Max(ev.rarest, c.importance/ix.maxIDF)
		if !c.part && c.chip == "" {
			n++
		}
	}
	ev.matched = float64(min(n, 4)) / 4
	return ev
}

func (ev evidence) confidence() float64 {
	x := confBias + confTitle*ev.title + confMargin*ev.margin + confStrength*ev.strength +
		confRarest*ev.rarest + confMatched*ev.matched
	if ev.unknown {
		x += confUnknown
	}
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

// conceptMatches returns, per concept of p, the weight of the alternative
// through which entry doc matches it (0: not matched).
func (ix *Index) conceptMatches(p *queryPlan, doc int32) []float64 {
	out := make([]float64, len(p.concepts))
	for i, c := range p.concepts {
		for _, a := range c.alts {
			if a.id >= 0 && a.w > out[i] && hasDoc(ix.postings[a.id], doc) {
				out[i] = a.w
			}
		}
	}
	return out
}

// hasDoc searches postings, which are in entry order.
func hasDoc(ps []posting, doc int32) bool {
	i := sort.Search(len(ps), func(i int) bool { return ps[i].doc >= doc })
	return i < len(ps) && ps[i].doc == doc
}
