package matcher

import "math/bits"

// vocabulary is the set of words the entries use, for typo correction.
// Words are bucketed by length so that a correction compares a typed word
// only with words of nearly the same length.
type vocabulary struct {
	words map[string]int // word -> number of entries using it
	byLen map[int][]vocabWord
	// byKey buckets the same words by first letter and length: a typo
	// rarely hits the first letter, so corrections search only there.
	byKey map[int][]vocabWord
}

func bucketKey(first byte, n int) int { return int(first)<<8 | n }

type vocabWord struct {
	word    string
	term    string // its stem, the index term
	df      int
	letters uint64 // letterSet(word)
}

// letterSet is the set of bytes a word uses, folded into 64 bits. An edit
// adds at most one byte to the set and removes at most one, so words
// within d edits differ by at most d bits each way: a test much cheaper
// than the edit distance it spares.
func letterSet(w string) uint64 {
	var s uint64
	for i := 0; i < len(w); i++ {
		s |= 1 << (w[i] & 63)
	}
	return s
}

// mayBeWithin reports whether words of letter sets a and b can be within
// d edits.
func mayBeWithin(a, b uint64, d int) bool {
	return bits.OnesCount64(a&^b) <= d && bits.OnesCount64(b&^a) <= d
}

func newVocabulary(df map[string]int, an *analyzer) vocabulary {
	v := vocabulary{words: df, byLen: map[int][]vocabWord{}, byKey: map[int][]vocabWord{}}
	for w, n := range df {
		v.addTarget(w, n, an)
	}
	// the lexicon's words are targets as rare as can be: a word the
	// entries use wins a tie
	for _, w := range an.lexWords {
		if df[w] == 0 {
			v.addTarget(w, 0, an)
		}
	}
	return v
}

// addTarget makes w, used by n entries, a typo correction's target.
func (v vocabulary) addTarget(w string, n int, an *analyzer) {
	if len(w) < 3 {
		return
	}
	vw := vocabWord{word: w, term: an.stemWord(w, nil), df: n, letters: letterSet(w)}
	v.byLen[len(w)] = append(v.byLen[len(w)], vw)
	k := bucketKey(w[0], len(w))
	v.byKey[k] = append(v.byKey[k], vw)
}

// has reports whether some entry uses w.
func (v vocabulary) has(w string) bool { return v.words[w] > 0 }

// maxTypoDistance is how many edits a correction may need: one for short
// words, two from eight letters on.
func maxTypoDistance(n int) int {
	if n >= 8 {
		return 2
	}
	return 1
}

// correct is the typo-tolerance stage: it returns the most frequent
// vocabulary word within edit distance of w (mqqt -> mqtt, recieve ->
// receive), the first in alphabetical order among equals. Callers only ask for words that are neither in the vocabulary
// nor English words nor identifiers, so a known word is never rewritten.
func (v vocabulary) correct(w string) (vocabWord, bool) {
	if len(w) < 4 {
		return vocabWord{}, false
	}
	maxD := maxTypoDistance(len(w))
	var best vocabWord
	bestD := maxD + 1
	letters := letterSet(w)
	for n := len(w) - maxD; n <= len(w)+maxD; n++ {
		for _, c := range v.byKey[bucketKey(w[0], n)] {
			if !mayBeWithin(letters, c.letters, maxD) {
				continue
			}
			var d int
			if maxD == 1 {
				d = 2
				if withinOne(w, c.word) {
					d = 1
				}
			} else {
				d = editDistance(w, c.word, maxD)
			}
			if d < bestD || d == bestD && (c.df > best.df || c.df == best.df && c.word < best.word) {
				best, bestD = c, d
			}
		}
	}
	if bestD > maxD {
		return vocabWord{}, false
	}
	return best, true
}

// editDistance is the optimal-string-alignment distance (insertions,
// deletions, substitutions and adjacent transpositions), giving up with
// max+1 once the distance is known to exceed max.
func editDistance(a, b string, max int) int {
	if d := len(a) - len(b); d > max || -d > max {
		return max + 1
	}
	var buf [3][32]int
	if len(b) >= 31 {
		return max + 1
	}
	prev2, prev, cur := buf[0][:len(b)+1], buf[1][:len(b)+1], buf[2][:len(b)+1]
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		rowMin := cur[0]
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
			rowMin = min(rowMin, cur[j])
		}
		if rowMin > max {
			return max + 1
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(b)]
}

// isEnglish reports whether w is an English word or within one edit of one
// ("cary" for "carry"): such a word, unknown to the FAQ, is likely
// incidental to the question, unlike an unknown technical term.
func (a *analyzer) isEnglish(w string) bool {
	if a.dict.has(w) {
		return true
	}
	if len(w) < 4 {
		return false
	}
	for n := len(w) - 1; n <= len(w)+1; n++ {
		for _, d := range a.dict.bucket(w[0], n) {
			if withinOne(w, d) {
				return true
			}
		}
	}
	return false
}

// withinOne reports whether a and b are at most one edit apart (an
// insertion, deletion, substitution or adjacent transposition), in linear
// time: the common case of typo checks, done against thousands of words.
func withinOne(a, b string) bool {
	if len(a) < len(b) {
		a, b = b, a
	}
	if len(a)-len(b) > 1 {
		return false
	}
	i := 0
	for i < len(b) && a[i] == b[i] {
		i++
	}
	if i == len(b) {
		return true // equal, or a has one extra letter at the end
	}
	if len(a) > len(b) {
		return a[i+1:] == b[i:] // one letter inserted
	}
	if a[i+1:] == b[i+1:] {
		return true // one letter substituted
	}
	return i+1 < len(a) && a[i] == b[i+1] && a[i+1] == b[i] && a[i+2:] == b[i+2:] // transposition
}
