package knowledge

import (
	"fmt"
	"unicode"
	"unicode/utf8"
)

// lint reports what a FAQ maintainer would want to fix across entries:
// empty answers, duplicate and near-duplicate titles, misspelled chips.
func lint(es []Entry) []Problem {
	var probs []Problem
	for _, e := range es {
		if len(e.Body.Blocks) == 0 {
			probs = append(probs, warning(e.Source, "empty answer"))
		}
		probs = append(probs, typos(e)...)
	}
	return append(probs, duplicates(es)...)
}

// typos finds misspelled chip names in the title and the answer's text
// (code and literals excepted).
func typos(e Entry) []Problem {
	var probs []Problem
	for _, msg := range chipTypos(e.Title) {
		probs = append(probs, warning(e.Source, msg+" in title"))
	}
	seen := map[string]bool{}
	walkInlines(e.Body.Blocks, func(in *Inline) {
		if in.Kind == Literal {
			return
		}
		for _, msg := range chipTypos(in.Text) {
			if !seen[msg] {
				seen[msg] = true
				probs = append(probs, warning(e.Source, msg+" in answer"))
			}
		}
	})
	return probs
}

// duplicates reports titles with the same words (in any order, ignoring
// case and punctuation) as an earlier title, and near-duplicates: titles of
// four words or more that differ from an earlier one by one extra word.
// Words are hashed and summed so that removing a word is a subtraction.
func duplicates(es []Entry) []Problem {
	full := make(map[uint64]int, len(es))
	minus := make(map[uint64]int, 16*len(es))
	var probs []Problem
	for i, e := range es {
		hs := wordHashes(e.Title)
		var sum uint64
		for _, h := range hs {
			sum += h
		}
		if j, ok := full[sum]; ok {
			probs = append(probs, warning(e.Source, fmt.Sprintf("duplicate title (same as %s)", es[j].Source.pos())))
			continue
		}
		if j, ok := nearDuplicate(hs, sum, full, minus); ok && len(hs) >= 4 {
			probs = append(probs, warning(e.Source, fmt.Sprintf("near-duplicate title (compare %s: %q)", es[j].Source.pos(), es[j].Title)))
		}
		full[sum] = i
		if len(hs) >= 4 {
			for _, h := range hs {
				if _, ok := minus[sum-h]; !ok {
					minus[sum-h] = i
				}
			}
		}
	}
	return probs
}

// nearDuplicate finds an earlier title with one word more (it appears in
// minus under our sum) or one word less (our sum minus a word is its sum).
func nearDuplicate(hs []uint64, sum uint64, full, minus map[uint64]int) (int, bool) {
	if j, ok := minus[sum]; ok {
		return j, true
	}
	for _, h := range hs {
		if j, ok := full[sum-h]; ok {
			return j, true
		}
	}
	return 0, false
}

// wordHashes hashes the lower-case words (runs of letters and digits) of a
// title, so that "zone？" and "zone?" are the same word.
func wordHashes(title string) []uint64 {
	hs := make([]uint64, 0, 24)
	h, in := uint64(fnvOffset), false
	for i := 0; i <= len(title); {
		word, size := wordAt(title, i)
		if word {
			for k := i; k < i+size; k++ {
				h = (h ^ uint64(lower(title[k]))) * fnvPrime
			}
			in = true
		} else if in {
			hs = append(hs, h|1)
			h, in = fnvOffset, false
		}
		i += size
	}
	return hs
}

// wordAt reports whether the character at s[i] belongs to a word, and its
// size in bytes (1 at the end of s).
func wordAt(s string, i int) (bool, int) {
	if i >= len(s) {
		return false, 1
	}
	c := lower(s[i])
	if c < 0x80 {
		return c >= 'a' && c <= 'z' || c >= '0' && c <= '9', 1
	}
	r, n := utf8.DecodeRuneInString(s[i:])
	return unicode.IsLetter(r) || unicode.IsDigit(r), n
}

func lower(c byte) byte {
	if c >= 'A' && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// fnv64 is the FNV-1a hash of s.
func fnv64(s string) uint64 {
	h := uint64(fnvOffset)
	for i := 0; i < len(s); i++ {
		h = (h ^ uint64(s[i])) * fnvPrime
	}
	return h
}

// FNV-1a constants.
const (
	fnvOffset = 14695981039346656037
	fnvPrime  = 1099511628211
)
