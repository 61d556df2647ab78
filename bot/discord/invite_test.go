package discord

import (
	"encoding/base64"
	"net/url"
	"testing"
)

func TestInviteURL(t *testing.T) {
	t.Parallel()
	u, err := url.Parse(InviteURL("1234"))
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	if u.Host != "discord.com" || u.Path != "/oauth2/authorize" || q.Get("client_id") != "1234" ||
		q.Get("scope") != "bot applications.commands" || q.Get("permissions") != "274877991936" {
		t.Errorf("invite URL %s", u)
	}
}

func TestClientIDFromToken(t *testing.T) {
	t.Parallel()
	id := base64.RawStdEncoding.EncodeToString([]byte("112233445566778899"))
	tests := []struct {
		token, want string
		ok          bool
	}{
		{id + ".GhIjKl.secret", "112233445566778899", true},
		{"Bot " + id + ".x.y", "112233445566778899", true},
		{"nodots", "", false},
		{base64.RawStdEncoding.EncodeToString([]byte("not a number")) + ".x.y", "", false},
		{"", "", false},
	}
	for _, tt := range tests {
		got, err := ClientIDFromToken(tt.token)
		if got != tt.want || (err == nil) != tt.ok {
			t.Errorf("ClientIDFromToken(%q) = %q, %v", tt.token, got, err)
		}
	}
}
