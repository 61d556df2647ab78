package discord

import (
	"strconv"
	"strings"

	"github.com/espbot/espbot/knowledge"
)

// markdownBlocks renders each block of d as Discord markdown, one string per
// top-level block, so that long answers can be shortened at a block boundary.
func markdownBlocks(d knowledge.Doc) []string {
	out := make([]string, 0, len(d.Blocks))
	for _, b := range d.Blocks {
		if s := strings.TrimRight(markdownBlock(b, 0), "\n"); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// markdown renders a whole Doc as Discord markdown.
func markdown(d knowledge.Doc) string {
	return strings.Join(markdownBlocks(d), "\n\n")
}

// markdownBlock renders one block; depth is the list nesting level, used to
// indent nested lists (Discord needs the indentation to nest).
func markdownBlock(b knowledge.Block, depth int) string {
	switch b.Kind {
	case knowledge.Paragraph:
		return inlines(b.Inlines)
	case knowledge.List:
		return list(b, depth)
	case knowledge.Code:
		return fence(b.Lang, b.Code)
	case knowledge.Note:
		return note(b)
	case knowledge.Table:
		return table(b)
	case knowledge.Image:
		return image(b)
	}
	return ""
}

// blocks renders a sequence of blocks separated by blank lines.
func blocks(bs []knowledge.Block, depth int) string {
	parts := make([]string, 0, len(bs))
	for _, b := range bs {
		if s := strings.TrimRight(markdownBlock(b, depth), "\n"); s != "" {
			parts = append(parts, s)
		}
	}
	return strings.Join(parts, "\n\n")
}

// list renders a bullet or numbered list. Continuation lines of an item (its
// further blocks, nested lists) are indented under the marker.
func list(b knowledge.Block, depth int) string {
	var sb strings.Builder
	for i, item := range b.Items {
		marker := "- "
		if b.Ordered {
			marker = strconv.Itoa(max(b.Start, 1)+i) + ". "
		}
		body := itemBody(item, depth+1)
		indent := strings.Repeat(" ", len(marker))
		lines := strings.Split(body, "\n")
		inFence := false
		for j, line := range lines {
			switch {
			case j == 0:
				sb.WriteString(marker + line)
			case line == "" && !inFence:
				// Blank lines would end the list in Discord's markdown.
				continue
			default:
				sb.WriteString("\n" + indent + line)
			}
			if strings.HasPrefix(strings.TrimLeft(line, " "), "```") {
				inFence = !inFence
			}
		}
		if i < len(b.Items)-1 {
			sb.WriteString("\n")
		}
	}
	return sb.String()
}

// itemBody renders the blocks of one list item tightly: a list item's
// paragraphs and nested lists follow each other without blank lines.
func itemBody(item []knowledge.Block, depth int) string {
	parts := make([]string, 0, len(item))
	for _, b := range item {
		if s := strings.TrimRight(markdownBlock(b, depth), "\n"); s != "" {
			parts = append(parts, s)
		}
	}
	return strings.Join(parts, "\n")
}

// fence renders a fenced code block. A run of three backticks inside the code
// would close the fence early, so it is broken with a zero-width space.
func fence(lang, code string) string {
	code = strings.ReplaceAll(code, "```", "``\u200b`")
	lang = strings.Map(func(r rune) rune {
		if r == '-' || r == '+' || r == '#' || r == '_' || (r >= '0' && r <= '9') || (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') {
			return r
		}
		return -1
	}, lang)
	return "```" + strings.ToLower(lang) + "\n" + code + "\n```"
}

// note renders an admonition as a block quote headed by its label.
func note(b knowledge.Block) string {
	label := b.Label
	if label == "" {
		label = "Note"
	}
	var body string
	if len(b.Items) > 0 {
		body = blocks(b.Items[0], 0)
	}
	lines := strings.Split(strings.TrimRight(body, "\n"), "\n")
	var sb strings.Builder
	sb.WriteString("> **" + escape(label) + ":**")
	for i, line := range lines {
		if i == 0 && line != "" && !strings.HasPrefix(line, "```") && !strings.HasPrefix(line, "- ") && !startsNumbered(line) {
			sb.WriteString(" " + line)
			continue
		}
		if i == 0 && line == "" {
			continue
		}
		sb.WriteString("\n> " + line)
	}
	return sb.String()
}

func startsNumbered(line string) bool {
	i := 0
	for i < len(line) && line[i] >= '0' && line[i] <= '9' {
		i++
	}
	return i > 0 && strings.HasPrefix(line[i:], ". ")
}

// table renders a table as a list, one item per body row with the header
// names in bold: Discord has no tables, and a list stays readable on phones.
func table(b knowledge.Block) string {
	if len(b.Rows) == 0 {
		return ""
	}
	var header [][]knowledge.Inline
	rows := b.Rows
	if b.HeaderRows > 0 && b.HeaderRows <= len(rows) {
		header = rows[b.HeaderRows-1]
		rows = rows[b.HeaderRows:]
	}
	lines := make([]string, 0, len(rows))
	for _, row := range rows {
		cells := make([]string, 0, len(row))
		for i, cell := range row {
			text := inlines(cell)
			if text == "" {
				continue
			}
			if i < len(header) {
				if h := inlines(header[i]); h != "" {
					text = "**" + h + ":** " + text
				}
			}
			cells = append(cells, text)
		}
		if len(cells) > 0 {
			lines = append(lines, "- "+strings.Join(cells, " · "))
		}
	}
	return strings.Join(lines, "\n")
}

// image renders an image as a link to it (embeds show one image at most).
func image(b knowledge.Block) string {
	alt := b.Alt
	if alt == "" {
		alt = "image"
	}
	if strings.HasPrefix(b.URL, "https://") || strings.HasPrefix(b.URL, "http://") {
		return "[" + escapeLinkText("Image: "+alt) + "](" + escapeURL(b.URL) + ")"
	}
	return "_(image: " + escape(alt) + ")_"
}

// inlines renders a run of inlines. Text runs become one line: the source's
// line breaks inside a paragraph are not meaningful.
func inlines(in []knowledge.Inline) string {
	var sb strings.Builder
	for _, x := range in {
		s := inline(x)
		if strings.HasPrefix(s, "`") && strings.HasSuffix(sb.String(), "`") {
			// Two code spans side by side would read as a longer fence.
			sb.WriteString("\u200b")
		}
		sb.WriteString(s)
	}
	return strings.Join(strings.Fields(sb.String()), " ")
}

func inline(x knowledge.Inline) string {
	switch x.Kind {
	case knowledge.Literal:
		return code(x.Text)
	case knowledge.LinkRef:
		return link(x.Text, x.URL)
	case knowledge.Emphasis:
		return wrap("*", escape(x.Text))
	case knowledge.Strong:
		return wrap("**", escape(x.Text))
	}
	if x.Ref != "" {
		// A cross reference to another entry: its ID works with /faq.
		return escape(x.Text) + " (" + code(x.Ref) + ")"
	}
	return escape(x.Text)
}

// wrap puts markers around s, keeping surrounding spaces outside the markers
// (Discord does not format "** x **").
func wrap(marker, s string) string {
	t := strings.TrimSpace(s)
	if t == "" {
		return s
	}
	lead := s[:strings.Index(s, t)]
	trail := s[len(lead)+len(t):]
	return lead + marker + t + marker + trail
}

// code renders inline code; backticks inside need a longer delimiter.
func code(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if s == "" {
		return ""
	}
	if strings.Contains(s, "`") {
		return "`` " + strings.ReplaceAll(s, "``", "`\u200b`") + " ``"
	}
	return "`" + s + "`"
}

// link renders a masked link, or the bare URL when the text is the URL.
func link(text, url string) string {
	if url == "" {
		return escape(text)
	}
	if !strings.HasPrefix(url, "https://") && !strings.HasPrefix(url, "http://") && !strings.HasPrefix(url, "mailto:") {
		// Discord only links absolute URLs; show the text with the target.
		return escape(text) + " (" + code(url) + ")"
	}
	if text == "" || text == url {
		return "<" + escapeURL(url) + ">"
	}
	return "[" + escapeLinkText(text) + "](" + escapeURL(url) + ")"
}

// escapeURL keeps a URL from ending a masked link or angle brackets early.
func escapeURL(u string) string {
	r := strings.NewReplacer(" ", "%20", "(", "%28", ")", "%29", "<", "%3C", ">", "%3E")
	return r.Replace(u)
}

// escapeLinkText escapes the text of a masked link; brackets would end it.
func escapeLinkText(s string) string {
	return escape(strings.Join(strings.Fields(s), " "))
}

// markdownSpecials are the characters that Discord's markdown gives a
// meaning to inside a line ("<" starts mentions such as <@id>; parentheses
// need no escape once brackets are escaped).
const markdownSpecials = "\\*_~`|[]<"

// escape makes s show literally in Discord markdown: specials are
// backslash-escaped, line-start markers (headings, quotes, lists) are
// neutralised, and "@everyone"/"@here" are broken with a zero-width space so
// that they could not ping even if allowed_mentions were wrong.
func escape(s string) string {
	var sb strings.Builder
	sb.Grow(len(s) + 8)
	lineStart := true
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case strings.IndexByte(markdownSpecials, c) >= 0:
			sb.WriteByte('\\')
			sb.WriteByte(c)
		case lineStart && (c == '#' || c == '-' || c == '+' || c == '>'):
			sb.WriteByte('\\')
			sb.WriteByte(c)
		case c == '@':
			sb.WriteByte('@')
			rest := s[i+1:]
			if strings.HasPrefix(rest, "everyone") || strings.HasPrefix(rest, "here") {
				sb.WriteString("\u200b")
			}
		default:
			sb.WriteByte(c)
		}
		if c == '\n' {
			lineStart = true
		} else if c != ' ' && c != '\t' {
			lineStart = false
		}
	}
	return sb.String()
}

// escapeQuery makes a user's question safe to show: one line, escaped,
// bounded in length.
func escapeQuery(q string, max int) string {
	q = strings.Join(strings.Fields(q), " ")
	return escape(truncateRunes(q, max))
}

// unescape undoes escape, to read back a title espbot rendered.
func unescape(s string) string {
	s = strings.ReplaceAll(s, "@\u200b", "@")
	var sb strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) {
			i++
		}
		sb.WriteByte(s[i])
	}
	return sb.String()
}
