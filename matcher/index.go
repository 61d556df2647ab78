package matcher

import (
	"cmp"
	"maps"
	"math"
	"runtime"
	"slices"
	"strings"
	"sync"

	"github.com/espbot/espbot/knowledge"
)

// field is a part of an entry that is scored with its own weight.
type field int

const (
	fieldTitle field = iota
	fieldTags        // tags, category and chips
	fieldBody        // answer text, inline literals and link texts
	fieldCode        // code blocks and URLs
	fieldExtra       // accepted alternate phrasings of the question
	numFields
)

// fieldWeights and fieldB are the BM25F weights and length normalisation
// per field: the question is what an entry is about, so its words count
// most; code and URLs are noisy and count least. The trainer does not fit
// them because they sit on a flat optimum: on the entry-split held-out
// folds of the training questions, halving or doubling any weight, or
// setting any b to 0.2, 0.5 or 0.8, raises the first stage's mean
// reciprocal rank (0.716) by 0.003 at most and the ranked top-1 by two
// questions in 1,297 at most. The learned ranker weighs each field's
// coverage itself.
var fieldWeights = [numFields]float64{2.0, 1.5, 1.0, 0.4, 2.0}

var fieldB = [numFields]float64{0.5, 0.3, 0.75, 0.75, 0.5}

// k1 is BM25's term-frequency saturation.
const k1 = 2.0

// posting is one entry containing a term, with the term's saturated,
// length-normalised BM25F frequency precomputed (idf is applied at search
// time).
type posting struct {
	doc    int32
	sat    float32
	title  bool  // the term is in the entry's title (or alternate phrasing)
	fields uint8 // bit f: the term is in field f
}

// Index is a searchable set of FAQ entries. It is immutable once built and
// safe for concurrent use.
type Index struct {
	entries   []knowledge.Entry
	byID      map[string]int
	threshold float64
	an        *analyzer

	terms      map[string]int32
	idf        []float64
	titleShare []float32 // per term: share of its entries with it in the title
	postings   [][]posting
	pairs      pairIndex   // the entries' adjacent term pairs
	docChips   []chipMask  // per entry: the chips it is about
	titleMass  []float64   // per entry: the idf of its title's terms, summed
	lenFeature []float64   // per entry: the ranker's length feature, of its number of body terms
	docKind    []askKind   // per entry: the kind of question its title asks
	docCodes   []codeKinds // per entry: the kinds of error code it names
	vocab      vocabulary
	idents     identIndex
	maxIDF     float64
	sem        *semSpace  // latent semantic space of the entries
	pool       *sync.Pool // *scratch, shared by the copies withModel makes

	model     *compiled
	pagePrior []float64 // per entry: the model's prior of its page
	lexicon   []string  // the extra lexicon lines it was built with
}

// New builds an index over entries.
func New(entries []knowledge.Entry, opts Options) (*Index, error) {
	extra, err := ParseLexicon(strings.Join(opts.Lexicon, "\n"))
	if err != nil {
		return nil, err
	}
	an, err := newAnalyzer(extra)
	if err != nil {
		return nil, err
	}
	m := opts.Model
	if m == nil {
		if m, err = DefaultModel(); err != nil {
			return nil, err
		}
	}
	ix := &Index{
		entries: append([]knowledge.Entry(nil), entries...),
		byID:    make(map[string]int, len(entries)),
		an:      an,
		terms:   make(map[string]int32, 8192),
		pool:    &sync.Pool{},
		lexicon: opts.Lexicon,
	}
	b := newBuilder(ix)
	b.addAll(opts.Phrasings)
	b.finish()
	ix.idents = newIdentIndex(ix.terms)
	ix.setModel(m, opts.AnswerThreshold)
	return ix, nil
}

// codeKinds is a set of kinds of error code: an entry about one code is
// not about another code of the same kind.
type codeKinds uint8

const (
	hexCodes     codeKinds = 1 << iota // -0x2800 (Mbed TLS, ESP_ERR_*)
	errnoCodes                         // errno 23
	reasonCodes                        // a Wi-Fi disconnection's reason 201
	numCodeKinds = iota
)

// codeKindOf is the kind of error code term is, prev being the term
// before it: a hex code, or the number of an errno or a Wi-Fi reason as
// written ("errno 23", not "too many open files", which says what the
// error is rather than naming it).
func codeKindOf(term, prev string, number bool) codeKinds {
	switch {
	case hexCode(term):
		return hexCodes
	case number && prev == "errno":
		return errnoCodes
	case number && prev == "reason":
		return reasonCodes
	}
	return 0
}

// hexCode reports a hexadecimal error code as the tokenizer keeps it:
// "0x2800" of mbedtls_ssl_handshake returned -0x2800, ESP_ERR_NO_MEM's
// 0x101. Longer constants are addresses and register values
// (0x400d2f39 of a backtrace), shorter ones flags.
func hexCode(t string) bool {
	if len(t) < 5 || len(t) > 7 || !strings.HasPrefix(t, "0x") {
		return false
	}
	for _, r := range t[2:] {
		if !(r >= '0' && r <= '9' || r >= 'a' && r <= 'f') {
			return false
		}
	}
	return true
}

// identIndex lists the identifiers among the terms (with an underscore),
// sorted, and by each of their segments the ones that have it.
type identIndex struct {
	terms []string
	bySeg map[string][]int32
}

func newIdentIndex(terms map[string]int32) identIndex {
	var ix identIndex
	for t := range terms {
		if strings.IndexByte(t, '_') > 0 {
			ix.terms = append(ix.terms, t)
		}
	}
	slices.Sort(ix.terms)
	ix.bySeg = make(map[string][]int32, 2*len(ix.terms))
	for i, t := range ix.terms {
		for _, seg := range strings.Split(t, "_") {
			if l := ix.bySeg[seg]; len(l) == 0 || l[len(l)-1] != int32(i) {
				ix.bySeg[seg] = append(l, int32(i))
			}
		}
	}
	return ix
}

// containing returns the identifiers longer than term that contain it as
// a run of whole segments, in order, or nil when there are more than max.
func (ix *identIndex) containing(term string, max int) []string {
	// the rarest segment's identifiers are the only ones to look at
	var cands []int32
	for seg := range strings.SplitSeq(term, "_") {
		l, ok := ix.bySeg[seg]
		if !ok {
			return nil
		}
		if cands == nil || len(l) < len(cands) {
			cands = l
		}
	}
	var out []string
	for _, i := range cands {
		id := ix.terms[i]
		if len(id) <= len(term) || !containsSegments(id, term) {
			continue
		}
		if len(out) == max {
			return nil
		}
		out = append(out, id)
	}
	return out
}

// containsSegments reports whether identifier s contains sub as a run of
// whole underscore-separated segments.
func containsSegments(s, sub string) bool {
	for i := 0; ; {
		j := strings.Index(s[i:], sub)
		if j < 0 {
			return false
		}
		j += i
		end := j + len(sub)
		if (j == 0 || s[j-1] == '_') && (end == len(s) || s[end] == '_') {
			return true
		}
		i = j + 1
	}
}

// setModel makes the index search with model m; a threshold of zero takes
// the model's.
func (ix *Index) setModel(m *Model, threshold float64) {
	ix.model = compile(m)
	ix.threshold = threshold
	if threshold == 0 {
		ix.threshold = m.AnswerThreshold
	}
	ix.pagePrior = pagePriors(ix.entries, m.Pages)
}

// pagePriors returns each entry's page prior; pages the model does not
// know get none.
func pagePriors(entries []knowledge.Entry, pages map[string]float64) []float64 {
	out := make([]float64, len(entries))
	for d, e := range entries {
		out[d] = pages[e.Category]
	}
	return out
}

// withModel returns a copy of the index that searches with m, sharing
// everything else: training tries many models on one index.
func (ix *Index) withModel(m *Model) *Index {
	cp := *ix
	cp.setModel(m, 0)
	return &cp
}

// builder holds the per-entry statistics while an Index is built. Term
// counts of all entries go into one slice (rows), entry after entry, so
// that building allocates little.
type builder struct {
	ix     *Index
	rows   []tfRow
	start  []int // rows[start[d]:start[d+1]] belong to entry d
	lens   [][numFields]float32
	surfDF map[string]int
	pairs  []docPair // every entry's adjacent term pairs
}

// tfRow counts one term in one entry, per field.
type tfRow struct {
	term    int32
	inTitle bool
	tf      [numFields]float32
}

func newBuilder(ix *Index) *builder {
	n := len(ix.entries)
	return &builder{
		ix:     ix,
		rows:   make([]tfRow, 0, 64*n),
		start:  make([]int, 0, n+1),
		lens:   make([][numFields]float32, n),
		surfDF: map[string]int{},
	}
}

func (b *builder) termID(t string) int32 {
	id, ok := b.ix.terms[t]
	if !ok {
		id = int32(len(b.ix.terms))
		b.ix.terms[t] = id
	}
	return id
}

// docText is one entry analysed and counted by a worker: its distinct
// terms with their counts per field, the words it uses, and its adjacent
// term pairs. Term IDs are assigned later, in order, by the builder.
type docText struct {
	terms []termCount
	lens  [numFields]float32
	seen  []string
	pairs [][2]string
	chips []string
	codes codeKinds
}

type termCount struct {
	term    string
	inTitle bool
	tf      [numFields]float32
}

// buildBatch is how many entries the workers analyse before the builder
// counts them: it bounds the memory held by analysed text.
const buildBatch = 128

// addAll analyses the entries in parallel (tokenising and stemming are most
// of the cost of building) and counts them in order, so that term IDs and
// postings do not depend on scheduling.
func (b *builder) addAll(phrasings map[string][]string) {
	entries := b.ix.entries
	workers := max(1, min(runtime.GOMAXPROCS(0), 8))
	ws := make([]*worker, workers)
	for w := range ws {
		ws[w] = &worker{an: b.ix.an, stems: map[string]string{}, index: map[string]int{}, seen: map[string]bool{}}
	}
	// analyse batch k+1 while counting batch k
	bufs := [2][]docText{make([]docText, buildBatch), make([]docText, buildBatch)}
	analyse := func(lo int, buf []docText) *sync.WaitGroup {
		hi := min(lo+buildBatch, len(entries))
		wg := &sync.WaitGroup{}
		for w, wk := range ws {
			wg.Go(func() {
				for d := lo + w; d < hi; d += workers {
					e := &entries[d]
					buf[d-lo] = wk.analyze(e, phrasings[e.ID])
				}
			})
		}
		return wg
	}
	wg := analyse(0, bufs[0])
	for k, lo := 0, 0; lo < len(entries); k, lo = k+1, lo+buildBatch {
		wg.Wait()
		if next := lo + buildBatch; next < len(entries) {
			wg = analyse(next, bufs[(k+1)%2])
		}
		for d := lo; d < min(lo+buildBatch, len(entries)); d++ {
			b.ix.byID[entries[d].ID] = d
			b.add(d, &bufs[k%2][d-lo])
		}
	}
	for _, wk := range ws {
		maps.Copy(b.ix.an.stems, wk.stems)
	}
}

// worker analyses entries with its own buffers and stem cache.
type worker struct {
	an    *analyzer
	stems map[string]string
	toks  []aToken
	whole []aToken
	index map[string]int // term -> position in the current docText.terms
	seen  map[string]bool
	dt    *docText
}

// analyze runs the analysis pipeline over every field of an entry.
func (wk *worker) analyze(e *knowledge.Entry, phrasings []string) docText {
	dt := docText{chips: entryChips(e)}
	wk.dt = &dt
	clear(wk.index)
	clear(wk.seen)
	body, code := entryText(e)
	wk.field(fieldTitle, e.Title)
	wk.field(fieldTags, e.Category)
	for _, t := range e.Tags {
		wk.field(fieldTags, t)
	}
	for _, c := range e.Chips {
		wk.field(fieldTags, c)
	}
	wk.field(fieldBody, body)
	wk.field(fieldCode, code)
	for _, p := range phrasings {
		wk.field(fieldExtra, p)
	}
	for w := range wk.seen {
		dt.seen = append(dt.seen, w)
	}
	return dt
}

// field counts one field: every non-stop token (parts of compounds
// included) and every lexicon group, and records adjacent pairs for the
// phrase bonus.
func (wk *worker) field(f field, text string) {
	wk.toks = wk.an.tokensInto(wk.toks[:0], text, wk.stems)
	for _, t := range wk.toks {
		if t.stop {
			continue
		}
		wk.count(f, t.term)
		if t.Kind == Word && !t.Part {
			wk.seen[t.Text] = true
		}
	}
	wk.whole = appendWhole(wk.whole[:0], wk.toks)
	for _, m := range wk.an.synonyms(wk.whole) {
		wk.count(f, m.group)
	}
	for i, t := range wk.whole {
		prev := ""
		if i > 0 {
			prev = wk.whole[i-1].term
		}
		wk.dt.codes |= codeKindOf(t.term, prev, t.Kind == Number)
	}
	if f != fieldTitle && f != fieldBody && f != fieldExtra {
		return
	}
	prev := ""
	for _, t := range wk.whole {
		if t.stop {
			continue
		}
		if prev != "" {
			wk.dt.pairs = append(wk.dt.pairs, [2]string{prev, t.term})
		}
		prev = t.term
	}
}

func (wk *worker) count(f field, term string) {
	i, ok := wk.index[term]
	if !ok {
		i = len(wk.dt.terms)
		wk.index[term] = i
		wk.dt.terms = append(wk.dt.terms, termCount{term: term})
	}
	tc := &wk.dt.terms[i]
	tc.tf[f]++
	tc.inTitle = tc.inTitle || f == fieldTitle || f == fieldExtra
	wk.dt.lens[f]++
}

// add gives an analysed entry's terms their IDs and records its counts.
func (b *builder) add(doc int, dt *docText) {
	b.start = append(b.start, len(b.rows))
	for _, tc := range dt.terms {
		b.rows = append(b.rows, tfRow{term: b.termID(tc.term), inTitle: tc.inTitle, tf: tc.tf})
	}
	b.lens[doc] = dt.lens
	for _, s := range dt.seen {
		b.surfDF[s]++
	}
	for _, p := range dt.pairs {
		b.pairs = append(b.pairs, docPair{pairKey(b.termID(p[0]), b.termID(p[1])), int32(doc)})
	}
	b.ix.docChips = append(b.ix.docChips, maskOfChips(dt.chips))
	b.ix.docCodes = append(b.ix.docCodes, dt.codes)
}

func pairKey(a, b int32) uint64 { return uint64(uint32(a))<<32 | uint64(uint32(b)) }

// docPair is an adjacent term pair of an entry.
type docPair struct {
	key uint64
	doc int32
}

// pairIndex lists the entries of each adjacent term pair, as postings do
// for terms: the ranker asks which of its candidates have a question's
// pairs, and a pair is in one or two entries on average.
type pairIndex struct {
	keys  []uint64 // sorted
	start []int32  // docs[start[i]:start[i+1]] have keys[i]
	docs  []int32  // sorted within a key
}

// newPairIndex indexes the pairs, listed entry by entry, of terms with IDs
// below terms.
func newPairIndex(pairs []docPair, terms int) pairIndex {
	pairs = sortPairs(pairs, terms)
	pairs = slices.Compact(pairs)
	var pi pairIndex
	pi.docs = make([]int32, len(pairs))
	for i, p := range pairs {
		if i == 0 || p.key != pairs[i-1].key {
			pi.keys = append(pi.keys, p.key)
			pi.start = append(pi.start, int32(i))
		}
		pi.docs[i] = p.doc
	}
	pi.start = append(pi.start, int32(len(pairs)))
	return pi
}

// sortPairs sorts pairs listed entry by entry by key, then entry: a
// counting sort by the first term (stable, so each first term's pairs stay
// in entry order), then each first term's few pairs by the second. A
// comparison sort of the 44,000 pairs of the corpus took 10 ms of the
// index build; this takes one.
func sortPairs(pairs []docPair, terms int) []docPair {
	start := make([]int32, terms+1)
	for _, p := range pairs {
		start[p.key>>32+1]++
	}
	for i := 1; i <= terms; i++ {
		start[i] += start[i-1]
	}
	next := slices.Clone(start[:terms])
	sorted := make([]docPair, len(pairs))
	for _, p := range pairs {
		a := p.key >> 32
		sorted[next[a]] = p
		next[a]++
	}
	for a := range terms {
		slices.SortStableFunc(sorted[start[a]:start[a+1]], func(x, y docPair) int { return cmp.Compare(x.key, y.key) })
	}
	return sorted
}

// find returns the index of a pair, or -1 when no entry has it.
func (pi *pairIndex) find(key uint64) int {
	if i, ok := slices.BinarySearch(pi.keys, key); ok {
		return i
	}
	return -1
}

// docsOf returns the entries with the pair of index i, sorted.
func (pi *pairIndex) docsOf(i int) []int32 { return pi.docs[pi.start[i]:pi.start[i+1]] }

// finish computes idf and the saturated frequencies of every posting.
func (b *builder) finish() {
	ix := b.ix
	n := len(ix.entries)
	b.start = append(b.start, len(b.rows))
	var avg [numFields]float64
	for _, l := range b.lens {
		for f := range avg {
			avg[f] += float64(l[f])
		}
	}
	for f := range avg {
		avg[f] = math.Max(avg[f]/math.Max(float64(n), 1), 1)
	}
	df := make([]int32, len(ix.terms))
	for _, r := range b.rows {
		df[r.term]++
	}
	ix.postings = make([][]posting, len(ix.terms))
	for id := range ix.postings {
		ix.postings[id] = make([]posting, 0, df[id])
	}
	for doc := range n {
		for _, r := range b.rows[b.start[doc]:b.start[doc+1]] {
			ix.postings[r.term] = append(ix.postings[r.term], posting{
				doc:    int32(doc),
				sat:    float32(saturate(&r.tf, &b.lens[doc], &avg)),
				title:  r.inTitle,
				fields: fieldBits(&r.tf),
			})
		}
	}
	ix.idf = make([]float64, len(ix.terms))
	ix.titleShare = make([]float32, len(ix.terms))
	for id, p := range ix.postings {
		ix.idf[id] = idf(n, len(p))
		titled := 0
		for _, po := range p {
			if po.title {
				titled++
			}
		}
		ix.titleShare[id] = float32(titled) / float32(max(len(p), 1))
	}
	ix.maxIDF = idf(n, 0)
	ix.titleMass = make([]float64, n)
	ix.lenFeature = make([]float64, n)
	ix.docKind = make([]askKind, n)
	for doc := range n {
		for _, r := range b.rows[b.start[doc]:b.start[doc+1]] {
			if r.tf[fieldTitle] > 0 {
				ix.titleMass[doc] += ix.idf[r.term]
			}
		}
		ix.lenFeature[doc] = math.Log1p(float64(b.lens[doc][fieldBody])) / 6
		ix.docKind[doc] = kindOfAsk(ix.an.tokens(ix.entries[doc].Title, nil))
	}
	ix.pairs = newPairIndex(b.pairs, len(ix.terms))
	ix.vocab = newVocabulary(b.surfDF, ix.an)
	ix.an.finishWords(ix.termID, ix.vocab.has)
	ix.sem = buildSemSpace(ix.postings, ix.idf, n)
}

// fieldBits has bit f set when tf[f] > 0.
func fieldBits(tf *[numFields]float32) uint8 {
	var b uint8
	for f, n := range tf {
		if n > 0 {
			b |= 1 << f
		}
	}
	return b
}

// saturate is BM25F's combined, length-normalised, saturated frequency.
func saturate(tf *[numFields]float32, lens *[numFields]float32, avg *[numFields]float64) float64 {
	x := 0.0
	for f := range numFields {
		if tf[f] == 0 {
			continue
		}
		norm := 1 - fieldB[f] + fieldB[f]*float64(lens[f])/avg[f]
		x += fieldWeights[f] * float64(tf[f]) / norm
	}
	return x * (k1 + 1) / (k1 + x)
}

// minIDFEntries is the smallest number of entries idf assumes. A tiny
// knowledge base (a test fixture, a one-page FAQ) would otherwise give every
// term an idf near zero, and the confidence model, fitted on real FAQ
// pages, would never answer: a term in one of three entries is as telling
// as one in one of thirty.
const minIDFEntries = 32

func idf(n, df int) float64 {
	n = max(n, minIDFEntries)
	return math.Log(1 + (float64(n)-float64(df)+0.5)/(float64(df)+0.5))
}

// entryChips returns the canonical chips an entry is about: its :CHIP:
// field and the chips its title names.
func entryChips(e *knowledge.Entry) []string {
	var out []string
	add := func(c string) {
		for _, x := range out {
			if x == c {
				return
			}
		}
		out = append(out, c)
	}
	for _, c := range e.Chips {
		if canon, ok := chipName(strings.ToLower(c)); ok {
			add(canon)
		}
	}
	for _, t := range Tokenize(Normalize(e.Title)) {
		if t.Kind == Chip {
			add(t.Text)
		}
	}
	return out
}
