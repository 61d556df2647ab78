package lineedit

import (
	"strconv"
	"strings"
	"testing"

	"github.com/espbot/espbot/internal/textwidth"
)

// vt is a small terminal emulator for tests: enough of VT100 to replay what
// the editor draws (printing with automatic wrap, CR, LF, cursor up and
// forward, erase below, clear screen) and show what a person would see.
type vt struct {
	width, height int
	rows          [][]rune
	row, col      int
	wrapPending   bool // the last column was written: the next rune wraps
	top           int  // rows scrolled off above the screen
}

func newVT(width, height int) *vt {
	t := &vt{width: width, height: height}
	t.rows = make([][]rune, height)
	for i := range t.rows {
		t.rows[i] = blankRow(width)
	}
	return t
}

func blankRow(w int) []rune { return []rune(strings.Repeat(" ", w)) }

func (t *vt) write(s string) {
	rs := []rune(s)
	for i := 0; i < len(rs); i++ {
		switch r := rs[i]; {
		case r == '\r':
			t.col, t.wrapPending = 0, false
		case r == '\n':
			t.lineFeed()
		case r == 0x1b:
			i = t.escape(rs, i)
		case textwidth.Rune(r) > 0:
			t.print(r)
		}
	}
}

func (t *vt) lineFeed() {
	t.wrapPending = false
	if t.row == t.height-1 {
		t.rows = append(t.rows[1:], blankRow(t.width))
		t.top++
		return
	}
	t.row++
}

func (t *vt) print(r rune) {
	w := textwidth.Rune(r)
	if t.wrapPending || t.col+w > t.width {
		t.col = 0
		t.lineFeed()
	}
	t.rows[t.row][t.col] = r
	if w == 2 {
		t.rows[t.row][t.col+1] = 0 // the right half of a wide character
	}
	t.col += w
	if t.col >= t.width {
		t.col, t.wrapPending = t.width-1, true
	}
}

// escape handles a CSI sequence starting at rs[i] and returns its last index.
func (t *vt) escape(rs []rune, i int) int {
	if i+1 >= len(rs) || rs[i+1] != '[' {
		return i + 1
	}
	j := i + 2
	for j < len(rs) && (rs[j] < 0x40 || rs[j] > 0x7e) {
		j++
	}
	if j == len(rs) {
		return j
	}
	params := string(rs[i+2 : j])
	n, err := strconv.Atoi(params)
	if err != nil || n < 1 {
		n = 1
	}
	t.wrapPending = false
	switch rs[j] {
	case 'A':
		t.row = max(t.row-n, 0)
	case 'C':
		t.col = min(t.col+n, t.width-1)
	case 'J':
		if params == "2" {
			for k := range t.rows {
				t.rows[k] = blankRow(t.width)
			}
			break
		}
		copy(t.rows[t.row][t.col:], blankRow(t.width))
		for k := t.row + 1; k < t.height; k++ {
			t.rows[k] = blankRow(t.width)
		}
	case 'H':
		t.row, t.col = 0, 0
	}
	return j
}

// screen returns the rows with text, trailing spaces and blank rows at the
// bottom removed.
func (t *vt) screen() []string {
	var out []string
	for _, r := range t.rows {
		out = append(out, strings.TrimRight(strings.ReplaceAll(string(r), "\x00", ""), " "))
	}
	for len(out) > 0 && out[len(out)-1] == "" {
		out = out[:len(out)-1]
	}
	return out
}

func TestVT(t *testing.T) {
	v := newVT(5, 3)
	v.write("abcdefg\r\n12\x1b[1A\r\x1b[2Cx")
	if got, want := strings.Join(v.screen(), "|"), "abcde|fgx|12"; got != want {
		t.Errorf("screen %q, want %q", got, want)
	}
	v.write("\x1b[J")
	if got, want := strings.Join(v.screen(), "|"), "abcde|fgx"; got != want {
		t.Errorf("after erase below: %q, want %q", got, want)
	}
}
