package knowledge

import (
	"fmt"
)

// String formats the problem as "path:line: message" ("path: message"
// when the problem concerns the whole file).
func (p Problem) String() string {
	if p.Line <= 0 {
		return p.Path + ": " + p.Message
	}
	return fmt.Sprintf("%s:%d: %s", p.Path, p.Line, p.Message)
}

// LoadError is the error of Load and LoadDefault when some problems have
// Severity Error. The Base returned with it holds everything that parsed.
type LoadError struct {
	Errors []Problem // the problems with Severity Error, in file then line order
}

// Error names the first error and counts the others.
func (e *LoadError) Error() string {
	msg := "load knowledge: " + e.Errors[0].String()
	if n := len(e.Errors) - 1; n > 0 {
		msg += fmt.Sprintf(" (and %d more %s)", n, plural(n, "error", "errors"))
	}
	return msg
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// loadError returns a *LoadError for the Error problems, or nil.
func loadError(ps []Problem) error {
	var errs []Problem
	for _, p := range ps {
		if p.Severity == Error {
			errs = append(errs, p)
		}
	}
	if len(errs) == 0 {
		return nil
	}
	return &LoadError{Errors: errs}
}

// resolveRefs points every :ref: and `name`_ reference at the entry its
// label or title marks, and reports unknown :ref: labels and duplicate
// labels. An unknown `name`_ is not reported: it may name a web target.
func resolveRefs(es []Entry, extra []parsed) []Problem {
	var probs []Problem
	byLabel := map[string]int{}
	for i, e := range es {
		for _, l := range e.Labels {
			if j, dup := byLabel[l]; dup {
				probs = append(probs, warning(e.Source, fmt.Sprintf("duplicate label %q (also at %s)", l, es[j].Source.pos())))
				continue
			}
			byLabel[l] = i
		}
	}
	for i, e := range es { // a title is an implicit target of `title`_
		name := refName(e.Title)
		if _, ok := byLabel[name]; !ok {
			byLabel[name] = i
		}
	}
	for i := range es {
		e := &es[i]
		for _, r := range extra[i].refs {
			if _, ok := byLabel[r.label]; !ok {
				probs = append(probs, Problem{Path: e.Source.Path, Line: r.line, Message: fmt.Sprintf("unresolved :ref: to label %q", r.label)})
			}
		}
		walkInlines(e.Body.Blocks, func(in *Inline) { resolve(in, es, byLabel) })
	}
	return probs
}

// resolve points one cross reference at its entry.
func resolve(in *Inline, es []Entry, byLabel map[string]int) {
	if in.Label == "" {
		return
	}
	j, ok := byLabel[in.Label]
	switch {
	case ok:
		in.Ref = es[j].ID
		if in.Text == "" {
			in.Text = es[j].Title
		}
	case in.Text == "":
		in.Text = in.Label
	}
}

func warning(s Source, msg string) Problem {
	return Problem{Path: s.Path, Line: s.Line, Severity: Warning, Message: msg}
}

// pos formats a source position as "path:line".
func (s Source) pos() string { return fmt.Sprintf("%s:%d", s.Path, s.Line) }
