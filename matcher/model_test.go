package matcher

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

func TestDefaultModel(t *testing.T) {
	m, err := DefaultModel()
	if err != nil {
		t.Fatal(err)
	}
	if m.AnswerThreshold <= 0 || m.AutoThreshold < m.AnswerThreshold || len(m.Assoc) == 0 || len(m.TermBias) == 0 || len(m.PostDecision) == 0 || len(m.PostRanker) == 0 {
		t.Errorf("shipped model looks untrained: thresholds %.3f/%.3f, %d associations, %d term biases, %d weights of the decision of posts",
			m.AnswerThreshold, m.AutoThreshold, len(m.Assoc), len(m.TermBias), len(m.PostDecision))
	}
}

// TestModel_roundTrip: writing and reading back gives the same model and
// the same bytes, so retrained models diff cleanly.
func TestModel_roundTrip(t *testing.T) {
	m, err := DefaultModel()
	if err != nil {
		t.Fatal(err)
	}
	var a, b bytes.Buffer
	if _, err := m.WriteTo(&a); err != nil {
		t.Fatal(err)
	}
	back, err := ParseModel(bytes.NewReader(a.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := back.WriteTo(&b); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a.Bytes(), b.Bytes()) {
		t.Error("model changed on a round trip")
	}
	if a.String() != defaultModelText {
		t.Error("the shipped model file is not in the writer's canonical form (write it with espbot train)")
	}
}

func TestParseModel_errors(t *testing.T) {
	const head = modelHeader + "\n"
	const tail = "\n[thresholds]\n0.5 answer\n0.8 auto\n"
	tests := []struct {
		name, in string
		line     int
		msg      string
	}{
		{"empty", "", 1, "empty"},
		{"not a model", "hello\n", 1, "not an espbot model"},
		{"unknown section", head + "[weights]\n", 2, "unknown section"},
		{"unknown feature", head + "[ranker]\n1.0 sparkle\n" + tail, 3, `unknown feature "sparkle"`},
		{"unknown post feature", head + "[post-decision]\n1.0 bias\n1.0 sparkle\n" + tail, 4, `unknown feature "sparkle" in [post-decision]`},
		{"unknown post ranker feature", head + "[post-ranker]\n1.0 sparkle\n" + tail, 3, `unknown feature "sparkle" in [post-ranker]`},
		{"bad number", head + "[terms]\nx idf\n" + tail, 3, "bad number"},
		{"no name", head + "[terms]\n1.0\n" + tail, 3, "VALUE NAME"},
		{"weight out of range", head + "[associations]\n1.5 hotspot softap\n" + tail, 3, "weight in (0, 1)"},
		{"outside a section", head + "1.0 idf\n", 2, "outside any"},
		{"no thresholds", head + "[terms]\n1.0 idf\n", 3, "thresholds"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseModel(strings.NewReader(tt.in))
			var me *ModelError
			if !errors.As(err, &me) || me.Line != tt.line || !strings.Contains(me.Msg, tt.msg) {
				t.Errorf("got %v, want line %d: ...%s...", err, tt.line, tt.msg)
			}
		})
	}
}

// TestNew_model: a model given in Options is the one searched with, and
// its threshold applies unless Options sets one.
func TestNew_model(t *testing.T) {
	m, err := ParseModel(strings.NewReader(modelHeader + "\n[decision]\n5 bias\n\n[thresholds]\n0.3 answer\n0.9 auto\n"))
	if err != nil {
		t.Fatal(err)
	}
	ix := embeddedIndexWith(t, Options{Model: m})
	if ix.AnswerThreshold() != 0.3 || ix.AutoThreshold() != 0.9 {
		t.Errorf("thresholds %.2f/%.2f, want the model's 0.30/0.90", ix.AnswerThreshold(), ix.AutoThreshold())
	}
	if res := ix.Search("mqtt keepalive"); !res.Answered || res.Confidence < 0.99 {
		t.Errorf("a model that always trusts the best entry answered=%v at %.2f", res.Answered, res.Confidence)
	}
	if ix := embeddedIndexWith(t, Options{Model: m, AnswerThreshold: 0.5}); ix.AnswerThreshold() != 0.5 {
		t.Errorf("Options.AnswerThreshold ignored: %.2f", ix.AnswerThreshold())
	}
}

// TestModel_postDecision: a long post is decided by the model's decision
// of posts; a model without one decides posts like chat questions.
func TestModel_postDecision(t *testing.T) {
	// the ranker puts the entry the question is about first, not one
	// matching only the form's versions and chips
	const text = modelHeader + "\n[ranker]\n1 relative\n[decision]\n5 bias\n%s\n[thresholds]\n0.5 answer\n0.9 auto\n"
	post := readPost(t, "esp-idf-form.md", "mqtt keepalive default value?")
	for _, tt := range []struct {
		name       string
		section    string
		chat, long bool // answered
	}{
		{"with a decision of posts", "\n[post-decision]\n-5 bias\n", true, false},
		{"without", "", true, true},
	} {
		m, err := ParseModel(strings.NewReader(strings.Replace(text, "%s", tt.section, 1)))
		if err != nil {
			t.Fatal(err)
		}
		ix := embeddedIndexWith(t, Options{Model: m})
		if chat, long := ix.Search("mqtt keepalive default value?").Answered, ix.Search(post).Answered; chat != tt.chat || long != tt.long {
			t.Errorf("%s: chat question answered %v, long post %v; want %v, %v", tt.name, chat, long, tt.chat, tt.long)
		}
	}
}

// TestModel_postRanker: a long post is ranked by the model's ranker of
// posts.
func TestModel_postRanker(t *testing.T) {
	const text = modelHeader + "\n[ranker]\n1 relative\n%s\n[thresholds]\n0.5 answer\n0.9 auto\n"
	q := "mqtt keepalive default value"
	post := readPost(t, "esp-idf-form.md", q)
	best := func(section string) (chat, long string) {
		m, err := ParseModel(strings.NewReader(strings.Replace(text, "%s", section, 1)))
		if err != nil {
			t.Fatal(err)
		}
		ix := embeddedIndexWith(t, Options{Model: m})
		return titleOf(ix.Search(q)), titleOf(ix.Search(post))
	}
	chat, long := best("")
	if chat != long {
		t.Fatalf("with one ranker, the question alone ranks %q first, in a post %q", chat, long)
	}
	if chat2, long2 := best("\n[post-ranker]\n-1 relative\n"); chat2 != chat || long2 == long {
		t.Errorf("a ranker of posts that reverses the order: alone %q (want %q), in a post %q (want another)", chat2, chat, long2)
	}
}
