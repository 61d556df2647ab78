package matcher

import (
	"math/rand/v2"
	"strings"
)

// People type fast in chat: "conneted", "sotfap", "recieve". The training
// questions are written with few typos, so a decision fitted on them
// alone reads a corrected word as a strange one and abstains. The trainer
// also searches each held-out question with typos made up the way people
// make them, so that the decision learns how far a correction is
// evidence.
const (
	typoRate   = 0.15 // share of the words of typoMinLen letters or more given a typo
	typoMinLen = 4
	// CVTypoRate is the share of longer typed words CrossValidate gives
	// typos to: more than training does, so that the figure is not the
	// trainer's own noise.
	CVTypoRate = 0.25
	// typoRowWeight is what a question searched with typos counts in the
	// decision, beside the question as asked: it is the same question
	typoRowWeight = 0.5
)

// withTypos returns q with typos in about rate of the longer words
// people type (a letter dropped, doubled, swapped with the next or
// replaced by a key beside it), the same for the same seed, and whether it
// made any. What people paste keeps its spelling: code in backticks or
// fences, logs, tracebacks, identifiers, numbers and chip names.
func withTypos(q string, seed uint64, rate float64) (string, bool) {
	rng := rand.New(rand.NewPCG(seed, 0x7970))
	var b strings.Builder
	made, fenced := false, false
	for line := range strings.Lines(q) {
		if strings.HasPrefix(strings.TrimSpace(line), "```") {
			fenced = !fenced
		}
		if fenced || pasted(line) {
			b.WriteString(line)
			continue
		}
		for i, part := range strings.Split(line, "`") {
			if i > 0 {
				b.WriteByte('`')
			}
			if i%2 == 1 { // inside backticks
				b.WriteString(part)
				continue
			}
			made = misspell(&b, part, rate, rng) || made
		}
	}
	return b.String(), made
}

// pasted reports a line people paste rather than type: a log, boot or dump
// line, or one with the punctuation of code and paths.
func pasted(line string) bool {
	return idfLog.MatchString(line) || bootLine.MatchString(line) || isDump(line) || strings.ContainsAny(line, "(){}[]=<>;\"/")
}

// misspell writes text to b with typos in about rate of its longer words,
// and reports whether it made any.
func misspell(b *strings.Builder, text string, rate float64, rng *rand.Rand) bool {
	made := false
	for i := 0; i < len(text); {
		j := i
		for j < len(text) && isLetter(text[j]) {
			j++
		}
		if j == i {
			b.WriteByte(text[i])
			i++
			continue
		}
		w := text[i:j]
		atWord := (i == 0 || !isWordByte(text[i-1])) && (j == len(text) || !isWordByte(text[j]))
		if atWord && len(w) >= typoMinLen && rng.Float64() < rate {
			w, made = typo(w, rng), true
		}
		b.WriteString(w)
		i = j
	}
	return made
}

// typo makes one typo in w, never at its first letter.
func typo(w string, rng *rand.Rand) string {
	i := 1 + rng.IntN(len(w)-1)
	switch rng.IntN(4) {
	case 0: // dropped
		return w[:i] + w[i+1:]
	case 1: // doubled
		return w[:i+1] + w[i:]
	case 2: // swapped with the next, or the one before at the end
		if i == len(w)-1 {
			i--
		}
		if i == 0 {
			return w
		}
		return w[:i] + string(w[i+1]) + string(w[i]) + w[i+2:]
	}
	return w[:i] + string(keyBeside(w[i], rng)) + w[i+1:]
}

// keyRows are the letter rows of a QWERTY keyboard.
const keyRows = "|qwertyuiop|asdfghjkl|zxcvbnm|"

// keyBeside returns a letter next to c on its keyboard row, in c's case
// (c itself when it is not a letter).
func keyBeside(c byte, rng *rand.Rand) byte {
	lower := c | 0x20
	k := strings.IndexByte(keyRows, lower)
	if k < 0 || lower < 'a' || lower > 'z' {
		return c
	}
	next := keyRows[k+1]
	if next == '|' || keyRows[k-1] != '|' && rng.IntN(2) == 0 {
		next = keyRows[k-1]
	}
	return next &^ (lower ^ c)
}

// typoCopies returns the questions it could give typos, with them (see
// withTypos), each seeded by its ID and text.
func typoCopies(qs []trainQ) []trainQ {
	var out []trainQ
	for _, q := range qs {
		if text, ok := withTypos(q.Text, uint64(hash(q.ID))<<32|uint64(hash(q.Text)), typoRate); ok {
			q.Text = text
			out = append(out, q)
		}
	}
	return out
}

func isLetter(c byte) bool { return c|0x20 >= 'a' && c|0x20 <= 'z' }

// isWordByte reports a byte that continues an identifier or a number: a
// word next to one (esp_wifi_init, 0x2800, wroom32) is not a word to
// misspell.
func isWordByte(c byte) bool { return isLetter(c) || c >= '0' && c <= '9' || c == '_' }
