package matcher

import (
	_ "embed"
	"fmt"
	"slices"
	"sort"
	"strings"
)

//go:embed data/lexicon.txt
var builtinLexicon string

//go:embed data/stopwords.txt
var builtinStopWords string

//go:embed data/english-words.txt
var englishWords string

//go:embed data/common-words.txt
var commonWords string

// groupPrefix marks the index term that stands for a lexicon group; no
// token can start with it.
const groupPrefix = "~"

// lexicon maps phrases (sequences of stems) to their group term. It is a
// trie so that the longest phrase at each position wins ("modem sleep" over
// "modem").
type lexicon struct {
	root *lexNode
}

type lexNode struct {
	next  map[string]*lexNode
	group string // group term when a phrase ends here
}

// ParseLexicon checks lexicon lines (the format of data/lexicon.txt) and
// returns the groups, each a list of terms. Configuration uses it to report
// a bad extra line with its number.
func ParseLexicon(text string) ([][]string, error) {
	var groups [][]string
	for n, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		var terms []string
		for _, t := range strings.Split(line, " / ") {
			if t = strings.TrimSpace(t); t != "" {
				terms = append(terms, t)
			}
		}
		if len(terms) < 2 {
			return nil, fmt.Errorf("lexicon line %d: want at least two terms separated by \" / \", got %q", n+1, line)
		}
		groups = append(groups, terms)
	}
	return groups, nil
}

// newLexicon builds the trie. Each group is named after its first term;
// later groups may not steal a phrase from an earlier one, so the built-in
// lexicon stays stable when configuration adds lines.
func newLexicon(groups [][]string, phrase func(string) []string) *lexicon {
	lx := &lexicon{root: &lexNode{}}
	for _, g := range groups {
		name := groupPrefix + strings.Join(phrase(g[0]), "_")
		for _, t := range g {
			lx.add(phrase(t), name)
		}
	}
	return lx
}

func (lx *lexicon) add(stems []string, group string) {
	if len(stems) == 0 {
		return
	}
	n := lx.root
	for _, s := range stems {
		if n.next == nil {
			n.next = map[string]*lexNode{}
		}
		c, ok := n.next[s]
		if !ok {
			c = &lexNode{}
			n.next[s] = c
		}
		n = c
	}
	if n.group == "" {
		n.group = group
	}
}

// longest returns the group and length (in tokens) of the longest phrase
// starting at toks[0], or "" and 0. Stop words the phrase does not name are
// skipped inside it, so "without a content-length" matches "without
// content-length".
func (lx *lexicon) longest(toks []aToken) (string, int) {
	n, group, size := lx.root, "", 0
	for i, t := range toks {
		c, ok := n.next[t.term]
		if !ok {
			if t.stop && i > 0 {
				continue
			}
			break
		}
		n = c
		if n.group != "" {
			group, size = n.group, i+1
		}
	}
	return group, size
}

// wordSet is a sorted list of words, bucketed by first letter and length:
// it costs slices of the list instead of a map of 40,000 strings, and a
// lookup searches a bucket of a few hundred words of the same length.
type wordSet struct {
	words []string
	byKey map[int][]string // bucketKey(first letter, length) -> its words, sorted
}

func newWordSet(text string) wordSet {
	ws := wordSet{words: make([]string, 0, strings.Count(text, "\n")+1)}
	for line := range strings.Lines(text) {
		line = strings.TrimSpace(line)
		switch {
		case line == "" || line[0] == '#':
		case strings.IndexByte(line, ' ') < 0:
			ws.words = append(ws.words, line)
		default:
			ws.words = append(ws.words, strings.Fields(line)...)
		}
	}
	if !sort.StringsAreSorted(ws.words) {
		sort.Strings(ws.words)
	}
	ws.byKey = make(map[int][]string, 512)
	for _, w := range ws.words {
		k := bucketKey(w[0], len(w))
		ws.byKey[k] = append(ws.byKey[k], w)
	}
	return ws
}

// bucket returns the words of n bytes beginning with first, sorted.
func (ws wordSet) bucket(first byte, n int) []string { return ws.byKey[bucketKey(first, n)] }

func (ws wordSet) has(w string) bool {
	if w == "" {
		return false
	}
	_, ok := slices.BinarySearch(ws.bucket(w[0], len(w)), w)
	return ok
}

// set returns the words as a map, for small lists looked up often.
func (ws wordSet) set() map[string]bool {
	m := make(map[string]bool, len(ws.words))
	for _, w := range ws.words {
		m[w] = true
	}
	return m
}
