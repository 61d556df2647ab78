package slack

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/espbot/espbot/knowledge"
)

// indentStep is how far nested list content is pushed right. Slack's mrkdwn
// has no real nesting, but leading spaces survive and read as structure.
const indentStep = "    "

// escape makes text safe for mrkdwn: Slack only needs &, < and > escaped,
// and escaping < is also what stops "<!here>" or "<@U123>" from pinging.
func escape(s string) string {
	return mrkdwnEscaper.Replace(s)
}

var mrkdwnEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")

// linkURL makes a URL safe inside "<url|text>": the characters that end or
// split the link are percent-encoded and & is escaped as Slack itself does.
func linkURL(u string) string {
	return urlEscaper.Replace(u)
}

var urlEscaper = strings.NewReplacer("&", "&amp;", "<", "%3C", ">", "%3E", "|", "%7C", " ", "%20")

// linkText is the shown part of "<url|text>", where | and > cannot appear.
func linkText(s string) string {
	return strings.NewReplacer("|", "¦", ">", "&gt;", "<", "&lt;", "&", "&amp;").Replace(s)
}

// part is one rendered Doc block: mrkdwn text, or the verbatim content of a
// code block (kept apart so that splitting can re-fence it).
type part struct {
	text string
	code bool
}

// docParts renders every top-level block of d, in order.
func docParts(d knowledge.Doc) []part {
	var out []part
	for _, b := range d.Blocks {
		switch b.Kind {
		case knowledge.Code:
			out = append(out, part{text: b.Code, code: true})
		case knowledge.Table:
			out = append(out, part{text: tableText(b), code: true})
		default:
			if s := blockText(b, ""); strings.TrimSpace(s) != "" {
				out = append(out, part{text: s})
			}
		}
	}
	return out
}

// blockText renders one block as mrkdwn lines, each prefixed by indent.
func blockText(b knowledge.Block, indent string) string {
	switch b.Kind {
	case knowledge.Paragraph:
		return indentLines(inlineText(b.Inlines), indent)
	case knowledge.List:
		return listText(b, indent)
	case knowledge.Code:
		return fence(b.Code)
	case knowledge.Table:
		return fence(tableText(b))
	case knowledge.Note:
		return noteText(b, indent)
	case knowledge.Image:
		return indent + imageText(b)
	}
	return ""
}

// listText renders a list with "•" or "1." bullets; an item's further
// blocks and nested lists are indented under it.
func listText(b knowledge.Block, indent string) string {
	var lines []string
	for i, item := range b.Items {
		bullet := "•"
		if b.Ordered {
			bullet = fmt.Sprintf("%d.", i+1)
		}
		for j, blk := range item {
			switch {
			case j == 0 && blk.Kind == knowledge.Paragraph:
				body := indentLines(inlineText(blk.Inlines), indent+indentStep)
				lines = append(lines, indent+bullet+" "+strings.TrimLeft(body, " "))
			case j == 0:
				lines = append(lines, indent+bullet)
				lines = append(lines, blockText(blk, indent+indentStep))
			default:
				lines = append(lines, blockText(blk, indent+indentStep))
			}
		}
	}
	return strings.Join(lines, "\n")
}

// noteText renders an admonition as a quote: "> *Note:* ...".
func noteText(b knowledge.Block, indent string) string {
	label := b.Label
	if label == "" {
		label = "Note"
	}
	var inner []string
	if len(b.Items) > 0 {
		for _, blk := range b.Items[0] {
			inner = append(inner, blockText(blk, ""))
		}
	}
	body := strings.Join(inner, "\n")
	lines := strings.Split("*"+escape(label)+":* "+body, "\n")
	for i, l := range lines {
		lines[i] = indent + "> " + l
	}
	return strings.Join(lines, "\n")
}

// imageText links an absolute image URL; a relative one cannot be shown in
// Slack, so only its description is kept.
func imageText(b knowledge.Block) string {
	alt := b.Alt
	if alt == "" {
		alt = "image"
	}
	if strings.HasPrefix(b.URL, "http://") || strings.HasPrefix(b.URL, "https://") {
		return "<" + linkURL(b.URL) + "|" + linkText(alt) + ">"
	}
	return "_[" + escape(alt) + "]_"
}

// tableText lays a table out in aligned plain-text columns, for a code
// block: mrkdwn has no tables.
func tableText(b knowledge.Block) string {
	var rows [][]string
	var widths []int
	for _, r := range b.Rows {
		var cells []string
		for i, c := range r {
			s := plainInlines(c)
			cells = append(cells, s)
			if i >= len(widths) {
				widths = append(widths, 0)
			}
			widths[i] = max(widths[i], utf8.RuneCountInString(s))
		}
		rows = append(rows, cells)
	}
	var lines []string
	for i, cells := range rows {
		lines = append(lines, tableRow(cells, widths))
		if i == b.HeaderRows-1 {
			var rule []string
			for _, w := range widths {
				rule = append(rule, strings.Repeat("-", w))
			}
			lines = append(lines, strings.Join(rule, "-+-"))
		}
	}
	return strings.Join(lines, "\n")
}

func tableRow(cells []string, widths []int) string {
	var out []string
	for i, w := range widths {
		c := ""
		if i < len(cells) {
			c = cells[i]
		}
		out = append(out, c+strings.Repeat(" ", w-utf8.RuneCountInString(c)))
	}
	return strings.TrimRight(strings.Join(out, " | "), " ")
}

// plainInlines is the text of inlines without markup (table cells, fallback).
func plainInlines(in []knowledge.Inline) string {
	var sb strings.Builder
	for _, x := range in {
		sb.WriteString(x.Text)
	}
	return strings.Join(strings.Fields(sb.String()), " ")
}

// inlineText renders inlines as escaped mrkdwn.
func inlineText(in []knowledge.Inline) string {
	var sb strings.Builder
	for _, x := range in {
		switch x.Kind {
		case knowledge.Literal:
			sb.WriteString("`" + escape(strings.ReplaceAll(x.Text, "`", "'")) + "`")
		case knowledge.LinkRef:
			sb.WriteString(linkInline(x))
		case knowledge.Emphasis:
			sb.WriteString(wrapWords("_", escape(x.Text)))
		case knowledge.Strong:
			sb.WriteString(wrapWords("*", escape(x.Text)))
		default:
			sb.WriteString(escape(x.Text))
		}
	}
	return sb.String()
}

func linkInline(x knowledge.Inline) string {
	if x.URL == "" {
		return escape(x.Text)
	}
	if x.Text == "" || x.Text == x.URL {
		return "<" + linkURL(x.URL) + ">"
	}
	return "<" + linkURL(x.URL) + "|" + linkText(x.Text) + ">"
}

// wrapWords puts mark around s, keeping surrounding spaces outside the marks
// (Slack ignores "* bold *").
func wrapWords(mark, s string) string {
	t := strings.TrimSpace(s)
	if t == "" {
		return s
	}
	i := strings.Index(s, t)
	return s[:i] + mark + t + mark + s[i+len(t):]
}

func indentLines(s, indent string) string {
	if indent == "" {
		return s
	}
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = indent + l
	}
	return strings.Join(lines, "\n")
}

// fence wraps verbatim text in a mrkdwn code block; the text is escaped
// because Slack parses &, < and > even inside code.
func fence(code string) string {
	return "```\n" + escape(code) + "\n```"
}

// packSections joins parts into section texts of at most limit bytes,
// splitting parts that are too long on their own (code stays fenced).
func packSections(parts []part, limit int) []string {
	var out []string
	cur := ""
	flush := func() {
		if cur != "" {
			out = append(out, cur)
			cur = ""
		}
	}
	for _, p := range parts {
		for _, piece := range splitPart(p, limit) {
			switch {
			case cur == "":
				cur = piece
			case len(cur)+2+len(piece) <= limit:
				cur += "\n\n" + piece
			default:
				flush()
				cur = piece
			}
		}
	}
	flush()
	return out
}

// splitPart renders p as one or more texts of at most limit bytes.
func splitPart(p part, limit int) []string {
	if !p.code {
		return splitText(p.text, limit)
	}
	const fenceLen = len("```\n\n```")
	var out []string
	for _, chunk := range splitText(escape(p.text), limit-fenceLen) {
		out = append(out, "```\n"+chunk+"\n```")
	}
	return out
}

// splitText cuts s into pieces of at most limit bytes, preferring line
// breaks, then spaces, and never cutting a UTF-8 sequence, an entity such as
// "&amp;" or a "<url|text>" link.
func splitText(s string, limit int) []string {
	limit = max(limit, 1) // always progress, even on a degenerate limit
	var out []string
	for len(s) > limit {
		cut := cutPoint(s, limit)
		out = append(out, strings.TrimRight(s[:cut], " \n"))
		s = strings.TrimLeft(s[cut:], " \n")
	}
	if s != "" {
		out = append(out, s)
	}
	return out
}

func cutPoint(s string, limit int) int {
	head := s[:limit]
	if i := strings.LastIndexByte(head, '\n'); i > limit/2 {
		return i + 1
	}
	if i := strings.LastIndexByte(head, ' '); i > limit/2 {
		return i + 1
	}
	cut := limit
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	if i := strings.LastIndexAny(s[:cut], "&<"); i >= 0 && i > cut-maxAtomLen(s[i:]) && !strings.ContainsAny(s[i:cut], ";>") {
		cut = i
	}
	if cut == 0 {
		return limit
	}
	return cut
}

// maxAtomLen is how far an entity or link starting at s may run.
func maxAtomLen(s string) int {
	if s[0] == '&' {
		return 8
	}
	return 1000
}

// truncate shortens s to at most n runes, marking the cut with "…".
func truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}
