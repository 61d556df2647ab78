package bot

import (
	"fmt"

	"github.com/espbot/espbot/knowledge"
)

// AskResult is the JSON object printed by "espbot ask --json" (one per line)
// and returned by POST /v1/ask: one rendering of a Reply.
type AskResult struct {
	Question     string           `json:"question"`
	Answered     bool             `json:"answered"`
	Confidence   float64          `json:"confidence"`
	Answer       *AskAnswer       `json:"answer"`
	Alternatives []AskAlternative `json:"alternatives"`
}

// AskAnswer is the answer part of an AskResult.
type AskAnswer struct {
	ID       string `json:"id"`
	Title    string `json:"title"`
	Category string `json:"category"`
	// Source is "page:line", the page relative to its knowledge root: never
	// a path of the server's.
	Source string   `json:"source"`
	Score  float64  `json:"score"`
	Chips  []string `json:"chips"`
	// Text is the answer as plain text, at most MaxAnswerText bytes.
	Text  string           `json:"text"`
	Links []knowledge.Link `json:"links"`
	// URL is the entry on the published FAQ, when its page has one.
	URL string `json:"url,omitempty"`
}

// AskAlternative is a further entry worth suggesting.
type AskAlternative struct {
	ID         string  `json:"id"`
	Title      string  `json:"title"`
	Score      float64 `json:"score"`
	Confidence float64 `json:"confidence"`
}

// MaxAnswerText bounds the text of a JSON answer; a longer one is cut and
// ends with an ellipsis (its URL has the whole).
const MaxAnswerText = 16 << 10

// NewAskResult renders a reply as JSON. The answer is present only for an
// answer; alternatives are the related entries of an answer, or the
// suggestions (the best candidate first) when the core abstained.
func NewAskResult(r Reply) AskResult {
	out := AskResult{
		Question:     r.Query,
		Answered:     r.Kind == KindAnswer && r.Entry != nil,
		Confidence:   round(r.Confidence),
		Alternatives: []AskAlternative{},
	}
	if out.Answered {
		e := r.Entry
		out.Answer = &AskAnswer{
			ID:       e.ID,
			Title:    e.Title,
			Category: e.Category,
			Source:   fmt.Sprintf("%s:%d", e.Source.Page, e.Source.Line),
			Score:    round(r.Score),
			Chips:    nonNil(e.Chips),
			Text:     shortText(knowledge.RenderText(e.Body), MaxAnswerText),
			Links:    nonNilLinks(e.Links),
			URL:      e.URL,
		}
	}
	for _, a := range r.Alternatives {
		out.Alternatives = append(out.Alternatives, AskAlternative{
			ID: a.ID, Title: a.Title, Score: round(a.Score), Confidence: round(a.Confidence),
		})
	}
	return out
}

// shortText cuts s to at most n bytes at a rune boundary, ending with "…".
func shortText(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return truncate(s, n-len("…")) + "…"
}

// round keeps JSON output short and stable: four decimals are plenty for
// scores and confidences.
func round(f float64) float64 {
	const k = 10000
	return float64(int64(f*k+0.5)) / k
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func nonNilLinks(l []knowledge.Link) []knowledge.Link {
	if l == nil {
		return []knowledge.Link{}
	}
	return l
}
