package knowledge

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// inlineParser turns the text of one paragraph (lines already joined) into
// inlines. It is a single left-to-right scan: plain text accumulates in buf
// and is flushed whenever a markup construct is recognised.
type inlineParser struct {
	src string
	// Pending text is src[seg0:seg1] while it is a run of the source, so
	// that most Text inlines share the source instead of copying it; it
	// moves to buf as soon as something else (an escape...) is added.
	seg0, seg1 int
	buf        []byte
	out        []Inline
	warns      []string // lint messages, without position
	refs       []string // labels of :ref: roles, which must resolve
}

// parseInlines parses RST inline markup. Warnings describe markup that a
// FAQ maintainer should fix (unbalanced markup, URLs with spaces).
func parseInlines(s string) inlineParser {
	if !hasMarkup(s) {
		if s == "" {
			return inlineParser{}
		}
		return inlineParser{out: []Inline{{Kind: Text, Text: s}}}
	}
	p := inlineParser{src: s}
	p.run()
	return p
}

// hasMarkup reports whether s may contain inline markup, so that the common
// plain sentence costs one allocation-free scan.
func hasMarkup(s string) bool {
	return strings.ContainsAny(s, "`*\\:") || strings.Contains(s, "http")
}

// PlainText strips RST inline markup from one line of text: inline
// literals, *emphasis*, **strong**, `text <url>`_ links,
// :role:`text <target>` references and backslash escapes all become their
// visible text, with runs of spaces collapsed.
func PlainText(rst string) string {
	return inlinesText(parseInlines(rst).out)
}

// inlinesText concatenates the visible text of inlines, collapsing spaces.
func inlinesText(ins []Inline) string {
	var b strings.Builder
	for _, in := range ins {
		b.WriteString(in.Text)
	}
	return collapseSpaces(b.String())
}

// collapseSpaces trims s and replaces every run of white space by one space.
func collapseSpaces(s string) string {
	s = strings.TrimSpace(s)
	if !strings.Contains(s, "  ") && !strings.ContainsAny(s, "\t\n") {
		return s
	}
	return strings.Join(strings.Fields(s), " ")
}

func (p *inlineParser) run() {
	s := p.src
	for i := 0; i < len(s); {
		switch c := s[i]; {
		case c == '\\':
			i = p.escape(i)
		case c == '`' && strings.HasPrefix(s[i:], "``"):
			i = p.literal(i)
		case c == '`':
			i = p.interpreted(i, "")
		case c == '*':
			i = p.emphasis(i)
		case c == ':':
			i = p.role(i)
		case c == 'h' && isURLStart(s, i):
			i = p.bareURL(i)
		default:
			j := i + 1
			for j < len(s) && !isSpecial(s[j]) {
				j++
			}
			p.addSrc(i, j)
			i = j
		}
	}
	p.flush()
}

// isSpecial reports the bytes where inline markup may start.
func isSpecial(c byte) bool {
	return c == '\\' || c == '`' || c == '*' || c == ':' || c == 'h'
}

// addSrc adds src[i:j] to the pending text.
func (p *inlineParser) addSrc(i, j int) {
	switch {
	case len(p.buf) == 0 && p.seg0 == p.seg1:
		p.seg0, p.seg1 = i, j
	case len(p.buf) == 0 && p.seg1 == i:
		p.seg1 = j
	default:
		p.add(p.src[i:j])
	}
}

// add adds text that is not a run of the source to the pending text.
func (p *inlineParser) add(text string) {
	if p.seg0 != p.seg1 {
		p.buf = append(p.buf, p.src[p.seg0:p.seg1]...)
		p.seg0, p.seg1 = 0, 0
	}
	p.buf = append(p.buf, text...)
}

// flush moves pending text into an inline.
func (p *inlineParser) flush() {
	switch {
	case len(p.buf) > 0:
		p.out = append(p.out, Inline{Kind: Text, Text: string(p.buf)})
		p.buf = p.buf[:0]
	case p.seg0 != p.seg1:
		p.out = append(p.out, Inline{Kind: Text, Text: p.src[p.seg0:p.seg1]})
	}
	p.seg0, p.seg1 = 0, 0
}

func (p *inlineParser) emit(in Inline) {
	p.flush()
	p.out = append(p.out, in)
}

func (p *inlineParser) warn(msg string) { p.warns = append(p.warns, msg) }

// escape handles a backslash: an escaped space disappears (RST uses "\ " to
// glue markup to words), any other character is kept literally.
func (p *inlineParser) escape(i int) int {
	if i+1 >= len(p.src) {
		return i + 1
	}
	r, n := utf8.DecodeRuneInString(p.src[i+1:])
	if !unicode.IsSpace(r) {
		p.addSrc(i+1, i+1+n)
	}
	return i + 1 + n
}

// literal handles an inline literal (text between double backquotes).
func (p *inlineParser) literal(i int) int {
	s := p.src
	if !startOK(s, i, 2) {
		p.addSrc(i, i+2)
		return i + 2
	}
	end := findEnd(s, i+2, "``")
	if end < 0 {
		p.warn("unbalanced inline markup: `` without closing ``")
		p.addSrc(i, i+2)
		return i + 2
	}
	p.emit(Inline{Kind: Literal, Text: s[i+2 : end]})
	return end + 2
}

// emphasis handles *emphasis* and **strong**.
func (p *inlineParser) emphasis(i int) int {
	s := p.src
	mark, kind := "*", Emphasis
	if strings.HasPrefix(s[i:], "**") {
		mark, kind = "**", Strong
	}
	if !startOK(s, i, len(mark)) {
		p.addSrc(i, i+len(mark))
		return i + len(mark)
	}
	end := findEnd(s, i+len(mark), mark)
	if end < 0 {
		p.warn("unbalanced inline markup: " + mark + " without closing " + mark)
		p.addSrc(i, i+len(mark))
		return i + len(mark)
	}
	p.emit(Inline{Kind: kind, Text: unescape(s[i+len(mark) : end])})
	return end + len(mark)
}

// interpreted handles `text`, `text <url>`_, `text <url>`__, `name`_ and
// the backquoted part of a role (role is its name then).
func (p *inlineParser) interpreted(i int, role string) int {
	s := p.src
	if role == "" && !startOK(s, i, 1) {
		p.addSrc(i, i+1)
		return i + 1
	}
	end := findEnd(s, i+1, "`")
	if k := spacedRefEnd(s, i+1); k >= 0 && (end < 0 || k < end) {
		p.warn("space before the closing backquote of a link")
		end = k
	}
	if end < 0 {
		p.warn("unbalanced inline markup: ` without closing `")
		if role != "" {
			p.add(":" + role + ":")
		}
		p.add("`")
		return i + 1
	}
	body := s[i+1 : end]
	next := end + 1
	ref := false
	if role == "" && strings.HasPrefix(s[next:], "__") {
		next, ref = next+2, true
	} else if role == "" && strings.HasPrefix(s[next:], "_") {
		next, ref = next+1, true
	}
	switch {
	case role != "":
		p.roleText(role, body)
	case ref:
		p.reference(body)
	case isEmbeddedURL(body):
		p.warn("link without trailing underscore: `" + body + "`")
		p.reference(body)
	default: // default role: shown as code, as Sphinx does
		p.emit(Inline{Kind: Literal, Text: body})
	}
	return next
}

// reference handles the body of `...`_ and `...`__.
func (p *inlineParser) reference(body string) {
	text, target := splitTarget(body)
	if target == "" { // `name`_: may name a question (its title is a target)
		text = unescape(text)
		p.emit(Inline{Kind: Text, Text: text, Label: refName(text)})
		return
	}
	if strings.HasSuffix(target, "_") {
		p.add(unescape(text))
		return
	}
	url := target
	if strings.ContainsAny(url, " \t\n") {
		p.warn("URL contains a space: " + quote(url))
		url = strings.Join(strings.Fields(url), "")
	}
	if text == "" {
		text = url
	}
	p.emit(Inline{Kind: LinkRef, Text: unescape(text), URL: url})
}

// roleText renders :role:`body`.
func (p *inlineParser) roleText(role, body string) {
	text, target := splitTarget(body)
	switch role {
	case "ref":
		label := target
		if label == "" {
			label, text = text, ""
		}
		p.refs = append(p.refs, refName(label))
		p.emit(Inline{Kind: Text, Text: unescape(text), Label: refName(label)})
	case "link_to_translation":
	case "doc":
		if text == "" {
			text = target
		}
		p.add(unescape(text))
	default:
		p.add(unescape(text))
	}
}

// role recognises :name:`...`; any other colon is text.
func (p *inlineParser) role(i int) int {
	s := p.src
	j := i + 1
	for j < len(s) && isRoleChar(s[j]) {
		j++
	}
	if j == i+1 || j+1 >= len(s) || s[j] != ':' || s[j+1] != '`' || !startOK(s, i, 1) {
		p.addSrc(i, i+1)
		return i + 1
	}
	return p.interpreted(j+1, s[i+1:j])
}

func isRoleChar(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-' || c == '.' || c == '+'
}

// bareURL handles a standalone http(s) URL.
func (p *inlineParser) bareURL(i int) int {
	s := p.src
	j := i
	for j < len(s) && !urlStop(s[j]) {
		j++
	}
	url := trimURL(s[i:j])
	p.emit(Inline{Kind: LinkRef, Text: url, URL: url})
	return i + len(url)
}

// isURLStart reports whether a bare URL starts at s[i].
func isURLStart(s string, i int) bool {
	rest := s[i:]
	if !strings.HasPrefix(rest, "http://") && !strings.HasPrefix(rest, "https://") {
		return false
	}
	if i == 0 {
		return true
	}
	c := s[i-1]
	return !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '/' || c == '.' || c == '<')
}

// urlStop reports the bytes that end a bare URL. Any non-ASCII byte ends it
// too, so that full-width punctuation after a URL is not swallowed.
func urlStop(c byte) bool {
	return c <= ' ' || c >= 0x80 || c == '<' || c == '>' || c == '"' || c == '`' || c == '|'
}

// trimURL drops trailing sentence punctuation and an unbalanced ")".
func trimURL(u string) string {
	for len(u) > 0 {
		last := u[len(u)-1]
		switch {
		case strings.IndexByte(".,;:!?'*", last) >= 0:
			u = u[:len(u)-1]
		case last == ')' && strings.Count(u, "(") < strings.Count(u, ")"):
			u = u[:len(u)-1]
		default:
			return u
		}
	}
	return u
}

// splitTarget splits "text <target>" into its parts; without angle brackets
// the whole body is the text.
func splitTarget(body string) (text, target string) {
	b := strings.TrimSpace(body)
	if !strings.HasSuffix(b, ">") {
		return b, ""
	}
	open := strings.LastIndex(b, "<")
	if open < 0 || open > 0 && b[open-1] == '\\' {
		return b, ""
	}
	return strings.TrimSpace(b[:open]), strings.TrimSpace(b[open+1 : len(b)-1])
}

// startOK applies RST's rule for inline markup start-strings: preceded by
// the start of text, white space or punctuation, not followed by white space,
// and not enclosed in matching brackets or quotes such as "(*)".
func startOK(s string, i, width int) bool {
	if i+width >= len(s) {
		return false
	}
	after, _ := utf8.DecodeRuneInString(s[i+width:])
	if unicode.IsSpace(after) {
		return false
	}
	if i == 0 {
		return true
	}
	before, _ := utf8.DecodeLastRuneInString(s[:i])
	if !unicode.IsSpace(before) && !unicode.IsPunct(before) && !unicode.IsSymbol(before) {
		return false
	}
	return closer(before) != after || after == 0
}

// closer returns the bracket or quote that closes r, or 0.
func closer(r rune) rune {
	switch r {
	case '(':
		return ')'
	case '[':
		return ']'
	case '{':
		return '}'
	case '<':
		return '>'
	case '\'':
		return '\''
	case '"':
		return '"'
	}
	return 0
}

// findEnd finds the end-string mark at or after from: preceded by a
// non-space and followed by the end of text, white space or punctuation.
func findEnd(s string, from int, mark string) int {
	for from < len(s) {
		k := strings.Index(s[from:], mark)
		if k < 0 {
			return -1
		}
		end := from + k
		if endOK(s, end, mark) {
			return end
		}
		from = end + 1
	}
	return -1
}

func endOK(s string, end int, mark string) bool {
	before, _ := utf8.DecodeLastRuneInString(s[:end])
	if unicode.IsSpace(before) || end > 0 && s[end-1] == '\\' && mark != "``" {
		return false
	}
	rest := s[end+len(mark):]
	if rest == "" {
		return true
	}
	after, _ := utf8.DecodeRuneInString(rest)
	if mark == "`" && after == '`' {
		return false
	}
	return unicode.IsSpace(after) || unicode.IsPunct(after) || unicode.IsSymbol(after)
}

// unescape removes RST backslash escapes ("\ " disappears).
func unescape(s string) string {
	if strings.IndexByte(s, '\\') < 0 {
		return s
	}
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		if s[i] != '\\' || i+1 == len(s) {
			b = append(b, s[i])
			continue
		}
		i++
		if s[i] != ' ' {
			b = append(b, s[i])
		}
	}
	return string(b)
}

// quote wraps s in double quotes for messages.
func quote(s string) string { return "\"" + s + "\"" }

// isEmbeddedURL reports `text <https://...>` written without the trailing
// underscore of a link.
func isEmbeddedURL(body string) bool {
	_, target := splitTarget(body)
	return strings.HasPrefix(target, "http://") || strings.HasPrefix(target, "https://")
}

// spacedRefEnd finds the common typo "`text <url> `_": the first backquote
// after from, when a space precedes it and an underscore follows it.
func spacedRefEnd(s string, from int) int {
	k := strings.IndexByte(s[from:], '`')
	if k <= 0 {
		return -1
	}
	end := from + k
	if s[end-1] == ' ' && end+1 < len(s) && s[end+1] == '_' {
		return end
	}
	return -1
}

// refName normalises a label or reference name as RST does: lower-case,
// single spaces.
func refName(s string) string { return strings.ToLower(collapseSpaces(s)) }
