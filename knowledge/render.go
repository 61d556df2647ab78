package knowledge

import (
	"strconv"
	"strings"
)

// RenderText renders a Doc as readable plain text for terminals and the
// JSON "text" field: paragraphs separated by blank lines, lists with "- " or
// "1. " and two spaces of indentation per nesting level, code indented by
// four spaces, links as "text (url)", notes as "Note: ...", table rows as
// cells joined with " | ".
func RenderText(d Doc) string {
	return blocksText(d.Blocks, "\n\n")
}

// InlineText renders inlines as plain text, links as "text (url)" and
// cross references as "text (see entry ID)".
func InlineText(ins []Inline) string {
	var b strings.Builder
	for _, in := range ins {
		b.WriteString(in.Text)
		switch {
		case in.Kind == LinkRef && in.URL != "" && in.URL != in.Text:
			if in.Text == "" {
				b.WriteString(in.URL)
				continue
			}
			b.WriteString(" (" + in.URL + ")")
		case in.Ref != "":
			b.WriteString(" (see entry " + in.Ref + ")")
		}
	}
	return b.String()
}

// blocksText renders blocks separated by sep.
func blocksText(bs []Block, sep string) string {
	parts := make([]string, 0, len(bs))
	for _, b := range bs {
		if s := blockText(b); s != "" {
			parts = append(parts, s)
		}
	}
	return strings.Join(parts, sep)
}

func blockText(b Block) string {
	switch b.Kind {
	case Paragraph:
		return InlineText(b.Inlines)
	case List:
		return listText(b)
	case Code:
		return indent(b.Code, "    ")
	case Note:
		return noteText(b)
	case Table:
		return tableText(b)
	case Image:
		if b.Alt != "" {
			return "[Image: " + b.Alt + "]"
		}
		return "[Image: " + b.URL + "]"
	}
	return ""
}

// listText renders items on their own lines; an item's further blocks and
// nested lists are indented by two spaces.
func listText(b Block) string {
	lines := make([]string, 0, len(b.Items))
	for i, item := range b.Items {
		marker := "- "
		if b.Ordered {
			marker = strconv.Itoa(max(b.Start, 1)+i) + ". "
		}
		body := blocksText(item, "\n")
		first, rest, _ := strings.Cut(body, "\n")
		if len(item) > 0 && item[0].Kind != Paragraph {
			first, rest = "", body
		}
		s := strings.TrimRight(marker+first, " ")
		if rest != "" {
			s += "\n" + indent(rest, "  ")
		}
		lines = append(lines, s)
	}
	return strings.Join(lines, "\n")
}

// noteText renders "Note: first paragraph" and the rest indented.
func noteText(b Block) string {
	var body []Block
	if len(b.Items) > 0 {
		body = b.Items[0]
	}
	label := b.Label
	if label == "" {
		label = "Note"
	}
	text := blocksText(body, "\n")
	if len(body) > 0 && body[0].Kind == Paragraph {
		first, rest, _ := strings.Cut(text, "\n")
		if rest == "" {
			return label + ": " + first
		}
		return label + ": " + first + "\n" + indent(rest, "  ")
	}
	return label + ":\n" + indent(text, "  ")
}

// tableText renders one line per row.
func tableText(b Block) string {
	rows := make([]string, 0, len(b.Rows))
	for _, row := range b.Rows {
		cells := make([]string, len(row))
		for k, c := range row {
			cells[k] = InlineText(c)
		}
		rows = append(rows, strings.Join(cells, " | "))
	}
	return strings.Join(rows, "\n")
}

// indent prefixes every non-empty line of s.
func indent(s, prefix string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		if l != "" {
			lines[i] = prefix + l
		}
	}
	return strings.Join(lines, "\n")
}
