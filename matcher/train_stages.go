package matcher

import (
	"cmp"
	"maps"
	"math"
	"slices"
	"strings"

	"github.com/espbot/espbot/knowledge"
)

// The term model: a logistic regression predicting, for each concept of a
// question, whether an entry that answers the question contains it (Zhao
// and Callan's term necessity). Its features describe the kind of term;
// words frequent enough in the training questions get a bias of their
// own, so that chat words ("board", "issue") learn to count little and
// telling ones much.
const (
	minTermQuestions = 6   // questions a word needs to get a bias of its own
	termLambda       = 1.0 // L2 on the feature weights
	termBiasLambda   = 3.0 // L2 on the per-word biases: few questions, small bias
	termRounds       = 4   // alternations between weights and biases
)

type termRow struct {
	x    [numTermFeatures]float64
	y    float64
	term string
}

func (ix *Index) fitTerms(folds []assocFold) (map[string]float64, map[string]float64) {
	var rows []termRow
	perTerm := map[string][]int{}
	for _, fold := range folds {
		m := newModel()
		m.Assoc = fold.assoc
		base := ix.withModel(m)
		for _, q := range fold.qs {
			if len(q.pos) == 0 {
				continue
			}
			p := base.plan(q.Text)
			for i := range p.concepts {
				c := &p.concepts[i]
				r := termRow{y: b2f(base.matchesAny(c, q.pos, true)), term: c.alts[0].term}
				base.termFeatures(c, p.size(), &r.x)
				perTerm[r.term] = append(perTerm[r.term], len(rows))
				rows = append(rows, r)
			}
		}
	}
	lambda := make([]float64, numTermFeatures)
	for j := range lambda {
		lambda[j] = termLambda
	}
	lambda[tfBias] = 0
	lex := make([]string, 0, len(perTerm))
	for t, rs := range perTerm {
		if len(rs) >= minTermQuestions {
			lex = append(lex, t)
		}
	}
	slices.Sort(lex)
	bias := map[string]float64{}
	var w []float64
	ex := make([]example, len(rows))
	for range termRounds {
		for i := range rows {
			ex[i] = example{x: rows[i].x[:], off: bias[rows[i].term], y: rows[i].y, w: 1}
		}
		w = fitLogistic(ex, numTermFeatures, lambda, w)
		for _, t := range lex {
			offs, ys := make([]float64, 0, len(perTerm[t])), make([]float64, 0, len(perTerm[t]))
			for _, i := range perTerm[t] {
				offs, ys = append(offs, dot(w, rows[i].x[:])), append(ys, rows[i].y)
			}
			bias[t] = fitBias(offs, ys, termBiasLambda)
		}
	}
	terms := map[string]float64{}
	for j, n := range termFeatureNames {
		terms[n] = w[j]
	}
	for t, b := range bias {
		if math.Abs(b) < 0.05 {
			delete(bias, t) // not worth a line of the model
		}
	}
	return terms, bias
}

// matchesAny reports whether one of the entries contains the concept
// through one of its alternatives (learned associations included when
// withAssoc).
func (ix *Index) matchesAny(c *concept, docs []int32, withAssoc bool) bool {
	for _, a := range c.alts {
		if a.id < 0 || a.kind == altAssoc && !withAssoc {
			continue
		}
		for _, d := range docs {
			if hasDoc(ix.postings[a.id], d) {
				return true
			}
		}
	}
	return false
}

// hasDoc searches postings, which are in entry order.
func hasDoc(ps []posting, doc int32) bool {
	i, ok := slices.BinarySearchFunc(ps, doc, func(p posting, d int32) int { return cmp.Compare(p.doc, d) })
	return ok && i < len(ps)
}

// Associations: a translation model in the sense of Berger and Lafferty
// (1999) and Xue, Jeon and Croft (2008): IBM Model 1, trained by EM on
// pairs of a question's words and its answer's words (title and body),
// learns which FAQ words a question word stands for. An association is kept
// only when its alignments span several different entries (so it says
// something about the words, not about one entry), it takes a fair share
// of the question word's alignments, and it is far more likely than the
// FAQ word by chance: what is left is what a networking engineer would
// accept ("hotspot" -> softap, "battery" -> power consumption).
const (
	assocIterations = 8
	assocMinEntries = 3    // different answering entries the alignments span
	assocMinCommon  = 7    // ... for a common English word
	assocMinProb    = 0.08 // share of the question word's alignments
	assocMinLift    = 2.0  // that share over the FAQ word's share of answer words
	// ... and when the FAQ word is a common English one
	assocStrictEntries = 4
	assocStrictProb    = 0.12
	assocStrictLift    = 3.0
	assocMinAligned    = 1.5 // expected alignments, summed
	assocScale         = 1.0 // weight = scale * share, at most assocMax
	assocMax           = 0.7
	assocPerTerm       = 5 // associations kept per question word
)

// alignPair is a question word and an answer word.
type alignPair struct{ q, e string }

// alignSentence is a question's words and its answer's words, led by
// Model 1's NULL word "".
type alignSentence struct {
	q, e []string
	doc  int32
}

// model1 is what EM for IBM Model 1 leaves: every pair of a question word
// and an answer word that occur together, with its expected alignments of
// the last iteration, the entries where a pair aligns clearly, and how
// often each question word occurs.
type model1 struct {
	pairs   []alignPair
	aligned []float64
	entries map[int32]map[int32]bool // pair -> entries where it aligns with probability > 0.1
	qCount  map[string]float64
}

// alignModel1 runs EM for t(q|e) over the sentences. The pairs are
// numbered once, so that each iteration walks arrays instead of hashing
// two strings per pair occurrence (most of the trainer's time otherwise);
// the sums run in the same order as a map-based EM, so the result is the
// same to the bit.
func alignModel1(data []alignSentence) model1 {
	m := model1{entries: map[int32]map[int32]bool{}, qCount: map[string]float64{}}
	index := map[alignPair]int32{}
	eIndex := map[string]int32{}
	var pairE []int32 // pair -> its answer word
	var occ []int32   // per sentence, per question word: the pairs, in answer-word order
	for _, s := range data {
		for _, q := range s.q {
			for _, e := range s.e {
				k := alignPair{q, e}
				i, ok := index[k]
				if !ok {
					ei, ok := eIndex[e]
					if !ok {
						ei = int32(len(eIndex))
						eIndex[e] = ei
					}
					i = int32(len(m.pairs))
					index[k] = i
					m.pairs = append(m.pairs, k)
					pairE = append(pairE, ei)
				}
				occ = append(occ, i)
			}
		}
	}
	t := make([]float64, len(m.pairs))
	for i := range t {
		t[i] = 1
	}
	count := make([]float64, len(m.pairs))
	total := make([]float64, len(eIndex))
	for it := range assocIterations {
		last := it == assocIterations-1
		clear(count)
		clear(total)
		at := 0
		for _, s := range data {
			for _, q := range s.q {
				ks := occ[at : at+len(s.e)]
				at += len(s.e)
				z := 0.0
				for _, k := range ks {
					z += t[k]
				}
				for _, k := range ks {
					c := t[k] / z
					count[k] += c
					total[pairE[k]] += c
					if last && c > 0.1 {
						if m.entries[k] == nil {
							m.entries[k] = map[int32]bool{}
						}
						m.entries[k][s.doc] = true
					}
				}
				if last {
					m.qCount[q]++
				}
			}
		}
		for k, c := range count {
			t[k] = c / total[pairE[k]]
		}
	}
	m.aligned = count
	return m
}

func (ix *Index) fitAssoc(qs []trainQ) map[string][]Association {
	base := ix.withModel(newModel())
	var data []alignSentence
	docTerms := map[int32][]string{}
	eDF := map[string]int{}
	for _, q := range qs {
		if len(q.pos) == 0 {
			continue
		}
		d := q.pos[0]
		terms, ok := docTerms[d]
		if !ok {
			body, _ := entryText(&ix.entries[d])
			terms = append([]string{""}, base.textTerms(ix.entries[d].Title+"\n"+body)...)
			docTerms[d] = terms
		}
		s := alignSentence{e: terms, doc: d}
		for _, c := range base.plan(q.Text).concepts {
			if !c.part && c.chip == "" && c.kind != Number && c.kind != Version {
				s.q = append(s.q, c.alts[0].term)
			}
		}
		for _, t := range terms[1:] {
			eDF[t]++
		}
		data = append(data, s)
	}
	em := alignModel1(data)
	out := map[string][]Association{}
	n := float64(len(data))
	for i, k := range em.pairs {
		if k.e == "" || k.e == k.q || k.e == groupPrefix+k.q {
			continue
		}
		share := em.aligned[i] / em.qCount[k.q]
		lift := share / (float64(eDF[k.e]) / n)
		if !ix.keepAssoc(k, em.aligned[i], len(em.entries[int32(i)]), share, lift) {
			continue
		}
		if _, ok := ix.terms[k.e]; !ok || !wordLike(k.e) {
			continue
		}
		out[k.q] = append(out[k.q], Association{To: k.e, Weight: round3(min(assocMax, assocScale*share))})
	}
	// the strongest first, ties in the order of the FAQ words
	for q, as := range out {
		slices.SortFunc(as, func(a, b Association) int {
			return cmp.Or(cmp.Compare(b.Weight, a.Weight), cmp.Compare(a.To, b.To))
		})
		out[q] = as[:min(len(as), assocPerTerm)]
	}
	return out
}

// wordLike reports a term that can stand for what a question word means: a
// word, an identifier or a lexicon group, not a number or a version that
// only happens to be written near it ("v5.0", "10").
func wordLike(term string) bool {
	for _, r := range term {
		if r >= 'a' && r <= 'z' {
			return !strings.HasPrefix(term, "v") || kindOf(term[1:]) == Word
		}
	}
	return false
}

// textTerms returns the distinct index terms of a text (stems of its
// non-stop words, identifiers, lexicon groups), in order.
func (ix *Index) textTerms(text string) []string {
	toks := ix.an.tokens(text, nil)
	var out []string
	add := func(t string) {
		if !slices.Contains(out, t) {
			out = append(out, t)
		}
	}
	for _, t := range toks {
		if !t.stop && !t.Part && !(t.Kind == Word && len(t.Text) < 2) {
			add(t.term)
		}
	}
	for _, m := range ix.an.synonyms(wholeTokens(toks)) {
		add(m.group)
	}
	return out
}

// keepAssoc is the pruning of a learned association. A question word
// that is common English ("find", "need") goes with everything, so it must
// align across more entries; an association to a common English FAQ word
// ("yes", "test", "add") must be stronger on every count: a networking
// engineer accepts "hotspot -> softap" at a glance, not "pc -> test".
func (ix *Index) keepAssoc(k alignPair, aligned float64, entries int, share, lift float64) bool {
	minEntries, minShare, minLift := assocMinEntries, assocMinProb, assocMinLift
	if ix.an.common.has(k.e) {
		minEntries, minShare, minLift = assocStrictEntries, assocStrictProb, assocStrictLift
	}
	if ix.an.common.has(k.q) {
		minEntries = max(minEntries, assocMinCommon)
	}
	return aligned >= assocMinAligned && entries >= minEntries && share >= minShare && lift >= minLift
}

// The ranker: a linear model of the ranking features, fitted listwise
// (ListNet's top-one probability): for each question, the softmax of the
// candidates' scores should put its mass on the answering ones.
const rankLambda = 1.0

// Given post templates, it fits the ranker of long posts instead, on the
// questions each filed in one of them.
func (ix *Index) fitRanker(folds []assocFold, m *Model, posts []string) map[string]float64 {
	var groups []group
	for _, fold := range folds {
		fm := *m
		fm.Assoc = fold.assoc
		qs := fold.qs
		if len(posts) > 0 {
			qs = filed(qs, posts)
		}
		groups = append(groups, ix.withModel(&fm).rankGroups(qs)...)
	}
	w := fitListwise(groups, numRankFeatures, rankLambda)
	out := map[string]float64{}
	for j, n := range rankFeatureNames {
		out[n] = w[j]
	}
	return out
}

// rankGroups are the candidates of the answerable questions, for the ranker.
func (ix *Index) rankGroups(qs []trainQ) []group {
	var groups []group
	for _, q := range qs {
		if len(q.pos) == 0 {
			continue
		}
		cands := ix.rank(ix.plan(q.Text))
		g := group{x: make([][]float64, len(cands)), pos: make([]bool, len(cands))}
		any := false
		for i := range cands {
			g.x[i] = cands[i].x[:]
			g.pos[i] = q.answers(cands[i].doc)
			any = any || g.pos[i]
		}
		if any && len(cands) > 1 {
			groups = append(groups, g)
		}
	}
	return groups
}

// decisionRow is the best candidate of one held-out question.
type decisionRow struct {
	x          [numDecisionFeatures]float64
	none       bool // nothing matched, or the question only gets suggestions: never answered
	correct    bool
	answerable bool
	offtopic   bool
	typos      bool // a question searched with typos: a copy of another row
}

func (ix *Index) decisionRows(qs []trainQ) []decisionRow {
	rows := make([]decisionRow, 0, len(qs))
	for _, q := range qs {
		r := decisionRow{answerable: len(q.pos) > 0, offtopic: q.Style == "offtopic"}
		p := ix.plan(q.Text)
		cands := ix.rank(p)
		if len(cands) == 0 || p.suggestsOnly(&cands[0]) != "" {
			r.none = true
		} else {
			r.x = ix.decisionFeatures(p, cands, 0, softmaxDenominator(cands))
			r.correct = q.answers(cands[0].doc)
		}
		rows = append(rows, r)
	}
	return rows
}

// Knowledge bases come in all sizes: the embedded page has 32 entries, a
// maintainer's own FAQ a few pages. Margins, softmax shares and latent
// similarities read differently over 30 entries than over 1,300, so the
// decision also learns from each held-out question searched in its own
// page alone (a knowledge base of one page), with the size as a feature.
const minPageEntries = 8

// pageIndex is the index of one page's entries, with the positions of
// its entries in the whole index.
type pageIndex struct {
	ix  *Index
	doc map[int32]int32 // whole-index entry -> page-index entry
}

// pageIndexes indexes each page that answers some question.
func (ix *Index) pageIndexes(qs []trainQ) map[string]*pageIndex {
	asked := map[string]bool{}
	for _, q := range qs {
		for _, d := range q.pos {
			asked[ix.entries[d].Category] = true
		}
	}
	out := map[string]*pageIndex{}
	for _, cat := range slices.Sorted(maps.Keys(asked)) {
		var entries []knowledge.Entry
		pi := &pageIndex{doc: map[int32]int32{}}
		for d, e := range ix.entries {
			if e.Category == cat {
				pi.doc[int32(d)] = int32(len(entries))
				entries = append(entries, e)
			}
		}
		if len(entries) < minPageEntries || len(entries) == len(ix.entries) {
			continue
		}
		sub, err := New(entries, Options{Lexicon: ix.lexicon, Model: newModel()})
		if err != nil {
			continue // the lexicon parsed for the whole index: cannot happen
		}
		pi.ix = sub
		out[cat] = pi
	}
	return out
}

// pageRows are the decision rows of held-out questions searched in one
// page: an answerable question in its answer's page, another in the page
// of the best entry of the whole index.
func (ix *Index) pageRows(pages map[string]*pageIndex, m *Model, qs []trainQ) []decisionRow {
	var rows []decisionRow
	models := map[string]*Index{}
	for _, q := range qs {
		d := int32(-1)
		if len(q.pos) > 0 {
			d = q.pos[0]
		} else if cands := ix.rank(ix.plan(q.Text)); len(cands) > 0 {
			d = cands[0].doc
		}
		if d < 0 {
			continue
		}
		cat := ix.entries[d].Category
		pi := pages[cat]
		if pi == nil {
			continue
		}
		if models[cat] == nil {
			models[cat] = pi.ix.withModel(m)
		}
		sq := q
		sq.pos = nil
		for _, p := range q.pos {
			if sd, ok := pi.doc[p]; ok {
				sq.pos = append(sq.pos, sd)
			}
		}
		rows = append(rows, models[cat].decisionRows([]trainQ{sq})...)
	}
	return rows
}

// The decision: a logistic regression of "the best entry answers the
// question" on held-out predictions, so that its output is a calibrated
// probability.
const decisionLambda = 1.0

// offtopicCost is how much more an answered off-topic line costs than
// another wrong answer: it must never happen.
const offtopicCost = 5.0

func rowWeight(r decisionRow) float64 {
	w := 1.0
	if r.offtopic {
		w = offtopicCost
	}
	if r.typos {
		w *= typoRowWeight
	}
	return w
}

func fitDecision(rows []decisionRow) map[string]float64 {
	var ex []example
	for _, r := range rows {
		if !r.none {
			ex = append(ex, example{x: r.x[:], y: b2f(r.correct), w: rowWeight(r)})
		}
	}
	lambda := make([]float64, numDecisionFeatures)
	for j := range lambda {
		lambda[j] = decisionLambda
	}
	lambda[dfBias] = 0
	w := fitLogistic(ex, numDecisionFeatures, lambda, nil)
	out := map[string]float64{}
	for j, n := range decisionFeatureNames {
		out[n] = w[j]
	}
	return out
}

// chooseThresholds picks, on held-out predictions, the answer threshold
// that gets the most questions right (answered right, or rightly left
// unanswered) while answering at most MaxWrong of the answerable ones
// wrongly and no off-topic line, of rows or of guard; and the auto
// threshold, the lowest above it at which AutoPrecision of the answers are
// right.
func chooseThresholds(rows, guard []decisionRow, decision map[string]float64, o TrainOptions) (answer, auto float64) {
	var w [numDecisionFeatures]float64
	for j, n := range decisionFeatureNames {
		w[j] = decision[n]
	}
	conf := make([]float64, len(rows))
	answerable := 0
	for i, r := range rows {
		if !r.none {
			conf[i] = sigmoid(dot(w[:], r.x[:]))
		}
		if r.answerable {
			answerable++
		}
	}
	// the most confident off-topic line of guard: thresholds at or below
	// it answer one
	guardMax := 0.0
	for _, r := range guard {
		if r.offtopic && !r.none {
			guardMax = max(guardMax, sigmoid(dot(w[:], r.x[:])))
		}
	}
	type tally struct{ right, wrong, falseAns, offtopic, abstain int }
	at := func(t float64) tally {
		var s tally
		for i, r := range rows {
			answered := !r.none && conf[i] >= t
			switch {
			case answered && r.correct:
				s.right++
			case answered && r.answerable:
				s.wrong++
			case answered:
				s.falseAns++
				s.offtopic += int(b2f(r.offtopic))
			case !r.answerable:
				s.abstain++
			}
		}
		return s
	}
	answer, auto = 0.95, 0.95
	best := -1
	for t := 0.95; t >= 0.05; t -= 0.005 {
		s := at(t)
		if float64(s.wrong) > o.MaxWrong*float64(answerable) || s.offtopic > 0 || t <= guardMax {
			continue
		}
		if good := s.right + s.abstain; good > best {
			best, answer = good, t
		}
	}
	for t := answer; t <= 0.95; t += 0.005 {
		s := at(t)
		if n := s.right + s.wrong + s.falseAns; n == 0 || float64(s.right) >= o.AutoPrecision*float64(n) {
			auto = t
			break
		}
	}
	return round3(answer), round3(auto)
}

// offtopic returns the off-topic rows.
func offtopic(rows []decisionRow) []decisionRow {
	var out []decisionRow
	for _, r := range rows {
		if r.offtopic {
			out = append(out, r)
		}
	}
	return out
}

func round3(v float64) float64 { return math.Round(v*1000) / 1000 }
