package discord

import (
	"bytes"
	"crypto/tls"
	"encoding/binary"
	"errors"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

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

// TestWatchingDialer dials a websocket server over TLS (wss://, as Discord's
// gateway) and over plain TCP, and sees the close code the server sends,
// while the messages before it arrive intact.
func TestWatchingDialer(t *testing.T) {
	t.Parallel()
	up := websocket.Upgrader{}
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := up.Upgrade(w, r, nil)
		if err != nil {
			return
		}
		defer c.Close()
		c.WriteMessage(websocket.TextMessage, bytes.Repeat([]byte("hello "), 100))
		c.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(4014, "Disallowed intent(s)."), time.Now().Add(time.Second))
		c.ReadMessage() // until the client goes
	})
	for _, tlsOn := range []bool{true, false} {
		srv := httptest.NewUnstartedServer(handler)
		var conf *tls.Config
		url := ""
		if tlsOn {
			srv.StartTLS()
			conf = srv.Client().Transport.(*http.Transport).TLSClientConfig
			url = "wss" + strings.TrimPrefix(srv.URL, "https")
		} else {
			srv.Start()
			url = "ws" + strings.TrimPrefix(srv.URL, "http")
		}
		codes := make(chan int, 1)
		d := watchingDialer(func(c int) { codes <- c }, conf)
		c, _, err := d.Dial(url, nil)
		if err != nil {
			t.Fatalf("tls %v: dial: %v", tlsOn, err)
		}
		_, msg, err := c.ReadMessage()
		if err != nil || string(msg) != strings.Repeat("hello ", 100) {
			t.Errorf("tls %v: first message %q, %v", tlsOn, msg, err)
		}
		_, _, err = c.ReadMessage()
		var ce *websocket.CloseError
		if !errors.As(err, &ce) || ce.Code != 4014 {
			t.Errorf("tls %v: read error %v, want close 4014", tlsOn, err)
		}
		select {
		case code := <-codes:
			if code != 4014 {
				t.Errorf("tls %v: watched code %d", tlsOn, code)
			}
		default:
			t.Errorf("tls %v: close code not reported before the read returned", tlsOn)
		}
		c.Close()
		srv.Close()
	}
}
