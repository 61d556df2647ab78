package terminal

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"path/filepath"
	"strings"
	"testing"

	"github.com/espbot/espbot/bot"
	"github.com/espbot/espbot/internal/faqtest"
	"github.com/espbot/espbot/internal/lineedit"
	"github.com/espbot/espbot/internal/textwidth"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

func testBot(tb testing.TB) *bot.Bot { return bot.New(bot.Config{}, faqtest.Index(tb), nil, nil) }

func golden(tb testing.TB, name string, got []byte) {
	tb.Helper()
	faqtest.Golden(tb, filepath.Join("testdata", name), got, *update)
}

// TestRender pins the text of each kind of reply, in the chat's form and
// in ask's.
func TestRender(t *testing.T) {
	t.Parallel()
	b := testBot(t)
	var out bytes.Buffer
	for _, text := range []string{
		"What is the default MTU of LWIP for an ESP32?", "mqtt", "what's a good movie to watch tonight",
		"help", "/search tls", "/show nope", "thanks!", "hi there", "bye",
	} {
		out.WriteString("=== " + text + "\n")
		r := b.Handle(context.Background(), bot.Message{Platform: bot.Terminal, Channel: "t", User: "u", IsDM: true, Text: text})
		if err := Render(&out, r, Options{Commands: true}); err != nil {
			t.Fatal(err)
		}
	}
	for _, q := range []string{"What is the default MTU of LWIP for an ESP32?", "what's a good movie to watch tonight"} {
		out.WriteString("=== ask " + q + "\n")
		if err := AskOne(context.Background(), b, &out, q, AskOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	golden(t, "replies.golden", out.Bytes())
	if err := Render(&out, bot.Reply{Kind: bot.KindIgnore}, Options{}); err != nil || strings.Contains(out.String(), "ignore") {
		t.Error("an ignored reply was written")
	}
}

// TestRender_folded pins replies folded to a terminal 40 columns wide: the
// title and the alternatives' titles hang beside their heading, the body
// folds at word boundaries, and the URL stays whole.
func TestRender_folded(t *testing.T) {
	t.Parallel()
	b := testBot(t)
	var out bytes.Buffer
	for _, text := range []string{"What is the default MTU of LWIP for an ESP32?", "mqtt", "/help"} {
		out.WriteString("=== " + text + "\n")
		r := b.Handle(context.Background(), bot.Message{Platform: bot.Terminal, Channel: "t", User: "u", IsDM: true, Text: text})
		if err := Render(&out, r, Options{Commands: true, Width: 40}); err != nil {
			t.Fatal(err)
		}
	}
	golden(t, "replies-40.golden", out.Bytes())
	for _, l := range strings.Split(out.String(), "\n") {
		if textwidth.String(l) > 40 && !strings.Contains(l, "https://") && !strings.HasPrefix(l, "=== ") {
			t.Errorf("line wider than 40 columns: %q", l)
		}
	}
}

// TestRender_searchOnce: every title /search finds is printed once, though
// the reply also carries the best of them as alternatives.
func TestRender_searchOnce(t *testing.T) {
	t.Parallel()
	r := testBot(t).Handle(context.Background(), bot.Message{Platform: bot.Terminal, Channel: "t", User: "u", IsDM: true, Text: "/search mqtt"})
	if len(r.Alternatives) == 0 {
		t.Fatal("the search reply has no alternatives: the test checks nothing")
	}
	var out bytes.Buffer
	if err := Render(&out, r, Options{Commands: true}); err != nil {
		t.Fatal(err)
	}
	for _, a := range r.Alternatives {
		if n := strings.Count(out.String(), a.Title); n != 1 {
			t.Errorf("%q printed %d times:\n%s", a.Title, n, out.String())
		}
	}
}

func TestAskLines_StreamsInOrder(t *testing.T) {
	t.Parallel()
	in := "what is the default mtu of lwip?\n\n  \ntell me a joke\r\nhelp\nDoes MQTT support automatic reconnection?"
	var out bytes.Buffer
	if err := AskLines(context.Background(), testBot(t), strings.NewReader(in), &out, AskOptions{JSON: true}); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 4 {
		t.Fatalf("%d answers for 4 questions:\n%s", len(lines), out.String())
	}
	var got []bot.AskResult
	for _, l := range lines {
		var r bot.AskResult
		if err := json.Unmarshal([]byte(l), &r); err != nil {
			t.Fatal(err)
		}
		got = append(got, r)
	}
	if got[0].Question != "what is the default mtu of lwip?" || !got[0].Answered || got[1].Answered || got[2].Question != "help" ||
		got[3].Question != "Does MQTT support automatic reconnection?" {
		t.Errorf("answers %+v", got)
	}
	if got[0].Answer.Source != "embedded:protocols.rst:"+strings.Split(got[0].Answer.Source, ":")[2] || got[0].Answer.URL == "" {
		t.Errorf("source %q url %q", got[0].Answer.Source, got[0].Answer.URL)
	}
}

func TestAskOne_Explain(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	if err := AskOne(context.Background(), testBot(t), &out, "mqqt keepalive default", AskOptions{Explain: true}); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"keep-alive", "Explanation:", "decision:"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
}

func TestChat(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	in := "help\nWhat is the default MTU of LWIP for an ESP32?\n\n"
	lines := lineedit.New(strings.NewReader(in), &out, lineedit.Config{Prompt: "> "})
	if err := Chat(context.Background(), testBot(t), lines, &out, 32, lines.Width); err != nil {
		t.Fatal(err)
	}
	s := out.String()
	for _, want := range []string{"(32 FAQ entries)", "\n> espbot help", "Q: What is the default MTU", "/show "} {
		if !strings.Contains(s, want) {
			t.Errorf("chat lacks %q:\n%s", want, s)
		}
	}
	if strings.Count(s, "\n> ") != 4 {
		t.Errorf("%d prompts, want 4:\n%s", strings.Count(s, "\n> "), s)
	}
}
