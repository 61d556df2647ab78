// Package wrap folds plain-text answers to the width of a terminal at word
// boundaries. It reads the layout of knowledge.RenderText: paragraphs one
// per line, list items marked "- " or "1. " with two columns of indentation
// per level, and code indented four columns past the text it belongs to.
// Code lines are never folded and words are never split, so a URL or an
// identifier wider than the terminal stays whole on a line of its own.
package wrap

import (
	"strings"

	"github.com/espbot/espbot/internal/textwidth"
)

// codeStep is how much deeper than its surrounding text a code block is
// indented (knowledge.RenderText indents code by four spaces).
const codeStep = 4

// listStep is the indentation of a list item's further text and nested
// lists, past the item's marker column.
const listStep = 2

// Text folds every line of s that is prose to at most width columns.
// Folded lines keep their indentation; the lines a list item folds into are
// indented under the item's text. Code lines, blank lines and words wider
// than the room left are kept as they are. A width below 1 leaves s as is.
func Text(s string, width int) string {
	if width < 1 {
		return s
	}
	var c classifier
	var b strings.Builder
	lines := strings.Split(s, "\n")
	for i, line := range lines {
		if i > 0 {
			b.WriteByte('\n')
		}
		indent, hang, prose := c.next(line)
		if !prose || textwidth.String(line) <= width {
			b.WriteString(line)
			continue
		}
		fold(&b, line, indent, hang, width)
	}
	return b.String()
}

// Hang folds one line of prose to at most width columns, keeping its
// first start bytes (a heading such as "Q: " or "/show ID  ") as they are
// and starting the lines it folds into with hang spaces, normally the
// heading's width, so that the text reads as one column beside it. A
// width below 1, or a line that fits, is returned as is.
func Hang(line string, start, hang, width int) string {
	start = min(max(start, 0), len(line))
	if width < 1 || textwidth.String(line) <= width {
		return line
	}
	var b strings.Builder
	fold(&b, line, start, max(hang, 0), width)
	return b.String()
}

// classifier tells code from prose, line by line, by indentation: a line
// indented codeStep columns or more past the text that contains it is code.
type classifier struct {
	bases      []int // content columns of the open text levels, increasing
	afterBlank bool
	inCode     bool
	codeIndent int // the indentation of the current code block
}

// next classifies line. For prose it returns where its text starts
// (indent, past any list marker) and where folded lines go (hang).
func (c *classifier) next(line string) (indent, hang int, prose bool) {
	ind := len(line) - len(strings.TrimLeft(line, " "))
	if ind == len(line) {
		c.afterBlank = true
		return 0, 0, false
	}
	if c.afterBlank {
		c.afterBlank = false
		if c.inCode && ind >= c.codeIndent {
			return 0, 0, false // a blank line inside a code block
		}
		c.bases = c.bases[:0] // blocks at the top are separated by blank lines
	}
	for len(c.bases) > 0 && c.bases[len(c.bases)-1] > ind {
		c.bases = c.bases[:len(c.bases)-1]
	}
	base := 0
	if len(c.bases) > 0 {
		base = c.bases[len(c.bases)-1]
	}
	if ind >= base+codeStep {
		c.inCode, c.codeIndent = true, base+codeStep
		return 0, 0, false
	}
	c.inCode = false
	if m := markerLen(line[ind:]); m > 0 {
		c.bases = append(c.bases, ind+listStep)
		return ind + m, ind + m, true
	}
	if ind > base || len(c.bases) == 0 {
		c.bases = append(c.bases, ind)
	}
	return ind, ind, true
}

// markerLen returns the length of a list marker ("- ", "* ", "12. ") that
// starts s, or 0.
func markerLen(s string) int {
	if strings.HasPrefix(s, "- ") || strings.HasPrefix(s, "* ") {
		return 2
	}
	digits := len(s) - len(strings.TrimLeft(s, "0123456789"))
	if digits > 0 && digits <= 3 && strings.HasPrefix(s[digits:], ". ") {
		return digits + 2
	}
	return 0
}

// fold writes line's words greedily into lines of at most width columns:
// the first keeps the line's own start (indentation and marker), the others
// start with hang spaces. A hang that leaves too little room is reduced.
func fold(b *strings.Builder, line string, indent, hang, width int) {
	hang = min(hang, width/2)
	col := textwidth.String(line[:indent])
	b.WriteString(line[:indent])
	first := true
	for _, w := range strings.Fields(line[indent:]) {
		ww := textwidth.String(w)
		switch {
		case first:
			first = false
		case col+1+ww > width:
			b.WriteByte('\n')
			b.WriteString(strings.Repeat(" ", hang))
			col = hang
		default:
			b.WriteByte(' ')
			col++
		}
		b.WriteString(w)
		col += ww
	}
}
