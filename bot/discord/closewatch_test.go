package discord

import (
	"bytes"
	"encoding/binary"
	"slices"
	"testing"

	"github.com/gorilla/websocket"
)

// frameBytes encodes an unmasked server frame.
func frameBytes(op byte, payload []byte) []byte {
	b := []byte{0x80 | op}
	switch n := len(payload); {
	case n < 126:
		b = append(b, byte(n))
	case n <= 0xffff:
		b = append(b, 126, 0, 0)
		binary.BigEndian.PutUint16(b[2:], uint16(n))
	default:
		b = append(b, 127, 0, 0, 0, 0, 0, 0, 0, 0)
		binary.BigEndian.PutUint64(b[2:], uint64(n))
	}
	return append(b, payload...)
}

func TestCloseWatcher_Feed(t *testing.T) {
	t.Parallel()
	response := []byte("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n")
	stream := slices.Concat(response,
		frameBytes(websocket.TextMessage, []byte(`{"op":10}`)),
		frameBytes(websocket.TextMessage, bytes.Repeat([]byte("x"), 300)),
		frameBytes(websocket.BinaryMessage, bytes.Repeat([]byte{0x88, 0x0f, 0xa4}, 30000)), // looks like close frames inside
		frameBytes(websocket.PingMessage, nil),
		frameBytes(websocket.CloseMessage, websocket.FormatCloseMessage(4004, "Authentication failed.")),
	)
	for _, chunk := range []int{1, 3, 7, 1000, len(stream)} {
		var codes []int
		w := &closeWatcher{onClose: func(c int) { codes = append(codes, c) }}
		for b := stream; len(b) > 0; {
			k := min(chunk, len(b))
			w.feed(b[:k])
			b = b[k:]
		}
		if !slices.Equal(codes, []int{4004}) {
			t.Errorf("chunks of %d: close codes %v, want [4004]", chunk, codes)
		}
	}
}
