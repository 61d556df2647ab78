package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/espbot/espbot/eval"
	"github.com/espbot/espbot/matcher"
)

// phrasingsFile is the YAML file of accepted phrasings kept beside the FAQ
// pages: entry ID -> phrasings.
type phrasingsFile struct {
	Phrasings map[string][]string `yaml:"phrasings"`
}

// phrasing is one phrasing of a phrasings file, with its line for messages.
type phrasing struct {
	entry, text string
	line        int
}

// isPhrasingsFile says whether path is a phrasings file (what
// "espbot learn export" writes) rather than a JSONL question set.
func isPhrasingsFile(path string) bool {
	ext := strings.ToLower(filepath.Ext(path))
	return ext == ".yaml" || ext == ".yml"
}

// readPhrasings reads the phrasings file at path, "-" for r.
func readPhrasings(path string, r io.Reader) ([]phrasing, error) {
	if path != "-" {
		f, err := os.Open(path)
		if err != nil {
			return nil, fmt.Errorf("read phrasings: %w", err)
		}
		defer f.Close()
		r = f
	}
	return parsePhrasings(path, r)
}

// parsePhrasings reads a phrasings file in its order; name is the file
// named in errors ("name:line: ..."). It decodes the YAML as nodes, not
// into phrasingsFile directly, so that every phrasing keeps its line.
func parsePhrasings(name string, r io.Reader) ([]phrasing, error) {
	var doc yaml.Node
	if err := yaml.NewDecoder(r).Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, nil
		}
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	var pf phrasingsFile // checks the types; the keys are checked below
	if err := doc.Decode(&pf); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	root := &doc
	if root.Kind == yaml.DocumentNode && len(root.Content) == 1 {
		root = root.Content[0]
	}
	if root.Kind != yaml.MappingNode {
		return nil, fmt.Errorf("%s:%d: want a mapping with phrasings: entry ID -> phrasings", name, root.Line)
	}
	var out []phrasing
	for i := 0; i+1 < len(root.Content); i += 2 {
		k, v := root.Content[i], root.Content[i+1]
		if k.Value != "phrasings" {
			return nil, fmt.Errorf("%s:%d: unknown field %q (want phrasings)", name, k.Line, k.Value)
		}
		ps, err := entryPhrasings(name, v)
		if err != nil {
			return nil, err
		}
		out = append(out, ps...)
	}
	return out, nil
}

// entryPhrasings reads the entry ID -> phrasings mapping.
func entryPhrasings(name string, m *yaml.Node) ([]phrasing, error) {
	var out []phrasing
	m = deref(m)
	for i := 0; i+1 < len(m.Content); i += 2 {
		id, list := deref(m.Content[i]), deref(m.Content[i+1])
		for _, t := range list.Content {
			t = deref(t)
			text := strings.TrimSpace(t.Value)
			if text == "" {
				return nil, fmt.Errorf("%s:%d: empty phrasing of %s", name, t.Line, id.Value)
			}
			out = append(out, phrasing{entry: id.Value, text: text, line: t.Line})
		}
	}
	return out, nil
}

// deref follows a YAML alias (*name) to the node it names, so that
// phrasings given by alias are read like the others, at the anchor's line.
func deref(n *yaml.Node) *yaml.Node {
	for n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	return n
}

// phrasingCases turns a phrasings file into question-set cases: each
// phrasing is a question its entry answers. The entry is named by ID, so
// the expected title is filled in by resolveEntries once the index is
// built.
func phrasingCases(path string) ([]setCase, error) {
	ps, err := readPhrasings(path, nil)
	if err != nil {
		return nil, err
	}
	out := make([]setCase, len(ps))
	for i, p := range ps {
		out[i] = setCase{
			Case:  eval.Case{ID: fmt.Sprintf("%s/%d", p.entry, i+1), Question: p.text, Style: "phrasing", Line: p.line},
			file:  path,
			entry: p.entry,
		}
	}
	return out, nil
}

// resolveEntries gives the cases of phrasings files their entry's title
// as the expected answer; a phrasing of an entry the knowledge base lacks
// is dropped with a warning naming its file and line.
func resolveEntries(e env, ix *matcher.Index, cases []setCase) []setCase {
	out := cases[:0]
	for _, c := range cases {
		if c.entry != "" {
			en, ok := ix.Entry(c.entry)
			if !ok {
				fmt.Fprintf(e.stderr, "%s:%d: no entry %q in the knowledge base; phrasing skipped\n", c.file, c.Line, c.entry)
				continue
			}
			title := en.Title
			c.Expect = &title
		}
		out = append(out, c)
	}
	return out
}
