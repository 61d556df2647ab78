package main

import (
	"bytes"
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	slackbot "github.com/espbot/espbot/bot/slack"
)

func TestRunSlackManifest(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, golden string
		args         []string
		opts         slackbot.ManifestOptions
	}{
		{"socket mode", "slack-manifest-socket.yaml", []string{"slack", "manifest"}, slackbot.ManifestOptions{Mode: slackbot.ModeSocket}},
		{"http mode", "slack-manifest-http.yaml", []string{"slack", "manifest", "--mode", "http", "--url", "https://espbot.example.com"},
			slackbot.ManifestOptions{Mode: slackbot.ModeHTTP, BaseURL: "https://espbot.example.com"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			if err := run(context.Background(), tt.args, func(string) string { return "" }, strings.NewReader(""), &out, &errOut); err != nil {
				t.Fatalf("run: %v (stderr %q)", err, errOut.String())
			}
			golden(t, tt.golden, out.Bytes())
			// The YAML reads back as the manifest the adapter describes.
			var got slackbot.Manifest
			if err := yaml.Unmarshal(out.Bytes(), &got); err != nil {
				t.Fatalf("the manifest is not YAML: %v", err)
			}
			want, err := slackbot.NewManifest(tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("printed manifest %+v, want %+v", got, want)
			}
		})
	}
}

func TestRunSlackManifest_Errors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		args   []string
		usage  bool
		stderr string
	}{
		{args: []string{"slack"}, usage: true},
		{args: []string{"slack", "manifesto"}, usage: true},
		{args: []string{"slack", "manifest", "--mode", "http"}, stderr: "needs the base URL"},
		{args: []string{"slack", "manifest", "--mode", "http", "--url", "http://espbot.example.com"}, stderr: "must be https"},
	}
	for _, tt := range tests {
		var out, errOut bytes.Buffer
		err := run(context.Background(), tt.args, func(string) string { return "" }, strings.NewReader(""), &out, &errOut)
		if tt.usage {
			if !errors.Is(err, errUsage) || !strings.Contains(errOut.String(), "Usage: espbot slack manifest") {
				t.Errorf("%v: %v, stderr %q, want the usage", tt.args, err, errOut.String())
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), tt.stderr) || out.Len() != 0 {
			t.Errorf("%v: %v, stdout %q, want an error saying %q and no output", tt.args, err, out.String(), tt.stderr)
		}
	}
}
