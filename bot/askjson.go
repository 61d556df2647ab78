package bot

import (
	"fmt"

	"github.com/espbot/espbot/knowledge"
	"github.com/espbot/espbot/matcher"
)

// AskResult is the JSON object printed by "espbot ask --json" (one per line)
// and returned by POST /v1/ask.
type AskResult struct {
	Question     string           `json:"question"`
	Answered     bool             `json:"answered"`
	Confidence   float64          `json:"confidence"`
	Answer       *AskAnswer       `json:"answer"`
	Alternatives []AskAlternative `json:"alternatives"`
}

// AskAnswer is the answer part of an AskResult.
type AskAnswer struct {
	ID       string           `json:"id"`
	Title    string           `json:"title"`
	Category string           `json:"category"`
	Source   string           `json:"source"`
	Score    float64          `json:"score"`
	Chips    []string         `json:"chips"`
	Text     string           `json:"text"`
	Links    []knowledge.Link `json:"links"`
}

// AskAlternative is a further entry worth suggesting.
type AskAlternative struct {
	ID         string  `json:"id"`
	Title      string  `json:"title"`
	Score      float64 `json:"score"`
	Confidence float64 `json:"confidence"`
}

// NewAskResult converts a matcher result into its JSON form. The answer is
// present only when the matcher decided to answer.
func NewAskResult(res matcher.Result) AskResult {
	out := AskResult{
		Question:     res.Query,
		Answered:     res.Answered,
		Confidence:   round(res.Confidence),
		Alternatives: []AskAlternative{},
	}
	if res.Answered && res.Best != nil {
		e := res.Best.Entry
		out.Answer = &AskAnswer{
			ID:       e.ID,
			Title:    e.Title,
			Category: e.Category,
			Source:   fmt.Sprintf("%s:%d", e.Source.Path, e.Source.Line),
			Score:    round(res.Best.Score),
			Chips:    nonNil(e.Chips),
			Text:     knowledge.RenderText(e.Body),
			Links:    nonNilLinks(e.Links),
		}
	}
	for _, h := range res.Alternatives {
		out.Alternatives = append(out.Alternatives, AskAlternative{
			ID: h.Entry.ID, Title: h.Entry.Title, Score: round(h.Score), Confidence: round(h.Confidence),
		})
	}
	return out
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
