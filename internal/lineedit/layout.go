package lineedit

import "github.com/espbot/espbot/internal/textwidth"

// cell is a place on the screen, counted from the prompt's first column.
type cell struct{ row, col int }

// advance returns where the character after r goes when r is written at c
// on a terminal width columns wide. It wraps eagerly: a full row moves on
// to the next one at once, and a wide character that does not fit in the
// last column starts the next row, as terminals do.
func advance(c cell, r rune, width int) cell {
	if r == '\n' {
		return cell{c.row + 1, 0}
	}
	w := textwidth.Rune(r)
	if w == 0 {
		return c
	}
	if c.col+w > width {
		c = cell{c.row + 1, 0}
	}
	c.col += w
	if c.col >= width {
		c = cell{c.row + 1, 0}
	}
	return c
}

// place returns the cell of the cursor (before text[pos]) and the cell
// after the end, for prompt followed by text.
func place(prompt []rune, text []rune, pos, width int) (cursor, end cell) {
	for _, r := range prompt {
		end = advance(end, r, width)
	}
	for i, r := range text {
		if i == pos {
			cursor = end
		}
		end = advance(end, r, width)
	}
	if pos >= len(text) {
		cursor = end
	}
	return cursor, end
}
