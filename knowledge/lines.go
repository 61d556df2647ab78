package knowledge

import "strings"

// line is one source line: its indentation in columns, its content without
// the indentation and trailing white space ("" for a blank line) and its
// 1-based number in the file.
type line struct {
	ind int
	s   string
	num int
}

func (l line) blank() bool { return l.s == "" }

// splitLines cuts a page into lines, expanding tabs to 8-column stops as
// RST does and dropping "\r" and trailing white space.
func splitLines(src string) []line {
	ls := make([]line, 0, strings.Count(src, "\n")+1)
	for num := 1; len(src) > 0; num++ {
		raw := src
		if k := strings.IndexByte(src, '\n'); k >= 0 {
			raw, src = src[:k], src[k+1:]
		} else {
			src = ""
		}
		ls = append(ls, makeLine(raw, num))
	}
	return ls
}

// makeLine measures the indentation of raw.
func makeLine(raw string, num int) line {
	if strings.IndexByte(raw, '\t') >= 0 {
		raw = expandTabs(raw)
	}
	if strings.Contains(raw, "\u00ad") { // soft hyphens are invisible
		raw = strings.ReplaceAll(raw, "\u00ad", "")
	}
	raw = strings.TrimRight(raw, " \t\r\f\v\u00a0\u3000")
	ind := 0
	for ind < len(raw) && raw[ind] == ' ' {
		ind++
	}
	return line{ind: ind, s: raw[ind:], num: num}
}

func expandTabs(s string) string {
	var b strings.Builder
	col := 0
	for _, r := range s {
		if r == '\t' {
			n := 8 - col%8
			b.WriteString(strings.Repeat(" ", n))
			col += n
			continue
		}
		b.WriteRune(r)
		col++
	}
	return b.String()
}

// isRun reports whether s is made of at least min copies of one byte c.
func isRun(s string, c byte, min int) bool {
	if len(s) < min {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] != c {
			return false
		}
	}
	return true
}

// isDashLine reports a title underline or transition: four or more dashes.
func isDashLine(l line) bool { return l.ind == 0 && isRun(l.s, '-', 4) }

// underlineChar returns the punctuation character that s repeats (a section
// underline such as "~~~~"), or 0.
func underlineChar(s string) byte {
	if len(s) < 3 || strings.IndexByte("=-~^\"'`#*+_", s[0]) < 0 {
		return 0
	}
	if !isRun(s, s[0], 3) {
		return 0
	}
	return s[0]
}

// dedent returns lines with d columns of indentation removed (never below 0).
func dedent(ls []line, d int) []line {
	out := make([]line, len(ls))
	for i, l := range ls {
		if !l.blank() {
			l.ind = max(l.ind-d, 0)
		}
		out[i] = l
	}
	return out
}

// indentedBlock returns the end (exclusive) of the lines after from that are
// blank or indented more than ind, without trailing blank lines.
func indentedBlock(ls []line, from, ind int) int {
	end := from
	for j := from; j < len(ls); j++ {
		if ls[j].blank() {
			continue
		}
		if ls[j].ind <= ind {
			break
		}
		end = j + 1
	}
	return end
}

// minIndent is the smallest indentation of the non-blank lines.
func minIndent(ls []line) int {
	m := -1
	for _, l := range ls {
		if !l.blank() && (m < 0 || l.ind < m) {
			m = l.ind
		}
	}
	return max(m, 0)
}

// verbatim rebuilds the text of lines relative to their smallest indentation,
// without leading or trailing blank lines.
func verbatim(ls []line) string {
	for len(ls) > 0 && ls[0].blank() {
		ls = ls[1:]
	}
	for len(ls) > 0 && ls[len(ls)-1].blank() {
		ls = ls[:len(ls)-1]
	}
	base := minIndent(ls)
	var b strings.Builder
	for i, l := range ls {
		if i > 0 {
			b.WriteByte('\n')
		}
		if !l.blank() {
			for k := base; k < l.ind; k++ {
				b.WriteByte(' ')
			}
			b.WriteString(l.s)
		}
	}
	return b.String()
}
