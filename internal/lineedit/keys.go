package lineedit

import (
	"bytes"
	"strings"
	"unicode/utf8"
)

// keyKind is what a key press asks the editor to do.
type keyKind int

const (
	keyNone keyKind = iota // ignored: unknown sequences, stray control bytes
	keyRune
	keyPaste
	keyEnter
	keyBackspace
	keyDelete
	keyLeft
	keyRight
	keyUp
	keyDown
	keyHome
	keyEnd
	keyWordLeft
	keyWordRight
	keyKillEnd     // Ctrl-K
	keyKillStart   // Ctrl-U
	keyKillWord    // Ctrl-W, Alt-Backspace
	keyYank        // Ctrl-Y
	keyInterrupt   // Ctrl-C
	keyEOF         // Ctrl-D
	keyClearScreen // Ctrl-L
)

// key is one decoded key press, or one whole bracketed paste.
type key struct {
	kind keyKind
	r    rune   // keyRune
	text string // keyPaste
}

// Bracketed paste markers (xterm's mode 2004).
const (
	pasteStart = "\x1b[200~"
	pasteEnd   = "\x1b[201~"
)

// controls maps single control bytes to keys, as Emacs-style readline does.
var controls = [32]keyKind{
	0x01: keyHome, 0x02: keyLeft, 0x03: keyInterrupt, 0x04: keyEOF,
	0x05: keyEnd, 0x06: keyRight, 0x08: keyBackspace, 0x0a: keyEnter,
	0x0b: keyKillEnd, 0x0c: keyClearScreen, 0x0d: keyEnter, 0x0e: keyDown,
	0x10: keyUp, 0x15: keyKillStart, 0x17: keyKillWord, 0x19: keyYank,
}

// decoder turns the bytes a terminal sends into keys. Reads may split an
// escape sequence, a UTF-8 character or a paste anywhere, so it keeps what
// it cannot decode yet for the next feed.
type decoder struct {
	buf     []byte
	pasting bool
	paste   []byte
}

// feed adds bytes and returns the keys they complete.
func (d *decoder) feed(p []byte) []key {
	d.buf = append(d.buf, p...)
	var keys []key
	for len(d.buf) > 0 {
		k, n := d.next()
		if n == 0 {
			break // incomplete: wait for more bytes
		}
		d.buf = d.buf[n:]
		if k.kind != keyNone {
			keys = append(keys, k)
		}
	}
	return keys
}

// next decodes one key from the start of d.buf and says how many bytes it
// took; 0 means more bytes are needed.
func (d *decoder) next() (key, int) {
	if d.pasting {
		return d.nextPaste()
	}
	b := d.buf[0]
	switch {
	case b == 0x1b:
		return d.escape()
	case b == 0x7f:
		return key{kind: keyBackspace}, 1
	case b < 0x20:
		return key{kind: controls[b]}, 1
	case !utf8.FullRune(d.buf):
		return key{}, 0
	}
	r, n := utf8.DecodeRune(d.buf)
	if r == utf8.RuneError && n == 1 {
		return key{}, 1 // not UTF-8: drop the byte
	}
	return key{kind: keyRune, r: r}, n
}

// nextPaste collects pasted bytes up to the end marker.
func (d *decoder) nextPaste() (key, int) {
	if i := bytes.Index(d.buf, []byte(pasteEnd)); i >= 0 {
		d.paste = append(d.paste, d.buf[:i]...)
		text := cleanPaste(string(d.paste))
		d.pasting, d.paste = false, nil
		return key{kind: keyPaste, text: text}, i + len(pasteEnd)
	}
	// keep a tail that may be the start of the end marker
	keep := 0
	for k := min(len(pasteEnd)-1, len(d.buf)); k > 0; k-- {
		if bytes.HasPrefix([]byte(pasteEnd), d.buf[len(d.buf)-k:]) {
			keep = k
			break
		}
	}
	if keep == len(d.buf) {
		return key{}, 0
	}
	d.paste = append(d.paste, d.buf[:len(d.buf)-keep]...)
	return key{}, len(d.buf) - keep
}

// escape decodes ESC sequences: CSI (ESC [), SS3 (ESC O) and Alt-key.
func (d *decoder) escape() (key, int) {
	if len(d.buf) < 2 {
		return key{}, 0
	}
	switch d.buf[1] {
	case '[':
		return d.csi()
	case 'O':
		if len(d.buf) < 3 {
			return key{}, 0
		}
		return key{kind: finalKey(d.buf[2], "")}, 3
	case 0x7f, 0x08:
		return key{kind: keyKillWord}, 2
	case 'b', 'B':
		return key{kind: keyWordLeft}, 2
	case 'f', 'F':
		return key{kind: keyWordRight}, 2
	case 0x1b:
		return key{}, 1 // a lone Escape followed by another sequence
	}
	return key{}, 2 // another Alt-key: ignored
}

// csi decodes ESC [ params final.
func (d *decoder) csi() (key, int) {
	i := 2
	for i < len(d.buf) && d.buf[i] >= 0x20 && d.buf[i] <= 0x3f {
		i++
	}
	if i == len(d.buf) {
		return key{}, 0
	}
	final, params := d.buf[i], string(d.buf[2:i])
	if final == '~' && params == "200" {
		d.pasting = true
		return key{}, i + 1
	}
	return key{kind: finalKey(final, params)}, i + 1
}

// finalKey maps the final byte and parameters of a CSI or SS3 sequence.
func finalKey(final byte, params string) keyKind {
	modified := strings.HasSuffix(params, ";5") || strings.HasSuffix(params, ";3")
	switch final {
	case 'A':
		return keyUp
	case 'B':
		return keyDown
	case 'C':
		if modified {
			return keyWordRight
		}
		return keyRight
	case 'D':
		if modified {
			return keyWordLeft
		}
		return keyLeft
	case 'H':
		return keyHome
	case 'F':
		return keyEnd
	case '~':
		switch params {
		case "1", "7":
			return keyHome
		case "4", "8":
			return keyEnd
		case "3":
			return keyDelete
		}
	}
	return keyNone
}

// cleanPaste keeps a paste's text and newlines: terminals send line breaks
// as CR, tabs become four spaces (a tab's width depends on its column), and
// other control characters are dropped so that pasted escape sequences are
// never echoed to the terminal.
func cleanPaste(s string) string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.ReplaceAll(s, "\r", "\n")
	s = strings.ReplaceAll(s, "\t", "    ")
	return strings.Map(func(r rune) rune {
		if r == '\n' || (r >= 0x20 && r != 0x7f && !(r >= 0x80 && r < 0xa0)) {
			return r
		}
		return -1
	}, strings.ToValidUTF8(s, ""))
}
