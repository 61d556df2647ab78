package knowledge

import (
	"strconv"
	"strings"
)

// explicit handles lines starting with "..": directives, targets
// (".. _label:"), substitution definitions and comments. Everything
// indented under the line belongs to it.
func (c *entryCtx) explicit(ls []line, i int, out *[]Block) int {
	l := ls[i]
	end := indentedBlock(ls, i+1, l.ind)
	rest := strings.TrimSpace(l.s[2:])
	if label, ok := targetLabel(rest); ok {
		if label == "" {
			return end // external target and its URL
		}
		c.labels = append(c.labels, label)
		return i + 1 // a target has no body: what follows is the answer
	}
	name, args, ok := directiveName(rest)
	if !ok || strings.HasPrefix(rest, "|") {
		return end // comment or substitution definition: not part of the answer
	}
	opts, content := splitOptions(ls[i+1 : end])
	c.directive(l, strings.ToLower(name), args, opts, content, out)
	return end
}

// targetLabel recognises ".. _label:" (label returned, lower-cased as RST
// does) and ".. _name: URL" (ok, but no label: an external target).
func targetLabel(rest string) (string, bool) {
	if !strings.HasPrefix(rest, "_") {
		return "", false
	}
	body := rest[1:]
	if strings.HasSuffix(body, ":") {
		return refName(strings.Trim(body[:len(body)-1], "`")), true
	}
	return "", strings.Contains(body, ": ")
}

// directiveName splits "name:: args".
func directiveName(rest string) (name, args string, ok bool) {
	k := strings.Index(rest, "::")
	if k <= 0 {
		return "", "", false
	}
	name = rest[:k]
	if strings.ContainsAny(name, " \t") && !strings.HasPrefix(name, "|") {
		return "", "", false
	}
	return name, strings.TrimSpace(rest[k+2:]), true
}

// splitOptions separates a directive's leading ":option: value" lines from
// its content, which it returns dedented.
func splitOptions(body []line) (map[string]string, []line) {
	var opts map[string]string
	k := 0
	for k < len(body) && !body[k].blank() && strings.HasPrefix(body[k].s, ":") {
		name, value, ok := strings.Cut(body[k].s[1:], ":")
		if !ok || strings.ContainsAny(name, " `") {
			break
		}
		if opts == nil {
			opts = map[string]string{}
		}
		opts[strings.ToLower(name)] = strings.TrimSpace(value)
		k++
	}
	content := body[k:]
	return opts, dedent(content, minIndent(content))
}

// directive turns one directive into blocks.
func (c *entryCtx) directive(l line, name, args string, opts map[string]string, content []line, out *[]Block) {
	switch name {
	case "code-block", "code", "sourcecode":
		*out = appendCode(*out, args, content)
	case "note", "warning", "tip", "important", "attention", "caution", "danger", "hint", "seealso", "admonition":
		*out = append(*out, c.admonition(l, name, args, content))
	case "list-table":
		*out = append(*out, c.listTable(opts, content))
	case "image", "figure":
		*out = append(*out, image(args, opts, content))
	case "raw", "toctree", "role", "highlight", "contents", "index", "meta", "include", "default-role":
		// page machinery, not answers
	case "only", "container", "rst-class", "class", "table", "topic", "rubric", "centered":
		if args != "" && (name == "topic" || name == "rubric" || name == "table") {
			*out = append(*out, Block{Kind: Paragraph, Inlines: []Inline{{Kind: Strong, Text: PlainText(args)}}})
		}
		*out = append(*out, c.parseBlocks(content)...)
	default:
		c.warn(l.num, "unknown directive "+quote(name))
		*out = append(*out, c.parseBlocks(content)...)
	}
}

// admonition builds a Note block; text on the directive line is its first
// paragraph.
func (c *entryCtx) admonition(l line, name, args string, content []line) Block {
	label := strings.ToUpper(name[:1]) + name[1:]
	switch {
	case name == "seealso":
		label = "See also"
	case name == "admonition":
		label, args = PlainText(args), ""
	}
	body := content
	if args != "" {
		body = append([]line{{s: args, num: l.num}}, content...)
	}
	return Block{Kind: Note, Label: label, Items: [][]Block{c.parseBlocks(body)}}
}

// listTable turns a two-level bullet list into a Table.
func (c *entryCtx) listTable(opts map[string]string, content []line) Block {
	t := Block{Kind: Table}
	t.HeaderRows, _ = strconv.Atoi(opts["header-rows"])
	for _, b := range c.parseBlocks(content) {
		if b.Kind != List {
			continue
		}
		for _, item := range b.Items {
			t.Rows = append(t.Rows, rowCells(item))
		}
	}
	t.HeaderRows = min(t.HeaderRows, len(t.Rows))
	return t
}

// rowCells flattens the blocks of a list-table row into cells.
func rowCells(item []Block) [][]Inline {
	var cells [][]Inline
	for _, b := range item {
		if b.Kind != List {
			cells = append(cells, flatten([]Block{b}))
			continue
		}
		for _, cell := range b.Items {
			cells = append(cells, flatten(cell))
		}
	}
	return cells
}

// flatten turns blocks into one run of inlines (table cells hold inlines).
func flatten(bs []Block) []Inline {
	var out []Inline
	sep := func() {
		if len(out) > 0 {
			out = append(out, Inline{Kind: Text, Text: " "})
		}
	}
	for _, b := range bs {
		switch b.Kind {
		case Paragraph:
			sep()
			out = append(out, b.Inlines...)
		case Code:
			sep()
			out = append(out, Inline{Kind: Literal, Text: b.Code})
		case List, Note:
			for _, item := range b.Items {
				sep()
				out = append(out, flatten(item)...)
			}
		case Table:
			for _, row := range b.Rows {
				for _, cell := range row {
					sep()
					out = append(out, cell...)
				}
			}
		case Image:
			sep()
			out = append(out, Inline{Kind: Text, Text: b.Alt})
		}
	}
	return out
}

// image builds an Image block; a figure's caption stands in for a missing
// alt text.
func image(args string, opts map[string]string, content []line) Block {
	alt := opts["alt"]
	if alt == "" {
		alt = PlainText(verbatim(content))
	}
	return Block{Kind: Image, URL: args, Alt: alt}
}
