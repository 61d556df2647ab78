package matcher

import (
	"bytes"
	"regexp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// segment is a part of a question with how much its words count.
type segment struct {
	text   string
	weight float64
	role   sentenceRole
	para   int32 // the paragraph of a long post it is in
	// it may say something of the asker or the message, not of the
	// question: a sentence's opening clause (preambleAt), which keeps the
	// sentence's role, or an addendum (addendumAt)
	preamble, addendum bool
	// it is a field of the set-up ("Board: DevKitC v4, powered via
	// USB."), whatever its words (setupField)
	field bool
}

// sentenceRole says, in a question of several sentences of which some ask
// (end with a question mark), whether a segment asks or sets the scene:
// "Warehouse with 800 shelf tags. Can one mesh carry them all?"
type sentenceRole uint8

const (
	roleOnly    sentenceRole = iota // the question is one sentence, or none asks
	roleAsking                      // a sentence that asks
	roleContext                     // a sentence around the asking one
)

// How much each kind of line of a long post counts. A chat question is
// one segment of weight 1; a post of several kilobytes (a GitHub issue: a
// sentence, a log, "ESP-IDF version: v4.4, Development Kit: ...") is cut
// into lines, and its words count by the line they come from: the asking
// sentence and the error lines say what is asked, the rest much less.
const (
	focusAsk         = 1.0  // a sentence with a question mark, an error line
	focusProse       = 0.8  // other prose
	focusCode        = 0.4  // code and info-level log lines
	focusCodeLong    = 0.2  // ... in a long post, where they are mostly set-up
	focusInfoLong    = 0.1  // ... info-level log lines of a long post: it holds dozens
	focusBoilerplate = 0.1  // template fields and headings, checklists
	focusDump        = 0.02 // backtraces, register and hex dumps
	focusAside       = 0.25 // factor of the prose of a long post's paragraphs that do not ask
)

// Sizes of posts.
const (
	// MaxPostBytes is how much of a message is read at all: enough for a
	// long GitHub issue with its log.
	MaxPostBytes = 64 << 10
	// shortPost is the size above which a message is a long post, read
	// line by line and ranked and decided by the models of long posts;
	// under it, chat questions and short pasted log lines are asked as a
	// whole unless they hold a snippet of several lines.
	shortPost = 600
	// maxLineBytes bounds one line of a long post.
	maxLineBytes = 1024
)

// focus cuts a question into weighted segments, keeping at most
// MaxQueryBytes of its text, most telling lines first, and reports
// whether it is a long post (an issue, a forum post with its log) rather
// than a chat message.
func focus(q string, stop map[string]bool) (segs []segment, long bool) {
	q = dropSubjectTags(dropLinks(truncateTo(q, MaxPostBytes)))
	long = len(q) > shortPost
	if !long && strings.Count(q, "\n") < 4 {
		return sentences(q), false
	}
	// a chat question with a snippet of code or log is read line by line
	// too, its code counting as the question
	return budget(withRoles(postSegments(withoutSignature(postLines(q)), long), stop), MaxQueryBytes), long
}

// withoutSignature leaves out the sign-off that ends a post and the
// signature below it ("Best regards,\nAlex Smith\nEmbedded Engineer, Acme
// Corp"): the words of a name, a title and a company are no part of the
// question.
func withoutSignature(lines []postLine) []postLine {
	text := func(i int) string {
		if lines[i].code {
			return "" // no signature
		}
		return lines[i].text
	}
	if i := signOffBlock(len(lines), text); i >= 0 {
		return lines[:i]
	}
	return lines
}

// postLine is one non-empty line of a long post.
type postLine struct {
	text    string
	code    bool  // inside a code fence
	heading bool  // a Markdown heading or a line in bold alone
	para    int32 // paragraphs are told apart by blank lines and headings
}

// postLines cuts a long post into its lines, leaving out code fences and
// what stands for nothing: GitHub's "_No response_" for an optional field
// left empty, checklist items, HTML comments.
func postLines(q string) []postLine {
	var lines []postLine
	inCode, para := false, int32(0)
	for line := range strings.Lines(q) {
		line = strings.TrimSpace(line)
		if line == "" && !inCode {
			para++
		}
		if snippet, rest, ok := inlineCode(line, inCode); ok {
			// "```x = 1;``` is this right?", or the last line of a
			// block, "f(x);``` is this right?": code, then prose
			if snippet != "" {
				lines = append(lines, postLine{text: truncateTo(snippet, maxLineBytes), code: true, para: para})
			}
			line, inCode = rest, false
		} else if strings.HasPrefix(line, "```") {
			inCode = !inCode
			line = strings.TrimSpace(strings.Trim(line, "`"))
			if !strings.Contains(line, " ") {
				continue // the fence, or its language tag
			}
		}
		// a forum's [code]...[/code] is a fence too: this line is code,
		// the next one no more
		if rest, ok := cutTag(line, "[code]"); ok && !inCode {
			line, inCode = rest, true
		}
		code := inCode
		if rest, ok := strings.CutSuffix(line, "[/code]"); ok && inCode {
			line, inCode = strings.TrimSpace(rest), false
		}
		line = withoutImages(line)
		if line == "" || placeholder(line) {
			continue
		}
		// one huge line (a minified paste) must not crowd out the rest
		line = truncateTo(line, maxLineBytes)
		heading := !code && (strings.HasPrefix(line, "#") ||
			len(line) > 4 && strings.HasPrefix(line, "**") && strings.HasSuffix(line, "**"))
		if heading {
			para++
		}
		lines = append(lines, postLine{text: line, code: code, heading: heading, para: para})
	}
	return lines
}

// inlineCode splits a line whose code ends at a fence inside it into the
// code and the text after it: a line that opens with a fence closed on the
// same line ("```int r = recv(...);``` how do I print why it failed?"),
// or, in a code block (inCode), one that closes it after some code
// ("setsockopt(...);``` is this the right way?"). Either ends in prose.
func inlineCode(line string, inCode bool) (snippet, rest string, ok bool) {
	end := strings.LastIndex(line, "```")
	if inCode && end <= 0 || !inCode && (!strings.HasPrefix(line, "```") || end < 3) {
		return "", "", false
	}
	return strings.TrimSpace(strings.Trim(line[:end], "`")), strings.TrimSpace(line[end+3:]), true
}

// cutTag returns line without its leading BBCode tag (any case), and
// whether it had one.
func cutTag(line, tag string) (string, bool) {
	if len(line) < len(tag) || !strings.EqualFold(line[:len(tag)], tag) {
		return line, false
	}
	return strings.TrimSpace(line[len(tag):]), true
}

// images are a Markdown or HTML image: a screenshot's link says nothing
// about the problem, and its words ("user-images", "githubusercontent",
// "width") read like the FAQ's.
var images = regexp.MustCompile(`!\[[^\]]*\]\([^)]*\)|<img\b[^>]*>`)

// withoutImages returns line without its images.
func withoutImages(line string) string {
	if !strings.Contains(line, "![") && !strings.Contains(line, "<img") {
		return line
	}
	return strings.TrimSpace(images.ReplaceAllString(line, ""))
}

// placeholder reports a line that says nothing about the problem.
func placeholder(line string) bool {
	switch {
	case strings.EqualFold(strings.Trim(line, "_* "), "no response"):
		return true
	case strings.HasPrefix(line, "- [") || strings.HasPrefix(line, "* ["):
		return true // "- [x] I have searched the issue tracker"
	case strings.HasPrefix(line, "<!--") || strings.HasPrefix(line, "-->"):
		return true
	case line == "Code: Select all":
		return true // what a phpBB forum's code box adds when copied
	case strings.HasPrefix(line, "<details") || strings.HasPrefix(line, "</details") ||
		strings.HasPrefix(line, "<summary") || strings.HasPrefix(line, "<br"):
		return true // the tags of a folded log: "<details><summary>Full log</summary>"
	}
	return false
}

// postSegments weighs the lines of a post read line by line; code and
// info-level log lines count less in a long post than beside a chat
// question, where they are the question. An issue form (GitHub's,
// ESP-IDF's, Arduino's) is a run of headings, each with its section:
// sections that describe the problem are read line by line; a short
// section under any other heading is a field's value ("v5.1.2",
// "Windows", "USB") and counts as boilerplate.
func postSegments(lines []postLine, long bool) []segment {
	segs := make([]segment, 0, len(lines))
	field := false
	for i, l := range lines {
		w := lineWeight(l.text, l.code)
		switch {
		case long && w == focusCode && idfLog.MatchString(l.text):
			w = focusInfoLong
		case long && w == focusCode:
			w = focusCodeLong
		}
		switch {
		case l.heading:
			field = !problemHeading(l.text) && shortSection(lines[i+1:])
			w = focusBoilerplate
		case separator(l.text) && !l.code:
			w = focusBoilerplate
		case field:
			w = min(w, focusBoilerplate)
		}
		segs = append(segs, segment{text: l.text, weight: w, para: l.para})
	}
	return segs
}

// problemWords mark the headings of the sections of issue forms where
// people describe their problem.
var problemWords = regexp.MustCompile(`(?i)\b(behaviou?r|descri\w*|problem|question|issue|summary|reproduce|steps|information|details|context|bug|happen\w*)\b`)

func problemHeading(h string) bool { return problemWords.MatchString(h) }

// shortSection reports whether the lines up to the next heading are a
// form's values: at most two short lines that ask nothing, or a list of
// "- Key: value" fields.
func shortSection(lines []postLine) bool {
	n, fields := 0, 0
	for _, l := range lines {
		if l.heading {
			break
		}
		n++
		switch {
		case l.code || idfLog.MatchString(l.text):
			return false
		case listField(l.text):
			fields++
		case len(strings.Fields(l.text)) > 8 || strings.Contains(l.text, "?"):
			return false
		}
	}
	return n <= 2 || fields == n
}

// listField reports a list item that is a form's field: "- Module or chip
// used: ESP32-WROOM-32D", "* IDF version (run git describe): v4.4".
func listField(line string) bool {
	if !strings.HasPrefix(line, "- ") && !strings.HasPrefix(line, "* ") {
		return false
	}
	i := strings.Index(line, ":")
	return i > 2 && i < 100
}

// setupMarks are the kinds of words with which people describe their
// set-up in a long post: versions, frameworks and tools, modules and
// boards, operating systems and IDEs, power. Each pattern comes with
// words one of which any match contains, lower-cased: a cheap test first.
var setupMarks = []foldedPattern{
	{regexp.MustCompile(`\bv?\d+\.\d+(\.\d+)?\b`), []string{"."}},
	{regexp.MustCompile(`(?i)\b(esp-idf|idf\.py|idf|arduino|platformio|micropython|sdk|toolchain|cmake)\b`),
		[]string{"idf", "arduino", "platformio", "micropython", "sdk", "toolchain", "cmake"}},
	{regexp.MustCompile(`(?i)(wroom|wrover|devkit|dev module|nodemcu|wemos|lolin|feather|\bmini\b|\bboard\b|\bmodule\b)`),
		[]string{"wroom", "wrover", "devkit", "dev module", "nodemcu", "wemos", "lolin", "feather", "mini", "board", "module"}},
	{regexp.MustCompile(`(?i)\b(windows|linux|ubuntu|debian|fedora|macos|mac os|wsl|vs ?code|eclipse|clion|ide)\b`),
		[]string{"windows", "linux", "ubuntu", "debian", "fedora", "macos", "mac os", "wsl", "vscode", "vs code", "eclipse", "clion", "ide"}},
	{regexp.MustCompile(`(?i)\b(usb|powered|power supply|battery|3\.3 ?v|5 ?v)\b`),
		[]string{"usb", "powered", "power supply", "battery", "3.3v", "3.3 v", "5v", "5 v"}},
}

// setupSentence reports a sentence that describes the poster's set-up
// rather than the problem: "My setup: ESP-IDF v5.0.4 on a WROOM-32E
// devkit powered from USB, Ubuntu 22.04." It names three kinds of set-up
// or more; a question that names a version and a framework is not one.
func setupSentence(t string) bool {
	const enough = 3
	n := 0
	for i, m := range setupMarks {
		if m.match(t) {
			n++
		}
		// stop as soon as the answer is known: every sentence of a post
		// comes here, and these case-folding patterns are slow
		if left := len(setupMarks) - 1 - i; n >= enough || n+left < enough {
			break
		}
	}
	return n >= enough
}

// introMarks are what a sentence says about the asker or the message
// rather than the question: who asks and why ("New to esp32 here.", "I'm
// working on a little home project."), an apology ("sorry if this is
// dumb"), how long they have been stuck ("been trying to figure this out
// all day"), what they forgot ("forgot to mention it worked last week"),
// that a question comes ("I have a problem:", "quick question,") or
// since when the trouble is there ("since yesterday", "out of nowhere").
// Each mark is words in a row, each any of the words a "|" separates.
var introMarks = newPhraseSet(
	"new to|here|with|at", "newbie|newb|noob|beginner|novice", "first time|post",
	"sorry|apologise|apologize|apologies", "lurker",
	"hobby|home|school|side|personal|pet|college|student|uni|university project",
	"working on a|an|my|our|this|some", "forgot to mention|say|add",
	"been|keep|kept trying|struggling|stuck|fighting", "figure this|it out", "pulling my hair",
	"driving me crazy|nuts", "urgent|urgently|asap",
	"have|got|having|facing a|an|this|some|one|another problem|issue|question|doubt",
	"have|got|having|facing a weird|strange problem|issue|question|doubt", "quick question",
	"since yesterday|today", "since this morning", "since last night|week|month|weekend",
	"few|couple|two|three|2|3 hours|days|weeks ago", "couple of hours|days|weeks ago",
	"out of nowhere", "all of a sudden",
	"worked|working fine|ok|perfectly|before|yesterday", "used to work",
	"sorry for my|bad english", "english is not my first|native language",
	"follow up|followup to|on", "following up on", "my last|previous|earlier|other post|thread",
	"my name is", "greetings from",
	"embedded|firmware|software|hardware|electronics|iot|web engineer|developer|dev|programmer|student",
	"developer|engineer|programmer|student|hobbyist|maker at|from|in|for",
	"at|for a|an|my|our startup|company|firm|lab|university|school",
	"searched|googled|looked|checked the|this|everywhere|online|around|through",
	"the|this forum|internet|web|docs|documentation", "found nothing|none", "nothing found", "couldnt|cant find anything",
	"right|wrong|correct channel|place|section|forum|subforum", "doing|going wrong",
	"need|want more info|information|details|context", "post|share|upload|send|provide my|the|more|some code|logs|log|sketch|details|info",
	"if needed|necessary|required|helpful|wanted", "translated with|by|using google|deepl", "google translate|translator",
	"machine translated|translation",
)

// phraseSet finds phrases of words in a text, faster than a pattern
// would: a map from each phrase's first words to the phrases.
type phraseSet struct {
	first map[string][][]map[string]bool // the rest of each phrase, by its first words
	// words are the words of all the phrases: in a sentence with a mark
	// of an introduction, they are the mark's ("sorry for my English":
	// "English" is an FAQ word too)
	words map[string]bool
}

// newPhraseSet compiles phrases of words separated by spaces, each any of
// the words "|" separates.
func newPhraseSet(phrases ...string) phraseSet {
	set := phraseSet{first: map[string][][]map[string]bool{}, words: map[string]bool{}}
	for _, ph := range phrases {
		var words []map[string]bool
		for _, alts := range strings.Fields(ph) {
			w := map[string]bool{}
			for _, a := range strings.Split(alts, "|") {
				w[a], set.words[a] = true, true
			}
			words = append(words, w)
		}
		for first := range words[0] {
			set.first[first] = append(set.first[first], words[1:])
		}
	}
	return set
}

// match reports whether t has one of the phrases, in any case, as whole
// words one space apart.
func (s phraseSet) match(t string) bool {
	var r wordRing
	end := -2 // where the last word read ends
	for i := 0; i < len(t); {
		w, next := asciiWordAt(t, i, &r.buf[r.n%maxPhraseWords])
		if next == i {
			i++
			continue
		}
		r.words[r.n%maxPhraseWords] = w
		r.spaced[r.n%maxPhraseWords] = i == end+1 && t[end] == ' '
		r.n++
		i, end = next, next
		if s.endsHere(&r) {
			return true
		}
	}
	return false
}

// wordRing holds the last words a phraseSet read, and whether each came
// one space after the one before.
type wordRing struct {
	buf    [maxPhraseWords][24]byte
	words  [maxPhraseWords][]byte
	spaced [maxPhraseWords]bool
	n      int // words read
}

// at returns the i-th word read.
func (r *wordRing) at(i int) []byte { return r.words[i%maxPhraseWords] }

// endsHere reports whether a phrase ends with the last word read.
func (s phraseSet) endsHere(r *wordRing) bool {
	for k := 1; k <= min(r.n, maxPhraseWords); k++ {
		for _, rest := range s.first[string(r.at(r.n-k))] {
			if len(rest) == k-1 && r.followedBy(rest, r.n-k+1) {
				return true
			}
		}
	}
	return false
}

// followedBy reports whether the words from the from-th on are rest's,
// each one space after the one before.
func (r *wordRing) followedBy(rest []map[string]bool, from int) bool {
	for j, alts := range rest {
		if !r.spaced[(from+j)%maxPhraseWords] || !alts[string(r.at(from+j))] {
			return false
		}
	}
	return true
}

// maxPhraseWords is the longest phrase of a phraseSet.
const maxPhraseWords = 4

// asciiWordAt reads the run of ASCII letters and digits at byte i of t,
// lower-cased into buf, and returns it with where it ends (i when there
// is none). A word longer than buf comes back empty, and matches nothing.
func asciiWordAt(t string, i int, buf *[24]byte) ([]byte, int) {
	j := i
	for j < len(t) && (isLetter(t[j]) || '0' <= t[j] && t[j] <= '9') {
		c := t[j]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if j-i < len(buf) {
			buf[j-i] = c
		}
		j++
	}
	if j-i > len(buf) {
		return nil, j
	}
	return buf[:j-i], j
}

// addendumMark opens a sentence added to a question ("EDIT: ...", "Update
// 2 - ...", "PS: ..."; not "PS-RAM"); the mark itself is no term of the
// question.
var addendumMark = regexp.MustCompile(`(?i)^(edit(ed)?|update[ds]?|upd|p\.?s\.?)\s*\d*\s*(:|-\s)\s*`)

// addendumIn returns where an addendum begins inside sentence t, after
// words of the question and no full stop ("how do I change it PS: ..."),
// or -1.
func addendumIn(t string) int {
	for i := 1; i < len(t); i++ {
		if t[i] != ':' && (t[i] != '-' || i+1 < len(t) && t[i+1] != ' ') {
			continue
		}
		j := i
		for j > 0 && (t[j-1] == ' ' || t[j-1] >= '0' && t[j-1] <= '9') {
			j--
		}
		for j > 0 && isLetter(t[j-1]) {
			j--
		}
		if j > 1 && t[j-1] == ' ' && addendumAt(t[j:]) > 0 {
			return j
		}
	}
	return -1
}

// addendumAt returns where an addendum's text begins after its mark, or -1.
func addendumAt(t string) int {
	if len(t) < 3 || !strings.ContainsRune("eEuUpP", rune(t[0])) {
		return -1 // the common case, without the pattern
	}
	if m := addendumMark.FindStringIndex(t); m != nil {
		return m[1]
	}
	return -1
}

// introduction reports a sentence with a mark of an introduction; whether
// it says nothing else is for the plan to tell (queryPlan.saysNothing).
func introduction(t string) bool { return introMarks.match(t) || beenDoing(t) }

// beenDoing reports "been" followed by a verb in -ing ("been going around
// in circles with this", "been banging my head against it"): how long the
// asker has been at it, whatever the verb. A sentence that says what they
// have been seeing ("been getting errno 23") says something else too, and
// stays.
func beenDoing(t string) bool {
	var buf [24]byte
	afterBeen := false
	for i := 0; i < len(t); {
		w, next := asciiWordAt(t, i, &buf)
		if next == i {
			if t[i] != ' ' {
				afterBeen = false
			}
			i++
			continue
		}
		if afterBeen && len(w) >= 5 && strings.HasSuffix(string(w), "ing") {
			return true
		}
		afterBeen = string(w) == "been"
		i = next
	}
	return false
}

// preambleAt returns where a sentence's question begins after an opening
// clause that introduces it ("sorry if this is a dumb question, but how
// do I...", "noob here, what is...", "I have a problem: ..."), or -1. The
// clause ends at the first comma, dash, colon or "but" within maxPreamble
// bytes.
func preambleAt(t string) int {
	head := t[:min(len(t), maxPreamble)]
	at := -1
	for _, sep := range [...]string{", ", " but ", " - ", ": "} {
		if i := strings.Index(head, sep); i > 0 && (at < 0 || i < at) {
			at = i
		}
	}
	if at < 0 || !introduction(t[:at]) {
		return -1
	}
	return at + 1
}

// maxPreamble is the longest opening clause preambleAt cuts off.
const maxPreamble = 96

// separator reports a line drawn to split a template ("----- Delete
// below -----", "***").
func separator(line string) bool {
	for _, rule := range [...]string{"---", "===", "***"} {
		// a rule at both ends: "***ERROR*** A stack overflow in task
		// httpd" is no separator
		if strings.HasPrefix(line, rule) && strings.HasSuffix(line, rule) {
			return true
		}
	}
	return false
}

// withRoles marks, when some prose sentence of a long post asks, the
// asking sentences and the prose around them, as sentences does for a
// short question: the term model learned how much each counts. Then the
// prose of a paragraph with no asking sentence counts less, but never the
// prose a post opens with (its subject) and not because of a lone "Any
// ideas?" below the description; when nothing asks at all, every sentence
// may be the question, but not those of the paragraph that describes the
// set-up ("My setup: ESP-IDF v5.0.4 on a WROOM devkit. The code is the
// station example.").
func withRoles(segs []segment, stop map[string]bool) []segment {
	var out []segment
	asks := false
	var asking []int32 // the paragraphs that ask
	var setup []int32  // the paragraphs that describe the set-up
	if len(segs) > 0 && segs[0].weight == focusProse {
		// a post that opens with prose opens with its subject ("ESP32
		// drops Wi-Fi every 5 minutes"), as a forum post or an issue title
		// does: it is never an aside
		asking = append(asking, segs[0].para)
	}
	described := int32(-1) // the paragraph of the last prose or asking sentence
	for _, s := range segs {
		if s.weight != focusAsk && s.weight != focusProse {
			out = append(out, s)
			continue
		}
		for _, t := range splitSentences(s.text) {
			role := roleContext
			switch {
			case strings.Contains(t, "?") && described >= 0 && fillerQuestion(t, stop):
				// "Any ideas?" after a description (and its log), in its
				// paragraph or one of its own, does not say which
				// paragraph asks: as when nothing asks, none is an aside
			case strings.Contains(t, "?"):
				role, asks = roleAsking, true
				asking = append(asking, s.para)
			case setupSentence(t):
				setup = append(setup, s.para)
				out = append(out, segment{text: t, weight: focusBoilerplate, para: s.para})
				continue
			}
			if s.weight == focusProse || strings.Contains(s.text, "?") {
				// an error line describes nothing here: it counts fully
				// wherever it is
				described = s.para
			}
			out = append(out, segment{text: t, weight: s.weight, role: role, para: s.para})
		}
	}
	if !asks {
		for i := range out {
			out[i].role = roleOnly
		}
	}
	if asks {
		asking = append(asking, askedAbout(out, asking, setup)...)
	}
	// prose in other paragraphs than the question ("My code is the station
	// example with my own SSID") is the poster's story, not the question:
	// held-out questions filed in the post templates are answered right
	// more often at the same wrong answers when it counts a quarter; so
	// is the rest of the set-up paragraph of a post that asks nothing
	for i := range out {
		aside := out[i].role == roleContext && !slices.Contains(asking, out[i].para) ||
			out[i].role == roleOnly && slices.Contains(setup, out[i].para)
		if aside && out[i].weight == focusProse {
			out[i].weight *= focusAside
		}
	}
	return out
}

// Words of a short question and of the description it asks about.
const (
	shortQuestion = 12
	description   = 15
)

// askedAbout returns the paragraphs that a short question in a paragraph
// of its own asks about: the nearest description before it ("Tablets join
// an ESP32 access point; after the fifth, no new one gets in." then,
// below the code, "Is there a limit I can raise?"), a paragraph of some
// length that is not the set-up; greetings and one-line remarks are not
// descriptions.
func askedAbout(segs []segment, asking, setup []int32) []int32 {
	words := map[int32]int{}
	for _, s := range segs {
		if s.weight == focusProse || s.role == roleAsking {
			for range strings.FieldsSeq(s.text) {
				words[s.para]++
			}
		}
	}
	var out []int32
	for _, a := range asking {
		if words[a] == 0 || words[a] > shortQuestion {
			continue
		}
		before := int32(-1)
		for p, n := range words {
			if p < a && p > before && n >= description && !slices.Contains(setup, p) {
				before = p
			}
		}
		if before >= 0 {
			out = append(out, before)
		}
	}
	return out
}

// fillerQuestion reports a question of stop words and chat filler alone
// ("Any ideas?", "Why?", "Is there a way?"): it says that the post asks,
// not what.
func fillerQuestion(t string, stop map[string]bool) bool {
	const most = 8
	var buf [most + 1]string
	words := chatWords(strings.ToLower(t), buf[:0])
	if len(words) > most {
		return false
	}
	for _, w := range words {
		if !stop[w] {
			return false
		}
	}
	return true
}

// sentences cuts a short question into its sentences. When some of them
// ask and others do not, each has its role; when none asks or all do, the
// roles say nothing, but a sentence may still be a note of its own
// ("mqtt keepalive default. esp-idf v5.1.2", queryPlan.setupNote). An
// addendum ("EDIT: ...", "PS: ...") is a sentence of its own, without its
// mark, and an opening clause that may introduce the question ("noob
// here, how do I...") a segment of its own, with its sentence's role.
func sentences(q string) []segment {
	var segs []segment
	asks := 0
	n := 0                                 // sentences, their preambles not counted
	marked := strings.ContainsRune(q, '?') // whoever marks one question marks them all
	for _, t := range withoutSignOff(splitWhere(splitWhere(splitWhere(splitWhere(splitSentences(q), remarkAt), addendumIn), setupFieldIn), hashtagsAt)) {
		if i := greetingEnd(t); i > 0 {
			if t = strings.TrimSpace(t[i:]); t == "" {
				continue // a greeting alone: "Bonjour à tous !"
			}
		}
		if m := questionLabel.FindStringIndex(t); m != nil && m[1] < len(t) {
			t = t[m[1]:] // "Follow-up question: ..."
		}
		if i := selfNameEnd(t); i > 0 {
			if t = strings.TrimSpace(t[i:]); t == "" {
				continue // "I'm Alex from Berlin."
			}
		}
		role := roleContext
		if strings.Contains(t, "?") || !marked && opensQuestion(t) {
			role, asks = roleAsking, asks+1
		}
		added := false
		if i := addendumAt(t); i > 0 {
			if t, added = t[i:], true; t == "" {
				continue // a mark alone
			}
		}
		if i := preambleAt(t); i > 0 {
			segs = append(segs, segment{text: t[:i], weight: 1, role: role, preamble: true})
			t = strings.TrimSpace(t[i:])
		}
		segs = append(segs, segment{text: t, weight: 1, role: role, addendum: added, field: setupField(t) || hashtagsAt(t) == 0})
		n++
	}
	if len(segs) == 0 {
		return nil // blank, or greetings, sign-offs and marks alone
	}
	if asks == 0 || asks == n {
		for i := range segs {
			segs[i].role = roleOnly
		}
	}
	last := &segs[len(segs)-1]
	if i := asideAt(last.text); i > 0 && !last.field {
		aside := segment{text: last.text[i:], weight: 1, role: last.role, addendum: last.addendum}
		last.text = last.text[:i]
		segs = append(segs, aside)
	}
	return segs
}

// opensQuestion reports a sentence that opens with a word that asks
// ("how do i set a static ip", "Does the AP side stop modem sleep"): in
// chat, a question often goes without its question mark.
func opensQuestion(t string) bool {
	w, _ := wordAt(t, 0)
	return questionWord(strings.ToLower(w))
}

// questionWord reports a word that asks when it opens a sentence. "When"
// as often opens a statement ("When I connect it reboots").
func questionWord(w string) bool {
	switch w {
	case "how", "what", "whats", "why", "which", "where", "does", "do", "did", "can",
		"could", "is", "are", "will", "would", "should", "anyone", "anybody":
		return true
	}
	return false
}

// capitalQuestionAt reports a capitalised word that asks at q[i:], after
// a word with no full stop ("... on an ESP32-C6 What keepalive am I
// getting"): a new sentence whose writer left out the stop before it.
func capitalQuestionAt(q string, i int) bool {
	if !capitalAfterWord(q, i) || i+1 < len(q) && 'A' <= q[i+1] && q[i+1] <= 'Z' {
		return false
	}
	w, end := wordAt(q, i)
	return questionWord(strings.ToLower(w)) && (end == len(q) || q[end] == ' ')
}

// asideAt returns where the aside that ends t (trimmed) begins, or -1:
// an aside in brackets ("what keepalive does esp-mqtt use (esp-idf
// v5.1.2)") or a short clause of the tools used ("... using arduino ide",
// "... via platformio"), which may be a set-up note (queryPlan.setupNote).
func asideAt(t string) int {
	if strings.HasSuffix(t, ")") {
		if i := strings.LastIndexByte(t, '('); i > 0 && len(t)-i <= maxAside && strings.TrimSpace(t[:i]) != "" {
			return i
		}
	}
	return trailingClause(t)
}

// trailingClause returns where a last clause of at most maxAside bytes
// that says what the asker uses begins, or -1: one opened by "using" or
// "via", or by "on a", "with my"... when it names a module or a board.
// "With" and "on" alone as often say what is asked ("with WPA3", "on the
// AP side"), and cutting there measured worse on held-out questions.
func trailingClause(t string) int {
	at := -1
	for _, w := range [...]string{" using ", " via "} {
		if i := lastIndexFold(t, w, len(t)-maxAside); i > 0 {
			at = max(at, i)
		}
	}
	for _, w := range [...]string{" on a ", " on an ", " on my ", " on our ", " with a ", " with my "} {
		if i := lastIndexFold(t, w, len(t)-maxAside); i > at && namesHardware(t[i:]) {
			at = i
		}
	}
	return max(at, setupTail(t))
}

// setupTail returns where the clauses after the commas that end t begin
// when they name only what the asker works with (", idf 4.4", ", esp-idf
// v5.0, esp32-s3", ", arduino core 2.0.14"), or -1: a note of the set-up
// glued to the question.
func setupTail(t string) int {
	at := -1
	for end := len(t); ; {
		i := strings.LastIndexByte(t[:end], ',')
		if i <= 0 || len(t)-i > maxAside || !setupClause(t[i+1:end]) {
			return at
		}
		at, end = i, i
	}
}

// setupClause reports a clause of set-up words alone: chips, versions,
// modules and boards, and the names of development environments.
func setupClause(clause string) bool {
	// most clauses after a comma are the question's own ("..., why?"): a
	// word that is plainly no set-up word ends the check before the
	// clause is tokenised, which allocates
	plain := true
	forEachField(clause, func(r rune) bool { return r == ' ' || r == '?' || r == '.' || r == '!' }, func(w string) {
		plain = plain && !(isLowerWord(w) && !devEnvironment(w) && !hardwareWord(w) && !revisionWord(w))
	})
	if !plain {
		return false
	}
	toks := Tokenize(Normalize(clause))
	for _, tok := range toks {
		switch {
		case tok.Part, tok.Kind == Chip, tok.Kind == Version, tok.Kind == Number:
		case devEnvironment(tok.Text), hardwareWord(tok.Text), revisionWord(tok.Text):
		default:
			return false
		}
	}
	return len(toks) > 0
}

// namesHardware reports a clause that names a module or a board ("on a
// wemos d1 mini", "with my devkitc"), what the asker's question runs on,
// and ends the sentence: not "on a DevKitC, what's with the spikes?".
func namesHardware(clause string) bool {
	if strings.ContainsAny(strings.TrimRight(clause, "?.! "), ",;?!") {
		return false
	}
	for _, tok := range Tokenize(Normalize(clause)) {
		if !tok.Part && hardwareWord(tok.Text) {
			return true
		}
	}
	return false
}

// lastIndexFold is strings.LastIndex for an ASCII lower-case word, any
// case in s, at from or after.
func lastIndexFold(s, word string, from int) int {
	for i := len(s) - len(word); i >= max(from, 0); i-- {
		if s[i] == word[0] && strings.EqualFold(s[i:i+len(word)], word) {
			return i
		}
	}
	return -1
}

// maxAside is the longest aside asideAt finds, brackets included: a set-up
// note is short.
const maxAside = 48

// splitWhere cuts in two each sentence in which at finds where a second
// one begins: a remark glued on without a full stop (remarkAt), an
// addendum inside it (addendumIn).
func splitWhere(ts []string, at func(string) int) []string {
	for i := 0; i < len(ts); i++ {
		if j := at(ts[i]); j > 0 {
			ts = slices.Insert(ts, i+1, ts[i][j:])
			ts[i] = strings.TrimSpace(ts[i][:j])
		}
	}
	return ts
}

// remarkAt returns where a remark glued to the end of sentence t without a
// full stop begins ("... or just one of them First time posting here.",
// "... It started happening since yesterday."), or -1: at a capitalised
// word after which the sentence has a mark of an introduction, and before
// which it has none, so that the plan may take the remark back. A remark
// is short: it begins in the last maxPreamble bytes.
func remarkAt(t string) int {
	checked := false // whether t has a mark at all: most sentences have none
	for i := len(t) - 1; i >= max(2, len(t)-maxPreamble); i-- {
		if !capitalAfterWord(t, i) || !capitalised(t[i:]) {
			continue
		}
		if !checked {
			if !introduction(t) {
				return -1
			}
			checked = true
		}
		if introduction(t[i:]) && !introduction(t[:i]) {
			return i
		}
	}
	return -1
}

// capitalAfterWord reports a capital letter at t[i] after a space and the
// letter or digit that ends a word: no full stop between them.
func capitalAfterWord(t string, i int) bool {
	return i >= 2 && 'A' <= t[i] && t[i] <= 'Z' && t[i-1] == ' ' && (isLetter(t[i-2]) || '0' <= t[i-2] && t[i-2] <= '9')
}

// capitalised reports whether the first word of t is a plain word with a
// capital initial ("First", "It"), not a name such as "ESP32" or "Wi-Fi".
func capitalised(t string) bool {
	j := 1
	for j < len(t) && 'a' <= t[j] && t[j] <= 'z' {
		j++
	}
	return j == len(t) || t[j] == ' ' || t[j] == '\'' || t[j] == ','
}

// splitSentences cuts text after each line break and each full stop,
// question or exclamation mark followed by a space, leaving out empty
// sentences.
func splitSentences(q string) []string {
	var out []string
	add := func(t string) {
		if t = strings.TrimSpace(t); t != "" {
			out = append(out, t)
		}
	}
	start := 0
	for i := 0; i < len(q); i++ {
		c := q[i]
		if c == '\n' || (c == '.' || c == '?' || c == '!') && (i+1 == len(q) || q[i+1] == ' ' || q[i+1] == '\n') {
			add(q[start : i+1])
			start = i + 1
		} else if capitalQuestionAt(q, i) {
			add(q[start:i])
			start = i
		}
	}
	add(q[start:])
	return out
}

// budget keeps the heaviest segments (earlier first among equals) within
// max bytes, in their original order.
func budget(segs []segment, max int) []segment {
	total := 0
	for _, s := range segs {
		total += len(s.text) + 1
	}
	if total <= max {
		return segs
	}
	order := make([]int, len(segs))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int {
		switch wa, wb := segs[a].weight, segs[b].weight; {
		case wa > wb:
			return -1
		case wa < wb:
			return 1
		}
		return 0
	})
	keep := make([]bool, len(segs))
	used := 0
	for _, i := range order {
		if n := len(segs[i].text) + 1; used+n <= max {
			keep[i], used = true, used+n
		}
	}
	out := segs[:0]
	for i, s := range segs {
		if keep[i] {
			out = append(out, s)
		}
	}
	return out
}

var (
	// idfLog is an ESP-IDF log line, "E (1234) tag: message", or an
	// Arduino core's, "[  5123][E][WiFiGeneric.cpp:1062] message".
	idfLog = regexp.MustCompile(`^(?:([EWIDV]) \(\d+\)|\[\s*\d+\]\[([EWIDV])\])`)
	// bootLine is a line every boot prints, whatever the problem: the ROM
	// loader's and the informational lines of the bootloader and startup.
	bootLine = regexp.MustCompile(`^(?:ets \w{3} +\d|rst:0x|configsip:|clk_drv:|mode:\w+, clock div|load:0x|entry 0x|ho \d+ tail|[ID] \(\d+\) (?:boot|boot\.\w+|esp_image|cpu_start|heap_init|spi_flash|app_start|app_init|efuse_init|main_task|sleep|sleep_gpio|system_api|pm|octal_psram|quad_psram|esp_psram|intr_alloc|rtc_clk|clk|memspi|gpio|coexist|phy_init|wifi_init|efuse):)`)
	// fieldLine is a template field ("ESP-IDF version: v4.4", "- Module: x").
	fieldLine = regexp.MustCompile(`^[-*>#\s]*[A-Za-z][\w ./()-]{0,40}:(\s|$)`)
)

// errorWord marks a line that reports a failure.
var errorWord = foldedPattern{
	regexp.MustCompile(`(?i)\b(error|err|errno|fail(ed|s|ure)?|abort(ed)?|panic|timeout|timed out|refused|reset|crash(ed|es)?|assert(ion)?|invalid|cannot|can't|unable)\b`),
	[]string{"err", "fail", "abort", "panic", "time", "refused", "reset", "crash", "assert", "invalid", "cannot", "can't", "unable"},
}

// logFailure marks an info-level log line that reports a failure all the
// same: the Wi-Fi driver and the examples log "wifi:bcn_timeout,
// ap_probe_send_start" and "MQTT_EVENT_DISCONNECTED" at level I, and they
// are the symptom. Inside identifiers too, unlike errorWord.
var logFailure = foldedPattern{
	regexp.MustCompile(`(?i)(?:\b|_)(fail(ed|ure)?|error|timeout|timed out|refused|abort(ed)?|lost|disconnect(ed)?|panic)(?:\b|_)`),
	[]string{"fail", "error", "time", "refused", "abort", "lost", "disconnect", "panic"},
}

// foldedPattern is a case-folding pattern with the words one of which any
// match contains, lower-cased. Go's case-folding patterns backtrack
// slowly, and every line and sentence of a long post is tried against
// several: the words rule most of them out first.
type foldedPattern struct {
	re    *regexp.Regexp
	words []string
}

func (f foldedPattern) match(s string) bool { return f.mayMatch(s) && f.re.MatchString(s) }

// mayMatch reports whether s, an ASCII text, holds one of the words in
// some case. A text with other bytes always may: the pattern's case
// folding also knows non-ASCII letters such as the Kelvin sign.
func (f foldedPattern) mayMatch(s string) bool {
	var buf [512]byte
	if len(s) > len(buf) {
		return true
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x80 {
			return true
		}
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		buf[i] = c
	}
	lower := buf[:len(s)]
	for _, w := range f.words {
		if bytes.Contains(lower, []byte(w)) {
			return true
		}
	}
	return false
}

// lineWeight classifies one line of a long post.
func lineWeight(line string, inCode bool) float64 {
	if bootLine.MatchString(line) {
		return focusDump
	}
	if m := idfLog.FindStringSubmatch(line); m != nil {
		if level := m[1] + m[2]; level == "E" || level == "W" || logFailure.match(line) ||
			!inCode && strings.Contains(line, "?") { // "I (98231) wifi:state: run -> init (fc0) -- what does fc0 mean?"
			return focusAsk
		}
		return focusCode
	}
	switch {
	case isDump(line):
		return focusDump
	case strings.HasPrefix(line, "#") || strings.HasPrefix(line, "- [") || strings.HasPrefix(line, "* ["):
		return focusBoilerplate // headings and checklists of issue templates
	case errorWord.match(line):
		return focusAsk
	case strings.Contains(line, "?") && !inCode:
		return focusAsk
	case inCode:
		return focusCode
	case fieldLine.MatchString(line) && len(line) < 100 && fieldValue(line):
		return focusBoilerplate
	}
	return focusProse
}

// maxFieldWords is the most words a template field's value has ("v4.4",
// "ESP32-WROOM-32D", "Windows 11"); after "EDIT:", "Update:" or "Problem:"
// people write sentences.
const maxFieldWords = 4

// fieldValue reports whether what follows a field line's colon is a
// value rather than a sentence.
func fieldValue(line string) bool {
	_, v, _ := strings.Cut(line, ":")
	n := 0
	for range strings.FieldsSeq(v) {
		if n++; n > maxFieldWords {
			return false
		}
	}
	return true
}

// isDump reports lines that are mostly addresses and hex: backtraces,
// register dumps, memory dumps.
func isDump(line string) bool {
	fields := strings.Fields(line)
	if len(fields) < 3 {
		return false
	}
	hex := 0
	for _, f := range fields {
		f = strings.Trim(f, ":,;[]()")
		if strings.HasPrefix(f, "0x") || strings.HasPrefix(f, "0X") || isHexWord(f) {
			hex++
		}
	}
	return hex*2 > len(fields)
}

func isHexWord(s string) bool {
	if len(s) < 4 {
		return false
	}
	digits := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
			digits++
		case c >= 'a' && c <= 'f', c >= 'A' && c <= 'F':
		default:
			return false
		}
	}
	return digits > 0
}

// cjkLetters is what one CJK character weighs against Latin letters: about
// the letters of an English word over the characters of a Chinese one.
const cjkLetters = 3

// isForeign reports a question not written in English: mostly letters of
// another script, or mostly words that are neither English, nor the FAQ's,
// nor stop words. espbot then offers suggestions instead of guessing.
// A Chinese, Japanese or Korean character counts as much as a short Latin
// word (cjkLetters letters): "ESP32 的 MQTT 默认保活时间是多少？" has more
// Latin letters than Han characters, yet it is written in Chinese.
func isForeign(segs []segment, p *queryPlan) bool {
	latin, other := 0, 0
	for _, s := range segs {
		if isPlainASCII(s.text) {
			latin += len(s.text)
			continue
		}
		for _, r := range s.text {
			switch {
			case !unicode.IsLetter(r):
			case r < 0x250:
				latin++
			case unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana, unicode.Hangul):
				other += cjkLetters
			default:
				other++
			}
		}
	}
	if other > 2*latin {
		return true
	}
	// English function words are the surest sign of English: strange
	// words among many of them are names, products and code ("zyxel",
	// "fritzbox", "gettimeofday"). A typo is a strange word too, and some
	// foreign words are one letter from an English one ("latence"): the
	// corrector's reading counts only in a question whose function words
	// are English
	stops := float64(p.stops) / float64(max(p.tokens, 1))
	strange := p.strange
	if stops >= englishStops {
		strange -= p.fixed
	}
	return p.words >= 4 && strange*2 > p.words && stops < surelyEnglish
}

// Shares of English stop words among a question's tokens: from
// englishStops it reads as English with typos rather than as another
// language, from surelyEnglish as English whatever its other words. Chat
// questions in English have 0.2-0.7 of them, those in other languages
// almost none (their "a", "in", "was", "do", "no" aside).
const (
	englishStops  = 0.2
	surelyEnglish = 0.4
)

// linkRe is a link pasted in a question: "https://...", "www...", the
// full stop or comma after it left out.
var linkRe = regexp.MustCompile(`(?i)\b(https?://|www\.)[^\s<>()]*[^\s<>().,;:!?'"]`)

// dropLinks blanks out the links of a question. A link says where the
// asker looked, not what they ask: the host, the path's folders and a
// forum topic's number are no terms of the question, and the docs pages
// entries link to are shared by dozens of them. Held out, a docs link
// after the question cost a fifth of the right answers and had half the
// unanswerable questions answered.
func dropLinks(q string) string {
	if !strings.Contains(q, "://") && !strings.Contains(q, "www.") {
		return q
	}
	return linkRe.ReplaceAllString(q, " ")
}

// greetWords open a message in greeting ("Hi all,", "Bonjour à tous,",
// "Hola amigos!"); the first word of a greeting must be one of them.
var greetWords = map[string]bool{
	"hi": true, "hii": true, "hey": true, "heya": true, "hiya": true, "hello": true, "helo": true, "yo": true,
	"dear": true, "good": true, "greetings": true, "bonjour": true, "bonsoir": true, "salut": true, "coucou": true,
	"hola": true, "buenas": true, "buenos": true, "hallo": true, "moin": true, "servus": true, "ciao": true,
	"salve": true, "buongiorno": true, "ola": true, "oi": true, "namaste": true,
}

// greetedWords may follow a greeting word in a greeting ("everyone", "à
// tous", "zusammen", "morning").
var greetedWords = map[string]bool{
	"all": true, "everyone": true, "everybody": true, "guys": true, "folks": true, "friends": true, "people": true,
	"team": true, "there": true, "yall": true, "morning": true, "afternoon": true, "evening": true, "day": true,
	"a": true, "tous": true, "tout": true, "toutes": true, "le": true, "monde": true, "todos": true, "amigos": true,
	"zusammen": true, "leute": true, "alle": true, "tutti": true, "dias": true, "tardes": true, "pessoal": true,
}

// greetingEnd returns where a sentence goes on after the greeting it
// opens with and the comma or mark after it ("Bonjour à tous, ..."), or
// -1. A greeting says nothing of the question, and a foreign one can be
// a lexicon term ("bonjour", Apple's mDNS).
func greetingEnd(t string) int {
	i := greetingWords(t)
	if i == 0 {
		return -1
	}
	rest := strings.TrimLeft(t[i:], " ")
	if rest == "" {
		return len(t)
	}
	if strings.IndexByte(",!.;:-\n", rest[0]) >= 0 {
		return len(t) - len(rest) + 1
	}
	return -1
}

// setupField reports a sentence that is a field of the asker's set-up:
// its label and a short value ("Board: ESP32-WROOM-32E, powered via
// USB.", "IDF version: 5.1", "Setup: two DevKitCs and a Pi"). After a
// label, a long sentence is a description, which may be the question's
// ("SDK: one task does sendto() ... and recvfrom() never returns").
func setupField(t string) bool {
	i := strings.IndexByte(t, ':')
	if i < 2 || i > 24 || i+1 < len(t) && t[i+1] != ' ' {
		return false // no label, or a time, an address or a URL
	}
	n := 0
	for range strings.FieldsSeq(t[i+1:]) {
		if n++; n > maxSetupFieldWords {
			return false
		}
	}
	return setupLabel.MatchString(t[:i])
}

// maxSetupFieldWords is the most words of a set-up field's value:
// "custom PCB with a W5500 ethernet chip" is a value, a sentence of ten
// words says what happens.
const maxSetupFieldWords = 8

// setupFieldIn returns where a field of the set-up glued to the end of
// sentence t without a full stop begins ("... fails after a minute Board:
// DevKitC v4"), or -1.
func setupFieldIn(t string) int {
	for i := strings.IndexByte(t, ':'); i > 0; {
		for j := i - 1; j >= max(2, i-24); j-- {
			if capitalAfterWord(t, j) && setupField(t[j:]) {
				return j
			}
		}
		next := strings.IndexByte(t[i+1:], ':')
		if next < 0 {
			break
		}
		i += 1 + next
	}
	return -1
}

// hashtagsAt returns where a run of hashtags that ends t begins ("...
// any idea? #esp32 #iot"), or -1: tags file a post, they do not ask, and
// count as a field of the set-up does (only their chips stay).
func hashtagsAt(t string) int {
	at := -1
	for end := len(strings.TrimRight(t, " .!")); end > 0; {
		i := strings.LastIndexByte(t[:end], ' ') + 1
		if !hashtag(t[i:end]) {
			break
		}
		at = i
		end = len(strings.TrimRight(t[:i], " "))
	}
	return at
}

// hashtag reports a word such as "#esp32" or "#home-automation"; "#123"
// refers to an issue.
func hashtag(w string) bool {
	if len(w) < 3 || w[0] != '#' {
		return false
	}
	letter := false
	for _, r := range w[1:] {
		switch {
		case r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z':
			letter = true
		case r >= '0' && r <= '9' || r == '-' || r == '_':
		default:
			return false
		}
	}
	return letter
}

// setupLabel is the label of a field of the set-up.
var setupLabel = regexp.MustCompile(`(?i)^(my\s+)?(board|boards|hardware|hw|modules?|chips?|set-?up|environment|env|` +
	`framework|platform|(esp-?)?idf(\s+version)?|sdk(\s+version)?|versions?|os|power(\s+supply)?|ide|toolchain|` +
	`dev\s?kit|target|firmware|arduino\s+core|core(\s+version)?|system|tools?)$`)

// questionLabel is a label a question opens with ("Question:", "Quick
// q -", "Follow-up question:"): it says that a question comes, not what.
var questionLabel = regexp.MustCompile(`(?i)^((quick|follow[- ]?up|another|simple|newbie|noob|dumb|general|related|side|small)\s+)?(question|q|query|doubt|tl;?dr)\s*(:|-\s|–\s)\s*`)

// selfNameEnd returns where a sentence goes on after the asker names
// themself ("I'm Alex from Berlin.", "This is Marco, ...", "My name is
// Priya Shah,"), or -1: a name says nothing of the question, and names
// are words some entry may use. The name is one or two capitalised words,
// and a place after "from" or "in" may follow; a capitalised word with
// more after it than a mark ("This is Arduino code") is not a name.
func selfNameEnd(t string) int {
	i := -1
	at := len(t) - len(strings.TrimLeft(t[greetingWords(t):], " ,")) // "hello i am rahul ..."
	for _, opening := range selfNaming {
		if len(t) > at+len(opening) && strings.EqualFold(t[at:at+len(opening)], opening) {
			i = at + len(opening)
			break
		}
	}
	if i < 0 {
		return -1
	}
	names := 0
	for n := 0; n < 2; n++ {
		w, next := wordAt(t, i)
		if !nameLike(w) {
			break
		}
		i, names = next, names+1
	}
	if names == 0 {
		if i = beforeFrom(t, i); i < 0 {
			return -1
		}
	}
	if w, next := wordAt(t, i); w == "from" || w == "in" {
		if place, end := wordAt(t, next); nameLike(place) || names == 0 && place != "" {
			i = end
			if place, end := wordAt(t, i); nameLike(place) {
				i = end
			}
		} else if names == 0 {
			return -1
		}
	}
	rest := strings.TrimLeft(t[i:], " ")
	switch {
	case rest == "":
		return len(t)
	case strings.IndexByte(",!.;:-", rest[0]) >= 0:
		return len(t) - len(rest) + 1
	case strings.HasPrefix(rest, "and "):
		return len(t) - len(rest) + len("and ") // "... and I work at a small company"
	}
	return -1
}

// beforeFrom returns where the one or two words at t[i:] end when "from"
// follows them, an article before them aside, or -1: written without
// capitals, a name needs its place after it ("i am rahul from india"), as
// does what the asker is ("im a hobbyist from brazil"); what they are
// doing says more ("im getting errors from the broker").
func beforeFrom(t string, i int) int {
	switch w, next := wordAt(t, i); {
	case w == "a" || w == "an":
		i = next
	case strings.HasSuffix(w, "ing"):
		return -1 // what happens: "im getting errors from the broker."
	}
	for range 2 {
		w, next := wordAt(t, i)
		if w == "" {
			return -1
		}
		if from, _ := wordAt(t, next); from == "from" {
			return next
		}
		i = next
	}
	return -1
}

// selfNaming are the openings of a sentence in which the asker names
// themself, with the space before the name.
var selfNaming = [...]string{"i'm ", "i’m ", "im ", "i am ", "this is ", "my name is ", "my name's ", "name's "}

// nameLike reports a word of letters whose first letter alone is a
// capital: "Alex", not "ESP" or "wifi".
func nameLike(w string) bool {
	r, n := utf8.DecodeRuneInString(w)
	if n == 0 || !unicode.IsUpper(r) || len(w) < 2 {
		return false
	}
	for _, r := range w[n:] {
		if !unicode.IsLower(r) {
			return false
		}
	}
	return true
}

// greetingWords returns where the greeting words a sentence opens with
// end ("Hi all", "Bonjour à tous"), or 0.
func greetingWords(t string) int {
	i, first := 0, true
	for {
		w, next := wordAt(t, i)
		if w == "" || !(inFolded(greetWords, w) || !first && inFolded(greetedWords, w)) {
			return i
		}
		i, first = next, false
	}
}

// wordAt returns the word of letters that starts at byte i of t, spaces
// skipped, and where it ends; "" when no word comes next.
func wordAt(t string, i int) (string, int) {
	for i < len(t) && t[i] == ' ' {
		i++
	}
	j := i
	for j < len(t) {
		r, n := utf8.DecodeRuneInString(t[j:])
		if !unicode.IsLetter(r) {
			break
		}
		j += n
	}
	return t[i:j], j
}

// inFolded reports whether set has w, lower-cased and without accents.
func inFolded(set map[string]bool, w string) bool {
	var buf [16]byte
	if !isPlainASCII(w) {
		return set[Normalize(w)]
	}
	if len(w) > len(buf) {
		return false
	}
	for i := 0; i < len(w); i++ {
		c := w[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		buf[i] = c
	}
	return set[string(buf[:len(w)])]
}

// signOffWords end a message in thanks or in a sign-off around one of
// signOffMarks ("Thanks in advance", "Merci d'avance", "Regards,").
var signOffWords = map[string]bool{
	"you": true, "much": true, "a": true, "lot": true, "in": true, "so": true, "very": true, "advance": true,
	"beaucoup": true, "d": true, "avance": true, "de": true, "antemano": true, "im": true, "voraus": true,
	"mille": true, "br": true,
	// "thanks in advance for your time", "thanks for any help"
	"for": true, "your": true, "any": true, "the": true, "all": true, "help": true, "time": true,
	"reply": true, "replies": true, "reading": true, "support": true, "advice": true, "input": true,
}

// signOffModifiers come before a mark ("many thanks", "kind regards").
var signOffModifiers = map[string]bool{"many": true, "best": true, "kind": true, "warm": true, "warmest": true}

var signOffMarks = map[string]bool{
	"thanks": true, "thank": true, "thx": true, "ty": true, "tia": true, "cheers": true, "regards": true,
	"merci": true, "gracias": true, "danke": true, "grazie": true, "obrigado": true, "obrigada": true,
	"cordialement": true, "saludos": true, "sincerely": true,
}

// withoutSignOff leaves out of a message's sentences the sign-off that
// ends it, and a line that bumps the thread: a sentence of thanks ("Merci d'avance !"), with the name
// signed after it ("Regards,\nJohn", "Thanks, Priya"), or the thanks
// ending its last sentence ("... in menuconfig merci d'avance").
func withoutSignOff(ts []string) []string {
	n := len(ts)
	if n > 1 && (bump(ts[n-1]) || mailFooter.MatchString(ts[n-1])) {
		n--
	}
	// "Regards,\nJohn", "Best regards,\nAlex Smith\nEmbedded Engineer, Acme Corp"
	if i := signOffBlock(n, func(i int) string { return ts[i] }); i >= 0 {
		n = i + 1 // the sign-off itself goes below
	}
	if n > 1 {
		// "Thanks, Priya"
		if i := strings.LastIndex(ts[n-1], ", "); i > 0 && signature(ts[n-1][i+2:]) && signOffAt(ts[n-1][:i]) == 0 {
			n--
		}
	}
	if n == 0 {
		return ts
	}
	switch i := signOffAt(ts[n-1]); {
	case i == 0 && n > 1:
		n-- // a sentence of thanks
	case i > 0:
		ts[n-1] = strings.TrimSpace(ts[n-1][:i])
	}
	return ts[:n]
}

// mailFooter is the line a mail app puts under a message ("Sent from my
// iPhone"), as forums that take mail show it.
var mailFooter = regexp.MustCompile(`(?i)^sent from my( [\w-]+){1,3}\.?$`)

// bump reports a line that only bumps a forum thread ("bump", "Bump!").
func bump(t string) bool {
	switch strings.ToLower(strings.TrimRight(t, ".! ")) {
	case "bump", "bumping", "bump bump", "up", "^":
		return true
	}
	return false
}

// signOffAt returns where the thanks that end t begin, or -1.
func signOffAt(t string) int {
	at, marked, prevMark := -1, false, false
	for end := len(t); ; {
		last := end // where the word after this one starts
		for end > 0 && !isLetterEnd(t, end) {
			end--
		}
		start := end
		for start > 0 {
			r, n := utf8.DecodeLastRuneInString(t[:start])
			if !unicode.IsLetter(r) {
				break
			}
			start -= n
		}
		w := t[start:end]
		mark := inFolded(signOffMarks, w)
		// "many thanks", "best regards", but not "which one is best, thanks"
		modifier := prevMark && inFolded(signOffModifiers, w) && strings.TrimSpace(t[end:last]) == ""
		if w == "" || !(mark || modifier || inFolded(signOffWords, w)) {
			break
		}
		at, marked, prevMark = start, marked || mark, mark
		end = start
	}
	if !marked {
		return -1
	}
	return at
}

// isLetterEnd reports whether the rune ending at byte end of t is a letter.
func isLetterEnd(t string, end int) bool {
	r, _ := utf8.DecodeLastRuneInString(t[:end])
	return unicode.IsLetter(r)
}

// signature reports a line that is a name alone, one or two capitalised
// words ("John", "Priya K").
func signature(t string) bool {
	if len(t) > 24 {
		return false
	}
	words := strings.Fields(strings.TrimRight(t, ".!"))
	if len(words) == 0 || len(words) > 2 {
		return false
	}
	for _, w := range words {
		r, _ := utf8.DecodeRuneInString(w)
		if !unicode.IsUpper(r) {
			return false
		}
		for _, c := range w {
			if !unicode.IsLetter(c) && c != '.' {
				return false
			}
		}
	}
	return true
}

// signOffBlock returns the index of the sign-off line that a signature
// block ends the n lines (text) with, or -1: "Best regards," above "Alex
// Smith" and "Embedded Engineer, Acme Corp".
func signOffBlock(n int, text func(int) string) int {
	for k := 1; k <= maxSignatureLines && n > k && signatureLine(text(n-k)); k++ {
		if signOffAt(text(n-k-1)) == 0 {
			return n - k - 1
		}
	}
	return -1
}

// maxSignatureLines is how many lines a signature below a sign-off has at
// most: a name, a title, a company.
const maxSignatureLines = 3

// signatureLine reports a line of a signature block: short, asking
// nothing, each word capitalised or a number ("Embedded Engineer, Acme
// Corp", "+49 30 1234567").
func signatureLine(t string) bool {
	if len(t) > 48 || strings.ContainsRune(t, '?') {
		return false
	}
	words := strings.Fields(t)
	for _, w := range words {
		r, _ := utf8.DecodeRuneInString(w)
		if !unicode.IsUpper(r) && !unicode.IsDigit(r) && r != '+' && r != '(' && r != '&' {
			return false
		}
	}
	return len(words) > 0
}

// subjectTag is what forums and mail put before a subject: "[SOLVED]",
// "[Help]", "Re:", "Fwd:".
var subjectTag = regexp.MustCompile(`(?i)^\s*((\[[a-z][^\]\n]{0,15}\]|\((solved|resolved|help|question)\)|(re|fw|fwd|aw)\s*:)\s*)+`)

// dropSubjectTags leaves out the tags a message opens with: they say how
// a thread stands, not what it asks ("solved" matched the entries that
// say a problem is solved).
func dropSubjectTags(q string) string {
	t := strings.TrimLeft(q, " \t\n")
	if t == "" || !strings.ContainsRune("[(rRfFaA", rune(t[0])) {
		return q // the common case, without the pattern
	}
	if m := subjectTag.FindStringIndex(t[:min(len(t), 64)]); m != nil {
		return t[m[1]:]
	}
	return q
}
