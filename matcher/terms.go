package matcher

import "github.com/kljensen/snowball/english"

// TermAnalyzer turns free text into the content terms the index would use
// for it, without an index: for grouping similar questions (espbot report).
// It is safe for concurrent use.
type TermAnalyzer struct {
	stop wordSet
}

// NewTermAnalyzer returns an analyzer with the built-in stop words.
func NewTermAnalyzer() *TermAnalyzer {
	return &TermAnalyzer{stop: newWordSet(builtinStopWords)}
}

// Terms returns text's content terms in order, once each: normalised,
// tokenized, stop words and compound parts dropped, words stemmed;
// identifiers, chips, versions and numbers kept as tokenized.
func (a *TermAnalyzer) Terms(text string) []string {
	var out []string
	seen := map[string]bool{}
	for _, t := range Tokenize(Normalize(text)) {
		if t.Part {
			continue
		}
		term := t.Text
		if t.Kind == Word {
			if a.stop.has(term) {
				continue
			}
			term = english.Stem(term, true)
		}
		if !seen[term] {
			seen[term] = true
			out = append(out, term)
		}
	}
	return out
}
