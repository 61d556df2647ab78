package lineedit

import (
	"unicode"

	"github.com/espbot/espbot/internal/textwidth"
)

// line is the text being edited and the cursor, an index into it. Moves
// step over combining marks with the character they belong to.
type line struct {
	r   []rune
	pos int
}

func (l *line) set(r []rune) { l.r, l.pos = append([]rune(nil), r...), len(r) }

func (l *line) insert(rs ...rune) {
	l.r = append(l.r[:l.pos], append(rs, l.r[l.pos:]...)...)
	l.pos += len(rs)
}

// prev returns the start of the character before the cursor.
func (l *line) prev() int {
	i := l.pos
	if i > 0 {
		i--
	}
	for i > 0 && isMark(l.r[i]) {
		i--
	}
	return i
}

// following returns the end of the character under the cursor.
func (l *line) following() int {
	i := l.pos
	if i < len(l.r) {
		i++
	}
	for i < len(l.r) && isMark(l.r[i]) {
		i++
	}
	return i
}

// isMark reports whether r takes no column of its own and belongs to the
// character before it (combining accents, variation selectors).
func isMark(r rune) bool { return r >= 0x20 && textwidth.Rune(r) == 0 }

func (l *line) left()  { l.pos = l.prev() }
func (l *line) right() { l.pos = l.following() }
func (l *line) home()  { l.pos = 0 }
func (l *line) end()   { l.pos = len(l.r) }

func (l *line) backspace() { l.cut(l.prev(), l.pos) }
func (l *line) del()       { l.cut(l.pos, l.following()) }

// wordStart returns where the word before the cursor starts (spaces
// before the cursor are skipped first), as Ctrl-W and Alt-B see words.
func (l *line) wordStart() int {
	i := l.pos
	for i > 0 && unicode.IsSpace(l.r[i-1]) {
		i--
	}
	for i > 0 && !unicode.IsSpace(l.r[i-1]) {
		i--
	}
	return i
}

// wordEnd returns where the word after the cursor ends.
func (l *line) wordEnd() int {
	i := l.pos
	for i < len(l.r) && unicode.IsSpace(l.r[i]) {
		i++
	}
	for i < len(l.r) && !unicode.IsSpace(l.r[i]) {
		i++
	}
	return i
}

// cut removes r[from:to], leaves the cursor at from and returns the text.
func (l *line) cut(from, to int) []rune {
	gone := append([]rune(nil), l.r[from:to]...)
	l.r = append(l.r[:from], l.r[to:]...)
	l.pos = from
	return gone
}
