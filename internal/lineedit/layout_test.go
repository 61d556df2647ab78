package lineedit

import "testing"

func TestPlace(t *testing.T) {
	for _, tc := range []struct {
		name           string
		prompt, text   string
		pos, width     int
		cursor, endPos cell
	}{
		{"empty", "> ", "", 0, 80, cell{0, 2}, cell{0, 2}},
		{"cursor inside", "> ", "hello", 1, 80, cell{0, 3}, cell{0, 7}},
		{"wraps", "> ", "abcdefghij", 10, 8, cell{1, 4}, cell{1, 4}},
		{"full row wraps eagerly", "> ", "abcdef", 6, 8, cell{1, 0}, cell{1, 0}},
		{"cursor on the second row", "> ", "abcdefghij", 7, 8, cell{1, 1}, cell{1, 4}},
		{"wide character that does not fit starts the next row", "> ", "abcde乐", 6, 8, cell{1, 2}, cell{1, 2}},
		{"newline", "> ", "ab\ncd", 4, 80, cell{1, 1}, cell{1, 2}},
		{"combining mark takes no column", "", "e\u0301x", 3, 80, cell{0, 2}, cell{0, 2}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, e := place([]rune(tc.prompt), []rune(tc.text), tc.pos, tc.width)
			if c != tc.cursor || e != tc.endPos {
				t.Errorf("place = cursor %v end %v, want %v %v", c, e, tc.cursor, tc.endPos)
			}
		})
	}
}
