// Package matcher ranks FAQ entries against a chat message and decides
// whether the best one really answers it.
package matcher

import (
	"github.com/espbot/espbot/knowledge"
)

// Options tune an Index. The zero value is usable: it searches with the
// shipped model and its thresholds.
type Options struct {
	// AnswerThreshold is the confidence at or above which Search answers
	// (0: the model's).
	AnswerThreshold float64
	// Model is the learned model (nil: DefaultModel).
	Model *Model
	// Lexicon adds equivalences to the built-in domain lexicon; each line is
	// a group of terms separated by "/", e.g. "lag / latency / delay".
	Lexicon []string
	// Phrasings are accepted alternate phrasings of questions, by entry ID,
	// indexed like the entry's title.
	Phrasings map[string][]string
}

// Hit is one ranked entry.
type Hit struct {
	Entry      *knowledge.Entry
	Score      float64
	Confidence float64 // in [0, 1]
}

// Result is the outcome of a Search.
type Result struct {
	// Query is the question as given.
	Query string
	// Answered is the decision: true when Best is good enough to give.
	Answered bool
	// Confidence of Best, in [0, 1]; 0 when there is no Best.
	Confidence float64
	// Best is the top-ranked entry, or nil when nothing matched at all. It
	// is set even when Answered is false, so callers can offer it as a
	// suggestion.
	Best *Hit
	// Alternatives are up to three further entries worth suggesting.
	Alternatives []Hit
	// NotEnglish says the question is written in another language: it is
	// never answered, since it would be guessed at from its few English
	// words, so callers can say why and ask for it in English.
	NotEnglish bool
	// Withheld says why Best is never given as an answer, whatever its
	// confidence ("not English", "a single word", "a closing remark"...):
	// the question only gets suggestions. Empty when the confidence
	// decides.
	Withheld string
	// Explanation is filled only by Explain.
	Explanation *Explanation
}

// Explanation says why Search ranked and decided as it did.
type Explanation struct {
	Terms       []string          // analysed query terms
	Expansions  map[string]string // lexicon expansions: term -> added terms
	Corrections map[string]string // typo corrections: typed -> corrected
	Chips       []string          // chips named by the query
	Details     []string          // human-readable lines: per-field contributions, bonuses, decision
}
