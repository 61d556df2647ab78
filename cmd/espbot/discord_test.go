package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"strings"
	"testing"
)

func TestRunDiscordInvite(t *testing.T) {
	t.Parallel()
	token := base64.RawStdEncoding.EncodeToString([]byte("4242")) + ".abc.def"
	tests := []struct {
		name   string
		args   []string
		env    map[string]string
		err    error // errUsage, any error (errors.ErrUnsupported as a stand-in), or nil
		stdout string
	}{
		{"client id", []string{"discord", "invite", "--client-id", "1234"}, nil, nil,
			"https://discord.com/oauth2/authorize?client_id=1234&permissions=274877991936&scope=bot+applications.commands\n"},
		{"flag first", []string{"discord", "--client-id=99", "invite"}, nil, nil, "client_id=99&"},
		{"from the token", []string{"discord", "invite"}, map[string]string{"ESPBOT_DISCORD_TOKEN": token}, nil, "client_id=4242&"},
		{"no id", []string{"discord", "invite"}, nil, errors.ErrUnsupported, ""},
		{"bad id", []string{"discord", "invite", "--client-id", "my-bot"}, nil, errors.ErrUnsupported, ""},
		{"no subcommand", []string{"discord"}, nil, errUsage, ""},
		{"extra argument", []string{"discord", "invite", "now"}, nil, errUsage, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var out, errOut bytes.Buffer
			err := run(context.Background(), tt.args, func(k string) string { return tt.env[k] }, strings.NewReader(""), &out, &errOut)
			switch {
			case tt.err == nil && err != nil, tt.err == errUsage && !errors.Is(err, errUsage), tt.err == errors.ErrUnsupported && (err == nil || errors.Is(err, errUsage)):
				t.Fatalf("err = %v, want %v (stderr %q)", err, tt.err, errOut.String())
			}
			if !strings.Contains(out.String(), tt.stdout) {
				t.Errorf("stdout %q, want %q", out.String(), tt.stdout)
			}
		})
	}
}
