package matcher

import (
	"slices"
	"sync"

	"github.com/kljensen/snowball/english"
)

// analyzer runs the analysis pipeline: normalise -> tokenize -> stop words
// -> synonyms (lexicon) -> stem. The same pipeline analyses entries at
// index time and questions at search time, so both meet on the same terms.
type analyzer struct {
	stop   map[string]bool
	dict   wordSet // English words: never typo-corrected
	common wordSet // the most common English words: weak evidence
	lex    *lexicon
	// stems caches Snowball stems while the index is built: the lexicon's
	// words, then the workers' own caches, merged. words replaces it when
	// the index is finished.
	stems map[string]string
	// words is what the query side asks of each word an entry or the
	// lexicon uses, found with one lookup instead of five (stop words,
	// stems, the vocabulary, common words, term IDs). It is only read
	// after building, so searches share it safely.
	words map[string]wordInfo
	// lexWords are the words of the lexicon's terms: typos are corrected
	// to them too, so that "range extneder" is still "range extender"
	// when no entry writes "extender".
	lexWords []string
}

// wordInfo is what analysis knows of one word of the index.
type wordInfo struct {
	stem  string
	id    int32 // the stem's term ID, or -1
	flags wordFlags
}

// wordFlags are the facts of a word that the query side tests.
type wordFlags uint8

const (
	wordKnown   wordFlags = 1 << iota // from the word table: id and the flags below hold
	wordStop                          // a stop word
	wordVocab                         // some entry uses it as a word (typo corrections go to these)
	wordCommon                        // one of the most common English words
	wordLexicon                       // a word of the lexicon's terms: never a typo
)

// newAnalyzer builds the pipeline with the built-in data plus extra lexicon
// lines.
func newAnalyzer(extra [][]string) (*analyzer, error) {
	w, err := builtinWords()
	if err != nil {
		return nil, err
	}
	a := &analyzer{
		stop:   w.stop,
		dict:   w.dict,
		common: w.common,
		stems:  make(map[string]string, 16384),
	}
	groups := append(slices.Clip(w.groups), extra...)
	a.lex = newLexicon(groups, a.phrase)
	a.lexWords = a.wordsOf(groups)
	return a, nil
}

// wordsOf returns the distinct words of the lexicon's terms, sorted.
func (a *analyzer) wordsOf(groups [][]string) []string {
	var out []string
	for _, g := range groups {
		for _, term := range g {
			for _, t := range Tokenize(Normalize(term)) {
				if t.Kind == Word && !t.Part {
					out = append(out, t.Text)
				}
			}
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// words is the built-in data of the pipeline, parsed once per process: it
// never changes after parsing, and every index build and reload shares it.
type words struct {
	stop   map[string]bool
	dict   wordSet
	common wordSet
	groups [][]string
}

var builtinWords = sync.OnceValues(func() (*words, error) {
	groups, err := ParseLexicon(builtinLexicon)
	if err != nil {
		return nil, err
	}
	w := &words{
		stop:   newWordSet(builtinStopWords).set(),
		dict:   newWordSet(englishWords),
		common: newWordSet(commonWords),
		groups: groups,
	}
	return w, nil
})

// aToken is a token with its index term.
type aToken struct {
	Token
	term  string
	stop  bool
	flags wordFlags // of a word in the word table
	id    int32     // with wordKnown: the term's ID, or -1
}

// tokens runs normalisation, tokenisation, stop-word marking and stemming.
// Stop words are marked, not dropped, so that lexicon phrases such as "too
// many open files" still match.
func (a *analyzer) tokens(text string, cache map[string]string) []aToken {
	return a.tokensInto(nil, text, cache)
}

// tokensInto is tokens appending to dst, so that index building can reuse
// one buffer.
func (a *analyzer) tokensInto(dst []aToken, text string, cache map[string]string) []aToken {
	toks := Tokenize(Normalize(text))
	dst = slices.Grow(dst, len(toks))
	for _, t := range toks {
		at := aToken{Token: t, term: t.Text}
		if t.Kind != Word {
			dst = append(dst, at)
			continue
		}
		if w, ok := a.words[t.Text]; ok {
			at.term, at.id, at.flags = w.stem, w.id, w.flags
			at.stop = w.flags&wordStop != 0
		} else {
			at.stop = a.stop[t.Text]
			at.term = a.stemWord(t.Text, cache)
		}
		dst = append(dst, at)
	}
	return dst
}

// stemWord is the stemming stage (Snowball English), for words the word
// table lacks (tokensInto looks there first): stems are cached in a.stems
// while the index is built, and in cache when it is not nil (a search's
// own; the shared tables are only read once built).
func (a *analyzer) stemWord(w string, cache map[string]string) string {
	if s, ok := a.stems[w]; ok {
		return s
	}
	if s, ok := cache[w]; ok {
		return s
	}
	s := english.Stem(w, true)
	if cache != nil {
		cache[w] = s
	}
	return s
}

// phrase analyses a lexicon term into its sequence of stems. Stop words
// are left out ("without a content-length" is "without content-length")
// unless the phrase would collapse to one word without them: "fail over"
// is not "fail".
func (a *analyzer) phrase(term string) []string {
	var all, content []string
	for _, t := range a.tokens(term, a.stems) {
		if t.Part {
			continue
		}
		all = append(all, t.term)
		if !t.stop {
			content = append(content, t.term)
		}
	}
	if len(content) == 1 && len(all) > 1 {
		return all
	}
	return content
}

// groupMatch is a lexicon phrase found in a token stream.
type groupMatch struct {
	group string
	start int // index into the whole-token slice
	size  int
}

// synonyms is the lexicon stage: it finds the longest lexicon phrase at
// each position of the whole (non-part) tokens, stop words included.
func (a *analyzer) synonyms(whole []aToken) []groupMatch {
	var out []groupMatch
	for i := 0; i < len(whole); {
		g, n := a.lex.longest(whole[i:])
		if n == 0 {
			i++
			continue
		}
		out = append(out, groupMatch{group: g, start: i, size: n})
		i += n
	}
	return out
}

// wholeTokens returns the tokens that are not parts of a compound.
func wholeTokens(toks []aToken) []aToken {
	return appendWhole(make([]aToken, 0, len(toks)), toks)
}

func appendWhole(dst, toks []aToken) []aToken {
	for _, t := range toks {
		if !t.Part {
			dst = append(dst, t)
		}
	}
	return dst
}

// finishWords replaces the stem cache with the word table, once the index
// knows its terms (id) and vocabulary (vocab).
func (a *analyzer) finishWords(id func(term string) int32, vocab func(word string) bool) {
	a.words = make(map[string]wordInfo, len(a.stems))
	for w, stem := range a.stems {
		info := wordInfo{stem: stem, id: id(stem), flags: wordKnown}
		if a.stop[w] {
			info.flags |= wordStop
		}
		if vocab(w) {
			info.flags |= wordVocab
		}
		if a.common.has(w) {
			info.flags |= wordCommon
		}
		if _, ok := slices.BinarySearch(a.lexWords, w); ok {
			info.flags |= wordLexicon
		}
		a.words[w] = info
	}
	a.stems = nil
}

// isCommon reports one of the most common English words.
func (a *analyzer) isCommon(t aToken) bool {
	if t.flags&wordKnown != 0 {
		return t.flags&wordCommon != 0
	}
	return a.common.has(t.Text)
}
