package lineedit

import (
	"reflect"
	"testing"
)

func TestDecoder_feed(t *testing.T) {
	for _, tc := range []struct {
		name   string
		chunks []string
		want   []key
	}{
		{"letters and UTF-8", []string{"aé乐"}, []key{{kind: keyRune, r: 'a'}, {kind: keyRune, r: 'é'}, {kind: keyRune, r: '乐'}}},
		{"UTF-8 split across reads", []string{"\xe4\xb9", "\x90"}, []key{{kind: keyRune, r: '乐'}}},
		{"invalid UTF-8 dropped", []string{"\xffa"}, []key{{kind: keyRune, r: 'a'}}},
		{"arrows CSI and SS3", []string{"\x1b[A\x1b[B\x1bOC\x1bOD"}, []key{{kind: keyUp}, {kind: keyDown}, {kind: keyRight}, {kind: keyLeft}}},
		{"escape sequence split across reads", []string{"\x1b", "[", "1;5", "C"}, []key{{kind: keyWordRight}}},
		{"home and end spellings", []string{"\x1b[H\x1b[1~\x1b[7~\x1bOH\x1b[F\x1b[4~\x1b[8~\x1bOF"},
			[]key{{kind: keyHome}, {kind: keyHome}, {kind: keyHome}, {kind: keyHome}, {kind: keyEnd}, {kind: keyEnd}, {kind: keyEnd}, {kind: keyEnd}}},
		{"delete, backspace", []string{"\x1b[3~\x7f\x08"}, []key{{kind: keyDelete}, {kind: keyBackspace}, {kind: keyBackspace}}},
		{"control keys", []string{"\x01\x05\x0b\x15\x17\x19\x03\x04\x0c\x10\x0e\r\n"},
			[]key{{kind: keyHome}, {kind: keyEnd}, {kind: keyKillEnd}, {kind: keyKillStart}, {kind: keyKillWord}, {kind: keyYank},
				{kind: keyInterrupt}, {kind: keyEOF}, {kind: keyClearScreen}, {kind: keyUp}, {kind: keyDown}, {kind: keyEnter}, {kind: keyEnter}}},
		{"alt keys", []string{"\x1bb\x1bf\x1b\x7f\x1bx"}, []key{{kind: keyWordLeft}, {kind: keyWordRight}, {kind: keyKillWord}}},
		{"unknown sequences ignored", []string{"\x1b[15~\x1b[Zq"}, []key{{kind: keyRune, r: 'q'}}},
		{"paste is one key with its newlines", []string{"\x1b[200~line one\rline two\r\nthree\x1b[201~x"},
			[]key{{kind: keyPaste, text: "line one\nline two\nthree"}, {kind: keyRune, r: 'x'}}},
		{"paste split across reads, end marker split too", []string{"\x1b[20", "0~ab", "c\x1b[2", "01~"}, []key{{kind: keyPaste, text: "abc"}}},
		{"paste drops control characters and escapes, keeps tabs as spaces", []string{"\x1b[200~a\x03\tb\x1b[31mc\x1b[201~"}, []key{{kind: keyPaste, text: "a    b[31mc"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var d decoder
			var got []key
			for _, c := range tc.chunks {
				got = append(got, d.feed([]byte(c))...)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("keys %+v\nwant %+v", got, tc.want)
			}
		})
	}
}
