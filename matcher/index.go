package matcher

import (
	"math"
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
// most; code and URLs are noisy and count least.
var fieldWeights = [numFields]float64{2.0, 1.5, 1.0, 0.4, 2.0}

var fieldB = [numFields]float64{0.5, 0.3, 0.75, 0.75, 0.5}

// k1 is BM25's term-frequency saturation.
const k1 = 2.0

// posting is one entry containing a term, with the term's saturated,
// length-normalised BM25F frequency precomputed (idf is applied at search
// time).
type posting struct {
	doc   int32
	sat   float32
	title bool // the term is in the entry's title (or alternate phrasing)
}

// Index is a searchable set of FAQ entries. It is immutable once built and
// safe for concurrent use.
type Index struct {
	entries   []knowledge.Entry
	byID      map[string]int
	threshold float64
	an        *analyzer

	terms    map[string]int32
	idf      []float64
	postings [][]posting
	bigrams  map[uint64][]int32
	docChips [][]string
	vocab    vocabulary
	maxIDF   float64
	pool     sync.Pool // *scratch
}

// DefaultAnswerThreshold is the confidence from which Search answers when
// Options.AnswerThreshold is zero. Chosen on the development question sets:
// below it, wrong answers outnumber right ones.
const DefaultAnswerThreshold = 0.68

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
	ix := &Index{
		entries:   append([]knowledge.Entry(nil), entries...),
		byID:      make(map[string]int, len(entries)),
		threshold: opts.AnswerThreshold,
		an:        an,
		terms:     make(map[string]int32, 8192),
		bigrams:   make(map[uint64][]int32, 32768),
	}
	if ix.threshold == 0 {
		ix.threshold = DefaultAnswerThreshold
	}
	b := newBuilder(ix)
	for i := range ix.entries {
		ix.byID[ix.entries[i].ID] = i
		b.add(i, &ix.entries[i], opts.Phrasings[ix.entries[i].ID])
	}
	b.finish()
	return ix, nil
}

// builder holds the per-entry statistics while an Index is built.
type builder struct {
	ix      *Index
	tf      []map[int32]*[numFields]float32
	lens    [][numFields]float32
	inTitle []map[int32]bool
	surfDF  map[string]int
}

func newBuilder(ix *Index) *builder {
	n := len(ix.entries)
	return &builder{
		ix:      ix,
		tf:      make([]map[int32]*[numFields]float32, n),
		lens:    make([][numFields]float32, n),
		inTitle: make([]map[int32]bool, n),
		surfDF:  map[string]int{},
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

// add analyses one entry's fields.
func (b *builder) add(doc int, e *knowledge.Entry, phrasings []string) {
	b.tf[doc] = map[int32]*[numFields]float32{}
	b.inTitle[doc] = map[int32]bool{}
	body, code := entryText(e)
	tags := strings.Join(append(append([]string{e.Category}, e.Tags...), e.Chips...), " ")
	seen := map[string]bool{}
	b.addField(doc, fieldTitle, e.Title, seen)
	b.addField(doc, fieldTags, tags, seen)
	b.addField(doc, fieldBody, body, seen)
	b.addField(doc, fieldCode, code, seen)
	for _, p := range phrasings {
		b.addField(doc, fieldExtra, p, seen)
	}
	for s := range seen {
		b.surfDF[s]++
	}
	b.ix.docChips = append(b.ix.docChips, entryChips(b.ix.an, e))
}

// addField counts the terms of one field: every non-stop token (parts of
// compounds included) and every lexicon group, and records adjacent pairs
// for the phrase bonus.
func (b *builder) addField(doc int, f field, text string, seen map[string]bool) {
	toks := b.ix.an.tokens(text, true)
	count := func(term string) {
		id := b.termID(term)
		c := b.tf[doc][id]
		if c == nil {
			c = new([numFields]float32)
			b.tf[doc][id] = c
		}
		c[f]++
		b.lens[doc][f]++
		if f == fieldTitle || f == fieldExtra {
			b.inTitle[doc][id] = true
		}
	}
	for _, t := range toks {
		if t.stop {
			continue
		}
		count(t.term)
		if t.Kind == Word && !t.Part {
			seen[t.Text] = true
		}
	}
	whole := wholeTokens(toks)
	for _, m := range b.ix.an.synonyms(whole) {
		count(m.group)
	}
	if f == fieldTitle || f == fieldBody || f == fieldExtra {
		b.addBigrams(doc, whole)
	}
}

func (b *builder) addBigrams(doc int, whole []aToken) {
	prev := int32(-1)
	for _, t := range whole {
		if t.stop {
			continue
		}
		id := b.termID(t.term)
		if prev >= 0 {
			k := pairKey(prev, id)
			docs := b.ix.bigrams[k]
			if len(docs) == 0 || docs[len(docs)-1] != int32(doc) {
				b.ix.bigrams[k] = append(docs, int32(doc))
			}
		}
		prev = id
	}
}

func pairKey(a, b int32) uint64 { return uint64(uint32(a))<<32 | uint64(uint32(b)) }

// finish computes idf and the saturated frequencies of every posting.
func (b *builder) finish() {
	ix := b.ix
	n := len(ix.entries)
	var avg [numFields]float64
	for _, l := range b.lens {
		for f := range avg {
			avg[f] += float64(l[f])
		}
	}
	for f := range avg {
		avg[f] = math.Max(avg[f]/math.Max(float64(n), 1), 1)
	}
	ix.postings = make([][]posting, len(ix.terms))
	for doc := range n {
		for id, tf := range b.tf[doc] {
			ix.postings[id] = append(ix.postings[id], posting{
				doc:   int32(doc),
				sat:   float32(saturate(tf, &b.lens[doc], &avg)),
				title: b.inTitle[doc][id],
			})
		}
	}
	ix.idf = make([]float64, len(ix.terms))
	for id, p := range ix.postings {
		ix.idf[id] = idf(n, len(p))
	}
	ix.maxIDF = idf(n, 0)
	ix.vocab = newVocabulary(b.surfDF, ix.an)
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

func idf(n, df int) float64 {
	return math.Log(1 + (float64(n)-float64(df)+0.5)/(float64(df)+0.5))
}

// entryChips returns the canonical chips an entry is about: its :CHIP:
// field and the chips its title names.
func entryChips(an *analyzer, e *knowledge.Entry) []string {
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
