package discord

import (
	"context"
	"crypto/tls"
	"encoding/binary"
	"net"
	"net/http"
	"net/url"
	"time"

	"github.com/gorilla/websocket"
)

// Gateway close codes that no reconnect can fix: discordgo (v0.29) does not
// look at close codes and would retry them forever, so the adapter watches
// the gateway connection for them and stops with a clear error instead.
var fatalCloseCodes = map[int]string{
	4004: "authentication failed: the token is not valid (it may have been reset)",
	4010: "invalid shard",
	4011: "sharding required",
	4012: "invalid gateway API version",
	4013: "invalid intents",
	4014: "disallowed intents: enable the Message Content intent for the application, or set discord.message_content: false",
}

// closeWatcher passes a gateway connection's bytes through unchanged and
// parses the websocket frames the server sends, just enough to see the
// status code of a close frame. Server frames are not masked and discordgo
// negotiates no websocket extension, so the framing is plain RFC 6455.
type closeWatcher struct {
	net.Conn
	onClose func(code int)

	inFrames bool   // past the HTTP upgrade response
	tail     uint32 // last four bytes of the response, to find "\r\n\r\n"
	hdr      []byte // frame header bytes read so far
	left     uint64 // payload bytes of the current frame still to come
	isClose  bool   // the current frame is a close frame
	code     []byte // its status code bytes read so far
}

// Read reads from the connection and watches what was read. It runs on the
// goroutine that reads the gateway, so onClose runs before discordgo sees
// the close.
func (w *closeWatcher) Read(p []byte) (int, error) {
	n, err := w.Conn.Read(p)
	w.feed(p[:n])
	return n, err
}

func (w *closeWatcher) feed(b []byte) {
	for len(b) > 0 {
		switch {
		case !w.inFrames:
			b = w.feedResponse(b)
		case w.left > 0:
			b = w.feedPayload(b)
		default:
			w.hdr = append(w.hdr, b[0])
			b = b[1:]
			w.frameHeader()
		}
	}
}

// feedResponse skips the HTTP response up to its blank line.
func (w *closeWatcher) feedResponse(b []byte) []byte {
	for i, c := range b {
		w.tail = w.tail<<8 | uint32(c)
		if w.tail == 0x0d0a0d0a {
			w.inFrames = true
			return b[i+1:]
		}
	}
	return nil
}

// frameHeader decodes the header once all its bytes are in.
func (w *closeWatcher) frameHeader() {
	if len(w.hdr) < 2 {
		return
	}
	need := 2
	switch w.hdr[1] & 0x7f {
	case 126:
		need += 2
	case 127:
		need += 8
	}
	if w.hdr[1]&0x80 != 0 {
		need += 4 // mask key (not sent by servers, but cheap to honour)
	}
	if len(w.hdr) < need {
		return
	}
	length := uint64(w.hdr[1] & 0x7f)
	switch length {
	case 126:
		length = uint64(binary.BigEndian.Uint16(w.hdr[2:4]))
	case 127:
		length = binary.BigEndian.Uint64(w.hdr[2:10])
	}
	w.isClose = w.hdr[0]&0x0f == websocket.CloseMessage
	w.hdr, w.code, w.left = w.hdr[:0], w.code[:0], length
}

// feedPayload skips payload bytes, keeping a close frame's status code.
func (w *closeWatcher) feedPayload(b []byte) []byte {
	k := uint64(len(b))
	if k > w.left {
		k = w.left
	}
	if w.isClose {
		for _, c := range b[:k] {
			if len(w.code) < 2 {
				w.code = append(w.code, c)
			}
		}
	}
	w.left -= k
	if w.left == 0 && w.isClose && len(w.code) == 2 && w.onClose != nil {
		w.onClose(int(binary.BigEndian.Uint16(w.code)))
	}
	return b[k:]
}

// watchingDialer is a websocket dialer like gorilla's default one whose
// connections report close codes to onClose. Behind a proxy it returns the
// default dialer: tunnelling is gorilla's business, and the watch is a
// diagnostic, not a requirement.
// tlsConf is the TLS configuration of wss:// connections (nil: system roots).
func watchingDialer(onClose func(code int), tlsConf *tls.Config) *websocket.Dialer {
	probe := &http.Request{URL: &url.URL{Scheme: "https", Host: "gateway.discord.gg"}}
	if p, err := http.ProxyFromEnvironment(probe); err != nil || p != nil {
		return websocket.DefaultDialer
	}
	var nd net.Dialer
	watch := func(c net.Conn) net.Conn { return &closeWatcher{Conn: c, onClose: onClose} }
	return &websocket.Dialer{
		HandshakeTimeout: 45 * time.Second,
		NetDialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			c, err := nd.DialContext(ctx, network, addr)
			if err != nil {
				return nil, err
			}
			return watch(c), nil
		},
		NetDialTLSContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			c, err := nd.DialContext(ctx, network, addr)
			if err != nil {
				return nil, err
			}
			host, _, _ := net.SplitHostPort(addr)
			conf := &tls.Config{MinVersion: tls.VersionTLS12}
			if tlsConf != nil {
				conf = tlsConf.Clone()
			}
			conf.ServerName = host
			tc := tls.Client(c, conf)
			if err := tc.HandshakeContext(ctx); err != nil {
				c.Close()
				return nil, err
			}
			return watch(tc), nil
		},
	}
}
