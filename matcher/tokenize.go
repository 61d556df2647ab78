package matcher

import (
	"strings"
	"unicode"
)

// TokenKind classifies a token; it decides which later stages apply.
type TokenKind uint8

// Token kinds.
const (
	// Word is alphabetic: stop words, stemming and typo correction apply.
	Word TokenKind = iota
	// Ident is a technical identifier (esp_wifi_set_ps, at+cipserver,
	// lan8720, 0x2800): kept verbatim, never corrected.
	Ident
	// Number is digits, or a dotted address such as 192.168.4.1.
	Number
	// Version is a release number, canonical "v3.3" for "3.3" and "v3.3".
	Version
	// Chip is an Espressif chip, canonical "esp32s3" for "ESP32-S3",
	// "esp32s3" and a lone "S3".
	Chip
)

// Token is one unit of text. A compound token (esp_wifi_set_ps, keep-alive)
// is followed by its parts, which share its position.
type Token struct {
	Text string
	Kind TokenKind
	Pos  int
	Part bool
	// Short: a chip written as its suffix alone ("the C3", "on my S3"),
	// not after a possessive, which may also be another product's model
	// code ("Archer C6")
	Short bool
}

// Tokenize is the tokenizer stage. It expects Normalize'd text and keeps
// technical tokens whole while also yielding their parts, so that both
// "esp_wifi_set_ps" and "wifi" find an entry that quotes the call.
func Tokenize(s string) []Token {
	toks := make([]Token, 0, len(s)/5+8) // about one token per five bytes of English
	pos := 0
	owner := false // the last piece was a possessive: "a colleague's c3"
	forEachField(s, isSeparator, func(chunk string) {
		forEachField(chunk, isPathSeparator, func(piece string) {
			possessive := strings.HasSuffix(piece, "'s")
			piece = trimToken(piece)
			if piece == "" {
				return
			}
			n := len(toks)
			toks = appendCompound(toks, piece, pos)
			if len(toks) > n {
				toks[n].Short = toks[n].Short && !owner
				owner = possessive
				pos++
			}
		})
	})
	return toks
}

// forEachField calls fn with each run of s between separators, like
// strings.FieldsFunc without building a slice.
func forEachField(s string, sep func(rune) bool, fn func(string)) {
	start := -1
	for i, r := range s {
		if sep(r) {
			if start >= 0 {
				fn(s[start:i])
				start = -1
			}
		} else if start < 0 {
			start = i
		}
	}
	if start >= 0 {
		fn(s[start:])
	}
}

// isSeparator reports characters that never belong to a token.
func isSeparator(r rune) bool {
	if r < 0x80 {
		c := byte(r)
		return !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || strings.IndexByte("_.+-/:#'", c) >= 0)
	}
	return !unicode.IsLetter(r) && !unicode.IsDigit(r)
}

// isPathSeparator splits URLs, paths and "tcp/ip" into their words.
func isPathSeparator(r rune) bool { return r == '/' || r == ':' || r == '#' }

// trimToken removes punctuation around a token and the English possessive.
func trimToken(s string) string {
	s = strings.Trim(s, ".-+'_")
	s = strings.TrimSuffix(s, "'s")
	if strings.IndexByte(s, '\'') >= 0 {
		s = strings.ReplaceAll(s, "'", "")
	}
	return s
}

// appendCompound appends the token for piece and, for compounds, its parts.
func appendCompound(toks []Token, piece string, pos int) []Token {
	if isLowerWord(piece) {
		// the common case, a plain word: nothing to split or recognise
		toks = append(toks, Token{Text: piece, Kind: Word, Pos: pos})
		return appendModuleChip(toks, piece, pos)
	}
	if k, canon, ok := classifyAtom(piece); ok {
		return append(toks, Token{Text: canon, Kind: k, Pos: pos, Short: k == Chip && canon == "esp32"+piece})
	}
	if n, unit, ok := splitUnit(piece); ok {
		// "300ms", "2.4ghz", "64kb": a quantity is its number and its unit,
		// as when written apart; "9th" is the number alone, its suffix
		// no unit ("the 9th phone can't join")
		toks = appendCompound(toks, n, pos)
		if ordinalSuffix(n, unit) {
			return toks
		}
		return append(toks, Token{Text: unit, Kind: Word, Pos: pos})
	}
	if name, v, ok := frameworkVersion(piece); ok {
		// "idf5.1", "esp-idf5.1.2": the framework and its version, as when
		// written apart
		toks = appendCompound(toks, name, pos)
		return append(toks, Token{Text: v, Kind: Version, Pos: pos})
	}
	if strings.IndexByte(piece, '.') >= 0 {
		// file names, host names, "e.g.": the dot separates words
		for _, p := range strings.Split(piece, ".") {
			if p = trimToken(p); p != "" {
				toks = appendCompound(toks, p, pos)
			}
		}
		return toks
	}
	parts := strings.FieldsFunc(piece, func(r rune) bool { return r == '-' || r == '_' || r == '+' })
	if len(parts) <= 1 {
		return append(toks, Token{Text: piece, Kind: kindOf(piece), Pos: pos})
	}
	whole, kind := piece, Ident
	if strings.IndexByte(piece, '_') < 0 && strings.IndexByte(piece, '+') < 0 {
		// keep-alive, wi-fi, esp-idf: the joined form is how people also write it
		whole = strings.Join(parts, "")
		kind = kindOf(whole)
		if kind == Number {
			// "1-2", "2020-12-07": ranges and dates, not one number
			for _, p := range parts {
				toks = append(toks, Token{Text: p, Kind: Number, Pos: pos})
			}
			return toks
		}
	}
	if k, canon, ok := classifyAtom(whole); ok {
		return append(toks, Token{Text: canon, Kind: k, Pos: pos})
	}
	toks = append(toks, Token{Text: whole, Kind: kind, Pos: pos})
	toks = appendParts(toks, parts, pos)
	return appendModuleChip(toks, whole, pos)
}

// moduleChip returns the chip of the modules and boards people name
// instead of their chip: "my ESP-01 hotspot", "a NodeMCU", "IDF 3.3 on a
// WROOM-32". Names that hold their chip (ESP32-WROOM-32E) need none.
func moduleChip(name string) string {
	// the modules' full names start with ESP- (ESP-WROOM-32, ESP-WROVER-KIT)
	if rest, ok := strings.CutPrefix(name, "esp"); ok && (strings.HasPrefix(rest, "wroom") || strings.HasPrefix(rest, "wrover")) {
		name = rest
	}
	switch name {
	case "esp01", "esp01s", "esp07", "esp07s", "esp12", "esp12e", "esp12f", "esp12s",
		"wroom02", "wroom02d", "wroom02u", "nodemcu":
		return "esp8266"
	case "wroom32", "wroom32d", "wroom32e", "wroom32u", "wroom32ue", "wroom32se",
		"wrover", "wroverb", "wrovere", "wroverie", "wroveri", "wroverkit", "nodemcu32s":
		return "esp32"
	}
	return ""
}

// appendModuleChip appends the chip of a module or board as a part of its
// token, so that the question names the chip as well.
func appendModuleChip(toks []Token, name string, pos int) []Token {
	if c := moduleChip(name); c != "" {
		toks = append(toks, Token{Text: c, Kind: Chip, Pos: pos, Part: true})
	}
	return toks
}

func appendParts(toks []Token, parts []string, pos int) []Token {
	for _, p := range parts {
		t := Token{Text: p, Kind: kindOf(p), Pos: pos, Part: true}
		if k, canon, ok := classifyAtom(p); ok {
			t.Kind, t.Text = k, canon
		}
		toks = append(toks, t)
	}
	return toks
}

// splitUnit splits a number followed by a short unit ("300ms", "5ghz",
// "1.5kb"), but not a hexadecimal constant ("0x2800").
func splitUnit(s string) (num, unit string, ok bool) {
	i := 0
	for i < len(s) && (s[i] >= '0' && s[i] <= '9' || s[i] == '.' && i > 0) {
		i++
	}
	if i == 0 || s[i-1] == '.' || i == len(s) || len(s)-i > 5 || strings.HasPrefix(s, "0x") {
		return "", "", false
	}
	if !isLowerWord(s[i:]) {
		return "", "", false
	}
	return s[:i], s[i:], true
}

// ordinalSuffix reports the suffix of an ordinal: 1st, 2nd, 3rd, 4th, 11th.
func ordinalSuffix(num, suffix string) bool {
	switch suffix {
	case "st", "nd", "rd", "th":
		return strings.IndexByte(num, '.') < 0
	}
	return false
}

// classifyAtom recognises tokens with a canonical form: chips, versions and
// dotted numbers.
func classifyAtom(s string) (TokenKind, string, bool) {
	if c, ok := chipName(s); ok {
		return Chip, c, true
	}
	if v, ok := versionName(s); ok {
		return Version, v, true
	}
	if isDottedNumber(s) {
		return Number, s, true
	}
	return 0, "", false
}

// kindOf classifies a simple token (no separators).
func kindOf(s string) TokenKind {
	letters, digits, other := 0, 0, 0
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9':
			digits++
		case unicode.IsLetter(r):
			letters++
		default:
			other++
		}
	}
	switch {
	case other > 0 || letters > 0 && digits > 0:
		return Ident
	case digits > 0:
		return Number
	}
	return Word
}

// chipSuffixes are the ESP32 family members (ESP32-xx).
var chipSuffixes = [...]string{"s2", "s3", "c2", "c3", "c5", "c6", "c61", "h2", "h4", "p4"}

// chipMask is a set of canonical chips, a bit each: the ranker compares
// the question's chips with every candidate's.
type chipMask uint16

// esp32Family is the ESP32 series: "ESP32" asked is any of them.
const esp32Family = chipMask(1) | (1<<len(chipSuffixes)-1)<<4

// chipBit is a canonical chip's bit (of chipName's fourteen), or 0.
func chipBit(c string) chipMask {
	switch c {
	case "esp32":
		return 1
	case "esp8266":
		return 2
	case "esp8285":
		return 4
	case "esp8089":
		return 8
	}
	if rest, ok := strings.CutPrefix(c, "esp32"); ok {
		for i, s := range chipSuffixes {
			if rest == s {
				return 16 << i
			}
		}
	}
	return 0
}

// maskOfChips is the set of an entry's chips.
func maskOfChips(chips []string) chipMask {
	var m chipMask
	for _, c := range chips {
		m |= chipBit(c)
	}
	return m
}

// askedChips is the set of chips a question's chips match: "ESP32" stands
// for the whole series.
func askedChips(chips []string) chipMask {
	m := maskOfChips(chips)
	if m&1 != 0 {
		m |= esp32Family
	}
	return m
}

// match compares the chips a question asks (m) with an entry's.
func (m chipMask) match(entry chipMask) chipMatch {
	switch {
	case m == 0 || entry == 0:
		return chipNone
	case m&entry != 0:
		return chipMatched
	}
	return chipOther
}

// chipName returns the canonical chip for "esp32-s3", "esp32s3", "s3",
// "8266"...
func chipName(s string) (string, bool) {
	t := strings.ReplaceAll(s, "-", "")
	switch t {
	case "esp32", "esp8266", "esp8285", "esp8089":
		return t, true
	case "8266", "8285":
		return "esp" + t, true
	case "esp8266ex", "8266ex": // the chip's full name
		return "esp8266", true
	}
	rest, ok := strings.CutPrefix(t, "esp32")
	if !ok {
		rest = t
	}
	for _, c := range chipSuffixes {
		if rest == c {
			return "esp32" + c, true
		}
	}
	return "", false
}

// versionName canonicalises "v4.4", "4.4", "v5.0.1" to "v4.4"... A dotted
// number with two or three parts, the first small, is read as a version.
func versionName(s string) (string, bool) {
	t := strings.TrimPrefix(s, "v")
	first, _, _ := strings.Cut(t, ".")
	if n := strings.Count(t, "."); n < 1 || n > 2 || len(first) > 2 || !isDottedNumber(t) {
		return "", false
	}
	return "v" + t, true
}

// isDottedNumber reports numbers joined by dots ("1.2", "192.168.4.1").
// It runs on every token, so it walks the parts without splitting.
func isDottedNumber(s string) bool {
	if strings.IndexByte(s, '.') < 0 {
		return false
	}
	for rest := s; ; {
		p, after, more := strings.Cut(rest, ".")
		if p == "" || kindOf(p) != Number {
			return false
		}
		if !more {
			return true
		}
		rest = after
	}
}

// isLowerWord reports whether s is made of the letters a-z only (the
// letters "s", "c", "h" and "p" alone can name chips: "S3" has a digit, so
// it never takes this path).
func isLowerWord(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 'a' || c > 'z' {
			return false
		}
	}
	return true
}

// frameworkVersion splits a framework's name glued to its version
// ("idf5.1", "idfv4.4", "esp-idf5.1.2", "idf-5.1") into the name and the
// canonical version.
func frameworkVersion(piece string) (name, version string, ok bool) {
	for _, fw := range [...]string{"esp-idf", "espidf", "idf"} {
		rest, found := strings.CutPrefix(piece, fw)
		if !found || rest == "" {
			continue
		}
		if v, ok := versionName(strings.TrimPrefix(rest, "-")); ok {
			return fw, v, true
		}
	}
	return "", "", false
}
