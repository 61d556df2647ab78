// Package knowledge reads FAQ pages written in Espressif's esp-faq
// reStructuredText format and turns them into entries whose answers are a
// platform-neutral document model (Doc). Renderers for Discord, Slack, the
// terminal and JSON all start from that model, so RST is parsed once, at
// load time, and never again.
package knowledge

// Entry is one question of the FAQ with its answer.
type Entry struct {
	// ID is short, stable across runs and reloads for the same page and
	// title, and unique within a Base, so that people can type it
	// (for example "/show ID").
	ID string
	// Title is the question, as plain text with RST markup removed.
	Title string
	// Category is the page title (the line underlined with '=').
	Category string
	// Chips are the chips named by the entry's :CHIP: field, normalised
	// (ESP32S3 -> ESP32-S3) and de-duplicated, in order of appearance.
	Chips []string
	// Tags come from "[LWIP]"-style prefixes of the title, upper-cased.
	Tags []string
	// Body is the answer.
	Body Doc
	// Links are every link of the answer (and title), de-duplicated by URL,
	// in order of appearance.
	Links []Link
	// Source is where the title of the entry is written.
	Source Source
	// URL is the entry's place on the published FAQ: its page and the
	// section anchor of its title ("" when the page has no web address).
	URL string
	// Labels are the RST targets (".. _label:") that point at this entry.
	Labels []string
}

// Source locates a line in a FAQ page.
type Source struct {
	Path string // file path as given to the loader ("embedded:protocols.rst" for the default)
	Line int    // 1-based line of the entry's title
	// Page is the page's path relative to its knowledge root, with forward
	// slashes (EmbeddedPath for the default page): what users may see,
	// unlike Path, which is the server's.
	Page string
}

// Link is a hyperlink of an answer.
type Link struct {
	Text string `json:"text"`
	URL  string `json:"url"`
}

// Doc is a platform-neutral answer document: a sequence of blocks.
type Doc struct {
	Blocks []Block
}

// BlockKind says what a Block is.
type BlockKind int

// Block kinds.
const (
	// Paragraph: Inlines.
	Paragraph BlockKind = iota
	// List: Items (each item a list of blocks), Ordered for enumerated lists.
	List
	// Code: Lang (may be empty) and Code (verbatim, without trailing newline).
	Code
	// Note: an admonition such as ".. note::"; Items[0] holds its blocks,
	// Label its name ("Note", "Warning"...).
	Note
	// Table: Rows of cells, each cell a list of inlines; HeaderRows is the
	// number of leading header rows.
	Table
	// Image: URL of the image (as written in the page) and Alt text.
	Image
)

// String returns the kind's name, for tests and debugging.
func (k BlockKind) String() string {
	switch k {
	case Paragraph:
		return "paragraph"
	case List:
		return "list"
	case Code:
		return "code"
	case Note:
		return "note"
	case Table:
		return "table"
	case Image:
		return "image"
	}
	return "unknown"
}

// Block is one block of a Doc. Which fields are set depends on Kind.
type Block struct {
	Kind       BlockKind
	Inlines    []Inline     // Paragraph
	Items      [][]Block    // List items; Note body in Items[0]
	Ordered    bool         // List
	Start      int          // List: number of the first item when Ordered (0 means 1)
	Lang       string       // Code
	Code       string       // Code
	Label      string       // Note
	Rows       [][][]Inline // Table: rows -> cells -> inlines
	HeaderRows int          // Table
	URL        string       // Image
	Alt        string       // Image
}

// InlineKind says what an Inline is.
type InlineKind int

// Inline kinds.
const (
	// Text is plain text.
	Text InlineKind = iota
	// Literal is ``inline code``.
	Literal
	// LinkRef is a hyperlink: Text shown, URL target. Bare URLs have Text == URL.
	LinkRef
	// Emphasis is *emphasis*.
	Emphasis
	// Strong is **strong**.
	Strong
)

// Inline is a run of text inside a paragraph, list item or table cell.
type Inline struct {
	Kind InlineKind
	Text string
	URL  string // LinkRef only
	// Ref is set on a Text inline written as a cross reference
	// (:ref:`text <label>`, or `question title`_): the ID of the entry
	// that the label or title marks, or empty when it is unknown.
	// Renderers that ignore it show Text.
	Ref string
	// Label is the normalised (lower-case) label or name of a cross
	// reference.
	Label string
}

// Severity says whether a Problem stops the page from loading.
type Severity int

// Severities.
const (
	Warning Severity = iota
	Error
)

// Problem is something wrong in a FAQ page, reported as path:line: message.
type Problem struct {
	Path     string
	Line     int
	Severity Severity
	Message  string
}

// FileSummary says how many entries one file gave.
type FileSummary struct {
	Path    string
	Entries int
}
