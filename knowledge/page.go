package knowledge

import (
	"fmt"
	"strings"
)

// parsed is what parsing knows about an entry besides the Entry itself,
// for the steps that span pages (IDs, cross references).
type parsed struct {
	titleKey string // the normalised plain title, tags included: IDs hash it
	// fullTitle is the title's text, tags included, as Sphinx renders it.
	fullTitle string
	refs      []refUse
}

// page is the result of parsing one FAQ page.
type page struct {
	entries []Entry
	extra   []parsed // parallel to entries
	probs   []Problem
}

// parsePage splits a page into its category (the "=" title) and its
// entries: a line underlined with four or more dashes is a question, and its
// answer runs to the next question. Transitions (dash lines alone) separate
// entries; ".. _label:" targets just before a question mark it. An answer
// longer than maxAnswer bytes is an error at its question.
func parsePage(f sourceFile, maxAnswer int) page {
	ls := splitLines(f.data)
	category := pageCategory(ls)
	titles := questionLines(ls)
	if len(titles) == 0 {
		return page{}
	}
	pg := page{entries: make([]Entry, 0, len(titles)), extra: make([]parsed, 0, len(titles))}
	if category == "" {
		pg.probs = append(pg.probs, Problem{Path: f.path, Line: 1, Message: "no page title underlined with '=': entries have no category"})
	}
	anchors := newAnchors(category)
	_, pending := trimTail(ls[:titles[0]])
	for k, t := range titles {
		end := len(ls)
		if k+1 < len(titles) {
			end = titles[k+1]
		}
		answer, next := trimTail(ls[t+2 : end])
		e, x, probs := buildEntry(f.path, category, ls[t], answer, pending)
		pending = next
		e.Source.Page = f.page
		if f.url != "" {
			e.URL = f.url + "#" + anchors.next(x.fullTitle)
		}
		if n := sourceBytes(answer); n > maxAnswer {
			probs = append(probs, Problem{Path: f.path, Line: ls[t].num, Severity: Error,
				Message: fmt.Sprintf("answer longer than %s (%d bytes): shorten it or split the question", sizeName(maxAnswer), n)})
		}
		pg.probs = append(pg.probs, probs...)
		pg.entries = append(pg.entries, e)
		pg.extra = append(pg.extra, x)
	}
	return pg
}

// sourceBytes is the size of lines in the page, indentation included.
func sourceBytes(ls []line) int {
	n := 0
	for _, l := range ls {
		n += l.ind + len(l.s) + 1
	}
	return n
}

// pageCategory returns the plain text of the first line underlined with
// '=' at column 0.
func pageCategory(ls []line) string {
	for i := 0; i+1 < len(ls); i++ {
		if ls[i].ind == 0 && !ls[i].blank() && !isRun(ls[i].s, '=', 1) && ls[i+1].ind == 0 && isRun(ls[i+1].s, '=', 3) {
			return PlainText(ls[i].s)
		}
	}
	return ""
}

// questionLines returns the indexes of the question lines: non-blank lines
// at column 0 underlined by a line of four or more dashes.
func questionLines(ls []line) []int {
	var out []int
	for i := 0; i+1 < len(ls); i++ {
		if isTitle(ls, i) {
			out = append(out, i)
			i++
		}
	}
	return out
}

func isTitle(ls []line, i int) bool {
	l := ls[i]
	return l.ind == 0 && !l.blank() && !isRun(l.s, '-', 1) && isDashLine(ls[i+1])
}

// trimTail removes the trailing blank lines, transitions and ".. _label:"
// targets of a run of lines: the labels there mark the next question.
func trimTail(ls []line) ([]line, []string) {
	var labels []string
	end := len(ls)
	for end > 0 {
		l := ls[end-1]
		if l.blank() || isDashLine(l) {
			end--
			continue
		}
		label, ok := "", false
		if l.ind == 0 && strings.HasPrefix(l.s, ".. ") {
			label, ok = targetLabel(strings.TrimSpace(l.s[3:]))
		}
		if !ok || label == "" {
			break
		}
		labels = append([]string{label}, labels...)
		end--
	}
	return ls[:end], labels
}

// buildEntry parses one question and its answer.
func buildEntry(path, category string, title line, answer []line, labels []string) (Entry, parsed, []Problem) {
	c := entryCtx{path: path, labels: labels}
	titleIns := c.inlines(title.s, title.num)
	body := Doc{Blocks: c.parseBlocks(answer)}
	full := inlinesText(titleIns)
	plain, tags := splitTags(full)
	e := Entry{
		Title:    plain,
		Category: category,
		Chips:    c.chips,
		Tags:     tags,
		Body:     body,
		Links:    collectLinks(titleIns, body),
		Source:   Source{Path: path, Line: title.num},
		Labels:   c.labels,
	}
	return e, parsed{titleKey: refName(full), fullTitle: full, refs: c.refs}, c.probs
}

// splitTags removes "[LWIP]"-style prefixes from a title and returns them
// upper-cased as tags.
func splitTags(title string) (string, []string) {
	var tags []string
	for strings.HasPrefix(title, "[") {
		end := strings.IndexByte(title, ']')
		if end < 2 || end > 21 {
			break
		}
		tag := strings.ToUpper(strings.TrimSpace(title[1:end]))
		if !contains(tags, tag) {
			tags = append(tags, tag)
		}
		title = strings.TrimSpace(title[end+1:])
	}
	return title, tags
}

// collectLinks gathers the links of a title and a body, in order,
// de-duplicated by URL.
func collectLinks(title []Inline, body Doc) []Link {
	var links []Link
	add := func(in Inline) {
		if in.Kind != LinkRef || in.URL == "" {
			return
		}
		for _, l := range links {
			if l.URL == in.URL {
				return
			}
		}
		links = append(links, Link{Text: in.Text, URL: in.URL})
	}
	for _, in := range title {
		add(in)
	}
	walkInlines(body.Blocks, func(in *Inline) { add(*in) })
	return links
}

// walkInlines calls f for every inline of bs, depth first, in order.
func walkInlines(bs []Block, f func(*Inline)) {
	for i := range bs {
		b := &bs[i]
		for k := range b.Inlines {
			f(&b.Inlines[k])
		}
		for _, item := range b.Items {
			walkInlines(item, f)
		}
		for _, row := range b.Rows {
			for _, cell := range row {
				for k := range cell {
					f(&cell[k])
				}
			}
		}
	}
}
