package knowledge

import "strings"

// isGridBorder recognises "+----+----+" and "+====+====+" lines.
func isGridBorder(s string) bool {
	if len(s) < 3 || s[0] != '+' || s[len(s)-1] != '+' {
		return false
	}
	return strings.Trim(s, "+-=") == "" && strings.ContainsAny(s, "-=")
}

// isSimpleBorder recognises "=====  =====" lines of simple tables (two
// columns or more, so that a lone "=====" stays a section underline).
func isSimpleBorder(s string) bool {
	return len(s) >= 3 && s[0] == '=' && strings.Trim(s, "= ") == "" && strings.Contains(s, " =")
}

// gridTable parses a grid table. Cells spanning columns are read as the
// text between the column boundaries of the first border.
func (c *entryCtx) gridTable(ls []line, i int, out *[]Block) int {
	first := ls[i]
	cols := boundaries([]rune(first.s), '+')
	t := Block{Kind: Table}
	var row []string
	j := i
	for ; j < len(ls) && ls[j].ind == first.ind && (isGridBorder(ls[j].s) || strings.HasPrefix(ls[j].s, "|")); j++ {
		l := ls[j]
		if !isGridBorder(l.s) {
			row = addCells(row, []rune(l.s), cols)
			continue
		}
		if row != nil {
			t.Rows = append(t.Rows, c.cells(row, l.num))
			row = nil
		}
		if strings.Contains(l.s, "=") {
			t.HeaderRows = len(t.Rows)
		}
	}
	if row != nil {
		c.warn(ls[j-1].num, "grid table without closing border")
		t.Rows = append(t.Rows, c.cells(row, ls[j-1].num))
	}
	*out = append(*out, t)
	return j
}

// boundaries returns the rune positions of c in s.
func boundaries(s []rune, c rune) []int {
	var out []int
	for k, r := range s {
		if r == c {
			out = append(out, k)
		}
	}
	return out
}

// addCells appends the text of one grid table line to the cells of a row.
func addCells(row []string, s []rune, cols []int) []string {
	if row == nil {
		row = make([]string, max(len(cols)-1, 1))
	}
	for k := range row {
		lo, hi := 1, len(s)
		if k < len(cols) {
			lo = cols[k] + 1
		}
		if k+1 < len(cols) {
			hi = cols[k+1]
		}
		if lo >= len(s) || lo >= hi {
			continue
		}
		part := strings.TrimSpace(strings.Trim(string(s[lo:min(hi, len(s))]), "|"))
		if part != "" {
			row[k] = strings.TrimSpace(row[k] + " " + part)
		}
	}
	return row
}

// cells parses the inline markup of each cell.
func (c *entryCtx) cells(row []string, num int) [][]Inline {
	out := make([][]Inline, len(row))
	for k, text := range row {
		out[k] = c.inlines(text, num)
	}
	return out
}

// simpleTable parses a simple table: a border, rows one per line (a row
// whose first column is empty continues the previous one), optionally a
// header separated by another border, and a closing border.
func (c *entryCtx) simpleTable(ls []line, i int, out *[]Block) int {
	border := ls[i]
	cols := columnStarts(border.s)
	t := Block{Kind: Table}
	var rows [][]string
	var nums []int
	j, closed := i+1, false
	for ; j < len(ls) && !ls[j].blank() && !closed; j++ {
		l := ls[j]
		if isSimpleBorder(l.s) {
			closed = j+1 >= len(ls) || ls[j+1].blank()
			if !closed {
				t.HeaderRows = len(rows)
			}
			continue
		}
		text := []rune(strings.Repeat(" ", max(l.ind-border.ind, 0)) + l.s)
		cells := splitColumns(text, cols)
		if cells[0] == "" && len(rows) > 0 {
			last := rows[len(rows)-1]
			for k := range cells {
				last[k] = strings.TrimSpace(last[k] + " " + cells[k])
			}
			continue
		}
		rows, nums = append(rows, cells), append(nums, l.num)
	}
	if !closed {
		c.warn(border.num, "simple table without closing border")
	}
	for k, r := range rows {
		t.Rows = append(t.Rows, c.cells(r, nums[k]))
	}
	*out = append(*out, t)
	return j
}

// columnStarts returns the rune positions where each run of '=' starts.
func columnStarts(s string) []int {
	var out []int
	prev := ' '
	for k, r := range []rune(s) {
		if r == '=' && prev == ' ' {
			out = append(out, k)
		}
		prev = r
	}
	return out
}

// splitColumns cuts one simple table line at the column starts; the last
// column runs to the end of the line.
func splitColumns(s []rune, cols []int) []string {
	cells := make([]string, len(cols))
	for k, lo := range cols {
		hi := len(s)
		if k+1 < len(cols) {
			hi = min(cols[k+1], len(s))
		}
		if lo < hi {
			cells[k] = strings.TrimSpace(string(s[lo:hi]))
		}
	}
	return cells
}
