package textwidth

import "testing"

func TestString(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		want     int
	}{
		{"empty", "", 0},
		{"ascii", "mqtt keepalive", 14},
		{"accented", "café", 4},
		{"combining acute", "cafe\u0301", 4},
		{"cjk", "乐鑫", 4},
		{"hangul", "한국", 4},
		{"fullwidth letters", "ＥＳＰ", 6},
		{"halfwidth katakana", "ｶﾀ", 2},
		{"emoji", "👍", 2},
		{"variation selector", "\ufe0f", 0},
		{"zero width joiner", "a\u200db", 2},
		{"control characters", "a\tb\x1b", 2},
		{"mixed", "ESP32 乐鑫 wifi", 15},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := String(tc.in); got != tc.want {
				t.Errorf("String(%q) = %d, want %d", tc.in, got, tc.want)
			}
		})
	}
}

func TestWideTableSorted(t *testing.T) {
	for i := range wide {
		if wide[i].lo > wide[i].hi {
			t.Errorf("span %d: %#x > %#x", i, wide[i].lo, wide[i].hi)
		}
		if i > 0 && wide[i-1].hi >= wide[i].lo {
			t.Errorf("span %d (%#x) overlaps or precedes span %d (%#x)", i, wide[i].lo, i-1, wide[i-1].hi)
		}
	}
}
