package matcher

import (
	"strings"
	"unicode"
)

// A closing remark reports that a problem went away ("ok nvm, it was a
// loose usb cable lol", "never mind, works now"): it asks nothing, and the
// entry that shares its words (a serial-port entry for "usb cable")
// answers a question nobody asked. It gets no answer.

// maxClosingWords bounds a closing remark: a longer message describes
// something.
const maxClosingWords = 14

// ClosingRemark reports a short message that asks nothing and says the
// problem is solved or was a false alarm. A contrast or a new trouble after
// the remark ("fixed it, but now TLS fails", "fixed it yesterday, today it
// fails again") makes it a new problem, not a closing.
func ClosingRemark(q string) bool {
	if hasQuestionMark(q) {
		return false
	}
	var buf [maxClosingWords + 1]string // on the stack: Search calls this for every question
	words := chatWords(strings.ToLower(q), buf[:0])
	if len(words) == 0 || len(words) > maxClosingWords {
		return false
	}
	if _, asks := askWord(words[0]); asks || words[0] == "where" || words[0] == "anyone" {
		return false
	}
	end := closingEnd(words)
	if end < 0 {
		return false
	}
	for _, w := range words[end:] {
		switch w {
		case "but", "still", "except", "however", "though", "although", "yet",
			"again", "anymore", "fail", "fails", "failed", "failing", "error", "errors", "crash", "crashes",
			"crashed", "broke", "broken", "doesn't", "won't", "can't", "cannot":
			return false
		}
	}
	return true
}

// hasQuestionMark reports whether s has a question mark, ASCII or
// full-width. strings.ContainsAny with a non-ASCII set decodes every rune;
// two byte searches do not, and Search asks this of every question.
func hasQuestionMark(s string) bool {
	return strings.IndexByte(s, '?') >= 0 || strings.Contains(s, "？")
}

// closingMarks are the word sequences that close a problem.
var closingMarks = [][]string{
	{"nvm"}, {"nevermind"}, {"never", "mind"}, {"false", "alarm"}, {"my", "bad"},
	{"fixed", "it"}, {"solved", "it"}, {"sorted", "it"}, {"resolved", "it"},
	{"figured", "it", "out"}, {"figured", "out"}, {"works", "now"}, {"working", "now"},
	{"all", "good", "now"},
}

// closingEnd returns the position after the first closing mark in words,
// or -1.
func closingEnd(words []string) int {
	for i := range words {
		for _, m := range closingMarks {
			if n := matchMark(words[i:], m); n > 0 {
				return i + n
			}
		}
	}
	return -1
}

// matchMark returns how many words mark m matches at the start of words,
// or 0.
func matchMark(words, m []string) int {
	if len(words) < len(m) {
		return 0
	}
	for i, w := range m {
		if words[i] != w {
			return 0
		}
	}
	return len(m)
}

// chatWords appends the words of s (letters and apostrophes) to dst and
// stops when dst is full: a caller that wants n words gives room for n+1,
// and a full dst says there were more.
func chatWords(s string, dst []string) []string {
	start := -1
	for i, r := range s {
		if unicode.IsLetter(r) || r == '\'' {
			if start < 0 {
				start = i
			}
			continue
		}
		if start >= 0 {
			if dst = append(dst, s[start:i]); len(dst) == cap(dst) {
				return dst
			}
			start = -1
		}
	}
	if start >= 0 {
		dst = append(dst, s[start:])
	}
	return dst
}
