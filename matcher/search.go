package matcher

import (
	"cmp"
	"math"
	"math/bits"
	"slices"

	"github.com/espbot/espbot/knowledge"
)

// Search constants.
const (
	rerankDepth   = 32   // first-stage candidates the ranker orders
	maxResults    = 4    // best + three alternatives
	minConfidence = 0.01 // alternatives below this are not worth suggesting instead of an answer
	minRelated    = 0.25 // ... nor those with less than this share of the best BM25F score
	commonConcept = 1.5  // idf below which a concept only adds to found entries
	maskBits      = 64   // concepts whose matches are tracked one by one
	partOverlap   = 0.25 // what a part adds to an entry matching its whole identifier
)

// docScore is the first-stage evidence gathered for one entry.
type docScore struct {
	doc     int32
	score   float64            // BM25F: each concept through its best alternative
	matched float64            // importance of the concepts it matches
	inTitle float64            // importance of the concepts its title matches
	assoc   float64            // the part of score reached through associations
	titled  float64            // idf of the title terms the question matches
	inField [numFields]float64 // importance of the concepts matched in each field
	exact   float64            // importance of the concepts matched as typed
	mask    uint64             // which of the first maskBits concepts it matches fully
	tmask   uint64             // ... in its title
}

// candidate is an entry the ranker scores.
type candidate struct {
	docScore
	chip chipMatch
	x    [numRankFeatures]float64
	s    float64 // the ranker's score
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

// AutoThreshold is the stricter confidence the model advises for answering
// questions nobody addressed to the bot (auto channels).
func (ix *Index) AutoThreshold() float64 { return max(ix.model.auto, ix.threshold) }

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
	sc := ix.getScratch()
	defer ix.release(sc)
	p := ix.planCached(query, sc.stems)
	res.NotEnglish = p.foreign
	cands := ix.rankInto(p, sc)
	if len(cands) > 0 {
		res.Withheld = p.suggestsOnly(&cands[0])
	}
	hits, xs := ix.decide(p, cands, res.Withheld, sc)
	if explain {
		res.Explanation = ix.explain(query, p, cands, xs)
	}
	if len(hits) == 0 {
		return res
	}
	res.Best = &hits[0]
	res.Confidence = hits[0].Confidence
	res.Answered = ix.answers(res.Withheld, res.Confidence)
	res.Alternatives = hits[1:]
	if explain {
		res.Explanation.Details = append(res.Explanation.Details, ix.decisionNote(p, &cands[0], res))
	}
	return res
}

// answers is the reply rule: the best entry, of confidence conf, answers
// the question unless the question only gets suggestions (withheld, see
// queryPlan.suggestsOnly, says why).
func (ix *Index) answers(withheld string, conf float64) bool {
	return conf >= ix.threshold && withheld == ""
}

// Related returns up to n entries closest to entry id (ranked against its
// title), best first, for "related questions" beside an answer shown on
// request. Their confidence is the decision model's, as for alternatives.
func (ix *Index) Related(id string, n int) []Hit {
	d, ok := ix.byID[id]
	if !ok {
		return nil
	}
	p := ix.plan(ix.entries[d].Title)
	sc := ix.getScratch()
	defer ix.release(sc)
	cands := ix.rankInto(p, sc)
	z := softmaxDenominator(cands)
	var out []Hit
	for i := range cands {
		c := &cands[i]
		if int(c.doc) == d || c.x[rfRelative] < minRelated {
			continue
		}
		if len(out) == n {
			break
		}
		x := ix.decisionFeatures(p, cands, i, z)
		out = append(out, Hit{Entry: &ix.entries[c.doc], Score: c.s, Confidence: sigmoid(dot(ix.model.decisionOf(p)[:], x[:]))})
	}
	return out
}

// rank is rankInto with candidates of their own, for the trainer.
func (ix *Index) rank(p *queryPlan) []candidate {
	sc := ix.getScratch()
	defer ix.release(sc)
	return slices.Clone(ix.rankInto(p, sc))
}

// rankInto scores the entries against a plan in two stages: BM25F over
// every entry, then the learned ranker over the leading candidates. It
// returns the candidates best first, in sc's memory: they are valid until
// sc is released.
func (ix *Index) rankInto(p *queryPlan, sc *scratch) []candidate {
	if len(p.concepts) == 0 {
		return nil
	}
	cands := ix.topCandidates(sc, ix.score(p, sc), rerankDepth)
	if len(cands) == 0 {
		return nil
	}
	pairs := ix.queryPairs(p)
	var phrases [rerankDepth]uint8
	ix.pairs.count(pairs.found, cands, &phrases)
	var qv [lsaDims]float32
	qnorm := ix.queryVector(p, qv[:])
	best := cands[0].score
	mean := 0.0
	var local [maskBits]float64
	localTotal := localWeights(p, cands, &local)
	for i := range cands {
		c := &cands[i]
		ix.rankFeatures(p, c, i, best)
		if pairs.n > 0 {
			c.x[rfPhrase] = float64(phrases[i]) / float64(pairs.n)
		}
		c.x[rfLocal] = localCoverage(c.mask, &local, localTotal)
		c.x[rfLocalTitle] = localCoverage(c.tmask, &local, localTotal)
		c.x[rfSemantic] = ix.sem.similarity(qv[:], qnorm, c.doc)
		mean += c.x[rfSemantic] / float64(len(cands))
	}
	// the semantic feature counts relative to the other candidates: how
	// close a question and an entry come depends on the space's size
	for i := range cands {
		c := &cands[i]
		c.x[rfSemantic] -= mean
		c.s = dot(ix.model.rankerOf(p)[:], c.x[:])
	}
	return sc.sortCandidates(cands)
}

// localWeights weighs each concept by how few of the candidates match it
// (local context, in the sense of relevance feedback): a concept all of
// them match tells them apart no more than one none matches. It returns
// the weights' sum.
func localWeights(p *queryPlan, cands []candidate, w *[maskBits]float64) float64 {
	n := min(len(p.concepts), maskBits)
	k := float64(len(cands))
	total := 0.0
	for j := range n {
		m := 0
		for i := range cands {
			if cands[i].mask&(1<<j) != 0 {
				m++
			}
		}
		if m > 0 {
			w[j] = p.concepts[j].importance * math.Log((k+1)/(float64(m)+0.5))
			total += w[j]
		}
	}
	return total
}

// localCoverage is the share of the local weights an entry's matches hold.
func localCoverage(mask uint64, w *[maskBits]float64, total float64) float64 {
	if total <= 0 {
		return 0
	}
	s := 0.0
	for ; mask != 0; mask &= mask - 1 {
		s += w[bits.TrailingZeros64(mask)]
	}
	return s / total
}

// sortCandidates orders candidates by the ranker's score, ties by load
// order. It sorts their positions and moves each candidate once (they are
// large), into sc's spare buffer.
func (sc *scratch) sortCandidates(cands []candidate) []candidate {
	order := sc.order[:0]
	for i := range cands {
		order = append(order, i)
	}
	slices.SortFunc(order, func(i, j int) int {
		a, b := &cands[i], &cands[j]
		switch {
		case a.s > b.s:
			return -1
		case a.s < b.s:
			return 1
		}
		return int(a.doc - b.doc)
	})
	if cap(sc.spare) < len(cands) {
		sc.spare = make([]candidate, len(cands))
	}
	out := sc.spare[:len(cands)]
	for i, o := range order {
		out[i] = cands[o]
	}
	sc.order = order
	sc.cands, sc.spare = sc.spare, sc.cands
	return out
}

// decide turns the ranked candidates into hits with calibrated
// confidences (the probability that the entry answers the question): the
// best, and up to three alternatives among the next candidates that are
// worth suggesting (withheld says why the best never answers, if it
// does not). It also returns the decision features of the candidates it
// looked at, in their order, for explanations.
func (ix *Index) decide(p *queryPlan, cands []candidate, withheld string, sc *scratch) ([]Hit, [][numDecisionFeatures]float64) {
	n := min(len(cands), len(sc.xs))
	if n == 0 {
		return nil, nil
	}
	hits := make([]Hit, 0, maxResults)
	xs := sc.xs[:n]
	z := softmaxDenominator(cands)
	floor := minConfidence
	for i := range n {
		xs[i] = ix.decisionFeatures(p, cands, i, z)
		conf := sigmoid(dot(ix.model.decisionOf(p)[:], xs[i][:]))
		if i == 0 && ix.answers(withheld, conf) {
			// beside an answer the others are related questions, not
			// guesses at it: they need only be related
			floor = 0
		}
		if len(hits) == maxResults || i > 0 && (conf < floor || cands[i].x[rfRelative] < minRelated) {
			continue
		}
		c := &cands[i]
		hits = append(hits, Hit{Entry: &ix.entries[c.doc], Score: c.s, Confidence: conf})
	}
	return hits, xs
}

// scratch is the per-search working memory, dense over entries and reused
// through a pool so that a search allocates little.
type scratch struct {
	acc      []docScore
	touched  []int32      // entries with a score, in first-touch order
	cur      []conceptHit // the concept being scored, per entry
	ctouched []int32      // the entries it matches
	top      []ranked     // topCandidates' selection
	cands    []candidate  // the candidates of the search
	spare    []candidate  // ... and their sorted copy
	order    []int
	corder   []int                          // conceptOrder's
	xs       [][numDecisionFeatures]float64 // the decision features of the first candidates
	// stems caches the stems of question words the index does not have
	// ("anyone", "pls", typos): Snowball takes a microsecond a word, and
	// chat repeats them. Each search has its own scratch, so the cache
	// needs no lock; release empties it when it grows past maxStems.
	stems map[string]string
}

// maxStems bounds a scratch's stem cache.
const maxStems = 4096

func (ix *Index) getScratch() *scratch {
	if sc, ok := ix.pool.Get().(*scratch); ok {
		return sc
	}
	n := len(ix.entries)
	return &scratch{
		acc:   make([]docScore, n),
		cur:   make([]conceptHit, n),
		cands: make([]candidate, rerankDepth),
		spare: make([]candidate, rerankDepth),
		xs:    make([][numDecisionFeatures]float64, 2*maxResults),
		stems: map[string]string{},
	}
}

// release clears what the search touched and returns sc to the pool.
func (ix *Index) release(sc *scratch) {
	for _, d := range sc.touched {
		sc.acc[d], sc.cur[d] = docScore{}, conceptHit{}
	}
	sc.touched = sc.touched[:0]
	if len(sc.stems) > maxStems {
		clear(sc.stems)
	}
	ix.pool.Put(sc)
}

// score accumulates BM25F scores per entry: for each concept, the best of
// its alternatives, weighted by the concept's learned need. A concept
// matched only through a weaker alternative (one word of a phrase, an
// association) counts as matched in proportion.
func (ix *Index) score(p *queryPlan, sc *scratch) []int32 {
	for _, i := range ix.conceptOrder(p, sc) {
		c := &p.concepts[i]
		// a concept most entries share (esp32, wifi) only adds to
		// entries that match something rarer: alone it selects nothing,
		// and skipping those entries keeps searches fast
		common := c.idf < commonConcept
		ix.scoreConcept(c, sc, common)
		bit := uint64(0)
		if i < maskBits {
			bit = 1 << i
		}
		// a part of an identifier the entry matches whole says little
		// more: "ssl" of mbedtls_ssl_handshake must not outweigh the
		// error code beside it. The identifier is scored first: a part is
		// at least as common, and ties keep the question's order
		owner := uint64(0)
		if c.part && c.parent >= 0 && c.parent < maskBits {
			owner = 1 << c.parent
		}
		for _, d := range sc.ctouched {
			ds, h := &sc.acc[d], &sc.cur[d]
			if !h.found {
				ds.doc = d
				sc.touched = append(sc.touched, d)
			}
			// branch-free: which of these hold differs from entry to entry,
			// and adding zero changes no sum
			f := 1 - (1-partOverlap)*b2f(ds.mask&owner != 0)
			s := f * c.weight * h.best
			m := f * c.importance * h.bestW
			ds.score += s
			ds.matched += m
			ds.inTitle += m * b2f(h.titled)
			ds.assoc += s * b2f(h.viaAssoc)
			ds.titled += h.titleIDF
			ds.inField[fieldBody] += m * float64(h.fields>>fieldBody&1)
			ds.inField[fieldCode] += m * float64(h.fields>>fieldCode&1)
			ds.inField[fieldTags] += m * float64(h.fields>>fieldTags&1)
			ds.exact += c.importance * b2f(h.bestW == 1)
			full := bit * uint64(b2f(h.bestW >= correctionWeight)) // matched for real, not through one word of a phrase
			ds.mask |= full
			ds.tmask |= full * uint64(b2f(h.titled))
			*h = conceptHit{found: true}
		}
	}
	return sc.touched
}

// conceptOrder returns the indexes of p's concepts, rarest first.
func (ix *Index) conceptOrder(p *queryPlan, sc *scratch) []int {
	order := sc.corder[:0]
	for i := range p.concepts {
		order = append(order, i)
	}
	slices.SortStableFunc(order, func(a, b int) int {
		return cmp.Compare(p.concepts[b].idf, p.concepts[a].idf)
	})
	sc.corder = order
	return order
}

// scoreConcept fills sc.cur for the entries matching one concept,
// listing them in sc.ctouched; with onlyFound, for the entries already
// found only.
func (ix *Index) scoreConcept(c *concept, sc *scratch, onlyFound bool) {
	sc.ctouched = sc.ctouched[:0]
	for _, a := range c.alts {
		if a.id < 0 {
			continue
		}
		w := a.w * ix.idf[a.id]
		for _, po := range ix.postings[a.id] {
			h := &sc.cur[po.doc]
			if onlyFound && !h.found {
				continue
			}
			if h.best == 0 {
				sc.ctouched = append(sc.ctouched, po.doc)
			}
			if s := w * float64(po.sat); s > h.best {
				h.best, h.bestW, h.viaAssoc, h.fields = s, a.w, a.kind == altAssoc, po.fields
			}
			if po.title {
				h.titled = true
				h.titleIDF = max(h.titleIDF, w)
			}
		}
	}
}

// conceptHit is how one entry matches the concept being scored: its best
// alternative's score and weight and where it matched. It sits in one
// array, a few bytes per entry, because scoring reads all of it at random
// entries.
type conceptHit struct {
	best     float64 // the best alternative's BM25F score
	bestW    float64 // ... and its weight
	titleIDF float64 // the best weighted idf of an alternative in the title
	fields   uint8   // the best alternative's fields
	titled   bool    // some alternative is in the title
	viaAssoc bool    // the best alternative is a learned association
	found    bool    // an earlier concept matched the entry
}

// queryPairs are the adjacent concept pairs of a question, as bigram keys,
// for the phrase feature ("keep alive", "static ip").
type queryPairs struct {
	found []int // those some entry has, by their index in the pair index
	n     int   // all of them
}

func (ix *Index) queryPairs(p *queryPlan) queryPairs {
	var pairs queryPairs
	var prev *concept
	for i := range p.concepts {
		c := &p.concepts[i]
		if c.part {
			continue
		}
		if prev != nil && prev.alts[0].id >= 0 && c.alts[0].id >= 0 {
			pairs.n++
			if i := ix.pairs.find(pairKey(prev.alts[0].id, c.alts[0].id)); i >= 0 {
				pairs.found = append(pairs.found, i)
			}
		}
		prev = c
	}
	return pairs
}

// count sets n[i] to how many of the pairs (indexes into pi) candidate i
// has, at most rerankDepth candidates: the candidates sorted by entry
// meet each pair's entries in one merge.
func (pi *pairIndex) count(pairs []int, cands []candidate, n *[rerankDepth]uint8) {
	if len(pairs) == 0 {
		return
	}
	type byDoc struct {
		doc int32
		i   int
	}
	var order [rerankDepth]byDoc
	sorted := order[:len(cands)]
	for i := range cands {
		sorted[i] = byDoc{cands[i].doc, i}
	}
	slices.SortFunc(sorted, func(a, b byDoc) int { return cmp.Compare(a.doc, b.doc) })
	for _, k := range pairs {
		docs, j := pi.docsOf(k), 0
		for _, d := range docs {
			for j < len(sorted) && sorted[j].doc < d {
				j++
			}
			if j == len(sorted) {
				break
			}
			if sorted[j].doc == d {
				n[sorted[j].i]++
			}
		}
	}
}

// rankFeatures describes candidate c, of first-stage rank i, for the ranker.
func (ix *Index) rankFeatures(p *queryPlan, c *candidate, i int, bestScore float64) {
	x := &c.x
	x[rfScore] = c.score / max(p.maxScore, 1e-9)
	x[rfCoverage] = c.matched / max(p.total, 1e-9)
	x[rfTitle] = c.inTitle / max(p.total, 1e-9)
	// the words count by their focus: in a long post, by their line
	missing, matched, whole, span := 0.0, 0.0, 0.0, 0.0
	for j := range p.concepts {
		k := &p.concepts[j]
		in := j < maskBits && c.mask&(1<<j) != 0
		if !in {
			missing = max(missing, k.importance)
		} else {
			span += float64(k.span) * k.focus
		}
		if !k.part {
			whole += k.focus
			if in {
				matched += k.focus
			}
		}
	}
	x[rfMissing] = missing / ix.maxIDF
	// -0x2700 asked, -0x4290 answered: the same log lines around
	// another error code are another error
	conflict := false
	for k, asked := range p.codesAsked {
		conflict = conflict || asked&^c.mask != 0 && ix.docCodes[c.doc]&(1<<k) != 0
	}
	x[rfCodeConflict] = b2f(conflict)
	x[rfSpan] = span / max(p.span, 1e-9)
	tot := max(p.total, 1e-9)
	x[rfBody] = c.inField[fieldBody] / tot
	x[rfCode] = c.inField[fieldCode] / tot
	x[rfTags] = c.inField[fieldTags] / tot
	x[rfExact] = c.exact / tot
	x[rfMatched] = matched / max(whole, 1e-9)
	c.chip = p.chipsAsked.match(ix.docChips[c.doc])
	x[rfChipMatch] = b2f(c.chip == chipMatched)
	x[rfChipOther] = b2f(c.chip == chipOther)
	x[rfPage] = ix.pagePrior[c.doc]
	if c.score > 0 {
		x[rfAssoc] = c.assoc / c.score
	}
	x[rfRelative] = c.score / max(bestScore, 1e-9)
	x[rfRank] = math.Log1p(float64(i))
	x[rfTitleRecall] = min(c.titled/max(ix.titleMass[c.doc], 1e-9), 1)
	x[rfLength] = ix.lenFeature[c.doc]
	x[rfKind] = b2f(p.kind != askOther && p.kind == ix.docKind[c.doc])
}

// softmaxDenominator is the sum of exp(s - s0) over the candidates, s0
// being the best score.
func softmaxDenominator(cands []candidate) float64 {
	z := 0.0
	for _, c := range cands {
		z += math.Exp(c.s - cands[0].s)
	}
	return z
}

// noRival is the margin of a candidate that has no rival at all.
const noRival = 3.0

// decisionFeatures describes candidate i of the ranked cands for the
// decision model.
func (ix *Index) decisionFeatures(p *queryPlan, cands []candidate, i int, z float64) [numDecisionFeatures]float64 {
	c := &cands[i]
	var x [numDecisionFeatures]float64
	x[dfBias] = 1
	x[dfScore] = c.s
	switch {
	case i > 0:
		x[dfMargin] = c.s - cands[0].s
	case len(cands) > 1:
		x[dfMargin] = c.s - cands[1].s
	default:
		x[dfMargin] = noRival
	}
	x[dfMargin] = min(x[dfMargin], noRival)
	x[dfSoftmax] = math.Exp(c.s-cands[0].s) / z
	copy(x[dfEntry:], c.x[:])
	if rival := ix.rival(cands, i); rival != nil {
		for f := range numRankFeatures {
			x[dfLead+f] = c.x[f] - rival.x[f]
		}
	}
	x[dfStrength] = min(c.matched/ix.maxIDF, 3)
	// concepts count by their focus: the boilerplate of a long post must
	// not read as a long, precise question
	whole, tech, unknown, common := 0.0, 0.0, 0.0, 0.0
	for j := range p.concepts {
		k := &p.concepts[j]
		if j < maskBits && c.mask&(1<<j) != 0 {
			x[dfRarest] = max(x[dfRarest], k.focus*k.idf/ix.maxIDF)
		}
		if k.common {
			common += k.importance
		}
		if k.part {
			continue
		}
		whole += k.focus
		tech += k.focus * b2f(k.unknownTerm)
		unknown += k.focus * b2f(k.unknown)
	}
	x[dfCommon] = common / max(p.total, 1e-9)
	x[dfVocab] = 1
	if p.words > 0 {
		x[dfVocab] = float64(p.known) / float64(p.words)
	}
	x[dfAnchor] = b2f(p.anchored)
	x[dfStops] = float64(p.stops) / float64(max(p.tokens, 1))
	x[dfSize] = math.Log(float64(len(ix.entries))) / math.Log(1000)
	x[dfSizeSoftmax] = x[dfSize] * x[dfSoftmax]
	x[dfSizeCoverage] = x[dfSize] * c.x[rfCoverage]
	x[dfStatement] = b2f(!p.asks && p.kind == askOther)
	x[dfUnknownTech] = tech / max(whole, 1)
	x[dfUnknown] = unknown / max(whole, 1)
	x[dfConcepts] = math.Log1p(whole)
	return x
}

// rival is the best candidate other than cands[i], or nil.
func (ix *Index) rival(cands []candidate, i int) *candidate {
	switch {
	case i > 0:
		return &cands[0]
	case len(cands) > 1:
		return &cands[1]
	}
	return nil
}

// ranked is an entry and its first-stage score.
type ranked struct {
	score float64
	doc   int32
}

func (a ranked) above(b ranked) bool { return a.score > b.score || a.score == b.score && a.doc < b.doc }

// topCandidates returns the n best scored entries as candidates in sc's
// memory, best first, ties broken by load order so that results are
// deterministic. It selects on (score, entry) pairs and copies the full
// evidence of the winners only.
func (ix *Index) topCandidates(sc *scratch, touched []int32, n int) []candidate {
	top := sc.top[:0]
	for _, d := range touched {
		r := ranked{sc.acc[d].score, d}
		if r.score <= 0 || len(top) == n && !r.above(top[n-1]) {
			continue
		}
		i := len(top)
		for i > 0 && r.above(top[i-1]) {
			i--
		}
		top = slices.Insert(top, i, r)
		if len(top) > n {
			top = top[:n]
		}
	}
	sc.top = top
	if cap(sc.cands) < len(top) {
		sc.cands = make([]candidate, n)
	}
	cands := sc.cands[:len(top)]
	for i, r := range top {
		cands[i] = candidate{docScore: sc.acc[r.doc]}
	}
	return cands
}
