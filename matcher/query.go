package matcher

import (
	"fmt"
	"strings"
)

// concept is one thing the question asks about: a word, an identifier, a
// lexicon phrase. Its alternatives are the index terms that express it (the
// word itself, its lexicon group, a typo correction); an entry matches the
// concept through its best alternative, so synonyms never count twice.
type concept struct {
	text       string
	alts       []alt
	importance float64
	weight     float64 // how much the concept counts in the score
	part       bool
	chip       string
	// unknownTerm: a technical term (not English) that no entry uses.
	unknownTerm bool
}

type alt struct {
	id   int32
	w    float64
	term string
}

// Weights of alternatives relative to the word as typed.
const (
	groupWeight      = 0.9  // a synonym from the lexicon
	correctionWeight = 0.8  // a typo correction
	constituentW     = 0.5  // one word of a matched lexicon phrase
	partImportance   = 0.3  // a part of a compound (the "wifi" of esp_wifi_set_ps)
	chipImportance   = 0.5  // chips say which entry fits best, rarely what is asked
	dictImportance   = 0.35 // an English word the FAQ never uses: often incidental
	commonImportance = 0.5  // one of the most common English words ("right away")
	identWeight      = 1.5  // an identifier or address quoted exactly is strong evidence
)

// queryPlan is an analysed question.
type queryPlan struct {
	concepts    []concept
	chips       []string
	corrections map[string]string
	expansions  map[string]string
}

// plan analyses a question into concepts.
func (ix *Index) plan(q string) *queryPlan {
	an := ix.an
	toks := an.tokens(Truncate(q), nil)
	whole := wholeTokens(toks)
	// per whole token: the lexicon phrase starting there, and whether it
	// is inside a longer phrase
	starts := make([]groupMatch, len(whole)+1)
	inPhrase := make([]bool, len(whole)+1)
	for _, m := range an.synonyms(whole) {
		starts[m.start] = m
		for i := m.start + 1; i < m.start+m.size; i++ {
			inPhrase[i] = true
		}
	}
	p := &queryPlan{concepts: make([]concept, 0, len(whole))}
	wi := -1
	for _, t := range toks {
		if !t.Part {
			wi++
		}
		if t.stop && !(wi >= 0 && starts[wi].size > 0 && !t.Part) {
			continue
		}
		if len(t.Text) < 2 && t.Kind == Word {
			continue // "s" of "10 s", "e" of "e.g.": no meaning alone
		}
		var c concept
		m := starts[max(wi, 0)]
		ok := m.size > 0
		switch {
		case t.Part:
			if len(t.Text) < 2 {
				continue
			}
			c = ix.wordConcept(p, t)
			c.part = true
		case ok && m.size > 1:
			c = ix.phraseConcept(p, whole[m.start:m.start+m.size], m.group)
		case wi >= 0 && inPhrase[wi]:
			continue
		default:
			c = ix.wordConcept(p, t)
			if ok {
				c.alts = append(c.alts, ix.alt(m.group, groupWeight))
				p.expand(t.Text, m.group)
			}
		}
		if p.has(c.alts[0].term) {
			continue
		}
		c.importance, c.weight = ix.importance(&c, t)
		p.concepts = append(p.concepts, c)
		if c.chip != "" {
			p.chips = append(p.chips, c.chip)
		}
	}
	return p
}

// has reports whether the plan already has a concept for term (a word
// asked twice counts once).
func (p *queryPlan) has(term string) bool {
	for i := range p.concepts {
		if p.concepts[i].alts[0].term == term {
			return true
		}
	}
	return false
}

func (p *queryPlan) expand(from, group string) {
	if p.expansions == nil {
		p.expansions = map[string]string{}
	}
	p.expansions[from] = group
}

func (ix *Index) alt(term string, w float64) alt {
	id, ok := ix.terms[term]
	if !ok {
		id = -1
	}
	return alt{id: id, w: w, term: term}
}

// wordConcept builds the concept of one token, with a typo correction when
// the word is unknown to the entries and to English.
func (ix *Index) wordConcept(p *queryPlan, t aToken) concept {
	c := concept{text: t.Text, alts: []alt{ix.alt(t.term, 1)}}
	if t.Kind == Chip {
		c.chip = t.Text
	}
	if t.Kind != Word || c.alts[0].id >= 0 || ix.an.dict.has(t.Text) {
		return c
	}
	if fix, ok := ix.vocab.correct(t.Text); ok {
		c.alts = append(c.alts, ix.alt(fix.term, correctionWeight))
		if p.corrections == nil {
			p.corrections = map[string]string{}
		}
		p.corrections[t.Text] = fix.word
	}
	return c
}

// phraseConcept builds the concept of a multi-word lexicon phrase: the
// group, or (partly) its words.
func (ix *Index) phraseConcept(p *queryPlan, words []aToken, group string) concept {
	c := concept{alts: []alt{ix.alt(group, 1)}}
	for i, w := range words {
		if i > 0 {
			c.text += " "
		}
		c.text += w.Text
		if !w.stop {
			c.alts = append(c.alts, ix.alt(w.term, constituentW))
		}
	}
	p.expand(c.text, group)
	return c
}

// importance is how much a concept matters to the question: its rarest
// known alternative's idf, or, for words the entries never use, a value
// that says how likely the word is to name the topic: unknown technical
// terms (snmp, lwm2m) name topics the FAQ does not cover; an unknown
// English word is often incidental; a number in a log line is noise.
func (ix *Index) importance(c *concept, t aToken) (imp, weight float64) {
	imp, weight = -1.0, 1.0
	for _, a := range c.alts {
		if a.id >= 0 && ix.idf[a.id] > imp {
			imp = ix.idf[a.id]
		}
	}
	if imp < 0 {
		switch {
		case t.Kind == Number:
			imp = 0.2 * ix.maxIDF
		case t.Kind == Word && ix.an.isEnglish(t.Text):
			imp = dictImportance * ix.maxIDF
		default:
			imp = ix.maxIDF
			c.unknownTerm = true
		}
	}
	if t.Kind == Word && len(c.alts) > 0 && c.alts[0].term == t.term && ix.an.common.has(t.Text) {
		imp *= commonImportance
	}
	if t.Kind == Ident || t.Kind == Number && strings.Contains(t.Text, ".") {
		weight = identWeight
	}
	if c.part {
		imp *= partImportance
		weight = partImportance
	}
	if c.chip != "" {
		imp *= chipImportance
	}
	return imp, weight
}

func (c concept) String() string {
	return fmt.Sprintf("%s(%.2f)", c.text, c.importance)
}
