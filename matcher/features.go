package matcher

import "math"

// The learned model has three parts, each a weighted sum of named
// features: the term model (how likely an answering entry is to contain a
// question's concept), the ranker (how well an entry fits the question) and
// the decision (the probability that the best entry answers it). The
// feature names are the model file's keys.

// Term features, of one concept of a question.
const (
	tfBias        = iota
	tfIDF         // idf of the rarest known alternative, over the index's maximum
	tfUnknown     // no entry uses any alternative
	tfUnknownTech // ... and it is not an English word (snmp, lwm2m)
	tfNumber      // digits: "300", "192.168.4.1"
	tfVersion     // "v4.4"
	tfIdent       // esp_wifi_set_ps, at+cipserver, 0x2800
	tfChip        // esp32s3
	tfPart        // a part of a compound (the "wifi" of esp_wifi_set_ps)
	tfCommon      // one of the most common English words
	tfPhrase      // a multi-word lexicon phrase
	tfSynonym     // has a lexicon synonym
	tfTypo        // has a typo correction
	tfShort       // three letters or fewer
	tfTitleShare  // share of the entries using it that have it in their title
	tfQueryLen    // log of the question's number of concepts, each counting by its focus
	tfAssoc       // has a learned association
	tfAsking      // comes from the asking sentence of a question of several
	tfContext     // comes from a sentence around it
	numTermFeatures
)

var termFeatureNames = [numTermFeatures]string{
	"bias", "idf", "unknown", "unknown-technical", "number", "version", "identifier", "chip",
	"part", "common-word", "phrase", "synonym", "typo", "short", "title-share", "question-length",
	"association", "asking-sentence", "context-sentence",
}

// termFeatures describes concept c of a question of n concepts (each
// counting by its focus, see queryPlan.size).
func (ix *Index) termFeatures(c *concept, n float64, x *[numTermFeatures]float64) {
	*x = [numTermFeatures]float64{}
	x[tfBias] = 1
	x[tfIDF] = c.idf / ix.maxIDF
	if c.unknown {
		x[tfIDF] = 0
		x[tfUnknown] = 1
	}
	x[tfUnknownTech] = b2f(c.unknownTerm)
	x[tfNumber] = b2f(c.kind == Number)
	x[tfVersion] = b2f(c.kind == Version)
	x[tfIdent] = b2f(c.kind == Ident)
	x[tfChip] = b2f(c.chip != "")
	x[tfPart] = b2f(c.part)
	x[tfCommon] = b2f(c.common)
	x[tfPhrase] = b2f(c.phrase)
	for _, a := range c.alts {
		x[tfSynonym] = math.Max(x[tfSynonym], b2f(a.kind == altGroup))
		x[tfAssoc] = math.Max(x[tfAssoc], b2f(a.kind == altAssoc))
	}
	x[tfTypo] = b2f(c.corrected)
	x[tfShort] = b2f(len(c.text) <= 3)
	if id := c.alts[0].id; id >= 0 {
		x[tfTitleShare] = float64(ix.titleShare[id])
	}
	x[tfQueryLen] = math.Log1p(n)
	x[tfAsking] = b2f(c.role == roleAsking)
	x[tfContext] = b2f(c.role == roleContext)
}

// Ranking features, of one candidate entry for a question.
const (
	rfScore        = iota // first-stage (BM25F) score over the question's maximum
	rfCoverage            // share of the question's importance the entry matches
	rfTitle               // ... in its title
	rfMissing             // importance of the most important concept it lacks, over the maximum idf
	rfMatched             // share of the question's concepts it matches
	rfPhrase              // share of adjacent question words adjacent in the entry
	rfChipMatch           // the entry is about a chip the question names
	rfChipOther           // the entry is only about other chips
	rfPage                // the learned prior of the entry's page
	rfAssoc               // share of its score through learned associations
	rfRelative            // its score over the best first-stage score
	rfRank                // log of its first-stage rank
	rfTitleRecall         // share of its title's terms (by idf) the question matches
	rfLength              // log of the length of its answer
	rfSemantic            // cosine of question and entry in the latent semantic space, over the candidates' mean
	rfKind                // the question asks the same kind of question as the title (how, why, yes/no...)
	rfSpan                // share of the question's words (a phrase counts its words) the entry matches
	rfBody                // share of the question's importance the entry's answer text matches
	rfCode                // ... its code blocks and links
	rfTags                // ... its page, tags and chips
	rfExact               // ... through the words as typed (no synonym, correction or association)
	rfLocal               // share of the question's importance it matches, each concept weighted by how few candidates match it
	rfLocalTitle          // ... in its title
	rfCodeConflict        // the entry names another error code of a kind the question asks about (hex, errno, reason)
	numRankFeatures
)

var rankFeatureNames = [numRankFeatures]string{
	"score", "coverage", "title-coverage", "missing", "matched", "phrase", "chip-match",
	"chip-other", "page", "association", "relative", "rank", "title-recall", "length", "semantic", "question-kind", "words", "body-coverage",
	"code-coverage", "tag-coverage", "exact-coverage", "local-coverage", "local-title", "code-conflict",
}

// Decision features, of the best entry (and, for suggestions, the others):
// how it stands against its rivals, what the question is like, and the
// entry's own ranking features.
const (
	dfBias              = iota
	dfScore                                         // the ranker's score of the entry
	dfMargin                                        // its lead over the best other candidate
	dfSoftmax                                       // its share of the candidates' softmax probability
	dfStrength                                      // matched importance over the maximum idf (absolute evidence)
	dfUnknownTech                                   // share of the question's concepts that are unknown technical terms
	dfUnknown                                       // share of the question's concepts no entry uses
	dfConcepts                                      // log of the number of concepts
	dfRarest                                        // the rarest concept the entry matches: idf over the maximum
	dfCommon                                        // share of the question's importance in common English words
	dfVocab                                         // share of the question's words that the FAQ uses
	dfAnchor                                        // the question names a chip, a known identifier or a lexicon term
	dfStops                                         // share of the question's words that are stop words and chat filler
	dfSize                                          // log of the number of entries of the knowledge base, over log(1000)
	dfSizeSoftmax                                   // size times softmax: a lead means more among many entries
	dfSizeCoverage                                  // size times the entry's coverage
	dfStatement                                     // the message asks nothing: no question mark and no question word
	dfEntry                                         // first of the entry's ranking features
	dfLead              = dfEntry + numRankFeatures // first of their differences with the best rival's
	numDecisionFeatures = dfLead + numRankFeatures
)

var decisionFeatureNames = [numDecisionFeatures]string{
	"bias", "score", "margin", "softmax", "strength", "unknown-technical", "unknown", "concepts",
	"rarest", "common-words", "vocabulary", "anchor", "stop-words", "knowledge-size", "size-softmax", "size-coverage",
	"statement",
	"entry-score", "entry-coverage", "entry-title-coverage", "entry-missing", "entry-matched",
	"entry-phrase", "entry-chip-match", "entry-chip-other", "entry-page", "entry-association",
	"entry-relative", "entry-rank", "entry-title-recall", "entry-length", "entry-semantic",
	"entry-question-kind", "entry-words", "entry-body-coverage", "entry-code-coverage",
	"entry-tag-coverage", "entry-exact-coverage", "entry-local-coverage", "entry-local-title",
	"entry-code-conflict",
	"lead-score", "lead-coverage", "lead-title-coverage", "lead-missing", "lead-matched",
	"lead-phrase", "lead-chip-match", "lead-chip-other", "lead-page", "lead-association",
	"lead-relative", "lead-rank", "lead-title-recall", "lead-length", "lead-semantic",
	"lead-question-kind", "lead-words", "lead-body-coverage", "lead-code-coverage",
	"lead-tag-coverage", "lead-exact-coverage", "lead-local-coverage", "lead-local-title",
	"lead-code-conflict",
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

func dot(w, x []float64) float64 {
	s := 0.0
	for i := range x {
		s += w[i] * x[i]
	}
	return s
}

func sigmoid(x float64) float64 { return 1 / (1 + math.Exp(-x)) }

// askKind is the kind of question a text asks, from its first question
// word: FAQ titles ("How to...", "Why does...", "Does ESP32 support...")
// and chat questions that ask the same kind tend to go together.
type askKind uint8

const (
	askOther askKind = iota
	askHow
	askWhy
	askWhat
	askYesNo
	askWhen
)

// askWord returns the kind a question word asks.
func askWord(w string) (askKind, bool) {
	switch w {
	case "how":
		return askHow, true
	case "why":
		return askWhy, true
	case "what", "whats", "which":
		return askWhat, true
	case "does", "do", "can", "is", "are", "will", "could", "should", "has":
		return askYesNo, true
	case "when":
		return askWhen, true
	}
	return askOther, false
}

// kindOfAsk returns the kind of the first question word among the first
// words of text. A verb after its pronoun asks nothing: "sorry if this is
// a dumb question, but how do I..." asks how, where "is this..." asks yes
// or no.
func kindOfAsk(toks []aToken) askKind {
	n := 0
	prev := ""
	for _, t := range toks {
		if t.Part || t.Kind != Word {
			continue
		}
		if k, ok := askWord(t.Text); ok && !(k == askYesNo && subjectPronoun(prev)) {
			return k
		}
		if n++; n >= 8 {
			break
		}
		prev = t.Text
	}
	return askOther
}

// subjectPronoun reports a pronoun that is the subject of the verb after
// it in a statement ("it is", "this can", "i do").
func subjectPronoun(w string) bool {
	switch w {
	case "i", "you", "we", "they", "he", "she", "it", "this", "that", "there":
		return true
	}
	return false
}
