package main

import (
	"runtime/debug"
	"testing"
)

func TestVersionText(t *testing.T) {
	t.Parallel()
	settings := func(kv ...string) []debug.BuildSetting {
		var out []debug.BuildSetting
		for i := 0; i+1 < len(kv); i += 2 {
			out = append(out, debug.BuildSetting{Key: kv[i], Value: kv[i+1]})
		}
		return out
	}
	for _, tc := range []struct {
		name string
		bi   *debug.BuildInfo
		want string
	}{
		{
			name: "go install of a release",
			bi: &debug.BuildInfo{GoVersion: "go1.26.0", Main: debug.Module{Path: "github.com/espbot/espbot", Version: "v1.2.0"},
				Settings: settings("GOOS", "linux", "GOARCH", "arm64")},
			want: "espbot v1.2.0 go1.26.0 linux/arm64",
		},
		{
			name: "a checkout with local changes",
			bi: &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "(devel)"}, Settings: settings(
				"GOOS", "linux", "GOARCH", "amd64", "vcs", "git", "vcs.revision", "376d91d5c2f1a0b9e8d7c6b5a4f3e2d1c0b9a8f7",
				"vcs.time", "2026-12-01T09:30:00Z", "vcs.modified", "true")},
			want: "espbot (devel) (revision 376d91d5c2f1, 2026-12-01T09:30:00Z, with local changes) go1.26.8 linux/amd64",
		},
		{
			name: "a clean checkout's pseudo-version",
			bi: &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "v0.0.0-20261201093000-376d91d5c2f1"}, Settings: settings(
				"vcs.revision", "376d91d5c2f1a0b9e8d7c6b5a4f3e2d1c0b9a8f7", "vcs.modified", "false")},
			want: "espbot v0.0.0-20261201093000-376d91d5c2f1 (revision 376d91d5c2f1) go1.26.8",
		},
		{
			name: "no version, short revision",
			bi:   &debug.BuildInfo{Settings: settings("vcs.revision", "abc")},
			want: "espbot (unknown version) (revision abc)",
		},
		{name: "no build information", bi: nil, want: "espbot (no build information)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := versionText(tc.bi); got != tc.want {
				t.Errorf("versionText:\n got %q\nwant %q", got, tc.want)
			}
		})
	}
}
