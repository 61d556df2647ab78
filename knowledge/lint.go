package knowledge

import (
	"fmt"
	"strings"
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
	full := map[uint64]int{}
	minus := map[uint64]int{}
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

// wordHashes hashes the lower-case words of a title.
func wordHashes(title string) []uint64 {
	words := strings.FieldsFunc(strings.ToLower(title), func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r > 0x7f && r != '？' && r != '，' && r != '：')
	})
	hs := make([]uint64, len(words))
	for i, w := range words {
		hs[i] = fnv64(w)
	}
	return hs
}

// fnv64 is the FNV-1a hash of s.
func fnv64(s string) uint64 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= 1099511628211
	}
	return h
}
