package matcher

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// MaxQueryBytes is how much of a message is analysed. Chat questions are
// short; anything longer is a paste (a log, a stack trace, a file) whose
// first few kilobytes carry the error. The cut bounds the time of a search
// whatever arrives.
const MaxQueryBytes = 4096

// Truncate cuts s to at most MaxQueryBytes, at a rune boundary.
func Truncate(s string) string { return truncateTo(s, MaxQueryBytes) }

// truncateTo cuts s to at most n bytes, at a rune boundary.
func truncateTo(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// Normalize is the normalisation stage: it repairs invalid UTF-8, folds
// compatibility characters (full-width "？：" become "?:"), removes accents,
// turns control characters into spaces, lower-cases, writes out the chat
// shorthand "w/o" (spellOut) and drops the handles people address
// (dropHandles).
func Normalize(s string) string {
	return dropHandles(spellOut(normalize(s)))
}

func normalize(s string) string {
	s = strings.ToValidUTF8(s, " ")
	if isPlainASCII(s) {
		return asciiLower(s)
	}
	s = norm.NFKD.String(s)
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		switch {
		case unicode.Is(unicode.Mn, r):
			// accents: "é" decomposed to "e" + U+0301; drop the mark
		case unicode.IsControl(r) || unicode.IsSpace(r):
			b.WriteByte(' ')
		default:
			b.WriteRune(unicode.ToLower(r))
		}
	}
	return b.String()
}

// isPlainASCII reports whether s is printable ASCII (plus tab and newline),
// the common case, which needs no Unicode work.
func isPlainASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x7f || (c < 0x20 && c != '\t' && c != '\n' && c != '\r') {
			return false
		}
	}
	return true
}

func asciiLower(s string) string {
	b := []byte(s)
	for i, c := range b {
		switch {
		case c >= 'A' && c <= 'Z':
			b[i] = c + 'a' - 'A'
		case c < 0x20:
			b[i] = ' '
		}
	}
	return string(b)
}

// spellOut writes out the chat shorthand "w/o" as "without": its letters
// alone mean nothing (the tokenizer drops single letters), and without it
// "connect w/o a password" asks the opposite.
func spellOut(s string) string {
	if !strings.Contains(s, "w/o") {
		return s
	}
	var b strings.Builder
	for {
		i := strings.Index(s, "w/o")
		if i < 0 {
			b.WriteString(s)
			return b.String()
		}
		whole := (i == 0 || !inPathOrWord(s[i-1])) && (i+3 == len(s) || !inPathOrWord(s[i+3]))
		b.WriteString(s[:i])
		if whole {
			b.WriteString("without")
		} else {
			b.WriteString("w/o")
		}
		s = s[i+3:]
	}
}

// inPathOrWord reports a byte of a word, a path or a URL: the "w/o" of
// /dev/w/o or x/w/out is not shorthand.
func inPathOrWord(c byte) bool { return isWordByte(c) || c == '/' || c == '.' }

// dropHandles blanks out a handle typed to address someone ("@espbot",
// "@jane.doe"): a name, not a term of the question, which no entry uses.
// An e-mail address (a word before the "@") stays.
func dropHandles(s string) string {
	i := strings.IndexByte(s, '@')
	if i < 0 {
		return s
	}
	b := []byte(s)
	for ; i < len(b); i++ {
		if b[i] != '@' || i > 0 && inPathOrWord(b[i-1]) {
			continue
		}
		for ; i < len(b) && (b[i] == '@' || inPathOrWord(b[i]) || b[i] == '-'); i++ {
			b[i] = ' '
		}
	}
	return string(b)
}
