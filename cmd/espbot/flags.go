package main

import (
	"flag"
	"fmt"
	"io"
	"strings"
	"unicode"
)

// pathsFlag is a repeatable string flag (--knowledge PATH ...).
type pathsFlag []string

func (p *pathsFlag) String() string { return strings.Join(*p, ",") }

func (p *pathsFlag) Set(v string) error {
	*p = append(*p, v)
	return nil
}

// newFlagSet returns a FlagSet whose usage, printed to e.stderr, starts
// with the given synopsis. parseFlags parses it.
func newFlagSet(e env, name, synopsis string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: espbot %s\n", synopsis)
		printFlags(fs)
	}
	return fs
}

// printFlags lists the flags as the synopses write them, with two dashes
// (one works too), and their defaults when not zero.
func printFlags(fs *flag.FlagSet) {
	first := true
	fs.VisitAll(func(f *flag.Flag) {
		if first {
			fmt.Fprint(fs.Output(), "\nFlags:\n")
			first = false
		}
		arg, usage := flag.UnquoteUsage(f)
		if isBoolFlag(f) {
			arg = ""
		}
		line := strings.TrimSpace("  --" + f.Name + " " + arg)
		if d := f.DefValue; d != "" && d != "0" && d != "false" {
			usage += fmt.Sprintf(" (default %s)", d)
		}
		fmt.Fprintf(fs.Output(), "  %s\n    \t%s\n", line, usage)
	})
}

// parseFlags parses args the way people type them: flags before, between
// or after the operands (espbot ask "whats the mtu" --json), "--" ending
// the flags. -h or --help prints the usage once, on stdout, and help is
// true; a flag that is unknown, lacks its value or has a bad one is named
// on stderr above the usage, and err is errUsage.
func parseFlags(e env, fs *flag.FlagSet, args []string) (help bool, err error) {
	operands, help, msg := setFlags(fs, args)
	if help {
		fs.SetOutput(e.stdout)
		fs.Usage()
		fs.SetOutput(e.stderr)
		return true, nil
	}
	if msg != "" {
		return false, usageError(e, fs, msg)
	}
	// Only operands remain, after "--": Parse cannot fail, and fs.Args()
	// returns them as the commands expect.
	if err := fs.Parse(append([]string{"--"}, operands...)); err != nil {
		return false, usageError(e, fs, err.Error())
	}
	return false, nil
}

// setFlags sets the flags among args and returns the operands, in order;
// help is true when -h or --help is among the flags, and msg says what is
// wrong with a flag.
func setFlags(fs *flag.FlagSet, args []string) (operands []string, help bool, msg string) {
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			return append(operands, args[i+1:]...), false, ""
		}
		name, value, hasValue, isFlag := splitFlag(a)
		if !isFlag {
			operands = append(operands, a)
			continue
		}
		spelled := a
		if hasValue {
			spelled = a[:len(a)-len(value)-1]
		}
		f := fs.Lookup(name)
		switch {
		case f == nil && (name == "h" || name == "help"):
			return nil, true, ""
		case f == nil:
			return nil, false, "unknown flag " + spelled
		case !hasValue && isBoolFlag(f):
			value = "true"
		case !hasValue && i+1 == len(args):
			return nil, false, fmt.Sprintf("flag %s needs a value", spelled)
		case !hasValue:
			i++
			value = args[i]
		}
		if err := fs.Set(name, value); err != nil {
			return nil, false, fmt.Sprintf("invalid value %q for %s: %s", value, spelled, valueProblem(f, err))
		}
	}
	return operands, false, ""
}

// splitFlag reads "-name", "--name" or "--name=value". An argument that
// does not start with a dash and a letter ("-", "-1", a question) is an
// operand.
func splitFlag(a string) (name, value string, hasValue, isFlag bool) {
	rest := strings.TrimPrefix(strings.TrimPrefix(a, "-"), "-")
	if rest == a || rest == "" || !unicode.IsLetter(rune(rest[0])) {
		return "", "", false, false
	}
	name, value, hasValue = strings.Cut(rest, "=")
	return name, value, hasValue, true
}

// valueProblem says what a flag wants when the flag package only says
// "parse error" (its numbers and booleans).
func valueProblem(f *flag.Flag, err error) string {
	switch {
	case err.Error() != "parse error":
		return err.Error()
	case isBoolFlag(f):
		return "want true or false"
	}
	return "want a number"
}

func isBoolFlag(f *flag.Flag) bool {
	b, ok := f.Value.(interface{ IsBoolFlag() bool })
	return ok && b.IsBoolFlag()
}

// usageError prints "espbot NAME: msg" and the usage on stderr, and
// returns errUsage (exit status 2).
func usageError(e env, fs *flag.FlagSet, msg string) error {
	fmt.Fprintf(e.stderr, "espbot %s: %s\n\n", fs.Name(), msg)
	fs.SetOutput(e.stderr)
	fs.Usage()
	return errUsage
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
