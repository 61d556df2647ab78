package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
)

// pathsFlag is a repeatable string flag (--knowledge PATH ...).
type pathsFlag []string

func (p *pathsFlag) String() string { return strings.Join(*p, ",") }

func (p *pathsFlag) Set(v string) error {
	*p = append(*p, v)
	return nil
}

// newFlagSet returns a FlagSet that reports errors itself and prints its
// usage to e.stderr with the given synopsis.
func newFlagSet(e env, name, synopsis string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: espbot %s\n\nFlags:\n", synopsis)
		fs.PrintDefaults()
	}
	return fs
}

// parseFlags parses args, mapping -h to a nil error with help printed on
// stdout and bad flags to errUsage.
func parseFlags(e env, fs *flag.FlagSet, args []string) (help bool, err error) {
	err = fs.Parse(args)
	if errors.Is(err, flag.ErrHelp) {
		fs.SetOutput(e.stdout)
		fs.Usage()
		return true, nil
	}
	if err != nil {
		return false, errUsage
	}
	return false, nil
}

// errWriter keeps the first write error, so that printing code stays flat.
type errWriter struct {
	w   io.Writer
	err error
}

func (ew *errWriter) printf(format string, args ...any) {
	if ew.err == nil {
		_, ew.err = fmt.Fprintf(ew.w, format, args...)
	}
}
