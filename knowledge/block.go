package knowledge

import (
	"strings"
)

// entryCtx collects what the block parser finds besides blocks while it
// reads one answer: labels, chips, cross references and problems.
type entryCtx struct {
	path   string
	probs  []Problem
	labels []string
	chips  []string
	refs   []refUse
}

// refUse is a :ref: written in an answer, for the unresolved-ref warning.
type refUse struct {
	label string
	line  int
}

func (c *entryCtx) warn(line int, msg string) {
	c.probs = append(c.probs, Problem{Path: c.path, Line: line, Severity: Warning, Message: msg})
}

// inlines parses inline markup of text written at line num.
func (c *entryCtx) inlines(text string, num int) []Inline {
	p := parseInlines(text)
	for _, w := range p.warns {
		c.warn(num, w)
	}
	for _, label := range p.refs {
		c.refs = append(c.refs, refUse{label: label, line: num})
	}
	return p.out
}

// parseBlocks parses the lines of an answer (or of a nested construct) into
// blocks. Each step recognises the construct at ls[i] and returns the index
// of the first line after it.
func (c *entryCtx) parseBlocks(ls []line) []Block {
	var out []Block
	for i := 0; i < len(ls); {
		if ls[i].blank() || isDashLine(ls[i]) {
			i++
			continue
		}
		i = c.parseBlock(ls, i, &out)
	}
	return out
}

func (c *entryCtx) parseBlock(ls []line, i int, out *[]Block) int {
	l := ls[i]
	switch {
	case strings.HasPrefix(l.s, "..") && (len(l.s) == 2 || l.s[2] == ' '):
		return c.explicit(ls, i, out)
	case l.s == "::":
		end := indentedBlock(ls, i+1, l.ind)
		*out = appendCode(*out, "", ls[i+1:end])
		return end
	case isListItem(l.s):
		return c.list(ls, i, out)
	case isFieldLine(l.s):
		return c.field(ls, i, out)
	case isGridBorder(l.s):
		return c.gridTable(ls, i, out)
	case isSimpleBorder(l.s):
		return c.simpleTable(ls, i, out)
	case i+1 < len(ls) && ls[i+1].ind == l.ind && underlineChar(ls[i+1].s) != 0:
		*out = append(*out, Block{Kind: Paragraph, Inlines: []Inline{{Kind: Strong, Text: PlainText(l.s)}}})
		return i + 2
	}
	return c.paragraph(ls, i, out)
}

// paragraph joins lines up to a blank line or the start of another
// construct. A paragraph ending with "::" introduces a literal block.
func (c *entryCtx) paragraph(ls []line, i int, out *[]Block) int {
	first := ls[i]
	j := i + 1
	for j < len(ls) && !ls[j].blank() && ls[j].ind >= first.ind && !startsBlock(ls[j]) {
		j++
	}
	text, literal := literalIntro(squeezeSpaces(joinLines(ls[i:j])))
	if text != "" {
		*out = append(*out, Block{Kind: Paragraph, Inlines: c.inlines(text, first.num)})
	}
	if !literal {
		return j
	}
	end := indentedBlock(ls, j, first.ind)
	*out = appendCode(*out, "", ls[j:end])
	return end
}

// literalIntro handles a paragraph ending with "::", which introduces a
// literal block: "Example::" reads "Example:", "Example ::" reads "Example".
func literalIntro(text string) (string, bool) {
	if !strings.HasSuffix(text, "::") {
		return text, false
	}
	text = strings.TrimSuffix(text, "::")
	if text == "" || strings.HasSuffix(text, " ") {
		return strings.TrimSpace(text), true
	}
	return text + ":", true
}

// startsBlock reports lines that end a paragraph even without a blank line
// before them. FAQ authors often start a list right under a sentence.
func startsBlock(l line) bool {
	return isListItem(l.s) || strings.HasPrefix(l.s, ".. ") || isGridBorder(l.s) || isSimpleBorder(l.s) || isFieldLine(l.s)
}

// appendCode adds a code block made of ls, unless it is empty.
func appendCode(out []Block, lang string, ls []line) []Block {
	code := verbatim(ls)
	if code == "" {
		return out
	}
	return append(out, Block{Kind: Code, Lang: lang, Code: code})
}

// marker describes a list item marker.
type marker struct {
	ordered bool
	style   string // "-", "*", "1.", "1)", "(1)", "#.", "a." ...
	width   int    // bytes of the marker and the spaces after it
}

func isListItem(s string) bool {
	_, ok := listMarker(s)
	return ok
}

// listMarker recognises "- ", "* ", "+ ", "• ", "1. ", "1) ", "(1) ",
// "#. " and "a. " item starts.
func listMarker(s string) (marker, bool) {
	if s == "-" || s == "*" || s == "+" {
		return marker{style: s, width: 1}, true
	}
	for _, b := range [...]string{"- ", "* ", "+ ", "• "} {
		if strings.HasPrefix(s, b) {
			return marker{style: b[:len(b)-1], width: len(b) + spacesAfter(s, len(b))}, true
		}
	}
	return enumMarker(s)
}

func enumMarker(s string) (marker, bool) {
	i, open := 0, false
	if strings.HasPrefix(s, "(") {
		i, open = 1, true
	}
	start := i
	style := "1"
	switch {
	case i < len(s) && s[i] == '#':
		i, style = i+1, "#"
	case i < len(s) && s[i] >= 'a' && s[i] <= 'z':
		i, style = i+1, "a"
	default:
		for i < len(s) && i-start < 3 && s[i] >= '0' && s[i] <= '9' {
			i++
		}
	}
	if i == start || i+1 >= len(s) || s[i+1] != ' ' {
		return marker{}, false
	}
	switch {
	case open && s[i] == ')':
		style = "(" + style + ")"
	case !open && (s[i] == '.' || s[i] == ')'):
		style += s[i : i+1]
	default:
		return marker{}, false
	}
	return marker{ordered: true, style: style, width: i + 2 + spacesAfter(s, i+2)}, true
}

func spacesAfter(s string, i int) int {
	n := 0
	for i+n < len(s) && s[i+n] == ' ' {
		n++
	}
	return n
}

// list parses consecutive items with the same marker style at one
// indentation. An item holds the lines indented more than its marker.
func (c *entryCtx) list(ls []line, i int, out *[]Block) int {
	first := ls[i]
	m, _ := listMarker(first.s)
	b := Block{Kind: List, Ordered: m.ordered, Start: enumStart(first.s, m)}
	for i < len(ls) {
		l := ls[i]
		mk, ok := listMarker(l.s)
		if l.ind != first.ind || !ok || mk.style != m.style {
			break
		}
		end := indentedBlock(ls, i+1, l.ind)
		item := make([]line, 0, end-i)
		item = append(item, line{s: strings.TrimSpace(l.s[min(mk.width, len(l.s)):]), num: l.num})
		item = append(item, dedent(ls[i+1:end], l.ind+mk.width)...)
		b.Items = append(b.Items, c.parseBlocks(item))
		i = skipBlank(ls, end)
	}
	*out = append(*out, b)
	return i
}

// skipBlank returns the index of the first non-blank line at or after i.
func skipBlank(ls []line, i int) int {
	for i < len(ls) && ls[i].blank() {
		i++
	}
	return i
}

// isFieldLine recognises a field such as ":CHIP\: ESP32 | ESP32-S2:".
func isFieldLine(s string) bool {
	return len(s) > 3 && s[0] == ':' && s[len(s)-1] == ':' && s[1] != ' ' && strings.IndexByte(s, '`') < 0
}

// field handles a field line: chips go to the entry, other fields
// (":IDF\: release/v5.0:") stay in the answer as a paragraph.
func (c *entryCtx) field(ls []line, i int, out *[]Block) int {
	l := ls[i]
	content := strings.TrimSpace(strings.ReplaceAll(l.s[1:len(l.s)-1], `\:`, ":"))
	parts := strings.Split(content, "|")
	for k, part := range parts {
		name, value, ok := strings.Cut(part, ":")
		if !ok || strings.TrimSpace(strings.ToUpper(name)) != "CHIP" {
			continue
		}
		c.addChips(l.num, append([]string{value}, parts[k+1:]...))
		if k == 0 {
			return i + 1 // a pure :CHIP: field: the chips are the entry's
		}
		break
	}
	// Other fields (":IDF\: release/v5.0 | CHIP\: ESP32:") qualify the
	// text that follows them, so they stay in the answer as written.
	*out = append(*out, Block{Kind: Paragraph, Inlines: c.inlines(content, l.num)})
	return i + 1
}

// addChips normalises the chip names of a :CHIP: field.
func (c *entryCtx) addChips(num int, values []string) {
	for _, v := range values {
		for _, tok := range strings.FieldsFunc(v, func(r rune) bool { return r == ',' || r == ' ' || r == '|' }) {
			chip, ok := normaliseChip(tok)
			if !ok {
				c.warn(num, "unknown chip name "+quote(tok)+" in :CHIP: field"+didYouMean(tok))
				continue
			}
			if !contains(c.chips, chip) {
				c.chips = append(c.chips, chip)
			}
		}
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// enumStart returns the number of the first item of an enumerated list
// ("3." gives 3, "c)" gives 3), or 0 for bullets and auto-numbering.
func enumStart(s string, m marker) int {
	if !m.ordered {
		return 0
	}
	s = strings.TrimPrefix(s, "(")
	if s[0] >= 'a' && s[0] <= 'z' {
		return int(s[0]-'a') + 1
	}
	n := 0
	for i := 0; i < len(s) && s[i] >= '0' && s[i] <= '9'; i++ {
		n = n*10 + int(s[i]-'0')
	}
	return n
}

// squeezeSpaces replaces runs of spaces by one space: in prose they are
// typing accidents, and HTML would not show them either.
func squeezeSpaces(s string) string {
	if !strings.Contains(s, "  ") {
		return s
	}
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		if s[i] == ' ' && i > 0 && s[i-1] == ' ' {
			continue
		}
		b = append(b, s[i])
	}
	return string(b)
}

// joinLines joins the text of lines with spaces, dropping line-block bars
// ("| "). A single line is returned as is, without copying.
func joinLines(ls []line) string {
	if len(ls) == 1 {
		return strings.TrimPrefix(ls[0].s, "| ")
	}
	n := 0
	for _, l := range ls {
		n += len(l.s) + 1
	}
	var b strings.Builder
	b.Grow(n)
	for k, l := range ls {
		if k > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(strings.TrimPrefix(l.s, "| "))
	}
	return b.String()
}
