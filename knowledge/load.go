package knowledge

import "errors"

// Base is a loaded knowledge base.
type Base struct {
	Entries  []Entry
	Files    []FileSummary
	Problems []Problem // errors and warnings, in file then line order
}

// Load reads .rst files, or folders searched recursively for .rst files.
// STUB: replaced by the parser.
func Load(paths ...string) (*Base, error) { return nil, errors.New("not implemented") }

// LoadDefault parses the embedded default FAQ page. STUB.
func LoadDefault() (*Base, error) { return nil, errors.New("not implemented") }

// RenderText renders a Doc as readable plain text. STUB.
func RenderText(d Doc) string { return "" }

// PlainText strips RST inline markup from one line of text (a title, an
// expected title in an evaluation set). STUB.
func PlainText(rst string) string { return rst }
