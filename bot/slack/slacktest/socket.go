package slacktest

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"github.com/gorilla/websocket"
)

// serveSocket accepts a Socket Mode connection: hello, pings, and acks read
// into NextAck. A newer connection replaces the older one, as with Slack.
func (s *Server) serveSocket(w http.ResponseWriter, r *http.Request) {
	c, err := s.upgrader.Upgrade(w, r, nil)
	if err != nil {
		return
	}
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		_ = c.Close()
		return
	}
	s.wg.Add(1)
	s.conn = c
	s.open[c] = true
	s.mu.Unlock()
	defer s.wg.Done()

	stop := make(chan struct{})
	defer close(stop)
	s.wg.Add(1)
	go s.ping(c, stop)

	if err := s.write(c, map[string]any{"type": "hello", "num_connections": 1,
		"connection_info": map[string]any{"app_id": AppID}, "debug_info": map[string]any{"host": "fake"}}); err != nil {
		return
	}
	s.signalConnected()
	s.conns <- struct{}{}
	for {
		_, data, err := c.ReadMessage()
		if err != nil {
			s.dropConn(c)
			return
		}
		var ack Ack
		if json.Unmarshal(data, &ack) == nil && ack.EnvelopeID != "" {
			select {
			case s.acks <- ack:
			default:
			}
		}
	}
}

func (s *Server) signalConnected() {
	s.mu.Lock()
	defer s.mu.Unlock()
	select {
	case <-s.connected:
	default:
		close(s.connected)
	}
}

func (s *Server) dropConn(c *websocket.Conn) {
	_ = c.Close()
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.open, c)
	if s.conn == c {
		s.conn = nil
		s.connected = make(chan struct{})
	}
}

func (s *Server) ping(c *websocket.Conn, stop <-chan struct{}) {
	defer s.wg.Done()
	t := time.NewTicker(s.PingInterval)
	defer t.Stop()
	for {
		if err := c.WriteControl(websocket.PingMessage, []byte("ping"), time.Now().Add(time.Second)); err != nil {
			return
		}
		select {
		case <-stop:
			return
		case <-t.C:
		}
	}
}

func (s *Server) write(c *websocket.Conn, v any) error {
	s.connWrite.Lock()
	defer s.connWrite.Unlock()
	return c.WriteJSON(v)
}

// current waits for a current connection.
func (s *Server) current(ctx context.Context) (*websocket.Conn, error) {
	for {
		s.mu.Lock()
		c, ready := s.conn, s.connected
		s.mu.Unlock()
		if c != nil {
			return c, nil
		}
		select {
		case <-ready:
		case <-ctx.Done():
			return nil, fmt.Errorf("no socket mode connection: %w", ctx.Err())
		}
	}
}

// Send writes one raw Socket Mode frame to the current connection.
func (s *Server) Send(ctx context.Context, frame any) error {
	c, err := s.current(ctx)
	if err != nil {
		return err
	}
	return s.write(c, frame)
}

// Drop closes the current websocket abruptly, as a network failure would.
func (s *Server) Drop(ctx context.Context) error {
	c, err := s.current(ctx)
	if err != nil {
		return err
	}
	s.dropConn(c)
	return nil
}

// Disconnect asks the client to reconnect, as Slack does before it rotates
// its servers.
func (s *Server) Disconnect(ctx context.Context) error {
	return s.Send(ctx, map[string]any{"type": "disconnect", "reason": "refresh_requested",
		"debug_info": map[string]any{"host": "fake"}})
}

// envelopeID returns a fresh envelope ID.
func (s *Server) envelopeID() string {
	return fmt.Sprintf("env-%d", s.seq.Add(1))
}

// EventCallback wraps an inner event (app_mention, message...) in the
// Events API callback that both modes deliver.
func EventCallback(eventID string, inner map[string]any) map[string]any {
	return map[string]any{
		"token": "verification-token", "team_id": TeamID, "api_app_id": AppID,
		"type": "event_callback", "event_id": eventID, "event_time": time.Now().Unix(),
		"event": inner,
	}
}

// SendEvent sends an events_api envelope carrying callback and returns its
// envelope ID.
func (s *Server) SendEvent(ctx context.Context, callback map[string]any) (string, error) {
	id := s.envelopeID()
	return id, s.Send(ctx, map[string]any{"type": "events_api", "envelope_id": id, "payload": callback,
		"accepts_response_payload": false, "retry_attempt": 0, "retry_reason": ""})
}

// SendSlash sends a slash_commands envelope and returns its envelope ID.
func (s *Server) SendSlash(ctx context.Context, cmd map[string]any) (string, error) {
	id := s.envelopeID()
	return id, s.Send(ctx, map[string]any{"type": "slash_commands", "envelope_id": id, "payload": cmd,
		"accepts_response_payload": true})
}

// SendInteractive sends an interactive envelope and returns its envelope ID.
func (s *Server) SendInteractive(ctx context.Context, payload map[string]any) (string, error) {
	id := s.envelopeID()
	return id, s.Send(ctx, map[string]any{"type": "interactive", "envelope_id": id, "payload": payload,
		"accepts_response_payload": false})
}
