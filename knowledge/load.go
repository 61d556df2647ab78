package knowledge

import (
	"bytes"
	_ "embed"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"unicode/utf8"
)

// Base is a loaded knowledge base.
type Base struct {
	Entries  []Entry
	Files    []FileSummary
	Problems []Problem // errors and warnings, in file then line order
}

//go:embed protocols.rst
var defaultPage string

// EmbeddedPath is the Source.Path of entries of the embedded default page.
const EmbeddedPath = "embedded:protocols.rst"

// Size limits of the pages. One huge page costs memory far beyond its size
// while it is parsed, and a huge answer fits no chat message.
const (
	// DefaultMaxPageBytes bounds a page: 2 MiB, 18 times esp-faq's largest
	// (117 KB).
	DefaultMaxPageBytes = 2 << 20
	// DefaultMaxAnswerBytes bounds the source of one answer: 64 KiB, 15
	// times esp-faq's longest (4.3 KB).
	DefaultMaxAnswerBytes = 64 << 10
)

// Options tune loading. The zero value gives the defaults.
type Options struct {
	// BaseURL is the web site the pages are published on: an entry's URL is
	// BaseURL, its page path with ".html" for ".rst" and the anchor Sphinx
	// gives its title. Empty: DefaultBaseURL for the embedded page and for
	// folders of an esp-faq checkout, and no URL for other pages.
	BaseURL string
	// MaxPageBytes bounds the size of a page (0: DefaultMaxPageBytes); a
	// larger page is an error and is not parsed.
	MaxPageBytes int
	// MaxAnswerBytes bounds the source of one answer (0:
	// DefaultMaxAnswerBytes); a longer one is an error.
	MaxAnswerBytes int
	// Progress, when set, is called after each page is read and parsed
	// with the pages done so far and their total, for a progress display
	// while many pages load.
	Progress func(done, total int)
}

func (o Options) withDefaults() Options {
	if o.MaxPageBytes <= 0 {
		o.MaxPageBytes = DefaultMaxPageBytes
	}
	if o.MaxAnswerBytes <= 0 {
		o.MaxAnswerBytes = DefaultMaxAnswerBytes
	}
	return o
}

// Load reads .rst files, or folders searched recursively for .rst files,
// in the order given, with the default Options. It always returns a Base
// holding everything that parsed; the error, a *LoadError, is non-nil when
// some problem has Severity Error (an unreadable file, a file that is not
// UTF-8, a page or answer over its size limit...).
func Load(paths ...string) (*Base, error) { return LoadWith(Options{}, paths...) }

// LoadWith is Load with options.
func LoadWith(o Options, paths ...string) (*Base, error) {
	o = o.withDefaults()
	var files []sourceFile
	var probs []Problem
	seen := map[string]bool{}
	for _, p := range paths {
		fs, ps := findFiles(p)
		probs = append(probs, ps...)
		web := findWebRoot(p, o.BaseURL)
		for _, f := range fs {
			key, err := filepath.Abs(f)
			if err != nil {
				key = filepath.Clean(f)
			}
			if !seen[key] {
				seen[key] = true
				page := web.page(f)
				files = append(files, sourceFile{path: f, slug: slug(f), page: page, url: pageURL(web.base, page), unread: true})
			}
		}
	}
	return build(files, probs, o)
}

// LoadDefault parses the embedded default FAQ page (protocols.rst).
func LoadDefault() (*Base, error) { return LoadDefaultWith(Options{}) }

// LoadDefaultWith parses the embedded default FAQ page with options.
func LoadDefaultWith(o Options) (*Base, error) {
	o = o.withDefaults()
	f := sourceFile{path: EmbeddedPath, page: EmbeddedPath, slug: "protocols", data: defaultPage,
		url: pageURL(firstNonEmpty(o.BaseURL, DefaultBaseURL), embeddedWebPath)}
	return build([]sourceFile{f}, nil, o)
}

// sourceFile is one page to parse: where it was read, the path users see
// (relative to its knowledge root), its web address and its text, which
// build reads when unread.
type sourceFile struct {
	path, page, url, slug, data string
	unread                      bool
}

// findFiles expands a path: a folder gives its .rst files, recursively, in
// lexical order; a file gives itself whatever its extension.
func findFiles(root string) ([]string, []Problem) {
	info, err := os.Stat(root)
	if err != nil {
		return nil, []Problem{errorProblem(root, fmt.Sprintf("cannot read: %v", unwrapPath(err)))}
	}
	if !info.IsDir() {
		return []string{root}, nil
	}
	var files []string
	var probs []Problem
	err = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			probs = append(probs, errorProblem(p, fmt.Sprintf("cannot read: %v", unwrapPath(err))))
			return nil
		}
		if !d.IsDir() && strings.EqualFold(filepath.Ext(p), ".rst") {
			files = append(files, p)
		}
		return nil
	})
	if err != nil {
		probs = append(probs, errorProblem(root, fmt.Sprintf("cannot read: %v", err)))
	}
	if len(files) == 0 && len(probs) == 0 {
		probs = append(probs, errorProblem(root, "no .rst files in this folder"))
	}
	return files, probs
}

// unwrapPath drops the path that *fs.PathError repeats.
func unwrapPath(err error) error {
	if pe, ok := err.(*fs.PathError); ok {
		return pe.Err
	}
	return err
}

// readFile reads the text of one page. A file that is not UTF-8 is an
// error but is still parsed, with invalid bytes replaced, so that no entry
// is lost. A page over maxBytes is an error naming the line where it
// crosses the limit, and is not parsed.
func readFile(f sourceFile, maxBytes int, probs *[]Problem) sourceFile {
	path := f.path
	f.unread = false
	data, err := readAtMost(path, maxBytes)
	if err != nil {
		*probs = append(*probs, errorProblem(path, fmt.Sprintf("cannot read: %v", unwrapPath(err))))
		return f
	}
	if len(data) > maxBytes {
		*probs = append(*probs, Problem{Path: path, Line: bytes.Count(data[:maxBytes], []byte("\n")) + 1, Severity: Error,
			Message: fmt.Sprintf("page larger than %s: split it into smaller pages", sizeName(maxBytes))})
		return f
	}
	f.data = string(data)
	if !utf8.ValidString(f.data) {
		*probs = append(*probs, Problem{Path: path, Line: badLine(f.data), Severity: Error, Message: "not valid UTF-8"})
		f.data = strings.ToValidUTF8(f.data, "\uFFFD")
	}
	f.data = strings.TrimPrefix(f.data, "\uFEFF")
	return f
}

// readAtMost reads up to max+1 bytes of a file: enough to tell that it is
// too large without holding all of it.
func readAtMost(path string, max int) ([]byte, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer fh.Close()
	return io.ReadAll(io.LimitReader(fh, int64(max)+1))
}

// sizeName writes a byte count the way people read sizes.
func sizeName(n int) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}

// badLine returns the 1-based line of the first invalid UTF-8 sequence.
func badLine(s string) int {
	n := 1
	for i, r := range s {
		if r == utf8.RuneError {
			if _, size := utf8.DecodeRuneInString(s[i:]); size == 1 {
				return n
			}
		}
		if r == '\n' {
			n++
		}
	}
	return n
}

// slug names a page in entry IDs: its base name without .rst, lower-case.
func slug(path string) string {
	base := filepath.Base(path)
	base = strings.TrimSuffix(base, filepath.Ext(base))
	return strings.ReplaceAll(strings.ToLower(base), " ", "-")
}

func errorProblem(path, msg string) Problem {
	return Problem{Path: path, Severity: Error, Message: msg}
}

// build reads and parses pages, reporting progress page by page, and
// resolves what spans them: IDs, cross references and lint.
func build(files []sourceFile, probs []Problem, o Options) (*Base, error) {
	pages := make([]page, len(files))
	n := 0
	for i, f := range files {
		if f.unread {
			f = readFile(f, o.MaxPageBytes, &probs)
			files[i] = f
		}
		pages[i] = parsePage(f, o.MaxAnswerBytes)
		n += len(pages[i].entries)
		if o.Progress != nil {
			o.Progress(i+1, len(files))
		}
	}
	b := &Base{Problems: probs, Entries: make([]Entry, 0, n)}
	extra := make([]parsed, 0, n)
	slugs := make([]string, 0, n)
	for i, pg := range pages {
		b.Files = append(b.Files, FileSummary{Path: files[i].path, Entries: len(pg.entries)})
		b.Problems = append(b.Problems, pg.probs...)
		b.Entries = append(b.Entries, pg.entries...)
		extra = append(extra, pg.extra...)
		for range pg.entries {
			slugs = append(slugs, files[i].slug)
		}
	}
	assignIDs(b.Entries, extra, slugs)
	b.Problems = append(b.Problems, resolveRefs(b.Entries, extra)...)
	b.Problems = append(b.Problems, lint(b.Entries)...)
	sortProblems(b.Problems, b.Files)
	return b, loadError(b.Problems)
}

// sortProblems orders problems by file (in load order) then line.
func sortProblems(ps []Problem, files []FileSummary) {
	order := make(map[string]int, len(files))
	for i, f := range files {
		order[f.Path] = i + 1
	}
	sort.SliceStable(ps, func(i, j int) bool {
		oi, oj := order[ps[i].Path], order[ps[j].Path]
		if oi != oj {
			return oi < oj
		}
		return ps[i].Line < ps[j].Line
	})
}
