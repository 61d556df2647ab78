package matcher

import (
	"fmt"
	"math"
	"math/bits"
	"slices"
	"strings"
)

// concept is one thing the question asks about: a word, an identifier, a
// lexicon phrase. Its alternatives are the index terms that express it (the
// word itself, its lexicon group, a typo correction, a learned
// association); an entry matches the concept through its best alternative,
// so synonyms never count twice.
type concept struct {
	text string
	alts []alt
	k    string // key(), once find has computed it
	// idf is the rarest known alternative's idf (the index's maximum for a
	// term no entry uses).
	idf float64
	// need is the learned probability that an entry answering the question
	// contains the concept: it multiplies the concept's score contributions,
	// and importance (idf * need) is its share of the question.
	need float64
	// weight is how much its matches count in the BM25F score: the focus
	// times the square root of the learned probability, which ranks better
	// on held-out entries than the probability itself (too steep) or
	// nothing (every chat word as loud as a term).
	weight     float64
	importance float64
	kind       TokenKind
	part       bool
	// parent is the concept of the identifier a part belongs to, or -1:
	// an entry that matches the whole needs its parts less
	parent    int
	chip      string
	phrase    bool // a multi-word lexicon phrase
	span      int  // question words it stands for: 1, more for a phrase, 0 for a part
	corrected bool // has a typo correction
	// focus is how much the part of the post it comes from counts (1 for
	// the asking sentence and error lines, less for logs and boilerplate).
	focus float64
	role  sentenceRole // the kind of sentence it comes from (asking wins)
	// unknownTerm: a technical term (not English) that no entry uses.
	unknownTerm bool
	unknown     bool // no alternative is in the index
	english     bool
	common      bool
	// hardware: a module or board the asker works with ("ESP32-WROOM-32D",
	// "devkitc"), or a name made of set-up alone ("arduino-esp32"), or a
	// part of one
	hardware bool
}

// altKind says where an alternative comes from.
type altKind uint8

const (
	altWord       altKind = iota // the term as typed
	altGroup                     // a lexicon synonym group
	altCorrection                // a typo correction
	altPart                      // one word of a matched lexicon phrase
	altAssoc                     // a learned association
)

type alt struct {
	id   int32
	w    float64
	term string
	kind altKind
}

// Weights of alternatives relative to the word as typed.
const (
	groupWeight      = 0.9 // a synonym from the lexicon
	correctionWeight = 0.8 // a typo correction
	constituentW     = 0.5 // one word of a matched lexicon phrase
)

// queryPlan is an analysed question.
type queryPlan struct {
	altPool     []alt // backs the concepts' first alternatives (oneAlt)
	concepts    []concept
	chips       []string
	corrections map[string]string
	expansions  map[string]string
	foreign     bool    // the question is not written in English
	closing     bool    // a closing remark ("nvm, it was the cable"): asks nothing
	asks        bool    // it has a question mark
	post        bool    // it is a long post: its own ranker and decision
	otherVendor bool    // names another vendor's chip or board, and no Espressif one
	hostSide    bool    // a Python traceback that names no Espressif product or tool
	read                // what its sentences say besides their concepts
	total       float64 // sum of the concepts' importance
	span        float64 // sum of the concepts' spans, each by its focus
	maxScore    float64 // the score of an entry matching every concept fully
	// the concepts (of the first maskBits) that are error codes it asks
	// about, of each kind
	codesAsked [numCodeKinds]uint64
	chipsAsked chipMask // the chips it names, for comparing with entries
}

// read is what a question's sentences say besides their concepts, kept
// apart so that a sentence which says nothing can be taken back
// (queryPlan.forget).
type read struct {
	kind      askKind // what kind of question it asks
	words     int     // words of three letters or more, stop words aside
	known     int     // ... that some entry uses
	strange   int     // ... that are neither the FAQ's nor English
	fixed     int     // ... of those, the ones the typo corrector reads as a known word
	anchored  bool    // names a chip, a known identifier or a lexicon term
	espressif bool    // names Espressif or one of its products or chips
	tokens    int     // whole tokens
	stops     int     // ... that are stop words
}

// plan analyses a question into concepts and weighs them with the learned
// term model.
func (ix *Index) plan(q string) *queryPlan { return ix.planCached(q, nil) }

// planCached is plan with a cache of the stems of words the index does not
// have, the search's own (nil: none).
func (ix *Index) planCached(q string, stems map[string]string) *queryPlan {
	segs, long := focus(q, ix.an.stop)
	p := &queryPlan{post: long, closing: !long && ClosingRemark(q)}
	trouble := false // an asking sentence or an error line
	for _, s := range segs {
		// a heading of an issue form ("What is the expected behavior?")
		// does not make the post ask
		p.asks = p.asks || s.weight >= focusProse && hasQuestionMark(s.text)
		trouble = trouble || s.weight == focusAsk
		from, before := len(p.concepts), p.read
		ix.addConcepts(p, s, stems)
		if long {
			if s.weight > focusBoilerplate && p.idle(s, from) {
				p.forget(from, before) // "first post here, so sorry if this is in the wrong section."
			}
			continue
		}
		if len(segs) < 2 {
			continue
		}
		asking := s.addendum && hasQuestionMark(s.text) // a question of its own
		switch {
		case !asking && s.field:
			// a field of the set-up ("Board: ESP32-WROOM-32E, powered
			// via USB.") says what the asker works with, whatever its
			// words, even where they are the FAQ's: only the chips and
			// versions it names stay, as a note's, its modules' too
			p.keepAsNote(from, func(c *concept) bool { return c.chip != "" || c.kind == Version })
			p.read = before
		case !asking && (p.idle(s, from) || fruitless(s)):
			p.forget(from, before)
		case s.preamble || asking:
			// it says something: part of its sentence after all, or
			// what the asker thought of asking next
		case s.addendum:
			// what an addendum adds ("Update: still no luck after a
			// reboot") is a note beside the question
			p.lowerFocus(from)
		case s.role != roleAsking && p.anotherVendors(from):
			// the rest of the asker's system ("It talks to an STM32 over
			// UART."): what the question runs beside, not what it asks
			p.lowerFocus(from)
		case p.setupNote(from, s.role):
			// nor does it make the question one about an Espressif
			// product: "what's a good 3D printer? (esp-idf v5.1.2)"
			p.anchored, p.espressif = before.anchored, before.espressif
		}
	}
	p.closing = p.closing || long && !trouble && solved(segs)
	p.foreign = isForeign(segs, p)
	p.otherVendor = p.otherVendor && !p.espressif
	p.hostSide = !p.espressif && strings.Contains(q, pythonTraceback)
	p.yieldImpliedChips()
	p.markCodes()
	p.chipsAsked = askedChips(p.chips)
	ix.weigh(p)
	return p
}

// markCodes records which of the concepts a question asks about are error
// codes, by kind.
func (p *queryPlan) markCodes() {
	prev := ""
	for i := range min(len(p.concepts), maskBits) {
		c := &p.concepts[i]
		if c.part {
			continue
		}
		kind := codeKindOf(c.alts[0].term, prev, c.kind == Number)
		if c.phrase && strings.HasPrefix(c.text, "errno ") {
			kind = errnoCodes // "errno 23", a lexicon phrase
		}
		if kind != 0 && c.focus >= focusProse {
			p.codesAsked[bits.TrailingZeros8(uint8(kind))] |= 1 << i
		}
		prev = c.lastTerm()
	}
}

// lastTerm is the term of the concept's last word: of a phrase
// ("disconnection reason"), its last word's.
func (c *concept) lastTerm() string {
	last := c.alts[0].term
	if c.phrase {
		for _, a := range c.alts {
			if a.kind == altPart {
				last = a.term
			}
		}
	}
	return last
}

// solved reports whether one of a long post's own sentences says the
// problem is solved: a post that says "never mind, it was the cable", and
// nothing that still asks or fails, reports, as a closing remark does.
func solved(segs []segment) bool {
	for _, s := range segs {
		if s.weight >= focusProse && ClosingRemark(s.text) {
			return true
		}
	}
	return false
}

// suggestOnly says why the question gets suggestions and never an answer,
// or "" when it may be answered: a question in another language would be
// guessed at from its few English words, and one about another vendor's
// board ("can the Raspberry Pi Pico W do WPA3?") reads like a real
// question that some entry about ESP32 seems to answer; a closing remark
// asks nothing at all.
func (p *queryPlan) suggestOnly() string {
	switch {
	case p.foreign:
		return "not English"
	case p.closing:
		return "a closing remark"
	case p.otherVendor:
		return "about another vendor's device"
	case p.hostSide:
		return "about software on a computer"
	case p.bare():
		return "a single word"
	}
	return ""
}

// pythonTraceback opens the traceback of a Python program. One that names
// no Espressif product or tool (esptool, idf.py and the ESP-IDF folder
// all do) is about software on the asker's computer: an entry about
// errno in ESP-IDF has its words ("[Errno 2] No such file or directory")
// but does not answer it.
const pythonTraceback = "Traceback (most recent call last)"

// suggestsOnly is suggestOnly with the best of the ranked candidates
// (nil: none): a question whose best entry shares nothing with it but
// versions, chips and the FAQ's commonest words ("ok, lunch time, back
// soon (esp-idf v5.1.2)" and the entry about a TLS error in ESP-IDF
// v5.1.2) asks nothing that entry answers, however much of the question
// it covers.
func (p *queryPlan) suggestsOnly(best *candidate) string {
	if why := p.suggestOnly(); why != "" {
		return why
	}
	if best != nil && p.onlyContext(best.mask) {
		return "matched only in its versions, chips and common words"
	}
	return ""
}

// onlyContext reports whether the concepts of mask are all context:
// versions, chips, development environments and the concepts most entries
// share. Numbers are not: "802.11r" and "127.0.0.1" are what a question
// asks. A question of more concepts than the mask tracks (maskBits, a long
// post) is never only context: what else it matches is not known.
func (p *queryPlan) onlyContext(mask uint64) bool {
	if len(p.concepts) > maskBits {
		return false
	}
	for j := range p.concepts {
		if mask&(1<<j) != 0 && !p.concepts[j].context() {
			return false
		}
	}
	return true
}

// context reports a concept that says what the asker works with, not what
// they ask: a version, a chip, a development environment, or a concept
// most entries share.
func (c *concept) context() bool {
	return c.kind == Version || c.chip != "" || c.idf < commonConcept || devEnvironmentName(c.text) || c.hardware
}

// devEnvironmentName reports a name made of the words of development
// environments alone ("idf", the lexicon phrase "rtos sdk").
func devEnvironmentName(name string) bool {
	if name == "vs code" || name == "visual studio code" {
		return true // the lexicon's phrases of "vscode", words of other things alone
	}
	some := false
	for w := range strings.FieldsSeq(name) {
		if !devEnvironment(w) {
			return false
		}
		some = true
	}
	return some
}

// saysNothing reports whether the concepts from index from on are all
// context, everyday English or words no entry uses, or, in a sentence
// with a mark of an introduction (marked), the marks' words: such a
// sentence ("First time posting here.", "Follow-up to my last post:")
// says who asks, not what.
func (p *queryPlan) saysNothing(from int, marked bool) bool {
	for i := range p.concepts[from:] {
		c := &p.concepts[from+i]
		if !c.context() && !c.common && !c.unknown && !(marked && introMarks.words[c.text]) {
			return false
		}
	}
	return true
}

// idle reports whether segment s, whose concepts start at index from,
// says nothing of the question: an opening clause or a sentence with a
// mark of an introduction, or an addendum, with nothing else to say. The
// mark is looked for last: most sentences say something.
func (p *queryPlan) idle(s segment, from int) bool {
	if !p.saysNothing(from, true) {
		return false
	}
	return s.preamble || introduction(s.text) || s.addendum && p.saysNothing(from, false)
}

// fruitless reports an addendum that says an attempt changed nothing
// ("Update: still no luck after a reboot.", "EDIT: tried another power
// supply, no change."): what was tried seldom tells the entry apart.
func fruitless(s segment) bool {
	return s.addendum && noProgress.match(strings.ReplaceAll(s.text, "'", ""))
}

// noProgress are the marks of an attempt that changed nothing, without
// apostrophes.
var noProgress = newPhraseSet("no luck|change|difference|improvement|success", "still no|nothing",
	"didnt|doesnt|wont|havent help|helped|work|change|fix", "did|does|has|have not help|helped|work|change|fix",
	"make|made|makes no|any difference", "same result|results|problem|issue|error|thing|behaviour|behavior",
	"still the same", "nothing changed")

// forget takes back a sentence that says nothing, whose concepts start at
// index from, and what it added to what the plan read (before: what the
// plan had read without it); only its chips and versions stay, as a
// set-up note's do: they say what the asker works with.
func (p *queryPlan) forget(from int, before read) {
	p.keepAsNote(from, func(c *concept) bool { return !c.part && (c.chip != "" || c.kind == Version) })
	p.read = before
}

// keepAsNote keeps, of the concepts from index from on, those keep
// reports, counting as a set-up note's.
func (p *queryPlan) keepAsNote(from int, keep func(*concept) bool) {
	p.keepConcepts(from, func(c *concept) bool {
		c.focus *= setupNoteFocus
		return keep(c)
	})
}

// keepConcepts keeps, of the concepts from index from on, those keep
// reports (it may change them), and points the parts they keep at their
// identifiers' new places (-1 for an identifier dropped).
func (p *queryPlan) keepConcepts(from int, keep func(*concept) bool) {
	at := make([]int, len(p.concepts))
	kept := p.concepts[:from]
	for i := range from {
		at[i] = i
	}
	for i, c := range p.concepts[from:] {
		at[from+i] = -1
		if keep(&c) {
			at[from+i] = len(kept)
			kept = append(kept, c)
		}
	}
	for i := range kept {
		if c := &kept[i]; c.parent >= 0 {
			c.parent = at[c.parent]
		}
	}
	p.concepts = kept
}

// yieldImpliedChips drops the chip a board or module implies ("my
// NodeMCU": esp8266) when the question names another chip with more
// focus than the board's note ("the esp32's https server ... on my
// nodemcu"): what the asker names beats what a board name suggests, and
// boards of one name carry several chips (NodeMCU-32S).
func (p *queryPlan) yieldImpliedChips() {
	most, boards := 0.0, false // the focus of the chips named; a board implies one
	for i := range p.concepts {
		if c := &p.concepts[i]; c.chip != "" {
			boards = boards || c.hardware
			if !c.hardware {
				most = max(most, c.focus)
			}
		}
	}
	if !boards || most == 0 {
		return // the common case: no board, or no chip named beside it
	}
	var named []string // read before keepConcepts moves the concepts
	for i := range p.concepts {
		if c := &p.concepts[i]; c.chip != "" && !c.hardware {
			named = append(named, c.chip)
		}
	}
	p.keepConcepts(0, func(c *concept) bool {
		return c.chip == "" || !c.hardware || c.focus >= most || slices.Contains(named, c.chip)
	})
	p.chips = p.chips[:0]
	for i := range p.concepts {
		if c := p.concepts[i].chip; c != "" {
			p.chips = append(p.chips, c)
		}
	}
}

// anotherVendors reports whether the concepts from index from on name
// another vendor's device, or a Raspberry Pi, and no Espressif product.
func (p *queryPlan) anotherVendors(from int) bool {
	other := false
	for i := range p.concepts[from:] {
		c := &p.concepts[from+i]
		if c.chip != "" || espressifWord(c.text) || espressifBoard(c.text) {
			return false
		}
		other = other || otherVendor(c.text) || c.text == "raspberry"
	}
	return other
}

// setupNote lowers the focus of the concepts from index from on, and
// reports whether it did, when they are all context: a sentence or an
// aside of its own that only says what the asker works with ("(esp-idf
// v5.1.2)", "using arduino ide") beside what they ask. A version in the
// question's own words is evidence; in such a note it is set-up. So is a
// sentence around the question that says with what the asker works
// ("Working on ESP32-C6."), or that they do (the "Currently running it"
// of "Currently running it on an ESP32-S3 devkit.", whose clause of the
// board is a note of its own).
func (p *queryPlan) setupNote(from int, role sentenceRole) bool {
	added := p.concepts[from:]
	if len(added) == 0 {
		return false
	}
	verb, named := false, false
	for i := range added {
		c := &added[i]
		switch {
		case setupVerb(c.text):
			verb = true
		case !c.context():
			return false
		default:
			named = named || c.kind == Version || c.chip != "" || c.hardware || devEnvironmentName(c.text)
		}
	}
	if verb && !named && role != roleContext {
		return false // "is the esp32 still running?": what is asked
	}
	// the module or board a note names says what the asker holds, not
	// that an entry about that module answers: only its chip stays. The
	// verb said only that they work with it
	p.keepAsNote(from, func(c *concept) bool { return (!c.hardware || c.chip != "") && !setupVerb(c.text) })
	return true
}

// setupVerb reports a verb with which a note says what the asker works
// with ("Working on ESP32-C6.", "Currently running it on an ESP32-S3
// devkit.", "Testing with an ESP32-C3 right now."), a word of when, or a
// word of a tool's name ("Using VS Code with the ESP-IDF extension."):
// beside only the chip, board, framework or version it names, it says
// nothing of the question. "works" is not one: "it works on the ESP32
// but not on the C3" tells the chips apart.
func setupVerb(w string) bool {
	switch w {
	case "working", "developing", "running", "programming", "building", "coding", "prototyping",
		"experimenting", "tinkering", "playing", "writing", "testing",
		"currently", "right", "moment", "lately", // "right now", "at the moment"
		"extension", "extensions", "plugin", "plugins":
		return true
	}
	return false
}

// lowerFocus makes the concepts from index from on count as a note's.
func (p *queryPlan) lowerFocus(from int) {
	for i := range p.concepts[from:] {
		p.concepts[from+i].focus *= setupNoteFocus
	}
}

// setupNoteFocus is what a set-up note's concepts count.
const setupNoteFocus = 0.25

// devEnvironment reports a word naming the framework or tool a question
// comes from ("... using arduino ide", "(esp-idf v5.1.2)"): like the chip
// and the version, it says what the asker works with, seldom what they
// ask. An entry about the Arduino IDE still answers a question that asks
// something of it ("add the esp32 board"). An operating system (Zephyr,
// NuttX) is not one: FAQs ask whether a chip runs it, and a question that
// shares only set-up words with its entry gets suggestions.
func devEnvironment(word string) bool {
	switch word {
	case "espidf", "idf", "arduino", "ide", "platformio", "sdk", "core", "arduinoesp32", "rtos", "nonos",
		"framework", "vscode", "clion", "micropython", "circuitpython", "rust":
		return true
	}
	return false
}

// bare reports a question that is one word ("ping", "mqtt", "keep
// alive"): a topic, not a question, which no training question is like,
// so the decision's confidence would be a guess. An identifier, an error
// code or an error message alone (SO_REUSEADDR, "errno 23", "too many
// open files") is precise enough to be answered.
func (p *queryPlan) bare() bool {
	n := 0
	for i := range p.concepts {
		c := &p.concepts[i]
		if c.part {
			continue
		}
		precise := c.kind == Ident || c.phrase && (c.span > 2 || strings.ContainsAny(c.text, "0123456789"))
		if n++; n > 1 || precise {
			return false
		}
	}
	return n == 1 && !p.post
}

// addConcepts turns the analysed tokens of one segment of a question into
// concepts. A term already seen in another segment counts once, with the
// larger focus.
func (ix *Index) addConcepts(p *queryPlan, seg segment, stems map[string]string) {
	an := ix.an
	toks := an.tokens(seg.text, stems)
	modelCodes(toks)
	if p.kind == askOther && seg.weight == focusAsk && seg.role != roleContext {
		p.kind = kindOfAsk(toks)
	}
	whole := wholeTokens(toks)
	// typos are corrected before phrases are found: "range extneder" is
	// the phrase "range extender"
	fixes := ix.corrections(whole)
	// at most a concept per token: one allocation instead of a slice grown
	// as it fills
	p.concepts = slices.Grow(p.concepts, len(toks))
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
	// the fields, logs and set-up lines of a long post say what the poster
	// works with, not what they ask about: whose device a question is
	// about, whether it names the domain and how chatty it is (which the
	// decision weighs) are read from its own sentences. Its share of words
	// the FAQ uses is not: on a small knowledge base the question's own
	// words are rarely all the FAQ's, and the decision learned on the
	// corpus would abstain there
	evidence := !p.post || seg.weight >= focusProse
	wi := -1
	owner := -1 // the concept of the last whole token
	hardware := false
	for ti, t := range toks {
		if !t.Part {
			wi++
			owner = -1
			hardware = setupName(toks, ti)
		}
		if evidence && !t.Part {
			p.tokens++
			p.stops += int(b2f(t.stop))
		}
		if evidence {
			p.espressif = p.espressif || t.Kind == Chip || espressifWord(t.Text) || espressifBoard(t.Text)
			// another vendor's device beside the question ("It talks to
			// an STM32 over UART.") is part of the asker's system; the
			// question is another vendor's when it asks about one
			p.otherVendor = p.otherVendor || (p.post || seg.role != roleContext) && otherVendor(t.Text)
		}
		if !t.stop && !t.Part && t.Kind == Word && len(t.Text) >= 3 {
			p.words++
			if t.flags&wordVocab != 0 {
				p.known++
			} else if !ix.an.dict.has(t.Text) {
				p.strange++
				p.fixed += int(b2f(fixOf(fixes, wi).word != ""))
			}
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
			c = ix.wordConcept(p, t, ix.correction(t))
			c.part, c.parent = true, owner
		case ok && m.size > 1:
			c = ix.phraseConcept(p, whole[m.start:m.start+m.size], fixes, m.start, m.group)
		case wi >= 0 && inPhrase[wi]:
			continue
		default:
			c = ix.wordConcept(p, t, fixOf(fixes, wi))
			if ok {
				c.alts = append(c.alts, ix.alt(m.group, groupWeight, altGroup))
				p.expand(t.Text, m.group)
			}
		}
		if !c.part {
			c.parent = -1
		}
		if i := p.find(&c); i >= 0 {
			if !t.Part {
				owner = i
			}
			o := &p.concepts[i]
			if o.part && !c.part {
				// the word asked about after the identifier it is part
				// of: the concept is the word, with its lexicon group
				ix.describe(&c, t)
				c.focus, c.role = o.focus, o.role
				*o = c
			}
			p.anchored = p.anchored || evidence && o.anchors()
			o.focus = max(o.focus, seg.weight)
			o.role = min(o.role, seg.role)
			continue
		}
		c.focus, c.role = seg.weight, seg.role
		c.hardware = hardware
		if hardware && c.chip == "" && !boardNouns[t.Text] {
			// the name of the board the asker holds, in the question's
			// own words ("on a heltec wifi lora 32 v2, reason 201"),
			// says what they work with, as a note's does; "board" or
			// "module" alone may be what is asked about ("a cellular
			// module on the usb port")
			c.focus *= setupNoteFocus
		}
		ix.describe(&c, t)
		p.anchored = p.anchored || evidence && c.anchors()
		if !t.Part {
			owner = len(p.concepts)
		}
		p.concepts = append(p.concepts, c)
		if c.chip != "" {
			p.chips = append(p.chips, c.chip)
		}
	}
}

// modelCodes reads a chip's suffix written alone after a word the FAQ
// never uses as that product's model code: "a TP-Link Archer C6" names a
// router, not an ESP32-C6. After an FAQ word, a stop word or a board's
// name ("the C3", "esp32 and s3", "xiao c3") it stays a chip.
func modelCodes(toks []aToken) {
	prev := -1 // the last whole token
	for i := range toks {
		t := &toks[i]
		if t.Part {
			continue
		}
		if t.Short && prev >= 0 && productWord(&toks[prev]) {
			code := strings.TrimPrefix(t.Text, "esp32")
			t.Kind, t.Text, t.term, t.Short = Ident, code, code, false
		}
		prev = i
	}
}

// productWord reports a word that may name another product: one no entry
// uses, and no stop word, chip, Espressif word or board's name.
func productWord(t *aToken) bool {
	return t.Kind == Word && t.flags&wordVocab == 0 && !t.stop && len(t.Text) >= 3 &&
		!espressifWord(t.Text) && !hardwareWord(t.Text) && !devEnvironment(t.Text)
}

// find returns the index of a concept that says the same as c, or -1: a
// word asked twice, or two synonyms ("gives up", "timeout"), count once.
func (p *queryPlan) find(c *concept) int {
	c.k = c.key() // kept: a long post compares each concept with all before it
	for i := range p.concepts {
		o := &p.concepts[i]
		k := o.k
		if k == "" {
			k = o.key()
		}
		// a part of an identifier has no lexicon group: "handshake" of
		// mbedtls_ssl_handshake is the word "handshake" asked about
		// beside it, not a second concept
		if k == c.k || (o.part || c.part) && o.alts[0].term == c.alts[0].term {
			return i
		}
	}
	return -1
}

// key is what a concept stands for: its lexicon group when it has one,
// else its term.
func (c *concept) key() string {
	for _, a := range c.alts {
		if a.kind == altGroup {
			return a.term
		}
	}
	return c.alts[0].term
}

func (p *queryPlan) expand(from, group string) {
	if p.expansions == nil {
		p.expansions = map[string]string{}
	}
	p.expansions[from] = group
}

func (ix *Index) alt(term string, w float64, k altKind) alt {
	return alt{id: ix.termID(term), w: w, term: term, kind: k}
}

// termID is the ID of an index term, or -1.
func (ix *Index) termID(term string) int32 {
	id, ok := ix.terms[term]
	if !ok {
		return -1
	}
	return id
}

// tokenAlt is the alternative of a token's own term: from the word table
// when the word is in it, without a lookup of the term.
func (ix *Index) tokenAlt(t aToken) alt {
	if t.flags&wordKnown == 0 {
		return ix.alt(t.term, 1, altWord)
	}
	return alt{id: t.id, w: 1, term: t.term, kind: altWord}
}

// corrections returns the typo correction of each token (the zero
// vocabWord for none; nil when no token has one), and gives a corrected
// token its correction's term, for the lexicon.
func (ix *Index) corrections(toks []aToken) []vocabWord {
	var fixes []vocabWord
	for i, t := range toks {
		fix := ix.correction(t)
		if fix.word == "" {
			continue
		}
		if fixes == nil {
			fixes = make([]vocabWord, len(toks))
		}
		fixes[i] = fix
		toks[i].term = fix.term
	}
	return fixes
}

// fixOf is the correction of token i, of fixes as corrections returns
// them (nil when there are none).
func fixOf(fixes []vocabWord, i int) vocabWord {
	if i < 0 || i >= len(fixes) {
		return vocabWord{}
	}
	return fixes[i]
}

// correction is a token's typo correction, or the zero vocabWord: only a
// word unknown to the entries and to English is corrected, never a stop
// word or a word of the lexicon.
func (ix *Index) correction(t aToken) vocabWord {
	if t.Kind != Word || t.stop || t.flags&wordLexicon != 0 || ix.tokenAlt(t).id >= 0 || ix.an.dict.has(t.Text) {
		return vocabWord{}
	}
	if fix, ok := ix.vocab.correct(t.Text); ok {
		return fix
	}
	return vocabWord{}
}

// wordConcept builds the concept of one token, with its typo correction
// fix when it has one.
func (ix *Index) wordConcept(p *queryPlan, t aToken, fix vocabWord) concept {
	c := concept{text: t.Text, alts: p.oneAlt(ix.tokenAlt(t))}
	if t.Kind == Chip {
		c.chip = t.Text
	}
	if t.Kind == Ident && c.alts[0].id < 0 {
		c.alts = ix.widerIdents(c.alts, t.term)
	}
	if fix.word != "" {
		c.alts = append(c.alts, ix.alt(fix.term, correctionWeight, altCorrection))
		c.corrected = true
		p.corrected(t.Text, fix.word)
	}
	return c
}

// oneAlt returns a concept's first alternative in the plan's pool of
// them: one allocation for a question's concepts instead of one each.
// The slice's capacity is its length, so appending more alternatives to
// the concept copies them out instead of overwriting the next concept's.
func (p *queryPlan) oneAlt(a alt) []alt {
	if len(p.altPool) == cap(p.altPool) {
		p.altPool = make([]alt, 0, max(2*cap(p.altPool), altPoolSize))
	}
	p.altPool = append(p.altPool, a)
	n := len(p.altPool)
	return p.altPool[n-1 : n : n]
}

// altPoolSize is the first pool of a plan: the concepts of most chat
// questions.
const altPoolSize = 8

// corrected records a typo correction, for the explanation.
func (p *queryPlan) corrected(typed, word string) {
	if p.corrections == nil {
		p.corrections = map[string]string{}
	}
	p.corrections[typed] = word
}

// Identifiers no entry uses may be part of longer ones an entry does:
// "read_response" of esp_http_client_read_response, lwip_dhcp_does_arp_check
// of CONFIG_LWIP_DHCP_DOES_ARP_CHECK, 4way_handshake_timeout of
// WIFI_REASON_4WAY_HANDSHAKE_TIMEOUT.
const (
	widerWeight = correctionWeight // as sure as a typo correction
	maxWider    = 3                // more of them: too generic to tell
)

// widerIdents appends the identifiers of the index that contain the
// unknown identifier term whole (between underscores), when there are
// at most maxWider.
func (ix *Index) widerIdents(alts []alt, term string) []alt {
	for _, id := range ix.idents.containing(term, maxWider) {
		alts = append(alts, ix.alt(id, widerWeight, altCorrection))
	}
	return alts
}

// phraseConcept builds the concept of a multi-word lexicon phrase: the
// group, or (partly) its words. A phrase completed by typo corrections
// (fixes, from the phrase's first word at start) counts as a corrected
// word does.
func (ix *Index) phraseConcept(p *queryPlan, words []aToken, fixes []vocabWord, start int, group string) concept {
	c := concept{alts: p.oneAlt(ix.alt(group, 1, altWord)), phrase: true}
	for i, w := range words {
		if i > 0 {
			c.text += " "
		}
		c.text += w.Text
		if fix := fixOf(fixes, start+i); fix.word != "" {
			c.corrected = true
			c.alts[0].w = correctionWeight
			p.corrected(w.Text, fix.word)
		}
		if !w.stop {
			c.alts = append(c.alts, ix.alt(w.term, constituentW, altPart))
			c.span++
		}
	}
	p.expand(c.text, group)
	return c
}

// describe records what the term model needs to know about a concept, and
// adds the learned associations of its term.
func (ix *Index) describe(c *concept, t aToken) {
	c.kind = t.Kind
	if !c.phrase && !c.part {
		c.span = 1
	}
	if !c.part {
		for _, a := range ix.model.assoc[c.alts[0].term] {
			if !c.hasAlt(a.To) {
				c.alts = append(c.alts, ix.alt(a.To, a.Weight, altAssoc))
			}
		}
	}
	c.idf = -1
	for _, a := range c.alts {
		if a.id >= 0 && a.kind != altAssoc && ix.idf[a.id] > c.idf {
			c.idf = ix.idf[a.id]
		}
	}
	if c.idf < 0 {
		c.idf, c.unknown = ix.maxIDF, true
		c.english = t.Kind == Word && ix.an.isEnglish(t.Text)
		c.unknownTerm = !c.english && t.Kind != Number && t.Kind != Version
	}
	c.common = t.Kind == Word && !c.phrase && ix.an.isCommon(t)
}

// anchors reports a concept that ties a question to the FAQ's domain: a
// chip, an identifier some entry uses, a term of the domain lexicon.
func (c *concept) anchors() bool {
	if c.chip != "" || c.kind == Ident && !c.unknown {
		return true
	}
	for _, a := range c.alts {
		if a.kind == altGroup && a.id >= 0 || c.phrase && a.kind == altWord && a.id >= 0 {
			return true
		}
	}
	return false
}

func (c *concept) hasAlt(term string) bool {
	for _, a := range c.alts {
		if a.term == term {
			return true
		}
	}
	return false
}

// weigh applies the learned term model: each concept's need, weight and
// importance, and the plan's totals.
func (ix *Index) weigh(p *queryPlan) {
	n := p.size()
	var x [numTermFeatures]float64
	for i := range p.concepts {
		c := &p.concepts[i]
		ix.termFeatures(c, n, &x)
		need := sigmoid(dot(ix.model.terms[:], x[:]) + ix.model.termBias[c.alts[0].term])
		c.need = c.focus * need
		c.importance = c.idf * c.need
		// the focus scales the score linearly: under the square root, a
		// boot-log word of a long post (focus 0.1) would count a third of
		// the question's words and pull the post to the entries about it
		c.weight = c.focus * math.Sqrt(need)
		p.total += c.importance
		p.span += float64(c.span) * c.focus
		p.maxScore += c.weight * c.idf * maxSat
	}
}

// size is the number of concepts of the plan, each counting by its focus:
// a chat question's concepts count one each, the boilerplate of a long
// post little.
func (p *queryPlan) size() float64 {
	n := 0.0
	for i := range p.concepts {
		n += p.concepts[i].focus
	}
	return n
}

// maxSat is the largest saturated frequency a posting can have.
const maxSat = k1 + 1

func (c concept) String() string {
	return fmt.Sprintf("%s(need %.2f, idf %.2f)", c.text, c.need, c.idf)
}

// setupName reports whether the whole token toks[i] names what the asker
// works with: a module or a board ("ESP32-WROOM-32D", "devkitc", "WT32-ETH01"),
// or a compound of set-up words alone ("arduino-esp32", "esp32-s3-devkitc"),
// or a framework's crate ("esp-idf-hal").
func setupName(toks []aToken, i int) bool {
	if hardwareWord(toks[i].Text) || boardKind(toks, i) || boardNamePart(toks, i) {
		return true
	}
	switch toks[i].Text {
	case "espidfhal", "espidfsvc", "espidfsys", "esphal":
		return true // Espressif's Rust crates: "hal", "svc" of them ask nothing
	}
	parts := 0
	for _, t := range toks[i+1:] {
		if !t.Part {
			break
		}
		parts++
		if !(t.Kind == Chip || t.Kind == Version || devEnvironment(t.Text) || hardwareWord(t.Text)) {
			return false
		}
	}
	return parts > 0
}

// boardNamePart reports a word that goes on the name of the board or
// module before it: a revision ("an ESP32 DevKit v1", "rev2"), a model
// code of letters and digits ("wemos d1 mini", "lolin d32", "ttgo
// t-display"), a model word ("mini", "pro") or a number ("heltec wifi kit
// 32"). It is part of the name, not a release of the software or a word of
// the question. So is a word of a product's name ("wifi", "lora") when a
// model code, word or number ends the name after it: "heltec wifi lora 32
// v2" names a board, "my heltec wifi drops" asks about Wi-Fi.
func boardNamePart(toks []aToken, i int) bool {
	product := false
	if !boardNameEnd(toks, i) {
		if product = productNameWords[toks[i].Text]; !product {
			return false
		}
	}
	for j := i - 1; j >= 0; j-- {
		if toks[j].Part {
			continue
		}
		if !hardwareWord(toks[j].Text) && (i-j >= 8 || !boardNamePart(toks, j)) {
			return false
		}
		return !product || namedOnTo(toks, i)
	}
	return false
}

// boardNameEnd reports a word that can end the name of a board: a
// revision, a model word, a short code of letters and digits, a number of
// a board ("32", not a baud rate) or a code led by a letter ("t-beam").
func boardNameEnd(toks []aToken, i int) bool {
	t := toks[i]
	switch w := t.Text; {
	case revisionWord(w), boardModelWords[w]:
		return true
	case t.Kind == Ident && len(w) <= 6 && isAlnum(w), t.Kind == Number && len(w) <= 3 && isAlnum(w):
		return true
	default:
		return i+1 < len(toks) && toks[i+1].Part && len(toks[i+1].Text) == 1
	}
}

// namedOnTo reports whether the product words from toks[i] on lead to a
// word that ends a board's name.
func namedOnTo(toks []aToken, i int) bool {
	for j := i + 1; j < len(toks); j++ {
		switch {
		case toks[j].Part:
		case boardNameEnd(toks, j):
			return true
		case !productNameWords[toks[j].Text]:
			return false
		}
	}
	return false
}

// boardModelWords are the words that go on boards' names.
var boardModelWords = newWordSet("mini pro lite plus max nano uno zero kit s").set()

// productNameWords are the words of the names vendors give their boards
// ("heltec wifi lora 32", "m5stack atom echo", "sparkfun thing plus"),
// which are also words of questions: they are the name's only between
// the vendor's and the name's end.
var productNameWords = newWordSet("wifi lora wireless stick atom echo stamp matrix paper ink epaper display " +
	"cam camera eye beam call sim thing dev core basic fire watch eth ethernet poe oled lcd tft").set()

// isAlnum reports a word of ASCII letters and digits alone.
func isAlnum(w string) bool {
	for i := 0; i < len(w); i++ {
		if c := w[i]; !('a' <= c && c <= 'z' || '0' <= c && c <= '9') {
			return false
		}
	}
	return true
}

// revisionWord reports a word such as "v1", "v1.1" or "rev2".
func revisionWord(w string) bool {
	digits := strings.TrimPrefix(strings.TrimPrefix(w, "rev"), "v")
	return len(digits) < len(w) && digits != "" && strings.Trim(digits, "0123456789.") == ""
}

// boardKind reports a word that says what kind of board the next word,
// "board" or "module", is ("a custom board", "my own pcb", "a cheap
// module"): part of its name.
func boardKind(toks []aToken, i int) bool {
	switch toks[i].Text {
	case "custom", "own", "dev", "development", "breakout", "cheap", "generic", "clone", "china":
	default:
		return false
	}
	for _, t := range toks[i+1:] {
		if !t.Part {
			return boardNouns[t.Text] || t.Text == "pcb" || t.Text == "pcbs" || t.Text == "kit"
		}
	}
	return false
}

// hardwareWord reports the name of a module or a board, or a word of one.
func hardwareWord(w string) bool {
	return moduleChip(w) != "" || stemmedName(w, hardwareWords, hardwareStems)
}

// stemmedName reports whether w is one of words or, when it has digits
// or marks ("esp32-wroom-32d", "wt32-eth01"), contains one of stems: a
// plain word is looked up whole, and only such names are searched, as
// every word of every question comes here.
func stemmedName(w string, words map[string]bool, stems []string) bool {
	if isLowerWord(w) {
		return words[w]
	}
	for _, s := range stems {
		if strings.Contains(w, s) {
			return true
		}
	}
	return false
}

// hardwareStems are what the names of modules and boards are made of:
// those of boards on Espressif chips, and of boards with several vendors'
// chips.
var hardwareStems = slices.Concat(espressifBoardStems, []string{"devkit", "xiao", "feather", "olimex",
	"seeed", "sparkfun", "waveshare", "dfrobot", "firebeetle"})

// hardwareWords are the plain words that name a module or a board, or
// say that one is meant: the stems whole, and the words around them.
var hardwareWords = newWordSet(strings.Join(hardwareStems, " ") + " " + boardNounList +
	" devboard").set()

// boardNounList are the words that say a board or a module is meant;
// boardNouns is their set.
const boardNounList = "board boards module modules"

var boardNouns = newWordSet(boardNounList).set()
