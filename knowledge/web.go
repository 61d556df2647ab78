package knowledge

import (
	"os"
	"path"
	"path/filepath"
	"strconv"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// DefaultBaseURL is the published English site of Espressif's esp-faq, the
// web home of the embedded page and of pages read from an esp-faq checkout.
const DefaultBaseURL = "https://docs.espressif.com/projects/espressif-esp-faq/en/latest/"

// embeddedWebPath is where the embedded page lives in esp-faq's docs/en.
const embeddedWebPath = "software-framework/protocols.rst"

// pageURL is the web address of a page: base joined with the page path,
// ".rst" becoming ".html" as Sphinx builds it. It is "" without a base.
func pageURL(base, page string) string {
	if base == "" || page == "" {
		return ""
	}
	if !strings.HasSuffix(base, "/") {
		base += "/"
	}
	return base + strings.TrimSuffix(page, path.Ext(page)) + ".html"
}

// anchors gives the section anchors Sphinx (docutils) generates for the
// titles of one page: make_id of the title, or "id1", "id2"... when that is
// empty (a title without Latin letters) or already taken on the page.
type anchors struct {
	used map[string]bool
	auto int
}

func newAnchors(category string) *anchors {
	a := &anchors{used: map[string]bool{}}
	if id := sectionID(category); id != "" {
		a.used[id] = true // the page title is a section too
	}
	return a
}

// next returns the anchor of the next title of the page.
func (a *anchors) next(title string) string {
	id := sectionID(title)
	for id == "" || a.used[id] {
		a.auto++
		id = "id" + strconv.Itoa(a.auto)
	}
	a.used[id] = true
	return id
}

// idDigraphs and idLetters are docutils' translations of Latin letters
// that Unicode decomposition does not reduce to ASCII.
var (
	idDigraphs = strings.NewReplacer("ß", "sz", "æ", "ae", "œ", "oe", "ȸ", "db", "ȹ", "qp")
	idLetters  = strings.NewReplacer("ø", "o", "đ", "d", "ħ", "h", "ı", "i", "ł", "l", "ŀ", "l",
		"ƀ", "b", "ƃ", "b", "ƈ", "c", "ƌ", "d", "ƒ", "f", "ƙ", "k", "ƚ", "l", "ƞ", "n", "ƥ", "p",
		"ƫ", "t", "ƭ", "t", "ƴ", "y", "ƶ", "z", "ǥ", "g", "ȥ", "z", "ȴ", "l", "ȵ", "n", "ȶ", "t",
		"ȷ", "j", "ȼ", "c", "ȿ", "s", "ɀ", "z")
)

// sectionID is docutils' make_id: lower case, Latin letters reduced to
// ASCII, every run of other characters one hyphen, no leading digit or
// hyphen, no trailing hyphen.
func sectionID(title string) string {
	s := idLetters.Replace(idDigraphs.Replace(strings.ToLower(title)))
	s = norm.NFKD.String(s)
	var b strings.Builder
	pending := false
	for _, r := range s {
		switch {
		case r >= utf8.RuneSelf:
			continue // non-ASCII, dropped before the runs are counted
		case r >= 'a' && r <= 'z' || r >= '0' && r <= '9':
			if pending && b.Len() > 0 {
				b.WriteByte('-')
			}
			pending = false
			if b.Len() == 0 && r >= '0' && r <= '9' {
				continue // an ID starts with a letter
			}
			b.WriteRune(r)
		default:
			pending = true
		}
	}
	return b.String()
}

// webRoot is how the pages under one knowledge path are placed on the web:
// their paths are relative to root, and base is their site ("" for none).
type webRoot struct {
	root string
	base string
}

// findWebRoot places the pages of a knowledge path. An esp-faq docs folder
// (docs/en, or the checkout holding it) found at the path or above it is
// the root, on the published esp-faq site; otherwise the path itself (its
// folder, for a file). baseURL, when set, is the site of every page.
func findWebRoot(p, baseURL string) webRoot {
	dir := p
	if st, err := os.Stat(p); err == nil && !st.IsDir() {
		dir = filepath.Dir(p)
	}
	if abs, err := filepath.Abs(dir); err == nil {
		dir = abs
	}
	if docs := espFAQDocs(dir); docs != "" {
		return webRoot{root: docs, base: firstNonEmpty(baseURL, DefaultBaseURL)}
	}
	return webRoot{root: dir, base: baseURL}
}

// espFAQDocs returns the esp-faq docs folder at or above dir: a folder with
// an index.rst and a software-framework folder, or a checkout's docs/en.
func espFAQDocs(dir string) string {
	for d := dir; ; d = filepath.Dir(d) {
		if isFile(filepath.Join(d, "index.rst")) && isDir(filepath.Join(d, "software-framework")) {
			return d
		}
		if en := filepath.Join(d, "docs", "en"); isFile(filepath.Join(en, "index.rst")) {
			return en
		}
		if filepath.Dir(d) == d {
			return ""
		}
	}
}

// page returns file's path relative to the root, with forward slashes, or
// its base name when it lies outside the root.
func (w webRoot) page(file string) string {
	abs, err := filepath.Abs(file)
	if err != nil {
		return filepath.Base(file)
	}
	rel, err := filepath.Rel(w.root, abs)
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return filepath.Base(file)
	}
	return filepath.ToSlash(rel)
}

func isFile(p string) bool {
	st, err := os.Stat(p)
	return err == nil && !st.IsDir()
}

func isDir(p string) bool {
	st, err := os.Stat(p)
	return err == nil && st.IsDir()
}

func firstNonEmpty(s ...string) string {
	for _, x := range s {
		if x != "" {
			return x
		}
	}
	return ""
}
