package main

import (
	"context"
	"fmt"
	"runtime/debug"
	"strings"
)

// runVersion is "espbot version" (and "espbot --version"): the module
// version and the VCS revision the binary was built from.
func runVersion(_ context.Context, e env, args []string) error {
	fs := newFlagSet(e, "version", "version")
	if help, err := parseFlags(e, fs, args); help || err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageError(e, fs, fmt.Sprintf("unexpected argument %q", fs.Arg(0)))
	}
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		bi = nil
	}
	fmt.Fprintln(e.stdout, versionText(bi))
	return nil
}

// versionText formats build information: "espbot v1.2.0 (revision
// 0123456789ab, 2026-11-30T10:00:00Z) go1.26.0 linux/amd64". A build from
// a checkout has the version "(devel)" or a pseudo-version, and a revision
// "with local changes" when the tree was modified; a build without VCS
// stamping (-buildvcs=false) has no revision. bi may be nil.
func versionText(bi *debug.BuildInfo) string {
	if bi == nil {
		return "espbot (no build information)"
	}
	version := bi.Main.Version
	if version == "" {
		version = "(unknown version)"
	}
	s := map[string]string{}
	for _, kv := range bi.Settings {
		s[kv.Key] = kv.Value
	}
	var vcs []string
	if rev := s["vcs.revision"]; rev != "" {
		vcs = append(vcs, "revision "+rev[:min(len(rev), 12)])
	}
	if t := s["vcs.time"]; t != "" {
		vcs = append(vcs, t)
	}
	if s["vcs.modified"] == "true" {
		vcs = append(vcs, "with local changes")
	}
	out := "espbot " + version
	if len(vcs) > 0 {
		out += " (" + strings.Join(vcs, ", ") + ")"
	}
	if bi.GoVersion != "" {
		out += " " + bi.GoVersion
	}
	if s["GOOS"] != "" && s["GOARCH"] != "" {
		out += " " + s["GOOS"] + "/" + s["GOARCH"]
	}
	return out
}
