package matcher

import (
	"regexp"
	"slices"
	"strings"
	"unicode"
)

// segment is a part of a question with how much its words count.
type segment struct {
	text   string
	weight float64
	role   sentenceRole
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
	focusBoilerplate = 0.1  // template fields and headings, checklists
	focusDump        = 0.02 // backtraces, register and hex dumps
)

// Sizes of posts.
const (
	// MaxPostBytes is how much of a message is read at all: enough for a
	// long GitHub issue with its log.
	MaxPostBytes = 64 << 10
	// shortPost is the size under which a message is one segment: chat
	// questions and short pasted log lines are asked as a whole.
	shortPost = 600
	// maxLineBytes bounds one line of a long post.
	maxLineBytes = 1024
)

// focus cuts a question into weighted segments, keeping at most
// MaxQueryBytes of its text, most telling lines first.
func focus(q string) []segment {
	q = truncateTo(q, MaxPostBytes)
	if len(q) <= shortPost && strings.Count(q, "\n") < 4 {
		return sentences(q)
	}
	var segs []segment
	inCode := false
	for line := range strings.Lines(q) {
		line = strings.TrimSpace(line)
		if strings.HasPrefix(line, "```") {
			inCode = !inCode
			line = strings.TrimSpace(strings.Trim(line, "`"))
		}
		if line == "" {
			continue
		}
		// one huge line (a minified paste) must not crowd out the rest
		line = truncateTo(line, maxLineBytes)
		segs = append(segs, segment{text: line, weight: lineWeight(line, inCode)})
	}
	return budget(segs, MaxQueryBytes)
}

// sentences cuts a short question into its sentences when some of them
// ask and others do not; otherwise it is one segment.
func sentences(q string) []segment {
	var segs []segment
	asks := 0
	add := func(t string) {
		if t = strings.TrimSpace(t); t == "" {
			return
		}
		role := roleContext
		if strings.Contains(t, "?") {
			role, asks = roleAsking, asks+1
		}
		segs = append(segs, segment{text: t, weight: 1, role: role})
	}
	start := 0
	for i := 0; i < len(q); i++ {
		c := q[i]
		if c == '\n' || (c == '.' || c == '?' || c == '!') && (i+1 == len(q) || q[i+1] == ' ' || q[i+1] == '\n') {
			add(q[start : i+1])
			start = i + 1
		}
	}
	add(q[start:])
	if asks == 0 || asks == len(segs) {
		return []segment{{text: q, weight: 1}}
	}
	return segs
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
	// idfLog is an ESP-IDF log line: "E (1234) tag: message".
	idfLog = regexp.MustCompile(`^([EWIDV]) \(\d+\)`)
	// fieldLine is a template field ("ESP-IDF version: v4.4", "- Module: x").
	fieldLine = regexp.MustCompile(`^[-*>#\s]*[A-Za-z][\w ./()-]{0,40}:(\s|$)`)
	// errorWord marks a line that reports a failure.
	errorWord = regexp.MustCompile(`(?i)\b(error|err|errno|fail(ed|s|ure)?|abort(ed)?|panic|timeout|timed out|refused|reset|crash(ed|es)?|assert(ion)?|invalid|cannot|can't|unable)\b`)
)

// lineWeight classifies one line of a long post.
func lineWeight(line string, inCode bool) float64 {
	if m := idfLog.FindStringSubmatch(line); m != nil {
		if m[1] == "E" || m[1] == "W" {
			return focusAsk
		}
		return focusCode
	}
	switch {
	case isDump(line):
		return focusDump
	case strings.HasPrefix(line, "#") || strings.HasPrefix(line, "- [") || strings.HasPrefix(line, "* ["):
		return focusBoilerplate // headings and checklists of issue templates
	case errorWord.MatchString(line):
		return focusAsk
	case strings.Contains(line, "?") && !inCode:
		return focusAsk
	case inCode:
		return focusCode
	case fieldLine.MatchString(line) && len(line) < 100:
		return focusBoilerplate
	}
	return focusProse
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

// isForeign reports a question not written in English: mostly letters of
// another script, or mostly words that are neither English, nor the FAQ's,
// nor stop words. espbot then offers suggestions instead of guessing.
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
			default:
				other++
			}
		}
	}
	if other > 2*latin {
		return true
	}
	return p.words >= 4 && p.strange*2 > p.words
}
